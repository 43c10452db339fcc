//! «Программы» in the provider cabinet: the list, the card form (new and existing), and
//! the buttons of the lifecycle — «Отправить на модерацию», «Отозвать с модерации»,
//! «Копировать программу», «В архив», «Вернуть из архива». Plain HTML forms; a wrong
//! field comes back with its message beside it.

use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query, Redirect};
use poem::{handler, IntoResponse};
use serde::{Deserialize, Serialize};

use crate::accounts::values::Role;
use crate::catalog::model::{
    Direction, Financing, Level, OvzKind, ProgramStatus, ProgramType, StudyForm,
};
use crate::catalog::store::Profile;
use crate::domain::FieldError;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::time::shown_in;
use crate::web::page::{errors_map, render, CsrfOnly, PageResult};
use crate::web::{form_status, path_id, Layout, Region, Visitor, WebError};
use crate::State;

use crate::accounts::history;
use crate::programs::card::{diff, CardForm, FieldChange};
use crate::programs::service::Step;
use crate::programs::store::Authored;

/// One choice of a drop-down or a check box.
#[derive(Serialize)]
pub struct Opt {
    code: String,
    label: String,
    group: Option<&'static str>,
}

fn opts<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<Opt> {
    all.iter()
        .map(|v| Opt {
            code: code(*v).to_owned(),
            label: label(*v).to_owned(),
            group: None,
        })
        .collect()
}

/// Every choice the card form offers.
#[derive(Serialize)]
pub struct Choices {
    directions: Vec<Opt>,
    profiles: Vec<Opt>,
    levels: Vec<Opt>,
    types: Vec<Opt>,
    forms: Vec<Opt>,
    ovz: Vec<Opt>,
    financing: Vec<Opt>,
}

pub fn choices(profiles: &[Profile]) -> Choices {
    Choices {
        directions: opts(Direction::ALL, Direction::code, Direction::label),
        profiles: profiles
            .iter()
            .map(|p| Opt {
                code: p.id.clone(),
                label: p.name.clone(),
                group: Some(p.direction.label()),
            })
            .collect(),
        levels: opts(Level::ALL, Level::code, Level::label),
        types: opts(ProgramType::ALL, ProgramType::code, ProgramType::label),
        forms: opts(StudyForm::ALL, StudyForm::code, StudyForm::label),
        ovz: opts(OvzKind::ALL, OvzKind::code, OvzKind::label),
        financing: opts(Financing::ALL, Financing::code, Financing::label),
    }
}

#[derive(Serialize)]
struct Row {
    id: i64,
    title: String,
    status: String,
    state: &'static str,
    ages: String,
    updated: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    done: Option<String>,
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "created" => {
            "Черновик программы создан. Когда всё будет готово, отправьте её на модерацию."
        }
        "saved" => "Изменения сохранены.",
        "copied" => "Создан черновик — копия программы. Проверьте даты и отправьте на модерацию.",
        step => return Step::parse(step).map(Step::done),
    })
}

/// «Программы».
#[handler]
pub async fn list(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let programs = state.programs.list(&tenant, viewer).await?;
    let rows: Vec<Row> = programs
        .iter()
        .map(|p| Row {
            id: p.id,
            title: p.working_card().title.clone(),
            status: p.status_text(),
            state: p.working_state().code(),
            ages: format!("{}–{}", p.card.age_min, p.card.age_max),
            updated: shown_in(
                p.revision.as_ref().map_or(&p.updated_at, |r| &r.updated_at),
                tenant.config.time_zone,
            ),
        })
        .collect();
    render(
        &state,
        &visitor,
        "provider_programs.html",
        minijinja::context! { layout, rows, notice => notice(q.done.as_deref()), nav => "cabinet" },
        StatusCode::OK,
    )
}

/// The card page: the form (read-only while on moderation or archived), the status, the
/// moderator's comment, the pending changes against the published card, the history.
struct CardPage<'a> {
    program: Option<&'a Authored>,
    form: CardForm,
    errors: &'a [FieldError],
    notice: Option<&'static str>,
    refusal: Option<String>,
}

async fn card_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    page: CardPage<'_>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let profiles = state.programs.profiles(tenant).await?;
    let (status, state_code, comment, changes, history, editable) = match page.program {
        None => (
            ProgramStatus::Draft.label().to_owned(),
            "new",
            None,
            Vec::new(),
            Vec::new(),
            true,
        ),
        Some(p) => {
            let changes: Vec<FieldChange> = match &p.revision {
                Some(r) => diff(Some(&p.card), &r.card, &profiles),
                None => Vec::new(),
            };
            let history = state.programs.history(tenant, viewer, p.id).await?;
            (
                p.status_text(),
                p.working_state().code(),
                p.comment().map(str::to_owned),
                changes,
                history::lines(&history, tenant.config.time_zone),
                !matches!(
                    p.working_state(),
                    ProgramStatus::Moderation | ProgramStatus::Archived
                ),
            )
        }
    };
    let status_code = if page.refusal.is_some() {
        StatusCode::CONFLICT
    } else {
        form_status(page.errors)
    };
    render(
        state,
        visitor,
        "provider_program.html",
        minijinja::context! {
            layout, id => page.program.map(|p| p.id), status, state => state_code, comment,
            changes, history, editable, form => page.form, errors => errors_map(page.errors),
            choices => choices(&profiles), notice => page.notice, refusal => page.refusal,
            nav => "cabinet",
        },
        status_code,
    )
}

/// «Создать программу»: the empty card.
#[handler]
pub async fn new_form(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
) -> PageResult {
    visitor.require_role(Role::Provider)?;
    let page = CardPage {
        program: None,
        form: CardForm {
            group_min: "1".into(),
            group_max: "15".into(),
            ..CardForm::default()
        },
        errors: &[],
        notice: None,
        refusal: None,
    };
    card_page(&state, &tenant, &visitor, layout, page).await
}

fn csrf_of(pairs: &[(String, String)]) -> &str {
    pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str())
}

#[handler]
pub async fn create(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    visitor.check_csrf(csrf_of(&pairs))?;
    let viewer = visitor.require_role(Role::Provider)?;
    let form = CardForm::from_pairs(&pairs);
    match state.programs.create(&tenant, viewer, &form).await {
        Ok(id) => Ok(
            Redirect::see_other(format!("/provider/programs/{id}?done=created")).into_response(),
        ),
        Err(ServiceError::Invalid(errors)) => {
            let page = CardPage {
                program: None,
                form,
                errors: &errors,
                notice: None,
                refusal: None,
            };
            card_page(&state, &tenant, &visitor, layout, page).await
        }
        Err(e) => Err(e.into()),
    }
}

/// One program's card.
#[handler]
pub async fn show(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let program = state.programs.get(&tenant, viewer, path_id(&id)?).await?;
    let page = CardPage {
        program: Some(&program),
        form: CardForm::from(program.working_card()),
        errors: &[],
        notice: notice(q.done.as_deref()),
        refusal: None,
    };
    card_page(&state, &tenant, &visitor, layout, page).await
}

#[handler]
pub async fn save(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    visitor.check_csrf(csrf_of(&pairs))?;
    let viewer = visitor.require_role(Role::Provider)?;
    let id = path_id(&id)?;
    let form = CardForm::from_pairs(&pairs);
    let (errors, refusal) = match state.programs.save(&tenant, viewer, id, &form).await {
        Ok(()) => {
            return Ok(
                Redirect::see_other(format!("/provider/programs/{id}?done=saved")).into_response(),
            )
        }
        Err(ServiceError::Invalid(errors)) => (errors, None),
        Err(ServiceError::Refused(why)) => (Vec::new(), Some(why)),
        Err(e) => return Err(e.into()),
    };
    let program = state.programs.get(&tenant, viewer, id).await?;
    let page = CardPage {
        program: Some(&program),
        form,
        errors: &errors,
        notice: None,
        refusal,
    };
    card_page(&state, &tenant, &visitor, layout, page).await
}

/// The lifecycle buttons: `submit`, `withdraw`, `copy`, `archive`, `restore`.
#[handler]
pub async fn act(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let id = path_id(&id)?;
    let programs = &state.programs;
    let result = match (action.as_str(), Step::parse(&action)) {
        ("copy", _) => programs.copy(&tenant, viewer, id).await,
        (_, Some(step)) => programs.step(&tenant, viewer, id, step).await.map(|()| id),
        (_, None) => return Err(WebError::NotFound),
    };
    let done = if action == "copy" {
        "copied"
    } else {
        action.as_str()
    };
    let (errors, refusal) = match result {
        Ok(target) => {
            return Ok(
                Redirect::see_other(format!("/provider/programs/{target}?done={done}"))
                    .into_response(),
            )
        }
        // A card from before the full form, sent as it is: the fields to fill in.
        Err(ServiceError::Invalid(errors)) => (errors, None),
        Err(ServiceError::Refused(why)) => (Vec::new(), Some(why)),
        Err(e) => return Err(e.into()),
    };
    let program = programs.get(&tenant, viewer, id).await?;
    let page = CardPage {
        program: Some(&program),
        form: CardForm::from(program.working_card()),
        errors: &errors,
        notice: None,
        refusal,
    };
    card_page(&state, &tenant, &visitor, layout, page).await
}
