//! Reviews under /api/v1: a program's published reviews (anyone), the parent's review, the
//! moderators' list and decisions, the organization's list and answer. The same service
//! as the pages.

use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::api::ApiTags;
use crate::api::{done, try_reply, writer, Done, Reply, Text};
use crate::catalog::read;
use crate::catalog::reviews::ReviewView;
use crate::domain::FieldError;
use crate::regions::Site;
use crate::service_error::ServiceError;
use crate::web::{region_of, Visitor};
use crate::State;

use super::service::{Decision, ReviewForm, StaffLine};

pub struct ReviewsApi;

#[derive(Object)]
pub struct ReviewsPage {
    /// Newest first.
    pub reviews: Vec<ReviewView>,
    /// Published reviews in all.
    pub total: i64,
    pub page: u32,
    pub pages: u32,
}

#[derive(Object)]
pub struct NewReviewRequest {
    pub program_id: i64,
    /// The child enrolled in a group of the program; may be left out when only one was.
    #[oai(default)]
    pub child_id: Option<i64>,
    /// 1–5.
    pub stars: i64,
    /// 10–2000 characters.
    pub body: Text,
}

#[derive(Object)]
pub struct NewReviewReply {
    pub id: i64,
    /// Shown at once (the region's reviews are post-moderated); else it waits for a
    /// moderator.
    pub published: bool,
}

#[derive(Object)]
pub struct ModerationReviews {
    /// Waiting for a decision («Опубликовать» or «Отклонить»).
    pub waiting: Vec<StaffLine>,
    /// Published, newest first (may be hidden, «Скрыть»).
    pub published: Vec<StaffLine>,
}

#[derive(Object)]
pub struct ReasonRequest {
    /// Required to reject or hide.
    #[oai(default)]
    pub reason: Option<Text>,
}

#[derive(Object)]
pub struct AnswerRequest {
    /// The organization's one public answer.
    pub answer: Text,
}

#[OpenApi(tag = "ApiTags::Reviews")]
impl ReviewsApi {
    /// A published program's published reviews, newest first, 20 a page
    #[oai(path = "/programs/:id/reviews", method = "get")]
    async fn published(
        &self,
        state: Data<&State>,
        site: Site,
        id: Path<i64>,
        /// Page number from 1.
        page: Query<Option<String>>,
    ) -> Reply<ReviewsPage> {
        let tenant = try_reply!(region_of(&site));
        let page = match page.0.as_deref().map(str::trim) {
            None | Some("") => 1,
            Some(raw) => match raw.parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return ServiceError::Invalid(vec![FieldError::new(
                        "page",
                        "Номер страницы — целое число от 1",
                    )])
                    .into()
                }
            },
        };
        let found = try_reply!(read::reviews_page(&state, tenant, id.0, page)
            .await
            .map_err(ServiceError::from));
        let Some((_, reviews, total)) = found else {
            return ServiceError::NotFound.into();
        };
        let pages = (total.max(1) as u32).div_ceil(read::REVIEWS_PER_PAGE as u32);
        Reply::Ok(Json(ReviewsPage {
            reviews,
            total,
            page,
            pages,
        }))
    }

    /// «Оставить отзыв» (a parent whose child was enrolled in a group of the program)
    #[oai(path = "/me/reviews", method = "post")]
    async fn write(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<NewReviewRequest>,
    ) -> Reply<NewReviewReply> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let r = body.0;
        let form = ReviewForm {
            child: r.child_id.map(|c| c.to_string()).unwrap_or_default(),
            stars: r.stars.to_string(),
            body: r.body.0,
        };
        let (id, published) = try_reply!(
            state
                .reviews
                .write(tenant, viewer, r.program_id, &form)
                .await
        );
        Reply::Ok(Json(NewReviewReply { id, published }))
    }

    /// The moderator's reviews: waiting and published (municipal or regional admin)
    #[oai(path = "/moderation/reviews", method = "get")]
    async fn moderation_list(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
    ) -> Reply<ModerationReviews> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let (waiting, published) = try_reply!(state.reviews.moderation_list(tenant, viewer).await);
        Reply::Ok(Json(ModerationReviews { waiting, published }))
    }

    /// «Опубликовать», «Отклонить» or «Скрыть» a review
    #[oai(path = "/moderation/reviews/:id/:decision", method = "post")]
    #[allow(clippy::too_many_arguments)]
    async fn decide(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        /// publish | reject | hide
        decision: Path<String>,
        body: Json<ReasonRequest>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let Some(decision) = Decision::parse(&decision.0) else {
            return ServiceError::NotFound.into();
        };
        let reason = body.0.reason.map(|t| t.0).unwrap_or_default();
        try_reply!(
            state
                .reviews
                .decide(tenant, viewer, id.0, decision, &reason)
                .await
        );
        Reply::Ok(done(decision.done()))
    }

    /// The reviews of the organization's programs (organization staff)
    #[oai(path = "/provider/reviews", method = "get")]
    async fn organization_list(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
    ) -> Reply<Vec<StaffLine>> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        Reply::Ok(Json(try_reply!(
            state.reviews.of_organization(tenant, viewer).await
        )))
    }

    /// The organization's one public answer to a review (organization staff)
    #[oai(path = "/provider/reviews/:id/answer", method = "post")]
    async fn answer(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        body: Json<AnswerRequest>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        try_reply!(
            state
                .reviews
                .answer(tenant, viewer, id.0, &body.0.answer.0)
                .await
        );
        Reply::Ok(done("Ответ опубликован"))
    }
}
