//! The cabinet's «Расписание» (the week of each child, the calendar address) and the feed
//! itself at `/calendar/{token}.ics` (no session: a phone's calendar fetches it).

use poem::http::{header, StatusCode};
use poem::web::{Data, Form, Path, Query, Redirect};
use poem::{handler, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::accounts::values::Role;
use crate::regions::Tenant;
use crate::web::page::{render, CsrfOnly, PageResult};
use crate::web::{path_id, Layout, Origin, Region, Visitor, WebError};
use crate::State;

/// How far from this week the pages go.
const MAX_WEEKS: i64 = 60;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WeekQuery {
    /// Weeks from this one: -1 the last, 1 the next.
    week: String,
    done: String,
}

/// A calendar address just made, shown once.
#[derive(Serialize)]
struct NewFeed {
    child_id: i64,
    url: String,
    webcal: String,
}

async fn tab_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    weeks: i64,
    notice: Option<&str>,
    new_feed: Option<NewFeed>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Parent)?;
    let (title, children) = state.timetable.weeks(tenant, viewer, weeks).await?;
    render(
        state,
        visitor,
        "cabinet_timetable.html",
        minijinja::context! {
            layout, title, children, notice, new_feed,
            prev => weeks - 1, next => weeks + 1, current => weeks == 0,
        },
        StatusCode::OK,
    )
}

/// «Расписание».
#[handler]
pub async fn tab(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<WeekQuery>,
) -> PageResult {
    // A week a year and more away, or not a number, is this one.
    let weeks = q
        .week
        .trim()
        .parse::<i64>()
        .map_or(0, |w| w.clamp(-MAX_WEEKS, MAX_WEEKS));
    let notice = (q.done == "deleted")
        .then_some("Адрес календаря отключён: подписка на него больше не обновляется.");
    tab_page(&state, &tenant, &visitor, layout, weeks, notice, None).await
}

/// «Подписаться в календаре» / «Получить новый адрес».
#[handler]
pub async fn subscribe(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    origin: Origin,
    Path(raw): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Parent)?;
    let child = path_id(&raw)?;
    let token = state.timetable.new_feed(&tenant, viewer, child).await?;
    let url = format!("{}/calendar/{token}.ics", origin.site_url());
    let webcal = format!("webcal://{}/calendar/{token}.ics", origin.host);
    let made = NewFeed {
        child_id: child,
        url,
        webcal,
    };
    tab_page(&state, &tenant, &visitor, layout, 0, None, Some(made)).await
}

/// «Отключить» the child's calendar address.
#[handler]
pub async fn unsubscribe(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    Path(raw): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Parent)?;
    let child = path_id(&raw)?;
    state.timetable.delete_feed(&tenant, viewer, child).await?;
    Ok(Redirect::see_other("/cabinet/timetable?done=deleted").into_response())
}

/// The feed: `text/calendar`, or 404 for an address that is unknown (never made, renewed,
/// or another region's).
#[handler]
pub async fn calendar(
    state: Data<&State>,
    Region(tenant): Region,
    origin: Origin,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let token = file.strip_suffix(".ics").ok_or(WebError::NotFound)?;
    // A token is 64 hex digits: anything else is not looked up.
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(WebError::NotFound);
    }
    let host = origin.host.split(':').next().unwrap_or_default().to_owned();
    let ics = state
        .timetable
        .feed(&tenant, &host, token)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(ics
        .with_content_type("text/calendar; charset=utf-8")
        .with_header(header::CACHE_CONTROL, "private, max-age=300")
        .with_header(
            header::CONTENT_DISPOSITION,
            "inline; filename=\"timetable.ics\"",
        )
        .into_response())
}
