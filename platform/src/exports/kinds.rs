//! The tables an administrator downloads: their columns and how a row becomes cells (numbers
//! as numbers, dates as dates, money in roubles with kopecks), their states, and whether
//! they hold children's personal data (then every download is in the audit log).

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;

use crate::applications::store::Status as ApplicationStatus;
use crate::catalog::model::{Direction, Financing, ProgramStatus};
use crate::domain::Money;
use crate::regions::Tenant;
use crate::spreadsheet::{Cell, Column};

use super::store::{ApplicationLine, CertificateLine, ProgramLine};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Programs,
    Applications,
    Certificates,
}

const fn col(header: &'static str, width: f64) -> Column {
    Column {
        header,
        field: None,
        width,
    }
}

const PROGRAM_COLUMNS: &[Column] = &[
    col("№ программы", 12.0),
    col("Название", 40.0),
    col("Состояние", 16.0),
    col("Направленность", 24.0),
    col("Возраст от", 10.0),
    col("Возраст до", 10.0),
    col("Финансирование", 24.0),
    col("Цена в месяц, руб.", 14.0),
    col("Организация", 30.0),
    col("Муниципалитет", 24.0),
    col("Создана", 12.0),
    col("Опубликована", 12.0),
];

const APPLICATION_COLUMNS: &[Column] = &[
    col("№ заявки", 10.0),
    col("Подана", 12.0),
    col("Состояние", 16.0),
    col("Оплата", 20.0),
    col("№ программы", 12.0),
    col("Программа", 40.0),
    col("Группа", 20.0),
    col("Организация", 30.0),
    col("Муниципалитет", 24.0),
    col("Фамилия ребёнка", 18.0),
    col("Имя", 14.0),
    col("Отчество", 16.0),
    col("Дата рождения", 12.0),
    col("Сертификат", 14.0),
];

const CERTIFICATE_COLUMNS: &[Column] = &[
    col("Номер сертификата", 14.0),
    col("Состояние", 24.0),
    col("Муниципалитет", 24.0),
    col("Выдан", 12.0),
    col("Данные подтверждены", 12.0),
    col("Фамилия ребёнка", 18.0),
    col("Имя", 14.0),
    col("Отчество", 16.0),
    col("Дата рождения", 12.0),
    col("Начислено, руб.", 14.0),
    col("Зарезервировано, руб.", 14.0),
    col("Списано, руб.", 14.0),
    col("Остаток, руб.", 14.0),
];

const CERTIFICATE_STATES: &[(&str, &str)] = &[
    ("issued", "Данные не подтверждены"),
    ("confirmed", "Данные подтверждены"),
    ("funded", "С начисленным номиналом"),
];

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Programs, Kind::Applications, Kind::Certificates];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Programs => "programs",
            Kind::Applications => "applications",
            Kind::Certificates => "certificates",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The sheet's name and the table's title.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Programs => "Программы",
            Kind::Applications => "Заявки",
            Kind::Certificates => "Реестр сертификатов",
        }
    }

    /// Whether the table holds children's personal data.
    pub fn personal(self) -> bool {
        !matches!(self, Kind::Programs)
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Programs => PROGRAM_COLUMNS,
            Kind::Applications => APPLICATION_COLUMNS,
            Kind::Certificates => CERTIFICATE_COLUMNS,
        }
    }

    /// The states the filter offers: code and label.
    pub fn statuses(self) -> Vec<(&'static str, &'static str)> {
        match self {
            Kind::Programs => ProgramStatus::ALL
                .iter()
                .map(|s| (s.code(), s.label()))
                .collect(),
            Kind::Applications => ApplicationStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            Kind::Certificates => CERTIFICATE_STATES.to_vec(),
        }
    }
}

fn text(t: &str) -> Cell {
    Cell::Text(t.to_owned())
}

fn optional(t: &Option<String>) -> Cell {
    t.as_deref().map_or(Cell::Empty, text)
}

/// The day of a stored time in the region's zone.
fn day_of(stored: &str, zone: Tz) -> Cell {
    DateTime::parse_from_rfc3339(stored).map_or(Cell::Empty, |t| {
        Cell::Date(t.with_timezone(&zone).date_naive())
    })
}

fn date(stored: &str) -> Cell {
    NaiveDate::parse_from_str(stored, "%Y-%m-%d").map_or_else(|_| text(stored), Cell::Date)
}

fn municipality(tenant: &Tenant, id: &str) -> Cell {
    text(
        tenant
            .config
            .municipality(id)
            .map_or(id, |m| m.name.as_str()),
    )
}

fn money(kopecks: i64) -> Cell {
    Cell::Money(Money::from_kopecks(kopecks))
}

pub fn program_cells(l: &ProgramLine, tenant: &Tenant) -> Vec<Cell> {
    let zone = tenant.config.time_zone;
    let financing: Vec<&str> = l
        .financing
        .split(',')
        .filter_map(Financing::parse)
        .map(|f| f.label())
        .collect();
    vec![
        Cell::Int(l.id),
        text(&l.title),
        text(ProgramStatus::parse(&l.status).map_or(l.status.as_str(), |s| s.label())),
        text(Direction::parse(&l.direction).map_or(l.direction.as_str(), |d| d.label())),
        Cell::Int(l.age_min),
        Cell::Int(l.age_max),
        text(&financing.join(", ")),
        money(l.price_kopecks),
        text(&l.organization),
        municipality(tenant, &l.municipality),
        day_of(&l.created_at, zone),
        l.published_at
            .as_deref()
            .map_or(Cell::Empty, |t| day_of(t, zone)),
    ]
}

pub fn application_cells(l: &ApplicationLine, tenant: &Tenant) -> Vec<Cell> {
    let funding = match l.funding.as_str() {
        "certificate" => "По сертификату",
        "paid" => "Платно",
        "free" => "Бесплатно",
        other => other,
    };
    vec![
        Cell::Int(l.id),
        day_of(&l.created_at, tenant.config.time_zone),
        text(ApplicationStatus::parse(&l.status).map_or(l.status.as_str(), |s| s.label())),
        text(funding),
        Cell::Int(l.program_id),
        text(&l.program),
        text(&l.group),
        text(&l.organization),
        municipality(tenant, &l.municipality),
        text(&l.last_name),
        text(&l.first_name),
        optional(&l.middle_name),
        date(&l.birth_date),
        optional(&l.certificate),
    ]
}

pub fn certificate_cells(l: &CertificateLine, tenant: &Tenant) -> Vec<Cell> {
    let zone = tenant.config.time_zone;
    let state = CERTIFICATE_STATES
        .iter()
        .find(|(code, _)| *code == l.status)
        .map_or(l.status.as_str(), |(_, label)| label);
    let state = if l.credited > 0 {
        format!("{state}, номинал начислен")
    } else {
        state.to_owned()
    };
    vec![
        text(&l.number),
        Cell::Text(state),
        municipality(tenant, &l.municipality),
        day_of(&l.created_at, zone),
        l.confirmed_at
            .as_deref()
            .map_or(Cell::Empty, |t| day_of(t, zone)),
        text(&l.last_name),
        text(&l.first_name),
        optional(&l.middle_name),
        date(&l.birth_date),
        money(l.credited),
        money(l.committed),
        money(l.spent),
        money(l.credited - l.committed - l.spent),
    ]
}
