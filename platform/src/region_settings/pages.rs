//! The settings pages of the regional admin: `/admin/settings` (the overview with the
//! operator's part read-only, «Скачать настройки»), one form per section and per
//! municipality, and `/admin/dictionaries` (the profiles). A refused form comes back with
//! each error next to its field and nothing applied.

use poem::http::{header, StatusCode};
use poem::web::{Data, Form, Path, Query, Redirect};
use poem::{handler, IntoResponse, Response};
use serde::Deserialize;

use crate::accounts::values::Role;
use crate::domain::FieldError;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::web::page::{render, PageResult};
use crate::web::{form_status, Layout, Region, Visitor, WebError};
use crate::State;

use super::edit::{self, MunicipalityEdit, Section, MUNICIPALITY};
use super::service::Saved;
use super::views::{self, errors_by_field, Overview};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    saved: Option<String>,
    unchanged: Option<String>,
}

/// What a save's redirect names: a section's code, or `municipalities`. The notice is made
/// here from it, never from the address's text.
fn part_title(code: &str) -> Option<&'static str> {
    match code {
        "municipalities" => Some("Муниципалитеты"),
        code => Section::parse(code).map(Section::title),
    }
}

impl Notice {
    fn text(&self) -> Option<String> {
        if let Some(what) = self.saved.as_deref().and_then(part_title) {
            Some(format!(
                "Сохранено: {what}. Сайт региона показывает изменения в течение нескольких секунд."
            ))
        } else {
            self.unchanged
                .as_deref()
                .and_then(part_title)
                .map(|what| format!("{what}: изменений нет."))
        }
    }
}

/// The submitted fields, the CSRF token checked and taken out.
fn form_of(visitor: &Visitor, pairs: Vec<(String, String)>) -> Result<edit::Form, WebError> {
    let mut form: edit::Form = pairs.into_iter().collect();
    let csrf = form.remove("csrf").unwrap_or_default();
    visitor.check_csrf(&csrf)?;
    Ok(form)
}

/// After a save, this process serves the change at once (the others at their next poll),
/// and the region's statistics are computed afresh (child population, budgets).
async fn reload(state: &State, tenant: &Tenant) {
    state.statistics.forget(tenant.id);
    if let Err(e) = state.registry.refresh(&state.db, &state.cache).await {
        tracing::warn!(error = %e, "registry not reloaded after a settings change; the poll will");
    }
}

/// Back to the overview, naming the part saved by its code.
fn saved(outcome: Saved, part: &'static str) -> Response {
    let key = match outcome {
        Saved::Changed => "saved",
        Saved::Unchanged => "unchanged",
    };
    Redirect::see_other(format!("/admin/settings?{key}={part}")).into_response()
}

/// «Настройки региона».
#[handler]
pub async fn overview(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(notice): Query<Notice>,
) -> PageResult {
    overview_page(&state, &tenant, &visitor, layout, notice.text(), None).await
}

async fn overview_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    notice: Option<String>,
    refusal: Option<String>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Regional)?;
    let source = state.region_settings.source(tenant, viewer).await?;
    // The registry may be a poll behind this process's database: show what is stored.
    let shown = match tenants::RegionConfig::parse(tenant.slug(), &source) {
        Ok(config) => Tenant {
            config,
            ..(*tenant).clone()
        },
        Err(_) => (*tenant).clone(),
    };
    let settings = Overview::of(&shown, &source);
    let status = if refusal.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    render(
        state,
        visitor,
        "admin_settings.html",
        minijinja::context! { layout, overview => settings, notice, refusal, tab => "settings" },
        status,
    )
}

/// «Скачать настройки»: the region's file as stored, the same TOML `navigator tenant
/// apply` takes.
#[handler]
pub async fn download(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let viewer = visitor.require_role(Role::Regional)?;
    let source = state.region_settings.source(&tenant, viewer).await?;
    Ok(source
        .with_content_type("application/toml; charset=utf-8")
        .with_header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}.toml\"", tenant.slug()),
        )
        .with_header(header::CACHE_CONTROL, "no-store")
        .into_response())
}

struct FormPage<'a> {
    title: String,
    action: String,
    fields: Vec<views::FieldView>,
    general: Vec<String>,
    errors: &'a [FieldError],
}

fn form_page(state: &State, visitor: &Visitor, layout: Layout, page: FormPage<'_>) -> PageResult {
    let status = form_status(page.errors);
    let summary: Vec<(String, String)> = page
        .fields
        .iter()
        .filter_map(|f| f.error.clone().map(|e| (f.name.to_owned(), e)))
        .collect();
    render(
        state,
        visitor,
        "admin_settings_form.html",
        minijinja::context! {
            layout, title => page.title, action => page.action, fields => page.fields,
            general => page.general, summary, tab => "settings",
        },
        status,
    )
}

fn general(errors: &[FieldError], fields: &[views::FieldView]) -> Vec<String> {
    errors
        .iter()
        .filter(|e| !fields.iter().any(|f| f.name == e.field))
        .map(|e| e.message.clone())
        .collect()
}

fn section_of(slug: &str) -> Result<Section, WebError> {
    Section::parse(slug).ok_or(WebError::NotFound)
}

fn section_page(
    state: &State,
    visitor: &Visitor,
    layout: Layout,
    section: Section,
    values: &edit::Form,
    errors: &[FieldError],
) -> PageResult {
    let fields = views::fields(section.fields(), values, &errors_by_field(errors), &[]);
    let general = general(errors, &fields);
    form_page(
        state,
        visitor,
        layout,
        FormPage {
            title: section.title().to_owned(),
            action: format!("/admin/settings/{}", section.slug()),
            fields,
            general,
            errors,
        },
    )
}

#[handler]
pub async fn show_section(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(slug): Path<String>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Regional)?;
    let section = section_of(&slug)?;
    let source = state.region_settings.source(&tenant, viewer).await?;
    let values = edit::section_values(&source, section);
    section_page(&state, &visitor, layout, section, &values, &[])
}

#[handler]
pub async fn save_section(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(slug): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let section = section_of(&slug)?;
    let form = form_of(&visitor, pairs)?;
    let viewer = visitor.require_role(Role::Regional)?;
    match state
        .region_settings
        .save_section(&tenant, viewer, section, &form)
        .await
    {
        Ok(outcome) => {
            reload(&state, &tenant).await;
            Ok(saved(outcome, section.slug()))
        }
        Err(ServiceError::Invalid(errors)) => {
            section_page(&state, &visitor, layout, section, &form, &errors)
        }
        Err(e) => Err(e.into()),
    }
}

fn municipality_page(
    state: &State,
    visitor: &Visitor,
    layout: Layout,
    id: Option<&str>,
    values: &edit::Form,
    errors: &[FieldError],
) -> PageResult {
    let readonly: &[&str] = if id.is_some() { &["id"] } else { &[] };
    let fields = views::fields(MUNICIPALITY, values, &errors_by_field(errors), readonly);
    let general = general(errors, &fields);
    let (title, action) = match id {
        Some(id) => (
            format!("Муниципалитет «{}»", values.get("name").map_or(id, |n| n)),
            format!("/admin/settings/municipalities/{id}"),
        ),
        None => (
            "Новый муниципалитет".to_owned(),
            "/admin/settings/municipalities/new".to_owned(),
        ),
    };
    form_page(
        state,
        visitor,
        layout,
        FormPage {
            title,
            action,
            fields,
            general,
            errors,
        },
    )
}

#[handler]
pub async fn new_municipality(
    state: Data<&State>,
    visitor: Visitor,
    layout: Layout,
    Region(_): Region,
) -> PageResult {
    visitor.require_role(Role::Regional)?;
    municipality_page(&state, &visitor, layout, None, &edit::Form::new(), &[])
}

#[handler]
pub async fn add_municipality(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let form = form_of(&visitor, pairs)?;
    let viewer = visitor.require_role(Role::Regional)?;
    match state
        .region_settings
        .edit_municipality(&tenant, viewer, MunicipalityEdit::Add, &form)
        .await
    {
        Ok(outcome) => {
            reload(&state, &tenant).await;
            Ok(saved(outcome, "municipalities"))
        }
        Err(ServiceError::Invalid(errors)) => {
            municipality_page(&state, &visitor, layout, None, &form, &errors)
        }
        Err(e) => Err(e.into()),
    }
}

#[handler]
pub async fn show_municipality(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Regional)?;
    let source = state.region_settings.source(&tenant, viewer).await?;
    let values = edit::municipality_values(&source, &id).ok_or(WebError::NotFound)?;
    municipality_page(&state, &visitor, layout, Some(&id), &values, &[])
}

#[handler]
pub async fn save_municipality(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let mut form = form_of(&visitor, pairs)?;
    let viewer = visitor.require_role(Role::Regional)?;
    form.insert("id".into(), id.clone());
    match state
        .region_settings
        .edit_municipality(&tenant, viewer, MunicipalityEdit::Change(&id), &form)
        .await
    {
        Ok(outcome) => {
            reload(&state, &tenant).await;
            Ok(saved(outcome, "municipalities"))
        }
        Err(ServiceError::Invalid(errors)) => {
            municipality_page(&state, &visitor, layout, Some(&id), &form, &errors)
        }
        Err(e) => Err(e.into()),
    }
}

/// «Удалить» a municipality: refused, on the overview, while anything belongs to it.
#[handler]
pub async fn remove_municipality(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    form_of(&visitor, pairs)?;
    let viewer = visitor.require_role(Role::Regional)?;
    let outcome = state
        .region_settings
        .edit_municipality(
            &tenant,
            viewer,
            MunicipalityEdit::Remove(&id),
            &edit::Form::new(),
        )
        .await;
    match outcome {
        Ok(outcome) => {
            reload(&state, &tenant).await;
            Ok(saved(outcome, "municipalities"))
        }
        Err(ServiceError::Refused(message)) => {
            overview_page(&state, &tenant, &visitor, layout, None, Some(message)).await
        }
        Err(ServiceError::Invalid(errors)) => {
            let message = errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            overview_page(&state, &tenant, &visitor, layout, None, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DictionaryQuery {
    done: Option<String>,
}

/// What the dictionary page shows besides the list.
#[derive(Default)]
struct Shown<'a> {
    notice: Option<String>,
    /// The add form as sent, with its errors.
    add: Option<&'a edit::Form>,
    add_errors: &'a [FieldError],
    /// The profile whose row a refusal is about, and the message.
    row: Option<(&'a str, String)>,
}

async fn dictionary_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    shown: Shown<'_>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Regional)?;
    let profiles = state.region_settings.profiles(tenant, viewer).await?;
    let directions = views::dictionary(&profiles);
    let status = if !shown.add_errors.is_empty() || shown.row.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (row_id, row_error) = shown.row.unzip();
    render(
        state,
        visitor,
        "admin_dictionaries.html",
        minijinja::context! {
            layout, directions, notice => shown.notice,
            add => shown.add.cloned().unwrap_or_default(),
            errors => errors_by_field(shown.add_errors), row_id, row_error,
            tab => "dictionaries",
        },
        status,
    )
}

#[handler]
pub async fn dictionaries(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<DictionaryQuery>,
) -> PageResult {
    let notice = q.done.as_deref().and_then(|done| {
        Some(match done {
            "added" => "Профиль добавлен.",
            "renamed" => "Профиль переименован: программы и каталог показывают новое название.",
            "retired" => "Профиль упразднён.",
            "moved" => "Профиль упразднён, его программы перенесены в выбранный профиль.",
            _ => return None,
        })
    });
    let shown = Shown {
        notice: notice.map(str::to_owned),
        ..Shown::default()
    };
    dictionary_page(&state, &tenant, &visitor, layout, shown).await
}

/// Back to the dictionary, naming what was done by its code.
fn done(what: &'static str) -> Response {
    Redirect::see_other(format!("/admin/dictionaries?done={what}")).into_response()
}

/// «Добавить профиль».
#[handler]
pub async fn add_profile(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let form = form_of(&visitor, pairs)?;
    let viewer = visitor.require_role(Role::Regional)?;
    let field = |name: &str| form.get(name).map_or("", String::as_str);
    match state
        .region_settings
        .add_profile(&tenant, viewer, field("direction"), field("name"))
        .await
    {
        Ok(_) => Ok(done("added")),
        Err(ServiceError::Invalid(errors)) => {
            let shown = Shown {
                add: Some(&form),
                add_errors: &errors,
                ..Shown::default()
            };
            dictionary_page(&state, &tenant, &visitor, layout, shown).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A profile row's refusal in one line: the row has one place for it.
fn row_message(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// «Переименовать».
#[handler]
pub async fn rename_profile(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let form = form_of(&visitor, pairs)?;
    let viewer = visitor.require_role(Role::Regional)?;
    let name = form.get("name").map_or("", String::as_str);
    match state
        .region_settings
        .rename_profile(&tenant, viewer, &id, name)
        .await
    {
        Ok(()) => Ok(done("renamed")),
        Err(ServiceError::Invalid(errors)) => {
            let shown = Shown {
                row: Some((&id, row_message(&errors))),
                ..Shown::default()
            };
            dictionary_page(&state, &tenant, &visitor, layout, shown).await
        }
        Err(e) => Err(e.into()),
    }
}

/// «Упразднить», moving the profile's programs to `target`.
#[handler]
pub async fn retire_profile(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let form = form_of(&visitor, pairs)?;
    let viewer = visitor.require_role(Role::Regional)?;
    let target = form.get("target").map(String::as_str);
    match state
        .region_settings
        .retire_profile(&tenant, viewer, &id, target)
        .await
    {
        Ok(0) => Ok(done("retired")),
        Ok(_) => Ok(done("moved")),
        Err(ServiceError::Invalid(errors)) => {
            let shown = Shown {
                row: Some((&id, row_message(&errors))),
                ..Shown::default()
            };
            dictionary_page(&state, &tenant, &visitor, layout, shown).await
        }
        Err(e) => Err(e.into()),
    }
}
