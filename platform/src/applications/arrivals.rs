//! How an organization hears of new applications: each staff member chooses in the profile
//! a mail per application, one digest an hour, or none. The mail per application is queued
//! with the application; a digest is held in `application_digest_items` and sent by a job
//! an hour after its oldest application.

use chrono::Duration;

use crate::accounts::store as accounts;
use crate::accounts::values::ApplicationMail;
use crate::db::{DbError, Tx};
use crate::domain::plural;
use crate::mail::Sender;
use crate::regions::{Registry, Tenant};
use crate::time::shown_in;

use super::arrivals_store::{self as store, Arrival, DueDigest};
use super::service::{Applications, Result};
use super::store::Status;

/// How long a digest collects applications.
pub const DIGEST_EVERY: Duration = Duration::hours(1);
/// Digests sent per round of the job; the rest wait for the next round.
const DIGESTS_PER_ROUND: i64 = 200;

/// An application just filed, as the organization is told of it.
pub(super) struct Filed<'a> {
    pub id: i64,
    pub organization_id: i64,
    pub status: Status,
    pub program: &'a str,
    pub group: &'a str,
    pub child: String,
    /// The staff member who filed it at the desk: they know of it already.
    pub recorded_by: Option<i64>,
}

impl Applications {
    /// Tells the organization's staff of `filed`, each as they chose: a mail now or a line in
    /// the next digest. In the filing transaction, so a rolled back application tells no one.
    pub(super) async fn announce(
        &self,
        tx: &mut Tx,
        tenant: &Tenant,
        sender: &Sender,
        filed: &Filed<'_>,
    ) -> Result<()> {
        let now = self.clock.now();
        for staff in accounts::confirmed_staff(tx, tenant.id, filed.organization_id).await? {
            if Some(staff.user_id) == filed.recorded_by {
                continue;
            }
            match staff.application_mail {
                ApplicationMail::Each => {
                    let ctx = minijinja::context! {
                        name => &staff.first_name,
                        number => filed.id,
                        status => filed.status.label(),
                        program => filed.program,
                        group => filed.group,
                        child => &filed.child,
                        provider_url => format!("{}/provider/applications/{}", sender.base_url, filed.id),
                    };
                    self.outbox
                        .enqueue(tx, sender, "application_new", &staff.email, ctx)
                        .await?;
                }
                ApplicationMail::Hourly => {
                    store::hold_for_digest(
                        tx,
                        tenant.id,
                        staff.user_id,
                        filed.id,
                        &sender.base_url,
                        now,
                    )
                    .await?;
                }
                ApplicationMail::Off => {}
            }
        }
        Ok(())
    }

    /// Queues the digests that are due, in every region; returns how many. A region's
    /// failure is logged and the others still get their turn.
    #[tracing::instrument(skip_all)]
    pub async fn send_digests(&self, registry: &Registry) -> std::result::Result<usize, DbError> {
        let now = self.clock.now();
        let due = store::due(&self.db, now - DIGEST_EVERY, DIGESTS_PER_ROUND).await?;
        let tenants = registry.tenants();
        let mut sent = 0;
        for digest in due {
            let Some(tenant) = tenants.iter().find(|t| t.id == digest.tenant) else {
                continue; // a region being set up or removed: its digests wait
            };
            match self.send_digest(tenant, &digest).await {
                Ok(true) => sent += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(
                    tenant = %tenant.id, user = digest.user_id, error = %e,
                    "could not send an application digest"
                ),
            }
        }
        Ok(sent)
    }

    /// One staff member's digest: the applications waiting for it, taken off in the
    /// transaction that queues the mail (those no longer the staff member's to hear of are
    /// taken off all the same). Whether a mail was queued.
    async fn send_digest(&self, tenant: &Tenant, digest: &DueDigest) -> Result<bool> {
        let mut tx = self.db.begin().await?;
        let waiting = store::waiting(&mut tx, tenant.id, digest.user_id).await?;
        let ids: Vec<i64> = waiting.iter().map(|(id, _)| *id).collect();
        if !store::take(&mut tx, tenant.id, digest.user_id, &ids).await? {
            return Ok(false); // another process is sending it
        }
        let staff = accounts::user_by_id_in(&mut tx, tenant.id, digest.user_id).await?;
        // Only what is still the staff member's to hear: not an old organization's, nor
        // anything once they left or turned the mail off.
        let org = staff
            .as_ref()
            .filter(|u| u.email_confirmed && digest.choice != ApplicationMail::Off)
            .and_then(|u| u.staff_org());
        let listed: Vec<&Arrival> = waiting
            .iter()
            .filter_map(|(_, a)| a.as_ref())
            .filter(|a| Some(a.organization_id) == org)
            .collect();
        let queued = staff.is_some() && !listed.is_empty();
        if let (Some(staff), true) = (staff.as_ref(), queued) {
            let sender = tenant.sender(&digest.base_url);
            let zone = tenant.config.time_zone;
            let applications: Vec<minijinja::Value> = listed
                .iter()
                .map(|a| {
                    minijinja::context! {
                        number => a.id,
                        status => Status::parse(&a.status).map_or_else(|| a.status.clone(), |s| s.label().to_owned()),
                        program => &a.program,
                        group => &a.group,
                        child => &a.child,
                        at => shown_in(&a.created_at, zone),
                        url => format!("{}/provider/applications/{}", sender.base_url, a.id),
                    }
                })
                .collect();
            let count = listed.len();
            let ctx = minijinja::context! {
                name => &staff.first_name,
                count,
                arrived => format!(
                    "{} {count} {} {}",
                    plural(count as u64, "поступила", "поступили", "поступило"),
                    plural(count as u64, "новая", "новые", "новых"),
                    plural(count as u64, "заявка", "заявки", "заявок")
                ),
                applications,
                list_url => format!("{}/provider/applications", sender.base_url),
            };
            self.outbox
                .enqueue(&mut tx, &sender, "application_digest", &staff.email, ctx)
                .await?;
        }
        tx.commit().await.map_err(DbError::from)?;
        Ok(queued)
    }
}
