//! The rules of the region settings: only the region's own admin edits them; an edit is
//! made on the stored file, validated like `navigator tenant apply`, and applied through
//! `regions::apply_edit` in one transaction with its audit row (the registry version
//! bumped, so every process reloads); a municipality that organizations, accounts or
//! certificates use stays. The profile dictionary is written through the catalog's seam
//! (`begin_write`, `bump_version`), so search indexes and `sitegen` follow it.

use tenants::LoadedRegion;

use crate::accounts::sessions::Viewer;
use crate::accounts::store::{audit, Audit};
use crate::accounts::values::Role;
use crate::cache::Cache;
use crate::catalog::model::Direction;
use crate::catalog::store::{begin_write, bump_version, Profile};
use crate::db::{next_ids, Db, DbError, Tx};
use crate::domain::FieldError;
use crate::regions::{self, Applied, ApplyError, Tenant};
use crate::service_error::ServiceError;
use crate::time::Clock;

use super::edit::{self, Edited, Form, FormError, MunicipalityEdit, Section};
use super::store::{self, Uses};

/// The longest profile name the dictionary takes.
pub const MAX_PROFILE_NAME: usize = 120;

#[derive(Clone)]
pub struct RegionSettings {
    db: Db,
    cache: Cache,
    clock: Clock,
}

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Changed,
    /// The form said what the file says already: nothing written.
    Unchanged,
}

/// A profile of the dictionary with how many programs have it.
#[derive(Debug, Clone)]
pub struct ProfileUse {
    pub profile: Profile,
    pub programs: i64,
}

/// A refusal of the form: the errors by field (`""`: the form as a whole).
fn invalid(errors: Vec<FormError>) -> ServiceError {
    ServiceError::Invalid(
        errors
            .into_iter()
            .map(|e| FieldError::new(e.field, e.message))
            .collect(),
    )
}

fn regional(viewer: &Viewer) -> Result<(), ServiceError> {
    if viewer.user.role == Role::Regional {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

impl RegionSettings {
    pub fn new(db: Db, cache: Cache, clock: Clock) -> Self {
        Self { db, cache, clock }
    }

    /// The region's file as stored: what «Скачать настройки» gives and every edit starts from.
    pub async fn source(&self, tenant: &Tenant, viewer: &Viewer) -> Result<String, ServiceError> {
        regional(viewer)?;
        store::source(&self.db, tenant.id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Saves a section's form.
    #[tracing::instrument(skip(self, tenant, viewer, form), fields(region = tenant.slug()))]
    pub async fn save_section(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        section: Section,
        form: &Form,
    ) -> Result<Saved, ServiceError> {
        let source = self.source(tenant, viewer).await?;
        let edited = edit::edit_section(&source, &file(tenant), section, form).map_err(invalid)?;
        let detail = format!("{}: {}", section.title(), edited.changed.join(", "));
        let tx = self.db.begin().await?;
        self.write(tx, tenant, viewer, &source, edited, section.slug(), &detail)
            .await
    }

    /// Adds, changes or removes a municipality.
    #[tracing::instrument(skip(self, tenant, viewer, form), fields(region = tenant.slug()))]
    pub async fn edit_municipality(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        change: MunicipalityEdit<'_>,
        form: &Form,
    ) -> Result<Saved, ServiceError> {
        let source = self.source(tenant, viewer).await?;
        let edited =
            edit::edit_municipality(&source, &file(tenant), change, form).map_err(invalid)?;
        let mut tx = self.db.begin().await?;
        let detail = match change {
            MunicipalityEdit::Add => format!(
                "Муниципалитеты: добавлен «{}»",
                form.get("name").map_or("", |n| n.trim())
            ),
            MunicipalityEdit::Change(id) => {
                format!("Муниципалитеты: «{id}»: {}", edited.changed.join(", "))
            }
            MunicipalityEdit::Remove(id) => {
                let uses = store::municipality_uses(&mut tx, tenant.id, id).await?;
                if uses.any() {
                    let name = tenant
                        .config
                        .municipality(id)
                        .map_or(id.to_owned(), |m| m.name.clone());
                    return Err(ServiceError::Refused(still_used(&name, uses)));
                }
                format!("Муниципалитеты: удалён «{id}»")
            }
        };
        self.write(
            tx,
            tenant,
            viewer,
            &source,
            edited,
            "municipalities",
            &detail,
        )
        .await
    }

    /// Applies an edited file in `tx` with its audit row, then tells the other processes.
    #[allow(clippy::too_many_arguments)] // the transaction, who, what and why of one write
    async fn write(
        &self,
        mut tx: Tx,
        tenant: &Tenant,
        viewer: &Viewer,
        before: &str,
        edited: Edited,
        what: &str,
        detail: &str,
    ) -> Result<Saved, ServiceError> {
        let region = LoadedRegion {
            config: edited.config,
            source: edited.source,
            // `apply_edit` keeps the stored logo.
            logo: None,
        };
        let now = self.clock.now();
        match regions::apply_edit(&mut tx, &region, before, now).await {
            Ok(Applied::Unchanged) => return Ok(Saved::Unchanged),
            Ok(_) => {}
            Err(ApplyError::Db(e)) => return Err(e.into()),
            Err(e) => return Err(ServiceError::Refused(e.to_string())),
        }
        audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action: &format!("settings.{what}"),
                subject: &format!("region:{}", tenant.slug()),
                detail,
                ip: viewer.ip(),
                organization: None,
                at: now,
            },
        )
        .await?;
        commit(tx).await?;
        regions::announce(&self.cache).await;
        Ok(Saved::Changed)
    }

    /// The profile dictionary with the programs of each.
    pub async fn profiles(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
    ) -> Result<Vec<ProfileUse>, ServiceError> {
        regional(viewer)?;
        let counts = store::programs_by_profile(&self.db, tenant.id).await?;
        Ok(crate::catalog::store::profiles(&self.db, tenant.id)
            .await?
            .into_iter()
            .map(|profile| ProfileUse {
                programs: counts
                    .iter()
                    .find(|(id, _)| *id == profile.id)
                    .map_or(0, |c| c.1),
                profile,
            })
            .collect())
    }

    /// Adds a profile under a direction; returns its id.
    #[tracing::instrument(skip(self, tenant, viewer), fields(region = tenant.slug()))]
    pub async fn add_profile(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        direction: &str,
        name: &str,
    ) -> Result<String, ServiceError> {
        regional(viewer)?;
        let direction = Direction::parse(direction.trim());
        let mut tx = begin_write(&self.db, tenant.id).await?;
        let existing = store::profiles_in(&mut tx, tenant.id).await?;
        let name = profile_name(name, direction, None, &existing);
        let (direction, name) = match (direction, name) {
            (Some(d), Ok(n)) => (d, n),
            (d, n) => {
                let mut errors = Vec::new();
                if d.is_none() {
                    errors.push(FieldError::new("direction", "выберите направленность"));
                }
                if let Err(m) = n {
                    errors.push(FieldError::new("name", m));
                }
                return Err(ServiceError::Invalid(errors));
            }
        };
        // Ids are the direction's code and a number from the region's sequence of it:
        // stable, and never a retired one's (links, sync clients and the audit log may
        // still name it).
        let id = loop {
            let n = next_ids(
                &mut tx,
                tenant.id,
                &format!("profile:{}", direction.code()),
                1,
            )
            .await?;
            let id = format!("{}-{n}", direction.code());
            if existing.iter().all(|p| p.id != id) {
                break id;
            }
        };
        let profile = Profile {
            id: id.clone(),
            direction,
            name,
        };
        store::insert_profile(&mut tx, tenant.id, &profile).await?;
        bump_version(&mut tx, tenant.id).await?;
        self.audit_profile(
            &mut tx,
            tenant,
            viewer,
            "dictionary.profile_add",
            &id,
            &format!("{}: «{}»", direction.label(), profile.name),
        )
        .await?;
        commit(tx).await?;
        Ok(id)
    }

    /// Renames a profile; its programs' pages and index entries follow.
    #[tracing::instrument(skip(self, tenant, viewer), fields(region = tenant.slug()))]
    pub async fn rename_profile(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: &str,
        name: &str,
    ) -> Result<(), ServiceError> {
        regional(viewer)?;
        let mut tx = begin_write(&self.db, tenant.id).await?;
        let existing = store::profiles_in(&mut tx, tenant.id).await?;
        let profile = existing
            .iter()
            .find(|p| p.id == id)
            .ok_or(ServiceError::NotFound)?;
        let name = profile_name(name, Some(profile.direction), Some(id), &existing)
            .map_err(|m| ServiceError::field("name", m))?;
        if name == profile.name {
            return Ok(());
        }
        store::rename_profile(&mut tx, tenant.id, id, &name).await?;
        store::stamp_programs_of(&mut tx, tenant.id, id).await?;
        bump_version(&mut tx, tenant.id).await?;
        self.audit_profile(
            &mut tx,
            tenant,
            viewer,
            "dictionary.profile_rename",
            id,
            &format!("«{}» → «{name}»", profile.name),
        )
        .await?;
        commit(tx).await
    }

    /// Retires a profile; the programs that have it move to `target`, a profile of the
    /// same direction, in the same transaction. Without a target, only an unused one goes.
    #[tracing::instrument(skip(self, tenant, viewer), fields(region = tenant.slug()))]
    pub async fn retire_profile(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        id: &str,
        target: Option<&str>,
    ) -> Result<usize, ServiceError> {
        regional(viewer)?;
        let target = target.map(str::trim).filter(|t| !t.is_empty());
        let mut tx = begin_write(&self.db, tenant.id).await?;
        let existing = store::profiles_in(&mut tx, tenant.id).await?;
        let profile = existing
            .iter()
            .find(|p| p.id == id)
            .ok_or(ServiceError::NotFound)?;
        let used = store::programs_of_profile(&mut tx, tenant.id, id).await?;
        let moved = match target {
            None if used > 0 => {
                return Err(ServiceError::field(
                    "target",
                    format!(
                        "профиль «{}» указан в программах ({used}): выберите профиль той же \
                         направленности, к которому их перенести",
                        profile.name
                    ),
                ))
            }
            None => Vec::new(),
            Some(target) => {
                let to = existing
                    .iter()
                    .find(|p| p.id == target && p.id != id)
                    .filter(|p| p.direction == profile.direction)
                    .ok_or_else(|| {
                        ServiceError::field(
                            "target",
                            format!(
                                "выберите другой профиль направленности «{}»",
                                profile.direction.label()
                            ),
                        )
                    })?;
                let moved = store::move_programs(&mut tx, tenant.id, id, &to.id).await?;
                store::move_revisions(&mut tx, tenant.id, id, &to.id).await?;
                moved
            }
        };
        store::delete_profile(&mut tx, tenant.id, id).await?;
        bump_version(&mut tx, tenant.id).await?;
        let to = target
            .and_then(|t| existing.iter().find(|p| p.id == t))
            .map_or(String::new(), |p| {
                format!("; программы ({}) перенесены в «{}»", moved.len(), p.name)
            });
        self.audit_profile(
            &mut tx,
            tenant,
            viewer,
            "dictionary.profile_retire",
            id,
            &format!("«{}»{to}", profile.name),
        )
        .await?;
        let now = self.clock.now();
        // Each moved program's history (and its organization's change list) says so.
        for (program, organization) in &moved {
            audit(
                &mut tx,
                tenant.id,
                &Audit {
                    actor: Some(viewer.user.id),
                    action: "program.profile_moved",
                    subject: &format!("program:{program}"),
                    detail: &format!("профиль «{}» упразднён{to}", profile.name),
                    ip: viewer.ip(),
                    organization: Some(*organization),
                    at: now,
                },
            )
            .await?;
        }
        commit(tx).await?;
        Ok(moved.len())
    }

    async fn audit_profile(
        &self,
        tx: &mut Tx,
        tenant: &Tenant,
        viewer: &Viewer,
        action: &str,
        id: &str,
        detail: &str,
    ) -> Result<(), ServiceError> {
        audit(
            tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action,
                subject: &format!("profile:{id}"),
                detail,
                ip: viewer.ip(),
                organization: None,
                at: self.clock.now(),
            },
        )
        .await?;
        Ok(())
    }
}

/// How the file is named in messages.
fn file(tenant: &Tenant) -> String {
    format!("{} (веб-форма)", tenant.slug())
}

async fn commit(tx: Tx) -> Result<(), ServiceError> {
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}

/// Why a municipality cannot leave the file.
fn still_used(name: &str, uses: Uses) -> String {
    let mut what = Vec::new();
    for (n, label) in [
        (uses.organizations, "организации"),
        (uses.accounts, "учётные записи"),
        (uses.certificates, "сертификаты"),
    ] {
        if n > 0 {
            what.push(format!("{label} ({n})"));
        }
    }
    format!(
        "Муниципалитет «{name}» нельзя удалить: к нему относятся {}. Сначала перенесите их \
         в другой муниципалитет.",
        what.join(", ")
    )
}

/// A profile's name: filled, not too long, not another profile's of the same direction.
fn profile_name(
    raw: &str,
    direction: Option<Direction>,
    own: Option<&str>,
    existing: &[Profile],
) -> Result<String, String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("не заполнено".into());
    }
    if name.chars().count() > MAX_PROFILE_NAME {
        return Err(format!("не длиннее {MAX_PROFILE_NAME} символов"));
    }
    let key = name.to_lowercase();
    if let Some(d) = direction {
        if existing
            .iter()
            .any(|p| p.direction == d && Some(p.id.as_str()) != own && p.name.to_lowercase() == key)
        {
            return Err(format!("профиль «{name}» в этой направленности уже есть"));
        }
    }
    Ok(name)
}
