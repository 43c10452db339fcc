//! Export and import of an organization's catalog as a spreadsheet, for its staff only
//! (their organization's programs, groups, places and teachers; another's are not found).
//!
//! The import runs every row through the rules of the forms inside one write transaction:
//! `Card::parse` and `programs::service::{create_in, save_in, Step::Submit}` for programs,
//! `groups::service::{add_group_in, save_group_in}` for groups (ages within the program's,
//! seats not below those taken, the organization's places and teachers, dates, prices,
//! schedule). Programs go first, so a group is checked against its program as the file
//! leaves it. The check («Загрузить») is that run rolled back, its problems listed; the
//! file is kept under its SHA-256 so that «Применить» runs the same bytes again and commits
//! only if nothing is wrong (the catalog may have changed in between: then the problems are
//! shown and nothing is written). Rows with a number update, rows without one create drafts;
//! a published program whose card changed gets a revision sent to moderation. Nothing is
//! deleted: a row missing from the file is left as it is.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::Semaphore;

use crate::accounts::sessions::Viewer;
use crate::accounts::store::{audit, Audit};
use crate::catalog::store::{begin_write, bump_version, profiles, reprice_program, Profile};
use crate::db::{Db, DbError, Tx};
use crate::domain::FieldError;
use crate::groups::service::{add_group_in, save_group_in};
use crate::groups::store as groups;
use crate::programs::card::Card;
use crate::programs::service::{changed_labels, create_in, save_in, Saved, Step};
use crate::programs::store as programs;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::storage::{FileStore, Key, MediaType};
use crate::time::Clock;

use super::layout::{self, Column, CsvSheet, RowText, GROUPS, PROGRAMS, PROGRAM_ID};
use super::parse::{self, Book, Table};
use crate::spreadsheet::{self as write, letter, Sheet};

/// Rows of a written sheet that get its drop-downs and hints: as many as an import reads.
const IMPORTED_ROWS: u32 = parse::MAX_ROWS as u32;

/// Imports read and checked at once in a process (each holds its file and its tables).
const AT_ONCE: usize = 2;
/// How long a checked file waits for «Применить».
pub const KEPT: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
/// Problems listed; the rest are counted.
pub const MAX_LISTED: usize = 1_000;

#[derive(Clone)]
pub struct Sheets {
    db: Db,
    clock: Clock,
    files: Arc<dyn FileStore>,
    running: Arc<Semaphore>,
}

/// One thing wrong with the file: where (sheet, row as the spreadsheet numbers it, column
/// header) and what, in Russian. A problem of the whole file has no row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Problem {
    pub sheet: String,
    pub row: Option<u32>,
    pub column: String,
    pub message: String,
}

/// What an import does (a check: would do).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub programs_created: usize,
    pub programs_updated: usize,
    pub programs_unchanged: usize,
    /// Published programs whose edit went to moderation as a revision.
    pub sent_to_moderation: usize,
    pub groups_created: usize,
    pub groups_updated: usize,
    pub groups_unchanged: usize,
}

impl Summary {
    pub fn changes(&self) -> usize {
        self.programs_created + self.programs_updated + self.groups_created + self.groups_updated
    }

    /// «программ: создано 1, изменено 2, без изменений 3 (на модерацию — 1); групп: …».
    pub fn words(&self) -> String {
        format!(
            "программ: создано {}, изменено {}, без изменений {} (отправлено на модерацию — {}); \
             групп: создано {}, изменено {}, без изменений {}",
            self.programs_created,
            self.programs_updated,
            self.programs_unchanged,
            self.sent_to_moderation,
            self.groups_created,
            self.groups_updated,
            self.groups_unchanged
        )
    }
}

/// The outcome of a check or an import.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The file's key: what «Применить» sends back.
    pub digest: String,
    /// Whether the changes were written (an import with no problems).
    pub applied: bool,
    /// The first [`MAX_LISTED`] problems, by sheet and row.
    pub problems: Vec<Problem>,
    /// All of them.
    pub problem_count: usize,
    pub summary: Summary,
}

/// Which workbook to give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// «Скачать шаблон»: headers, the organization's places and teachers, the dictionaries.
    Template,
    /// «Выгрузить программы»: all of the organization's programs and groups too.
    Catalog,
}

struct Data {
    profiles: Vec<Profile>,
    programs: Vec<Vec<layout::Cell>>,
    groups: Vec<Vec<layout::Cell>>,
    places: Vec<Vec<layout::Cell>>,
    teachers: Vec<Vec<layout::Cell>>,
}

fn file_error(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(vec![FieldError::new("file", message)])
}

/// The position of each layout column among the file's headers.
fn index_of(columns: &[Column], headers: &[String]) -> Vec<Option<usize>> {
    columns
        .iter()
        .map(|c| {
            headers
                .iter()
                .position(|h| h.trim().to_lowercase() == c.header.to_lowercase())
        })
        .collect()
}

/// An id cell: empty is none; anything but a positive whole number is a problem.
fn id_cell(raw: &str, what: &str) -> Result<Option<i64>, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(Some)
        .ok_or_else(|| format!("«{t}»: {what} — целое число из выгрузки"))
}

/// The program a row names: its number, or the key of a new program in the same file
/// («новая 1»: any text starting with «новая»), so a file can bring a program and its groups.
enum ProgramRef {
    Id(i64),
    New(String),
}

const NEW_KEY: &str = "новая";

fn program_ref(raw: &str) -> Result<Option<ProgramRef>, String> {
    let t = raw.trim();
    if t.to_lowercase().starts_with(NEW_KEY) {
        return Ok(Some(ProgramRef::New(t.to_lowercase())));
    }
    id_cell(t, "номер программы")
        .map(|id| id.map(ProgramRef::Id))
        .map_err(|m| format!("{m}, или «новая 1» — ключ новой программы этого файла"))
}

impl Sheets {
    pub fn new(db: Db, clock: Clock, files: Arc<dyn FileStore>) -> Self {
        Self {
            db,
            clock,
            files,
            running: Arc::new(Semaphore::new(AT_ONCE)),
        }
    }

    fn own(viewer: &Viewer) -> Result<i64, ServiceError> {
        viewer.user.staff_org().ok_or(ServiceError::Forbidden)
    }

    async fn data(&self, tenant: &Tenant, org: i64, what: Export) -> Result<Data, ServiceError> {
        let profiles = profiles(&self.db, tenant.id).await?;
        let mut program_rows = Vec::new();
        let mut group_rows = Vec::new();
        if what == Export::Catalog {
            let mut list = programs::of_organization(&self.db, tenant.id, org).await?;
            list.sort_by_key(|p| p.id);
            for p in &list {
                program_rows.push(layout::program_row(Some(p), p.working_card(), &profiles));
                for g in groups::groups_of(&self.db, tenant.id, org, p.id).await? {
                    group_rows.push(layout::group_row(&g, &p.working_card().title));
                }
            }
        }
        let places = crate::organizations::store::places(&self.db, tenant.id, org)
            .await?
            .iter()
            .map(layout::place_row)
            .collect();
        let teachers = groups::teachers(&self.db, tenant.id, org)
            .await?
            .iter()
            .map(layout::teacher_row)
            .collect();
        Ok(Data {
            profiles,
            programs: program_rows,
            groups: group_rows,
            places,
            teachers,
        })
    }

    /// The organization's workbook: «Программы», «Группы», «Места обучения», «Педагоги»,
    /// «Справочники» (the drop-downs' lists).
    pub async fn export(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        what: Export,
    ) -> Result<Vec<u8>, ServiceError> {
        let org = Self::own(viewer)?;
        let data = self.data(tenant, org, what).await?;
        tokio::task::spawn_blocking(move || workbook(data))
            .await
            .map_err(|e| ServiceError::Internal(e.into()))?
            .map_err(ServiceError::Internal)
    }

    /// One sheet of the organization's workbook as CSV.
    pub async fn export_csv(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        sheet: CsvSheet,
    ) -> Result<Vec<u8>, ServiceError> {
        let org = Self::own(viewer)?;
        let data = self.data(tenant, org, Export::Catalog).await?;
        Ok(match sheet {
            CsvSheet::Programs => write::csv(&layout::program_columns(), &data.programs),
            CsvSheet::Groups => write::csv(layout::GROUP_COLUMNS, &data.groups),
            CsvSheet::Places => write::csv(layout::PLACE_COLUMNS, &data.places),
            CsvSheet::Teachers => write::csv(layout::TEACHER_COLUMNS, &data.teachers),
        })
    }

    async fn read(&self, bytes: Vec<u8>) -> Result<(Book, Vec<u8>), ServiceError> {
        tokio::task::spawn_blocking(move || parse::read(&bytes).map(|book| (book, bytes)))
            .await
            .map_err(|e| ServiceError::Internal(e.into()))?
            .map_err(file_error)
    }

    /// «Загрузить»: reads and checks the file, changes nothing, and keeps the file under
    /// its digest for [`Sheets::apply`].
    pub async fn check(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        bytes: Vec<u8>,
    ) -> Result<Report, ServiceError> {
        Self::own(viewer)?;
        let _slot = self
            .running
            .acquire()
            .await
            .map_err(|e| ServiceError::Internal(e.into()))?;
        let (book, bytes) = self.read(bytes).await?;
        let key = self
            .files
            .put(MediaType::Sheet, bytes)
            .await
            .map_err(|e| ServiceError::Internal(e.into()))?;
        self.run(tenant, viewer, &book, key.as_str(), false).await
    }

    /// «Применить»: the file checked under `digest`, imported if nothing is wrong with it
    /// now.
    pub async fn apply(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        digest: &str,
    ) -> Result<Report, ServiceError> {
        Self::own(viewer)?;
        let gone = || {
            ServiceError::Refused(
                "Проверенный файл не найден: загрузите его ещё раз и проверьте.".into(),
            )
        };
        let key = Key::parse(digest.trim())
            .filter(|k| k.media_type() == MediaType::Sheet)
            .ok_or_else(gone)?;
        let _slot = self
            .running
            .acquire()
            .await
            .map_err(|e| ServiceError::Internal(e.into()))?;
        let bytes = self
            .files
            .get(&key)
            .await
            .map_err(|e| ServiceError::Internal(e.into()))?
            .ok_or_else(gone)?;
        // The key is the bytes' hash: what is applied is what was checked.
        if Key::of(MediaType::Sheet, &bytes) != key {
            return Err(gone());
        }
        let (book, _) = self.read(bytes).await?;
        let report = self.run(tenant, viewer, &book, key.as_str(), true).await?;
        if report.applied {
            // Applied: the upload has done its work (a file never applied goes with the
            // sweep, `KEPT`).
            // The import is committed: a file left behind is the sweep's, not an error.
            if let Err(e) = self.files.delete(&key).await {
                tracing::warn!(error = %e, key = %key, "could not delete an applied spreadsheet");
            }
        }
        Ok(report)
    }

    /// Removes the checked files never applied, kept longer than [`KEPT`].
    pub async fn sweep(&self) -> Result<usize, crate::storage::StorageError> {
        self.files.sweep(MediaType::Sheet, KEPT).await
    }

    /// The API's import: the file in the request, checked (`dry_run`) or imported. With
    /// `expected`, the file must be the one a check answered with that digest.
    pub async fn import(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        bytes: Vec<u8>,
        dry_run: bool,
        expected: Option<&str>,
    ) -> Result<Report, ServiceError> {
        Self::own(viewer)?;
        let key = Key::of(MediaType::Sheet, &bytes);
        if let Some(expected) = expected.filter(|e| !e.trim().is_empty()) {
            if expected.trim() != key.as_str() {
                return Err(ServiceError::Refused(
                    "Файл отличается от проверенного (digest не совпадает): проверьте его ещё раз."
                        .into(),
                ));
            }
        }
        let _slot = self
            .running
            .acquire()
            .await
            .map_err(|e| ServiceError::Internal(e.into()))?;
        let (book, _) = self.read(bytes).await?;
        self.run(tenant, viewer, &book, key.as_str(), !dry_run)
            .await
    }

    /// Runs every row through the rules in one write transaction; commits only when `apply`
    /// and nothing is wrong.
    async fn run(
        &self,
        tenant: &Tenant,
        viewer: &Viewer,
        book: &Book,
        digest: &str,
        apply: bool,
    ) -> Result<Report, ServiceError> {
        let org = Self::own(viewer)?;
        let profiles = profiles(&self.db, tenant.id).await?;
        let now = self.clock.now();
        let mut run = Run {
            tenant,
            viewer,
            org,
            profiles: &profiles,
            now,
            problems: Vec::new(),
            summary: Summary::default(),
            touched: BTreeSet::new(),
            new_programs: HashMap::new(),
        };
        let mut tx = begin_write(&self.db, tenant.id).await?;
        if let Some(t) = &book.programs {
            run.programs(&mut tx, t).await?;
        }
        if let Some(t) = &book.groups {
            run.groups(&mut tx, t).await?;
        }
        for program in &run.touched {
            reprice_program(&mut tx, tenant.id, *program).await?;
        }
        if !run.touched.is_empty() {
            bump_version(&mut tx, tenant.id).await?;
        }
        let applied = apply && run.problems.is_empty();
        if applied {
            audit(
                &mut tx,
                tenant.id,
                &Audit {
                    actor: Some(viewer.user.id),
                    action: "sheet.import",
                    subject: &crate::organizations::subject(org),
                    detail: &format!("импорт таблицы {digest}: {}", run.summary.words()),
                    ip: viewer.ip(),
                    organization: Some(org),
                    at: now,
                },
            )
            .await?;
            tx.commit().await.map_err(DbError::from)?;
        } else {
            tx.rollback().await.map_err(DbError::from)?;
        }
        let problem_count = run.problems.len();
        let mut problems = run.problems;
        problems.truncate(MAX_LISTED);
        Ok(Report {
            digest: digest.to_owned(),
            applied,
            problems,
            problem_count,
            summary: run.summary,
        })
    }
}

fn workbook(data: Data) -> anyhow::Result<Vec<u8>> {
    let dictionaries = layout::dictionaries(&data.profiles);
    let longest = dictionaries.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
    let dictionary_rows: Vec<Vec<layout::Cell>> = (0..longest)
        .map(|r| {
            dictionaries
                .iter()
                .map(|(_, values)| {
                    values
                        .get(r)
                        .map_or(layout::Cell::Empty, |v| layout::Cell::Text(v.clone()))
                })
                .collect()
        })
        .collect();
    let dictionary_columns: Vec<Column> = dictionaries
        .iter()
        .map(|(title, _)| Column {
            header: title,
            field: None,
            width: 36.0,
        })
        .collect();
    let range = |d: usize| {
        let n = dictionaries[d].1.len().max(1) + 1;
        let l = letter(d);
        format!("='{}'!${l}$2:${l}${n}", layout::DICTIONARIES)
    };
    let program_columns = layout::program_columns();
    let lists = program_columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| layout::dictionary_of(c.field?).map(|d| (i, range(d))))
        .collect();
    let hints = program_columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c.field? {
            "id" => Some((
                i,
                "Пусто — новая программа (черновик); номер — изменить программу",
            )),
            "ovz_kinds" => Some((i, "Виды ОВЗ из «Справочников» через «;», или пусто")),
            "financing" => Some((
                i,
                "Из «Справочников» через «;»: Бесплатно, или сертификат и/или платно",
            )),
            _ => None,
        })
        .collect();
    let place_column = layout::GROUP_COLUMNS
        .iter()
        .position(|c| c.field == Some("place_id"))
        .unwrap_or(0);
    let places = format!(
        "='{}'!$A$2:$A${}",
        layout::PLACES,
        data.places.len().max(1) + 1
    );
    let group_hints = layout::GROUP_COLUMNS
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c.field? {
            "id" => Some((i, "Пусто — новая группа; номер — изменить группу")),
            "program_id" => Some((
                i,
                "Номер программы или ключ новой («новая 1») с листа «Программы»",
            )),
            "teacher_ids" => Some((i, "Номера с листа «Педагоги» через «;»")),
            "sessions" => Some((
                i,
                "Например: Пн 15:00–16:30; Ср 15:00–16:30 (с 01.09.2026 по 31.12.2026)",
            )),
            _ => None,
        })
        .collect();
    write::xlsx(&[
        Sheet {
            name: layout::PROGRAMS,
            columns: &program_columns,
            rows: data.programs,
            lists,
            hints,
            validated_rows: IMPORTED_ROWS,
        },
        Sheet {
            name: layout::GROUPS,
            columns: layout::GROUP_COLUMNS,
            rows: data.groups,
            lists: vec![(place_column, places)],
            hints: group_hints,
            validated_rows: IMPORTED_ROWS,
        },
        Sheet::table(layout::PLACES, layout::PLACE_COLUMNS, data.places),
        Sheet::table(layout::TEACHERS, layout::TEACHER_COLUMNS, data.teachers),
        Sheet::table(layout::DICTIONARIES, &dictionary_columns, dictionary_rows),
    ])
}

/// One import's state while its rows are run.
struct Run<'a> {
    tenant: &'a Tenant,
    viewer: &'a Viewer,
    org: i64,
    profiles: &'a [Profile],
    now: chrono::DateTime<chrono::Utc>,
    problems: Vec<Problem>,
    summary: Summary,
    /// Programs whose groups changed: repriced once at the end.
    touched: BTreeSet<i64>,
    /// The new programs of the file by key: the row, and the id once created.
    new_programs: HashMap<String, (u32, Option<i64>)>,
}

impl Run<'_> {
    fn problem(&mut self, sheet: &str, row: Option<u32>, column: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            sheet: sheet.to_owned(),
            row,
            column: if column.is_empty() {
                "—".into()
            } else {
                column.to_owned()
            },
            message: message.into(),
        });
    }

    /// A refusal of a service as problems of `row`: each invalid field under its column.
    fn refused(
        &mut self,
        sheet: &str,
        row: u32,
        e: ServiceError,
        header: fn(&str) -> &'static str,
    ) -> Result<(), ServiceError> {
        match e {
            ServiceError::Invalid(errors) => {
                for e in errors {
                    self.problem(sheet, Some(row), header(e.field), e.message);
                }
            }
            ServiceError::Refused(m) => self.problem(sheet, Some(row), "", m),
            ServiceError::NotFound => self.problem(sheet, Some(row), PROGRAM_ID, "не найдено"),
            other => return Err(other),
        }
        Ok(())
    }

    /// Missing columns are one problem each, and the sheet is not read.
    fn columns(&mut self, sheet: &str, columns: &[Column], index: &[Option<usize>]) -> bool {
        let mut ok = true;
        for (c, i) in columns.iter().zip(index) {
            if c.field.is_some() && i.is_none() {
                self.problem(
                    sheet,
                    Some(1),
                    c.header,
                    format!("нет столбца «{}»: верните его из выгрузки", c.header),
                );
                ok = false;
            }
        }
        ok
    }

    async fn programs(&mut self, tx: &mut Tx, table: &Table) -> Result<(), ServiceError> {
        let columns = layout::program_columns();
        let index = index_of(&columns, &table.headers);
        if !self.columns(PROGRAMS, &columns, &index) {
            return Ok(());
        }
        let mut seen: HashMap<i64, u32> = HashMap::new();
        for (number, cells) in &table.rows {
            let row = RowText {
                cells,
                index: &index,
            };
            let at = Some(*number);
            let (id, key) = match program_ref(row.get(0)) {
                Ok(Some(ProgramRef::Id(id))) => (Some(id), None),
                Ok(Some(ProgramRef::New(key))) => (None, Some(key)),
                Ok(None) => (None, None),
                Err(m) => {
                    self.problem(PROGRAMS, at, PROGRAM_ID, m);
                    continue;
                }
            };
            if let Some(id) = id {
                if let Some(first) = seen.insert(id, *number) {
                    self.problem(
                        PROGRAMS,
                        at,
                        PROGRAM_ID,
                        format!("программа № {id} уже есть в строке {first}"),
                    );
                    continue;
                }
            }
            if let Some(key) = &key {
                if let Some((first, _)) = self.new_programs.get(key) {
                    let message = format!("ключ «{key}» уже есть в строке {first}");
                    self.problem(PROGRAMS, at, PROGRAM_ID, message);
                    continue;
                }
                self.new_programs.insert(key.clone(), (*number, None));
            }
            let form = layout::card_form(&row, self.profiles);
            let card = match Card::parse(&form, self.profiles) {
                Ok(card) => card,
                Err(errors) => {
                    for e in errors {
                        self.problem(PROGRAMS, at, layout::program_header(e.field), e.message);
                    }
                    continue;
                }
            };
            let Some(id) = id else {
                let created = create_in(
                    tx,
                    self.tenant,
                    self.viewer,
                    self.org,
                    &card,
                    "создан черновик из таблицы",
                    self.now,
                )
                .await?;
                if let Some(key) = key {
                    self.new_programs.insert(key, (*number, Some(created)));
                }
                self.summary.programs_created += 1;
                continue;
            };
            let Some(p) = programs::get_in(tx, self.tenant.id, id)
                .await?
                .filter(|p| p.organization_id == self.org)
            else {
                self.problem(
                    PROGRAMS,
                    at,
                    PROGRAM_ID,
                    format!("программа № {id} не найдена среди программ вашей организации"),
                );
                continue;
            };
            if changed_labels(Some(p.working_card()), &card, self.profiles).is_empty() {
                self.summary.programs_unchanged += 1;
                continue;
            }
            match save_in(
                tx,
                self.tenant,
                self.viewer,
                &p,
                &card,
                self.profiles,
                self.now,
            )
            .await
            {
                Ok(Saved::Revision) if card != p.card => {
                    let p = programs::get_in(tx, self.tenant.id, id)
                        .await?
                        .ok_or(ServiceError::NotFound)?;
                    Step::Submit
                        .run_in(tx, self.tenant, self.viewer, &p, self.profiles, self.now)
                        .await?;
                    self.summary.programs_updated += 1;
                    self.summary.sent_to_moderation += 1;
                }
                Ok(_) => self.summary.programs_updated += 1,
                Err(e) => self.refused(PROGRAMS, *number, e, layout::program_header)?,
            }
        }
        Ok(())
    }

    async fn groups(&mut self, tx: &mut Tx, table: &Table) -> Result<(), ServiceError> {
        let index = index_of(layout::GROUP_COLUMNS, &table.headers);
        if !self.columns(GROUPS, layout::GROUP_COLUMNS, &index) {
            return Ok(());
        }
        let id_header = layout::group_header("id");
        let mut seen: HashMap<i64, u32> = HashMap::new();
        for (number, cells) in &table.rows {
            let row = RowText {
                cells,
                index: &index,
            };
            let at = Some(*number);
            let id = match id_cell(row.get(0), "номер группы") {
                Ok(id) => id,
                Err(m) => {
                    self.problem(GROUPS, at, id_header, m);
                    continue;
                }
            };
            let program = match program_ref(row.get(1)) {
                Ok(Some(ProgramRef::Id(p))) => p,
                Ok(Some(ProgramRef::New(key))) => match self.new_programs.get(&key) {
                    Some((_, Some(created))) => *created,
                    Some((line, None)) => {
                        let message = format!(
                            "программа «{key}» не загружена: исправьте её строку {line} на \
                             листе «{PROGRAMS}»"
                        );
                        self.problem(GROUPS, at, PROGRAM_ID, message);
                        continue;
                    }
                    None => {
                        let message =
                            format!("программы с ключом «{key}» нет на листе «{PROGRAMS}»");
                        self.problem(GROUPS, at, PROGRAM_ID, message);
                        continue;
                    }
                },
                Ok(None) => {
                    self.problem(
                        GROUPS,
                        at,
                        PROGRAM_ID,
                        "укажите номер программы с листа «Программы» или ключ новой программы \
                         этого файла («новая 1»)",
                    );
                    continue;
                }
                Err(m) => {
                    self.problem(GROUPS, at, PROGRAM_ID, m);
                    continue;
                }
            };
            if let Some(id) = id {
                if let Some(first) = seen.insert(id, *number) {
                    self.problem(
                        GROUPS,
                        at,
                        id_header,
                        format!("группа № {id} уже есть в строке {first}"),
                    );
                    continue;
                }
            }
            let (form, schedule) = layout::group_form(&row);
            if let Err(m) = schedule {
                self.problem(GROUPS, at, layout::group_header("sessions"), m);
                continue;
            }
            let Some(info) = groups::program_in(tx, self.tenant.id, self.org, program).await?
            else {
                self.problem(
                    GROUPS,
                    at,
                    PROGRAM_ID,
                    format!(
                        "программа № {program} не найдена ни в файле, ни среди программ вашей \
                         организации"
                    ),
                );
                continue;
            };
            let result = match id {
                None => add_group_in(
                    tx,
                    self.tenant,
                    self.viewer,
                    self.org,
                    &info,
                    &form,
                    self.now,
                )
                .await
                .map(|_| true),
                Some(id) => {
                    let Some(old) = groups::group_in(tx, self.tenant.id, self.org, id).await?
                    else {
                        self.problem(
                            GROUPS,
                            at,
                            id_header,
                            format!("группа № {id} не найдена среди групп вашей организации"),
                        );
                        continue;
                    };
                    if old.program_id != program {
                        self.problem(
                            GROUPS,
                            at,
                            PROGRAM_ID,
                            format!(
                                "группа № {id} относится к программе № {}: перенести группу в \
                                 другую программу нельзя",
                                old.program_id
                            ),
                        );
                        continue;
                    }
                    save_group_in(
                        tx,
                        self.tenant,
                        self.viewer,
                        self.org,
                        &old,
                        &form,
                        self.now,
                    )
                    .await
                    .map(|saved| saved.is_some())
                }
            };
            match result {
                Ok(changed) => {
                    match (id, changed) {
                        (None, _) => self.summary.groups_created += 1,
                        (Some(_), true) => self.summary.groups_updated += 1,
                        (Some(_), false) => self.summary.groups_unchanged += 1,
                    }
                    if changed {
                        self.touched.insert(program);
                    }
                }
                Err(e) => self.refused(GROUPS, *number, e, layout::group_header)?,
            }
        }
        Ok(())
    }
}
