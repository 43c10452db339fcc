//! A child's lessons: the weekly sessions of the groups they are enrolled in, and which of
//! them fall on the days of a week.

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use crate::catalog::model::Session;
use crate::time::day;

/// One weekly session of an enrolled group, with what a timetable shows of it.
#[derive(Debug, Clone)]
pub struct Lesson {
    pub group_id: i64,
    pub program_id: i64,
    pub program: String,
    pub group: String,
    pub address: String,
    pub teachers: Vec<String>,
    pub session: Session,
    /// Its place in the group's schedule: with the group, what names its event in a feed
    /// (so joining another group does not renumber this one's).
    pub session_no: usize,
    /// The group's study period.
    pub study_from: NaiveDate,
    pub study_to: NaiveDate,
}

impl Lesson {
    /// The first and last day it can take place: the study period, narrowed by the
    /// session's own dates.
    pub fn span(&self) -> (NaiveDate, NaiveDate) {
        let from = self
            .session
            .from
            .map_or(self.study_from, |f| f.max(self.study_from));
        let to = self
            .session
            .to
            .map_or(self.study_to, |t| t.min(self.study_to));
        (from, to)
    }

    /// Whether it takes place on `d`.
    pub fn on(&self, d: NaiveDate) -> bool {
        let (from, to) = self.span();
        d.weekday().number_from_monday() == u32::from(self.session.weekday) && from <= d && d <= to
    }

    /// The first day on or after `from` of its weekday.
    pub fn first_on_or_after(&self, from: NaiveDate) -> NaiveDate {
        let want = u32::from(self.session.weekday);
        let have = from.weekday().number_from_monday();
        from + Days::new(u64::from((want + 7 - have) % 7))
    }
}

/// One lesson on a day, as the cabinet shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// «15:00–16:30».
    pub time: String,
    pub program_id: i64,
    pub program: String,
    pub group: String,
    pub address: String,
}

/// A day of the week with its lessons.
#[derive(Debug, Clone, Serialize)]
pub struct Day {
    /// «Понедельник, 07.12.2026».
    pub label: String,
    pub today: bool,
    pub entries: Vec<Entry>,
}

const WEEKDAYS: [&str; 7] = [
    "Понедельник",
    "Вторник",
    "Среда",
    "Четверг",
    "Пятница",
    "Суббота",
    "Воскресенье",
];

/// The Monday of the week of `d`.
pub fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Days::new(u64::from(d.weekday().num_days_from_monday()))
}

/// The seven days from `monday` with the lessons on each, by start time.
pub fn week(lessons: &[Lesson], monday: NaiveDate, today: NaiveDate) -> Vec<Day> {
    (0..7)
        .map(|i| {
            let d = monday + Days::new(i);
            let mut on: Vec<&Lesson> = lessons.iter().filter(|l| l.on(d)).collect();
            on.sort_by_key(|l| (l.session.start, l.group_id));
            Day {
                label: format!("{}, {}", WEEKDAYS[i as usize], day(d)),
                today: d == today,
                entries: on
                    .into_iter()
                    .map(|l| Entry {
                        time: format!(
                            "{}–{}",
                            l.session.start.format("%H:%M"),
                            l.session.end.format("%H:%M")
                        ),
                        program_id: l.program_id,
                        program: l.program.clone(),
                        group: l.group.clone(),
                        address: l.address.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn lesson(weekday: u8) -> Lesson {
        Lesson {
            group_id: 1,
            program_id: 1,
            program: "Шахматы".into(),
            group: "Группа 1".into(),
            address: "ул. Мира, 1".into(),
            teachers: Vec::new(),
            session: Session {
                weekday,
                start: NaiveTime::from_hms_opt(15, 0, 0).unwrap(),
                end: NaiveTime::from_hms_opt(16, 30, 0).unwrap(),
                from: None,
                to: None,
            },
            session_no: 0,
            study_from: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            study_to: NaiveDate::from_ymd_opt(2027, 5, 31).unwrap(),
        }
    }

    #[test]
    fn a_week_shows_each_lesson_on_its_day_within_the_study_period() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let days = week(&[lesson(2)], monday, monday);
        assert_eq!(days.len(), 7);
        assert!(days[0].today && days[0].entries.is_empty());
        assert_eq!(days[1].label, "Вторник, 01.12.2026");
        assert_eq!(days[1].entries[0].time, "15:00–16:30");
        // Before the study period: nothing.
        let august = NaiveDate::from_ymd_opt(2026, 8, 24).unwrap();
        assert!(week(&[lesson(2)], august, august)
            .iter()
            .all(|d| d.entries.is_empty()));
        assert_eq!(
            monday_of(NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()),
            monday
        );
        // The first Tuesday on or after a Thursday is the next week's.
        let thursday = NaiveDate::from_ymd_opt(2026, 9, 3).unwrap();
        assert_eq!(
            lesson(2).first_on_or_after(thursday),
            NaiveDate::from_ymd_opt(2026, 9, 8).unwrap()
        );
    }
}
