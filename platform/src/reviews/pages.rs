//! Review pages: the parent's «Оставить отзыв» form, the moderators' «Отзывы» in the
//! municipal and regional cabinets (approve, reject or hide with a reason), and the
//! organization's «Отзывы» with its one answer per review.

use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query, Redirect};
use poem::{handler, IntoResponse};
use serde::Deserialize;

use crate::accounts::values::Role;
use crate::domain::FieldError;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::web::page::{errors_map, render, PageResult};
use crate::web::{form_status, path_id, Layout, Region, Visitor, WebError};
use crate::State;

use crate::programs::pages::moderation::Desk;

use super::service::{Decision, ReviewForm, MAX_BODY, MIN_BODY};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewPost {
    csrf: String,
    #[serde(flatten)]
    form: ReviewForm,
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    program: i64,
    form: &ReviewForm,
    errors: &[FieldError],
    refusal: Option<String>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Parent)?;
    let offer = state.reviews.offer(tenant, viewer, program).await?;
    let status = if refusal.is_some() {
        StatusCode::CONFLICT
    } else {
        form_status(errors)
    };
    render(
        state,
        visitor,
        "review_form.html",
        minijinja::context! {
            layout, offer, program_id => program, refusal,
            form => minijinja::context! { child => &form.child, stars => &form.stars, body => &form.body },
            errors => errors_map(errors), min_body => MIN_BODY, max_body => MAX_BODY,
        },
        status,
    )
}

/// «Оставить отзыв» about a program.
#[handler]
pub async fn review_form(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
) -> PageResult {
    let program = path_id(&raw)?;
    let form = ReviewForm::default();
    form_page(&state, &tenant, &visitor, layout, program, &form, &[], None).await
}

#[handler]
pub async fn review_post(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
    Form(post): Form<ReviewPost>,
) -> PageResult {
    visitor.check_csrf(&post.csrf)?;
    let viewer = visitor.require_role(Role::Parent)?;
    let program = path_id(&raw)?;
    let (errors, refusal) = match state
        .reviews
        .write(&tenant, viewer, program, &post.form)
        .await
    {
        Ok((_, published)) => {
            let done = if published { "published" } else { "sent" };
            return Ok(
                Redirect::see_other(format!("/programs/{program}/reviews?done={done}"))
                    .into_response(),
            );
        }
        Err(ServiceError::Invalid(errors)) => (errors, None),
        Err(ServiceError::Refused(why)) => (Vec::new(), Some(why)),
        Err(e) => return Err(e.into()),
    };
    form_page(
        &state, &tenant, &visitor, layout, program, &post.form, &errors, refusal,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Done {
    done: String,
}

/// What a decision or an answer that did not go through leaves on the page: the review,
/// the text as typed (`reason`, or the answer), its errors, or why not.
struct Failed<'a> {
    id: i64,
    reason: &'a str,
    errors: &'a [FieldError],
    refusal: Option<String>,
}

impl Failed<'_> {
    /// The page's status and what its template reads of the failure.
    fn shown(failed: Option<Self>) -> (StatusCode, Option<minijinja::Value>) {
        let status = match &failed {
            Some(f) if f.refusal.is_some() => StatusCode::CONFLICT,
            Some(f) => form_status(f.errors),
            None => StatusCode::OK,
        };
        let shown = failed.map(|f| {
            minijinja::context! {
                id => f.id, text => f.reason, errors => errors_map(f.errors), refusal => f.refusal,
            }
        });
        (status, shown)
    }
}

async fn moderation_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    desk: Desk,
    notice: Option<&str>,
    failed: Option<Failed<'_>>,
) -> PageResult {
    let viewer = visitor.require_role(desk.role())?;
    let (waiting, published) = state.reviews.moderation_list(tenant, viewer).await?;
    let (status, failed) = Failed::shown(failed);
    render(
        state,
        visitor,
        "moderation_reviews.html",
        minijinja::context! {
            layout, waiting, published, notice, failed,
            home => desk.home(), municipal => matches!(desk, Desk::Municipal),
            post_moderation => tenant.config.reviews == tenants::ReviewPolicy::PostModeration,
            nav => "cabinet",
        },
        status,
    )
}

fn notice_of(done: &str) -> Option<&'static str> {
    Decision::parse(done).map(Decision::done)
}

#[handler]
pub async fn municipal_list(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<Done>,
) -> PageResult {
    let notice = notice_of(&q.done);
    moderation_page(
        &state,
        &tenant,
        &visitor,
        layout,
        Desk::Municipal,
        notice,
        None,
    )
    .await
}

#[handler]
pub async fn regional_list(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<Done>,
) -> PageResult {
    let notice = notice_of(&q.done);
    moderation_page(
        &state,
        &tenant,
        &visitor,
        layout,
        Desk::Regional,
        notice,
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionPost {
    csrf: String,
    reason: String,
}

#[allow(clippy::too_many_arguments)]
async fn decide(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    desk: Desk,
    id: &str,
    decision: &str,
    post: DecisionPost,
) -> PageResult {
    visitor.check_csrf(&post.csrf)?;
    let viewer = visitor.require_role(desk.role())?;
    let id = path_id(id)?;
    let decision = Decision::parse(decision).ok_or(WebError::NotFound)?;
    let (errors, refusal) = match state
        .reviews
        .decide(tenant, viewer, id, decision, &post.reason)
        .await
    {
        Ok(()) => {
            let done = format!("{}/reviews?done={}", desk.home(), decision.code());
            return Ok(Redirect::see_other(done).into_response());
        }
        Err(ServiceError::Invalid(errors)) => (errors, None),
        Err(ServiceError::Refused(why)) => (Vec::new(), Some(why)),
        Err(e) => return Err(e.into()),
    };
    let failed = Failed {
        id,
        reason: &post.reason,
        errors: &errors,
        refusal,
    };
    moderation_page(state, tenant, visitor, layout, desk, None, Some(failed)).await
}

#[handler]
pub async fn municipal_decide(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path((id, decision)): Path<(String, String)>,
    Form(post): Form<DecisionPost>,
) -> PageResult {
    let desk = Desk::Municipal;
    decide(
        &state, &tenant, &visitor, layout, desk, &id, &decision, post,
    )
    .await
}

#[handler]
pub async fn regional_decide(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path((id, decision)): Path<(String, String)>,
    Form(post): Form<DecisionPost>,
) -> PageResult {
    let desk = Desk::Regional;
    decide(
        &state, &tenant, &visitor, layout, desk, &id, &decision, post,
    )
    .await
}

async fn provider_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    notice: Option<&str>,
    failed: Option<Failed<'_>>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let reviews = state.reviews.of_organization(tenant, viewer).await?;
    let (status, failed) = Failed::shown(failed);
    render(
        state,
        visitor,
        "provider_reviews.html",
        minijinja::context! { layout, reviews, notice, failed, nav => "cabinet" },
        status,
    )
}

/// The organization's «Отзывы».
#[handler]
pub async fn provider_list(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<Done>,
) -> PageResult {
    let notice = (q.done == "answered").then_some("Ответ опубликован вместе с отзывом.");
    provider_page(&state, &tenant, &visitor, layout, notice, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerPost {
    csrf: String,
    answer: String,
}

#[handler]
pub async fn provider_answer(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
    Form(post): Form<AnswerPost>,
) -> PageResult {
    visitor.check_csrf(&post.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let id = path_id(&raw)?;
    let (errors, refusal) = match state
        .reviews
        .answer(&tenant, viewer, id, &post.answer)
        .await
    {
        Ok(()) => return Ok(Redirect::see_other("/provider/reviews?done=answered").into_response()),
        Err(ServiceError::Invalid(errors)) => (errors, None),
        Err(ServiceError::Refused(why)) => (Vec::new(), Some(why)),
        Err(e) => return Err(e.into()),
    };
    let failed = Failed {
        id,
        reason: &post.answer,
        errors: &errors,
        refusal,
    };
    provider_page(&state, &tenant, &visitor, layout, None, Some(failed)).await
}
