//! What the parent's cabinet shows about a child's certificate, and what staff see.

use std::collections::HashMap;

use serde::Serialize;

use crate::db::Db;
use crate::db::DbError;
use crate::domain::Money;
use crate::regions::Tenant;
use crate::time::Clock;

use super::service::{current_period, ineligibility};
use super::store::{self, Certificate, Movement, StaffView, Status};

#[derive(Debug, Serialize)]
pub struct CertificateCard {
    pub id: i64,
    pub number: String,
    /// The data was confirmed in person.
    pub confirmed: bool,
    /// Why the last in-person check failed.
    pub rejection: Option<String>,
    /// Money of the current period, once the nominal is credited.
    pub funding: Option<Funding>,
    /// Every movement of every period, oldest first.
    pub history: Vec<HistoryRow>,
}

#[derive(Debug, Serialize)]
pub struct Funding {
    pub period: i64,
    pub valid_from: String,
    pub valid_to: String,
    pub nominal: String,
    pub committed: String,
    pub spent: String,
    pub available: String,
}

#[derive(Debug, Serialize)]
pub struct HistoryRow {
    pub date: String,
    pub kind: &'static str,
    pub amount: String,
    pub reason: String,
}

fn money(kopecks: i64) -> String {
    Money::from_kopecks(kopecks).to_string()
}

pub async fn card(
    db: &Db,
    clock: &Clock,
    tenant: &Tenant,
    cert: Certificate,
) -> Result<CertificateCard, DbError> {
    let period = current_period(tenant.today(clock));
    let balance = store::balance(db, tenant.id, cert.id, period).await?;
    let history = store::ledger(db, tenant.id, cert.id)
        .await?
        .into_iter()
        .map(|r| HistoryRow {
            // The region's day, as ДД.ММ.ГГГГ.
            date: crate::time::shown_in(&r.created_at, tenant.config.time_zone)
                .get(..10)
                .unwrap_or_default()
                .to_owned(),
            kind: Movement::label(&r.kind),
            amount: money(r.amount),
            reason: r.reason,
        })
        .collect();
    let funding = balance.filter(|b| b.credited > 0).map(|b| Funding {
        period,
        valid_from: format!("01.01.{period}"),
        valid_to: format!("31.12.{period}"),
        nominal: money(b.credited),
        committed: money(b.committed),
        spent: money(b.spent),
        available: money(b.available()),
    });
    Ok(CertificateCard {
        id: cert.id,
        number: cert.number,
        confirmed: cert.status == Status::Confirmed,
        rejection: cert.rejection,
        funding,
        history,
    })
}

/// The certificate (or why there cannot be one) of each child of a parent.
#[derive(Debug, Serialize, Default)]
pub struct ChildCertificate {
    pub card: Option<CertificateCard>,
    /// Set when the child cannot get a certificate, instead of the button.
    pub ineligible: Option<String>,
}

pub async fn for_parent(
    db: &Db,
    clock: &Clock,
    tenant: &Tenant,
    parent: i64,
    children: &[(i64, String)],
) -> Result<HashMap<i64, ChildCertificate>, DbError> {
    let mut certs: HashMap<i64, Certificate> = store::of_parent(db, tenant.id, parent)
        .await?
        .into_iter()
        .map(|c| (c.child_id, c))
        .collect();
    let mut out = HashMap::new();
    for (child, birth_date) in children {
        let entry = match certs.remove(child) {
            Some(cert) => ChildCertificate {
                card: Some(card(db, clock, tenant, cert).await?),
                ineligible: None,
            },
            None => ChildCertificate {
                card: None,
                ineligible: ineligibility(tenant, birth_date, tenant.today(clock)),
            },
        };
        out.insert(*child, entry);
    }
    Ok(out)
}

/// A child's data as staff check it against documents.
#[derive(Debug, Serialize)]
pub struct StaffCard {
    pub id: i64,
    pub number: String,
    pub confirmed: bool,
    pub rejection: Option<String>,
    pub child: String,
    pub birth_date: String,
    pub sex: &'static str,
    pub snils: String,
    pub parent: String,
    pub parent_phone: String,
    pub parent_email: String,
}

impl From<StaffView> for StaffCard {
    fn from(v: StaffView) -> Self {
        use crate::accounts::values::{Sex, Snils};
        let child = [
            Some(v.child_last_name.as_str()),
            Some(v.child_first_name.as_str()),
            v.child_middle_name.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        Self {
            id: v.certificate.id,
            number: v.certificate.number,
            confirmed: v.certificate.status == Status::Confirmed,
            rejection: v.certificate.rejection,
            child,
            birth_date: crate::time::day_shown(&v.birth_date),
            sex: Sex::parse(&v.sex).map_or("", Sex::label),
            snils: v
                .snils
                .and_then(|s| Snils::parse(&s).ok())
                .map_or_else(|| "не указан".to_owned(), |s| s.display()),
            parent: v.parent_name,
            parent_phone: v
                .parent_phone
                .and_then(|p| crate::domain::Phone::parse(&p).ok())
                .map_or_else(String::new, |p| p.display()),
            parent_email: v.parent_email,
        }
    }
}
