//! What an organization's staff do with their programs: list, create, edit, copy, send to
//! moderation, withdraw, archive and restore — their own organization's only (another's
//! program is not found). The statuses are those users know: Черновик → На модерации →
//! Опубликовано, with Ожидает правки and Архив. Editing a published program leaves it
//! published: the edit waits as a revision until a moderator publishes it. Every change is
//! in the program's history (its audit rows), with the fields it changed.

use chrono::{DateTime, Utc};

use crate::accounts::sessions::Viewer;
use crate::accounts::store::{audit, Audit};
use crate::catalog::model::ProgramStatus;
use crate::catalog::store::{bump_version, profiles, Profile};
use crate::db::{Db, DbError, Tx};
use crate::mail::Outbox;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::time::Clock;

use super::card::{diff, Card, CardForm};
use super::store::{self, Authored};
use crate::accounts::history::{self, Entry as HistoryEntry};

/// The authoring and moderation rules, with what they use.
#[derive(Clone)]
pub struct Programs {
    pub(super) db: Db,
    pub(super) clock: Clock,
    pub(super) outbox: Outbox,
}

/// The subject of a program's audit rows: its history.
pub fn subject(id: i64) -> String {
    format!("program:{id}")
}

/// A program and its organization: what a row of its history is about.
#[derive(Debug, Clone, Copy)]
pub(super) struct Of {
    pub id: i64,
    pub org: i64,
}

impl From<&Authored> for Of {
    fn from(p: &Authored) -> Self {
        Self {
            id: p.id,
            org: p.organization_id,
        }
    }
}

/// Writes one row of a program's history in `tx`.
pub(super) async fn record(
    tx: &mut Tx,
    tenant: &Tenant,
    by: Option<&Viewer>,
    program: Of,
    action: &str,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    audit(
        tx,
        tenant.id,
        &Audit {
            actor: by.map(|v| v.user.id),
            action,
            subject: &subject(program.id),
            detail,
            ip: by.and_then(Viewer::ip),
            organization: Some(program.org),
            at,
        },
    )
    .await
}

/// «Полное название, Цели»: the labels of the fields a change touched.
pub fn changed_labels(before: Option<&Card>, after: &Card, profiles: &[Profile]) -> String {
    let labels: Vec<&str> = diff(before, after, profiles)
        .iter()
        .map(|c| c.label)
        .collect();
    labels.join(", ")
}

impl Programs {
    pub fn new(db: Db, clock: Clock, outbox: Outbox) -> Self {
        Self { db, clock, outbox }
    }

    fn own(viewer: &Viewer) -> Result<i64, ServiceError> {
        viewer.user.staff_org().ok_or(ServiceError::Forbidden)
    }

    /// The region's profiles, for the form's choice and the diff's names.
    pub async fn profiles(&self, tenant: &Tenant) -> Result<Vec<Profile>, ServiceError> {
        Ok(profiles(&self.db, tenant.id).await?)
    }

    /// The viewer's organization's programs.
    pub async fn list(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
    ) -> Result<Vec<Authored>, ServiceError> {
        let org = Self::own(viewer)?;
        Ok(store::of_organization(&self.db, tenant.id, org).await?)
    }

    /// One of the viewer's organization's programs; another's is not found.
    pub async fn get(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
    ) -> Result<Authored, ServiceError> {
        let org = Self::own(viewer)?;
        store::get(&self.db, tenant.id, id)
            .await?
            .filter(|p| p.organization_id == org)
            .ok_or(ServiceError::NotFound)
    }

    async fn get_own_in(
        tx: &mut Tx,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
    ) -> Result<Authored, ServiceError> {
        let org = Self::own(viewer)?;
        store::get_in(tx, tenant.id, id)
            .await?
            .filter(|p| p.organization_id == org)
            .ok_or(ServiceError::NotFound)
    }

    /// A program's history, for its organization (moderators read it through
    /// `Moderation::history`).
    pub async fn history(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
    ) -> Result<Vec<HistoryEntry>, ServiceError> {
        self.get(tenant, viewer, id).await?;
        Ok(history::of_subject(&self.db, tenant.id, &subject(id)).await?)
    }

    /// «Создать программу»: a new draft from a valid card.
    pub async fn create(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        form: &CardForm,
    ) -> Result<i64, ServiceError> {
        let org = Self::own(viewer)?;
        let profiles = self.profiles(tenant).await?;
        let card = Card::parse(form, &profiles).map_err(ServiceError::Invalid)?;
        let now = self.clock.now();
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let id = create_in(&mut tx, tenant, viewer, org, &card, "создан черновик", now).await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(id)
    }

    /// Saves the card, by the rule of [`save_in`].
    pub async fn save(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
        form: &CardForm,
    ) -> Result<(), ServiceError> {
        let profiles = self.profiles(tenant).await?;
        let card = Card::parse(form, &profiles).map_err(ServiceError::Invalid)?;
        let now = self.clock.now();
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let p = Self::get_own_in(&mut tx, tenant, viewer, id).await?;
        save_in(&mut tx, tenant, viewer, &p, &card, &profiles, now).await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(())
    }

    /// «Копировать программу»: a new draft with the card being worked on (organizations
    /// enter the same program again each year).
    pub async fn copy(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
    ) -> Result<i64, ServiceError> {
        let org = Self::own(viewer)?;
        let now = self.clock.now();
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let p = Self::get_own_in(&mut tx, tenant, viewer, id).await?;
        let detail = format!("копия программы № {id}");
        let copy = create_in(&mut tx, tenant, viewer, org, p.working_card(), &detail, now).await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(copy)
    }

    /// Moves one of the organization's programs through its lifecycle (`Step`), with a
    /// row in its history.
    pub async fn step(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
        step: Step,
    ) -> Result<(), ServiceError> {
        let profiles = match step {
            Step::Submit => self.profiles(tenant).await?,
            _ => Vec::new(),
        };
        let now = self.clock.now();
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let p = Self::get_own_in(&mut tx, tenant, viewer, id).await?;
        step.run_in(&mut tx, tenant, viewer, &p, &profiles, now)
            .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(())
    }
}

/// The moves staff make with a program, as its buttons say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// «Отправить на модерацию». The card must be complete: a program entered before the
    /// full card existed is checked here, field by field.
    Submit,
    /// «Отозвать с модерации»: back to a draft, to edit it further.
    Withdraw,
    /// «В архив»: the program leaves the catalog (its applications stay); a pending edit
    /// is dropped.
    Archive,
    /// «Вернуть из архива»: a draft again, to be sent to moderation.
    Restore,
}

impl Step {
    /// The step a button's name (`submit`, …) stands for.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "submit" => Self::Submit,
            "withdraw" => Self::Withdraw,
            "archive" => Self::Archive,
            "restore" => Self::Restore,
            _ => return None,
        })
    }

    fn action(self) -> &'static str {
        match self {
            Self::Submit => "program.submit",
            Self::Withdraw => "program.withdraw",
            Self::Archive => "program.archive",
            Self::Restore => "program.restore",
        }
    }

    fn detail(self) -> &'static str {
        match self {
            Self::Submit => "отправлена на модерацию",
            Self::Withdraw => "отозвана с модерации",
            Self::Archive => "перенесена в архив",
            Self::Restore => "возвращена из архива в черновики",
        }
    }

    /// What staff are told once it is done.
    pub fn done(self) -> &'static str {
        match self {
            Self::Submit => "Программа отправлена на модерацию. О решении придёт письмо.",
            Self::Withdraw => "Программа отозвана с модерации и снова доступна для правки.",
            Self::Archive => "Программа перенесена в архив.",
            Self::Restore => "Программа возвращена из архива в черновики.",
        }
    }

    /// Takes this step with `p` (as read in `tx`), with its row in the history: the
    /// buttons, the API and the spreadsheet import (which sends a changed published
    /// program to moderation).
    pub async fn run_in(
        self,
        tx: &mut Tx,
        tenant: &Tenant,
        by: &Viewer,
        p: &Authored,
        profiles: &[Profile],
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        self.apply(tx, tenant, p, profiles, now).await?;
        record(
            tx,
            tenant,
            Some(by),
            p.into(),
            self.action(),
            self.detail(),
            now,
        )
        .await?;
        Ok(())
    }

    /// Checks that `p` can take this step and writes it in `tx`; refused, nothing is
    /// written.
    async fn apply(
        self,
        tx: &mut Tx,
        tenant: &Tenant,
        p: &Authored,
        profiles: &[Profile],
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let (t, id) = (tenant.id, p.id);
        match self {
            Self::Submit => {
                if crate::organizations::store::deactivated_in(tx, t, p.organization_id).await? {
                    return Err(ServiceError::Refused(
                        crate::organizations::store::DEACTIVATED.into(),
                    ));
                }
                Card::parse(&CardForm::from(p.working_card()), profiles)
                    .map_err(ServiceError::Invalid)?;
                match (&p.revision, p.status) {
                    (Some(r), _)
                        if matches!(
                            r.state,
                            ProgramStatus::Draft | ProgramStatus::NeedsChanges
                        ) =>
                    {
                        store::set_revision_state(tx, t, id, ProgramStatus::Moderation, None, now)
                            .await?;
                    }
                    (None, ProgramStatus::Draft | ProgramStatus::NeedsChanges) => {
                        store::set_status(tx, t, id, ProgramStatus::Moderation, None, now).await?;
                    }
                    (None, ProgramStatus::Published) => {
                        return Err(ServiceError::Refused(
                            "Программа опубликована, и изменений в ней нет: отправлять нечего."
                                .into(),
                        ))
                    }
                    _ => return Err(refusal(p)),
                }
            }
            Self::Withdraw => {
                if p.working_state() != ProgramStatus::Moderation {
                    return Err(ServiceError::Refused(
                        "Программа не на модерации: отзывать нечего.".into(),
                    ));
                }
                if p.revision.is_some() {
                    store::set_revision_state(tx, t, id, ProgramStatus::Draft, None, now).await?;
                } else {
                    store::set_status(tx, t, id, ProgramStatus::Draft, None, now).await?;
                }
            }
            Self::Archive => {
                if p.status == ProgramStatus::Archived {
                    return Err(ServiceError::Refused("Программа уже в архиве.".into()));
                }
                store::delete_revision(tx, t, id).await?;
                store::set_status(tx, t, id, ProgramStatus::Archived, None, now).await?;
                if p.status == ProgramStatus::Published {
                    bump_version(tx, t).await?;
                }
            }
            Self::Restore => {
                if p.status != ProgramStatus::Archived {
                    return Err(ServiceError::Refused("Программа не в архиве.".into()));
                }
                store::set_status(tx, t, id, ProgramStatus::Draft, None, now).await?;
            }
        }
        Ok(())
    }
}

/// What saving a card did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// The card is the one being worked on: nothing written.
    Unchanged,
    /// A draft (or one returned for changes) edited in place.
    Edited,
    /// A published program: the edit waits as a revision (or the revision was dropped,
    /// the card being the published one again).
    Revision,
}

/// A new draft of `org` from a valid card, with its history row, in `tx`: «Создать
/// программу», «Копировать программу» and the spreadsheet import.
pub async fn create_in(
    tx: &mut Tx,
    tenant: &Tenant,
    by: &Viewer,
    org: i64,
    card: &Card,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let id = store::insert(tx, tenant.id, org, card, now).await?;
    record(
        tx,
        tenant,
        Some(by),
        Of { id, org },
        "program.create",
        detail,
        now,
    )
    .await?;
    Ok(id)
}

/// Saves a valid card of `p` (as read in `tx`). A draft (or one returned for changes) is
/// edited in place; a published program keeps its published card and gets a revision (the
/// same card as published drops it). A program on moderation or in the archive is not
/// edited.
pub async fn save_in(
    tx: &mut Tx,
    tenant: &Tenant,
    by: &Viewer,
    p: &Authored,
    card: &Card,
    profiles: &[Profile],
    now: DateTime<Utc>,
) -> Result<Saved, ServiceError> {
    editable(p)?;
    let changed = changed_labels(Some(p.working_card()), card, profiles);
    if changed.is_empty() {
        return Ok(Saved::Unchanged);
    }
    let saved = if p.status == ProgramStatus::Published {
        if *card == p.card {
            store::delete_revision(tx, tenant.id, p.id).await?;
        } else {
            // A revision returned for changes stays so until it is sent again, so the
            // moderator's comment stays beside it.
            let state = p
                .revision
                .as_ref()
                .map_or(ProgramStatus::Draft, |r| r.state);
            store::put_revision(tx, tenant.id, p.id, card, state, by.user.id, now).await?;
        }
        Saved::Revision
    } else {
        store::write_card(tx, tenant.id, p.id, card, now).await?;
        Saved::Edited
    };
    record(
        tx,
        tenant,
        Some(by),
        p.into(),
        "program.edit",
        &changed,
        now,
    )
    .await?;
    Ok(saved)
}

/// `navigator program status`: the operator sets a program's status by hand. A pending
/// edit is dropped (the decision is on the program as it stands), the catalog follows, and
/// the history says it was the operator. `false`: no such program in the region.
pub async fn set_status_as_operator(
    db: &Db,
    tenant: &Tenant,
    id: i64,
    status: ProgramStatus,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let mut tx = crate::catalog::store::begin_write(db, tenant.id).await?;
    let Some(p) = store::get_in(&mut tx, tenant.id, id).await? else {
        return Ok(false);
    };
    store::delete_revision(&mut tx, tenant.id, id).await?;
    store::set_status(&mut tx, tenant.id, id, status, None, now).await?;
    bump_version(&mut tx, tenant.id).await?;
    record(
        &mut tx,
        tenant,
        None,
        Of::from(&p),
        "program.status",
        &format!("статус «{}» задан оператором", status.label()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Why the card cannot be edited or sent now.
fn refusal(p: &Authored) -> ServiceError {
    ServiceError::Refused(match p.working_state() {
        ProgramStatus::Moderation => {
            "Программа на модерации: дождитесь решения или отзовите её с модерации, чтобы изменить."
        }
        ProgramStatus::Archived => "Программа в архиве: верните её из архива, чтобы изменить.",
        _ => "Сейчас это действие недоступно.",
    }
    .into())
}

fn editable(p: &Authored) -> Result<(), ServiceError> {
    match p.working_state() {
        ProgramStatus::Moderation | ProgramStatus::Archived => Err(refusal(p)),
        _ => Ok(()),
    }
}
