//! What an organization's staff may do with the groups of its programs and its list of
//! teachers. Group changes are operational: no moderation, in effect at once (seats and
//! schedules change during enrollment). Every write is one transaction that marks the rows
//! whose public content changed (`changed_in = NULL`), bumps the region's catalog version
//! and writes an audit row naming the changed fields — the history the organization and
//! the moderators see.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use crate::accounts::sessions::Viewer;
use crate::accounts::store::{audit, Audit};
use crate::applications::store::Status;
use crate::catalog::model::{Financing, Session};
use crate::catalog::store::{bump_version, reprice_program};
use crate::db::{Db, DbError, Tx};
use crate::domain::{FieldError, Money};
use crate::regions::Tenant;
use crate::service_error::{FieldCheck, ServiceError};
use crate::tenant_id::TenantId;
use crate::time::Clock;

use super::store::{self, GroupRow, GroupStatus, ProgramInfo, Teacher};

/// The group rules, with what they use.
#[derive(Clone)]
pub struct Groups {
    pub(super) db: Db,
    pub(super) clock: Clock,
}

/// A group as typed (the page's form, or the API's request turned into text).
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct GroupForm {
    pub name: String,
    pub age_min: String,
    pub age_max: String,
    pub capacity: String,
    pub study_from: String,
    pub study_to: String,
    pub enroll_from: String,
    pub enroll_to: String,
    pub place_id: String,
    pub teacher_ids: Vec<String>,
    /// Roubles a month, `1500` or `1500,50`.
    pub price_certificate: String,
    pub price_paid: String,
    pub sessions: Vec<SessionForm>,
}

/// One schedule row as typed; a row left entirely empty is no row.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct SessionForm {
    pub weekday: String,
    pub starts: String,
    pub ends: String,
    pub date_from: String,
    pub date_to: String,
}

impl SessionForm {
    fn is_empty(&self) -> bool {
        // A weekday alone is a row begun: it gets the message that its times are missing.
        [
            &self.weekday,
            &self.starts,
            &self.ends,
            &self.date_from,
            &self.date_to,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

fn rub(m: Option<Money>) -> String {
    m.map(|m| {
        let k = m.kopecks();
        if k % 100 == 0 {
            (k / 100).to_string()
        } else {
            format!("{},{:02}", k / 100, k % 100)
        }
    })
    .unwrap_or_default()
}

impl From<&GroupRow> for GroupForm {
    fn from(g: &GroupRow) -> Self {
        Self {
            name: g.name.clone(),
            age_min: g.age_min.to_string(),
            age_max: g.age_max.to_string(),
            capacity: g.capacity.to_string(),
            study_from: g.study_from.to_string(),
            study_to: g.study_to.to_string(),
            enroll_from: g.enroll_from.to_string(),
            enroll_to: g.enroll_to.to_string(),
            place_id: g.place_id.to_string(),
            teacher_ids: g.teacher_ids.iter().map(i64::to_string).collect(),
            price_certificate: rub(g.price_certificate),
            price_paid: rub(g.price_paid),
            sessions: g
                .sessions
                .iter()
                .map(|s| SessionForm {
                    weekday: s.weekday.to_string(),
                    starts: s.start.format("%H:%M").to_string(),
                    ends: s.end.format("%H:%M").to_string(),
                    date_from: s.from.map(|d| d.to_string()).unwrap_or_default(),
                    date_to: s.to.map(|d| d.to_string()).unwrap_or_default(),
                })
                .collect(),
        }
    }
}

/// A teacher as typed.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct TeacherForm {
    pub name: String,
    pub position: String,
}

/// What a status change did: done, or it waits for the staff to confirm archiving a group
/// with enrolled children (how many).
#[derive(Debug, Clone, PartialEq)]
pub enum StatusChange {
    Done,
    Confirm { enrolled: i64 },
}

/// A group with what its page needs: the program it belongs to.
pub struct GroupWithProgram {
    pub group: GroupRow,
    pub program: ProgramInfo,
}

impl Groups {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self { db, clock }
    }

    /// The organization the viewer works for: only its staff touch its groups.
    pub(super) fn own(viewer: &Viewer) -> Result<i64, ServiceError> {
        viewer.user.staff_org().ok_or(ServiceError::Forbidden)
    }

    /// The organization's programs, each with how many groups it has.
    pub async fn programs(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
    ) -> Result<Vec<(ProgramInfo, i64)>, ServiceError> {
        let org = Self::own(viewer)?;
        let counts = store::group_counts(&self.db, tenant.id, org).await?;
        Ok(store::programs(&self.db, tenant.id, org)
            .await?
            .into_iter()
            .map(|p| {
                let n = counts.iter().find(|(id, _)| *id == p.id).map_or(0, |c| c.1);
                (p, n)
            })
            .collect())
    }

    /// A program of the viewer's organization and its groups.
    pub async fn program_groups(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        program: i64,
    ) -> Result<(ProgramInfo, Vec<GroupRow>), ServiceError> {
        let org = Self::own(viewer)?;
        let info = store::program(&self.db, tenant.id, org, program)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let groups = store::groups_of(&self.db, tenant.id, org, program).await?;
        Ok((info, groups))
    }

    /// A program of the viewer's organization.
    pub async fn program(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        program: i64,
    ) -> Result<ProgramInfo, ServiceError> {
        let org = Self::own(viewer)?;
        store::program(&self.db, tenant.id, org, program)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// A group of the viewer's organization with its program.
    pub async fn group(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
    ) -> Result<GroupWithProgram, ServiceError> {
        let org = Self::own(viewer)?;
        let group = store::group(&self.db, tenant.id, org, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let program = store::program(&self.db, tenant.id, org, group.program_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(GroupWithProgram { group, program })
    }

    /// The history (audit rows) of a group its organization has read (`group`).
    pub async fn history(
        &self,
        tenant: &Tenant,
        group: &GroupRow,
    ) -> Result<Vec<crate::accounts::history::Entry>, ServiceError> {
        let subject = super::subject(group.id);
        Ok(crate::accounts::history::of_subject(&self.db, tenant.id, &subject).await?)
    }

    /// Adds a group to a program of the organization; the new group.
    pub async fn add_group(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        program: i64,
        form: &GroupForm,
    ) -> Result<GroupRow, ServiceError> {
        let org = Self::own(viewer)?;
        let info = store::program(&self.db, tenant.id, org, program)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let now = self.clock.now();
        let group = add_group_in(&mut tx, tenant, viewer, org, &info, form, now).await?;
        reprice_program(&mut tx, tenant.id, program).await?;
        bump_version(&mut tx, tenant.id).await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(group)
    }

    /// Saves a group of the organization; in effect at once.
    pub async fn save_group(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
        form: &GroupForm,
    ) -> Result<GroupRow, ServiceError> {
        let org = Self::own(viewer)?;
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let old = store::group_in(&mut tx, tenant.id, org, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let now = self.clock.now();
        let Some(new) = save_group_in(&mut tx, tenant, viewer, org, &old, form, now).await? else {
            return Ok(old);
        };
        reprice_program(&mut tx, tenant.id, new.program_id).await?;
        bump_version(&mut tx, tenant.id).await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(new)
    }

    /// Opens or closes enrollment, or archives the group (or brings it back). Archiving a
    /// group with enrolled children waits for `confirmed`.
    pub async fn set_status(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
        status: GroupStatus,
        confirmed: bool,
    ) -> Result<StatusChange, ServiceError> {
        let org = Self::own(viewer)?;
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let group = store::group_in(&mut tx, tenant.id, org, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if group.status == status {
            return Ok(StatusChange::Done);
        }
        if status == GroupStatus::Archived && !confirmed {
            let enrolled = count(
                &store::applications_by_status(&mut tx, tenant.id, id).await?,
                &[Status::Enrolled],
            );
            if enrolled > 0 {
                return Ok(StatusChange::Confirm { enrolled });
            }
        }
        let today = tenant.today(&self.clock);
        set_status_in(
            &mut tx,
            tenant,
            viewer,
            &group,
            status,
            today,
            self.clock.now(),
        )
        .await?;
        reprice_program(&mut tx, tenant.id, group.program_id).await?;
        bump_version(&mut tx, tenant.id).await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(StatusChange::Done)
    }

    /// Deletes a group nobody applied to. One with live applications or enrolled children
    /// (or any past application: its history stays) can be closed or archived instead.
    pub async fn delete_group(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
    ) -> Result<i64, ServiceError> {
        let org = Self::own(viewer)?;
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let group = store::group_in(&mut tx, tenant.id, org, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let by_status = store::applications_by_status(&mut tx, tenant.id, id).await?;
        let live = count(
            &by_status,
            &[Status::New, Status::Confirmed, Status::Waitlisted],
        );
        let enrolled = count(&by_status, &[Status::Enrolled]);
        if live > 0 || enrolled > 0 {
            return Err(ServiceError::Refused(format!(
                "Группу «{}» нельзя удалить: заявок на рассмотрении — {live}, зачисленных \
                 детей — {enrolled}. Закройте набор или перенесите группу в архив.",
                group.name
            )));
        }
        if by_status.iter().any(|(_, n)| *n > 0) {
            return Err(ServiceError::Refused(format!(
                "Группу «{}» нельзя удалить: по ней есть история заявок. Перенесите группу \
                 в архив.",
                group.name
            )));
        }
        store::delete_group(&mut tx, tenant.id, id, group.program_id).await?;
        reprice_program(&mut tx, tenant.id, group.program_id).await?;
        bump_version(&mut tx, tenant.id).await?;
        record(
            &mut tx,
            tenant,
            viewer,
            "group.delete",
            id,
            &group.name,
            self.clock.now(),
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(group.program_id)
    }

    /// The organization's teachers.
    pub async fn teachers(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
    ) -> Result<Vec<Teacher>, ServiceError> {
        let org = Self::own(viewer)?;
        Ok(store::teachers(&self.db, tenant.id, org).await?)
    }

    /// Adds a teacher (`id` is `None`) or renames one of the organization's; a rename is
    /// on every group of theirs at once.
    pub async fn save_teacher(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: Option<i64>,
        form: &TeacherForm,
    ) -> Result<Teacher, ServiceError> {
        let org = Self::own(viewer)?;
        let mut check = FieldCheck::default();
        let name = check.field("name", text(&form.name, "ФИО педагога", 200, true));
        let position = check.field("position", text(&form.position, "должность", 200, false));
        check.done()?;
        let (Some(name), Some(position)) = (name, position) else {
            unreachable!("every field parsed when there are no errors")
        };
        let now = self.clock.now();
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let (id, action, detail) = match id {
            None => {
                let id =
                    store::insert_teacher(&mut tx, tenant.id, org, &name, &position, now).await?;
                (id, "teacher.add", name.clone())
            }
            Some(id) => {
                let old = store::teacher_in(&mut tx, tenant.id, org, id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let mut changed = Vec::new();
                if old.name != name {
                    changed.push("ФИО");
                }
                if old.position != position {
                    changed.push("должность");
                }
                if changed.is_empty() {
                    return Ok(old);
                }
                store::update_teacher(&mut tx, tenant.id, id, &name, &position, now).await?;
                (id, "teacher.edit", changed.join(", "))
            }
        };
        bump_version(&mut tx, tenant.id).await?;
        audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action,
                subject: &format!("teacher:{id}"),
                detail: &detail,
                ip: viewer.ip(),
                organization: Some(org),
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(Teacher { id, name, position })
    }

    /// Removes a teacher no group has; one who has groups is refused with their names.
    pub async fn remove_teacher(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
    ) -> Result<(), ServiceError> {
        let org = Self::own(viewer)?;
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let teacher = store::teacher_in(&mut tx, tenant.id, org, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let groups = store::groups_of_teacher(&mut tx, tenant.id, id).await?;
        if !groups.is_empty() {
            let names: Vec<String> = groups.iter().map(|g| format!("«{g}»")).collect();
            return Err(ServiceError::Refused(format!(
                "Педагога «{}» нельзя удалить: он ведёт группы {}. Сначала назначьте этим \
                 группам другого педагога.",
                teacher.name,
                names.join(", ")
            )));
        }
        store::delete_teacher(&mut tx, tenant.id, id).await?;
        bump_version(&mut tx, tenant.id).await?;
        audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action: "teacher.remove",
                subject: &format!("teacher:{id}"),
                detail: &teacher.name,
                ip: viewer.ip(),
                organization: Some(org),
                at: self.clock.now(),
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(())
    }
}

/// Adds a group to the organization's program `info` in `tx`, with its history row; the
/// caller reprices the program and bumps the catalog version (once for many groups: the
/// spreadsheet import).
pub async fn add_group_in(
    tx: &mut Tx,
    tenant: &Tenant,
    by: &Viewer,
    org: i64,
    info: &ProgramInfo,
    form: &GroupForm,
    now: DateTime<Utc>,
) -> Result<GroupRow, ServiceError> {
    let detail = form.name.trim();
    insert_group_in(tx, tenant, by, org, info, form, detail, now).await
}

/// [`add_group_in`] with the history row saying `detail`: a group copied into the next
/// school year says which group it copies.
#[allow(clippy::too_many_arguments)]
pub async fn insert_group_in(
    tx: &mut Tx,
    tenant: &Tenant,
    by: &Viewer,
    org: i64,
    info: &ProgramInfo,
    form: &GroupForm,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<GroupRow, ServiceError> {
    let mut group = parse_group(tx, tenant.id, org, info, form, 0).await?;
    group.program_id = info.id;
    group.status = GroupStatus::Open;
    group.id = store::insert_group(tx, tenant.id, &group).await?;
    record(tx, tenant, by, "group.add", group.id, detail, now).await?;
    Ok(group)
}

/// Sets the status of the organization's group `group` (as read in `tx`), with its history
/// row: «Открыть набор», «Закрыть набор», «Архивировать», for one group or many. `false`:
/// it had that status already. A group whose study ended on a day before `today` is not
/// opened again: nobody could study in it any more (see `close_finished`). The caller
/// reprices the program and bumps the catalog version.
pub(super) async fn set_status_in(
    tx: &mut Tx,
    tenant: &Tenant,
    by: &Viewer,
    group: &GroupRow,
    status: GroupStatus,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    if group.status == status {
        return Ok(false);
    }
    if status == GroupStatus::Open && group.study_to < today {
        return Err(ServiceError::Refused(format!(
            "Группу «{}» нельзя открыть для записи: обучение в ней закончилось {}. Измените \
             даты обучения или скопируйте программу на новый учебный год.",
            group.name,
            crate::time::day(group.study_to)
        )));
    }
    store::set_status(tx, tenant.id, group.id, status).await?;
    let detail = format!("статус: {} → {}", group.status.label(), status.label());
    record(tx, tenant, by, "group.status", group.id, &detail, now).await?;
    Ok(true)
}

/// A refusal of the rules for one of many groups, naming the group: every field message
/// begins with it, so a bulk action or a copy says which group to fix.
pub fn naming(group: &str, e: ServiceError) -> ServiceError {
    match e {
        ServiceError::Invalid(errors) => ServiceError::Invalid(
            errors
                .into_iter()
                .map(|f| FieldError::new(f.field, format!("Группа «{group}»: {}", f.message)))
                .collect(),
        ),
        other => other,
    }
}

/// Saves the organization's group `old` (as read in `tx`) from `form`: the group as saved,
/// or `None` when nothing changed. The caller reprices and bumps, as for [`add_group_in`].
pub async fn save_group_in(
    tx: &mut Tx,
    tenant: &Tenant,
    by: &Viewer,
    org: i64,
    old: &GroupRow,
    form: &GroupForm,
    now: DateTime<Utc>,
) -> Result<Option<GroupRow>, ServiceError> {
    let info = program_in(tx, tenant.id, org, old.program_id).await?;
    let mut new = parse_group(tx, tenant.id, org, &info, form, old.seats_taken).await?;
    new.id = old.id;
    new.program_id = old.program_id;
    new.status = old.status;
    new.seats_taken = old.seats_taken;
    let changed = changed_fields(old, &new);
    if changed.is_empty() {
        return Ok(None);
    }
    if !store::update_group(tx, tenant.id, &new).await? {
        return Err(ServiceError::field(
            "capacity",
            "число мест не может быть меньше числа занятых мест: пока вы правили группу, в неё \
             зачислили детей; обновите страницу",
        ));
    }
    record(
        tx,
        tenant,
        by,
        "group.edit",
        old.id,
        &changed.join(", "),
        now,
    )
    .await?;
    Ok(Some(new))
}

/// A row of a group's history, with who did it and from where.
async fn record(
    tx: &mut Tx,
    tenant: &Tenant,
    by: &Viewer,
    action: &'static str,
    group: i64,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<(), ServiceError> {
    audit(
        tx,
        tenant.id,
        &Audit {
            actor: Some(by.user.id),
            action,
            subject: &super::subject(group),
            detail,
            ip: by.ip(),
            organization: by.user.staff_org(),
            at,
        },
    )
    .await?;
    Ok(())
}

async fn program_in(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    id: i64,
) -> Result<ProgramInfo, ServiceError> {
    store::program_in(tx, tenant, org, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

fn count(by_status: &[(String, i64)], which: &[Status]) -> i64 {
    by_status
        .iter()
        .filter(|(code, _)| which.iter().any(|s| s.as_str() == code))
        .map(|(_, n)| n)
        .sum()
}

/// The changed fields, in Russian, for the history.
fn changed_fields(old: &GroupRow, new: &GroupRow) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut diff = |name, changed: bool| {
        if changed {
            out.push(name);
        }
    };
    diff("название", old.name != new.name);
    diff(
        "возраст",
        (old.age_min, old.age_max) != (new.age_min, new.age_max),
    );
    diff("вместимость", old.capacity != new.capacity);
    diff(
        "даты обучения",
        (old.study_from, old.study_to) != (new.study_from, new.study_to),
    );
    diff(
        "период записи",
        (old.enroll_from, old.enroll_to) != (new.enroll_from, new.enroll_to),
    );
    diff("место обучения", old.place_id != new.place_id);
    diff("педагоги", old.teacher_ids != new.teacher_ids);
    diff(
        "стоимость",
        (old.price_certificate, old.price_paid) != (new.price_certificate, new.price_paid),
    );
    diff("расписание", old.sessions != new.sessions);
    out
}

/// Trimmed text of at most `max` characters without control characters; `what` names the
/// field; an empty one is refused when `required`.
fn text(raw: &str, what: &str, max: usize, required: bool) -> Result<String, String> {
    let t = raw.trim();
    if t.is_empty() && required {
        return Err(format!("укажите {what}"));
    }
    if t.chars().count() > max {
        return Err(format!("{what}: не длиннее {max} символов"));
    }
    if t.chars().any(char::is_control) {
        return Err(format!("{what}: уберите управляющие символы"));
    }
    Ok(t.to_owned())
}

fn whole(raw: &str, what: &str, range: std::ops::RangeInclusive<i64>) -> Result<i64, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(format!("укажите {what}"));
    }
    t.parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            format!(
                "«{t}»: {what} — целое число от {} до {}",
                range.start(),
                range.end()
            )
        })
}

/// A date typed as `ГГГГ-ММ-ДД` (the date input) or `ДД.ММ.ГГГГ`.
pub fn date(raw: &str, what: &str) -> Result<NaiveDate, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(format!("укажите {what}"));
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d.%m.%Y"))
        .map_err(|_| format!("«{t}»: {what} — дата в виде ДД.ММ.ГГГГ"))
}

fn optional_date(raw: &str, what: &str) -> Result<Option<NaiveDate>, String> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        date(raw, what).map(Some)
    }
}

/// A monthly price in roubles (`1500`, `1 500,50`), as kopecks.
fn price(raw: &str, what: &str) -> Result<Money, String> {
    let t: String = raw.trim().chars().filter(|c| !c.is_whitespace()).collect();
    let bad = || {
        format!(
            "«{}»: {what} — сумма в рублях, например 1500 или 1500,50",
            raw.trim()
        )
    };
    let (whole, kopecks) = match t.replace(',', ".").split_once('.') {
        Some((w, k)) if k.len() <= 2 && !k.is_empty() => (
            w.to_owned(),
            format!("{k:0<2}").parse::<i64>().map_err(|_| bad())?,
        ),
        Some(_) => return Err(bad()),
        None => (t.clone(), 0),
    };
    let rub = whole
        .parse::<i64>()
        .ok()
        .filter(|r| (0..=1_000_000).contains(r) && whole.chars().all(|c| c.is_ascii_digit()))
        .ok_or_else(bad)?;
    Ok(Money::from_kopecks(rub * 100 + kopecks))
}

fn time(raw: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok()
}

/// The schedule rows, each checked; a message names the row.
fn sessions(
    rows: &[SessionForm],
    study: Option<(NaiveDate, NaiveDate)>,
) -> Result<Vec<Session>, String> {
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
        let n = i + 1;
        let weekday = row
            .weekday
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|d| (1..=7).contains(d))
            .ok_or_else(|| format!("расписание, строка {n}: выберите день недели"))?;
        let start = time(&row.starts).ok_or_else(|| {
            format!("расписание, строка {n}: время начала — ЧЧ:ММ, например 15:00")
        })?;
        let end = time(&row.ends).ok_or_else(|| {
            format!("расписание, строка {n}: время окончания — ЧЧ:ММ, например 16:30")
        })?;
        if start >= end {
            return Err(format!(
                "расписание, строка {n}: время окончания должно быть позже времени начала"
            ));
        }
        let from = optional_date(&row.date_from, "дата «с»")
            .map_err(|e| format!("расписание, строка {n}: {e}"))?;
        let to = optional_date(&row.date_to, "дата «по»")
            .map_err(|e| format!("расписание, строка {n}: {e}"))?;
        if let (Some(a), Some(b)) = (from, to) {
            if a > b {
                return Err(format!("расписание, строка {n}: дата «по» раньше даты «с»"));
            }
        }
        if let Some((first, last)) = study {
            if from.is_some_and(|d| d < first || d > last)
                || to.is_some_and(|d| d < first || d > last)
            {
                return Err(format!(
                    "расписание, строка {n}: даты должны быть внутри дат обучения группы \
                     (с {} по {})",
                    crate::time::day(first),
                    crate::time::day(last)
                ));
            }
        }
        out.push(Session {
            weekday,
            start,
            end,
            from,
            to,
        });
    }
    if out.is_empty() {
        return Err("расписание: добавьте хотя бы одно занятие (день недели и время)".to_owned());
    }
    Ok(out)
}

/// Two dates that must come in order: (from, to), the error on the second.
fn period(
    check: &mut FieldCheck,
    fields: (&'static str, &'static str),
    raw: (&str, &str),
    what: (&str, &str),
) -> Option<(NaiveDate, NaiveDate)> {
    let from = check.field(fields.0, date(raw.0, what.0));
    let to = check.field(fields.1, date(raw.1, what.1));
    let (from, to) = (from?, to?);
    if from > to {
        check.0.push(FieldError::new(
            fields.1,
            format!("{} не может быть раньше, чем {}", what.1, what.0),
        ));
        return None;
    }
    Some((from, to))
}

/// Checks every field of a group against its program and organization.
async fn parse_group(
    tx: &mut Tx,
    tenant: TenantId,
    org: i64,
    program: &ProgramInfo,
    form: &GroupForm,
    seats_taken: i64,
) -> Result<GroupRow, ServiceError> {
    let mut check = FieldCheck::default();
    let name = check.field("name", text(&form.name, "название группы", 200, true));
    let ages = program.age_min..=program.age_max;
    let in_program = |n: i64| {
        if ages.contains(&n) {
            Ok(n)
        } else {
            Err(format!(
                "возраст группы должен быть в пределах возраста программы: от {} до {} лет",
                program.age_min, program.age_max
            ))
        }
    };
    let age_min = check.field(
        "age_min",
        whole(&form.age_min, "возраст от", 0..=25).and_then(in_program),
    );
    let age_max = check.field(
        "age_max",
        whole(&form.age_max, "возраст до", 0..=25)
            .and_then(in_program)
            .and_then(|max| match age_min {
                Some(min) if min > max => {
                    Err("возраст до не может быть меньше, чем возраст от".to_owned())
                }
                _ => Ok(max),
            }),
    );
    let capacity = check.field(
        "capacity",
        whole(&form.capacity, "число мест", 1..=1000).and_then(|c| {
            if c < seats_taken {
                Err(format!(
                    "число мест не может быть меньше числа занятых мест ({seats_taken})"
                ))
            } else {
                Ok(c)
            }
        }),
    );
    let study = period(
        &mut check,
        ("study_from", "study_to"),
        (&form.study_from, &form.study_to),
        ("дата начала обучения", "дата окончания обучения"),
    );
    let enroll = period(
        &mut check,
        ("enroll_from", "enroll_to"),
        (&form.enroll_from, &form.enroll_to),
        ("дата начала записи", "дата окончания записи"),
    );
    let place = match form.place_id.trim().parse::<i64>() {
        Ok(id) if store::has_place(tx, tenant, org, id).await? => Some(id),
        _ => {
            check.0.push(FieldError::new(
                "place_id",
                "место обучения: выберите одно из мест обучения вашей организации \
                 (их добавляют в профиле организации)",
            ));
            None
        }
    };
    let mut teachers = Vec::new();
    let mut teacher_error = None;
    for raw in form.teacher_ids.iter().filter(|t| !t.trim().is_empty()) {
        match raw.trim().parse::<i64>() {
            Ok(id) if store::teacher_in(tx, tenant, org, id).await?.is_some() => teachers.push(id),
            _ => {
                teacher_error =
                    Some("педагоги: выберите педагогов из списка педагогов вашей организации")
            }
        }
    }
    teachers.sort_unstable();
    teachers.dedup();
    if teachers.is_empty() && teacher_error.is_none() {
        teacher_error = Some("педагоги: выберите хотя бы одного педагога");
    }
    if let Some(message) = teacher_error {
        check.0.push(FieldError::new("teacher_ids", message));
    }
    let offers = |f: Financing| program.financing.contains(&f);
    let mut price_of = |field: &'static str, raw: &str, f: Financing, what: &str| {
        let given = !raw.trim().is_empty();
        match (offers(f), given) {
            (true, true) => check.field(field, price(raw, what)),
            (true, false) => {
                check
                    .0
                    .push(FieldError::new(field, format!("укажите {what}")));
                None
            }
            (false, true) => {
                check.0.push(FieldError::new(
                    field,
                    format!(
                        "{what}: программа не предусматривает такую оплату — оставьте поле пустым"
                    ),
                ));
                None
            }
            (false, false) => None,
        }
    };
    let price_certificate = price_of(
        "price_certificate",
        &form.price_certificate,
        Financing::Certificate,
        "стоимость в месяц при оплате сертификатом",
    );
    let price_paid = price_of(
        "price_paid",
        &form.price_paid,
        Financing::Paid,
        "стоимость в месяц при платном обучении",
    );
    let schedule = check.field("sessions", sessions(&form.sessions, study));
    check.done()?;
    match (
        name, age_min, age_max, capacity, study, enroll, place, schedule,
    ) {
        (
            Some(name),
            Some(age_min),
            Some(age_max),
            Some(capacity),
            Some((study_from, study_to)),
            Some((enroll_from, enroll_to)),
            Some(place_id),
            Some(sessions),
        ) => Ok(GroupRow {
            id: 0,
            program_id: program.id,
            name,
            age_min,
            age_max,
            capacity,
            seats_taken,
            study_from,
            study_to,
            enroll_from,
            enroll_to,
            status: GroupStatus::Open,
            place_id,
            teacher_ids: teachers,
            sessions,
            price_certificate,
            price_paid,
        }),
        _ => unreachable!("every field parsed when there are no errors"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices() {
        assert_eq!(price("1500", "x").unwrap().kopecks(), 150_000);
        assert_eq!(price("1 500,5", "x").unwrap().kopecks(), 150_050);
        assert_eq!(price("99.05", "x").unwrap().kopecks(), 9_905);
        for bad in ["", "-1", "12,345", "abc", "1.", "1e3"] {
            assert!(price(bad, "x").is_err(), "{bad}");
        }
        assert_eq!(rub(Some(Money::from_kopecks(150_050))), "1500,50");
    }

    #[test]
    fn schedule_rows() {
        let row = |d: &str, s: &str, e: &str| SessionForm {
            weekday: d.into(),
            starts: s.into(),
            ends: e.into(),
            ..SessionForm::default()
        };
        let ok = sessions(&[row("1", "15:00", "16:30"), row("", "", "")], None).unwrap();
        assert_eq!(ok.len(), 1);
        assert!(sessions(&[row("1", "16:30", "15:00")], None)
            .unwrap_err()
            .contains("позже времени начала"));
        assert!(sessions(&[row("8", "15:00", "16:00")], None)
            .unwrap_err()
            .contains("день недели"));
        assert!(sessions(&[row("", "", "")], None)
            .unwrap_err()
            .contains("хотя бы одно"));
        let study = Some((
            NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            NaiveDate::from_ymd_opt(2027, 5, 31).unwrap(),
        ));
        let mut dated = row("2", "10:00", "11:00");
        dated.date_from = "01.08.2026".into();
        assert!(sessions(&[dated], study)
            .unwrap_err()
            .contains("внутри дат обучения"));
    }

    #[test]
    fn texts_refuse_control_characters() {
        assert!(text("а\u{7}б", "x", 10, true).is_err());
        assert!(text("а\nб", "x", 10, true).is_err());
        assert_eq!(text("", "x", 10, false).unwrap(), "");
        assert!(text("", "ФИО", 10, true)
            .unwrap_err()
            .contains("укажите ФИО"));
    }
}
