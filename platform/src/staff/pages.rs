//! The provider cabinet's «Сотрудники» (`/provider/staff`: who has access, «Пригласить
//! сотрудника», «Закрыть доступ») and «Токены API» (`/provider/tokens`: create, shown once,
//! revoke). Plain HTML forms that work without JavaScript.

use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query, Redirect};
use poem::{handler, IntoResponse};
use serde::Deserialize;

use crate::accounts::service::Invitation;
use crate::accounts::values::Role;
use crate::domain::FieldError;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::web::page::{errors_map, render, CsrfOnly, PageResult};
use crate::web::{path_id, Layout, Origin, Region, Visitor};
use crate::State;

use super::service::Removed;
use super::views;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    saved: Option<String>,
}

/// What the staff page shows besides the list: the invitation as typed, its errors, a
/// notice or a refusal.
#[derive(Default)]
struct StaffPage<'a> {
    form: Invitation,
    errors: &'a [FieldError],
    notice: Option<String>,
    refusal: Option<String>,
}

async fn staff_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    page: StaffPage<'_>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let members = state.staff.members(tenant, viewer).await?;
    let members = views::members(&members, Some(viewer.user.id), tenant.config.time_zone);
    let status = if page.refusal.is_some() {
        StatusCode::CONFLICT
    } else if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        state,
        visitor,
        "provider_staff.html",
        minijinja::context! {
            layout, members, form => page.form, errors => errors_map(page.errors),
            notice => page.notice, refusal => page.refusal, nav => "cabinet",
        },
        status,
    )
}

/// «Сотрудники».
#[handler]
pub async fn show_staff(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let notice = q.saved.map(|what| {
        match what.as_str() {
            "removed" => "Доступ сотрудника закрыт: его сеансы завершены, токены API отозваны.",
            _ => "Приглашение отправлено: сотрудник получит письмо со ссылкой для установки пароля (действует 72 часа).",
        }
        .to_owned()
    });
    let page = StaffPage {
        notice,
        ..StaffPage::default()
    };
    staff_page(&state, &tenant, &visitor, layout, page).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InvitePost {
    csrf: String,
    #[serde(flatten)]
    invitation: Invitation,
}

/// «Пригласить сотрудника».
#[handler]
pub async fn invite(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    origin: Origin,
    Form(form): Form<InvitePost>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let sender = tenant.sender(&origin.site_url());
    match state
        .staff
        .invite(&tenant, &sender, viewer, &form.invitation)
        .await
    {
        Ok(_) => Ok(Redirect::see_other("/provider/staff?saved=invited").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let page = StaffPage {
                form: form.invitation,
                errors: &errors,
                ..StaffPage::default()
            };
            staff_page(&state, &tenant, &visitor, layout, page).await
        }
        Err(e) => Err(e.into()),
    }
}

/// «Закрыть доступ». Removing oneself ends one's own session: the next page is the home.
#[handler]
pub async fn remove(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let id = path_id(&id)?;
    match state.staff.remove(&tenant, viewer, id).await {
        Ok(Removed::Colleague) => {
            Ok(Redirect::see_other("/provider/staff?saved=removed").into_response())
        }
        Ok(Removed::Themselves) => Ok(Redirect::see_other("/").into_response()),
        Err(ServiceError::Refused(message)) => {
            let page = StaffPage {
                refusal: Some(message),
                ..StaffPage::default()
            };
            staff_page(&state, &tenant, &visitor, layout, page).await
        }
        Err(e) => Err(e.into()),
    }
}

/// What the tokens page shows besides the list.
#[derive(Default)]
struct TokensPage<'a> {
    name: String,
    errors: &'a [FieldError],
    /// The token just created: shown on this page only, never again.
    created: Option<(String, String)>,
    notice: Option<&'static str>,
}

async fn tokens_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    page: TokensPage<'_>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let tokens = state.tokens.list(tenant.id, viewer).await?;
    let tokens = views::tokens(&tokens, tenant.config.time_zone);
    let (created_name, secret) = page.created.unzip();
    let mut response = render(
        state,
        visitor,
        "provider_tokens.html",
        minijinja::context! {
            layout, tokens, form => minijinja::context! { name => page.name },
            errors => errors_map(page.errors), created_name, secret, notice => page.notice,
            nav => "cabinet",
        },
        crate::web::form_status(page.errors),
    )?;
    // A page that carries a token must not be kept by the browser or a proxy.
    response.headers_mut().insert(
        poem::http::header::CACHE_CONTROL,
        poem::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// «Токены API».
#[handler]
pub async fn show_tokens(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let page = TokensPage {
        notice: q
            .saved
            .map(|_| "Токен отозван: запросы с ним больше не принимаются."),
        ..TokensPage::default()
    };
    tokens_page(&state, &tenant, &visitor, layout, page).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenPost {
    csrf: String,
    name: String,
}

/// «Создать токен»: the answer is the page with the token on it, not a redirect, so that
/// the token is in no address and no history.
#[handler]
pub async fn create_token(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Form(form): Form<TokenPost>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    match state.tokens.create(tenant.id, viewer, &form.name).await {
        Ok((token, secret)) => {
            let page = TokensPage {
                created: Some((token.name, secret)),
                ..TokensPage::default()
            };
            tokens_page(&state, &tenant, &visitor, layout, page).await
        }
        Err(ServiceError::Invalid(errors)) => {
            let page = TokensPage {
                name: form.name,
                errors: &errors,
                ..TokensPage::default()
            };
            tokens_page(&state, &tenant, &visitor, layout, page).await
        }
        Err(e) => Err(e.into()),
    }
}

/// «Отозвать» a token.
#[handler]
pub async fn revoke_token(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let id = path_id(&id)?;
    state.tokens.revoke(tenant.id, viewer, id).await?;
    Ok(Redirect::see_other("/provider/tokens?saved=revoked").into_response())
}
