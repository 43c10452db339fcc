//! What can be done with accounts, whichever face (pages, API, CLI) asks. Each function
//! validates everything first, then changes the database in one transaction together with
//! the outbox row of the mail it causes, then wakes the mail worker.

use chrono::Duration;

use crate::db::{Db, DbError, Tx};
use crate::domain::{Email, FieldError};
use crate::mail::Sender;
use crate::regions::Tenant;
use crate::service_error::{FieldCheck, ServiceError};

use super::limits;
use super::limits::RateLimits;
use super::secrets::Hasher;
use super::secrets::{digest, random_token};
use super::sessions::Viewer;
use super::store::{self, NewUser, TokenPurpose, User};
use super::values::{age_on, parse_birth_date, parse_mobile, Password, PersonName, Role};
use crate::cache::Cache;
use crate::mail::Outbox;
use crate::tenant_id::TenantId;
use crate::time::Clock;

/// Accounts: registration, confirmation, login, recovery, profile, children, staff. Holds
/// what these rules use, and nothing else.
#[derive(Clone)]
pub struct Accounts {
    db: Db,
    outbox: Outbox,
    hasher: Hasher,
    /// Rate-limit counters (the sessions' store, shared by all processes).
    counters: Cache,
    limits: RateLimits,
    clock: Clock,
}

impl Accounts {
    pub fn new(
        db: Db,
        outbox: Outbox,
        hasher: Hasher,
        counters: Cache,
        limits: RateLimits,
        clock: Clock,
    ) -> Self {
        Self {
            db,
            outbox,
            hasher,
            counters,
            limits,
            clock,
        }
    }
}

/// How long the links in mails work.
const CONFIRM_LINK_TTL: Duration = Duration::hours(48);
const RESET_LINK_TTL: Duration = Duration::hours(1);
const SET_PASSWORD_LINK_TTL: Duration = Duration::hours(72);

/// Where the request came from: for rate limits and the audit log.
#[derive(Debug, Clone)]
pub struct Client {
    pub ip: String,
}

fn link(sender: &Sender, path: &str, token: &str) -> String {
    format!("{}{path}?code={token}", sender.base_url)
}

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
        let municipality = check.field("municipality", {
            let m = form.municipality.trim();
            if m.is_empty() {
                Err("выберите муниципалитет".to_owned())
            } else {
                tenant
                    .config
                    .municipalities
                    .iter()
                    .find(|x| x.id.as_str() == m)
                    .map(|x| x.id.as_str().to_owned())
                    .ok_or_else(|| "такого муниципалитета в регионе нет".to_owned())
            }
        });
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

    /// Checks e-mail and password; every attempt is audited and rate-limited per client and
    /// per address. The same answer for a wrong password and for an unknown address.
    pub async fn login(
        &self,
        tenant_id: TenantId,
        client: &Client,
        email: &str,
        password: &str,
    ) -> Result<User, ServiceError> {
        let limits = &self.limits;
        limits::hit(
            &self.counters,
            tenant_id,
            "login-ip",
            &client.ip,
            limits.login_ip,
        )
        .await?;
        let key = store::email_key(email);
        if let Err(m) = crate::domain::plain_text(&key, 254) {
            return Err(ServiceError::field("email", m));
        }
        if key.is_empty() {
            return Err(ServiceError::field(
                "email",
                "укажите адрес электронной почты",
            ));
        }
        if password.is_empty() {
            return Err(ServiceError::field("password", "введите пароль"));
        }
        limits::hit(
            &self.counters,
            tenant_id,
            "login",
            &key,
            limits.login_account,
        )
        .await?;
        let user = store::user_by_email(&self.db, tenant_id, &key).await?;
        let ok = self
            .hasher
            .verify(
                password,
                user.as_ref().and_then(|u| u.password_hash.as_deref()),
            )
            .await?;
        let mut tx = self.db.begin().await?;
        let (action, actor) = match (&user, ok) {
            (Some(u), true) => ("login", Some(u.id)),
            (Some(u), false) => ("login_failed", Some(u.id)),
            (None, _) => ("login_failed", None),
        };
        let subject = user
            .as_ref()
            .map_or_else(|| "unknown".to_owned(), |u| format!("user:{}", u.id));
        store::audit(
            &mut tx,
            tenant_id,
            &store::Audit {
                actor,
                action,
                subject: &subject,
                detail: "",
                ip: Some(&client.ip),
                at: self.clock.now(),
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        match (user, ok) {
            (Some(user), true) => Ok(user),
            _ => Err(ServiceError::BadCredentials),
        }
    }

    /// «Не помню пароль»: mails a reset link if the address has an account; the answer is the
    /// same either way.
    pub async fn request_reset(
        &self,
        sender: &Sender,
        client: &Client,
        email: &str,
    ) -> Result<(), ServiceError> {
        let tenant_id = sender.tenant_id;
        let email = Email::parse(email).map_err(|m| ServiceError::field("email", m))?;
        let limits = &self.limits;
        limits::hit(
            &self.counters,
            tenant_id,
            "reset-ip",
            &client.ip,
            limits.reset_ip,
        )
        .await?;
        let key = store::email_key(&email.to_string());
        limits::hit(
            &self.counters,
            tenant_id,
            "reset",
            &key,
            limits.reset_account,
        )
        .await?;
        let Some(user) = store::user_by_email(&self.db, tenant_id, &key).await? else {
            return Ok(());
        };
        let mut tx = self.db.begin().await?;
        self.send_password_link(&mut tx, sender, &user, "reset_password", RESET_LINK_TTL)
            .await?;
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(())
    }

    /// Whether a reset link can still be used (to show the form or say it is stale).
    pub async fn reset_link_valid(
        &self,
        tenant_id: TenantId,
        token: &str,
    ) -> Result<bool, ServiceError> {
        Ok(store::token_usable(
            &self.db,
            tenant_id,
            &digest(token.trim()),
            TokenPurpose::ResetPassword,
            self.clock.now(),
        )
        .await?)
    }

    /// Sets a new password from a reset link. Every session of the account ends; following
    /// the link proves the address, so it counts as confirmed.
    pub async fn reset_password(
        &self,
        tenant_id: TenantId,
        client: &Client,
        token: &str,
        password: &str,
    ) -> Result<User, ServiceError> {
        let password = Password::parse(password).map_err(|m| ServiceError::field("password", m))?;
        let hash = self.hasher.hash(&password).await?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let used = store::use_token(
            &mut tx,
            tenant_id,
            &digest(token.trim()),
            TokenPurpose::ResetPassword,
            now,
        )
        .await?
        .filter(|u| !u.already_used)
        .ok_or(ServiceError::BadLink)?;
        store::set_password(&mut tx, tenant_id, used.user_id, &hash, now).await?;
        let user = store::user_by_id_in(&mut tx, tenant_id, used.user_id)
            .await?
            .ok_or(ServiceError::BadLink)?;
        if store::email_key(&user.email) == store::email_key(&used.email) {
            store::confirm_email(&mut tx, tenant_id, user.id, &user.email, now).await?;
        }
        store::audit(
            &mut tx,
            tenant_id,
            &store::Audit {
                actor: Some(user.id),
                action: "password_reset",
                subject: &format!("user:{}", user.id),
                detail: "",
                ip: Some(&client.ip),
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        // Re-read: the epoch moved on, and the session started next must carry the new one.
        store::user_by_id(&self.db, tenant_id, user.id)
            .await?
            .ok_or(ServiceError::BadLink)
    }

    /// Changes the password of the logged-in account (the current one is asked for). Other
    /// sessions end; the caller starts a fresh one for this browser.
    pub async fn change_password(
        &self,
        client: &Client,
        viewer: &Viewer,
        current: &str,
        new: &str,
    ) -> Result<User, ServiceError> {
        let user = &viewer.user;
        let mut check = FieldCheck::default();
        let new = check.field("new_password", Password::parse(new));
        if !self
            .hasher
            .verify(current, user.password_hash.as_deref())
            .await?
        {
            check.0.push(FieldError::new(
                "current_password",
                "текущий пароль введён неверно",
            ));
        }
        check.done()?;
        let new = new.expect("parsed when there are no errors");
        let hash = self.hasher.hash(&new).await?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        store::set_password(&mut tx, user.tenant_id, user.id, &hash, now).await?;
        store::audit(
            &mut tx,
            user.tenant_id,
            &store::Audit {
                actor: Some(user.id),
                action: "password_change",
                subject: &format!("user:{}", user.id),
                detail: "",
                ip: Some(&client.ip),
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        store::user_by_id(&self.db, user.tenant_id, user.id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    pub async fn change_phone(&self, viewer: &Viewer, phone: &str) -> Result<(), ServiceError> {
        let phone = parse_mobile(phone).map_err(|m| ServiceError::field("phone", m))?;
        let mut tx = self.db.begin().await?;
        store::set_phone(
            &mut tx,
            viewer.user.tenant_id,
            viewer.user.id,
            phone.as_e164(),
            self.clock.now(),
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(())
    }

    /// Starts a change of address: the new one becomes the account's when the link mailed to
    /// it is followed; until then the old one stays. The password is asked for.
    pub async fn change_email(
        &self,
        sender: &Sender,
        viewer: &Viewer,
        new_email: &str,
        password: &str,
    ) -> Result<Email, ServiceError> {
        let user = &viewer.user;
        let mut check = FieldCheck::default();
        let email = check.field("new_email", Email::parse(new_email));
        if !self
            .hasher
            .verify(password, user.password_hash.as_deref())
            .await?
        {
            check
                .0
                .push(FieldError::new("email_password", "пароль введён неверно"));
        }
        check.done()?;
        let email = email.expect("parsed when there are no errors");
        let text = email.to_string();
        let mut tx = self.db.begin().await?;
        if store::email_key(&text) != store::email_key(&user.email)
            && store::email_taken(&mut tx, user.tenant_id, &text).await?
        {
            return Err(ServiceError::field(
                "new_email",
                "этот адрес уже используется другой учётной записью",
            ));
        }
        self.send_confirmation(&mut tx, sender, user.id, &text, &user.first_name)
            .await?;
        tx.commit().await.map_err(DbError::from)?;
        self.outbox.wake();
        Ok(email)
    }

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

impl Accounts {
    async fn send_confirmation(
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

pub enum Confirmed {
    Now,
    Already,
}

impl Accounts {
    /// A reset (or first set-password) link; older unused ones stop working.
    async fn send_password_link(
        &self,
        tx: &mut Tx,
        sender: &Sender,
        user: &User,
        kind: &str,
        ttl: Duration,
    ) -> Result<(), ServiceError> {
        let now = self.clock.now();
        store::void_tokens(
            tx,
            user.tenant_id,
            user.id,
            TokenPurpose::ResetPassword,
            now,
        )
        .await?;
        let token = random_token();
        store::insert_token(
            tx,
            user.tenant_id,
            &store::NewToken {
                hash: &digest(&token),
                purpose: TokenPurpose::ResetPassword,
                user_id: user.id,
                email: &user.email,
                expires: now + ttl,
            },
            now,
        )
        .await?;
        self.outbox
            .enqueue(
                tx,
                sender,
                kind,
                &user.email,
                minijinja::context! {
                    name => &user.first_name,
                    role => user.role.label(),
                    email => &user.email,
                    url => link(sender, "/password/reset", &token),
                    hours => ttl.num_hours(),
                },
            )
            .await?;
        Ok(())
    }
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
