//! The account pages: «Регистрация», «Вход», «Выход», «Не помню пароль», the confirmation
//! link, and the parent's cabinet (tabs «Дети» and «Профиль»). Every form works without
//! JavaScript, carries a CSRF token, and comes back with the typed values and a message
//! next to each wrong field.

use std::collections::BTreeMap;
use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query, Redirect};
use poem::{handler, IntoResponse};
use serde::{Deserialize, Serialize};

use crate::domain::FieldError;
use crate::regions::{Site, Tenant};
use crate::web::page::{append_cookie, errors_map, message, render, sender, CsrfOnly, PageResult};
use crate::web::{accounts_tenant, form_status, Layout, Origin, Region, Visitor, WebError};
use crate::State;

use super::service::{Confirmed, Registration};
use super::sessions;
use super::store;
use super::values::{ApplicationMail, Role};
use crate::service_error::ServiceError;

/// Field errors become the form again; other refusals are error pages (or, for a bad
/// login, a message shown on the form).
fn form_errors(e: ServiceError) -> Result<Vec<FieldError>, WebError> {
    match e {
        ServiceError::Invalid(errors) => Ok(errors),
        ServiceError::BadCredentials => Ok(vec![FieldError::new("email", e.to_string())]),
        other => Err(other.into()),
    }
}

// ---------------------------------------------------------------- registration

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegisterForm {
    csrf: String,
    municipality: String,
    last_name: String,
    first_name: String,
    middle_name: String,
    phone: String,
    email: String,
    password: String,
    is_child: Option<String>,
    birth_date: String,
    consent: Option<String>,
}

impl RegisterForm {
    fn registration(self) -> Registration {
        Registration {
            municipality: self.municipality,
            last_name: self.last_name,
            first_name: self.first_name,
            middle_name: self.middle_name,
            phone: self.phone,
            email: self.email,
            password: self.password,
            is_child: self.is_child.is_some(),
            birth_date: self.birth_date,
            consent: self.consent.is_some(),
        }
    }
}

#[derive(Serialize)]
struct MunicipalityOption<'a> {
    id: &'a str,
    name: &'a str,
}

fn register_form(
    state: &State,
    visitor: &Visitor,
    layout: Layout,
    tenant: &Tenant,
    form: &Registration,
    errors: &[FieldError],
) -> PageResult {
    let municipalities: Vec<_> = tenant
        .config
        .municipalities
        .iter()
        .map(|m| MunicipalityOption {
            id: m.id.as_str(),
            name: &m.name,
        })
        .collect();
    let status = form_status(errors);
    render(
        state,
        visitor,
        "register.html",
        minijinja::context! {
            layout, form, municipalities, errors => errors_map(errors), nav => "register",
        },
        status,
    )
}

#[handler]
pub async fn register_page(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
) -> PageResult {
    if let Some(v) = &visitor.viewer {
        return Ok(Redirect::see_other(v.user.role.home()).into_response());
    }
    register_form(
        &state,
        &visitor,
        layout,
        &tenant,
        &Registration::default(),
        &[],
    )
}

#[handler]
pub async fn register(
    state: Data<&State>,
    Region(tenant): Region,
    site: Site,
    origin: Origin,
    visitor: Visitor,
    layout: Layout,
    Form(form): Form<RegisterForm>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let registration = form.registration();
    let sender = sender(&state, &site, &origin)?;
    match state
        .accounts
        .register(&tenant, &sender, &visitor.client(), &registration)
        .await
    {
        Ok(email) => message(
            &state,
            &visitor,
            layout,
            "Проверьте почту",
            &[
                format!(
                    "Мы отправили письмо на адрес {email}. Перейдите по ссылке из письма, \
                     чтобы подтвердить адрес электронной почты и получить полные права."
                ),
                "Письмо приходит в течение минуты. Если его нет, проверьте папку «Спам»; \
                 войдите в личный кабинет и нажмите «Отправить письмо ещё раз»."
                    .to_owned(),
            ],
            Some(("/login", "Вход")),
        ),
        Err(e) => {
            let errors = form_errors(e)?;
            register_form(&state, &visitor, layout, &tenant, &registration, &errors)
        }
    }
}

// ---------------------------------------------------------------- confirmation

#[derive(Deserialize)]
pub struct CodeQuery {
    #[serde(default)]
    code: String,
}

/// `/verify/email?code=…`, the link of the confirmation mail (the incumbent's address).
#[handler]
pub async fn verify_email(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<CodeQuery>,
) -> PageResult {
    let tenant = accounts_tenant(&site)?;
    let logged_in = visitor.viewer.is_some();
    let next = if logged_in {
        ("/cabinet", "Личный кабинет")
    } else {
        ("/login", "Войти")
    };
    // Whoever follows the link may not be logged in on this device: then the way on is to log in.
    let then = if logged_in {
        "Спасибо! Теперь вам доступны все возможности Навигатора: перейдите в личный кабинет."
    } else {
        "Спасибо! Теперь вам доступны все возможности Навигатора. Войдите с адресом и паролем, \
         указанными при регистрации."
    };
    match state.accounts.confirm_email(tenant, &q.code).await {
        Ok(Confirmed::Now) => message(
            &state,
            &visitor,
            layout,
            "Адрес электронной почты подтверждён",
            &[then.to_owned()],
            Some(next),
        ),
        Ok(Confirmed::Already) => message(
            &state,
            &visitor,
            layout,
            "Адрес уже подтверждён",
            &["Этот адрес электронной почты уже подтверждён, ничего делать не нужно.".to_owned()],
            Some(next),
        ),
        Err(ServiceError::BadLink) => Err(WebError::BadRequest(ServiceError::BadLink.to_string())),
        Err(ServiceError::Invalid(errors)) => Err(WebError::BadRequest(
            errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// «Отправить письмо ещё раз».
#[handler]
pub async fn resend(
    state: Data<&State>,
    site: Site,
    origin: Origin,
    visitor: Visitor,
    layout: Layout,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require()?;
    let sender = sender(&state, &site, &origin)?;
    state.accounts.resend_confirmation(&sender, viewer).await?;
    message(
        &state,
        &visitor,
        layout,
        "Письмо отправлено",
        &[format!(
            "Мы отправили новое письмо со ссылкой на {}. Ссылка действует 48 часов.",
            viewer.user.email
        )],
        Some(("/cabinet", "Личный кабинет")),
    )
}

// ---------------------------------------------------------------- login and logout

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginQuery {
    next: String,
}

#[derive(Deserialize, Default, Serialize)]
#[serde(default)]
pub struct LoginForm {
    #[serde(skip_serializing)]
    csrf: String,
    email: String,
    #[serde(skip_serializing)]
    password: String,
    next: String,
}

/// Only a path on this site is a place to go back to (no `//evil.example`).
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        ""
    }
}

fn login_form(
    state: &State,
    visitor: &Visitor,
    layout: Layout,
    form: &LoginForm,
    errors: &[FieldError],
    notice: Option<&str>,
) -> PageResult {
    let status = form_status(errors);
    render(
        state,
        visitor,
        "login.html",
        minijinja::context! {
            layout, form, notice, next => safe_next(&form.next), errors => errors_map(errors),
            nav => "login",
        },
        status,
    )
}

#[handler]
pub async fn login_page(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<LoginQuery>,
) -> PageResult {
    accounts_tenant(&site)?;
    if let Some(v) = &visitor.viewer {
        return Ok(Redirect::see_other(v.user.role.home()).into_response());
    }
    let form = LoginForm {
        next: q.next,
        ..Default::default()
    };
    login_form(&state, &visitor, layout, &form, &[], None)
}

#[handler]
pub async fn login(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
    Form(form): Form<LoginForm>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let tenant = accounts_tenant(&site)?;
    match state
        .accounts
        .login(tenant, &visitor.client(), &form.email, &form.password)
        .await
    {
        Ok(user) => {
            let id = state.sessions.renew(visitor.viewer.as_ref(), &user).await?;
            let next = match safe_next(&form.next) {
                "" => user.role.home(),
                next => next,
            };
            let mut response = Redirect::see_other(next).into_response();
            append_cookie(&mut response, &sessions::cookie(&id, visitor.secure));
            Ok(response)
        }
        Err(e) => {
            let errors = form_errors(e)?;
            login_form(&state, &visitor, layout, &form, &errors, None)
        }
    }
}

#[handler]
pub async fn logout(
    state: Data<&State>,
    visitor: Visitor,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    // A session that could not be checked cannot be ended either: say so, keep the cookie.
    visitor.checked()?;
    if let Some(viewer) = &visitor.viewer {
        visitor.check_csrf(&form.csrf)?;
        state.sessions.end(viewer).await?;
    }
    let mut response = Redirect::see_other("/").into_response();
    append_cookie(&mut response, &sessions::clear_cookie(visitor.secure));
    Ok(response)
}

// ---------------------------------------------------------------- password recovery

#[derive(Deserialize, Default, Serialize)]
#[serde(default)]
pub struct ForgotForm {
    #[serde(skip_serializing)]
    csrf: String,
    email: String,
}

fn forgot_form(
    state: &State,
    visitor: &Visitor,
    layout: Layout,
    form: &ForgotForm,
    errors: &[FieldError],
) -> PageResult {
    render(
        state,
        visitor,
        "forgot.html",
        minijinja::context! { layout, form, errors => errors_map(errors) },
        form_status(errors),
    )
}

#[handler]
pub async fn forgot_page(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
) -> PageResult {
    accounts_tenant(&site)?;
    forgot_form(&state, &visitor, layout, &ForgotForm::default(), &[])
}

#[handler]
pub async fn forgot(
    state: Data<&State>,
    site: Site,
    origin: Origin,
    visitor: Visitor,
    layout: Layout,
    Form(form): Form<ForgotForm>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let sender = sender(&state, &site, &origin)?;
    match state
        .accounts
        .request_reset(&sender, &visitor.client(), &form.email)
        .await
    {
        Ok(()) => message(
            &state,
            &visitor,
            layout,
            "Проверьте почту",
            &[format!(
                "Если адрес {} зарегистрирован, на него придёт письмо со ссылкой для смены \
                 пароля. Ссылка действует 1 час.",
                form.email.trim()
            )],
            Some(("/login", "Вход")),
        ),
        Err(e) => {
            let errors = form_errors(e)?;
            forgot_form(&state, &visitor, layout, &form, &errors)
        }
    }
}

#[handler]
pub async fn reset_page(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<CodeQuery>,
) -> PageResult {
    let tenant = accounts_tenant(&site)?;
    if !state.accounts.reset_link_valid(tenant, &q.code).await? {
        return Err(WebError::BadRequest(ServiceError::BadLink.to_string()));
    }
    let errors: BTreeMap<&str, &str> = BTreeMap::new();
    render(
        &state,
        &visitor,
        "reset.html",
        minijinja::context! { layout, code => q.code, form => (), errors },
        StatusCode::OK,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    csrf: String,
    code: String,
    password: String,
}

#[handler]
pub async fn reset(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
    Form(form): Form<ResetForm>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let tenant = accounts_tenant(&site)?;
    match state
        .accounts
        .reset_password(tenant, &visitor.client(), &form.code, &form.password)
        .await
    {
        Ok(_) => message(
            &state,
            &visitor,
            layout,
            "Пароль изменён",
            &[
                "Новый пароль сохранён. Все сеансы входа завершены: войдите с новым паролем."
                    .to_owned(),
            ],
            Some(("/login", "Вход")),
        ),
        Err(ServiceError::Invalid(errors)) => render(
            &state,
            &visitor,
            "reset.html",
            minijinja::context! { layout, code => form.code, form => (), errors => errors_map(&errors) },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- profile

#[derive(Serialize)]
struct ProfileView {
    name: String,
    role: &'static str,
    email: String,
    email_confirmed: bool,
    phone: Option<String>,
}

#[derive(Deserialize, Default, Serialize)]
#[serde(default)]
pub struct ProfileForm {
    #[serde(skip_serializing)]
    csrf: String,
    phone: String,
    new_email: String,
    #[serde(skip_serializing)]
    email_password: String,
    #[serde(skip_serializing)]
    current_password: String,
    #[serde(skip_serializing)]
    new_password: String,
    application_mail: String,
}

async fn profile_page(
    state: &State,
    visitor: &Visitor,
    layout: Layout,
    form: &ProfileForm,
    errors: &[FieldError],
    notice: Option<String>,
) -> PageResult {
    let viewer = visitor.require()?;
    let u = &viewer.user;
    let user = ProfileView {
        name: u.full_name(),
        role: u.role.label(),
        email: u.email.clone(),
        email_confirmed: u.email_confirmed,
        phone: u
            .phone
            .as_deref()
            .and_then(|p| crate::domain::Phone::parse(p).ok())
            .map(|p| p.display()),
    };
    // Staff choose how they hear of new applications; the form shows the stored choice.
    let application_mail = match u.staff_org() {
        Some(_) => Some(state.accounts.application_mail(viewer).await?),
        None => None,
    };
    let mail_choices: Vec<minijinja::Value> = ApplicationMail::ALL
        .iter()
        .map(|m| minijinja::context! { code => m.code(), label => m.label() })
        .collect();
    render(
        state,
        visitor,
        "profile.html",
        minijinja::context! {
            layout, user, form, notice, errors => errors_map(errors),
            is_parent => u.role == Role::Parent, nav => "cabinet",
            application_mail => application_mail.map(ApplicationMail::code), mail_choices,
        },
        form_status(errors),
    )
}

#[handler]
pub async fn profile(state: Data<&State>, visitor: Visitor, layout: Layout) -> PageResult {
    visitor.require()?;
    profile_page(&state, &visitor, layout, &ProfileForm::default(), &[], None).await
}

/// `/cabinet/profile/{phone|email|password|application_mail}`.
#[handler]
pub async fn update_profile(
    state: Data<&State>,
    site: Site,
    origin: Origin,
    visitor: Visitor,
    layout: Layout,
    Path(what): Path<String>,
    Form(form): Form<ProfileForm>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require()?;
    let result = match what.as_str() {
        "phone" => state
            .accounts
            .change_phone(viewer, &form.phone)
            .await
            .map(|_| "Телефон сохранён.".to_owned()),
        "email" => {
            let sender = sender(&state, &site, &origin)?;
            state
                .accounts
                .change_email(&sender, viewer, &form.new_email, &form.email_password)
                .await
                .map(|email| {
                    format!(
                        "Мы отправили письмо на {email}. Адрес сменится, когда вы перейдёте по \
                         ссылке из письма."
                    )
                })
        }
        "password" => {
            match state
                .accounts
                .change_password(
                    &visitor.client(),
                    viewer,
                    &form.current_password,
                    &form.new_password,
                )
                .await
            {
                // Every session ended with the change; this browser gets a new one.
                Ok(user) => {
                    let id = state.sessions.renew(Some(viewer), &user).await?;
                    let mut response = Redirect::see_other("/cabinet/profile").into_response();
                    append_cookie(&mut response, &sessions::cookie(&id, visitor.secure));
                    return Ok(response);
                }
                Err(e) => Err(e),
            }
        }
        "application_mail" => state
            .accounts
            .change_application_mail(viewer, &form.application_mail)
            .await
            .map(|_| "Способ уведомления о новых заявках сохранён.".to_owned()),
        _ => return Err(WebError::NotFound),
    };
    match result {
        Ok(notice) => {
            // Re-read the account so the page shows the new phone.
            let mut visitor = visitor.clone();
            if let Some(v) = visitor.viewer.as_mut() {
                if let Some(user) =
                    store::user_by_id(&state.db, v.user.tenant_id, v.user.id).await?
                {
                    v.user = user;
                }
            }
            profile_page(
                &state,
                &visitor,
                layout,
                &ProfileForm::default(),
                &[],
                Some(notice),
            )
            .await
        }
        Err(e) => {
            let errors = form_errors(e)?;
            profile_page(&state, &visitor, layout, &form, &errors, None).await
        }
    }
}

// ---------------------------------------------------------------- legal texts

const DEFAULT_PRIVACY: &str = include_str!("../../templates/default_privacy.txt");
const DEFAULT_TERMS: &str = include_str!("../../templates/default_terms.txt");

fn document(
    state: &State,
    visitor: &Visitor,
    layout: Layout,
    tenant: &Arc<Tenant>,
    title: &str,
    text: &str,
) -> PageResult {
    let text = text
        .replace("{region}", &tenant.config.name)
        .replace("{support}", &tenant.config.support_email.to_string())
        .replace("{operator}", &tenant.config.coordinator.organization);
    let paragraphs: Vec<&str> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    render(
        state,
        visitor,
        "document.html",
        minijinja::context! { layout, title, paragraphs },
        StatusCode::OK,
    )
}

#[handler]
pub async fn privacy(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
) -> PageResult {
    let text = tenant
        .config
        .documents
        .privacy_policy
        .clone()
        .unwrap_or_else(|| DEFAULT_PRIVACY.to_owned());
    document(
        &state,
        &visitor,
        layout,
        &tenant,
        "Политика конфиденциальности",
        &text,
    )
}

#[handler]
pub async fn terms(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
) -> PageResult {
    let text = tenant
        .config
        .documents
        .user_agreement
        .clone()
        .unwrap_or_else(|| DEFAULT_TERMS.to_owned());
    document(
        &state,
        &visitor,
        layout,
        &tenant,
        "Пользовательское соглашение",
        &text,
    )
}
