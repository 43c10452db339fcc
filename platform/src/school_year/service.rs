//! «Новый учебный год»: staff pick programs of their organization, and each is copied with
//! its groups into the next school year, as a new draft ready to edit and send to
//! moderation. One transaction for all of them: a program that is not the organization's,
//! already copied for that year, or a group the group rules refuse stops the whole copy,
//! and nothing is changed.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;

use crate::accounts::sessions::Viewer;
use crate::accounts::store::{audit, Audit};
use crate::catalog::store::{begin_write, bump_version, reprice_program};
use crate::db::{Db, DbError, Tx};
use crate::groups::service::{insert_group_in, naming};
use crate::groups::store::{self as groups, GroupRow, GroupStatus};
use crate::groups::GroupForm;
use crate::programs::service::create_in;
use crate::programs::store::{self as programs, Authored};
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::time::Clock;

use super::store;
use super::year::{year_on, StudyYear};

/// The most programs one copy takes: a Дворец творчества's whole list.
pub const MAX_PROGRAMS: usize = 500;

/// The rules of «Новый учебный год», with what they use.
#[derive(Clone)]
pub struct NewYear {
    db: Db,
    clock: Clock,
}

/// A program of the organization as the page offers it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub program: Authored,
    /// Its groups a copy takes (those not archived).
    pub groups: i64,
    /// The school year a copy made now is for.
    pub year: StudyYear,
    /// The copy already made for that year.
    pub copy: Option<i64>,
}

/// One program copied.
#[derive(Debug, Clone)]
pub struct Copied {
    pub program_id: i64,
    pub copy_id: i64,
    pub year: StudyYear,
    pub groups: usize,
}

impl NewYear {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self { db, clock }
    }

    fn own(viewer: &Viewer) -> Result<i64, ServiceError> {
        viewer.user.staff_org().ok_or(ServiceError::Forbidden)
    }

    /// The organization's programs, each with what copying it now would make.
    #[tracing::instrument(skip(self, tenant, viewer))]
    pub async fn candidates(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
    ) -> Result<Vec<Candidate>, ServiceError> {
        let org = Self::own(viewer)?;
        let today = tenant.today(&self.clock);
        let live: HashMap<i64, (i64, NaiveDate)> = store::live_groups(&self.db, tenant.id, org)
            .await?
            .into_iter()
            .map(|(p, n, first)| (p, (n, first)))
            .collect();
        let copies = store::copies(&self.db, tenant.id, org).await?;
        Ok(programs::of_organization(&self.db, tenant.id, org)
            .await?
            .into_iter()
            .map(|program| {
                let (groups, first) = live.get(&program.id).copied().unzip();
                let year = StudyYear::for_copy(first.and_then(year_on), today);
                let copy = copies
                    .iter()
                    .find(|(of, y, _)| *of == program.id && *y == year)
                    .map(|c| c.2);
                Candidate {
                    program,
                    groups: groups.unwrap_or(0),
                    year,
                    copy,
                }
            })
            .collect())
    }

    /// Copies the organization's programs `ids` (each once, in the order given) with
    /// their groups into the next school year, in one transaction; what was made.
    #[tracing::instrument(skip(self, tenant, viewer))]
    pub async fn copy(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        ids: &[i64],
    ) -> Result<Vec<Copied>, ServiceError> {
        let org = Self::own(viewer)?;
        let mut seen = BTreeSet::new();
        let ids: Vec<i64> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
        if ids.is_empty() {
            return Err(ServiceError::field(
                "program_ids",
                "отметьте хотя бы одну программу",
            ));
        }
        if ids.len() > MAX_PROGRAMS {
            return Err(ServiceError::field(
                "program_ids",
                format!("за один раз можно скопировать не больше {MAX_PROGRAMS} программ"),
            ));
        }
        let today = tenant.today(&self.clock);
        let mut tx = begin_write(&self.db, tenant.id).await?;
        let mut done = Vec::with_capacity(ids.len());
        for id in ids {
            let p = programs::get_in(&mut tx, tenant.id, id)
                .await?
                .filter(|p| p.organization_id == org)
                .ok_or(ServiceError::NotFound)?;
            done.push(
                self.copy_one(&mut tx, tenant, viewer, org, &p, today)
                    .await?,
            );
        }
        let groups: usize = done.iter().map(|c| c.groups).sum();
        let years: BTreeSet<String> = done.iter().map(|c| c.year.label()).collect();
        let years: Vec<String> = years.into_iter().collect();
        bump_version(&mut tx, tenant.id).await?;
        audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action: "school_year.copy",
                subject: &crate::organizations::subject(org),
                detail: &format!(
                    "на {} учебный год: программ — {}, групп — {groups}",
                    years.join(", "),
                    done.len()
                ),
                ip: viewer.ip(),
                organization: Some(org),
                at: self.clock.now(),
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(done)
    }

    /// Copies `p` (as read in `tx`) and its groups that are not archived.
    async fn copy_one(
        &self,
        tx: &mut Tx,
        tenant: &Tenant,
        viewer: &Viewer,
        org: i64,
        p: &Authored,
        today: NaiveDate,
    ) -> Result<Copied, ServiceError> {
        let now = self.clock.now();
        let originals: Vec<GroupRow> = groups::groups_of_in(tx, tenant.id, org, p.id)
            .await?
            .into_iter()
            .filter(|g| g.status != GroupStatus::Archived)
            .collect();
        let mut shifted = Vec::with_capacity(originals.len());
        for g in &originals {
            shifted.push(a_year_on(g)?);
        }
        let first = shifted.iter().map(|g| g.study_from).min();
        let year = StudyYear::for_copy(first, today);
        let title = &p.working_card().title;
        if let Some(copy) = store::copy_for(tx, tenant.id, p.id, year).await? {
            return Err(ServiceError::Refused(format!(
                "Программа «{title}» (№ {}) уже скопирована на {} учебный год: это программа \
                 № {copy}. Снимите с неё отметку; чтобы сделать ещё одну копию, откройте \
                 программу и нажмите «Копировать программу».",
                p.id,
                year.label()
            )));
        }
        let detail = format!("копия программы № {} на {} учебный год", p.id, year.label());
        let copy = create_in(tx, tenant, viewer, org, p.working_card(), &detail, now).await?;
        store::mark_copy(tx, tenant.id, copy, p.id, year).await?;
        let info = groups::program_in(tx, tenant.id, org, copy)
            .await?
            .ok_or(ServiceError::NotFound)?;
        for (old, new) in originals.iter().zip(&shifted) {
            let detail = format!("копия группы № {} на {} учебный год", old.id, year.label());
            insert_group_in(
                tx,
                tenant,
                viewer,
                org,
                &info,
                &GroupForm::from(new),
                &detail,
                now,
            )
            .await
            .map_err(|e| naming(&old.name, e))?;
        }
        if !shifted.is_empty() {
            reprice_program(tx, tenant.id, copy).await?;
        }
        Ok(Copied {
            program_id: p.id,
            copy_id: copy,
            year,
            groups: shifted.len(),
        })
    }
}

/// A group as it is copied: its study dates, enrollment window and the schedule rows'
/// dates a year on, no seats taken; teachers, place, prices and weekly times the same.
fn a_year_on(g: &GroupRow) -> Result<GroupRow, ServiceError> {
    let on = |d: NaiveDate| {
        year_on(d).ok_or_else(|| {
            ServiceError::Refused(format!(
                "Даты группы «{}» нельзя перенести на год вперёд.",
                g.name
            ))
        })
    };
    let mut sessions = g.sessions.clone();
    for s in &mut sessions {
        s.from = s.from.map(on).transpose()?;
        s.to = s.to.map(on).transpose()?;
    }
    Ok(GroupRow {
        study_from: on(g.study_from)?,
        study_to: on(g.study_to)?,
        enroll_from: on(g.enroll_from)?,
        enroll_to: on(g.enroll_to)?,
        seats_taken: 0,
        sessions,
        ..g.clone()
    })
}
