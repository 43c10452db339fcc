//! Registration and the confirmation of the address.

use crate::db::{DbError, Tx};
use crate::domain::{Email, FieldError};
use crate::mail::Sender;
use crate::regions::Tenant;
use crate::service_error::{FieldCheck, ServiceError};

use crate::accounts::limits;
use crate::accounts::secrets::{digest, random_token};
use crate::accounts::sessions::Viewer;
use crate::accounts::store::{self, NewUser, TokenPurpose};
use crate::accounts::values::{age_on, parse_birth_date, parse_mobile, Password, PersonName, Role};
use crate::tenant_id::TenantId;

use super::{link, Accounts, Client, CONFIRM_LINK_TTL};

/// The registration form as typed.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Registration {
    pub municipality: String,
    pub last_name: String,
    pub first_name: String,
    pub middle_name: String,
    pub phone: String,
    pub email: String,
    #[serde(skip_serializing)]
    pub password: String,
    /// A child of 14+ registering alone states the birth date.
    pub is_child: bool,
    pub birth_date: String,
    pub consent: bool,
}

pub enum Confirmed {
    Now,
    Already,
}

/// A municipality of the region, by its id as the form sends it.
pub(super) fn parse_municipality(tenant: &Tenant, raw: &str) -> Result<String, String> {
    let m = raw.trim();
    if m.is_empty() {
        return Err("выберите муниципалитет".to_owned());
    }
    tenant
        .config
        .municipalities
        .iter()
        .find(|x| x.id.as_str() == m)
        .map(|x| x.id.as_str().to_owned())
        .ok_or_else(|| "такого муниципалитета в регионе нет".to_owned())
}

impl Accounts {
    /// Registers a parent (or a child of 14+). The answer is the same whether or not the
    /// address already has an account here: its owner gets a mail saying someone tried.
    #[tracing::instrument(skip_all, fields(tenant = tenant.slug()))]
    pub async fn register(
        &self,
        tenant: &Tenant,
        sender: &Sender,
        client: &Client,
        form: &Registration,
    ) -> Result<Email, ServiceError> {
        limits::hit(
            &self.counters,
            tenant.id,
            "register",
            &client.ip,
            self.limits.register_ip,
        )
        .await?;
        let mut check = FieldCheck::default();
        let municipality = check.field(
            "municipality",
            parse_municipality(tenant, &form.municipality),
        );
        let last_name = check.field("last_name", PersonName::parse(&form.last_name, "фамилию"));
        let first_name = check.field("first_name", PersonName::parse(&form.first_name, "имя"));
        let middle_name = check.field(
            "middle_name",
            PersonName::parse_optional(&form.middle_name, "отчество"),
        );
        let phone = check.field("phone", parse_mobile(&form.phone));
        let email = check.field("email", Email::parse(&form.email));
        let password = check.field("password", Password::parse(&form.password));
        let birth_date = if form.is_child {
            let min_age = u32::from(tenant.config.certificates.self_registration_age);
            check.field(
                "birth_date",
                parse_birth_date(&form.birth_date, tenant.today(&self.clock)).and_then(|d| {
                    if age_on(d, tenant.today(&self.clock)) < min_age {
                        Err(format!(
                            "зарегистрироваться самостоятельно можно с {min_age} лет; \
                             попросите родителя зарегистрироваться и добавить вас в «Дети»"
                        ))
                    } else {
                        Ok(Some(d))
                    }
                }),
            )
        } else {
            Some(None)
        };
        if !form.consent {
            check.0.push(FieldError::new(
                "consent",
                "нужно ознакомиться с политикой конфиденциальности и пользовательским соглашением \
                 и отметить «Я ознакомлен и выражаю согласие»",
            ));
        }
        check.done()?;
        let (
            Some(municipality),
            Some(last_name),
            Some(first_name),
            Some(middle_name),
            Some(phone),
            Some(email),
            Some(password),
            Some(birth_date),
        ) = (
            municipality,
            last_name,
            first_name,
            middle_name,
            phone,
            email,
            password,
            birth_date,
        )
        else {
            unreachable!("every field parsed when there are no errors");
        };
        let email_text = email.to_string();
        limits::hit(
            &self.counters,
            tenant.id,
            "register-address",
            &store::email_key(&email_text),
            self.limits.register_account,
        )
        .await?;
        let hash = self.hasher.hash(&password).await?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let new = NewUser {
            email: &email_text,
            password_hash: Some(&hash),
            role: Role::Parent,
            organization_id: None,
            municipality_id: Some(&municipality),
            last_name: last_name.as_str(),
            first_name: first_name.as_str(),
            middle_name: middle_name.as_ref().map(PersonName::as_str),
            phone: Some(phone.as_e164()),
            birth_date: birth_date.map(|d| d.to_string()),
        };
        match store::insert_user(&mut tx, tenant.id, &new, now).await? {
            Some(id) => {
                self.send_confirmation(&mut tx, sender, id, &email_text, &first_name.as_str())
                    .await?;
                store::audit(
                    &mut tx,
                    tenant.id,
                    &store::Audit {
                        actor: Some(id),
                        action: "register",
                        subject: &format!("user:{id}"),
                        detail: "",
                        ip: Some(&client.ip),
                        organization: None,
                        at: now,
                    },
                )
                .await?;
            }
            None => match store::user_by_email_in(&mut tx, tenant.id, &email_text).await? {
                // Unconfirmed: either the owner lost the first mail, or someone else registered
                // the address first. The mailbox's owner gets a link to set their own password,
                // which confirms the address and ends every session of whoever registered it.
                Some(existing) if !existing.email_confirmed => {
                    self.send_password_link(
                        &mut tx,
                        sender,
                        &existing,
                        "register_unconfirmed",
                        CONFIRM_LINK_TTL,
                    )
                    .await?;
                }
                Some(existing) => {
                    self.outbox
                        .enqueue(
                            &mut tx,
                            sender,
                            "register_again",
                            &existing.email,
                            minijinja::context! {
                                reset_url => format!("{}/password/forgot", sender.base_url),
                            },
                        )
                        .await?;
                }
                None => {}
            },
        }
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(email)
    }

    /// Follows a confirmation link. Logs nobody in; a second click says it is done already.
    pub async fn confirm_email(
        &self,
        tenant_id: TenantId,
        token: &str,
    ) -> Result<Confirmed, ServiceError> {
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let used = store::use_token(
            &mut tx,
            tenant_id,
            &digest(token.trim()),
            TokenPurpose::ConfirmEmail,
            now,
        )
        .await?
        .ok_or(ServiceError::BadLink)?;
        let user = store::user_by_id_in(&mut tx, tenant_id, used.user_id)
            .await?
            .ok_or(ServiceError::BadLink)?;
        if used.already_used {
            tx.rollback().await.map_err(DbError::from)?;
            return if user.email_confirmed
                && store::email_key(&user.email) == store::email_key(&used.email)
            {
                Ok(Confirmed::Already)
            } else {
                Err(ServiceError::BadLink)
            };
        }
        if !store::confirm_email(&mut tx, tenant_id, used.user_id, &used.email, now).await? {
            return Err(ServiceError::field(
                "email",
                "этот адрес уже используется другой учётной записью",
            ));
        }
        tx.commit().await.map_err(DbError::from)?;
        Ok(Confirmed::Now)
    }

    /// «Отправить письмо ещё раз».
    pub async fn resend_confirmation(
        &self,
        sender: &Sender,
        viewer: &Viewer,
    ) -> Result<(), ServiceError> {
        let user = &viewer.user;
        limits::hit(
            &self.counters,
            user.tenant_id,
            "resend",
            &user.id.to_string(),
            self.limits.resend_account,
        )
        .await?;
        if user.email_confirmed {
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        self.send_confirmation(&mut tx, sender, user.id, &user.email, &user.first_name)
            .await?;
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(())
    }

    pub(super) async fn send_confirmation(
        &self,
        tx: &mut Tx,
        sender: &Sender,
        user_id: i64,
        email: &str,
        first_name: &impl std::fmt::Display,
    ) -> Result<(), ServiceError> {
        let token = random_token();
        let now = self.clock.now();
        store::insert_token(
            tx,
            sender.tenant_id,
            &store::NewToken {
                hash: &digest(&token),
                purpose: TokenPurpose::ConfirmEmail,
                user_id,
                email,
                expires: now + CONFIRM_LINK_TTL,
            },
            now,
        )
        .await?;
        self.outbox
            .enqueue(
                tx,
                sender,
                "confirm_email",
                email,
                minijinja::context! {
                    name => first_name.to_string(),
                    url => link(sender, "/verify/email", &token),
                },
            )
            .await?;
        Ok(())
    }
}
