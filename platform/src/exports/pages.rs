//! `…/programs` (the programs with their states, a page at a time, and their download),
//! `…/exports` (the downloads' forms) and `…/exports/{table}` (the file), for the regional
//! admin under `/admin` and a municipal admin under `/municipal`.

use poem::http::{header, StatusCode};
use poem::web::{Data, Path, Query};
use poem::{handler, Body, IntoResponse, Response};
use serde::Serialize;

use crate::accounts::AdminScope;
use crate::domain::FieldError;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::web::page::{errors_map, render, PageResult};
use crate::web::{Cabinet, Layout, Region, Visitor, WebError};
use crate::State;

use super::service::{self, Format};
use super::{ExportForm, Kind};

/// Programs on a page of the list.
const PAGE: i64 = 50;

#[derive(Serialize)]
struct Choice {
    code: String,
    label: String,
}

#[derive(Serialize)]
struct TableForm {
    code: &'static str,
    title: &'static str,
    personal: bool,
    statuses: Vec<Choice>,
}

fn statuses(kind: Kind) -> Vec<Choice> {
    kind.statuses()
        .into_iter()
        .map(|(code, label)| Choice {
            code: code.into(),
            label: label.into(),
        })
        .collect()
}

fn municipalities(tenant: &Tenant, scope: &AdminScope) -> Vec<Choice> {
    tenant
        .config
        .municipalities
        .iter()
        .filter(|m| scope.municipality().is_none_or(|own| own == m.id.as_str()))
        .map(|m| Choice {
            code: m.id.to_string(),
            label: m.name.clone(),
        })
        .collect()
}

/// The query string of `form` without its page and format.
fn query_of(form: &ExportForm) -> String {
    crate::web::pager::query_of(form, &["after", "format"])
}

/// `/{cabinet}/programs`: the programs of the scope in every state, a page at a time.
#[handler]
pub async fn programs(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Cabinet(scope): Cabinet,
    Query(form): Query<ExportForm>,
) -> PageResult {
    let (state, tenant, visitor) = (*state, &*tenant, &visitor);
    let kind = Kind::Programs;
    let (rows, next, errors, status): (Vec<Vec<String>>, _, Vec<FieldError>, _) =
        match service::filter_of(&form, kind, &scope, tenant) {
            Ok(filter) => {
                let (cells, _) = service::chunk(&state.db, tenant, kind, &filter, PAGE + 1)
                    .await
                    .map_err(ServiceError::from)?;
                let more = cells.len() as i64 > PAGE;
                let shown: Vec<Vec<String>> = cells
                    .iter()
                    .take(PAGE as usize)
                    .map(|row| row.iter().map(|c| c.shown()).collect())
                    .collect();
                // The next page starts after the last program shown (its number is the first
                // column).
                let next = more.then(|| {
                    let last_shown = shown
                        .last()
                        .and_then(|r| r.first())
                        .cloned()
                        .unwrap_or_default();
                    format!(
                        "{}/programs?{}&after={last_shown}",
                        scope.home(),
                        query_of(&form)
                    )
                });
                (shown, next, Vec::new(), StatusCode::OK)
            }
            Err(ServiceError::Invalid(errors)) => {
                (Vec::new(), None, errors, StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(e) => return Err(e.into()),
        };
    let headers: Vec<&str> = kind.columns().iter().map(|c| c.header).collect();
    let first_page =
        (!form.after.is_empty()).then(|| format!("{}/programs?{}", scope.home(), query_of(&form)));
    render(
        state,
        visitor,
        "admin_programs.html",
        minijinja::context! {
            layout, headers, rows, next, first_page, errors => errors_map(&errors),
            query => query_of(&form), form,
            statuses => statuses(kind), municipalities => municipalities(tenant, &scope),
            home => scope.home(), nav => "cabinet",
        },
        status,
    )
}

/// The downloads' forms; `failed` names the table whose form came back with `errors`.
#[allow(clippy::too_many_arguments)] // the page's context and the form that failed, if any
fn exports_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    scope: &AdminScope,
    failed: Option<Kind>,
    form: &ExportForm,
    errors: &[FieldError],
) -> PageResult {
    let tables: Vec<TableForm> = Kind::ALL
        .into_iter()
        .map(|k| TableForm {
            code: k.code(),
            title: k.title(),
            personal: k.personal(),
            statuses: statuses(k),
        })
        .collect();
    let empty = ExportForm::default();
    render(
        state,
        visitor,
        "admin_exports.html",
        minijinja::context! {
            layout, tables, failed => failed.map(Kind::code), form => if failed.is_some() { form } else { &empty },
            errors => errors_map(errors), municipalities => municipalities(tenant, scope),
            home => scope.home(), nav => "cabinet",
        },
        if failed.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
    )
}

/// `/{cabinet}/exports`: the downloads' forms.
#[handler]
pub async fn exports(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Cabinet(scope): Cabinet,
) -> PageResult {
    exports_page(
        &state,
        &tenant,
        &visitor,
        layout,
        &scope,
        None,
        &ExportForm::default(),
        &[],
    )
}

/// `/{cabinet}/exports/{table}?format=…`: the file, or the forms with what is wrong.
#[handler]
pub async fn download(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Cabinet(scope): Cabinet,
    Path(table): Path<String>,
    Query(form): Query<ExportForm>,
) -> PageResult {
    let (state, visitor) = (*state, &visitor);
    let viewer = visitor.require()?;
    let kind = Kind::parse(&table).ok_or(WebError::NotFound)?;
    let Some(format) = Format::parse(form.format.trim()) else {
        let errors = [FieldError::new(
            "format",
            "Выберите формат файла: XLSX или CSV",
        )];
        return exports_page(
            state,
            &tenant,
            visitor,
            layout,
            &scope,
            Some(kind),
            &form,
            &errors,
        );
    };
    let started = service::download(
        &state.db,
        &state.clock,
        tenant.clone(),
        viewer,
        &scope,
        kind,
        format,
        &form,
    )
    .await;
    let file = match started {
        Ok(file) => file,
        Err(ServiceError::Invalid(errors)) => {
            return exports_page(
                state,
                &tenant,
                visitor,
                layout,
                &scope,
                Some(kind),
                &form,
                &errors,
            )
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, file.format.media_type())
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", file.filename),
        )
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from_async_read(file.body))
        .into_response())
}
