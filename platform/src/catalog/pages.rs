//! The catalog's HTML: /programs (list), /map, /programs/{id}, /organizations/{id}.

use std::collections::HashMap;

use poem::http::StatusCode;
use poem::http::{header, HeaderMap, Uri};
use poem::web::{Data, Html, Path, Query, Redirect};
use poem::{handler, IntoResponse, Response};
use serde::Serialize;

use crate::web::Pager;

use crate::accounts::values::Role;
use crate::regions::Site;
use crate::web::{Layout, Visitor};
use crate::web::{Region, WebError};
use crate::State;

use super::query::{CatalogQuery, FieldError, RawQuery};
use super::read::{self, Search, SearchError};
use super::views::SearchPage;

/// The form's state: what was typed (even when invalid) and what is wrong with it.
#[derive(Serialize)]
struct FormState<'a> {
    raw: HashMap<&'static str, String>,
    errors: HashMap<&'static str, &'a str>,
}

fn form_state<'a>(raw: &RawQuery, errors: &'a [FieldError]) -> FormState<'a> {
    let mut values = HashMap::new();
    for (k, v) in [
        ("q", &raw.q),
        ("municipality", &raw.municipality),
        ("organization", &raw.organization),
        ("direction", &raw.direction),
        ("profile", &raw.profile),
        ("age", &raw.age),
        ("level", &raw.level),
        ("financing", &raw.financing),
        ("sort", &raw.sort),
    ] {
        if let Some(v) = v {
            values.insert(k, v.chars().take(200).collect());
        }
    }
    FormState {
        raw: values,
        errors: errors
            .iter()
            .map(|e| (e.field, e.message.as_str()))
            .collect(),
    }
}

fn encode(params: &[(&str, String)]) -> String {
    serde_urlencoded::to_string(params).unwrap_or_default()
}

/// Links that keep the filters: the other view, and each page of results.
#[derive(Serialize)]
struct Links {
    query: String,
    list_url: String,
    map_url: String,
    /// The same search in every municipality (`municipality=` given empty: a parent's own
    /// municipality is not put back).
    all_municipalities_url: String,
    #[serde(flatten)]
    pager: Pager,
}

fn links(q: &CatalogQuery, page: Option<&SearchPage>) -> Links {
    let params = q.to_params();
    let query = encode(&params);
    let with_page = |n: u32| {
        let mut p = params.clone();
        if n > 1 {
            p.push(("page", n.to_string()));
        }
        let s = encode(&p);
        if s.is_empty() {
            "/programs".to_owned()
        } else {
            format!("/programs?{s}")
        }
    };
    let (current, pages) = page.map_or((1, 1), |p| (p.page, p.pages));
    let suffix = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let mut everywhere: Vec<(&str, String)> = params
        .iter()
        .filter(|(k, _)| *k != "municipality")
        .cloned()
        .collect();
    everywhere.insert(0, ("municipality", String::new()));
    Links {
        all_municipalities_url: format!("/programs?{}", encode(&everywhere)),
        list_url: format!("/programs{suffix}"),
        map_url: format!("/map{suffix}"),
        query,
        pager: Pager::new(current, pages, with_page),
    }
}

fn render(
    state: &State,
    template: &str,
    ctx: minijinja::Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    let html = state.templates.render(template, ctx)?;
    Ok(Html(html).with_status(status).into_response())
}

/// Renders the list or the map page: both show the same filters over the same query. The
/// page's main part depends only on the region's catalog and the query, so it is cached;
/// the layout around it (which will show who is logged in) is not.
async fn catalog_page(
    state: &State,
    site: Site,
    layout: Layout,
    raw: RawQuery,
    template: &str,
) -> Result<Response, WebError> {
    let Site::Region(tenant) = &site else {
        return Err(WebError::NotARegion);
    };
    let body_template = format!("{}_body.html", template.trim_end_matches(".html"));
    let (body, status) = match Search::prepare(state, tenant, &raw).await {
        Ok(search) => {
            let key = search.cache_key(tenant, &body_template);
            let body = state
                .catalog
                .cached(&key, || {
                    let page = search.page(state, tenant, template == "catalog.html")?;
                    let links = links(&search.q, Some(&page));
                    let form = form_state(&raw, &[]);
                    let q = &search.q;
                    state.templates.render(
                        &body_template,
                        minijinja::context! {
                            page, links, form, q, region => &tenant.config.map,
                            tiles => &state.settings.map_tiles,
                        },
                    )
                })
                .await?;
            (body, StatusCode::OK)
        }
        Err(SearchError::Invalid(errors)) => {
            // Show the form with the messages next to the fields and no results.
            let index = read::index(state, tenant).await?;
            let empty = super::index::SearchResult {
                total: 0,
                ids: vec![],
                facets: Default::default(),
            };
            let q = CatalogQuery {
                page: 1,
                per_page: super::query::DEFAULT_PER_PAGE,
                ..Default::default()
            };
            let page = SearchPage::of(&index, &empty, &q, tenant, Vec::new());
            let links = links(&q, None);
            let form = form_state(&raw, &errors);
            let body = state.templates.render(
                &body_template,
                minijinja::context! {
                    page, links, form, q, errors => &errors, region => &tenant.config.map,
                    tiles => &state.settings.map_tiles,
                },
            )?;
            (body.into(), StatusCode::BAD_REQUEST)
        }
        Err(SearchError::Catalog(e)) => return Err(e.into()),
    };
    let page = state
        .templates
        .render_around(template, minijinja::context! { layout }, &body)?;
    Ok(Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .body(page))
}

/// The cookie that remembers a parent's «Все муниципалитеты».
const ALL_MUNICIPALITIES: &str = "catalog_scope=all";

/// The catalog. A parent opening it bare sees their own municipality's programs first (the
/// registration form asks for it «для рекомендации программ»); «Все муниципалитеты»
/// (`municipality=` given empty) shows them all and is remembered, so the catalog's own
/// links back to a bare `/programs` do not bring the municipality back.
#[handler]
pub async fn programs(
    state: Data<&State>,
    site: Site,
    layout: Layout,
    visitor: Visitor,
    uri: &Uri,
    headers: &HeaderMap,
    Query(raw): Query<RawQuery>,
) -> Result<Response, WebError> {
    let chose_all = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(';').any(|c| c.trim() == ALL_MUNICIPALITIES));
    let parent = visitor
        .viewer
        .as_ref()
        .filter(|v| v.user.role == Role::Parent);
    if uri.query().is_none_or(str::is_empty) && !chose_all {
        let own = parent.and_then(|v| v.user.municipality_id.as_deref());
        let known = match &site {
            Site::Region(t) => own.filter(|m| t.config.municipality(m).is_some()),
            _ => None,
        };
        if let Some(m) = known {
            let query = encode(&[("municipality", m.to_owned())]);
            return Ok(Redirect::see_other(format!("/programs?{query}")).into_response());
        }
    }
    let wants_all = parent.is_some() && raw.municipality.as_deref() == Some("");
    let mut response = catalog_page(&state, site, layout, raw, "catalog.html").await?;
    if wants_all && !chose_all {
        let cookie = format!(
            "{ALL_MUNICIPALITIES}; Path=/programs; Max-Age=31536000; SameSite=Lax; HttpOnly"
        );
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

#[handler]
pub async fn map(
    state: Data<&State>,
    site: Site,
    layout: Layout,
    Query(raw): Query<RawQuery>,
) -> Result<Response, WebError> {
    catalog_page(&state, site, layout, raw, "map.html").await
}

#[handler]
pub async fn program(
    state: Data<&State>,
    Region(tenant): Region,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let program = read::program(&state, &tenant, id)
        .await?
        .ok_or(WebError::NotFound)?;
    render(
        &state,
        "program.html",
        minijinja::context! { layout, program },
        StatusCode::OK,
    )
}

#[handler]
pub async fn organization(
    state: Data<&State>,
    Region(tenant): Region,
    layout: Layout,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let detail = read::organization(&state, &tenant, id)
        .await?
        .ok_or(WebError::NotFound)?;
    render(
        &state,
        "organization.html",
        minijinja::context! { layout, detail },
        StatusCode::OK,
    )
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ReviewsQuery {
    page: String,
    /// `sent` (waits for a moderator) or `published`: the parent's review just written.
    done: String,
}

/// All published reviews of a program, newest first, a page at a time.
#[handler]
pub async fn reviews(
    state: Data<&State>,
    Region(tenant): Region,
    layout: Layout,
    Path(id): Path<String>,
    Query(q): Query<ReviewsQuery>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let page = match q.page.trim() {
        "" => 1,
        raw => raw
            .parse::<u32>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or(WebError::NotFound)?,
    };
    let (title, reviews, total) = read::reviews_page(&state, &tenant, id, page)
        .await?
        .ok_or(WebError::NotFound)?;
    let pages = (total.max(1) as u32).div_ceil(read::REVIEWS_PER_PAGE as u32);
    if page > pages {
        return Err(WebError::NotFound);
    }
    let pager = Pager::new(page, pages, |n| format!("/programs/{id}/reviews?page={n}"));
    let notice = match q.done.as_str() {
        "sent" => Some("Спасибо! Отзыв отправлен: он появится здесь после проверки модератором."),
        "published" => Some("Спасибо! Отзыв опубликован."),
        _ => None,
    };
    render(
        &state,
        "program_reviews.html",
        minijinja::context! { layout, id, title, reviews, total, pager, notice },
        StatusCode::OK,
    )
}
