//! Sessions: a 256-bit random id in a cookie; the record in the shared cache (Redis in
//! production) under a digest of the id, bound to one tenant. A session ends when it is
//! idle too long, when it is too old, on logout, and when the account's password changes
//! (the record carries the account's session epoch, which a reset moves on).
//!
//! The cache is the only copy of a session, so a store that cannot be reached is not "no
//! session": reading or writing one then fails with [`Store::Sessions`], which the pages and
//! the API answer with 503 and `Retry-After`, never with a silent log-out.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cache::{region_key, Cache};
use crate::db::Db;
use crate::service_error::ServiceError;
use crate::tenant_id::TenantId;
use crate::time::Clock;

use super::secrets::{digest, random_token};
use super::store::{self, User};
use super::values::Role;

pub const COOKIE: &str = "nav_session";
/// The CSRF token of a visitor without a session (double-submit cookie).
pub const CSRF_COOKIE: &str = "nav_csrf";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    /// Stored as the number: a record read back is checked against the request's region,
    /// never turned into one.
    tenant_id: i64,
    user_id: i64,
    epoch: i64,
    csrf: String,
    /// Unix seconds.
    created: i64,
    seen: i64,
}

/// A logged-in visitor: the account and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: User,
    pub csrf: String,
    key: String,
    /// The address the request came from (none outside a request), for the audit log.
    ip: Option<String>,
    /// Set when an organization's staff member acts for this parent at the desk.
    desk: Option<Desk>,
}

/// «Приём заявителя»: who acts for a family that came in person. The parent is present with
/// their documents and signed the consent on paper, so what the navigator asks of a parent
/// online (a confirmed address) is not asked; what is done is recorded as the staff member's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Desk {
    pub staff_id: i64,
    pub organization_id: i64,
}

impl Viewer {
    /// The account, when it is a parent's (or a child's of 14+ registered alone): only they
    /// act for children — add them, get their certificates, apply.
    pub fn parent(&self) -> Result<&User, ServiceError> {
        if self.user.role == Role::Parent {
            Ok(&self.user)
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// The account an organization's API token acts as: no session, no CSRF (a token is
    /// sent deliberately, never by a browser on its own).
    pub fn for_api_token(user: User) -> Self {
        Self {
            user,
            csrf: String::new(),
            key: String::new(),
            ip: None,
            desk: None,
        }
    }

    /// The parent `parent`, with this staff member of an organization acting for them at the
    /// desk (from the staff member's address and session). Only a provider's staff may.
    pub(crate) fn at_desk(&self, parent: User) -> Result<Self, ServiceError> {
        let organization_id = self.user.staff_org().ok_or(ServiceError::Forbidden)?;
        if parent.role != Role::Parent || parent.tenant_id != self.user.tenant_id {
            return Err(ServiceError::Forbidden);
        }
        // No session of its own: nothing done for the family may touch the staff member's
        // (a logout, a session's end), and the CSRF check was the staff member's request's.
        Ok(Self {
            user: parent,
            csrf: String::new(),
            key: String::new(),
            ip: self.ip.clone(),
            desk: Some(Desk {
                staff_id: self.user.id,
                organization_id,
            }),
        })
    }

    /// The staff member acting for this parent, if one is.
    pub fn desk(&self) -> Option<Desk> {
        self.desk
    }

    /// Who the audit log and the application's history name: the staff member at the desk,
    /// or the account itself.
    pub fn actor(&self) -> i64 {
        self.desk.map_or(self.user.id, |d| d.staff_id)
    }

    /// The same viewer, acting from `ip` (the request's client address).
    pub fn from_address(mut self, ip: &str) -> Self {
        self.ip = Some(ip.to_owned()).filter(|ip| !ip.is_empty());
        self
    }

    /// The client's address for an audit row.
    pub fn ip(&self) -> Option<&str> {
        self.ip.as_deref()
    }
}

/// Timeouts of every session.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// Without a request for this long, the session ends.
    pub idle: Duration,
    /// However active, a session ends this long after login.
    pub lifetime: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(60 * 60),
            lifetime: Duration::from_secs(12 * 60 * 60),
        }
    }
}

/// Keyed by region as well as by the id's digest: a cookie replayed on another region's host
/// looks up a key that does not exist (the record's own region is checked as well).
fn key(tenant: TenantId, session_id: &str) -> String {
    region_key("session", tenant, &digest(session_id))
}

/// Where sessions live (Redis, or the process), their timeouts, and what they are
/// checked against: the accounts in the database, at the process's clock.
#[derive(Clone)]
pub struct Sessions {
    store: Cache,
    policy: SessionPolicy,
    db: Db,
    clock: Clock,
}

impl Sessions {
    pub fn new(store: Cache, policy: SessionPolicy, db: Db, clock: Clock) -> Self {
        Self {
            store,
            policy,
            db,
            clock,
        }
    }

    pub(super) fn db(&self) -> &Db {
        &self.db
    }

    pub(super) fn clock(&self) -> &Clock {
        &self.clock
    }

    fn unix_now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    /// Ends the browser's current session, if any, and starts one for `user`: a new id on
    /// every login and password change, so an id planted before is worth nothing. Returns the
    /// id for the cookie.
    pub async fn renew(&self, old: Option<&Viewer>, user: &User) -> Result<String, ServiceError> {
        if let Some(old) = old {
            self.end(old).await?;
        }
        self.start(user.tenant_id, user).await
    }

    /// Starts a session for `user` in `tenant`; returns the id for the cookie.
    pub async fn start(&self, tenant: TenantId, user: &User) -> Result<String, ServiceError> {
        let id = random_token();
        let now = self.unix_now();
        let record = Record {
            tenant_id: tenant.get(),
            user_id: user.id,
            epoch: user.session_epoch,
            csrf: random_token(),
            created: now,
            seen: now,
        };
        self.save(&key(tenant, &id), &record).await?;
        Ok(id)
    }

    async fn save(&self, key: &str, record: &Record) -> Result<(), crate::cache::CacheError> {
        let json = serde_json::to_vec(record).expect("session record serializes");
        self.store.try_set(key, json.into(), self.policy.idle).await
    }

    /// The session behind a cookie, if it is alive, of this tenant, and its account still
    /// exists with the same epoch. Touches it (at most once a minute) to keep it from idling.
    pub async fn load(
        &self,
        tenant: TenantId,
        session_id: &str,
    ) -> Result<Option<Viewer>, ServiceError> {
        let key = key(tenant, session_id);
        let Some(bytes) = self.store.try_get(&key).await? else {
            return Ok(None);
        };
        let Ok(mut record) = serde_json::from_slice::<Record>(&bytes) else {
            return Ok(None);
        };
        let policy = self.policy;
        let now = self.unix_now();
        // A cookie from another region's host is not a session here.
        if record.tenant_id != tenant.get() {
            return Ok(None);
        }
        if now - record.created > policy.lifetime.as_secs() as i64
            || now - record.seen > policy.idle.as_secs() as i64
        {
            // Expired either way: a record the cache failed to drop expires on its own.
            let _ = self.store.delete(&key).await;
            return Ok(None);
        }
        let Some(user) = store::user_by_id(&self.db, tenant, record.user_id).await? else {
            return Ok(None);
        };
        if user.session_epoch != record.epoch {
            let _ = self.store.delete(&key).await;
            return Ok(None);
        }
        // Touching costs a cache write: once a minute is enough to keep an hour-long idle
        // timeout honest (and often enough for any shorter one).
        let touch_every = (policy.idle.as_secs() as i64 / 2).clamp(0, 60);
        if now - record.seen >= touch_every {
            record.seen = now;
            // A touch that fails costs at most an earlier idle end, not this request.
            let _ = self.save(&key, &record).await;
        }
        Ok(Some(Viewer {
            user,
            csrf: record.csrf,
            key,
            ip: None,
            desk: None,
        }))
    }

    /// Whether the session's record is still stored (without touching it): for operators'
    /// tools and tests that watch a session expire.
    pub async fn stored(&self, tenant: TenantId, session_id: &str) -> bool {
        self.store.get(&key(tenant, session_id)).await.is_some()
    }

    /// Ends the session server-side: the cookie, if replayed, finds nothing. Fails when the
    /// store cannot be reached, since the session would then live on.
    pub async fn end(&self, viewer: &Viewer) -> Result<(), ServiceError> {
        if viewer.key.is_empty() {
            return Ok(());
        }
        self.store
            .delete(&viewer.key)
            .await
            .map_err(ServiceError::from)
    }
}

/// `Set-Cookie` for a new session.
pub fn cookie(id: &str, secure: bool) -> String {
    format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// `Set-Cookie` for an anonymous visitor's CSRF token.
pub fn csrf_cookie(token: &str, secure: bool) -> String {
    format!(
        "{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The value of cookie `name` in a `Cookie` header.
pub fn read_cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name && !v.is_empty()).then_some(v)
    })
}
