//! The catalog's vocabulary: directions, levels, financing, statuses, kinds of
//! organizations, weekly schedules. Each has a stable code (stored, used in URLs and the
//! API) and the Russian label users know.

use std::fmt;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// Declares a closed set of values with codes and labels, and parsing from the code.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $label:literal;)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(into = "&'static str")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }

            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)* _ => None }
            }

            /// The codes, for messages: «technical, natural_science, …».
            pub fn codes() -> String {
                Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")
            }
        }

        impl From<$name> for &'static str {
            fn from(v: $name) -> Self { v.code() }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.label()) }
        }

        /// From the code, as stored (a pending revision's card is JSON).
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = String::deserialize(d)?;
                $name::parse(&code).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown code «{code}»"))
                })
            }
        }
    };
}

vocabulary! {
    /// The six official directions (направленности) of supplementary education.
    Direction {
        Technical = "technical", "Техническая";
        NaturalScience = "natural_science", "Естественнонаучная";
        Sport = "sport", "Физкультурно-спортивная";
        Art = "art", "Художественная";
        Tourism = "tourism", "Туристско-краеведческая";
        Social = "social", "Социально-гуманитарная";
    }
}

vocabulary! {
    Level {
        Start = "start", "Стартовый";
        Basic = "basic", "Базовый";
        Advanced = "advanced", "Продвинутый";
    }
}

vocabulary! {
    /// How a program is paid for.
    Financing {
        Free = "free", "Бесплатно";
        Certificate = "certificate", "Оплата сертификатом";
        Paid = "paid", "Платно";
    }
}

/// The ways a program may be paid for (one or more of [`Financing`]), stored as codes
/// separated by commas: `certificate,paid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FinancingSet(u8);

impl FinancingSet {
    pub fn of(items: &[Financing]) -> Self {
        Self(items.iter().fold(0, |bits, f| bits | 1 << *f as u8))
    }

    pub fn contains(self, f: Financing) -> bool {
        self.0 & (1 << f as u8) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn items(self) -> Vec<Financing> {
        Financing::ALL
            .iter()
            .copied()
            .filter(|f| self.contains(*f))
            .collect()
    }

    /// The stored form, in the vocabulary's order.
    pub fn encode(self) -> String {
        self.items()
            .iter()
            .map(|f| f.code())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The stored form back; `None` on an unknown code or an empty list.
    pub fn parse_list(raw: &str) -> Option<Self> {
        let items = raw
            .split(',')
            .map(|c| Financing::parse(c.trim()))
            .collect::<Option<Vec<_>>>()?;
        let set = Self::of(&items);
        (!set.is_empty()).then_some(set)
    }

    /// «Бесплатно, оплата сертификатом».
    pub fn labels(self) -> String {
        let labels: Vec<&str> = self.items().iter().map(|f| f.label()).collect();
        labels.join(", ")
    }

    /// The one financing a card shows: a certificate when one pays for it, else paid when
    /// it costs money, else free. (Filters and their counts take the whole set: a program
    /// both certificate-payable and paid is found under «Оплата сертификатом» and «Платно».)
    pub fn primary(self) -> Financing {
        [Financing::Certificate, Financing::Paid]
            .into_iter()
            .find(|f| self.contains(*f))
            .unwrap_or(Financing::Free)
    }

    /// The set as bits, `1 << f as u8` for each financing `f` in it (the search index's and
    /// the static copy's form).
    pub fn bits(self) -> u8 {
        self.0
    }
}

// By hand: the vocabulary macro declares the enums, and a variant cannot carry `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for ProgramType {
    fn default() -> Self {
        ProgramType::General
    }
}

#[allow(clippy::derivable_impls)]
impl Default for StudyForm {
    fn default() -> Self {
        StudyForm::FullTime
    }
}

vocabulary! {
    /// Тип программы.
    ProgramType {
        General = "general", "Общеразвивающая";
        PreProfessional = "preprofessional", "Предпрофессиональная";
        SportTraining = "sport_training", "Спортивной подготовки";
    }
}

vocabulary! {
    /// Форма обучения.
    StudyForm {
        FullTime = "full_time", "Очная";
        Blended = "blended", "Очно-заочная";
        Distance = "distance", "Дистанционная";
    }
}

vocabulary! {
    /// The eight kinds of disability (ОВЗ) a program may be adapted to.
    OvzKind {
        Hearing = "hearing", "Нарушения слуха";
        Vision = "vision", "Нарушения зрения";
        Speech = "speech", "Тяжёлые нарушения речи";
        Musculoskeletal = "musculoskeletal", "Нарушения опорно-двигательного аппарата";
        DelayedDevelopment = "delayed_development", "Задержка психического развития";
        Autism = "autism", "Расстройства аутистического спектра";
        Intellectual = "intellectual", "Интеллектуальные нарушения";
        Complex = "complex", "Сложные (множественные) нарушения";
    }
}

vocabulary! {
    /// Moderation status of a program; only `Published` is public.
    ProgramStatus {
        Draft = "draft", "Черновик";
        Moderation = "moderation", "На модерации";
        NeedsChanges = "needs_changes", "Ожидает правки";
        Published = "published", "Опубликовано";
        Archived = "archived", "Архив";
    }
}

vocabulary! {
    OrgKind {
        Education = "education", "Образовательная организация";
        Culture = "culture", "Организация культуры";
        Sport = "sport", "Организация спорта";
        Private = "private", "Частная организация";
        Entrepreneur = "ip", "Индивидуальный предприниматель";
    }
}

vocabulary! {
    /// The type of an organization by who founded it (тип организации), as the profile
    /// states it; an ИП has a 12-digit ИНН and an ОГРНИП.
    OrgType {
        State = "state", "Государственная";
        Municipal = "municipal", "Муниципальная";
        Private = "private", "Частная";
        Entrepreneur = "ip", "Индивидуальный предприниматель";
    }
}

impl OrgType {
    /// The type an organization of `kind` has until its staff state one (the migration
    /// and the demo catalog use it).
    pub fn of_kind(kind: OrgKind) -> Self {
        match kind {
            OrgKind::Private => OrgType::Private,
            OrgKind::Entrepreneur => OrgType::Entrepreneur,
            _ => OrgType::Municipal,
        }
    }

    /// The kind an organization of `kind` has once its type is `self`: an ИП is always of
    /// the entrepreneurs' kind, and only an ИП is.
    pub fn kind_from(self, kind: OrgKind) -> OrgKind {
        match (self, kind) {
            (OrgType::Entrepreneur, _) => OrgKind::Entrepreneur,
            (OrgType::Private, OrgKind::Entrepreneur) => OrgKind::Private,
            (_, OrgKind::Entrepreneur) => OrgKind::Education,
            (_, kind) => kind,
        }
    }
}

/// One weekly session: a weekday (1 = Monday … 7 = Sunday) and times, optionally only
/// between two dates (a row of `group_sessions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Session {
    pub weekday: u8,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// A group's weekly schedule: its `group_sessions` rows. The text form
/// `1 15:00-16:30; 3 15:00-16:30` is the retired `study_groups.schedule` column's, kept
/// for the test of its migration (migration 0013 splits it in SQL).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Schedule(pub Vec<Session>);

const WEEKDAYS: [&str; 7] = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"];

impl Schedule {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut sessions = Vec::new();
        for part in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let bad =
                || format!("«{part}»: ожидается «день ЧЧ:ММ-ЧЧ:ММ», день от 1 (пн) до 7 (вс)");
            let (day, times) = part.split_once(' ').ok_or_else(bad)?;
            let weekday: u8 = day.parse().map_err(|_| bad())?;
            let (start, end) = times.trim().split_once('-').ok_or_else(bad)?;
            let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
            let (start, end) = (time(start)?, time(end)?);
            if !(1..=7).contains(&weekday) || start >= end {
                return Err(bad());
            }
            sessions.push(Session {
                weekday,
                start,
                end,
                from: None,
                to: None,
            });
        }
        Ok(Self(sessions))
    }

    /// The stored form.
    pub fn encode(&self) -> String {
        self.0
            .iter()
            .map(|s| {
                format!(
                    "{} {}-{}",
                    s.weekday,
                    s.start.format("%H:%M"),
                    s.end.format("%H:%M")
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl fmt::Display for Schedule {
    /// `Пн 15:00–16:30, Ср 15:00–16:30`; a session limited to dates says them:
    /// `Сб 10:00–11:00 (с 01.09.2026 по 31.12.2026)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = crate::time::day;
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|s| {
                let dates = match (s.from, s.to) {
                    (Some(a), Some(b)) => format!(" (с {} по {})", day(a), day(b)),
                    (Some(a), None) => format!(" (с {})", day(a)),
                    (None, Some(b)) => format!(" (по {})", day(b)),
                    (None, None) => String::new(),
                };
                format!(
                    "{} {}–{}{dates}",
                    WEEKDAYS
                        .get(usize::from(s.weekday.max(1) - 1))
                        .unwrap_or(&"?"),
                    s.start.format("%H:%M"),
                    s.end.format("%H:%M")
                )
            })
            .collect();
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_round_trips() {
        for d in Direction::ALL {
            assert_eq!(Direction::parse(d.code()), Some(*d));
        }
        assert_eq!(Direction::parse("magic"), None);
        assert_eq!(Financing::Certificate.label(), "Оплата сертификатом");
        assert_eq!(ProgramStatus::NeedsChanges.label(), "Ожидает правки");
        assert_eq!(OvzKind::ALL.len(), 8);
    }

    #[test]
    fn financing_sets() {
        let both = FinancingSet::parse_list("paid,certificate").unwrap();
        assert_eq!(both.encode(), "certificate,paid");
        assert_eq!(both.primary(), Financing::Certificate);
        assert!(both.contains(Financing::Paid) && both.contains(Financing::Certificate));
        assert_eq!(both.bits(), 0b110);
        assert_eq!(
            FinancingSet::parse_list("free").unwrap().primary(),
            Financing::Free
        );
        assert_eq!(
            FinancingSet::parse_list("paid").unwrap().primary(),
            Financing::Paid
        );
        assert!(FinancingSet::parse_list("").is_none());
        assert!(FinancingSet::parse_list("free,gold").is_none());
        assert_eq!(both.labels(), "Оплата сертификатом, Платно");
    }

    #[test]
    fn schedules() {
        let s = Schedule::parse("1 15:00-16:30; 3 15:00-16:30").unwrap();
        assert_eq!(s.to_string(), "Пн 15:00–16:30, Ср 15:00–16:30");
        assert_eq!(Schedule::parse(&s.encode()).unwrap(), s);
        let mut dated = s.clone();
        dated.0[1].from = NaiveDate::from_ymd_opt(2026, 9, 1);
        dated.0[1].to = NaiveDate::from_ymd_opt(2026, 12, 31);
        assert_eq!(
            dated.to_string(),
            "Пн 15:00–16:30, Ср 15:00–16:30 (с 01.09.2026 по 31.12.2026)"
        );
        for bad in [
            "8 10:00-11:00",
            "1 11:00-10:00",
            "пн 10:00-11:00",
            "1 25:00-26:00",
            "1",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad}");
        }
    }
}

/// A program's published reviews: how many, and their stars summed (kept with the program,
/// see `reviews`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rating {
    pub count: u32,
    pub sum: u32,
}

/// How many reviews' worth of the region's mean a program's rating starts from when
/// sorted: with few reviews it stays near the mean, so one 5 does not beat forty 4.8s.
pub const RATING_PRIOR: f64 = 5.0;

impl Rating {
    /// The mean of the stars; `None` without reviews.
    pub fn average(self) -> Option<f64> {
        (self.count > 0).then(|| f64::from(self.sum) / f64::from(self.count))
    }

    /// The order of «по рейтингу»: the average weighted toward the region's `mean`
    /// (a Bayesian average with [`RATING_PRIOR`] reviews of the mean).
    pub fn weighted(self, mean: f64) -> f64 {
        (RATING_PRIOR * mean + f64::from(self.sum)) / (RATING_PRIOR + f64::from(self.count))
    }

    /// The mean of every review of `ratings` (of a region): 0 without any.
    pub fn mean_of(ratings: impl Iterator<Item = Rating>) -> f64 {
        let (count, sum) = ratings.fold((0u64, 0u64), |(c, s), r| {
            (c + u64::from(r.count), s + u64::from(r.sum))
        });
        if count == 0 {
            0.0
        } else {
            sum as f64 / count as f64
        }
    }
}

#[cfg(test)]
mod rating_tests {
    use super::Rating;

    #[test]
    fn one_five_does_not_beat_forty_high_reviews() {
        let one = Rating { count: 1, sum: 5 };
        let forty = Rating {
            count: 40,
            sum: 192,
        };
        let mean = 4.2;
        assert!(forty.weighted(mean) > one.weighted(mean));
        assert_eq!(one.average(), Some(5.0));
        assert_eq!(Rating::default().average(), None);
        let mean = Rating::mean_of([one, forty, Rating::default()].into_iter());
        assert!((mean - 197.0 / 41.0).abs() < 1e-9);
    }
}
