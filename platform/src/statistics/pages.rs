//! `/admin/statistics` and `/municipal/statistics`: a dashboard with the period filter
//! (`?from=…&to=…`), each table with its chart and its downloads
//! (`/{cabinet}/statistics/{dashboard}/{table}.xlsx|csv?from=…&to=…`). The regional admin
//! opens the region's, a municipal admin their municipality's; nobody else either.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{handler, Response};
use serde::Serialize;

use crate::domain::FieldError;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::sheets::pages::{attachment, CSV, XLSX};
use crate::spreadsheet::{self, Sheet};
use crate::time::{shown_in, to_db};
use crate::web::page::{errors_map, render, PageResult};
use crate::web::{Cabinet, Layout, Region, Visitor, WebError};
use crate::State;

use super::dashboards::Kind;
use super::period::{Period, PeriodForm};
use super::snapshots::Snapshot;
use super::table::ShownTable;
use crate::accounts::AdminScope;

#[derive(Serialize)]
struct Tab {
    label: &'static str,
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct Download {
    label: &'static str,
    href: String,
}

#[derive(Serialize)]
struct Shown {
    table: ShownTable,
    downloads: Vec<Download>,
}

/// The filter of a valid period (dates `YYYY-MM-DD`: nothing to escape), or none.
fn query_of(form: &PeriodForm) -> String {
    if form.from.is_empty() {
        String::new()
    } else {
        format!("from={}&to={}", form.from, form.to)
    }
}

async fn snapshot(
    state: &State,
    tenant: &Arc<Tenant>,
    scope: &AdminScope,
    kind: Kind,
    period: Period,
) -> Result<Arc<Snapshot>, ServiceError> {
    state
        .statistics
        .dashboard(tenant, scope, kind, period)
        .await
}

async fn dashboard(
    state: &State,
    tenant: &Arc<Tenant>,
    visitor: &Visitor,
    layout: Layout,
    scope: AdminScope,
    kind: &str,
    form: PeriodForm,
) -> PageResult {
    let kind = Kind::parse(kind).ok_or(WebError::NotFound)?;
    let today = tenant.today(&state.clock);
    let (period, errors): (Option<Period>, Vec<FieldError>) = match Period::parse(&form, today) {
        Ok(p) => (Some(p), Vec::new()),
        Err(ServiceError::Invalid(errors)) => (None, errors),
        Err(e) => return Err(e.into()),
    };
    let base = format!("{}/statistics", scope.home());
    // The tabs and downloads keep the period as typed once it is valid.
    let filter = period.map(|p| p.form()).unwrap_or_default();
    let tabs: Vec<Tab> = Kind::ALL
        .iter()
        .map(|k| Tab {
            label: k.label(),
            href: format!("{base}/{}?{}", k.code(), query_of(&filter)),
            current: *k == kind,
        })
        .collect();
    let mut shown = Vec::new();
    let mut computed = None;
    if let Some(period) = period {
        let snapshot = snapshot(state, tenant, &scope, kind, period).await?;
        computed = Some(shown_in(
            &to_db(snapshot.computed_at),
            tenant.config.time_zone,
        ));
        for t in &snapshot.tables {
            let downloads = ["xlsx", "csv"]
                .iter()
                .map(|ext| Download {
                    label: if *ext == "xlsx" {
                        "Скачать XLSX"
                    } else {
                        "Скачать CSV"
                    },
                    href: format!(
                        "{base}/{}/{}.{ext}?{}",
                        kind.code(),
                        t.key,
                        query_of(&filter)
                    ),
                })
                .collect();
            shown.push(Shown {
                table: ShownTable::from(t),
                downloads,
            });
        }
    }
    let place = match scope.municipality() {
        None => tenant.config.region_name.clone(),
        Some(m) => tenant
            .config
            .municipality(m)
            .map_or_else(|| m.to_owned(), |m| m.name.clone()),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        state,
        visitor,
        "statistics.html",
        minijinja::context! {
            layout, place, tabs, tables => shown, kind => kind.label(),
            action => format!("{base}/{}", kind.code()),
            home => scope.home(),
            period => period.map(|p| p.shown()), computed,
            form => if errors.is_empty() { filter } else { form },
            errors => errors_map(&errors), nav => "cabinet",
        },
        status,
    )
}

async fn export(
    state: &State,
    tenant: &Arc<Tenant>,
    scope: AdminScope,
    kind: &str,
    file: &str,
    form: PeriodForm,
) -> Result<Response, WebError> {
    let kind = Kind::parse(kind).ok_or(WebError::NotFound)?;
    let (key, ext) = file.rsplit_once('.').ok_or(WebError::NotFound)?;
    if ext != "xlsx" && ext != "csv" {
        return Err(WebError::NotFound);
    }
    let period = Period::parse(&form, tenant.today(&state.clock))?;
    let snapshot = snapshot(state, tenant, &scope, kind, period).await?;
    let table = snapshot
        .tables
        .iter()
        .find(|t| t.key == key)
        .ok_or(WebError::NotFound)?;
    let name = format!(
        "navigator-{}-{}-{}.{ext}",
        table.key, period.from, period.to
    );
    let cells = table.cells();
    if ext == "csv" {
        Ok(attachment(
            spreadsheet::csv(&table.columns, &cells),
            CSV,
            &name,
        ))
    } else {
        let sheet = Sheet::table(table.key, &table.columns, cells);
        let bytes = spreadsheet::xlsx(&[sheet]).map_err(ServiceError::Internal)?;
        Ok(attachment(bytes, XLSX, &name))
    }
}

/// `/{cabinet}/statistics`: the охват of the cabinet's region or municipality.
#[handler]
pub async fn home(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Cabinet(scope): Cabinet,
    Query(form): Query<PeriodForm>,
) -> PageResult {
    let kind = Kind::Coverage.code();
    dashboard(&state, &tenant, &visitor, layout, scope, kind, form).await
}

/// `/{cabinet}/statistics/{dashboard}`.
#[handler]
pub async fn page(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Cabinet(scope): Cabinet,
    Path(kind): Path<String>,
    Query(form): Query<PeriodForm>,
) -> PageResult {
    dashboard(&state, &tenant, &visitor, layout, scope, &kind, form).await
}

/// `/{cabinet}/statistics/{dashboard}/{table}.{xlsx|csv}`.
#[handler]
pub async fn download(
    state: Data<&State>,
    Region(tenant): Region,
    Cabinet(scope): Cabinet,
    Path((kind, file)): Path<(String, String)>,
    Query(form): Query<PeriodForm>,
) -> Result<Response, WebError> {
    export(&state, &tenant, scope, &kind, &file, form).await
}
