//! The spreadsheet round trip under /api/v1, for the organization's staff (a session with
//! `X-CSRF-Token` for the import, or the organization's API token): the workbook
//! (`GET /provider/programs/export.xlsx`), one sheet as CSV
//! (`GET /provider/programs/export.csv?sheet=…`) and the import
//! (`POST /provider/programs/import?dry_run=true|false`, the file as the body). A check
//! answers with the file's `digest`; an import given `digest` refuses any other file.

use poem::web::Data;
use poem_openapi::param::{Header, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiRequest, ApiResponse, Object, OpenApi};

use crate::api::{try_reply, writer, ApiError, ApiTags, Reply};
use crate::regions::Site;
use crate::web::{region_of, upload_body, Visitor};
use crate::State;

use super::layout::CsvSheet;
use super::service::{Export, Problem, Report, Summary};

pub struct SheetsApi;

/// A sheet offered as CSV.
#[derive(poem_openapi::Enum, Clone, Copy)]
#[oai(rename_all = "lowercase")]
pub enum SheetName {
    Programs,
    Groups,
    Places,
    Teachers,
}

impl From<SheetName> for CsvSheet {
    fn from(s: SheetName) -> Self {
        match s {
            SheetName::Programs => CsvSheet::Programs,
            SheetName::Groups => CsvSheet::Groups,
            SheetName::Places => CsvSheet::Places,
            SheetName::Teachers => CsvSheet::Teachers,
        }
    }
}

/// An XLSX workbook as exported, or one sheet («Программы» or «Группы») as CSV: UTF-8
/// (a BOM is fine), `;` between columns. At most 10 MB, 10 000 rows a sheet; recognized
/// by its content.
#[derive(ApiRequest)]
pub enum SheetBody {
    #[oai(content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    Xlsx(Binary<Vec<u8>>),
    #[oai(content_type = "text/csv")]
    Csv(Binary<Vec<u8>>),
    #[oai(content_type = "application/octet-stream")]
    Raw(Binary<Vec<u8>>),
}

impl SheetBody {
    fn bytes(self) -> Vec<u8> {
        match self {
            SheetBody::Xlsx(b) | SheetBody::Csv(b) | SheetBody::Raw(b) => b.0,
        }
    }
}

/// One problem of the file.
#[derive(Object)]
pub struct SheetProblem {
    /// The sheet: «Программы», «Группы».
    pub sheet: String,
    /// The row as the spreadsheet numbers it (the header is row 1); none for the file.
    #[oai(nullable)]
    pub row: Option<u32>,
    /// The column's header, «—» for the row as a whole.
    pub column: String,
    pub message: String,
}

impl From<Problem> for SheetProblem {
    fn from(p: Problem) -> Self {
        Self {
            sheet: p.sheet,
            row: p.row,
            column: p.column,
            message: p.message,
        }
    }
}

/// What the import did (a dry run: would do).
#[derive(Object)]
pub struct ImportSummary {
    pub programs_created: u64,
    pub programs_updated: u64,
    pub programs_unchanged: u64,
    /// Published programs whose edit went to moderation as a revision.
    pub sent_to_moderation: u64,
    pub groups_created: u64,
    pub groups_updated: u64,
    pub groups_unchanged: u64,
}

impl From<&Summary> for ImportSummary {
    fn from(s: &Summary) -> Self {
        Self {
            programs_created: s.programs_created as u64,
            programs_updated: s.programs_updated as u64,
            programs_unchanged: s.programs_unchanged as u64,
            sent_to_moderation: s.sent_to_moderation as u64,
            groups_created: s.groups_created as u64,
            groups_updated: s.groups_updated as u64,
            groups_unchanged: s.groups_unchanged as u64,
        }
    }
}

#[derive(Object)]
pub struct ImportReport {
    /// The file's SHA-256 key: pass it as `digest` to import exactly the checked file.
    pub digest: String,
    /// Whether the changes were written: an import (not a dry run) with no problems.
    pub applied: bool,
    /// How many problems there are; `problems` lists the first 1 000.
    pub problem_count: u64,
    pub problems: Vec<SheetProblem>,
    pub summary: ImportSummary,
}

impl From<Report> for ImportReport {
    fn from(r: Report) -> Self {
        Self {
            digest: r.digest,
            applied: r.applied,
            problem_count: r.problem_count as u64,
            summary: ImportSummary::from(&r.summary),
            problems: r.problems.into_iter().map(SheetProblem::from).collect(),
        }
    }
}

/// A file of one type, or the error of the call (one enum per type: poem-openapi documents
/// one content type per status).
macro_rules! file_reply {
    ($name:ident, $content_type:literal) => {
        #[derive(ApiResponse)]
        pub enum $name {
            #[oai(status = 200, content_type = $content_type)]
            File(
                Binary<Vec<u8>>,
                #[oai(header = "Content-Disposition")] String,
            ),
            /// A parameter is invalid (`field` names it).
            #[oai(status = 400)]
            Invalid(Json<ApiError>),
            /// Not logged in, or the token is unknown.
            #[oai(status = 401)]
            Unauthorized(Json<ApiError>),
            /// Not the staff of an organization.
            #[oai(status = 403)]
            Forbidden(Json<ApiError>),
            #[oai(status = 404)]
            NotFound(Json<ApiError>),
            #[oai(status = 500)]
            Internal(Json<ApiError>),
            /// The database did not answer.
            #[oai(status = 503)]
            Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] u64),
        }

        impl $name {
            /// An error of any layer as this call's reply.
            fn fail(e: impl Into<Reply<ImportReport>>) -> Self {
                match e.into() {
                    Reply::Invalid(j) => Self::Invalid(j),
                    Reply::Unauthorized(j) => Self::Unauthorized(j),
                    Reply::Forbidden(j) => Self::Forbidden(j),
                    Reply::NotFound(j) => Self::NotFound(j),
                    Reply::Unavailable(j, s) => Self::Unavailable(j, s),
                    Reply::Conflict(j)
                    | Reply::TooMany(j, _)
                    | Reply::UnsupportedMediaType(j)
                    | Reply::Internal(j) => Self::Internal(j),
                    Reply::Ok(_) => {
                        Self::Internal(crate::api::error("internal", "Внутренняя ошибка сервера"))
                    }
                }
            }
        }
    };
}

file_reply!(
    XlsxReply,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
);
file_reply!(CsvReply, "text/csv; charset=utf-8");

macro_rules! try_file {
    ($reply:ident, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return $reply::fail(e),
        }
    };
}

fn disposition(name: &str) -> String {
    format!("attachment; filename=\"navigator-{name}\"")
}

#[OpenApi(tag = "ApiTags::Programs")]
impl SheetsApi {
    /// The organization's workbook (XLSX)
    ///
    /// Sheets «Программы», «Группы» (with schedules), «Места обучения», «Педагоги» and
    /// «Справочники» (the drop-downs' lists). `template=true`: the programs and groups
    /// sheets empty («Скачать шаблон»).
    #[oai(path = "/provider/programs/export.xlsx", method = "get")]
    async fn export_xlsx(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        template: Query<Option<bool>>,
    ) -> XlsxReply {
        let tenant = try_file!(XlsxReply, region_of(&site));
        let viewer = try_file!(XlsxReply, visitor.require());
        let what = if template.0.unwrap_or(false) {
            Export::Template
        } else {
            Export::Catalog
        };
        let bytes = try_file!(XlsxReply, state.sheets.export(tenant, viewer, what).await);
        XlsxReply::File(Binary(bytes), disposition("programs.xlsx"))
    }

    /// One sheet of the organization's workbook as CSV
    ///
    /// UTF-8 with a BOM, `;` between columns, as Russian Excel opens it. A text that a
    /// spreadsheet would take for a formula starts with `'`.
    #[oai(path = "/provider/programs/export.csv", method = "get")]
    async fn export_csv(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        sheet: Query<SheetName>,
    ) -> CsvReply {
        let tenant = try_file!(CsvReply, region_of(&site));
        let viewer = try_file!(CsvReply, visitor.require());
        let sheet = CsvSheet::from(sheet.0);
        let bytes = try_file!(
            CsvReply,
            state.sheets.export_csv(tenant, viewer, sheet).await
        );
        CsvReply::File(Binary(bytes), disposition(&format!("{}.csv", sheet.code())))
    }

    /// Checks or imports a spreadsheet of programs and groups
    ///
    /// `dry_run=true` (the default) checks every row and changes nothing; `dry_run=false`
    /// imports the file in one transaction if nothing is wrong with it (else nothing is
    /// written and `problems` says why, each with sheet, row and column). Rows with a number
    /// update that program or group; rows without one create drafts and groups; a published
    /// program whose card changed gets a revision sent to moderation. `digest` (from a dry
    /// run) makes the import refuse any other file (409). A file that is not a spreadsheet,
    /// encrypted, too big when unpacked or too long is 400 naming the field `file`.
    #[oai(
        path = "/provider/programs/import",
        method = "post",
        transform = "upload_body"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn import(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        dry_run: Query<Option<bool>>,
        digest: Query<Option<String>>,
        body: SheetBody,
    ) -> Reply<ImportReport> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let report = try_reply!(
            state
                .sheets
                .import(
                    tenant,
                    viewer,
                    body.bytes(),
                    dry_run.0.unwrap_or(true),
                    digest.0.as_deref()
                )
                .await
        );
        Reply::Ok(Json(ImportReport::from(report)))
    }
}
