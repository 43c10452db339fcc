//! The staff and token lists as the cabinet shows them: dates in the region's zone, what a
//! row may offer decided here, not in the template.

use chrono_tz::Tz;
use serde::Serialize;

use crate::time::{day_in, shown_in};

use super::store::{Member, Token};

#[derive(Debug, Serialize)]
pub struct MemberRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// `ДД.ММ.ГГГГ`.
    pub since: String,
    pub last_login: String,
    /// The set-password link has not been followed yet.
    pub pending: bool,
    /// The viewer's own row.
    pub is_self: bool,
}

pub fn members(members: &[Member], viewer: Option<i64>, zone: Tz) -> Vec<MemberRow> {
    members
        .iter()
        .map(|m| MemberRow {
            id: m.id,
            name: m.full_name.clone(),
            email: m.email.clone(),
            since: day_in(&m.since, zone),
            last_login: m
                .last_login
                .as_deref()
                .map_or_else(|| "ещё не входил(а)".to_owned(), |t| shown_in(t, zone)),
            pending: !m.has_password,
            is_self: viewer == Some(m.id),
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub owner: String,
    /// `ДД.ММ.ГГГГ`.
    pub created: String,
    pub last_used: String,
    /// «Действует» or «Отозван ДД.ММ.ГГГГ».
    pub state: String,
    pub can_revoke: bool,
}

pub fn tokens(tokens: &[Token], zone: Tz) -> Vec<TokenRow> {
    tokens
        .iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name.clone(),
            owner: t.owner.clone(),
            created: day_in(&t.created_at, zone),
            last_used: t
                .last_used_at
                .as_deref()
                .map_or_else(|| "не использовался".to_owned(), |at| shown_in(at, zone)),
            state: t.revoked_at.as_deref().map_or_else(
                || "Действует".to_owned(),
                |at| format!("Отозван {}", day_in(at, zone)),
            ),
            can_revoke: t.revoked_at.is_none(),
        })
        .collect()
}
