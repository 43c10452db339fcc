//! Downloads: the filter checked against the admin's scope, the audit row written for a
//! table with children's personal data (who, which table, what filter) before the first
//! byte, then the rows read a chunk at a time and written as they come — CSV straight into
//! the response, XLSX row by row into a temporary file that is then sent — so a download of
//! the whole region holds one chunk in memory.

use std::pin::Pin;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWriteExt};

use crate::accounts::sessions::Viewer;
use crate::accounts::store::{audit, Audit};
use crate::accounts::AdminScope;
use crate::db::{Db, DbError};
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::spreadsheet::{csv_header, csv_row, Cell, XlsxStream};
use crate::time::Clock;

use super::filter::{ExportFilter, ExportForm, Refused};
use super::kinds::{application_cells, certificate_cells, program_cells, Kind};
use super::store;

/// Rows read at once.
const CHUNK: i64 = 1_000;
/// What a CSV download buffers between the reader of the database and the network.
const PIPE: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    pub fn parse(ext: &str) -> Option<Self> {
        match ext {
            "xlsx" => Some(Self::Xlsx),
            "csv" => Some(Self::Csv),
            _ => None,
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// A file on its way: its name and its bytes as they are written.
pub struct Download {
    pub filename: String,
    pub format: Format,
    pub body: Pin<Box<dyn AsyncRead + Send>>,
}

/// The filter of `form` for `kind` within `scope`, or the refusal as the faces show it.
pub fn filter_of(
    form: &ExportForm,
    kind: Kind,
    scope: &AdminScope,
    tenant: &Tenant,
) -> Result<ExportFilter, ServiceError> {
    ExportFilter::parse(form, kind, scope, tenant).map_err(|r| match r {
        Refused::Fields(errors) => ServiceError::Invalid(errors),
        Refused::OutOfScope => ServiceError::Forbidden,
    })
}

/// Up to `limit` rows of `kind` after `filter.after` as cells, and the id of the last.
pub async fn chunk(
    db: &Db,
    tenant: &Tenant,
    kind: Kind,
    filter: &ExportFilter,
    limit: i64,
) -> Result<(Vec<Vec<Cell>>, Option<i64>), DbError> {
    Ok(match kind {
        Kind::Programs => {
            let rows = store::programs(db, tenant.id, filter, filter.after, limit).await?;
            let last = rows.last().map(|r| r.id);
            (
                rows.iter().map(|r| program_cells(r, tenant)).collect(),
                last,
            )
        }
        Kind::Applications => {
            let rows = store::applications(db, tenant.id, filter, filter.after, limit).await?;
            let last = rows.last().map(|r| r.id);
            (
                rows.iter().map(|r| application_cells(r, tenant)).collect(),
                last,
            )
        }
        Kind::Certificates => {
            let rows = store::certificates(db, tenant.id, filter, filter.after, limit).await?;
            let last = rows.last().map(|r| r.id);
            (
                rows.iter().map(|r| certificate_cells(r, tenant)).collect(),
                last,
            )
        }
    })
}

/// Starts the download of `kind` as `format` filtered by `form` (refused as
/// `ServiceError::Invalid` with the fields, or `Forbidden` outside the admin's scope).
#[tracing::instrument(skip_all, fields(kind = kind.code(), format = format.ext()))]
#[allow(clippy::too_many_arguments)] // the download's who, where, what and how, each needed
pub async fn download(
    db: &Db,
    clock: &Clock,
    tenant: Arc<Tenant>,
    viewer: &Viewer,
    scope: &AdminScope,
    kind: Kind,
    format: Format,
    form: &ExportForm,
) -> Result<Download, ServiceError> {
    let mut filter = filter_of(form, kind, scope, &tenant)?;
    filter.after = 0;
    let now = clock.now();
    if kind.personal() {
        let mut tx = db.begin().await?;
        audit(
            &mut tx,
            tenant.id,
            &Audit {
                actor: Some(viewer.user.id),
                action: "export",
                subject: kind.code(),
                detail: &format!(
                    "{}, {}; {}",
                    format.ext().to_uppercase(),
                    scope.describe(),
                    filter.describe(form)
                ),
                ip: viewer.ip(),
                organization: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
    }
    // The first chunk is read here, so that a database that does not answer is a page
    // with its message rather than a file cut short.
    let first = chunk(db, &tenant, kind, &filter, CHUNK).await?;
    let filename = format!(
        "{}-{}.{}",
        kind.code(),
        clock.today_in(tenant.config.time_zone).format("%Y-%m-%d"),
        format.ext()
    );
    let body: Pin<Box<dyn AsyncRead + Send>> = match format {
        Format::Csv => Box::pin(csv_pipe(db.clone(), tenant, kind, filter, first)),
        Format::Xlsx => Box::pin(xlsx_file(db, &tenant, kind, filter, first).await?),
    };
    Ok(Download {
        filename,
        format,
        body,
    })
}

/// The CSV's bytes as a task writes them, a chunk at a time. A database failure midway ends
/// the file early (the response has started); it is logged.
fn csv_pipe(
    db: Db,
    tenant: Arc<Tenant>,
    kind: Kind,
    mut filter: ExportFilter,
    first: (Vec<Vec<Cell>>, Option<i64>),
) -> tokio::io::DuplexStream {
    let (mut writer, reader) = tokio::io::duplex(PIPE);
    tokio::spawn(async move {
        let mut text = csv_header(kind.columns());
        let (mut rows, mut last) = first;
        loop {
            for cells in &rows {
                csv_row(&mut text, cells);
            }
            if writer.write_all(text.as_bytes()).await.is_err() {
                return; // the client went away
            }
            text.clear();
            match last {
                Some(id) if rows.len() as i64 == CHUNK => filter.after = id,
                _ => break,
            }
            match chunk(&db, &tenant, kind, &filter, CHUNK).await {
                Ok(next) => (rows, last) = next,
                Err(e) => {
                    tracing::error!(error = %e, kind = kind.code(), "export cut short");
                    return;
                }
            }
        }
        let _ = writer.shutdown().await;
    });
    reader
}

/// The XLSX written row by row into a temporary file, opened for sending; the file's name
/// is gone at once (the open file is read to its end all the same).
async fn xlsx_file(
    db: &Db,
    tenant: &Tenant,
    kind: Kind,
    mut filter: ExportFilter,
    first: (Vec<Vec<Cell>>, Option<i64>),
) -> Result<tokio::fs::File, ServiceError> {
    let internal = |e: anyhow::Error| ServiceError::Internal(e);
    let mut sheet = XlsxStream::new(kind.title(), kind.columns()).map_err(internal)?;
    let (mut rows, mut last) = first;
    loop {
        for cells in &rows {
            sheet.push(cells).map_err(internal)?;
        }
        match last {
            Some(id) if rows.len() as i64 == CHUNK => filter.after = id,
            _ => break,
        }
        (rows, last) = chunk(db, tenant, kind, &filter, CHUNK).await?;
    }
    let file = tempfile::NamedTempFile::new().map_err(|e| internal(e.into()))?;
    let path = file.path().to_owned();
    tokio::task::spawn_blocking(move || sheet.finish(&path))
        .await
        .map_err(|e| internal(e.into()))?
        .map_err(internal)?;
    let opened = file.reopen().map_err(|e| internal(e.into()))?;
    Ok(tokio::fs::File::from_std(opened))
}
