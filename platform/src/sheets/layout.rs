//! What the workbook is made of: its sheets, their columns (Russian headers, each naming the
//! form field it fills, or none for a column that only informs), the cells of a program and
//! of a group, and the text forms of the values a cell holds as words (dictionary labels,
//! lists, the schedule). Both directions live here, so that what is written reads back.

use chrono::NaiveDate;

use crate::catalog::model::{
    Direction, Financing, Level, OvzKind, ProgramType, Session, StudyForm,
};
use crate::catalog::store::Profile;
use crate::domain::Money;
use crate::groups::service::{GroupForm, SessionForm};
use crate::groups::store::{GroupRow, Teacher};
use crate::organizations::store::Place;
use crate::programs::card::{Card, CardForm, FIELDS};
use crate::programs::store::Authored;
pub use crate::spreadsheet::{Cell, Column};

pub const PROGRAMS: &str = "Программы";
pub const GROUPS: &str = "Группы";
pub const PLACES: &str = "Места обучения";
pub const TEACHERS: &str = "Педагоги";
pub const DICTIONARIES: &str = "Справочники";

/// The sheets offered one by one as CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvSheet {
    Programs,
    Groups,
    Places,
    Teachers,
}

impl CsvSheet {
    pub const ALL: [CsvSheet; 4] = [
        CsvSheet::Programs,
        CsvSheet::Groups,
        CsvSheet::Places,
        CsvSheet::Teachers,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CsvSheet::Programs => "programs",
            CsvSheet::Groups => "groups",
            CsvSheet::Places => "places",
            CsvSheet::Teachers => "teachers",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            CsvSheet::Programs => PROGRAMS,
            CsvSheet::Groups => GROUPS,
            CsvSheet::Places => PLACES,
            CsvSheet::Teachers => TEACHERS,
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

const fn col(header: &'static str, field: &'static str, width: f64) -> Column {
    Column {
        header,
        field: Some(field),
        width,
    }
}

const fn shown(header: &'static str, width: f64) -> Column {
    Column {
        header,
        field: None,
        width,
    }
}

pub const PROGRAM_ID: &str = "№ программы";
pub const GROUP_ID: &str = "№ группы";

/// The programs' columns: the number, the card's fields under the form's labels, the status.
pub fn program_columns() -> Vec<Column> {
    let mut out = vec![col(PROGRAM_ID, "id", 12.0)];
    out.extend(FIELDS.iter().map(|(field, label)| Column {
        header: label,
        field: Some(field),
        width: match *field {
            "title" | "description" | "announce" | "goals" | "results" => 40.0,
            _ => 20.0,
        },
    }));
    out.push(shown("Статус (не загружается)", 24.0));
    out
}

/// The groups' columns.
pub const GROUP_COLUMNS: &[Column] = &[
    col(GROUP_ID, "id", 10.0),
    col(PROGRAM_ID, "program_id", 12.0),
    shown("Программа (не загружается)", 30.0),
    col("Название группы", "name", 30.0),
    col("Возраст от", "age_min", 10.0),
    col("Возраст до", "age_max", 10.0),
    col("Число мест", "capacity", 10.0),
    shown("Занято мест (не загружается)", 12.0),
    col("Начало обучения", "study_from", 14.0),
    col("Окончание обучения", "study_to", 14.0),
    col("Начало записи", "enroll_from", 14.0),
    col("Окончание записи", "enroll_to", 14.0),
    col("Место обучения, №", "place_id", 12.0),
    col("Педагоги, № через «;»", "teacher_ids", 14.0),
    col(
        "Стоимость при оплате сертификатом, ₽ в месяц",
        "price_certificate",
        16.0,
    ),
    col("Стоимость платного обучения, ₽ в месяц", "price_paid", 16.0),
    col("Расписание", "sessions", 44.0),
    shown("Статус набора (не загружается)", 16.0),
];

pub const PLACE_COLUMNS: &[Column] = &[shown("№", 8.0), shown("Адрес", 60.0)];
pub const TEACHER_COLUMNS: &[Column] = &[
    shown("№", 8.0),
    shown("ФИО", 40.0),
    shown("Должность", 30.0),
];

/// The header of a group field's column, for a problem's «Столбец».
pub fn group_header(field: &str) -> &'static str {
    GROUP_COLUMNS
        .iter()
        .find(|c| c.field == Some(field))
        .map_or("", |c| c.header)
}

/// The header of a card field's column.
pub fn program_header(field: &str) -> &'static str {
    crate::programs::card::label_of(field)
}

/// The dictionaries: (title, values) in the order of the «Справочники» sheet's columns.
pub fn dictionaries(profiles: &[Profile]) -> Vec<(&'static str, Vec<String>)> {
    fn labels<T: Copy>(all: &[T], label: fn(T) -> &'static str) -> Vec<String> {
        all.iter().map(|v| label(*v).to_owned()).collect()
    }
    vec![
        ("Направленность", labels(Direction::ALL, Direction::label)),
        ("Профиль", profiles.iter().map(|p| p.name.clone()).collect()),
        ("Уровень", labels(Level::ALL, Level::label)),
        (
            "Тип программы",
            labels(ProgramType::ALL, ProgramType::label),
        ),
        ("Форма обучения", labels(StudyForm::ALL, StudyForm::label)),
        ("Финансирование", labels(Financing::ALL, Financing::label)),
        (
            "Адаптирована для детей с ОВЗ",
            labels(OvzKind::ALL, OvzKind::label),
        ),
        (
            "Дни недели",
            WEEKDAYS.iter().map(|d| (*d).to_owned()).collect(),
        ),
    ]
}

/// Which dictionary (its column on «Справочники») a card field's drop-down lists; the
/// lists of several values (ОВЗ, financing) get a hint instead of a drop-down.
pub fn dictionary_of(field: &str) -> Option<usize> {
    match field {
        "direction" => Some(0),
        "profile_id" => Some(1),
        "level" => Some(2),
        "program_type" => Some(3),
        "study_form" => Some(4),
        _ => None,
    }
}

const WEEKDAYS: [&str; 7] = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"];

/// Values of a list cell: «Оплата сертификатом; Платно».
const LIST: &str = "; ";

fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.to_owned())
    }
}

/// A program's row: the card being worked on (a pending edit's, else the program's).
pub fn program_row(p: Option<&Authored>, card: &Card, profiles: &[Profile]) -> Vec<Cell> {
    let profile = profiles
        .iter()
        .find(|x| x.id == card.profile_id)
        .map_or(card.profile_id.clone(), |x| x.name.clone());
    let join = |labels: Vec<&str>| text(&labels.join(LIST));
    vec![
        p.map_or(Cell::Empty, |p| Cell::Int(p.id)),
        text(&card.title),
        text(&card.short_title),
        text(&card.announce),
        text(&card.description),
        text(&card.goals),
        text(&card.results),
        text(card.direction.label()),
        text(&profile),
        text(card.level.label()),
        text(card.program_type.label()),
        Cell::Int(card.age_min.into()),
        Cell::Int(card.age_max.into()),
        Cell::Int(card.duration_months),
        Cell::Int(card.hours),
        text(card.study_form.label()),
        join(card.ovz_kinds.iter().map(|k| k.label()).collect()),
        join(card.financing.iter().map(|f| f.label()).collect()),
        Cell::Int(card.group_min),
        Cell::Int(card.group_max),
        p.map_or(Cell::Empty, |p| text(&p.status_text())),
    ]
}

/// A session as a schedule cell shows it: `Пн 15:00–16:30`, with its dates when limited:
/// `Сб 10:00–11:00 (с 01.09.2026 по 31.12.2026)`.
fn session_text(s: &Session) -> String {
    let day = |d: NaiveDate| d.format("%d.%m.%Y").to_string();
    let dates = match (s.from, s.to) {
        (Some(a), Some(b)) => format!(" (с {} по {})", day(a), day(b)),
        (Some(a), None) => format!(" (с {})", day(a)),
        (None, Some(b)) => format!(" (по {})", day(b)),
        (None, None) => String::new(),
    };
    format!(
        "{} {}–{}{dates}",
        WEEKDAYS[usize::from(s.weekday.clamp(1, 7) - 1)],
        s.start.format("%H:%M"),
        s.end.format("%H:%M")
    )
}

pub fn schedule_text(sessions: &[Session]) -> String {
    sessions
        .iter()
        .map(session_text)
        .collect::<Vec<_>>()
        .join(LIST)
}

/// A group's row, with its program's title for the reader.
pub fn group_row(g: &GroupRow, program_title: &str) -> Vec<Cell> {
    let ids: Vec<String> = g.teacher_ids.iter().map(i64::to_string).collect();
    vec![
        Cell::Int(g.id),
        Cell::Int(g.program_id),
        text(program_title),
        text(&g.name),
        Cell::Int(g.age_min),
        Cell::Int(g.age_max),
        Cell::Int(g.capacity),
        Cell::Int(g.seats_taken),
        Cell::Date(g.study_from),
        Cell::Date(g.study_to),
        Cell::Date(g.enroll_from),
        Cell::Date(g.enroll_to),
        Cell::Int(g.place_id),
        text(&ids.join(LIST)),
        g.price_certificate.map_or(Cell::Empty, Cell::Money),
        g.price_paid.map_or(Cell::Empty, Cell::Money),
        text(&schedule_text(&g.sessions)),
        text(g.status.label()),
    ]
}

pub fn place_row(p: &Place) -> Vec<Cell> {
    vec![Cell::Int(p.id), text(&p.address)]
}

pub fn teacher_row(t: &Teacher) -> Vec<Cell> {
    vec![Cell::Int(t.id), text(&t.name), text(&t.position)]
}

// ---------------------------------------------------------------------------------------
// Reading back: cells as text (see `read`), turned into the forms the services check.

/// One row read from a sheet: its number as the spreadsheet shows it, and each column's
/// text by the position of its header.
pub struct RowText<'a> {
    pub cells: &'a [String],
    pub index: &'a [Option<usize>],
}

impl RowText<'_> {
    /// The text of the `i`-th column of the layout ("" when the file lacks it).
    pub fn get(&self, i: usize) -> &str {
        self.index
            .get(i)
            .copied()
            .flatten()
            .and_then(|c| self.cells.get(c))
            .map_or("", |s| s.trim())
    }
}

/// A dictionary cell: a label (any case) or a code becomes the code; anything else is left
/// as typed, for `Card::parse` to refuse with its own message.
fn code_of<T: Copy>(
    raw: &str,
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> String {
    let t = raw.trim();
    all.iter()
        .find(|v| label(**v).to_lowercase() == t.to_lowercase() || code(**v) == t)
        .map_or_else(|| t.to_owned(), |v| code(*v).to_owned())
}

fn list(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// The card form of a programs row (the columns of [`program_columns`], from the second).
pub fn card_form(row: &RowText<'_>, profiles: &[Profile]) -> CardForm {
    let at = |field: &str| {
        FIELDS
            .iter()
            .position(|(f, _)| *f == field)
            .map_or("", |i| row.get(i + 1))
            .to_owned()
    };
    let profile = at("profile_id");
    let profile_id = profiles
        .iter()
        .find(|p| p.id == profile)
        .or_else(|| {
            profiles
                .iter()
                .find(|p| p.name.to_lowercase() == profile.to_lowercase())
        })
        .map_or(profile.clone(), |p| p.id.clone());
    CardForm {
        title: at("title"),
        short_title: at("short_title"),
        announce: at("announce"),
        description: at("description"),
        goals: at("goals"),
        results: at("results"),
        direction: code_of(
            &at("direction"),
            Direction::ALL,
            Direction::code,
            Direction::label,
        ),
        profile_id,
        level: code_of(&at("level"), Level::ALL, Level::code, Level::label),
        program_type: code_of(
            &at("program_type"),
            ProgramType::ALL,
            ProgramType::code,
            ProgramType::label,
        ),
        age_min: at("age_min"),
        age_max: at("age_max"),
        duration_months: at("duration_months"),
        hours: at("hours"),
        study_form: code_of(
            &at("study_form"),
            StudyForm::ALL,
            StudyForm::code,
            StudyForm::label,
        ),
        ovz_kinds: list(&at("ovz_kinds"))
            .map(|k| code_of(k, OvzKind::ALL, OvzKind::code, OvzKind::label))
            .collect(),
        financing: list(&at("financing"))
            .map(|f| code_of(f, Financing::ALL, Financing::code, Financing::label))
            .collect(),
        group_min: at("group_min"),
        group_max: at("group_max"),
    }
}

/// The schedule cell as the form's rows; a part that is not `день ЧЧ:ММ–ЧЧ:ММ (с … по …)`
/// is refused here, with the part quoted (the rules of a row are the groups' own).
pub fn sessions_form(raw: &str) -> Result<Vec<SessionForm>, String> {
    let mut out = Vec::new();
    for part in list(raw) {
        let bad = || {
            format!(
                "«{part}»: занятие записывается как «Пн 15:00–16:30», с датами — \
                 «Сб 10:00–11:00 (с 01.09.2026 по 31.12.2026)», занятия через «;»"
            )
        };
        let (day, rest) = part.split_once(char::is_whitespace).ok_or_else(bad)?;
        let weekday = WEEKDAYS
            .iter()
            .position(|d| d.to_lowercase() == day.trim().to_lowercase())
            .ok_or_else(bad)?
            + 1;
        let rest = rest.trim();
        let (times, dates) = match rest.split_once('(') {
            Some((t, d)) => (t.trim(), d.trim().strip_suffix(')').ok_or_else(bad)?.trim()),
            None => (rest, ""),
        };
        let (starts, ends) = times.split_once(['–', '-', '—']).ok_or_else(bad)?;
        let mut date_from = String::new();
        let mut date_to = String::new();
        let mut words = dates.split_whitespace();
        while let Some(w) = words.next() {
            let value = words.next().ok_or_else(bad)?.to_owned();
            match w {
                "с" => date_from = value,
                "по" => date_to = value,
                _ => return Err(bad()),
            }
        }
        out.push(SessionForm {
            weekday: weekday.to_string(),
            starts: starts.trim().to_owned(),
            ends: ends.trim().to_owned(),
            date_from,
            date_to,
        });
    }
    Ok(out)
}

/// The group form of a groups row ([`GROUP_COLUMNS`]); the schedule's own format errors
/// come back apart.
pub fn group_form(row: &RowText<'_>) -> (GroupForm, Result<(), String>) {
    let at = |field: &str| {
        GROUP_COLUMNS
            .iter()
            .position(|c| c.field == Some(field))
            .map_or("", |i| row.get(i))
            .to_owned()
    };
    let (sessions, schedule) = match sessions_form(&at("sessions")) {
        Ok(s) => (s, Ok(())),
        Err(e) => (Vec::new(), Err(e)),
    };
    let form = GroupForm {
        name: at("name"),
        age_min: at("age_min"),
        age_max: at("age_max"),
        capacity: at("capacity"),
        study_from: at("study_from"),
        study_to: at("study_to"),
        enroll_from: at("enroll_from"),
        enroll_to: at("enroll_to"),
        place_id: at("place_id"),
        teacher_ids: list(&at("teacher_ids")).map(str::to_owned).collect(),
        price_certificate: at("price_certificate"),
        price_paid: at("price_paid"),
        sessions,
    };
    (form, schedule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_read_back_what_they_write() {
        let forms =
            sessions_form("Пн 15:00–16:30; ср 15:00-16:30 (с 01.09.2026 по 31.12.2026)").unwrap();
        assert_eq!(forms.len(), 2);
        assert_eq!(forms[1].weekday, "3");
        assert_eq!(forms[1].date_from, "01.09.2026");
        assert_eq!(forms[1].date_to, "31.12.2026");
        assert!(sessions_form("Пятница 15:00")
            .unwrap_err()
            .contains("«Пятница 15:00»"));
        assert!(sessions_form("").unwrap().is_empty());
    }
}
