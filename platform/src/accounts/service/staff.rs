//! Staff accounts made by an operator or administrator: no password until the link mailed
//! to them is followed.

use crate::db::DbError;
use crate::domain::{Email, FieldError};
use crate::mail::Sender;
use crate::regions::Tenant;
use crate::service_error::{FieldCheck, ServiceError};

use crate::accounts::store::{self, NewUser, User};
use crate::accounts::values::{PersonName, Role};
use crate::tenant_id::TenantId;

use super::{Accounts, SET_PASSWORD_LINK_TTL};

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
    /// the region and matches the role.
    pub async fn add_staff(
        &self,
        tenant: Option<&Tenant>,
        sender: &Sender,
        account: &StaffAccount,
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
        let id = store::insert_user(&mut tx, tenant_id, &new, now)
            .await?
            .ok_or_else(|| {
                ServiceError::field("email", format!("адрес {email} уже занят в этом регионе"))
            })?;
        store::audit(
            &mut tx,
            tenant_id,
            &store::Audit {
                actor: None,
                action: "role_grant",
                subject: &format!("user:{id}"),
                detail: role.as_str(),
                ip: None,
                at: now,
            },
        )
        .await?;
        let user = User {
            tenant_id,
            id,
            email: email.clone(),
            email_confirmed: false,
            password_hash: None,
            role,
            organization_id: account.organization,
            municipality_id: account.municipality.clone(),
            last_name: last_name.as_str().to_owned(),
            first_name: first_name.as_str().to_owned(),
            middle_name: None,
            phone: None,
            birth_date: None,
            session_epoch: 0,
        };
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
