//! The registry's pages: the list with its GET form of filters (`/admin/organizations`,
//! `/municipal/organizations`), its export (`…/organizations/export.xlsx`, `.csv`, the same
//! filters), «Добавить организацию» (`…/organizations/new`), an organization's form
//! (`…/organizations/{id}/edit`) with «Отключить» / «Включить», and the region's
//! administrators (`/admin/staff`). Plain HTML forms; no JavaScript.

use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query, Redirect};
use poem::{handler, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::accounts::values::Role;
use crate::accounts::AdminScope;
use crate::domain::FieldError;
use crate::organizations::ProfileForm;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::sheets::pages::{attachment, CSV, XLSX};
use crate::web::page::{errors_map, render, CsrfOnly, PageResult};
use crate::web::pager::Pager;
use crate::web::{form_status, path_id, Cabinet, Layout, Origin, Region, Visitor, WebError};
use crate::State;

use super::service::{AdminInvitation, Filter, Format, OrganizationForm};
use super::views;

/// Lines of the registry on one page.
const PER_PAGE: usize = 25;

/// Where the viewer's registry lives: `/admin/organizations` or `/municipal/organizations`.
fn base(scope: &AdminScope) -> String {
    format!("{}/organizations", scope.home())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegistryQuery {
    #[serde(flatten)]
    filter: Filter,
    /// Read leniently: a page number that is not one shows the first page.
    page: String,
    saved: String,
}

fn encode(filter: &Filter) -> String {
    let pairs: Vec<(&str, &str)> = [
        ("q", filter.q.trim()),
        ("municipality", filter.municipality.as_str()),
        ("org_type", filter.org_type.as_str()),
        ("confirms", filter.confirms.as_str()),
        ("published", filter.published.as_str()),
        ("state", filter.state.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

fn notice(saved: &str) -> Option<&'static str> {
    Some(match saved {
        "created" => "Организация добавлена. Пригласите её первого сотрудника: он получит письмо со ссылкой для установки пароля.",
        "edited" => "Сведения об организации сохранены.",
        "deactivated" => "Организация отключена: её программы убраны из каталога, заявки сохранены.",
        "reactivated" => "Организация снова работает: её опубликованные программы вернулись в каталог.",
        "invited" => "Приглашение отправлено: администратор получит письмо со ссылкой для установки пароля (действует 72 часа).",
        "removed" => "Доступ администратора закрыт: его сеансы и токены больше не действуют.",
        _ => return None,
    })
}

/// The registry: the filters' GET form, one page of organizations, the export links.
#[handler]
pub async fn registry(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Cabinet(scope): Cabinet,
    Query(q): Query<RegistryQuery>,
) -> PageResult {
    let base = base(&scope);
    let entries = state
        .administration
        .registry(&tenant, &scope, &q.filter)
        .await?;
    let total = entries.len();
    let pages = total.div_ceil(PER_PAGE).max(1) as u32;
    let current = q.page.trim().parse::<u32>().unwrap_or(1).clamp(1, pages);
    let lines: Vec<views::Line> = entries
        .iter()
        .skip((current as usize - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|e| views::line(&tenant, e))
        .collect();
    let query = encode(&q.filter);
    let pager = Pager::new(current, pages, |n| {
        let page = if n > 1 {
            format!("page={n}")
        } else {
            String::new()
        };
        let both: Vec<&str> = [query.as_str(), page.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        if both.is_empty() {
            base.clone()
        } else {
            format!("{base}?{}", both.join("&"))
        }
    });
    let suffix = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let only = scope.municipality();
    render(
        &state,
        &visitor,
        "admin_organizations.html",
        minijinja::context! {
            layout, lines, total, pager, filter => &q.filter, base,
            home => scope.home(),
            regional => scope == AdminScope::Region,
            municipalities => views::municipalities(&tenant, only),
            types => views::types(),
            xlsx => format!("{base}/export.xlsx{suffix}"),
            csv => format!("{base}/export.csv{suffix}"),
            notice => notice(&q.saved), nav => "cabinet",
        },
        StatusCode::OK,
    )
}

async fn export(
    state: &State,
    tenant: &Tenant,
    scope: &AdminScope,
    filter: &Filter,
    format: Format,
) -> Result<Response, WebError> {
    let bytes = state
        .administration
        .export(tenant, scope, filter, format)
        .await?;
    let (content_type, ext) = match format {
        Format::Xlsx => (XLSX, "xlsx"),
        Format::Csv => (CSV, "csv"),
    };
    let name = format!("navigator-organizations-{}.{ext}", tenant.slug());
    Ok(attachment(bytes, content_type, &name))
}

/// `…/organizations/export.xlsx`: the registry with the page's filters.
#[handler]
pub async fn export_xlsx(
    state: Data<&State>,
    Region(tenant): Region,
    Cabinet(scope): Cabinet,
    Query(filter): Query<Filter>,
) -> Result<Response, WebError> {
    export(&state, &tenant, &scope, &filter, Format::Xlsx).await
}

/// `…/organizations/export.csv`: the same as CSV.
#[handler]
pub async fn export_csv(
    state: Data<&State>,
    Region(tenant): Region,
    Cabinet(scope): Cabinet,
    Query(filter): Query<Filter>,
) -> Result<Response, WebError> {
    export(&state, &tenant, &scope, &filter, Format::Csv).await
}

/// The organization's form as typed, its errors; `id` is `None` for a new one.
struct FormPage<'a> {
    scope: &'a AdminScope,
    id: Option<i64>,
    form: &'a OrganizationForm,
    errors: &'a [FieldError],
}

async fn form_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    page: FormPage<'_>,
    notice: Option<&'static str>,
) -> PageResult {
    let scope = page.scope;
    let base = base(scope);
    let line = match page.id {
        Some(id) => {
            let (entry, _) = state.administration.organization(tenant, scope, id).await?;
            Some(views::line(tenant, &entry))
        }
        None => None,
    };
    let only = scope.municipality();
    render(
        state,
        visitor,
        "admin_organization.html",
        minijinja::context! {
            layout, org => line, form => page.form, errors => errors_map(page.errors),
            base, notice, home => scope.home(),
            municipalities => views::municipalities(tenant, only),
            types => views::types(),
            nav => "cabinet",
        },
        form_status(page.errors),
    )
}

/// «Добавить организацию».
#[handler]
pub async fn new_form(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Cabinet(scope): Cabinet,
) -> PageResult {
    let form = OrganizationForm {
        municipality: scope.municipality().unwrap_or_default().to_owned(),
        ..OrganizationForm::default()
    };
    form_page(
        &state,
        &tenant,
        &visitor,
        layout,
        FormPage {
            scope: &scope,
            id: None,
            form: &form,
            errors: &[],
        },
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrganizationPost {
    csrf: String,
    #[serde(flatten)]
    form: OrganizationForm,
}

/// Saves a new organization; its page then offers to invite the first staff member.
#[handler]
pub async fn create(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Cabinet(scope): Cabinet,
    Form(post): Form<OrganizationPost>,
) -> PageResult {
    visitor.check_csrf(&post.csrf)?;
    let base = base(&scope);
    let viewer = visitor.require()?;
    match state
        .administration
        .create(&tenant, viewer, &scope, &post.form)
        .await
    {
        Ok(id) => {
            Ok(Redirect::see_other(format!("{base}/{id}/edit?saved=created")).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            form_page(
                &state,
                &tenant,
                &visitor,
                layout,
                FormPage {
                    scope: &scope,
                    id: None,
                    form: &post.form,
                    errors: &errors,
                },
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: String,
}

/// An organization's form, as stored.
#[handler]
pub async fn edit_form(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Cabinet(scope): Cabinet,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let id = path_id(&id)?;
    let (entry, profile) = state
        .administration
        .organization(&tenant, &scope, id)
        .await?;
    let form = OrganizationForm {
        profile: ProfileForm::from(&profile),
        municipality: entry.municipality_id.clone(),
        address: String::new(),
    };
    form_page(
        &state,
        &tenant,
        &visitor,
        layout,
        FormPage {
            scope: &scope,
            id: Some(id),
            form: &form,
            errors: &[],
        },
        notice(&q.saved),
    )
    .await
}

/// Saves an organization's form.
#[handler]
pub async fn edit(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Cabinet(scope): Cabinet,
    Path(id): Path<String>,
    Form(post): Form<OrganizationPost>,
) -> PageResult {
    visitor.check_csrf(&post.csrf)?;
    let id = path_id(&id)?;
    let base = base(&scope);
    let viewer = visitor.require()?;
    match state
        .administration
        .edit(&tenant, viewer, &scope, id, &post.form)
        .await
    {
        Ok(()) => Ok(Redirect::see_other(format!("{base}/{id}/edit?saved=edited")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            form_page(
                &state,
                &tenant,
                &visitor,
                layout,
                FormPage {
                    scope: &scope,
                    id: Some(id),
                    form: &post.form,
                    errors: &errors,
                },
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn set_active(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    scope: &AdminScope,
    id: &str,
    csrf: &str,
    active: bool,
) -> PageResult {
    visitor.check_csrf(csrf)?;
    let id = path_id(id)?;
    let base = base(scope);
    let viewer = visitor.require()?;
    state
        .administration
        .set_active(tenant, viewer, scope, id, active)
        .await?;
    let saved = if active { "reactivated" } else { "deactivated" };
    Ok(Redirect::see_other(format!("{base}/{id}/edit?saved={saved}")).into_response())
}

/// «Отключить организацию».
#[handler]
pub async fn deactivate(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    Cabinet(scope): Cabinet,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    set_active(&state, &tenant, &visitor, &scope, &id, &form.csrf, false).await
}

/// «Включить организацию».
#[handler]
pub async fn reactivate(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    Cabinet(scope): Cabinet,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    set_active(&state, &tenant, &visitor, &scope, &id, &form.csrf, true).await
}

// ---------------------------------------------------------------- administrators

#[derive(Serialize)]
struct RoleChoice {
    code: &'static str,
    label: &'static str,
}

async fn staff_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    form: &AdminInvitation,
    errors: &[FieldError],
    notice: Option<&'static str>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Regional)?;
    let users = state.administration.admins(tenant, viewer).await?;
    let admins = views::admins(tenant, &users, viewer.user.id);
    let roles = [Role::Municipal, Role::Regional].map(|r| RoleChoice {
        code: r.as_str(),
        label: r.label(),
    });
    render(
        state,
        visitor,
        "admin_staff.html",
        minijinja::context! {
            layout, admins, form, errors => errors_map(errors), notice, roles,
            municipalities => views::municipalities(tenant, None),
            nav => "cabinet",
        },
        form_status(errors),
    )
}

/// «Администраторы»: the region's municipal and regional admins, «Пригласить».
#[handler]
pub async fn staff(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let form = AdminInvitation {
        role: Role::Municipal.as_str().to_owned(),
        ..AdminInvitation::default()
    };
    staff_page(
        &state,
        &tenant,
        &visitor,
        layout,
        &form,
        &[],
        notice(&q.saved),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InvitePost {
    csrf: String,
    #[serde(flatten)]
    invitation: AdminInvitation,
}

/// «Пригласить администратора».
#[handler]
pub async fn invite(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    origin: Origin,
    Form(post): Form<InvitePost>,
) -> PageResult {
    visitor.check_csrf(&post.csrf)?;
    let viewer = visitor.require_role(Role::Regional)?;
    let sender = tenant.sender(&origin.site_url());
    match state
        .administration
        .invite_admin(&tenant, &sender, viewer, &post.invitation)
        .await
    {
        Ok(_) => Ok(Redirect::see_other("/admin/staff?saved=invited").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            staff_page(
                &state,
                &tenant,
                &visitor,
                layout,
                &post.invitation,
                &errors,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// «Закрыть доступ» of an administrator.
#[handler]
pub async fn remove(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let id = path_id(&id)?;
    let viewer = visitor.require_role(Role::Regional)?;
    state
        .administration
        .remove_admin(&tenant, viewer, id)
        .await?;
    Ok(Redirect::see_other("/admin/staff?saved=removed").into_response())
}
