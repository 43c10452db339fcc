//! Rate limits on the actions worth guessing at or flooding: login, registration, resending
//! the confirmation and password reset. Counters live in the shared cache, so every server
//! process counts towards the same limit; a window starts with its first attempt.

use std::time::Duration;

use crate::cache::Cache;
pub use crate::service_error::RetryAfter;

use super::secrets::digest;

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: u64,
    pub window: Duration,
}

impl Limit {
    pub const fn per(max: u64, minutes: u64) -> Self {
        Self {
            max,
            window: Duration::from_secs(minutes * 60),
        }
    }
}

/// Limits per client address (`_ip`) and per account address (`_account`).
#[derive(Debug, Clone)]
pub struct RateLimits {
    pub login_ip: Limit,
    pub login_account: Limit,
    pub register_ip: Limit,
    /// Registrations naming one address: each one mails that address, so this keeps a
    /// stranger from flooding someone's inbox through us.
    pub register_account: Limit,
    pub resend_account: Limit,
    pub reset_ip: Limit,
    pub reset_account: Limit,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_ip: Limit::per(30, 15),
            login_account: Limit::per(10, 15),
            register_ip: Limit::per(10, 60),
            register_account: Limit::per(3, 60),
            resend_account: Limit::per(3, 15),
            reset_ip: Limit::per(10, 60),
            reset_account: Limit::per(3, 60),
        }
    }
}

/// Counts one attempt of `action` by `who` in the region; refuses once `limit` is passed.
/// When the cache is unreachable the attempt is allowed: a cache outage must not lock
/// everyone out (argon2's cost still bounds guessing).
pub async fn hit(
    cache: &Cache,
    tenant: i64,
    action: &str,
    who: &str,
    limit: Limit,
) -> Result<(), RetryAfter> {
    // Addresses are personal data: the key holds a digest of them.
    let key = format!("rl:{tenant}:{action}:{}", &digest(who)[..24]);
    match cache.incr(&key, limit.window).await {
        Some((count, left)) if count > limit.max => Err(RetryAfter(left)),
        Some(_) => Ok(()),
        None => {
            tracing::warn!(action, "rate limit not checked: cache unreachable");
            Ok(())
        }
    }
}
