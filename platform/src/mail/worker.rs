//! The outbox worker every server process runs: claims due rows, sends them concurrently,
//! marks them sent, or reschedules them with exponential back-off. A process that dies
//! mid-send leaves a claim that expires after `LEASE`, and another process retries.

use std::time::Duration;

use tokio::task::JoinSet;

use crate::State;

use super::outbox;

/// How long a claim holds; longer than any send (the SMTP timeout is 10 s).
const LEASE: Duration = Duration::from_secs(60);
/// Rows claimed at once, and sent concurrently.
const BATCH: i64 = 32;
/// After this many failed attempts a row is given up on (with the back-off capped at an
/// hour, that is most of a day of trying).
const MAX_ATTEMPTS: i64 = 25;
const MAX_BACKOFF: Duration = Duration::from_secs(60 * 60);

/// `base · 2^(attempts−1)`, at most an hour.
pub fn backoff(base: Duration, attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    base.saturating_mul(1u32 << exp).min(MAX_BACKOFF)
}

/// Runs until the runtime stops.
pub fn spawn(state: State) {
    tokio::spawn(async move {
        loop {
            let sent = match run_once(&state).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox: could not claim mail");
                    0
                }
            };
            if sent == 0 {
                // Woken by a commit in this process, or by the poll for rows written by
                // other processes and for retries that have come due.
                let _ =
                    tokio::time::timeout(state.settings.mail_poll, state.mailer.wake.notified())
                        .await;
            }
        }
    });
}

/// Claims and sends one batch; returns how many rows it handled.
pub async fn run_once(state: &State) -> Result<usize, crate::db::DbError> {
    let batch = outbox::claim(&state.db, crate::time::now(), LEASE, BATCH).await?;
    let count = batch.len();
    let mut sends = JoinSet::new();
    for claimed in batch {
        let state = state.clone();
        sends.spawn(async move {
            let result = state.mailer.send(&claimed.mail).await;
            let now = crate::time::now();
            let outcome = match result {
                Ok(()) => {
                    tracing::info!(id = claimed.id, kind = %claimed.mail.kind, "mail sent");
                    outbox::mark_sent(&state.db, &claimed, now).await
                }
                Err(error) => {
                    let give_up = claimed.attempts >= MAX_ATTEMPTS;
                    let wait = backoff(state.settings.mail_retry_base, claimed.attempts);
                    tracing::warn!(id = claimed.id, attempts = claimed.attempts, %error, give_up, "mail not sent");
                    let due = now + chrono::Duration::from_std(wait).unwrap_or_default();
                    outbox::mark_failed(&state.db, &claimed, &error, due, give_up, now).await
                }
            };
            if let Err(e) = outcome {
                tracing::error!(id = claimed.id, error = %e, "outbox: could not record the result");
            }
        });
    }
    while sends.join_next().await.is_some() {}
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let base = Duration::from_secs(5);
        assert_eq!(backoff(base, 1), Duration::from_secs(5));
        assert_eq!(backoff(base, 3), Duration::from_secs(20));
        assert_eq!(backoff(base, 25), MAX_BACKOFF);
    }
}
