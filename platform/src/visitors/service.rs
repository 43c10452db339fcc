//! The desk's rules: which family a staff member may act for, and how. Everything a family
//! does online is done here through the same services, with the staff member at the desk
//! (`Viewer::at_desk`): the age, the enrollment window, one live application per group,
//! seats and the waitlist, certificate funds — nothing is checked twice or differently.
//! Every look at a child's data and every search is a row of the audit log.

use serde::Serialize;

use crate::accounts::assisted::{self, Assisted};
use crate::accounts::service::{taken_over, Accounts, DeskOutcome, VisitorForm};
use crate::accounts::sessions::Viewer;
use crate::accounts::store::{self as accounts, Audit, User};
use crate::accounts::values::parse_birth_date;
use crate::accounts::values::{Role, Snils};
use crate::applications::service::Applications;
use crate::applications::store::{self as applications, Application};
use crate::catalog::store::{self as catalog, Organization};
use crate::certificates::number::CertificateNumber;
use crate::certificates::service::{ineligibility, Certificates};
use crate::certificates::store::{self as certificates, Certificate, Status};
use crate::children::service::{ChildForm, SNILS_TAKEN};
use crate::children::store::{self as children, Child};
use crate::children::Children;
use crate::db::{Db, DbError};
use crate::domain::{Email, FieldError, Phone};
use crate::mail::Sender;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::time::{day_shown, Clock};

use super::store;

type Result<T> = std::result::Result<T, ServiceError>;

/// The desk, with the services whose rules it follows.
#[derive(Clone)]
pub struct Visitors {
    db: Db,
    clock: Clock,
    accounts: Accounts,
    children: Children,
    certificates: Certificates,
    applications: Applications,
}

/// A family the organization registered, in its list.
#[derive(Debug, Serialize)]
pub struct VisitorLine {
    pub id: i64,
    pub name: String,
    pub created: String,
    /// The parent has set their password: the account is theirs.
    pub taken_over: bool,
}

/// A family at the desk: the parent, the consent, the children, the applications.
#[derive(Debug, Serialize)]
pub struct VisitorCard {
    pub id: i64,
    pub name: String,
    pub form: VisitorForm,
    pub municipality: String,
    pub phone: String,
    pub email: String,
    pub email_confirmed: bool,
    pub created: String,
    pub consent: String,
    pub taken_over: bool,
    pub children: Vec<DeskChild>,
    pub applications: Vec<DeskApplication>,
}

#[derive(Debug, Serialize)]
pub struct DeskChild {
    pub id: i64,
    pub name: String,
    pub birth_date: String,
    pub snils: Option<String>,
    pub certificate: Option<DeskCertificate>,
    /// Why this child cannot have a certificate, instead of «Получить сертификат».
    pub ineligible: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DeskCertificate {
    pub id: i64,
    pub number: String,
    pub confirmed: bool,
    /// This organization may confirm the child's data now (authorized, same municipality).
    pub can_confirm: bool,
}

#[derive(Debug, Serialize)]
pub struct DeskApplication {
    pub id: i64,
    pub child: String,
    pub program: String,
    pub group: String,
    pub status_label: &'static str,
    pub in_person: bool,
}

/// A child found by certificate number, as much as the desk needs to record an application.
#[derive(Debug, Serialize)]
pub struct FoundChild {
    pub number: String,
    pub child: String,
    pub birth_date: String,
    pub confirmed: bool,
}

/// A group of the organization a walk-in application may go to.
#[derive(Debug, Serialize)]
pub struct GroupOption {
    pub id: i64,
    pub label: String,
}

/// What the printed заявление and согласие are filled with.
#[derive(Debug, Serialize)]
pub struct PrintView {
    pub number: i64,
    pub date: String,
    pub region: String,
    pub organization: String,
    pub organization_address: String,
    pub parent: String,
    pub parent_phone: String,
    pub parent_email: String,
    pub child: String,
    pub child_birth_date: String,
    pub child_snils: Option<String>,
    pub certificate: Option<String>,
    pub program: String,
    pub group: String,
    pub funding: String,
    pub in_person: bool,
    pub consent: Option<String>,
}

/// The desk's sign-in-link request: one of the three, as the refused form held it.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct SignInFor {
    pub email: String,
    pub phone: String,
    pub snils: String,
}

/// A group that is gone (unpublished, another region's id) is the group field's error.
fn group_gone(applied: Result<Application>) -> Result<Application> {
    match applied {
        Err(ServiceError::NotFound) => Err(ServiceError::field(
            "group",
            "такой группы нет среди открытых для записи",
        )),
        other => other,
    }
}

fn phone_shown(raw: Option<&str>) -> String {
    raw.and_then(|p| Phone::parse(p).ok())
        .map_or_else(String::new, |p| p.display())
}

fn consent_line(a: &Assisted) -> String {
    format!(
        "№ {} от {}, принял(а): {}",
        a.consent_number,
        day_shown(&a.consent_date),
        a.consent_taken_by
    )
}

impl Visitors {
    pub fn new(
        db: Db,
        clock: Clock,
        accounts: Accounts,
        children: Children,
        certificates: Certificates,
        applications: Applications,
    ) -> Self {
        Self {
            db,
            clock,
            accounts,
            children,
            certificates,
            applications,
        }
    }

    /// The staff member's organization, while it works, or no right to the desk.
    async fn organization(&self, tenant: &Tenant, staff: &Viewer) -> Result<Organization> {
        let id = staff.user.staff_org().ok_or(ServiceError::Forbidden)?;
        if !store::organization_works(&self.db, tenant.id, id).await? {
            return Err(ServiceError::Refused(
                "Организация деактивирована администраторами региона: приём заявителей закрыт."
                    .into(),
            ));
        }
        catalog::organization(&self.db, tenant.id, id)
            .await?
            .ok_or(ServiceError::Forbidden)
    }

    async fn audit(
        &self,
        tenant: &Tenant,
        staff: &Viewer,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<()> {
        self.audit_all(tenant, staff, action, &[subject.to_owned()], detail)
            .await
    }

    /// One audit row per subject, in one transaction (a card shows several children).
    async fn audit_all(
        &self,
        tenant: &Tenant,
        staff: &Viewer,
        action: &str,
        subjects: &[String],
        detail: &str,
    ) -> Result<()> {
        if subjects.is_empty() {
            return Ok(());
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        for subject in subjects {
            accounts::audit(
                &mut tx,
                tenant.id,
                &Audit {
                    actor: Some(staff.user.id),
                    action,
                    subject,
                    detail,
                    ip: staff.ip(),
                    organization: None,
                    at: now,
                },
            )
            .await?;
        }
        tx.commit().await.map_err(DbError::from)?;
        Ok(())
    }

    /// The families this organization registered, newest first.
    pub async fn list(&self, tenant: &Tenant, staff: &Viewer) -> Result<Vec<VisitorLine>> {
        let org = self.organization(tenant, staff).await?;
        Ok(assisted::of_organization(&self.db, tenant.id, org.id, 200)
            .await?
            .into_iter()
            .map(|(a, u)| VisitorLine {
                id: u.id,
                name: u.full_name(),
                created: crate::time::shown_in(&a.created_at, tenant.config.time_zone),
                taken_over: a.taken_over_at.is_some(),
            })
            .collect())
    }

    /// «Зарегистрировать заявителя»; a refusal for an address or phone registered already
    /// is audited as the search it was.
    pub async fn register(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        staff: &Viewer,
        form: &VisitorForm,
    ) -> Result<DeskOutcome> {
        self.organization(tenant, staff).await?;
        self.accounts.desk_lookup(tenant, staff).await?;
        let outcome = self
            .accounts
            .register_visitor(tenant, sender, staff, form)
            .await?;
        self.audit_refusal(tenant, staff, &outcome).await?;
        Ok(outcome)
    }

    /// A registration or correction refused for what is registered already is a search of
    /// the region: audited.
    async fn audit_refusal(
        &self,
        tenant: &Tenant,
        staff: &Viewer,
        outcome: &DeskOutcome,
    ) -> Result<()> {
        if let DeskOutcome::AlreadyRegistered(taken) = outcome {
            let what: Vec<&str> = taken.iter().map(|t| t.message()).collect();
            self.audit(tenant, staff, "visitor_search", "", &what.join(" "))
                .await?;
        }
        Ok(())
    }

    /// The account this organization made, for the desk: `editable` asks that the parent
    /// has not taken it over yet.
    async fn own_visitor(
        &self,
        tenant: &Tenant,
        staff: &Viewer,
        user_id: i64,
        editable: bool,
    ) -> Result<(Assisted, User)> {
        let org = self.organization(tenant, staff).await?;
        let row = assisted::of_user(&self.db, tenant.id, user_id)
            .await?
            .filter(|a| a.organization_id == org.id)
            .ok_or(ServiceError::NotFound)?;
        if editable && row.taken_over_at.is_some() {
            return Err(taken_over());
        }
        let user = accounts::user_by_id(&self.db, tenant.id, user_id)
            .await?
            .filter(|u| u.role == Role::Parent)
            .ok_or(ServiceError::NotFound)?;
        Ok((row, user))
    }

    /// The parent's name, for the pages of a family this organization registered.
    pub async fn family_name(
        &self,
        tenant: &Tenant,
        staff: &Viewer,
        user_id: i64,
    ) -> Result<String> {
        let (_, user) = self.own_visitor(tenant, staff, user_id, false).await?;
        Ok(user.full_name())
    }

    /// The staff member acting for a family this organization registered, not taken over.
    async fn desk_for(&self, tenant: &Tenant, staff: &Viewer, user_id: i64) -> Result<Viewer> {
        let (_, user) = self.own_visitor(tenant, staff, user_id, true).await?;
        staff.at_desk(user)
    }

    /// The family's card; each child shown is a view of their data in the audit log.
    pub async fn card(&self, tenant: &Tenant, staff: &Viewer, user_id: i64) -> Result<VisitorCard> {
        let org = self.organization(tenant, staff).await?;
        let (row, user) = self.own_visitor(tenant, staff, user_id, false).await?;
        let taken_over = row.taken_over_at.is_some();
        let kids = children::children(&self.db, tenant.id, user.id).await?;
        let certs = certificates::of_parent(&self.db, tenant.id, user.id).await?;
        let today = tenant.today(&self.clock);
        let mut shown = Vec::with_capacity(kids.len());
        // Once the parent took the account over, its data is theirs: the card keeps only what
        // the organization recorded.
        for c in kids.iter().filter(|_| !taken_over) {
            let cert = certs.iter().find(|x| x.child_id == c.id);
            shown.push(DeskChild {
                id: c.id,
                name: c.full_name(),
                birth_date: day_shown(&c.birth_date),
                snils: c.snils_shown(),
                certificate: cert.map(|x| DeskCertificate {
                    id: x.id,
                    number: x.number.clone(),
                    confirmed: x.status == Status::Confirmed,
                    can_confirm: x.status != Status::Confirmed
                        && org.can_confirm
                        && org.municipality_id == x.municipality_id,
                }),
                ineligible: match cert {
                    Some(_) => None,
                    None => ineligibility(tenant, &c.birth_date, today),
                },
            });
        }
        let viewed: Vec<String> = shown.iter().map(|c| format!("child:{}", c.id)).collect();
        self.audit_all(
            tenant,
            staff,
            "child_data_view",
            &viewed,
            "приём заявителя: карточка семьи",
        )
        .await?;
        let mut apps = Vec::new();
        for a in applications::of_parent(&self.db, tenant.id, user.id).await? {
            if a.organization_id != org.id {
                // Applications elsewhere are the family's own business.
                continue;
            }
            apps.push(self.desk_application(tenant, &kids, a).await?);
        }
        let municipality = user.municipality_id.clone().unwrap_or_default();
        if taken_over {
            return Ok(VisitorCard {
                id: user.id,
                name: user.full_name(),
                form: VisitorForm::default(),
                municipality: String::new(),
                phone: String::new(),
                email: String::new(),
                email_confirmed: user.email_confirmed,
                created: crate::time::shown_in(&row.created_at, tenant.config.time_zone),
                consent: consent_line(&row),
                taken_over,
                children: shown,
                applications: apps,
            });
        }
        Ok(VisitorCard {
            id: user.id,
            name: user.full_name(),
            form: VisitorForm {
                municipality: municipality.clone(),
                last_name: user.last_name.clone(),
                first_name: user.first_name.clone(),
                middle_name: user.middle_name.clone().unwrap_or_default(),
                phone: phone_shown(user.phone.as_deref()),
                email: user.email.clone(),
                ..VisitorForm::default()
            },
            municipality: tenant
                .config
                .municipality(&municipality)
                .map_or(municipality.clone(), |m| m.name.clone()),
            phone: phone_shown(user.phone.as_deref()),
            email: user.email.clone(),
            email_confirmed: user.email_confirmed,
            created: crate::time::shown_in(&row.created_at, tenant.config.time_zone),
            consent: consent_line(&row),
            taken_over,
            children: shown,
            applications: apps,
        })
    }

    async fn desk_application(
        &self,
        tenant: &Tenant,
        kids: &[Child],
        a: Application,
    ) -> Result<DeskApplication> {
        let program = catalog::program_title(&self.db, tenant.id, a.program_id).await?;
        let group = catalog::group(&self.db, tenant.id, a.group_id).await?;
        Ok(DeskApplication {
            id: a.id,
            child: kids
                .iter()
                .find(|c| c.id == a.child_id)
                .map(Child::full_name)
                .unwrap_or_default(),
            program: program.unwrap_or_default(),
            group: group.map(|g| g.name).unwrap_or_default(),
            status_label: a.status.label(),
            in_person: a.in_person,
        })
    }

    /// Corrects the parent's data, until they take the account over.
    pub async fn edit(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        staff: &Viewer,
        user_id: i64,
        form: &VisitorForm,
    ) -> Result<DeskOutcome> {
        self.own_visitor(tenant, staff, user_id, true).await?;
        self.accounts.desk_lookup(tenant, staff).await?;
        let outcome = self
            .accounts
            .edit_visitor(tenant, sender, staff, user_id, form)
            .await?;
        self.audit_refusal(tenant, staff, &outcome).await?;
        Ok(outcome)
    }

    /// «Отправить письмо ещё раз».
    pub async fn resend(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        staff: &Viewer,
        user_id: i64,
    ) -> Result<()> {
        self.accounts
            .resend_visitor_link(tenant, sender, staff, user_id)
            .await
    }

    /// «+ Добавить ребёнка» for the family at the desk (a СНИЛС registered already refused).
    pub async fn add_child(
        &self,
        tenant: &Tenant,
        staff: &Viewer,
        user_id: i64,
        form: &ChildForm,
    ) -> Result<i64> {
        let desk = self.desk_for(tenant, staff, user_id).await?;
        self.accounts.desk_lookup(tenant, staff).await?;
        let saved = self.children.save(tenant, &desk, None, form).await;
        if let Err(ServiceError::Invalid(errors)) = &saved {
            if errors.iter().any(|e| e.message == SNILS_TAKEN) {
                self.audit(
                    tenant,
                    staff,
                    "visitor_search",
                    &format!("user:{user_id}"),
                    "СНИЛС ребёнка уже зарегистрирован",
                )
                .await?;
            }
        }
        saved
    }

    /// «Получить сертификат» for a child of the family at the desk.
    pub async fn issue(
        &self,
        tenant: &Tenant,
        staff: &Viewer,
        user_id: i64,
        child_id: i64,
    ) -> Result<Certificate> {
        let desk = self.desk_for(tenant, staff, user_id).await?;
        self.certificates.issue(tenant, &desk, child_id).await
    }

    /// «Подтвердить данные»: the documents are on the desk; only an authorized organization
    /// of the certificate's municipality may.
    pub async fn confirm(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        staff: &Viewer,
        user_id: i64,
        child_id: i64,
    ) -> Result<()> {
        let org = self.organization(tenant, staff).await?;
        let (_, user) = self.own_visitor(tenant, staff, user_id, false).await?;
        let cert = certificates::of_parent(&self.db, tenant.id, user.id)
            .await?
            .into_iter()
            .find(|c| c.child_id == child_id)
            .ok_or_else(|| ServiceError::Refused("Сначала получите сертификат.".into()))?;
        if !org.can_confirm {
            return Err(ServiceError::Refused(
                "Организация не уполномочена подтверждать данные детей: это делает \
                 уполномоченная организация муниципалитета (см. «Помощь»)."
                    .into(),
            ));
        }
        if org.municipality_id != cert.municipality_id {
            return Err(ServiceError::Refused(
                "Сертификат ребёнка выдан в другом муниципалитете: данные подтверждает \
                 уполномоченная организация того муниципалитета."
                    .into(),
            ));
        }
        self.certificates
            .decide(tenant, sender, staff, cert.id, None)
            .await
    }

    /// A walk-in application for a child of the family at the desk.
    pub async fn apply(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        staff: &Viewer,
        user_id: i64,
        child_id: i64,
        group_id: i64,
    ) -> Result<Application> {
        let desk = self.desk_for(tenant, staff, user_id).await?;
        group_gone(
            self.applications
                .apply(tenant, sender, &desk, group_id, child_id)
                .await,
        )
    }

    /// A child by certificate number and birth date (the family is at the desk with the
    /// documents; the number alone, a sequence, would let anyone list the region's
    /// children), anywhere in the region: audited, found or not.
    async fn by_number(
        &self,
        tenant: &Tenant,
        staff: &Viewer,
        number: &str,
        birth_date: &str,
    ) -> Result<(CertificateNumber, Certificate, Child, User)> {
        self.organization(tenant, staff).await?;
        let mut check = crate::service_error::FieldCheck::default();
        let number = check.field("number", CertificateNumber::parse(number));
        let born = check.field(
            "birth_date",
            parse_birth_date(birth_date, tenant.today(&self.clock)),
        );
        check.done()?;
        let (Some(number), Some(born)) = (number, born) else {
            unreachable!("both parsed when there are no errors");
        };
        self.accounts.desk_lookup(tenant, staff).await?;
        let found = store::certificate_by_number(&self.db, tenant.id, number.as_str()).await?;
        let subject = match found {
            Some((_, child, _)) => format!("child:{child}"),
            None => format!("certificate:{}", number.as_str()),
        };
        self.audit(
            tenant,
            staff,
            "child_data_view",
            &subject,
            &format!(
                "приём заявителя: поиск по номеру сертификата {}",
                number.as_str()
            ),
        )
        .await?;
        let not_found = || {
            ServiceError::Invalid(vec![FieldError::new(
                "number",
                "сертификата с таким номером и датой рождения ребёнка в навигаторе региона нет",
            )])
        };
        let (id, child_id, parent_id) = found.ok_or_else(not_found)?;
        let cert = certificates::by_id(&self.db, tenant.id, id)
            .await?
            .ok_or_else(not_found)?;
        let child = children::child_of(&self.db, tenant.id, parent_id, child_id)
            .await?
            .filter(|c| c.birth_date == born.to_string())
            .ok_or_else(not_found)?;
        let parent = accounts::user_by_id(&self.db, tenant.id, parent_id)
            .await?
            .ok_or_else(not_found)?;
        Ok((number, cert, child, parent))
    }

    /// «Найти по номеру сертификата».
    pub async fn find(
        &self,
        tenant: &Tenant,
        staff: &Viewer,
        number: &str,
        birth_date: &str,
    ) -> Result<FoundChild> {
        let (number, cert, child, _) = self.by_number(tenant, staff, number, birth_date).await?;
        Ok(FoundChild {
            number: number.as_str().to_owned(),
            child: child.full_name(),
            birth_date: day_shown(&child.birth_date),
            confirmed: cert.status == Status::Confirmed,
        })
    }

    /// A walk-in application for the child with this certificate number.
    pub async fn apply_by_number(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        staff: &Viewer,
        number: &str,
        birth_date: &str,
        group_id: i64,
    ) -> Result<Application> {
        let (_, _, child, parent) = self.by_number(tenant, staff, number, birth_date).await?;
        let desk = staff.at_desk(parent)?;
        group_gone(
            self.applications
                .apply(tenant, sender, &desk, group_id, child.id)
                .await,
        )
    }

    /// The groups of this organization open for applications today.
    pub async fn groups(&self, tenant: &Tenant, staff: &Viewer) -> Result<Vec<GroupOption>> {
        let org = self.organization(tenant, staff).await?;
        let today = tenant.today(&self.clock);
        let mut out = Vec::new();
        for program in catalog::published_programs_of(&self.db, tenant.id, org.id).await? {
            for group in catalog::groups_of(&self.db, tenant.id, program.id).await? {
                if group.enrollment_open(today) && !group.study_ended(today) {
                    out.push(GroupOption {
                        id: group.id,
                        label: format!("{} — {}", program.title, group.name),
                    });
                }
            }
        }
        Ok(out)
    }

    /// «Отправить ссылку для входа» to whoever owns the address, phone or child's СНИЛС the
    /// desk was refused for; the desk is told the same whether or not there is one.
    pub async fn sign_in_link(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        staff: &Viewer,
        asked: &SignInFor,
    ) -> Result<()> {
        let org = self.organization(tenant, staff).await?;
        let mut tx = self.db.begin().await?;
        let owner = if let Ok(email) = Email::parse(&asked.email) {
            accounts::user_by_email_in(&mut tx, tenant.id, &email.to_string())
                .await?
                .map(|u| u.id)
        } else if let Ok(phone) = Phone::parse(&asked.phone) {
            assisted::phone_owner(&mut tx, tenant.id, phone.as_e164(), None).await?
        } else if let Ok(snils) = Snils::parse(&asked.snils) {
            children::snils_owner(&mut tx, tenant.id, snils.digits(), None).await?
        } else {
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "email",
                "укажите адрес электронной почты, телефон или СНИЛС ребёнка",
            )]));
        };
        tx.commit().await.map_err(DbError::from)?;
        self.audit(
            tenant,
            staff,
            "visitor_search",
            &format!("organization:{}", org.id),
            "ссылка для входа владельцу учётной записи",
        )
        .await?;
        self.accounts
            .send_desk_sign_in(tenant, sender, staff, owner)
            .await
    }

    /// The заявление and согласие of an application to this organization, for signature
    /// (a view of the child's data: audited).
    pub async fn print(&self, tenant: &Tenant, staff: &Viewer, id: i64) -> Result<PrintView> {
        let org = self.organization(tenant, staff).await?;
        let app = applications::by_id(&self.db, tenant.id, id)
            .await?
            .filter(|a| a.organization_id == org.id)
            .ok_or(ServiceError::NotFound)?;
        let parent = accounts::user_by_id(&self.db, tenant.id, app.parent_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let child = children::child_of(&self.db, tenant.id, app.parent_id, app.child_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let cert = certificates::of_parent(&self.db, tenant.id, parent.id)
            .await?
            .into_iter()
            .find(|c| c.child_id == child.id);
        let consent = assisted::of_user(&self.db, tenant.id, parent.id)
            .await?
            .map(|a| consent_line(&a));
        let program = catalog::program_title(&self.db, tenant.id, app.program_id).await?;
        let group = catalog::group(&self.db, tenant.id, app.group_id).await?;
        self.audit(
            tenant,
            staff,
            "child_data_view",
            &format!("child:{}", child.id),
            &format!("печать заявления по заявке {id}"),
        )
        .await?;
        Ok(PrintView {
            number: app.id,
            date: crate::time::shown_in(&app.created_at, tenant.config.time_zone)
                .get(..10)
                .unwrap_or_default()
                .to_owned(),
            region: tenant.config.name.clone(),
            organization: org.name.clone(),
            organization_address: org.address.clone(),
            parent: parent.full_name(),
            parent_phone: phone_shown(parent.phone.as_deref()),
            parent_email: parent.email.clone(),
            child: child.full_name(),
            child_birth_date: day_shown(&child.birth_date),
            child_snils: child.snils_shown(),
            certificate: cert.map(|c| c.number),
            program: program.unwrap_or_default(),
            group: group.map(|g| g.name).unwrap_or_default(),
            funding: crate::applications::views::funding_label(&app.funding).to_owned(),
            in_person: app.in_person,
            consent,
        })
    }
}
