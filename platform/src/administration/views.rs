//! What the registry's pages show: an organization's line, an administrator's line, the
//! choices of the filters, with their labels decided here.

use serde::Serialize;

use crate::accounts::store::User;
use crate::accounts::values::Role;
use crate::catalog::model::OrgType;
use crate::regions::Tenant;

use super::service::municipality_name;
use super::store::Entry;

/// A line of the registry.
#[derive(Debug, Serialize)]
pub struct Line {
    pub id: i64,
    pub name: String,
    pub short_name: String,
    pub inn: String,
    pub org_type: &'static str,
    pub municipality: String,
    pub can_confirm: bool,
    pub published: i64,
    pub staff: i64,
    pub active: bool,
    /// ДД.ММ.ГГГГ in the region's time zone, when deactivated.
    pub deactivated: Option<String>,
}

fn shown_day(tenant: &Tenant, at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&tenant.config.time_zone)
                .format("%d.%m.%Y")
                .to_string()
        })
        .unwrap_or_else(|_| at.chars().take(10).collect())
}

pub fn line(tenant: &Tenant, e: &Entry) -> Line {
    Line {
        id: e.id,
        name: e.name.clone(),
        short_name: e.short_name.clone(),
        inn: e.inn.clone(),
        org_type: e.org_type.label(),
        municipality: municipality_name(tenant, &e.municipality_id),
        can_confirm: e.can_confirm,
        published: e.published,
        staff: e.staff,
        active: e.deactivated_at.is_none(),
        deactivated: e.deactivated_at.as_deref().map(|a| shown_day(tenant, a)),
    }
}

/// A choice of a drop-down or a radio group.
#[derive(Debug, Serialize)]
pub struct Choice {
    pub code: String,
    pub label: String,
}

/// The region's municipalities (a municipal admin's own only).
pub fn municipalities(tenant: &Tenant, only: Option<&str>) -> Vec<Choice> {
    tenant
        .config
        .municipalities
        .iter()
        .filter(|m| only.is_none_or(|o| o == m.id.as_str()))
        .map(|m| Choice {
            code: m.id.as_str().to_owned(),
            label: m.name.clone(),
        })
        .collect()
}

pub fn types() -> Vec<Choice> {
    OrgType::ALL
        .iter()
        .map(|t| Choice {
            code: t.code().to_owned(),
            label: t.label().to_owned(),
        })
        .collect()
}

/// A line of the administrators' list.
#[derive(Debug, Serialize)]
pub struct Admin {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub municipality: String,
    /// Has set a password (followed the invitation's link).
    pub joined: bool,
    pub me: bool,
}

pub fn admins(tenant: &Tenant, users: &[User], me: i64) -> Vec<Admin> {
    users
        .iter()
        .map(|u| Admin {
            id: u.id,
            name: u.full_name(),
            email: u.email.clone(),
            role: u.role.label(),
            municipality: match (&u.role, &u.municipality_id) {
                (Role::Municipal, Some(m)) => municipality_name(tenant, m),
                _ => "весь регион".to_owned(),
            },
            joined: u.password_hash.is_some(),
            me: u.id == me,
        })
        .collect()
}
