//! The outbox worker every server process runs: claims due rows, sends them concurrently,
//! marks them sent, reschedules them with exponential back-off, or gives up on them for
//! good when the receiving server refused them. A process that dies mid-send leaves a
//! claim that expires after its lease (`lease`), and another process retries.

use std::time::Duration;

use tokio::task::JoinSet;

use crate::db::{Db, DbError};
use crate::time::Clock;

use super::outbox::GaveUp;
use super::{outbox, MailError, Mailer};

/// How long past the send timeout a claim holds: the worker records the result in that
/// time. A claim must outlive its send, or a second worker would send the row again while
/// the first is still talking to the server.
const LEASE_MARGIN: Duration = Duration::from_secs(30);

/// How long a claim made by a worker whose sends are bounded by `send_timeout` holds.
pub fn lease(send_timeout: Duration) -> Duration {
    send_timeout + LEASE_MARGIN
}

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

/// What the worker needs: the outbox's database, the transport, and its timing.
#[derive(Clone)]
pub struct Worker {
    pub db: Db,
    pub mailer: Mailer,
    /// The first retry of a mail that could not be sent; each next one waits twice as long.
    pub retry_base: Duration,
    /// How often the outbox is checked for mail written by other processes and for retries.
    pub poll: Duration,
    pub clock: Clock,
}

impl Worker {
    /// Runs until the runtime stops.
    pub fn spawn(self) {
        tokio::spawn(async move {
            loop {
                let sent = match self.run_once().await {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox: could not claim mail");
                        0
                    }
                };
                if sent == 0 {
                    // Woken by a commit in this process, or by the poll for rows written by
                    // other processes and for retries that have come due.
                    let _ = tokio::time::timeout(self.poll, self.mailer.wake.notified()).await;
                }
            }
        });
    }

    /// Claims and sends one batch; returns how many rows it handled.
    pub async fn run_once(&self) -> Result<usize, DbError> {
        let lease = lease(self.mailer.send_timeout);
        let batch = outbox::claim(&self.db, self.clock.now(), lease, BATCH).await?;
        let count = batch.len();
        let mut sends = JoinSet::new();
        for claimed in batch {
            let worker = self.clone();
            sends.spawn(async move {
                let result = worker
                    .mailer
                    .send(claimed.id, claimed.created_at, &claimed.mail)
                    .await;
                let now = worker.clock.now();
                let outcome = match result {
                    Ok(()) => {
                        tracing::info!(id = claimed.id, kind = %claimed.mail.kind, "mail sent");
                        outbox::mark_sent(&worker.db, &claimed, now).await
                    }
                    Err(error) => {
                        let give_up = match error {
                            MailError::Rejected(_) => Some(GaveUp::Rejected),
                            MailError::Invalid(_) => Some(GaveUp::Invalid),
                            _ if claimed.attempts >= MAX_ATTEMPTS => Some(GaveUp::Exhausted),
                            _ => None,
                        };
                        let wait = backoff(worker.retry_base, claimed.attempts);
                        tracing::warn!(
                            id = claimed.id,
                            attempts = claimed.attempts,
                            %error,
                            gave_up = give_up.map(GaveUp::code),
                            "mail not sent"
                        );
                        let due = now + chrono::Duration::from_std(wait).unwrap_or_default();
                        let error = error.to_string();
                        outbox::mark_failed(&worker.db, &claimed, &error, due, give_up, now).await
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
