//! Applications under /api/v1: the parent's (apply, list, cancel, withdraw) and the
//! organization's (list with filters and counts, decide one or many, enroll).

use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::api::ApiTags;
use crate::api::{done, invalid_parameters, try_reply, writer, Done, Reply};
use crate::regions::Site;
use crate::service_error::ServiceError;
use crate::web::page::sender;
use crate::web::{region_of, Origin, Visitor};
use crate::State;

use super::service::Decision;
use super::store;
use super::views::{self, ParentApplication, ProviderLine};

pub struct ApplicationsApi;

#[derive(Object)]
pub struct ApplyRequest {
    pub group_id: i64,
    pub child_id: i64,
}

#[derive(Object)]
pub struct ApplicationInfo {
    pub id: i64,
    /// new | confirmed | rejected | enrolled | cancelled | waitlisted | withdrawn
    pub status: String,
    /// «Новая», «Подтверждена», …
    pub status_label: String,
    pub child: String,
    pub program: String,
    pub group: String,
    pub organization: String,
    pub organization_phone: String,
    #[oai(nullable)]
    pub comment: Option<String>,
    pub funding: String,
    pub history: Vec<ApplicationEvent>,
}

#[derive(Object)]
pub struct ApplicationEvent {
    pub date: String,
    pub status: String,
    #[oai(nullable)]
    pub comment: Option<String>,
}

impl From<ParentApplication> for ApplicationInfo {
    fn from(a: ParentApplication) -> Self {
        Self {
            id: a.id,
            status: a.status.to_owned(),
            status_label: a.status_label.to_owned(),
            child: a.child,
            program: a.program,
            group: a.group,
            organization: a.organization,
            organization_phone: a.organization_phone,
            comment: a.comment,
            funding: a.funding,
            history: a
                .history
                .into_iter()
                .map(|h| ApplicationEvent {
                    date: h.date,
                    status: h.status.to_owned(),
                    comment: h.comment,
                })
                .collect(),
        }
    }
}

#[derive(Object)]
pub struct OrganizationApplications {
    pub applications: Vec<OrganizationApplication>,
    /// Count per status of the applications matching the other filters.
    pub counts: std::collections::BTreeMap<String, i64>,
}

#[derive(Object)]
pub struct OrganizationApplication {
    pub id: i64,
    pub date: String,
    pub child: String,
    pub birth_date: String,
    pub program: String,
    pub group: String,
    pub status: String,
}

impl From<ProviderLine> for OrganizationApplication {
    fn from(l: ProviderLine) -> Self {
        Self {
            id: l.id,
            date: l.date,
            child: l.child,
            birth_date: l.birth_date,
            program: l.program,
            group: l.group,
            status: l.status.to_owned(),
        }
    }
}

#[derive(Object)]
pub struct DecisionRequest {
    /// The applications to decide on.
    pub ids: Vec<i64>,
    /// confirm | reject | enroll
    pub action: String,
    /// Required to reject: the reason for the parent.
    #[oai(nullable)]
    pub comment: Option<String>,
}

#[derive(Object)]
pub struct DecisionResult {
    pub id: i64,
    pub ok: bool,
    /// Why this one was not decided.
    #[oai(nullable)]
    pub reason: Option<String>,
}

#[OpenApi(tag = "ApiTags::Applications")]
impl ApplicationsApi {
    /// «Записаться»
    ///
    /// Files an application of the parent's child to a group; 409 with the reason when a
    /// rule refuses it. A full group puts it in the waitlist («В очереди»).
    #[oai(path = "/me/applications", method = "post")]
    async fn apply(
        &self,
        state: Data<&State>,
        site: Site,
        origin: Origin,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<ApplyRequest>,
    ) -> Reply<ApplicationInfo> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let sender = try_reply!(sender(&state, &site, &origin));
        let app = try_reply!(
            state
                .applications
                .apply(tenant, &sender, viewer, body.0.group_id, body.0.child_id)
                .await
        );
        let view = try_reply!(views::parent_view(&state.db, tenant, app)
            .await
            .map_err(ServiceError::from));
        Reply::Ok(Json(view.into()))
    }

    /// The parent's applications with their history
    #[oai(path = "/me/applications", method = "get")]
    async fn mine(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
    ) -> Reply<Vec<ApplicationInfo>> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let list = try_reply!(views::for_parent(&state.db, tenant, viewer.user.id)
            .await
            .map_err(ServiceError::from));
        Reply::Ok(Json(list.into_iter().map(Into::into).collect()))
    }

    /// Cancel an application not decided yet, or withdraw (отчисление) from a group
    #[oai(path = "/me/applications/:id/:action", method = "post")]
    #[allow(clippy::too_many_arguments)]
    async fn parent_action(
        &self,
        state: Data<&State>,
        site: Site,
        origin: Origin,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        /// cancel | withdraw
        action: Path<String>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let sender = try_reply!(sender(&state, &site, &origin));
        match action.0.as_str() {
            "cancel" => try_reply!(
                state
                    .applications
                    .cancel(tenant, &sender, viewer, id.0)
                    .await
            ),
            "withdraw" => {
                try_reply!(
                    state
                        .applications
                        .withdraw(tenant, &sender, viewer, id.0)
                        .await
                )
            }
            _ => return ServiceError::NotFound.into(),
        }
        Reply::Ok(done("Готово"))
    }

    /// The organization's applications (organization staff)
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/provider/applications", method = "get")]
    async fn organization_list(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        program: Query<Option<String>>,
        group: Query<Option<String>>,
        status: Query<Option<String>>,
        from: Query<Option<String>>,
        to: Query<Option<String>>,
    ) -> Reply<OrganizationApplications> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let Some(org) = viewer.user.staff_org() else {
            return ServiceError::Forbidden.into();
        };
        let form = super::pages::FilterForm {
            program: program.0.unwrap_or_default(),
            group: group.0.unwrap_or_default(),
            status: status.0.unwrap_or_default(),
            from: from.0.unwrap_or_default(),
            to: to.0.unwrap_or_default(),
        };
        let filter = match form.parse() {
            Ok(filter) => filter,
            Err(errors) => return Reply::Invalid(invalid_parameters(&errors)),
        };
        let (lines, counts) = try_reply!(store::for_organization(
            &state.db, tenant.id, org, &filter, 1000
        )
        .await
        .map_err(ServiceError::from));
        Reply::Ok(Json(OrganizationApplications {
            applications: lines
                .into_iter()
                .map(|l| ProviderLine::new(tenant, l).into())
                .collect(),
            counts: counts
                .into_iter()
                .map(|(s, n)| (s.as_str().to_owned(), n))
                .collect(),
        }))
    }

    /// «Подтвердить» / «Отклонить» / «Зачислить», one or many
    ///
    /// Each application is decided on its own; the reply says which were not and why.
    #[oai(path = "/provider/applications/decisions", method = "post")]
    async fn decide(
        &self,
        state: Data<&State>,
        site: Site,
        origin: Origin,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<DecisionRequest>,
    ) -> Reply<Vec<DecisionResult>> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let sender = try_reply!(sender(&state, &site, &origin));
        let comment = body.0.comment.unwrap_or_default();
        let decision = match body.0.action.as_str() {
            "confirm" => Decision::Confirm,
            "reject" => Decision::Reject(&comment),
            "enroll" => Decision::Enroll,
            _ => {
                return ServiceError::Invalid(vec![crate::domain::FieldError::new(
                    "action",
                    "confirm, reject или enroll",
                )])
                .into()
            }
        };
        let results = try_reply!(
            state
                .applications
                .decide_many(tenant, &sender, viewer, &body.0.ids, decision)
                .await
        );
        Reply::Ok(Json(
            results
                .into_iter()
                .map(|(id, r)| DecisionResult {
                    id,
                    ok: r.is_ok(),
                    reason: r.err(),
                })
                .collect(),
        ))
    }
}
