//! The spreadsheet in the provider cabinet: the downloads (`/provider/sheets/{file}`:
//! the template, the catalog as XLSX, each sheet as CSV), «Загрузить»
//! (`/provider/sheets/import`: a multipart form; the check's page lists every problem as
//! Лист / Строка / Столбец / Что не так) and «Применить» (a plain form with the checked
//! file's digest). No JavaScript.

use poem::http::header;
use poem::web::{Data, Form, Multipart, Path};
use poem::{handler, Response};
use serde::Deserialize;

use crate::accounts::values::Role;
use crate::domain::FieldError;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::web::page::{errors_map, render, PageResult};
use crate::web::{form_status, read_upload, Layout, Region, Visitor, WebError};
use crate::State;

use super::layout::CsvSheet;
use super::parse::MAX_BYTES;
use super::service::{Export, Report};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV: &str = "text/csv; charset=utf-8";

/// A download: its bytes under its type, with the name a browser saves it as.
pub fn attachment(bytes: Vec<u8>, content_type: &str, name: &str) -> Response {
    Response::builder()
        .content_type(content_type)
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        )
        .header(header::CACHE_CONTROL, "no-store")
        .body(bytes)
}

/// `template.xlsx`, `programs.xlsx`, `programs.csv`, `groups.csv`, `places.csv`,
/// `teachers.csv`.
#[handler]
pub async fn download(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let viewer = visitor.require_role(Role::Provider)?;
    let (stem, ext) = file.rsplit_once('.').ok_or(WebError::NotFound)?;
    let name = format!("navigator-{stem}.{ext}");
    match (stem, ext) {
        ("template", "xlsx") | ("programs", "xlsx") => {
            let what = if stem == "template" {
                Export::Template
            } else {
                Export::Catalog
            };
            let bytes = state.sheets.export(&tenant, viewer, what).await?;
            Ok(attachment(bytes, XLSX, &name))
        }
        (sheet, "csv") => {
            let sheet = CsvSheet::parse(sheet).ok_or(WebError::NotFound)?;
            let bytes = state.sheets.export_csv(&tenant, viewer, sheet).await?;
            Ok(attachment(bytes, CSV, &name))
        }
        _ => Err(WebError::NotFound),
    }
}

async fn page(
    state: &State,
    visitor: &Visitor,
    layout: Layout,
    report: Option<&Report>,
    errors: &[FieldError],
) -> PageResult {
    visitor.require_role(Role::Provider)?;
    let csv: Vec<_> = CsvSheet::ALL
        .iter()
        .map(|s| minijinja::context! { code => s.code(), name => s.name() })
        .collect();
    render(
        state,
        visitor,
        "provider_sheets.html",
        minijinja::context! {
            layout, nav => "cabinet", report, csv,
            max_mb => MAX_BYTES / 1024 / 1024,
            more => report.map_or(0, |r| r.problem_count - r.problems.len()),
            errors => errors_map(errors),
        },
        form_status(errors),
    )
}

/// «Загрузить»: the form.
#[handler]
pub async fn import_page(state: Data<&State>, visitor: Visitor, layout: Layout) -> PageResult {
    page(&state, &visitor, layout, None, &[]).await
}

async fn outcome(
    state: &State,
    visitor: &Visitor,
    layout: Layout,
    result: Result<Report, ServiceError>,
) -> PageResult {
    match result {
        Ok(report) => page(state, visitor, layout, Some(&report), &[]).await,
        Err(ServiceError::Invalid(errors)) => page(state, visitor, layout, None, &errors).await,
        Err(ServiceError::Refused(m)) => {
            page(state, visitor, layout, None, &[FieldError::new("file", m)]).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The check of an uploaded file: its problems, or what «Применить» would change.
#[handler]
pub async fn check(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    form: Multipart,
) -> PageResult {
    let upload = read_upload(form, "file", MAX_BYTES).await?;
    visitor.check_csrf(&upload.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let result = state.sheets.check(&tenant, viewer, upload.file).await;
    outcome(&state, &visitor, layout, result).await
}

#[derive(Deserialize)]
pub struct ApplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    digest: String,
}

/// «Применить»: the checked file, imported.
#[handler]
pub async fn apply(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Form(form): Form<ApplyForm>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let tenant: &Tenant = &tenant;
    let result = state.sheets.apply(tenant, viewer, &form.digest).await;
    outcome(&state, &visitor, layout, result).await
}
