//! `/admin/audit` and `/municipal/audit`: the log with its filters, a page at a time; and
//! `…/audit/children/{id}`: who of the staff viewed a child's personal data.

use poem::handler;
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use serde::Serialize;

use crate::accounts::history::ACTIONS;
use crate::domain::FieldError;
use crate::service_error::ServiceError;
use crate::web::page::{errors_map, render, PageResult};
use crate::web::{Cabinet, Layout, Region, Visitor};
use crate::State;

use super::{store, views, AuditFilter, AuditForm};

/// Rows on a page of the log.
const PAGE: i64 = 50;

#[derive(Serialize)]
struct Choice {
    code: &'static str,
    label: &'static str,
}

fn choices() -> Vec<Choice> {
    ACTIONS
        .iter()
        .map(|(code, label)| Choice { code, label })
        .collect()
}

/// The query string of `form` without its page, for the other pages' links.
fn query_of(form: &AuditForm) -> String {
    crate::web::pager::query_of(form, &["before"])
}

/// `/{cabinet}/audit`: the log of the scope, filtered, a page at a time.
#[handler]
pub async fn log(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Cabinet(scope): Cabinet,
    Query(form): Query<AuditForm>,
) -> PageResult {
    let (state, tenant, visitor) = (*state, &*tenant, &visitor);
    let zone = tenant.config.time_zone;
    let (lines, next, errors, status): (_, _, Vec<FieldError>, _) =
        match AuditFilter::parse(&form, zone) {
            Ok(filter) => {
                let mut rows = store::entries(
                    &state.db,
                    tenant.id,
                    scope.municipality(),
                    &filter,
                    PAGE + 1,
                )
                .await
                .map_err(ServiceError::from)?;
                let more = rows.len() as i64 > PAGE;
                rows.truncate(PAGE as usize);
                let next = more.then(|| {
                    let last = rows.last().map_or(0, |r| r.id);
                    format!("{}/audit?{}&before={last}", scope.home(), query_of(&form))
                });
                (views::lines(&rows, zone), next, Vec::new(), StatusCode::OK)
            }
            Err(errors) => (Vec::new(), None, errors, StatusCode::UNPROCESSABLE_ENTITY),
        };
    let first_page =
        (!form.before.is_empty()).then(|| format!("{}/audit?{}", scope.home(), query_of(&form)));
    render(
        state,
        visitor,
        "admin_audit.html",
        minijinja::context! {
            layout, lines, next, first_page, form, errors => errors_map(&errors),
            actions => choices(), home => scope.home(), nav => "cabinet",
        },
        status,
    )
}

/// Every staff view of child `child`'s personal data within the admin's scope, newest first
/// (up to the last 500: a child's data is viewed by the few organizations it applied to).
#[handler]
pub async fn child(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Cabinet(scope): Cabinet,
    Path(child): Path<i64>,
) -> PageResult {
    let (state, tenant, visitor) = (*state, &*tenant, &visitor);
    let filter = AuditFilter {
        action: Some("child_data_view".into()),
        object: Some(format!("child:{child}")),
        ..AuditFilter::default()
    };
    let rows = store::entries(&state.db, tenant.id, scope.municipality(), &filter, 500)
        .await
        .map_err(ServiceError::from)?;
    let lines = views::lines(&rows, tenant.config.time_zone);
    render(
        state,
        visitor,
        "admin_child_views.html",
        minijinja::context! { layout, lines, child, home => scope.home(), nav => "cabinet" },
        StatusCode::OK,
    )
}
