//! «Приём заявителя» in the organization's cabinet: the desk's home (find a child by
//! certificate number, register a family, the families registered here), a family's card
//! (the parent's data while it is the desk's to correct, the children, «Получить
//! сертификат», «Подтвердить данные», «Записать в группу»), and the printable заявление
//! with the согласие. Every form works without JavaScript; a refusal comes back on the
//! page it was made from, with its message.

use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query, Redirect};
use poem::{handler, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::accounts::service::{DeskOutcome, Taken, VisitorForm};
use crate::accounts::sessions::Viewer;
use crate::accounts::values::Role;
use crate::children::service::ChildForm;
use crate::domain::FieldError;
use crate::regions::{Site, Tenant};
use crate::service_error::ServiceError;
use crate::web::page::{errors_map, render, sender, CsrfOnly};
use crate::web::{path_id, region_of, Layout, Origin, Visitor, WebError};
use crate::State;

use super::service::SignInFor;

type PageResult = Result<Response, WebError>;

#[derive(Serialize)]
struct MunicipalityOption {
    id: String,
    name: String,
}

fn municipalities(tenant: &Tenant) -> Vec<MunicipalityOption> {
    tenant
        .config
        .municipalities
        .iter()
        .map(|m| MunicipalityOption {
            id: m.id.as_str().to_owned(),
            name: m.name.clone(),
        })
        .collect()
}

/// What a refused registration leaves on the desk's page: what is registered already, and
/// what the sign-in link would be sent by.
#[derive(Serialize, Default)]
struct Refusal {
    messages: Vec<&'static str>,
    email: String,
    phone: String,
}

fn refusal(taken: &[Taken], form: &VisitorForm) -> Refusal {
    Refusal {
        messages: taken.iter().map(|t| t.message()).collect(),
        email: if taken.contains(&Taken::Email) {
            form.email.clone()
        } else {
            String::new()
        },
        phone: if taken.contains(&Taken::Phone) && !taken.contains(&Taken::Email) {
            form.phone.clone()
        } else {
            String::new()
        },
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeskQuery {
    sent: Option<String>,
}

struct DeskPage<'a> {
    form: VisitorForm,
    errors: &'a [FieldError],
    refused: Option<Refusal>,
    notice: Option<&'static str>,
    status: StatusCode,
}

async fn render_desk(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    viewer: &Viewer,
    layout: Layout,
    page: DeskPage<'_>,
) -> PageResult {
    let families = state.visitors.list(tenant, viewer).await?;
    render(
        state,
        visitor,
        "provider_visitors.html",
        minijinja::context! {
            layout, families, form => page.form, errors => errors_map(page.errors),
            refused => page.refused, notice => page.notice,
            municipalities => municipalities(tenant), nav => "cabinet",
        },
        page.status,
    )
}

/// «Приём заявителя».
#[handler]
pub async fn desk(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<DeskQuery>,
) -> PageResult {
    let tenant = region_of(&site)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let form = VisitorForm {
        consent_taken_by: viewer.user.full_name(),
        consent_date: crate::time::day(tenant.today(&state.clock)),
        ..VisitorForm::default()
    };
    let notice = q.sent.map(|_| {
        "Если такой заявитель зарегистрирован, ему отправлена ссылка для входа на его адрес \
         электронной почты."
    });
    let page = DeskPage {
        form,
        errors: &[],
        refused: None,
        notice,
        status: StatusCode::OK,
    };
    render_desk(&state, tenant, &visitor, viewer, layout, page).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VisitorPost {
    csrf: String,
    #[serde(flatten)]
    visitor: VisitorForm,
}

/// «Зарегистрировать заявителя».
#[handler]
pub async fn register(
    state: Data<&State>,
    site: Site,
    origin: Origin,
    visitor: Visitor,
    layout: Layout,
    Form(form): Form<VisitorPost>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let tenant = region_of(&site)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let sender = sender(&state, &site, &origin)?;
    let (errors, refused) = match state
        .visitors
        .register(tenant, &sender, viewer, &form.visitor)
        .await
    {
        Ok(DeskOutcome::Saved(id)) => {
            return Ok(
                Redirect::see_other(format!("/provider/visitors/{id}?created=1")).into_response(),
            )
        }
        Ok(DeskOutcome::AlreadyRegistered(taken)) => {
            (Vec::new(), Some(refusal(&taken, &form.visitor)))
        }
        Err(ServiceError::Invalid(errors)) => (errors, None),
        Err(e) => return Err(e.into()),
    };
    let page = DeskPage {
        status: if refused.is_some() {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        form: form.visitor,
        errors: &errors,
        refused,
        notice: None,
    };
    render_desk(&state, tenant, &visitor, viewer, layout, page).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInPost {
    csrf: String,
    #[serde(flatten)]
    asked: SignInFor,
    /// The family's card the request came from, to go back to (a child's СНИЛС).
    back: String,
}

/// «Отправить ссылку для входа».
#[handler]
pub async fn sign_in_link(
    state: Data<&State>,
    site: Site,
    origin: Origin,
    visitor: Visitor,
    Form(form): Form<SignInPost>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let tenant = region_of(&site)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let sender = sender(&state, &site, &origin)?;
    state
        .visitors
        .sign_in_link(tenant, &sender, viewer, &form.asked)
        .await?;
    let back = match form.back.parse::<i64>() {
        Ok(id) if id > 0 => format!("/provider/visitors/{id}?sent=1"),
        _ => "/provider/visitors?sent=1".to_owned(),
    };
    Ok(Redirect::see_other(back).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FindQuery {
    number: String,
    birth_date: String,
}

/// The child looked up by number, and what the last attempt to record an application left.
struct Lookup<'a> {
    number: &'a str,
    birth_date: &'a str,
    errors: &'a [FieldError],
    alert: Option<String>,
}

async fn render_found(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    viewer: &Viewer,
    layout: Layout,
    lookup: Lookup<'_>,
) -> PageResult {
    let Lookup {
        number,
        birth_date,
        errors,
        alert,
    } = lookup;
    let found = if errors.iter().any(|e| e.field == "number") {
        None
    } else {
        match state
            .visitors
            .find(tenant, viewer, number, birth_date)
            .await
        {
            Ok(found) => Some(found),
            Err(ServiceError::Invalid(found_errors)) => {
                return render(
                    state,
                    visitor,
                    "provider_visitor_found.html",
                    minijinja::context! {
                        layout, form => minijinja::context! { number, birth_date }, errors => errors_map(&found_errors), nav => "cabinet",
                    },
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
            }
            Err(e) => return Err(e.into()),
        }
    };
    let groups = state.visitors.groups(tenant, viewer).await?;
    let status = if alert.is_some() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        state,
        visitor,
        "provider_visitor_found.html",
        minijinja::context! {
            layout, found, groups, alert, form => minijinja::context! { number, birth_date }, errors => errors_map(errors), nav => "cabinet",
        },
        status,
    )
}

/// «Найти по номеру сертификата» (audited).
#[handler]
pub async fn find(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<FindQuery>,
) -> PageResult {
    let tenant = region_of(&site)?;
    let viewer = visitor.require_role(Role::Provider)?;
    render_found(
        &state,
        tenant,
        &visitor,
        viewer,
        layout,
        Lookup {
            number: &q.number,
            birth_date: &q.birth_date,
            errors: &[],
            alert: None,
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApplyPost {
    csrf: String,
    number: String,
    birth_date: String,
    group: String,
}

fn group_id(raw: &str) -> Result<i64, ServiceError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ServiceError::field("group", "выберите группу"))
}

/// «Записать в группу» for a child found by certificate number.
#[handler]
pub async fn apply_by_number(
    state: Data<&State>,
    site: Site,
    origin: Origin,
    visitor: Visitor,
    layout: Layout,
    Form(form): Form<ApplyPost>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let tenant = region_of(&site)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let result = match group_id(&form.group) {
        Ok(group) => {
            state
                .visitors
                .apply_by_number(
                    tenant,
                    &sender(&state, &site, &origin)?,
                    viewer,
                    &form.number,
                    &form.birth_date,
                    group,
                )
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(app) => {
            Ok(Redirect::see_other(format!("/provider/applications/{}", app.id)).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            render_found(
                &state,
                tenant,
                &visitor,
                viewer,
                layout,
                Lookup {
                    number: &form.number,
                    birth_date: &form.birth_date,
                    errors: &errors,
                    alert: None,
                },
            )
            .await
        }
        Err(ServiceError::Refused(reason)) => {
            render_found(
                &state,
                tenant,
                &visitor,
                viewer,
                layout,
                Lookup {
                    number: &form.number,
                    birth_date: &form.birth_date,
                    errors: &[],
                    alert: Some(reason),
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CardQuery {
    created: Option<String>,
    saved: Option<String>,
    sent: Option<String>,
    resent: Option<String>,
}

/// What a family's card shows besides the family: the forms as typed and their errors.
#[derive(Default)]
struct CardExtra<'a> {
    notice: Option<String>,
    alert: Option<String>,
    parent_form: Option<VisitorForm>,
    parent_errors: &'a [FieldError],
    parent_refused: Option<Refusal>,
    apply_errors: &'a [FieldError],
}

impl CardExtra<'_> {
    fn alert(reason: String) -> Self {
        Self {
            alert: Some(reason),
            ..Self::default()
        }
    }

    fn notice(notice: String) -> Self {
        Self {
            notice: Some(notice),
            ..Self::default()
        }
    }
}

async fn render_card(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    viewer: &Viewer,
    layout: Layout,
    id: i64,
    extra: CardExtra<'_>,
) -> PageResult {
    let family = state.visitors.card(tenant, viewer, id).await?;
    let groups = state.visitors.groups(tenant, viewer).await?;
    let failed = !(extra.parent_errors.is_empty() && extra.apply_errors.is_empty());
    let status = if extra.alert.is_some() || extra.parent_refused.is_some() {
        StatusCode::CONFLICT
    } else if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let parent_form = extra.parent_form.unwrap_or_else(|| family.form.clone());
    render(
        state,
        visitor,
        "provider_visitor.html",
        minijinja::context! {
            layout, card => family, groups, parent_form,
            notice => extra.notice, alert => extra.alert,
            parent_errors => errors_map(extra.parent_errors),
            parent_refused => extra.parent_refused,
            apply_errors => errors_map(extra.apply_errors),
            municipalities => municipalities(tenant), nav => "cabinet",
        },
        status,
    )
}

/// A family's card.
#[handler]
pub async fn card(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
    Query(q): Query<CardQuery>,
) -> PageResult {
    let tenant = region_of(&site)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let notice = if q.created.is_some() {
        Some("Заявитель зарегистрирован. Ему отправлено письмо со ссылкой: перейдя по ней, он задаст пароль, подтвердит адрес и станет единственным владельцем учётной записи.")
    } else if q.saved.is_some() {
        Some("Сохранено.")
    } else if q.resent.is_some() {
        Some("Письмо со ссылкой отправлено ещё раз.")
    } else if q.sent.is_some() {
        Some("Если такой ребёнок зарегистрирован, владельцу его учётной записи отправлена ссылка для входа.")
    } else {
        None
    };
    let extra = CardExtra {
        notice: notice.map(str::to_owned),
        ..CardExtra::default()
    };
    render_card(
        &state,
        tenant,
        &visitor,
        viewer,
        layout,
        path_id(&raw)?,
        extra,
    )
    .await
}

/// Corrects the parent's data, until they take the account over.
#[handler]
pub async fn edit(
    state: Data<&State>,
    site: Site,
    origin: Origin,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
    Form(form): Form<VisitorPost>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let tenant = region_of(&site)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let id = path_id(&raw)?;
    let sender = sender(&state, &site, &origin)?;
    let result = state
        .visitors
        .edit(tenant, &sender, viewer, id, &form.visitor)
        .await;
    let (errors, refused, alert) = match result {
        Ok(DeskOutcome::Saved(_)) => {
            return Ok(
                Redirect::see_other(format!("/provider/visitors/{id}?saved=1")).into_response(),
            )
        }
        Ok(DeskOutcome::AlreadyRegistered(taken)) => {
            (Vec::new(), Some(refusal(&taken, &form.visitor)), None)
        }
        Err(ServiceError::Invalid(errors)) => (errors, None, None),
        Err(ServiceError::Refused(reason)) => (Vec::new(), None, Some(reason)),
        Err(e) => return Err(e.into()),
    };
    let extra = CardExtra {
        alert,
        parent_form: Some(form.visitor),
        parent_errors: &errors,
        parent_refused: refused,
        ..CardExtra::default()
    };
    render_card(&state, tenant, &visitor, viewer, layout, id, extra).await
}

/// «Отправить письмо ещё раз».
#[handler]
pub async fn resend(
    state: Data<&State>,
    site: Site,
    origin: Origin,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let tenant = region_of(&site)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let id = path_id(&raw)?;
    let sender = sender(&state, &site, &origin)?;
    match state.visitors.resend(tenant, &sender, viewer, id).await {
        Ok(()) => {
            Ok(Redirect::see_other(format!("/provider/visitors/{id}?resent=1")).into_response())
        }
        Err(ServiceError::Refused(reason)) => {
            let extra = CardExtra::alert(reason);
            render_card(&state, tenant, &visitor, viewer, layout, id, extra).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChildPost {
    csrf: String,
    #[serde(flatten)]
    child: ChildForm,
}

/// The child's form of the desk for family `id`, as typed, with its errors.
struct ChildPage<'a> {
    id: i64,
    form: &'a ChildForm,
    errors: &'a [FieldError],
}

async fn render_child_form(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    viewer: &Viewer,
    layout: Layout,
    page: ChildPage<'_>,
) -> PageResult {
    let ChildPage { id, form, errors } = page;
    let family = state.visitors.family_name(tenant, viewer, id).await?;
    let snils_taken = errors
        .iter()
        .any(|e| e.field == "snils" && e.message == crate::children::service::SNILS_TAKEN);
    render(
        state,
        visitor,
        "provider_visitor_child.html",
        minijinja::context! {
            layout, id, family, form, snils_taken, errors => errors_map(errors), nav => "cabinet",
        },
        crate::web::form_status(errors),
    )
}

/// «+ Добавить ребёнка» at the desk: the form.
#[handler]
pub async fn child_page(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
) -> PageResult {
    let tenant = region_of(&site)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let id = path_id(&raw)?;
    render_child_form(
        &state,
        tenant,
        &visitor,
        viewer,
        layout,
        ChildPage {
            id,
            form: &ChildForm::default(),
            errors: &[],
        },
    )
    .await
}

/// «+ Добавить ребёнка» at the desk.
#[handler]
pub async fn add_child(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
    Form(form): Form<ChildPost>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let tenant = region_of(&site)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let id = path_id(&raw)?;
    match state
        .visitors
        .add_child(tenant, viewer, id, &form.child)
        .await
    {
        Ok(_) => {
            Ok(Redirect::see_other(format!("/provider/visitors/{id}?saved=1")).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            render_child_form(
                &state,
                tenant,
                &visitor,
                viewer,
                layout,
                ChildPage {
                    id,
                    form: &form.child,
                    errors: &errors,
                },
            )
            .await
        }
        Err(ServiceError::Refused(reason)) => {
            let extra = CardExtra::alert(reason);
            render_card(&state, tenant, &visitor, viewer, layout, id, extra).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChildActionPost {
    csrf: String,
    group: String,
}

/// «Получить сертификат», «Подтвердить данные» or «Записать в группу» for a child of the
/// family at the desk.
#[handler]
pub async fn child_action(
    state: Data<&State>,
    site: Site,
    origin: Origin,
    visitor: Visitor,
    layout: Layout,
    Path((raw, raw_child, action)): Path<(String, String, String)>,
    Form(form): Form<ChildActionPost>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let tenant = region_of(&site)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let id = path_id(&raw)?;
    let child = path_id(&raw_child)?;
    let visitors = &state.visitors;
    let notice = match action.as_str() {
        "certificate" => visitors
            .issue(tenant, viewer, id, child)
            .await
            .map(|c| format!("Сертификат учёта выдан: № {}.", c.number)),
        "confirm" => {
            let sender = sender(&state, &site, &origin)?;
            visitors
                .confirm(tenant, &sender, viewer, id, child)
                .await
                .map(|()| "Данные ребёнка подтверждены по документам.".to_owned())
        }
        "apply" => match group_id(&form.group) {
            Ok(group) => visitors
                .apply(
                    tenant,
                    &sender(&state, &site, &origin)?,
                    viewer,
                    id,
                    child,
                    group,
                )
                .await
                .map(|a| {
                    format!(
                        "Заявка № {} записана: «Личное обращение», статус «{}».",
                        a.id,
                        a.status.label()
                    )
                }),
            Err(e) => Err(e),
        },
        _ => return Err(WebError::NotFound),
    };
    match notice {
        Ok(notice) => {
            let extra = CardExtra::notice(notice);
            render_card(&state, tenant, &visitor, viewer, layout, id, extra).await
        }
        Err(ServiceError::Refused(reason)) => {
            let extra = CardExtra::alert(reason);
            render_card(&state, tenant, &visitor, viewer, layout, id, extra).await
        }
        // The group's own error goes under its select; any other is the card's alert.
        Err(ServiceError::Invalid(errors)) if errors.iter().all(|e| e.field == "group") => {
            let extra = CardExtra {
                apply_errors: &errors,
                ..CardExtra::default()
            };
            render_card(&state, tenant, &visitor, viewer, layout, id, extra).await
        }
        Err(ServiceError::Invalid(errors)) => {
            let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
            let extra = CardExtra {
                alert: Some(messages.join("; ")),
                ..CardExtra::default()
            };
            render_card(&state, tenant, &visitor, viewer, layout, id, extra).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The заявление and the согласие, prefilled, for signature.
#[handler]
pub async fn print(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
) -> PageResult {
    let tenant = region_of(&site)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let doc = state.visitors.print(tenant, viewer, path_id(&raw)?).await?;
    render(
        &state,
        &visitor,
        "visitor_print.html",
        minijinja::context! { layout, doc, nav => "cabinet" },
        StatusCode::OK,
    )
}
