//! A group's enrollment closes when its study ends. The rule holds without any task:
//! `catalog::store::Group::enrollment_open` refuses applications past the study's end, and
//! `set_status_in` will not open such a group again. This closes them in the tables too, so
//! that the cabinet, search, the catalog's «идёт набор» and `sitegen` say so: every server
//! process runs it periodically (`app::Application::run`), and two processes doing it at
//! once are serialized by the catalog's write lock, the second finding nothing left to do.

use crate::accounts::store::{audit, Audit};
use crate::catalog::store::{begin_write, bump_version};
use crate::db::DbError;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::time::day;

use super::service::Groups;
use super::store::{self, GroupStatus};

impl Groups {
    /// Closes enrollment in the region's open groups whose study ended before today (in
    /// the region's zone), with a row in each group's history by «система»; how many.
    #[tracing::instrument(skip(self, tenant), fields(tenant = %tenant.id))]
    pub async fn close_finished(&self, tenant: &Tenant) -> Result<usize, ServiceError> {
        let today = tenant.today(&self.clock);
        if store::open_finished(&self.db, tenant.id, today)
            .await?
            .is_empty()
        {
            return Ok(0);
        }
        let now = self.clock.now();
        let mut tx = begin_write(&self.db, tenant.id).await?;
        // Read again under the lock: another process may have closed them meanwhile.
        let groups = store::open_finished_in(&mut tx, tenant.id, today).await?;
        for (id, org, ended) in &groups {
            store::set_status(&mut tx, tenant.id, *id, GroupStatus::Closed).await?;
            let detail = format!(
                "статус: {} → {}: обучение закончилось {}",
                GroupStatus::Open.label(),
                GroupStatus::Closed.label(),
                day(*ended)
            );
            audit(
                &mut tx,
                tenant.id,
                &Audit {
                    actor: None,
                    action: "group.status",
                    subject: &super::subject(*id),
                    detail: &detail,
                    ip: None,
                    organization: Some(*org),
                    at: now,
                },
            )
            .await?;
        }
        if !groups.is_empty() {
            bump_version(&mut tx, tenant.id).await?;
        }
        tx.commit().await.map_err(DbError::from)?;
        Ok(groups.len())
    }
}
