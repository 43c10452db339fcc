//! The moderation queue and the review page, for the municipal admin at
//! `/municipal/moderation` and the regional admin at `/admin/moderation`: filters, how long
//! each item has waited, the field-by-field diff against the published card, the history,
//! and «Опубликовать» / «Вернуть на доработку».

use chrono::{DateTime, Utc};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query, Redirect};
use poem::{handler, IntoResponse};
use serde::{Deserialize, Serialize};

use crate::accounts::values::Role;
use crate::catalog::model::Direction;
use crate::domain::{plural, FieldError};
use crate::regions::Site;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::web::page::{errors_map, render, sender, PageResult};
use crate::web::{path_id, region_of, Layout, Origin, Region, Visitor, WebError};
use crate::State;

use crate::accounts::history;
use crate::programs::moderation::Scope;
use crate::programs::store::Authored;

/// The two cabinets moderation lives in, each for its role (programs' and reviews').
#[derive(Clone, Copy)]
pub enum Desk {
    Municipal,
    Regional,
}

impl Desk {
    pub fn role(self) -> Role {
        match self {
            Desk::Municipal => Role::Municipal,
            Desk::Regional => Role::Regional,
        }
    }

    fn base(self) -> &'static str {
        match self {
            Desk::Municipal => "/municipal/moderation",
            Desk::Regional => "/admin/moderation",
        }
    }

    /// The cabinet's home: «/municipal» or «/admin».
    pub fn home(self) -> &'static str {
        match self {
            Desk::Municipal => "/municipal",
            Desk::Regional => "/admin",
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QueueQuery {
    municipality: String,
    direction: String,
    /// `new` (never published) or `revision` (an edit of a published program).
    kind: String,
    done: Option<String>,
}

#[derive(Serialize)]
struct QueueRow {
    id: i64,
    title: String,
    organization: String,
    municipality: String,
    direction: &'static str,
    kind: &'static str,
    waiting: String,
}

/// «3 дня», «менее часа»: how long an item has waited.
fn waited(since: Option<&str>, now: DateTime<Utc>) -> String {
    let Some(since) = since.and_then(|s| DateTime::parse_from_rfc3339(s).ok()) else {
        return "—".into();
    };
    let hours = (now - since.with_timezone(&Utc)).num_hours().max(0) as u64;
    match hours {
        0 => "менее часа".into(),
        h if h < 24 => format!("{h} {}", plural(h, "час", "часа", "часов")),
        h => {
            let d = h / 24;
            format!("{d} {}", plural(d, "день", "дня", "дней"))
        }
    }
}

fn municipality_name(tenant: &Tenant, id: &str) -> String {
    tenant
        .config
        .municipality(id)
        .map_or(id.to_owned(), |m| m.name.clone())
}

async fn queue(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    desk: Desk,
    q: QueueQuery,
) -> PageResult {
    let viewer = visitor.require_role(desk.role())?;
    let (scope, items) = state.programs.queue(tenant, viewer).await?;
    let now = state.clock.now();
    let rows: Vec<QueueRow> = items
        .iter()
        .filter(|p| q.municipality.is_empty() || p.municipality_id == q.municipality)
        .filter(|p| q.direction.is_empty() || p.working_card().direction.code() == q.direction)
        .filter(|p| match q.kind.as_str() {
            "new" => p.revision.is_none(),
            "revision" => p.revision.is_some(),
            _ => true,
        })
        .map(|p| QueueRow {
            id: p.id,
            title: p.working_card().title.clone(),
            organization: p.organization.clone(),
            municipality: municipality_name(tenant, &p.municipality_id),
            direction: p.working_card().direction.label(),
            kind: if p.revision.is_some() {
                "Изменение опубликованной"
            } else {
                "Новая"
            },
            waiting: waited(
                p.revision
                    .as_ref()
                    .map_or(p.submitted_at.as_deref(), |r| r.submitted_at.as_deref()),
                now,
            ),
        })
        .collect();
    let municipalities: Vec<(String, String)> = match scope {
        Scope::Region => tenant
            .config
            .municipalities
            .iter()
            .map(|m| (m.id.as_str().to_owned(), m.name.clone()))
            .collect(),
        Scope::Municipality(_) => Vec::new(),
    };
    let directions: Vec<(&str, &str)> = Direction::ALL
        .iter()
        .map(|d| (d.code(), d.label()))
        .collect();
    let notice = match q.done.as_deref() {
        Some("published") => Some("Программа опубликована. Организация получит письмо."),
        Some("returned") => {
            Some("Программа возвращена на доработку. Организация получит письмо с комментарием.")
        }
        _ => None,
    };
    render(
        state,
        visitor,
        "moderation.html",
        minijinja::context! {
            layout, rows, total => items.len(), municipalities, directions, notice,
            base => desk.base(), municipal => matches!(desk, Desk::Municipal),
            filter => minijinja::context! {
                municipality => q.municipality, direction => q.direction, kind => q.kind,
            },
            nav => "cabinet",
        },
        StatusCode::OK,
    )
}

/// «Модерация» of a municipality.
#[handler]
pub async fn municipal_queue(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<QueueQuery>,
) -> PageResult {
    queue(&state, &tenant, &visitor, layout, Desk::Municipal, q).await
}

/// «Модерация» of the region.
#[handler]
pub async fn regional_queue(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<QueueQuery>,
) -> PageResult {
    queue(&state, &tenant, &visitor, layout, Desk::Regional, q).await
}

/// A decision that did not go through: the comment as typed, its errors, or why not.
#[derive(Default)]
struct Attempt<'a> {
    comment: &'a str,
    errors: &'a [FieldError],
    refusal: Option<String>,
}

async fn review_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    desk: Desk,
    id: i64,
    attempt: Attempt<'_>,
) -> PageResult {
    let Attempt {
        comment,
        errors,
        refusal,
    } = attempt;
    let viewer = visitor.require_role(desk.role())?;
    let review = state.programs.review(tenant, viewer, id).await?;
    let p: &Authored = &review.program;
    let status = if refusal.is_some() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        state,
        visitor,
        "moderation_item.html",
        minijinja::context! {
            layout, id, title => &p.working_card().title, organization => &p.organization,
            municipality => municipality_name(tenant, &p.municipality_id),
            status => p.status_text(), waiting => p.working_state().code() == "moderation",
            first => review.first,
            changes => review.changes, history => history::lines(&review.history, tenant.config.time_zone),
            group_history => history::lines(&review.group_history, tenant.config.time_zone),
            organization_history => history::lines(&review.organization_history, tenant.config.time_zone),
            comment, errors => errors_map(errors), refusal, base => desk.base(),
            nav => "cabinet",
        },
        status,
    )
}

#[handler]
pub async fn municipal_review(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
) -> PageResult {
    let id = path_id(&id)?;
    review_page(
        &state,
        &tenant,
        &visitor,
        layout,
        Desk::Municipal,
        id,
        Attempt::default(),
    )
    .await
}

#[handler]
pub async fn regional_review(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
) -> PageResult {
    let id = path_id(&id)?;
    review_page(
        &state,
        &tenant,
        &visitor,
        layout,
        Desk::Regional,
        id,
        Attempt::default(),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionPost {
    csrf: String,
    comment: String,
}

#[allow(clippy::too_many_arguments)]
async fn decide(
    state: &State,
    site: &Site,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    origin: &Origin,
    desk: Desk,
    id: &str,
    decision: &str,
    form: DecisionPost,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(desk.role())?;
    let id = path_id(id)?;
    let from = sender(state, site, origin)?;
    let result = match decision {
        "publish" => state.programs.publish(tenant, viewer, &from, id).await,
        "return" => {
            state
                .programs
                .return_for_changes(tenant, viewer, &from, id, &form.comment)
                .await
        }
        _ => return Err(WebError::NotFound),
    };
    let done = if decision == "publish" {
        "published"
    } else {
        "returned"
    };
    let (errors, refusal) = match result {
        Ok(()) => {
            return Ok(Redirect::see_other(format!("{}?done={done}", desk.base())).into_response())
        }
        Err(ServiceError::Invalid(errors)) => (errors, None),
        Err(ServiceError::Refused(why)) => (Vec::new(), Some(why)),
        Err(e) => return Err(e.into()),
    };
    review_page(
        state,
        tenant,
        visitor,
        layout,
        desk,
        id,
        Attempt {
            comment: &form.comment,
            errors: &errors,
            refusal,
        },
    )
    .await
}

#[handler]
#[allow(clippy::too_many_arguments)]
pub async fn municipal_decide(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
    origin: Origin,
    Path((id, decision)): Path<(String, String)>,
    Form(form): Form<DecisionPost>,
) -> PageResult {
    let tenant = region_of(&site)?;
    decide(
        &state,
        &site,
        tenant,
        &visitor,
        layout,
        &origin,
        Desk::Municipal,
        &id,
        &decision,
        form,
    )
    .await
}

#[handler]
#[allow(clippy::too_many_arguments)]
pub async fn regional_decide(
    state: Data<&State>,
    site: Site,
    visitor: Visitor,
    layout: Layout,
    origin: Origin,
    Path((id, decision)): Path<(String, String)>,
    Form(form): Form<DecisionPost>,
) -> PageResult {
    let tenant = region_of(&site)?;
    decide(
        &state,
        &site,
        tenant,
        &visitor,
        layout,
        &origin,
        Desk::Regional,
        &id,
        &decision,
        form,
    )
    .await
}
