//! Times are stored as UTC text of one fixed width (`2026-11-21T22:15:00.123456Z`), which
//! sorts correctly as text on SQLite and PostgreSQL alike and reads well in either shell.

use chrono::{DateTime, SecondsFormat, Utc};

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

pub fn to_db(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}
