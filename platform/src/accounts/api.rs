//! Accounts under /api/v1: the same registration, confirmation, login, recovery, profile
//! and children as the pages. The session is the same cookie; a state-changing call made
//! with a session carries its CSRF token in `X-CSRF-Token` (returned by login and `/me`).

use poem::web::Data;
use poem_openapi::param::Header;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::api::{done, error, own_account, try_reply, ApiError, ApiTags, Done, Reply};
use crate::regions::Site;
use crate::web::page::sender;
use crate::web::{accounts_tenant, expensive, region_of, Origin, Visitor};
use crate::State;

use super::service::{Confirmed, Registration};
use super::sessions::{self, Viewer};

pub struct AccountsApi;

#[derive(Object)]
pub struct RegisterRequest {
    /// Municipality id from `GET /region`.
    pub municipality: String,
    pub last_name: String,
    pub first_name: String,
    #[oai(nullable)]
    pub middle_name: Option<String>,
    /// Mobile number, `+7 (9XX) XXX-XX-XX` in any usual spelling.
    pub phone: String,
    pub email: String,
    /// 8–128 characters, not a common one.
    pub password: String,
    /// A child of 14+ registering alone (then `birth_date` is required).
    #[oai(default)]
    pub is_child: bool,
    /// `YYYY-MM-DD`.
    #[oai(nullable)]
    pub birth_date: Option<String>,
    /// «Я ознакомлен и выражаю согласие» with /privacy and /terms: must be true.
    pub consent: bool,
}

#[derive(Object)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Object)]
pub struct CodeRequest {
    /// The `code` of the link in the mail.
    pub code: String,
}

#[derive(Object)]
pub struct EmailRequest {
    pub email: String,
}

#[derive(Object)]
pub struct ResetRequest {
    pub code: String,
    pub password: String,
}

#[derive(Object)]
pub struct PhoneRequest {
    pub phone: String,
}

#[derive(Object)]
pub struct ChangeEmailRequest {
    pub new_email: String,
    /// The current password.
    pub password: String,
}

#[derive(Object)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Object)]
pub struct Me {
    pub id: i64,
    pub role: String,
    pub last_name: String,
    pub first_name: String,
    #[oai(nullable)]
    pub middle_name: Option<String>,
    pub email: String,
    pub email_confirmed: bool,
    /// `+7XXXXXXXXXX`.
    #[oai(nullable)]
    pub phone: Option<String>,
    #[oai(nullable)]
    pub organization_id: Option<i64>,
    #[oai(nullable)]
    pub municipality_id: Option<String>,
    /// Send it as `X-CSRF-Token` with every state-changing call.
    pub csrf_token: String,
}

impl Me {
    fn of(viewer: &Viewer) -> Self {
        let u = &viewer.user;
        Self {
            id: u.id,
            role: u.role.as_str().into(),
            last_name: u.last_name.clone(),
            first_name: u.first_name.clone(),
            middle_name: u.middle_name.clone(),
            email: u.email.clone(),
            email_confirmed: u.email_confirmed,
            phone: u.phone.clone(),
            organization_id: u.organization_id,
            municipality_id: u.municipality_id.clone(),
            csrf_token: viewer.csrf.clone(),
        }
    }
}

#[derive(ApiResponse)]
pub enum LoginReply {
    /// Logged in: the session cookie is set.
    #[oai(status = 200)]
    Ok(Json<Me>, #[oai(header = "Set-Cookie")] String),
    #[oai(status = 400)]
    Invalid(Json<ApiError>),
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// Not a region's host nor the base domain.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    #[oai(status = 429)]
    TooMany(Json<ApiError>, #[oai(header = "Retry-After")] u64),
    /// The body is not JSON. Documents poem-openapi's refusal before the handler runs.
    #[oai(status = 415)]
    #[allow(dead_code)]
    UnsupportedMediaType(Json<ApiError>),
    #[oai(status = 500)]
    Internal(Json<ApiError>),
    /// The session store or the database did not answer: «Вход временно недоступен».
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] u64),
}

impl From<Reply<Done>> for LoginReply {
    fn from(reply: Reply<Done>) -> Self {
        match reply {
            Reply::Invalid(j) => LoginReply::Invalid(j),
            Reply::Unauthorized(j) => LoginReply::Unauthorized(j),
            Reply::TooMany(j, s) => LoginReply::TooMany(j, s),
            Reply::Unavailable(j, s) => LoginReply::Unavailable(j, s),
            Reply::NotFound(j) => LoginReply::NotFound(j),
            _ => LoginReply::Internal(error("internal", "Внутренняя ошибка сервера")),
        }
    }
}

#[OpenApi(tag = "ApiTags::Accounts")]
impl AccountsApi {
    /// «Регистрация»
    ///
    /// Registers a parent (or a child of 14+) in the host's region and mails a confirmation
    /// link. The answer is the same whether or not the address already has an account.
    #[oai(path = "/auth/register", method = "post", transform = "expensive")]
    async fn register(
        &self,
        state: Data<&State>,
        site: Site,
        origin: Origin,
        visitor: Visitor,
        body: Json<RegisterRequest>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let sender = try_reply!(sender(&state, &site, &origin));
        let b = body.0;
        let form = Registration {
            municipality: b.municipality,
            last_name: b.last_name,
            first_name: b.first_name,
            middle_name: b.middle_name.unwrap_or_default(),
            phone: b.phone,
            email: b.email,
            password: b.password,
            is_child: b.is_child,
            birth_date: b.birth_date.unwrap_or_default(),
            consent: b.consent,
        };
        let email = try_reply!(
            state
                .accounts
                .register(tenant, &sender, &visitor.client(), &form)
                .await
        );
        Reply::Ok(done(format!(
            "Письмо со ссылкой для подтверждения отправлено на {email}"
        )))
    }

    /// Confirm an e-mail address
    ///
    /// The `code` of the link in the confirmation mail. Idempotent; logs nobody in.
    #[oai(path = "/auth/confirm", method = "post")]
    async fn confirm(
        &self,
        state: Data<&State>,
        site: Site,
        body: Json<CodeRequest>,
    ) -> Reply<Done> {
        let tenant = try_reply!(accounts_tenant(&site));
        match try_reply!(state.accounts.confirm_email(tenant, &body.0.code).await) {
            Confirmed::Now => Reply::Ok(done("Адрес электронной почты подтверждён")),
            Confirmed::Already => Reply::Ok(done("Адрес уже подтверждён")),
        }
    }

    /// «Отправить письмо ещё раз»
    #[oai(path = "/auth/resend", method = "post")]
    async fn resend(
        &self,
        state: Data<&State>,
        site: Site,
        origin: Origin,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
    ) -> Reply<Done> {
        let viewer = try_reply!(own_account(&visitor, &csrf));
        let sender = try_reply!(sender(&state, &site, &origin));
        try_reply!(state.accounts.resend_confirmation(&sender, viewer).await);
        Reply::Ok(done("Письмо отправлено"))
    }

    /// «Вход»
    ///
    /// Sets the session cookie and returns the account with its CSRF token.
    #[oai(path = "/auth/login", method = "post", transform = "expensive")]
    async fn login(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        body: Json<LoginRequest>,
    ) -> LoginReply {
        let tenant = match accounts_tenant(&site) {
            Ok(t) => t,
            Err(e) => return LoginReply::NotFound(error("not_found", &e.to_string())),
        };
        match state
            .accounts
            .login(tenant, &visitor.client(), &body.0.email, &body.0.password)
            .await
        {
            Ok(user) => {
                let started = match state.sessions.renew(visitor.viewer.as_ref(), &user).await {
                    Ok(id) => state.sessions.load(tenant, &id).await.map(|v| (id, v)),
                    Err(e) => Err(e),
                };
                match started {
                    Ok((id, Some(viewer))) => {
                        LoginReply::Ok(Json(Me::of(&viewer)), sessions::cookie(&id, visitor.secure))
                    }
                    Ok((_, None)) => LoginReply::Internal(error("internal", "сеанс не создан")),
                    Err(e) => Reply::<Done>::from(e).into(),
                }
            }
            Err(e) => Reply::<Done>::from(e).into(),
        }
    }

    /// «Выход»
    ///
    /// Ends the session server-side.
    #[oai(path = "/auth/logout", method = "post")]
    async fn logout(
        &self,
        state: Data<&State>,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
    ) -> Reply<Done> {
        let viewer = try_reply!(own_account(&visitor, &csrf));
        try_reply!(state.sessions.end(viewer).await);
        Reply::Ok(done("Вы вышли"))
    }

    /// «Не помню пароль»
    ///
    /// Mails a reset link if the address has an account; the answer is the same either way.
    #[oai(path = "/auth/password/forgot", method = "post")]
    async fn forgot(
        &self,
        state: Data<&State>,
        site: Site,
        origin: Origin,
        visitor: Visitor,
        body: Json<EmailRequest>,
    ) -> Reply<Done> {
        let sender = try_reply!(sender(&state, &site, &origin));
        try_reply!(
            state
                .accounts
                .request_reset(&sender, &visitor.client(), &body.0.email)
                .await
        );
        Reply::Ok(done(
            "Если адрес зарегистрирован, на него отправлена ссылка для смены пароля",
        ))
    }

    /// Set a new password from a reset link
    ///
    /// Every session of the account ends.
    #[oai(
        path = "/auth/password/reset",
        method = "post",
        transform = "expensive"
    )]
    async fn reset(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        body: Json<ResetRequest>,
    ) -> Reply<Done> {
        let tenant = try_reply!(accounts_tenant(&site));
        try_reply!(
            state
                .accounts
                .reset_password(tenant, &visitor.client(), &body.0.code, &body.0.password)
                .await
        );
        Reply::Ok(done("Пароль изменён"))
    }

    /// The logged-in account
    #[oai(path = "/me", method = "get")]
    async fn me(&self, visitor: Visitor) -> Reply<Me> {
        let viewer = try_reply!(visitor.require());
        Reply::Ok(Json(Me::of(viewer)))
    }

    /// Change the phone
    #[oai(path = "/me/phone", method = "put")]
    async fn phone(
        &self,
        state: Data<&State>,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<PhoneRequest>,
    ) -> Reply<Done> {
        let viewer = try_reply!(own_account(&visitor, &csrf));
        try_reply!(state.accounts.change_phone(viewer, &body.0.phone).await);
        Reply::Ok(done("Телефон сохранён"))
    }

    /// Change the e-mail address
    ///
    /// Mails a link to the new address; it becomes the account's when the link is followed.
    #[oai(path = "/me/email", method = "post", transform = "expensive")]
    async fn email(
        &self,
        state: Data<&State>,
        site: Site,
        origin: Origin,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<ChangeEmailRequest>,
    ) -> Reply<Done> {
        let viewer = try_reply!(own_account(&visitor, &csrf));
        let sender = try_reply!(sender(&state, &site, &origin));
        let email = try_reply!(
            state
                .accounts
                .change_email(&sender, viewer, &body.0.new_email, &body.0.password)
                .await
        );
        Reply::Ok(done(format!("Письмо со ссылкой отправлено на {email}")))
    }

    /// Change the password
    ///
    /// Every session of the account ends, this one included: log in again.
    #[oai(path = "/me/password", method = "post", transform = "expensive")]
    async fn password(
        &self,
        state: Data<&State>,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<ChangePasswordRequest>,
    ) -> Reply<Done> {
        let viewer = try_reply!(own_account(&visitor, &csrf));
        try_reply!(
            state
                .accounts
                .change_password(
                    &visitor.client(),
                    viewer,
                    &body.0.current_password,
                    &body.0.new_password
                )
                .await
        );
        Reply::Ok(done("Пароль изменён; войдите с новым паролем"))
    }
}
