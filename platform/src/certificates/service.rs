//! The certificate rules, whichever face asks: issuing a сертификат учёта, in-person
//! confirmation by an authorized organization, the application for the period's nominal,
//! and the municipal settings. Every staff look at a child's data is audited.

use chrono::NaiveDate;

use crate::accounts::sessions::Viewer;
use crate::accounts::store::{self as accounts};
use crate::accounts::values::age_on;
use crate::catalog::store::{self as catalog, Organization};
use crate::db::{DbError, Tx};
use crate::domain::FieldError;
use crate::mail::Sender;
use crate::regions::Tenant;
use crate::service_error::ServiceError;

use super::number::CertificateNumber;
use super::store::{self, Certificate, Movement, StaffView, Status};
use crate::db::Db;
use crate::mail::Outbox;
use crate::tenant_id::TenantId;
use crate::time::Clock;

/// Certificates: issuing, the in-person confirmation of a child's data, financing. Holds
/// what these rules use, and nothing else.
#[derive(Clone)]
pub struct Certificates {
    db: Db,
    outbox: Outbox,
    clock: Clock,
}

impl Certificates {
    pub fn new(db: Db, outbox: Outbox, clock: Clock) -> Self {
        Self { db, outbox, clock }
    }
}

type Result<T> = std::result::Result<T, ServiceError>;

fn refused<T>(message: impl Into<String>) -> Result<T> {
    Err(ServiceError::Refused(message.into()))
}

/// The financing period: the region's calendar year.
pub fn current_period(today: NaiveDate) -> i64 {
    use chrono::Datelike;
    i64::from(today.year())
}

/// Why a child of this birth date cannot have a certificate, if they cannot.
pub fn ineligibility(tenant: &Tenant, birth_date: &str, today: NaiveDate) -> Option<String> {
    let policy = &tenant.config.certificates;
    if !policy.enabled {
        return Some("В регионе сертификаты пока не выдаются.".into());
    }
    let born = NaiveDate::parse_from_str(birth_date, "%Y-%m-%d").ok()?;
    let age = age_on(born, today);
    let (min, max) = (u32::from(policy.min_age), u32::from(policy.max_age));
    if age < min {
        Some(format!(
            "Сертификат выдаётся детям от {min} до {max} лет: получить его можно, когда ребёнку исполнится {min}."
        ))
    } else if age >= max {
        Some(format!(
            "Сертификат выдаётся детям от {min} до {max} лет: ребёнку уже исполнилось {max}."
        ))
    } else {
        None
    }
}

/// The default nominal and budget of a municipality, in kopecks, from the region config.
pub fn period_defaults(tenant: &Tenant, municipality: &str) -> (i64, i64) {
    let c = &tenant.config;
    match c.municipality(municipality) {
        Some(m) => (
            i64::from(c.nominal_rub(m)) * 100,
            c.budget_rub(m) as i64 * 100,
        ),
        None => (i64::from(c.certificates.nominal_rub) * 100, 0),
    }
}

impl Certificates {
    /// «Получить сертификат»: issues the registry number at once (or returns the child's).
    pub async fn issue(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        child_id: i64,
    ) -> Result<Certificate> {
        let user = viewer.parent()?;
        let child = crate::children::store::child_of(&self.db, tenant.id, user.id, child_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        // At the desk the parent is present with their documents and signed the consent on
        // paper; the address is confirmed when they take the account over.
        if !user.email_confirmed && viewer.desk().is_none() {
            return refused("Подтвердите адрес электронной почты: перейдите по ссылке из письма, отправленного при регистрации.");
        }
        if let Some(reason) = ineligibility(tenant, &child.birth_date, tenant.today(&self.clock)) {
            return refused(reason);
        }
        let municipality = user
            .municipality_id
            .clone()
            .or_else(|| {
                tenant
                    .config
                    .municipalities
                    .first()
                    .map(|m| m.id.as_str().to_owned())
            })
            .unwrap_or_default();
        let mut tx = self.db.begin().await?;
        let issued = store::issue(
            &mut tx,
            tenant.id,
            tenant.config.code,
            child.id,
            user.id,
            &municipality,
            self.clock.now(),
        )
        .await?;
        if let Some(id) = issued {
            accounts::audit(
                &mut tx,
                tenant.id,
                &crate::accounts::store::Audit {
                    actor: Some(viewer.actor()),
                    action: "certificate_issue",
                    subject: &format!("certificate:{id}"),
                    detail: &format!("child:{}", child.id),
                    ip: viewer.ip(),
                    organization: None,
                    at: self.clock.now(),
                },
            )
            .await?;
        }
        tx.commit().await.map_err(DbError::from)?;
        self.certificate_of_child(tenant.id, user.id, child.id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    pub async fn certificate_of_child(
        &self,
        tenant: TenantId,
        parent: i64,
        child: i64,
    ) -> Result<Option<Certificate>> {
        Ok(store::of_parent(&self.db, tenant, parent)
            .await?
            .into_iter()
            .find(|c| c.child_id == child))
    }

    /// «Заявление на начисление номинала» for the current period: granted at once while the
    /// municipality's budget has room, first come first served; refused with the reason
    /// otherwise. Returns the amount credited, in kopecks.
    pub async fn apply_for_funding(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        child_id: i64,
    ) -> Result<i64> {
        let user = viewer.parent()?;
        let cert = self
            .certificate_of_child(tenant.id, user.id, child_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if cert.status != Status::Confirmed {
            return refused("Сначала подтвердите данные ребёнка в уполномоченной организации.");
        }
        let year = current_period(tenant.today(&self.clock));
        if store::balance(&self.db, tenant.id, cert.id, year)
            .await?
            .is_some_and(|b| b.credited > 0)
        {
            return refused(format!("Номинал на {year} год уже начислен."));
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        store::ensure_period(
            &mut tx,
            tenant.id,
            &cert.municipality_id,
            year,
            period_defaults(tenant, &cert.municipality_id),
            now,
        )
        .await?;
        let nominal = sqlx::query_scalar::<_, i64>(
            "SELECT nominal FROM financing_periods WHERE tenant_id = $1 AND municipality_id = $2 \
             AND period = $3",
        )
        .bind(tenant.id)
        .bind(&cert.municipality_id)
        .bind(year)
        .fetch_one(&mut *tx)
        .await
        .map_err(DbError::from)?;
        // Re-checked inside the transaction: two applications for one certificate at once
        // must not both be credited.
        let already = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM certificate_ledger WHERE tenant_id = $1 AND certificate_id = $2 \
             AND period = $3 AND kind = 'credit'",
        )
        .bind(tenant.id)
        .bind(cert.id)
        .bind(year)
        .fetch_one(&mut *tx)
        .await
        .map_err(DbError::from)?;
        if already > 0 {
            return refused(format!("Номинал на {year} год уже начислен."));
        }
        if nominal <= 0
            || !store::grant(&mut tx, tenant.id, &cert.municipality_id, year, nominal).await?
        {
            return refused(format!(
                "Бюджет муниципалитета на {year} год исчерпан: номинал начислить нельзя. \
                 Обратитесь к муниципальному администратору."
            ));
        }
        if !store::record(
            &mut tx,
            tenant.id,
            cert.id,
            year,
            Movement::Credit,
            nominal,
            &format!("Номинал на {year} год по заявлению"),
            Some(user.id),
            now,
        )
        .await?
        {
            return refused(format!("Номинал на {year} год уже начислен."));
        }
        accounts::audit(
            &mut tx,
            tenant.id,
            &crate::accounts::store::Audit {
                actor: Some(user.id),
                action: "certificate_credit",
                subject: &format!("certificate:{}", cert.id),
                detail: &format!("{nominal} коп., {year}"),
                ip: viewer.ip(),
                organization: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(nominal)
    }

    /// The organization of a staff member, if it may confirm children's data.
    pub async fn confirming_org(&self, tenant: &Tenant, viewer: &Viewer) -> Result<Organization> {
        let org_id = viewer.user.staff_org().ok_or(ServiceError::Forbidden)?;
        let org = catalog::organization(&self.db, tenant.id, org_id)
            .await?
            .ok_or(ServiceError::Forbidden)?;
        if !org.can_confirm {
            return Err(ServiceError::Forbidden);
        }
        Ok(org)
    }

    /// Staff of an authorized organization find children of their municipality; every child
    /// shown is a row in the audit log.
    pub async fn staff_search(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        query: &StaffQuery,
    ) -> Result<Vec<StaffView>> {
        let org = self.confirming_org(tenant, viewer).await?;
        let found = if !query.number.trim().is_empty() {
            let number = CertificateNumber::parse(&query.number)
                .map_err(|m| ServiceError::Invalid(vec![FieldError::new("number", m)]))?;
            store::find_for_staff(
                &self.db,
                tenant.id,
                &org.municipality_id,
                Some(number.as_str()),
                None,
            )
            .await?
        } else {
            let mut errors = Vec::new();
            if query.last_name.trim().is_empty() {
                errors.push(FieldError::new(
                    "last_name",
                    "укажите фамилию ребёнка или номер сертификата",
                ));
            }
            if query.first_name.trim().is_empty() {
                errors.push(FieldError::new("first_name", "укажите имя ребёнка"));
            }
            let birth = crate::accounts::values::parse_birth_date(
                &query.birth_date,
                tenant.today(&self.clock),
            );
            if let Err(m) = &birth {
                errors.push(FieldError::new("birth_date", m.clone()));
            }
            if !errors.is_empty() {
                return Err(ServiceError::Invalid(errors));
            }
            let birth = birth.expect("checked above").to_string();
            store::find_for_staff(
                &self.db,
                tenant.id,
                &org.municipality_id,
                None,
                Some((query.last_name.trim(), query.first_name.trim(), &birth)),
            )
            .await?
        };
        if !found.is_empty() {
            let mut tx = self.db.begin().await?;
            for view in &found {
                audit_view(&mut tx, tenant.id, viewer, view, "поиск", self.clock.now()).await?;
            }
            tx.commit().await.map_err(DbError::from)?;
        }
        Ok(found)
    }

    /// One certificate with the child's data, for staff (audited).
    pub async fn staff_open(&self, tenant: &Tenant, viewer: &Viewer, id: i64) -> Result<StaffView> {
        let org = self.confirming_org(tenant, viewer).await?;
        let view = store::staff_view_by_id(&self.db, tenant.id, id)
            .await?
            .filter(|v| v.certificate.municipality_id == org.municipality_id)
            .ok_or(ServiceError::NotFound)?;
        let mut tx = self.db.begin().await?;
        audit_view(
            &mut tx,
            tenant.id,
            viewer,
            &view,
            "просмотр",
            self.clock.now(),
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(view)
    }

    /// «Подтвердить данные» (`reject: None`) or a refusal with its reason; the parent is
    /// notified by mail either way.
    pub async fn decide(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        viewer: &Viewer,
        id: i64,
        reject: Option<&str>,
    ) -> Result<()> {
        let org = self.confirming_org(tenant, viewer).await?;
        let view = store::staff_view_by_id(&self.db, tenant.id, id)
            .await?
            .filter(|v| v.certificate.municipality_id == org.municipality_id)
            .ok_or(ServiceError::NotFound)?;
        if let Some(reason) = reject {
            if let Err(m) = crate::domain::plain_text(reason, 500) {
                return Err(ServiceError::Invalid(vec![FieldError::new("reason", m)]));
            }
            if reason.trim().is_empty() {
                return Err(ServiceError::Invalid(vec![FieldError::new(
                    "reason",
                    "укажите причину: что не совпало с документами",
                )]));
            }
        }
        if view.certificate.status == Status::Confirmed {
            return refused("Данные этого ребёнка уже подтверждены.");
        }
        let parent = accounts::user_by_id(&self.db, tenant.id, view.certificate.parent_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let (applied, action, kind) = match reject {
            None => (
                store::set_confirmed(&mut tx, tenant.id, id, viewer.user.id, now).await?,
                "child_data_confirm",
                "certificate_confirmed",
            ),
            Some(reason) => (
                store::set_rejected(&mut tx, tenant.id, id, reason.trim()).await?,
                "child_data_reject",
                "certificate_rejected",
            ),
        };
        if !applied {
            return refused("Данные этого ребёнка уже подтверждены.");
        }
        accounts::audit(
            &mut tx,
            tenant.id,
            &crate::accounts::store::Audit {
                actor: Some(viewer.user.id),
                action,
                subject: &format!("child:{}", view.certificate.child_id),
                detail: &format!(
                    "certificate {}; {}",
                    view.certificate.number,
                    reject.unwrap_or("")
                ),
                ip: viewer.ip(),
                organization: None,
                at: now,
            },
        )
        .await?;
        // Notifications go only to confirmed addresses.
        if parent.email_confirmed {
            self.outbox
                .enqueue(
                    &mut tx,
                    sender,
                    kind,
                    &parent.email,
                    minijinja::context! {
                        name => &parent.first_name,
                        child => format!("{} {}", view.child_last_name, view.child_first_name),
                        number => &view.certificate.number,
                        organization => &org.name,
                        phone => &org.phone,
                        address => &org.address,
                        reason => reject.map(str::trim),
                        url => format!("{}/cabinet", sender.base_url),
                    },
                )
                .await?;
        }
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(())
    }

    /// A municipal admin marks an organization of the municipality as authorized to confirm
    /// children's data (or takes it back).
    pub async fn authorize(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        organization: i64,
        can: bool,
    ) -> Result<()> {
        let municipality = municipal(viewer)?;
        // A catalog write (the organization's row): through the catalog's seam, so the
        // search index, cached results and `sitegen` follow.
        let mut tx = crate::catalog::store::begin_write(&self.db, tenant.id).await?;
        if !store::set_can_confirm(&mut tx, tenant.id, &municipality, organization, can).await? {
            return Err(ServiceError::NotFound);
        }
        crate::catalog::store::bump_version(&mut tx, tenant.id).await?;
        accounts::audit(
            &mut tx,
            tenant.id,
            &crate::accounts::store::Audit {
                actor: Some(viewer.user.id),
                action: if can {
                    "organization_authorize"
                } else {
                    "organization_unauthorize"
                },
                subject: &crate::organizations::subject(organization),
                detail: &municipality,
                ip: viewer.ip(),
                organization: Some(organization),
                at: self.clock.now(),
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(())
    }

    /// A municipal admin sets the nominal and the budget of a period; the budget cannot fall
    /// below what has been granted already.
    pub async fn set_period(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        form: &PeriodForm,
    ) -> Result<()> {
        let municipality = municipal(viewer)?;
        let mut errors = Vec::new();
        let this_year = current_period(tenant.today(&self.clock));
        let year = match form.period.trim().parse::<i64>() {
            Ok(y) if (this_year - 1..=this_year + 1).contains(&y) => Some(y),
            _ => {
                errors.push(FieldError::new(
                    "period",
                    format!("период — год от {} до {}", this_year - 1, this_year + 1),
                ));
                None
            }
        };
        let rub = |field: &'static str, raw: &str, errors: &mut Vec<FieldError>| match raw
            .trim()
            .replace([' ', '\u{a0}'], "")
            .parse::<i64>()
        {
            Ok(v) if (0..=10_000_000_000).contains(&v) => Some(v * 100),
            _ => {
                errors.push(FieldError::new(
                    field,
                    "укажите сумму в рублях, целым числом",
                ));
                None
            }
        };
        let nominal = rub("nominal_rub", &form.nominal_rub, &mut errors);
        let budget = rub("budget_rub", &form.budget_rub, &mut errors);
        let (Some(year), Some(nominal), Some(budget)) = (year, nominal, budget) else {
            return Err(ServiceError::Invalid(errors));
        };
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        store::ensure_period(
            &mut tx,
            tenant.id,
            &municipality,
            year,
            period_defaults(tenant, &municipality),
            now,
        )
        .await?;
        if !store::set_period(
            &mut tx,
            tenant.id,
            &municipality,
            year,
            nominal,
            budget,
            now,
        )
        .await?
        {
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "budget_rub",
                "бюджет не может быть меньше уже начисленных номиналов",
            )]));
        }
        accounts::audit(
            &mut tx,
            tenant.id,
            &crate::accounts::store::Audit {
                actor: Some(viewer.user.id),
                action: "financing_period_set",
                subject: &format!("municipality:{municipality}"),
                detail: &format!("{year}: номинал {nominal} коп., бюджет {budget} коп."),
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

/// What staff search by: a number, or a name with the birth date.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct StaffQuery {
    pub number: String,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: String,
}

async fn audit_view(
    tx: &mut Tx,
    tenant: TenantId,
    viewer: &Viewer,
    view: &StaffView,
    how: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    accounts::audit(
        tx,
        tenant,
        &crate::accounts::store::Audit {
            actor: Some(viewer.user.id),
            action: "child_data_view",
            subject: &format!("child:{}", view.certificate.child_id),
            detail: &format!("certificate {} ({how})", view.certificate.number),
            ip: viewer.ip(),
            organization: None,
            at: now,
        },
    )
    .await?;
    Ok(())
}

fn municipal(viewer: &Viewer) -> Result<String> {
    viewer
        .user
        .admin_municipality()
        .map(str::to_owned)
        .ok_or(ServiceError::Forbidden)
}

/// The period form as typed (roubles).
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct PeriodForm {
    pub period: String,
    pub nominal_rub: String,
    pub budget_rub: String,
}
