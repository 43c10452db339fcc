//! Actions on many of the organization's groups at once — «Открыть набор», «Закрыть
//! набор», «Задать сроки записи» — for an organization with hundreds of groups at the start
//! of a school year. Each group goes through the rule its own page uses (`set_status_in`,
//! `save_group_in`), all in one transaction: a group the rules refuse is named, and then
//! nothing changes.

use std::collections::BTreeSet;

use crate::accounts::sessions::Viewer;
use crate::catalog::store::{begin_write, bump_version, reprice_program};
use crate::db::DbError;
use crate::regions::Tenant;
use crate::service_error::ServiceError;

use super::service::{naming, save_group_in, set_status_in, GroupForm, Groups};
use super::store::{self, GroupStatus};

/// The most groups one action takes: a large organization's whole list.
pub const MAX_GROUPS: usize = 1000;

/// What is done to every group picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    /// «Открыть набор».
    Open,
    /// «Закрыть набор».
    Close,
    /// «Задать сроки записи»: the enrollment window, as typed (`ГГГГ-ММ-ДД` or
    /// `ДД.ММ.ГГГГ`), checked by the group form's rules.
    Window { from: String, to: String },
}

impl BulkAction {
    /// The action a button's name (`open`, `close`, `window`) stands for.
    pub fn parse(code: &str, from: &str, to: &str) -> Option<Self> {
        Some(match code {
            "open" => Self::Open,
            "close" => Self::Close,
            "window" => Self::Window {
                from: from.to_owned(),
                to: to.to_owned(),
            },
            _ => return None,
        })
    }

    /// What staff are told once it is done.
    pub fn done(&self, changed: usize) -> String {
        let what = match self {
            Self::Open => "Набор открыт",
            Self::Close => "Набор закрыт",
            Self::Window { .. } => "Сроки записи заданы",
        };
        format!("{what}: изменено групп — {changed}.")
    }
}

impl Groups {
    /// Does `action` to each of the organization's groups `ids` (each once, in the order
    /// given) in one transaction; how many changed (a group already so is left as it is,
    /// without a history row). Another organization's group is not found, a group the
    /// rules refuse is named; either way nothing is changed.
    #[tracing::instrument(skip(self, tenant, viewer))]
    pub async fn bulk(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        ids: &[i64],
        action: &BulkAction,
    ) -> Result<usize, ServiceError> {
        let org = Self::own(viewer)?;
        let mut seen = BTreeSet::new();
        let ids: Vec<i64> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
        if ids.is_empty() {
            return Err(ServiceError::field(
                "group_ids",
                "отметьте хотя бы одну группу",
            ));
        }
        if ids.len() > MAX_GROUPS {
            return Err(ServiceError::field(
                "group_ids",
                format!("за один раз можно изменить не больше {MAX_GROUPS} групп"),
            ));
        }
        let today = tenant.today(&self.clock);
        let now = self.clock.now();
        let mut tx = begin_write(&self.db, tenant.id).await?;
        let mut programs = BTreeSet::new();
        let mut changed_groups = 0;
        for id in ids {
            let group = store::group_in(&mut tx, tenant.id, org, id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let changed = match action {
                BulkAction::Open | BulkAction::Close => {
                    let status = if *action == BulkAction::Open {
                        GroupStatus::Open
                    } else {
                        GroupStatus::Closed
                    };
                    set_status_in(&mut tx, tenant, viewer, &group, status, today, now).await
                }
                BulkAction::Window { from, to } => {
                    let form = GroupForm {
                        enroll_from: from.clone(),
                        enroll_to: to.clone(),
                        ..GroupForm::from(&group)
                    };
                    save_group_in(&mut tx, tenant, viewer, org, &group, &form, now)
                        .await
                        .map(|saved| saved.is_some())
                }
            }
            .map_err(|e| naming(&group.name, e))?;
            if changed {
                changed_groups += 1;
                programs.insert(group.program_id);
            }
        }
        if programs.is_empty() {
            return Ok(0);
        }
        for program in &programs {
            reprice_program(&mut tx, tenant.id, *program).await?;
        }
        bump_version(&mut tx, tenant.id).await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(changed_groups)
    }
}
