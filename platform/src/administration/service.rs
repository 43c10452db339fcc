//! The administrators' rules. A regional admin reaches every organization of the region, a
//! municipal admin those of their municipality only (another's is not found); nobody else
//! reaches the registry at all. Every change is one catalog write (`begin_write`, the
//! version bump) with its audit row.
//!
//! A deactivated organization: its programs leave the catalog (search, program pages, the
//! static copy) and cannot be sent to moderation or published; its applications stay, read
//! by the families and the admins as before; its staff still sign in, answer the
//! applications they have, keep their drafts and profile, and invite colleagues — so that
//! families get their answers, and reactivation finds the organization as it was.

use crate::accounts::service::{Accounts, Grantor, StaffAccount};
use crate::accounts::sessions::Viewer;
use crate::accounts::store::{self as accounts, audit, Audit, User};
use crate::accounts::values::Role;
use crate::accounts::AdminScope;
use crate::catalog::model::OrgType;
use crate::catalog::store::{begin_write, bump_version};
use crate::db::{Db, DbError};
use crate::domain::{FieldError, LatLon};
use crate::mail::Sender;
use crate::organizations::service::{changed_fields, parse_profile, text, ProfileForm};
use crate::organizations::store::{self as organizations, Profile};
use crate::regions::Tenant;
use crate::service_error::{FieldCheck, ServiceError};
use crate::spreadsheet::{self, Cell, Column, Sheet};
use crate::time::Clock;

use super::store::{self, Entry};

type Result<T> = std::result::Result<T, ServiceError>;

/// What the administrators' rules use.
#[derive(Clone)]
pub struct Administration {
    db: Db,
    accounts: Accounts,
    clock: Clock,
}

/// The registry's filters as the GET form sends them; empty means any.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Filter {
    /// Part of the name (full or short) or of the ИНН.
    pub q: String,
    pub municipality: String,
    /// An `OrgType` code.
    pub org_type: String,
    /// `yes` | `no`: authorized to confirm children's data.
    pub confirms: String,
    /// `yes` | `no`: has programs published now.
    pub published: String,
    /// `active` | `deactivated`.
    pub state: String,
}

impl Filter {
    fn yes_no(value: &str, actual: bool) -> bool {
        match value {
            "yes" => actual,
            "no" => !actual,
            _ => true,
        }
    }

    /// Whether `e` is among the organizations the filter asks for.
    pub fn admits(&self, e: &Entry) -> bool {
        let q = self.q.trim().to_lowercase();
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        (q.is_empty()
            || e.name.to_lowercase().contains(&q)
            || e.short_name.to_lowercase().contains(&q)
            || (!digits.is_empty()
                && digits.len() == q.chars().filter(|c| !c.is_whitespace()).count()
                && e.inn.contains(&digits)))
            && (self.municipality.is_empty() || e.municipality_id == self.municipality)
            && (self.org_type.is_empty() || e.org_type.code() == self.org_type)
            && Self::yes_no(&self.confirms, e.can_confirm)
            && Self::yes_no(&self.published, e.published > 0)
            && match self.state.as_str() {
                "active" => e.deactivated_at.is_none(),
                "deactivated" => e.deactivated_at.is_some(),
                _ => true,
            }
    }
}

/// The form that creates or edits an organization: the profile's fields, its municipality
/// and (on creation) its address.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct OrganizationForm {
    #[serde(flatten)]
    pub profile: ProfileForm,
    pub municipality: String,
    pub address: String,
}

/// An administrator invited from `/admin/staff`.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct AdminInvitation {
    pub email: String,
    pub last_name: String,
    pub first_name: String,
    /// `municipal` | `regional`
    pub role: String,
    /// The municipal admin's municipality.
    pub municipality: String,
}

/// An export's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

/// The registry's columns in the export.
const COLUMNS: &[Column] = &[
    col("№", 8.0),
    col("Полное название", 48.0),
    col("Краткое название", 28.0),
    col("Тип", 20.0),
    col("ИНН", 14.0),
    col("ОГРН / ОГРНИП", 18.0),
    col("Муниципалитет", 24.0),
    col("Подтверждает данные детей", 14.0),
    col("Опубликованных программ", 14.0),
    col("Сотрудников", 12.0),
    col("Добавлена", 12.0),
    col("Отключена", 12.0),
];

const fn col(header: &'static str, width: f64) -> Column {
    Column {
        header,
        field: None,
        width,
    }
}

fn grantor(viewer: &Viewer) -> Grantor<'_> {
    Grantor {
        id: viewer.user.id,
        ip: viewer.ip(),
    }
}

/// The date part of a stored UTC time (`2026-12-02T…`) as the region's day.
fn day(tenant: &Tenant, at: &str) -> Option<chrono::NaiveDate> {
    let utc = chrono::DateTime::parse_from_rfc3339(at).ok()?;
    Some(utc.with_timezone(&tenant.config.time_zone).date_naive())
}

impl Administration {
    pub fn new(db: Db, accounts: Accounts, clock: Clock) -> Self {
        Self {
            db,
            accounts,
            clock,
        }
    }

    /// The organizations in the viewer's reach that `filter` admits, by name.
    pub async fn registry(
        &self,
        tenant: &Tenant,
        scope: &AdminScope,
        filter: &Filter,
    ) -> Result<Vec<Entry>> {
        let mut entries = store::entries(&self.db, tenant.id, scope.municipality()).await?;
        entries.retain(|e| filter.admits(e));
        Ok(entries)
    }

    /// The registry with `filter` as a spreadsheet (numbers as numbers, dates as dates).
    pub async fn export(
        &self,
        tenant: &Tenant,
        scope: &AdminScope,
        filter: &Filter,
        format: Format,
    ) -> Result<Vec<u8>> {
        let entries = self.registry(tenant, scope, filter).await?;
        let rows: Vec<Vec<Cell>> = entries
            .iter()
            .map(|e| {
                let date = |at: Option<&str>| {
                    at.and_then(|a| day(tenant, a))
                        .map_or(Cell::Empty, Cell::Date)
                };
                vec![
                    Cell::Int(e.id),
                    Cell::Text(e.name.clone()),
                    Cell::Text(e.short_name.clone()),
                    Cell::Text(e.org_type.label().to_owned()),
                    Cell::Text(e.inn.clone()),
                    e.ogrn.clone().map_or(Cell::Empty, Cell::Text),
                    Cell::Text(municipality_name(tenant, &e.municipality_id)),
                    Cell::Text(if e.can_confirm { "да" } else { "нет" }.to_owned()),
                    Cell::Int(e.published),
                    Cell::Int(e.staff),
                    date(Some(&e.created_at)),
                    date(e.deactivated_at.as_deref()),
                ]
            })
            .collect();
        Ok(match format {
            Format::Xlsx => spreadsheet::xlsx(&[Sheet::table("Организации", COLUMNS, rows)])?,
            Format::Csv => spreadsheet::csv(COLUMNS, &rows),
        })
    }

    /// An organization in the viewer's reach with its profile: 404 for one out of reach.
    pub async fn organization(
        &self,
        tenant: &Tenant,
        scope: &AdminScope,
        id: i64,
    ) -> Result<(Entry, Profile)> {
        let entry = store::entry(&self.db, tenant.id, id)
            .await?
            .filter(|e| scope.covers(&e.municipality_id))
            .ok_or(ServiceError::NotFound)?;
        let profile = organizations::profile(&self.db, tenant.id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok((entry, profile))
    }

    /// The municipality the form names, checked against the region and the viewer's scope
    /// (a municipal admin's own is the only one they may name, and the default).
    fn municipality(
        tenant: &Tenant,
        scope: &AdminScope,
        raw: &str,
    ) -> std::result::Result<String, String> {
        let raw = raw.trim();
        let raw = match (scope, raw) {
            (AdminScope::Municipality(m), "") => m.as_str(),
            (_, raw) => raw,
        };
        if raw.is_empty() {
            return Err("выберите муниципалитет".to_owned());
        }
        let Some(m) = tenant.config.municipality(raw) else {
            return Err(format!("муниципалитета «{raw}» в регионе нет"));
        };
        if !scope.covers(raw) {
            return Err(format!(
                "«{}» — не ваш муниципалитет: организации добавляет и правит администратор её \
                 муниципалитета",
                m.name
            ));
        }
        Ok(raw.to_owned())
    }

    /// «Добавить организацию»: every field checked as on the organization's own profile, the
    /// municipality within the viewer's reach; its point on the map is the municipality's
    /// centre until its staff add places of study.
    pub async fn create(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        scope: &AdminScope,
        form: &OrganizationForm,
    ) -> Result<i64> {
        let blank = Profile {
            id: 0,
            name: String::new(),
            short_name: String::new(),
            org_type: OrgType::Municipal,
            kind: store::kind_of(OrgType::Municipal),
            inn: String::new(),
            ogrn: None,
            phone: String::new(),
            email: String::new(),
            website: None,
            description: String::new(),
            logo: None,
        };
        let mut errors = match parse_profile(&form.profile, &blank) {
            Ok(_) => Vec::new(),
            Err(ServiceError::Invalid(errors)) => errors,
            Err(e) => return Err(e),
        };
        let mut check = FieldCheck::default();
        let municipality = check.field(
            "municipality",
            Self::municipality(tenant, scope, &form.municipality),
        );
        let address = check.field("address", text(&form.address, "адрес", 300, false));
        errors.extend(check.0);
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let mut profile = parse_profile(&form.profile, &blank)?;
        profile.kind = store::kind_of(profile.org_type);
        let (Some(municipality), Some(address)) = (municipality, address) else {
            unreachable!("every field parsed when there are no errors");
        };
        let at: LatLon = tenant
            .config
            .municipality(&municipality)
            .map(|m| LatLon {
                lat: m.center.lat,
                lon: m.center.lon,
            })
            .ok_or(ServiceError::NotFound)?;
        let now = self.clock.now();
        let mut tx = begin_write(&self.db, tenant.id).await?;
        let id = store::insert(
            &mut tx,
            tenant.id,
            &profile,
            &municipality,
            &address,
            at,
            now,
        )
        .await?;
        bump_version(&mut tx, tenant.id).await?;
        audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action: "organization.create",
                subject: &crate::organizations::subject(id),
                detail: &format!("{} (ИНН {}), {municipality}", profile.name, profile.inn),
                ip: viewer.ip(),
                organization: Some(id),
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(id)
    }

    /// Saves an organization's profile (and, for the regional admin, its municipality); the
    /// audit row names the fields changed.
    pub async fn edit(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        scope: &AdminScope,
        id: i64,
        form: &OrganizationForm,
    ) -> Result<()> {
        let mut tx = begin_write(&self.db, tenant.id).await?;
        let entry = store::entry_in(&mut tx, tenant.id, id)
            .await?
            .filter(|e| scope.covers(&e.municipality_id))
            .ok_or(ServiceError::NotFound)?;
        let old = organizations::profile_in(&mut tx, tenant.id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let mut errors = match parse_profile(&form.profile, &old) {
            Ok(_) => Vec::new(),
            Err(ServiceError::Invalid(errors)) => errors,
            Err(e) => return Err(e),
        };
        let wanted = if form.municipality.trim().is_empty() {
            entry.municipality_id.clone()
        } else {
            form.municipality.clone()
        };
        let municipality = match Self::municipality(tenant, scope, &wanted) {
            Ok(m) => Some(m),
            Err(message) => {
                errors.push(FieldError::new("municipality", message));
                None
            }
        };
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let new = parse_profile(&form.profile, &old)?;
        let mut changed = changed_fields(&old, &new);
        let municipality = municipality.unwrap_or_else(|| entry.municipality_id.clone());
        let moved = municipality != entry.municipality_id;
        if moved {
            changed.push("municipality");
        }
        if changed.is_empty() {
            return Ok(());
        }
        let now = self.clock.now();
        if !organizations::update_profile(&mut tx, tenant.id, &new, now).await? {
            return Err(ServiceError::NotFound);
        }
        if moved {
            store::set_municipality(&mut tx, tenant.id, id, &municipality, now).await?;
        }
        bump_version(&mut tx, tenant.id).await?;
        audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action: "organization.edit",
                subject: &crate::organizations::subject(id),
                detail: &changed.join(", "),
                ip: viewer.ip(),
                organization: Some(id),
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(())
    }

    /// «Отключить» (`active` false) or «Включить» an organization in reach: its programs
    /// leave (or come back to) the catalog in the same transaction.
    pub async fn set_active(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        scope: &AdminScope,
        id: i64,
        active: bool,
    ) -> Result<()> {
        let now = self.clock.now();
        let mut tx = begin_write(&self.db, tenant.id).await?;
        let entry = store::entry_in(&mut tx, tenant.id, id)
            .await?
            .filter(|e| scope.covers(&e.municipality_id))
            .ok_or(ServiceError::NotFound)?;
        let at = (!active).then_some(now);
        if !store::set_deactivated(&mut tx, tenant.id, id, at, now).await? {
            return Err(ServiceError::Refused(
                if active {
                    "Организация и так работает: включать нечего."
                } else {
                    "Организация уже отключена."
                }
                .into(),
            ));
        }
        bump_version(&mut tx, tenant.id).await?;
        audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action: if active {
                    "organization.reactivate"
                } else {
                    "organization.deactivate"
                },
                subject: &crate::organizations::subject(id),
                detail: &format!(
                    "{}; опубликованных программ: {}",
                    entry.name, entry.published
                ),
                ip: viewer.ip(),
                organization: Some(id),
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(())
    }

    /// The region's administrators: for the regional admin only.
    pub async fn admins(&self, tenant: &Tenant, viewer: &Viewer) -> Result<Vec<User>> {
        Self::regional(viewer)?;
        Ok(accounts::admins(&self.db, tenant.id).await?)
    }

    fn regional(viewer: &Viewer) -> Result<()> {
        if viewer.user.role == Role::Regional {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// «Пригласить администратора»: a municipal admin (with their municipality) or a regional
    /// one, by the same rule as `navigator user add`; the mail carries the set-password link.
    pub async fn invite_admin(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        viewer: &Viewer,
        form: &AdminInvitation,
    ) -> Result<User> {
        Self::regional(viewer)?;
        let role = match form.role.as_str() {
            "municipal" => Role::Municipal,
            "regional" => Role::Regional,
            _ => {
                return Err(ServiceError::field(
                    "role",
                    "выберите роль: муниципальный или региональный администратор",
                ));
            }
        };
        let municipality = form.municipality.trim();
        let account = StaffAccount {
            email: form.email.clone(),
            role,
            organization: None,
            municipality: (role == Role::Municipal).then(|| municipality.to_owned()),
            last_name: form.last_name.clone(),
            first_name: form.first_name.clone(),
        };
        match self
            .accounts
            .add_staff(Some(tenant), sender, &account, Some(grantor(viewer)))
            .await
        {
            // The CLI's wording names its flags; the form names its fields.
            Err(ServiceError::Invalid(errors)) => Err(ServiceError::Invalid(
                errors
                    .into_iter()
                    .map(|e| match e.field {
                        "municipality" if municipality.is_empty() => {
                            FieldError::new("municipality", "выберите муниципалитет")
                        }
                        "municipality" => FieldError::new(
                            "municipality",
                            format!("муниципалитета «{municipality}» в регионе нет"),
                        ),
                        _ => e,
                    })
                    .collect(),
            )),
            other => other,
        }
    }

    /// Removes an administrator of the region, in one transaction: the role, the password
    /// and every session (the epoch moves on) go, every API token and unused link stops
    /// working. The last regional admin stays: a region without one could not be run.
    pub async fn remove_admin(&self, tenant: &Tenant, viewer: &Viewer, id: i64) -> Result<()> {
        Self::regional(viewer)?;
        let now = self.clock.now();
        // The region's write lock: two regional admins removing each other at once are
        // serialized, and the second is refused as the last one.
        let mut tx = begin_write(&self.db, tenant.id).await?;
        let user = accounts::user_by_id_in(&mut tx, tenant.id, id)
            .await?
            .filter(|u| matches!(u.role, Role::Municipal | Role::Regional))
            .ok_or(ServiceError::NotFound)?;
        if user.role == Role::Regional
            && accounts::count_regional_in(&mut tx, tenant.id).await? <= 1
        {
            return Err(ServiceError::Refused(
                "Нельзя удалить последнего регионального администратора: сначала пригласите \
                 другого, который продолжит вести регион."
                    .into(),
            ));
        }
        if !accounts::withdraw_admin(&mut tx, tenant.id, user.id, user.role, now).await? {
            return Err(ServiceError::NotFound);
        }
        let tokens = accounts::revoke_api_tokens_of(&mut tx, tenant.id, user.id, now).await?;
        for purpose in [
            accounts::TokenPurpose::ResetPassword,
            accounts::TokenPurpose::ConfirmEmail,
        ] {
            accounts::void_tokens(&mut tx, tenant.id, user.id, purpose, now).await?;
        }
        audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action: "role_remove",
                subject: &format!("user:{}", user.id),
                detail: &format!(
                    "{} {}<{}>; токенов отозвано: {tokens}",
                    user.role.as_str(),
                    user.municipality_id
                        .as_deref()
                        .map(|m| format!("{m} "))
                        .unwrap_or_default(),
                    user.email
                ),
                ip: viewer.ip(),
                organization: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(())
    }
}

/// A municipality's name, or its id when the region no longer lists it.
pub fn municipality_name(tenant: &Tenant, id: &str) -> String {
    tenant
        .config
        .municipality(id)
        .map_or_else(|| id.to_owned(), |m| m.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, inn: &str) -> Entry {
        Entry {
            id: 1,
            name: name.to_owned(),
            short_name: String::new(),
            inn: inn.to_owned(),
            ogrn: None,
            org_type: OrgType::Municipal,
            municipality_id: "smolensk".to_owned(),
            can_confirm: true,
            published: 0,
            staff: 1,
            created_at: String::new(),
            deactivated_at: None,
        }
    }

    #[test]
    fn search_by_name_in_any_case_or_by_inn_digits() {
        let e = entry("Дом творчества «Радуга»", "6731000000");
        let with = |q: &str| Filter {
            q: q.to_owned(),
            ..Filter::default()
        };
        assert!(with("радуга").admits(&e));
        assert!(with("  РАДУГА ").admits(&e));
        assert!(with("673100").admits(&e));
        assert!(!with("олимп").admits(&e));
        assert!(!with("999").admits(&e));
        let f = Filter {
            confirms: "no".into(),
            ..Filter::default()
        };
        assert!(!f.admits(&e));
        let f = Filter {
            published: "yes".into(),
            ..Filter::default()
        };
        assert!(!f.admits(&e));
        let f = Filter {
            state: "deactivated".into(),
            ..Filter::default()
        };
        assert!(!f.admits(&e));
    }
}
