//! Staff accounts made by an operator or administrator, or invited by their colleagues: no
//! password until the link mailed to them is followed. One rule for organization staff,
//! whoever asks (`navigator user add`, the admins' and the organization's cabinets, the API):
//! [`Accounts::invite_to_organization`].

use crate::db::DbError;
use crate::domain::{Email, FieldError};
use crate::mail::Sender;
use crate::regions::Tenant;
use crate::service_error::{FieldCheck, ServiceError};

use crate::accounts::store::{self, NewUser, User};
use crate::accounts::values::{PersonName, Role};
use crate::tenant_id::TenantId;

use super::{Accounts, SET_PASSWORD_LINK_TTL};

/// A colleague invited to an organization: what the invitation forms ask for.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Invitation {
    pub email: String,
    pub last_name: String,
    pub first_name: String,
}

/// Who grants access, for the audit log: the account and the request's address (none for
/// the CLI).
#[derive(Debug, Clone, Copy)]
pub struct Grantor<'a> {
    pub id: i64,
    pub ip: Option<&'a str>,
}

/// What `navigator user add` asks for.
#[derive(Debug, Clone)]
pub struct StaffAccount {
    pub email: String,
    pub role: Role,
    pub organization: Option<i64>,
    pub municipality: Option<String>,
    pub last_name: String,
    pub first_name: String,
}

impl Accounts {
    /// Creates a staff account (no password yet) and mails it a link to set one. `tenant` is
    /// `None` for a platform operator. Checks that the organization or municipality exists in
    /// the region and matches the role. `by` is the admin who invites (`None`: the CLI).
    ///
    /// An address whose account is a former staff member's (access removed: an organization's
    /// colleague or a removed admin) gets the role again with a new link; any other account
    /// keeps its role and the address is refused as taken.
    pub async fn add_staff(
        &self,
        tenant: Option<&Tenant>,
        sender: &Sender,
        account: &StaffAccount,
        by: Option<Grantor<'_>>,
    ) -> Result<User, ServiceError> {
        let mut check = FieldCheck::default();
        let email = check.field("email", Email::parse(&account.email));
        let last_name = check.field(
            "last_name",
            PersonName::parse(&account.last_name, "фамилию"),
        );
        let first_name = check.field("first_name", PersonName::parse(&account.first_name, "имя"));
        let role = account.role;
        match (role, tenant) {
            (Role::Operator, Some(_)) => check.0.push(FieldError::new(
                "region",
                "оператор платформы не принадлежит региону: не указывайте --region",
            )),
            (Role::Operator, None) => {}
            (_, None) => check
                .0
                .push(FieldError::new("region", "укажите регион (--region)")),
            (Role::Parent, _) => check.0.push(FieldError::new(
                "role",
                "родители регистрируются сами на сайте региона",
            )),
            _ => {}
        }
        if role == Role::Provider {
            match (account.organization, tenant) {
                (None, _) => check.0.push(FieldError::new(
                    "organization",
                    "укажите организацию (--organization ID)",
                )),
                (Some(id), Some(t))
                    if crate::catalog::store::organization(&self.db, t.id, id)
                        .await?
                        .is_none() =>
                {
                    check.0.push(FieldError::new(
                        "organization",
                        format!("организации {id} в регионе нет"),
                    ));
                }
                _ => {}
            }
        } else if account.organization.is_some() {
            check.0.push(FieldError::new(
                "organization",
                "организация указывается только для роли provider",
            ));
        }
        if role == Role::Municipal {
            match (&account.municipality, tenant) {
                (None, _) => check.0.push(FieldError::new(
                    "municipality",
                    "укажите муниципалитет (--municipality ID)",
                )),
                (Some(m), Some(t))
                    if !t.config.municipalities.iter().any(|x| x.id.as_str() == m) =>
                {
                    check.0.push(FieldError::new(
                        "municipality",
                        format!("муниципалитета «{m}» в регионе нет"),
                    ));
                }
                _ => {}
            }
        } else if account.municipality.is_some() {
            check.0.push(FieldError::new(
                "municipality",
                "муниципалитет указывается только для роли municipal",
            ));
        }
        check.done()?;
        if let (Role::Provider, Some(tenant), Some(organization)) =
            (role, tenant, account.organization)
        {
            let invitation = Invitation {
                email: account.email.clone(),
                last_name: account.last_name.clone(),
                first_name: account.first_name.clone(),
            };
            return self
                .invite_to_organization(tenant, sender, organization, &invitation, by)
                .await;
        }
        let (Some(email), Some(last_name), Some(first_name)) = (email, last_name, first_name)
        else {
            unreachable!("every field parsed when there are no errors");
        };
        let tenant_id = tenant.map_or(TenantId::PLATFORM, |t| t.id);
        let email = email.to_string();
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let new = NewUser {
            email: &email,
            password_hash: None,
            role,
            organization_id: account.organization,
            municipality_id: account.municipality.as_deref(),
            last_name: last_name.as_str(),
            first_name: first_name.as_str(),
            middle_name: None,
            phone: None,
            birth_date: None,
        };
        let taken =
            || ServiceError::field("email", format!("адрес {email} уже занят в этом регионе"));
        let id = match store::insert_user(&mut tx, tenant_id, &new, now).await? {
            Some(id) => id,
            None => {
                let former = store::user_by_email_in(&mut tx, tenant_id, &email)
                    .await?
                    .filter(|u| u.role == Role::Provider && u.organization_id.is_none())
                    .ok_or_else(taken)?;
                if !matches!(role, Role::Municipal | Role::Regional)
                    || !store::regrant_admin(
                        &mut tx,
                        tenant_id,
                        former.id,
                        role,
                        account.municipality.as_deref(),
                        now,
                    )
                    .await?
                {
                    return Err(taken());
                }
                former.id
            }
        };
        store::audit(
            &mut tx,
            tenant_id,
            &store::Audit {
                actor: by.map(|b| b.id),
                action: "role_grant",
                subject: &format!("user:{id}"),
                detail: &match &account.municipality {
                    Some(m) => format!("{} {m} <{email}>", role.as_str()),
                    None => format!("{} <{email}>", role.as_str()),
                },
                ip: by.and_then(|b| b.ip),
                organization: None,
                at: now,
            },
        )
        .await?;
        let user = store::user_by_id_in(&mut tx, tenant_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.send_password_link(
            &mut tx,
            sender,
            &user,
            "set_password",
            SET_PASSWORD_LINK_TTL,
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(user)
    }
}

impl Accounts {
    /// Gives `invitation`'s address access to `organization` of `tenant` and mails it a
    /// link to set a password (72 h). Whoever may invite has been checked by the caller.
    ///
    /// An address that has no account gets a new staff account. One that has:
    /// - a former colleague's (staff whose access was removed): access again, a new link;
    /// - staff of this organization: refused, they have access already;
    /// - staff of another organization, or any other role: refused, since one account has
    ///   one role and one organization, and taking it over would cut it off from its own.
    #[tracing::instrument(skip(self, tenant, sender, invitation), fields(tenant = %tenant.id))]
    pub async fn invite_to_organization(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        organization: i64,
        invitation: &Invitation,
        by: Option<Grantor<'_>>,
    ) -> Result<User, ServiceError> {
        let mut check = FieldCheck::default();
        let email = check.field("email", Email::parse(&invitation.email));
        let last_name = check.field(
            "last_name",
            PersonName::parse(&invitation.last_name, "фамилию"),
        );
        let first_name = check.field(
            "first_name",
            PersonName::parse(&invitation.first_name, "имя"),
        );
        check.done()?;
        let (Some(email), Some(last_name), Some(first_name)) = (email, last_name, first_name)
        else {
            unreachable!("every field parsed when there are no errors");
        };
        let email = email.to_string();
        let org = crate::catalog::store::organization(&self.db, tenant.id, organization)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let user = match store::user_by_email_in(&mut tx, tenant.id, &email).await? {
            None => {
                let new = NewUser {
                    email: &email,
                    password_hash: None,
                    role: Role::Provider,
                    organization_id: Some(organization),
                    municipality_id: None,
                    last_name: last_name.as_str(),
                    first_name: first_name.as_str(),
                    middle_name: None,
                    phone: None,
                    birth_date: None,
                };
                // A concurrent registration of the address wins the unique key: refused the
                // same way as an address that was taken before.
                let id = store::insert_user(&mut tx, tenant.id, &new, now)
                    .await?
                    .ok_or_else(|| taken(Role::Parent))?;
                store::user_by_id_in(&mut tx, tenant.id, id)
                    .await?
                    .ok_or(ServiceError::NotFound)?
            }
            Some(u) if u.role == Role::Provider && u.organization_id == Some(organization) => {
                return Err(ServiceError::field(
                    "email",
                    format!("у {email} уже есть доступ к кабинету организации"),
                ));
            }
            Some(u) if u.role == Role::Provider && u.organization_id.is_none() => {
                if !store::grant_organization(&mut tx, tenant.id, u.id, organization, now).await? {
                    return Err(taken(u.role));
                }
                store::user_by_id_in(&mut tx, tenant.id, u.id)
                    .await?
                    .ok_or(ServiceError::NotFound)?
            }
            Some(u) => return Err(taken(u.role)),
        };
        store::audit(
            &mut tx,
            tenant.id,
            &store::Audit {
                actor: by.map(|b| b.id),
                action: "staff.grant",
                // `organizations::subject`, spelled here because accounts come before
                // organizations: the line shows in the organization's history.
                subject: &format!("organization:{}", org.id),
                detail: &format!("{} <{}>", user.full_name(), user.email),
                ip: by.and_then(|b| b.ip),
                organization: Some(org.id),
                at: now,
            },
        )
        .await?;
        self.send_password_link(
            &mut tx,
            sender,
            &user,
            "set_password",
            SET_PASSWORD_LINK_TTL,
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(user)
    }
}

/// The refusal of an address that has an account which cannot become this organization's.
fn taken(role: Role) -> ServiceError {
    let message = match role {
        Role::Provider => {
            "этот адрес принадлежит сотруднику другой организации; пригласите сотрудника по \
             другому адресу"
        }
        _ => {
            "этот адрес уже занят учётной записью региона с другой ролью; у сотрудника \
             организации должен быть отдельный адрес"
        }
    };
    ServiceError::field("email", message)
}
