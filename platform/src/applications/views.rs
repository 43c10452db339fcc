//! What the pages and the API show of applications.

use serde::Serialize;

use crate::accounts::sessions::Viewer;
use crate::accounts::store as accounts;
use crate::catalog::store as catalog;
use crate::db::Db;
use crate::db::DbError;
use crate::regions::Tenant;
use crate::time::Clock;

use super::store::{self, Application, Line, Status};

#[derive(Debug, Serialize)]
pub struct HistoryLine {
    pub date: String,
    pub status: &'static str,
    pub comment: Option<String>,
}

/// An application as its parent sees it.
#[derive(Debug, Serialize)]
pub struct ParentApplication {
    pub id: i64,
    pub status: &'static str,
    pub status_label: &'static str,
    pub child: String,
    pub program: String,
    pub program_id: i64,
    pub group: String,
    pub organization: String,
    pub organization_phone: String,
    pub organization_address: String,
    pub comment: Option<String>,
    pub funding: String,
    /// «Личное обращение»: recorded by the organization's staff at the desk.
    pub in_person: bool,
    pub can_cancel: bool,
    pub can_withdraw: bool,
    pub history: Vec<HistoryLine>,
}

/// A stored time as the region reads it: `02.12.2026 13:15` in its time zone.
fn when(tenant: &Tenant, at: &str) -> String {
    crate::time::shown_in(at, tenant.config.time_zone)
}

pub async fn for_parent(
    db: &Db,
    tenant: &Tenant,
    parent: i64,
) -> Result<Vec<ParentApplication>, DbError> {
    let mut out = Vec::new();
    for app in store::of_parent(db, tenant.id, parent).await? {
        out.push(parent_view(db, tenant, app).await?);
    }
    Ok(out)
}

pub async fn parent_view(
    db: &Db,
    tenant: &Tenant,
    app: Application,
) -> Result<ParentApplication, DbError> {
    let org = catalog::organization(db, tenant.id, app.organization_id).await?;
    let group = catalog::group(db, tenant.id, app.group_id).await?;
    let program = catalog::program_title(db, tenant.id, app.program_id).await?;
    let child =
        crate::children::store::child_of(db, tenant.id, app.parent_id, app.child_id).await?;
    let history = store::history(db, tenant.id, app.id)
        .await?
        .into_iter()
        .map(|e| HistoryLine {
            date: when(tenant, &e.created_at),
            status: e.status.label(),
            comment: e.comment,
        })
        .collect();
    Ok(ParentApplication {
        id: app.id,
        status: app.status.as_str(),
        status_label: app.status.label(),
        child: child
            .map(|c| format!("{} {}", c.last_name, c.first_name))
            .unwrap_or_default(),
        program: program.unwrap_or_default(),
        program_id: app.program_id,
        group: group.map(|g| g.name).unwrap_or_default(),
        organization_phone: org.as_ref().map(|o| o.phone.clone()).unwrap_or_default(),
        organization_address: org.as_ref().map(|o| o.address.clone()).unwrap_or_default(),
        organization: org.map(|o| o.name).unwrap_or_default(),
        comment: app.comment,
        funding: funding_label(&app.funding).to_owned(),
        in_person: app.in_person,
        can_cancel: matches!(app.status, Status::New | Status::Waitlisted),
        can_withdraw: app.status.holds_seat(),
        history,
    })
}

pub fn funding_label(funding: &str) -> &'static str {
    match funding {
        "certificate" => "оплата сертификатом",
        "paid" => "платно",
        _ => "бесплатно",
    }
}

/// A line of the organization's list.
#[derive(Debug, Serialize)]
pub struct ProviderLine {
    pub id: i64,
    pub date: String,
    pub child: String,
    pub birth_date: String,
    pub program: String,
    pub group: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub in_person: bool,
}

impl ProviderLine {
    pub fn new(tenant: &Tenant, l: Line) -> Self {
        Self {
            id: l.application.id,
            date: when(tenant, &l.application.created_at),
            child: l.child,
            birth_date: l.child_birth_date,
            program: l.program,
            group: l.group,
            status: l.application.status.as_str(),
            status_label: l.application.status.label(),
            in_person: l.application.in_person,
        }
    }
}

/// An application as the organization sees it: with the child's and parent's contacts.
#[derive(Debug, Serialize)]
pub struct ProviderCard {
    pub application: ParentApplication,
    pub child_birth_date: String,
    pub parent: String,
    pub parent_phone: String,
    pub parent_email: String,
    pub can_confirm: bool,
    pub can_reject: bool,
    pub can_enroll: bool,
}

/// The card; opening it is a view of the child's personal data, so it is audited.
pub async fn provider_card(
    db: &Db,
    clock: &Clock,
    tenant: &Tenant,
    viewer: &Viewer,
    app: Application,
) -> Result<ProviderCard, DbError> {
    let parent = accounts::user_by_id(db, tenant.id, app.parent_id).await?;
    let child =
        crate::children::store::child_of(db, tenant.id, app.parent_id, app.child_id).await?;
    let status = app.status;
    let child_id = app.child_id;
    let id = app.id;
    let mut tx = db.begin().await?;
    accounts::audit(
        &mut tx,
        tenant.id,
        &crate::accounts::store::Audit {
            actor: Some(viewer.user.id),
            action: "child_data_view",
            subject: &format!("child:{child_id}"),
            detail: &format!("application {id}"),
            ip: viewer.ip(),
            organization: None,
            at: clock.now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ProviderCard {
        application: parent_view(db, tenant, app).await?,
        child_birth_date: child
            .map(|c| crate::time::day_shown(&c.birth_date))
            .unwrap_or_default(),
        parent: parent.as_ref().map(|p| p.full_name()).unwrap_or_default(),
        parent_phone: parent
            .as_ref()
            .and_then(|p| p.phone.as_deref())
            .and_then(|p| crate::domain::Phone::parse(p).ok())
            .map_or_else(String::new, |p| p.display()),
        parent_email: parent.map(|p| p.email).unwrap_or_default(),
        can_confirm: status == Status::New,
        can_reject: matches!(status, Status::New | Status::Waitlisted),
        can_enroll: status == Status::Confirmed,
    })
}
