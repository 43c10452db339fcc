//! Creating and updating an organization's programs and groups by its own ids, with the
//! forms' rules, and its change list. Scoped to the staff member's organization and region:
//! another organization's external id is simply not found (each organization has its own
//! namespace of ids).

use serde::Serialize;

use crate::accounts::history;
use crate::accounts::sessions::Viewer;
use crate::catalog::store::{begin_write, bump_version, profiles, reprice_program};
use crate::db::{Db, DbError, Tx};
use crate::domain::FieldError;
use crate::groups::service::{add_group_in, save_group_in, GroupForm};
use crate::groups::store::{self as groups, GroupRow};
use crate::programs::card::{Card, CardForm};
use crate::programs::service::{changed_labels, create_in, save_in};
use crate::programs::store::{self as programs, Authored};
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::time::Clock;

use super::external::{ExternalId, Kind};
use super::store;

/// The catalog sync of organizations' own systems.
#[derive(Clone)]
pub struct CatalogSync {
    db: Db,
    clock: Clock,
}

/// What a `PUT` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    /// The body is what is there already: nothing written (the same call twice).
    Unchanged,
}

/// The answer to a `PUT`: done, or refused because `If-Match` names another version than
/// the current one (none: there is nothing under that id yet).
#[derive(Debug)]
pub enum Put<T> {
    Done { outcome: Outcome, value: T },
    Stale { current: Option<String> },
}

/// How a group names its program: by the organization's id or by ours.
#[derive(Debug, Clone)]
pub enum ProgramRef {
    External(String),
    Id(i64),
}

/// One entry of the change list.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// Pass the last one as `since` to read on.
    pub cursor: i64,
    pub at: String,
    /// program | group | teacher | organization.
    pub kind: String,
    pub id: i64,
    pub external_id: Option<String>,
    pub action: String,
    pub label: &'static str,
    pub detail: String,
    /// staff | moderator | operator | system.
    pub by: &'static str,
    pub by_name: Option<String>,
}

/// Whether an `If-Match` value names `current` (a strong comparison; `*` is anything that
/// exists, RFC 9110 § 13.1.1).
pub fn if_match(header: &str, current: Option<&str>) -> bool {
    let Some(current) = current else {
        return false;
    };
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_matches('"') == current)
}

fn invalid(e: FieldError) -> ServiceError {
    ServiceError::Invalid(vec![e])
}

impl CatalogSync {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self { db, clock }
    }

    fn own(viewer: &Viewer) -> Result<i64, ServiceError> {
        viewer.user.staff_org().ok_or(ServiceError::Forbidden)
    }

    async fn program_in(
        tx: &mut Tx,
        tenant: &Tenant,
        org: i64,
        id: &ExternalId,
    ) -> Result<Option<Authored>, DbError> {
        let Some(object) = store::find(tx, tenant.id, org, Kind::Program, id).await? else {
            return Ok(None);
        };
        Ok(programs::get_in(tx, tenant.id, object)
            .await?
            .filter(|p| p.organization_id == org))
    }

    async fn group_in(
        tx: &mut Tx,
        tenant: &Tenant,
        org: i64,
        id: &ExternalId,
    ) -> Result<Option<GroupRow>, DbError> {
        let Some(object) = store::find(tx, tenant.id, org, Kind::Group, id).await? else {
            return Ok(None);
        };
        groups::group_in(tx, tenant.id, org, object).await
    }

    /// The organization's program under its id.
    #[tracing::instrument(skip(self, tenant, viewer))]
    pub async fn program(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        external: &str,
    ) -> Result<Authored, ServiceError> {
        let org = Self::own(viewer)?;
        let id = ExternalId::parse(external).map_err(invalid)?;
        // Read from the pool: a read needs no transaction (on SQLite one would take the
        // writer's lock).
        let mut conn = self.db.pool().acquire().await.map_err(DbError::from)?;
        let object = store::find(&mut conn, tenant.id, org, Kind::Program, &id).await?;
        drop(conn);
        let Some(object) = object else {
            return Err(ServiceError::NotFound);
        };
        programs::get(&self.db, tenant.id, object)
            .await?
            .filter(|p| p.organization_id == org)
            .ok_or(ServiceError::NotFound)
    }

    /// The organization's group under its id.
    #[tracing::instrument(skip(self, tenant, viewer))]
    pub async fn group(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        external: &str,
    ) -> Result<GroupRow, ServiceError> {
        let org = Self::own(viewer)?;
        let id = ExternalId::parse(external).map_err(invalid)?;
        let mut conn = self.db.pool().acquire().await.map_err(DbError::from)?;
        let object = store::find(&mut conn, tenant.id, org, Kind::Group, &id).await?;
        drop(conn);
        let Some(object) = object else {
            return Err(ServiceError::NotFound);
        };
        groups::group(&self.db, tenant.id, org, object)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Creates the program under the organization's id (a draft), or saves its card as
    /// «Сохранить» does (a published program keeps its card and gets a revision); the same
    /// card again changes nothing.
    #[tracing::instrument(skip(self, tenant, viewer, form))]
    pub async fn put_program(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        external: &str,
        form: &CardForm,
        expected: Option<&str>,
    ) -> Result<Put<Authored>, ServiceError> {
        let org = Self::own(viewer)?;
        let id = ExternalId::parse(external).map_err(invalid)?;
        let profiles = profiles(&self.db, tenant.id).await?;
        let card = Card::parse(form, &profiles).map_err(ServiceError::Invalid)?;
        let now = self.clock.now();
        let mut tx = begin_write(&self.db, tenant.id).await?;
        let existing = Self::program_in(&mut tx, tenant, org, &id).await?;
        if let Some(expected) = expected {
            let current = existing.as_ref().map(Authored::version);
            if !if_match(expected, current.as_deref()) {
                return Ok(Put::Stale { current });
            }
        }
        let (outcome, object) = match existing {
            None => {
                let detail = format!(
                    "создан черновик через API (идентификатор «{}»)",
                    id.as_str()
                );
                let object = create_in(&mut tx, tenant, viewer, org, &card, &detail, now).await?;
                store::bind(&mut tx, tenant.id, org, Kind::Program, &id, object).await?;
                (Outcome::Created, object)
            }
            // Compared before the program's state is: the same card again is «unchanged»
            // even while the program waits for moderation.
            Some(p) if changed_labels(Some(p.working_card()), &card, &profiles).is_empty() => {
                (Outcome::Unchanged, p.id)
            }
            Some(p) => {
                save_in(&mut tx, tenant, viewer, &p, &card, &profiles, now).await?;
                (Outcome::Updated, p.id)
            }
        };
        let value = programs::get_in(&mut tx, tenant.id, object)
            .await?
            .ok_or(ServiceError::NotFound)?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(Put::Done { outcome, value })
    }

    /// Creates the group under the organization's id in its program, or saves it as the
    /// group form does; in effect at once (groups are not moderated). A group does not move
    /// to another program.
    #[tracing::instrument(skip(self, tenant, viewer, form))]
    pub async fn put_group(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        external: &str,
        program: &ProgramRef,
        form: &GroupForm,
        expected: Option<&str>,
    ) -> Result<Put<GroupRow>, ServiceError> {
        let org = Self::own(viewer)?;
        let id = ExternalId::parse(external).map_err(invalid)?;
        let now = self.clock.now();
        let mut tx = begin_write(&self.db, tenant.id).await?;
        let (field, program) = match program {
            ProgramRef::External(p) => {
                let p = ExternalId::parse(p)
                    .map_err(|e| invalid(FieldError::new("program_external_id", e.message)))?;
                let found = store::find(&mut tx, tenant.id, org, Kind::Program, &p).await?;
                ("program_external_id", found)
            }
            ProgramRef::Id(p) => ("program_id", Some(*p)),
        };
        let info = match program {
            Some(p) => groups::program_in(&mut tx, tenant.id, org, p).await?,
            None => None,
        };
        let Some(info) = info else {
            return Err(invalid(FieldError::new(
                field,
                "программа не найдена среди программ вашей организации",
            )));
        };
        let existing = Self::group_in(&mut tx, tenant, org, &id).await?;
        if let Some(expected) = expected {
            let current = existing.as_ref().map(GroupRow::version);
            if !if_match(expected, current.as_deref()) {
                return Ok(Put::Stale { current });
            }
        }
        let (outcome, object) = match existing {
            None => {
                let group = add_group_in(&mut tx, tenant, viewer, org, &info, form, now).await?;
                store::bind(&mut tx, tenant.id, org, Kind::Group, &id, group.id).await?;
                (Outcome::Created, group.id)
            }
            Some(old) if old.program_id != info.id => {
                return Err(invalid(FieldError::new(
                    field,
                    format!(
                        "группа относится к программе № {}: перенести группу в другую \
                         программу нельзя",
                        old.program_id
                    ),
                )));
            }
            Some(old) => {
                match save_group_in(&mut tx, tenant, viewer, org, &old, form, now).await? {
                    Some(_) => (Outcome::Updated, old.id),
                    None => (Outcome::Unchanged, old.id),
                }
            }
        };
        if outcome != Outcome::Unchanged {
            reprice_program(&mut tx, tenant.id, info.id).await?;
            bump_version(&mut tx, tenant.id).await?;
        }
        let value = groups::group_in(&mut tx, tenant.id, org, object)
            .await?
            .ok_or(ServiceError::NotFound)?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(Put::Done { outcome, value })
    }

    /// What was done to the organization's catalog after `since` (a cursor from an earlier
    /// answer; 0 for everything), oldest first, at most `limit`.
    #[tracing::instrument(skip(self, tenant, viewer))]
    pub async fn changes(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        since: i64,
        limit: i64,
    ) -> Result<Vec<Change>, ServiceError> {
        let org = Self::own(viewer)?;
        let rows = store::changes(&self.db, tenant.id, org, since, limit).await?;
        let ids = store::all_of(&self.db, tenant.id, org).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let (kind, id) = r.subject.split_once(':').unwrap_or((&r.subject, ""));
                let id: i64 = id.parse().unwrap_or_default();
                let external = match kind {
                    "program" => ids.get(&(Kind::Program, id)).cloned(),
                    "group" => ids.get(&(Kind::Group, id)).cloned(),
                    _ => None,
                };
                Change {
                    cursor: r.cursor,
                    kind: kind.to_owned(),
                    id,
                    external_id: external,
                    label: history::label(&r.action),
                    // The operator's command line writes no actor (its accounts are the
                    // platform's, not the region's); the other rows without one are the
                    // servers' own (a group closed when its study ended).
                    by: match (r.actor_role.as_deref(), r.action.as_str()) {
                        (Some("provider"), _) => "staff",
                        (Some("municipal" | "regional"), _) => "moderator",
                        (Some(_), _) | (None, "program.status") => "operator",
                        (None, _) => "system",
                    },
                    by_name: r.actor_name,
                    at: r.at,
                    action: r.action,
                    detail: r.detail,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::if_match;

    #[test]
    fn if_match_compares_strongly_and_star_needs_something_there() {
        assert!(if_match("\"abc\"", Some("abc")));
        assert!(if_match("\"x\", \"abc\"", Some("abc")));
        assert!(if_match("*", Some("abc")));
        assert!(!if_match("*", None));
        assert!(!if_match("\"abc\"", None));
        assert!(!if_match("\"abd\"", Some("abc")));
    }
}
