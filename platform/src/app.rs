//! The server process: binding its socket, the background pollers and workers, serving
//! until told to stop.

use std::net::SocketAddr;
use std::time::Duration;

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::Server;

use crate::routes;
use crate::web::State;

pub struct Application {
    state: State,
    acceptor: poem::listener::TcpAcceptor,
    local_addr: SocketAddr,
}

impl Application {
    /// Binds the listening socket (port 0 picks a free one) around a connected state.
    pub async fn bind(state: State) -> anyhow::Result<Self> {
        let listen = state.settings.listen;
        let acceptor = TcpListener::bind(listen)
            .into_acceptor()
            .await
            .map_err(|e| anyhow::anyhow!("не удалось открыть {listen}: {e}"))?;
        let local_addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .unwrap_or(listen);
        Ok(Self {
            state,
            acceptor,
            local_addr,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
    pub async fn run(self) -> std::io::Result<()> {
        let state = self.state;
        let every = state.settings.registry_poll;
        let (registry, db, cache) = (
            state.registry.clone(),
            state.db.clone(),
            state.cache.clone(),
        );
        poll(every, "could not check for region changes", move || {
            let (registry, db, cache) = (registry.clone(), db.clone(), cache.clone());
            async move { registry.refresh(&db, &cache).await.map(|_| ()) }
        });
        let catalog = state.catalog.clone();
        poll(every, "could not check catalog versions", move || {
            let catalog = catalog.clone();
            async move { catalog.refresh_versions().await }
        });
        let sheets = state.sheets.clone();
        poll(
            Duration::from_secs(3600),
            "could not sweep the checked spreadsheets",
            move || {
                let sheets = sheets.clone();
                async move { sheets.sweep().await.map(|_| ()) }
            },
        );
        let (groups, registry) = (state.groups.clone(), state.registry.clone());
        poll(
            state.settings.study_end_poll,
            "could not close groups whose study ended",
            move || {
                let (groups, registry) = (groups.clone(), registry.clone());
                async move {
                    // One region's failure is logged and the others still get their turn.
                    for tenant in registry.tenants() {
                        if let Err(e) = groups.close_finished(&tenant).await {
                            tracing::warn!(tenant = %tenant.id, error = %e, "closing finished groups");
                        }
                    }
                    Ok::<(), std::convert::Infallible>(())
                }
            },
        );
        let (applications, registry) = (state.applications.clone(), state.registry.clone());
        poll(
            state.settings.mail_poll,
            "could not send the application digests",
            move || {
                let (applications, registry) = (applications.clone(), registry.clone());
                async move { applications.send_digests(&registry).await.map(|_| ()) }
            },
        );
        // The statistics warmer: its first round one period after the start, so a process
        // that starts does not begin by computing every region's dashboards.
        let (statistics, registry) = (state.statistics.clone(), state.registry.clone());
        tokio::spawn(async move {
            let every = crate::statistics::snapshots::WARM_EVERY;
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = statistics.warm(&registry).await {
                    tracing::warn!(error = %e, "could not refresh the statistics snapshots");
                }
            }
        });
        state.mail_worker().spawn();
        Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(
                routes::routes(state),
                shutdown_signal(),
                Some(Duration::from_secs(10)),
            )
            .await
    }
}

/// Runs `check` every `period` until the runtime stops; a failure is logged as `what` and
/// the next tick tries again. Versions that other processes move are followed this way.
pub fn poll<F, Fut, E>(period: Duration, what: &'static str, mut check: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(), E>> + Send,
    E: std::fmt::Display,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = check().await {
                tracing::warn!(error = %e, "{what}");
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}
