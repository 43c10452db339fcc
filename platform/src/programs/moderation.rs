//! Moderation: who may decide (the region's `moderation` setting: the admin of the
//! organization's municipality, with the regional admin everywhere; or the regional admins
//! alone), the queue, the field-by-field diff against the published card, and the two
//! decisions — «Опубликовать» and «Вернуть на доработку» (a comment required). The
//! organization's staff get a mail for each decision; each is in the program's history.

use crate::accounts::sessions::Viewer;
use crate::accounts::values::Role;
use crate::catalog::model::ProgramStatus;
use crate::catalog::store::{bump_version, reprice_program};
use crate::db::DbError;
use crate::domain::plain_text;
use crate::mail::Sender;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use tenants::Moderation;

use super::card::{diff, FieldChange};
use super::service::{changed_labels, record, subject, Of, Programs};
use super::store::{self, Authored};
use crate::accounts::history::{self, Entry as HistoryEntry};

/// Where a moderator may act: one municipality, or the whole region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Region,
    Municipality(String),
}

impl Scope {
    /// The viewer's scope under the region's setting; anyone else may not moderate.
    pub fn of(tenant: &Tenant, viewer: &Viewer) -> Result<Scope, ServiceError> {
        match (viewer.user.role, tenant.config.moderation) {
            (Role::Regional, _) => Ok(Scope::Region),
            (Role::Municipal, Moderation::Municipal) => viewer
                .user
                .admin_municipality()
                .map(|m| Scope::Municipality(m.to_owned()))
                .ok_or(ServiceError::Forbidden),
            _ => Err(ServiceError::Forbidden),
        }
    }

    fn covers(&self, p: &Authored) -> bool {
        match self {
            Scope::Region => true,
            Scope::Municipality(m) => *m == p.municipality_id,
        }
    }

    fn municipality(&self) -> Option<&str> {
        match self {
            Scope::Region => None,
            Scope::Municipality(m) => Some(m),
        }
    }
}

/// What the moderator decides on: the program, and what the decision would change.
pub struct Review {
    pub program: Authored,
    /// Against the published card; every field of a program never published.
    pub changes: Vec<FieldChange>,
    pub history: Vec<HistoryEntry>,
    /// Of the program's groups, each line naming its group: they change without
    /// moderation, and the moderator sees how.
    pub group_history: Vec<HistoryEntry>,
    /// Of the organization's profile and places.
    pub organization_history: Vec<HistoryEntry>,
    /// Nothing of it is published: the changes are the whole card.
    pub first: bool,
}

impl Programs {
    /// The queue of the viewer's scope, oldest waiting first.
    pub async fn queue(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
    ) -> Result<(Scope, Vec<Authored>), ServiceError> {
        let scope = Scope::of(tenant, viewer)?;
        let items = store::queue(&self.db, tenant.id, scope.municipality()).await?;
        Ok((scope, items))
    }

    /// One program as its moderator sees it; outside the viewer's scope it is not found.
    pub async fn review(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: i64,
    ) -> Result<Review, ServiceError> {
        let scope = Scope::of(tenant, viewer)?;
        let program = store::get(&self.db, tenant.id, id)
            .await?
            .filter(|p| scope.covers(p))
            .ok_or(ServiceError::NotFound)?;
        let profiles = self.profiles(tenant).await?;
        let published = match (&program.revision, program.status) {
            (Some(_), _) => Some(&program.card),
            (None, ProgramStatus::Published | ProgramStatus::Archived) => Some(&program.card),
            (None, _) => None,
        };
        let changes = diff(published, program.working_card(), &profiles);
        let first = published.is_none();
        let history = history::of_subject(&self.db, tenant.id, &subject(id)).await?;
        let names: std::collections::HashMap<String, String> =
            crate::groups::store::names_of(&self.db, tenant.id, program.organization_id, id)
                .await?
                .into_iter()
                .map(|(g, name)| (crate::groups::subject(g), name))
                .collect();
        let subjects: Vec<String> = names.keys().cloned().collect();
        let mut group_history = history::of_subjects(&self.db, tenant.id, &subjects).await?;
        for e in &mut group_history {
            if let Some(name) = names.get(&e.subject) {
                e.detail = format!("«{name}»: {}", e.detail);
            }
        }
        let organization_history = history::of_subject(
            &self.db,
            tenant.id,
            &crate::organizations::subject(program.organization_id),
        )
        .await?;
        Ok(Review {
            program,
            changes,
            history,
            group_history,
            organization_history,
            first,
        })
    }

    /// «Опубликовать»: the card (or the pending edit) goes live in the catalog.
    pub async fn publish(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        sender: &Sender,
        id: i64,
    ) -> Result<(), ServiceError> {
        let scope = Scope::of(tenant, viewer)?;
        let profiles = self.profiles(tenant).await?;
        let now = self.clock.now();
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let p = waiting(store::get_in(&mut tx, tenant.id, id).await?, &scope)?;
        if crate::organizations::store::deactivated_in(&mut tx, tenant.id, p.organization_id)
            .await?
        {
            return Err(ServiceError::Refused(
                crate::organizations::store::DEACTIVATED.into(),
            ));
        }
        let changed = match &p.revision {
            Some(r) => {
                let changed = changed_labels(Some(&p.card), &r.card, &profiles);
                store::write_card(&mut tx, tenant.id, id, &r.card, now).await?;
                store::delete_revision(&mut tx, tenant.id, id).await?;
                changed
            }
            None => "первая публикация".to_owned(),
        };
        store::set_status(&mut tx, tenant.id, id, ProgramStatus::Published, None, now).await?;
        reprice_program(&mut tx, tenant.id, id).await?;
        bump_version(&mut tx, tenant.id).await?;
        record(
            &mut tx,
            tenant,
            Some(viewer),
            Of::from(&p),
            "program.publish",
            &changed,
            now,
        )
        .await?;
        self.tell_staff(&mut tx, sender, &p, "опубликована в навигаторе", None)
            .await?;
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(())
    }

    /// «Вернуть на доработку» with the moderator's comment (required): the organization
    /// edits and sends it again; a published program stays published meanwhile.
    pub async fn return_for_changes(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        sender: &Sender,
        id: i64,
        comment: &str,
    ) -> Result<(), ServiceError> {
        let scope = Scope::of(tenant, viewer)?;
        let comment = comment.trim();
        if comment.is_empty() {
            return Err(ServiceError::field(
                "comment",
                "напишите, что нужно исправить: организация увидит комментарий",
            ));
        }
        plain_text(comment, 2000).map_err(|m| ServiceError::field("comment", m))?;
        let now = self.clock.now();
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        let p = waiting(store::get_in(&mut tx, tenant.id, id).await?, &scope)?;
        if p.revision.is_some() {
            store::set_revision_state(
                &mut tx,
                tenant.id,
                id,
                ProgramStatus::NeedsChanges,
                Some(comment),
                now,
            )
            .await?;
        } else {
            store::set_status(
                &mut tx,
                tenant.id,
                id,
                ProgramStatus::NeedsChanges,
                Some(comment),
                now,
            )
            .await?;
        }
        record(
            &mut tx,
            tenant,
            Some(viewer),
            Of::from(&p),
            "program.return",
            comment,
            now,
        )
        .await?;
        self.tell_staff(
            &mut tx,
            sender,
            &p,
            "возвращена на доработку",
            Some(comment),
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(())
    }

    /// A mail about the decision to each of the organization's staff with a confirmed
    /// address.
    async fn tell_staff(
        &self,
        tx: &mut crate::db::Tx,
        sender: &Sender,
        p: &Authored,
        what: &str,
        comment: Option<&str>,
    ) -> Result<(), ServiceError> {
        let url = format!("{}/provider/programs/{}", sender.base_url, p.id);
        let staff =
            crate::accounts::store::confirmed_staff(tx, sender.tenant_id, p.organization_id)
                .await?;
        for s in staff {
            let ctx = minijinja::context! {
                name => s.first_name, what, comment, url => &url,
                program => &p.working_card().title, number => p.id,
            };
            self.outbox
                .enqueue(tx, sender, "program_decision", &s.email, ctx)
                .await?;
        }
        Ok(())
    }
}

/// The program, if it is in the scope and waits for a decision.
fn waiting(p: Option<Authored>, scope: &Scope) -> Result<Authored, ServiceError> {
    let p = p
        .filter(|p| scope.covers(p))
        .ok_or(ServiceError::NotFound)?;
    if p.working_state() != ProgramStatus::Moderation {
        return Err(ServiceError::Refused(
            "Программа уже не на модерации: решение по ней принято или организация её отозвала."
                .into(),
        ));
    }
    Ok(p)
}
