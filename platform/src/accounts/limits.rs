//! Rate limits on the actions worth guessing at or flooding: login, registration, resending
//! the confirmation and password reset. Counters live in the shared cache, so every server
//! process counts towards the same limit; a window starts with its first attempt.

use std::time::Duration;

use crate::cache::{region_key, Cache};
pub use crate::service_error::RetryAfter;
use crate::service_error::ServiceError;
use crate::tenant_id::TenantId;

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
///
/// When the cache is unreachable the attempt is refused too (503, "come back in a minute"):
/// these actions are logins, registrations and mails sent on a stranger's request, exactly
/// what an attacker would try while the counters are gone, and a login could not start a
/// session without the cache anyway. Reads are never counted here, so they stay open.
pub async fn hit(
    cache: &Cache,
    tenant: TenantId,
    action: &str,
    who: &str,
    limit: Limit,
) -> Result<(), ServiceError> {
    // Addresses are personal data: the key holds a digest of them.
    let key = region_key("rl", tenant, &format!("{action}:{}", &digest(who)[..24]));
    match cache.incr(&key, limit.window).await {
        Ok((count, left)) if count > limit.max => Err(RetryAfter(left).into()),
        Ok(_) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
