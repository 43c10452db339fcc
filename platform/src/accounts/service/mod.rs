//! What can be done with accounts, whichever face (pages, API, CLI) asks. Each function
//! validates everything first, then changes the database in one transaction together with
//! the outbox row of the mail it causes, then wakes the mail worker. One file per part of
//! an account's life: registration, login, recovery, profile, staff.

mod desk;
mod login;
mod profile;
mod recovery;
mod registration;
mod staff;

pub use desk::{taken_over, DeskOutcome, Taken, VisitorForm};
pub use registration::{Confirmed, Registration};
pub use staff::{Grantor, Invitation, StaffAccount};

use chrono::Duration;

use crate::db::Db;
use crate::mail::Sender;

use super::limits::RateLimits;
use super::secrets::Hasher;
use crate::cache::Cache;
use crate::mail::Outbox;
use crate::time::Clock;

/// Accounts: registration, confirmation, login, recovery, profile, children, staff. Holds
/// what these rules use, and nothing else.
#[derive(Clone)]
pub struct Accounts {
    db: Db,
    outbox: Outbox,
    hasher: Hasher,
    /// Rate-limit counters (the sessions' store, shared by all processes).
    counters: Cache,
    limits: RateLimits,
    clock: Clock,
}

impl Accounts {
    pub fn new(
        db: Db,
        outbox: Outbox,
        hasher: Hasher,
        counters: Cache,
        limits: RateLimits,
        clock: Clock,
    ) -> Self {
        Self {
            db,
            outbox,
            hasher,
            counters,
            limits,
            clock,
        }
    }
}

/// How long the links in mails work.
const CONFIRM_LINK_TTL: Duration = Duration::hours(48);
const RESET_LINK_TTL: Duration = Duration::hours(1);
const SET_PASSWORD_LINK_TTL: Duration = Duration::hours(72);

/// Where the request came from: for rate limits and the audit log.
#[derive(Debug, Clone)]
pub struct Client {
    pub ip: String,
}

fn link(sender: &Sender, path: &str, token: &str) -> String {
    format!("{}{path}?code={token}", sender.base_url)
}
