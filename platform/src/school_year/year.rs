//! The arithmetic of «Новый учебный год»: which school year a date belongs to, and a date
//! one year on.

use chrono::{Datelike, Months, NaiveDate};

/// A school year, by its first calendar year: `StudyYear(2027)` is «2027/28».
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct StudyYear(pub i32);

/// The month a school year is taken to begin in. Classes begin on 1 September, but groups
/// often start in the last days of August, while the summer's groups (June, July) still
/// close the year before.
const FIRST_MONTH: u32 = 8;

impl StudyYear {
    /// The school year `d` falls in.
    pub fn of(d: NaiveDate) -> Self {
        if d.month() >= FIRST_MONTH {
            Self(d.year())
        } else {
            Self(d.year() - 1)
        }
    }

    /// The school year programs are copied into: the one the copied groups begin in
    /// (`first_start`, already moved on a year), or, for a program without groups, the
    /// one after today's.
    pub fn for_copy(first_start: Option<NaiveDate>, today: NaiveDate) -> Self {
        first_start.map_or(Self(Self::of(today).0 + 1), Self::of)
    }

    /// «2027/28».
    pub fn label(self) -> String {
        format!("{}/{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }
}

/// The same day a year later; 29 February becomes 28 February (the last day of that
/// month), so a period's end stays the last day of its month and no order is broken (the
/// shift never moves a later date before an earlier one). `None` past the calendar's end.
pub fn year_on(d: NaiveDate) -> Option<NaiveDate> {
    d.checked_add_months(Months::new(12))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_year_on_keeps_the_day_except_29_february() {
        assert_eq!(year_on(d(2026, 9, 1)), Some(d(2027, 9, 1)));
        assert_eq!(year_on(d(2028, 2, 29)), Some(d(2029, 2, 28)));
        assert_eq!(year_on(d(2027, 2, 28)), Some(d(2028, 2, 28)));
        assert_eq!(year_on(d(2027, 12, 31)), Some(d(2028, 12, 31)));
        // Order is kept: the two ends of a period through 29 February.
        assert!(year_on(d(2028, 2, 28)) <= year_on(d(2028, 2, 29)));
        assert_eq!(year_on(NaiveDate::MAX), None);
    }

    #[test]
    fn school_years_begin_in_august() {
        assert_eq!(StudyYear::of(d(2026, 9, 1)).label(), "2026/27");
        assert_eq!(StudyYear::of(d(2026, 8, 25)).label(), "2026/27");
        assert_eq!(StudyYear::of(d(2027, 5, 31)).label(), "2026/27");
        assert_eq!(StudyYear::of(d(2027, 7, 1)).label(), "2026/27");
        assert_eq!(StudyYear(2099).label(), "2099/00");
        assert_eq!(
            StudyYear::for_copy(Some(d(2027, 9, 1)), d(2026, 5, 1)),
            StudyYear(2027)
        );
        assert_eq!(StudyYear::for_copy(None, d(2026, 5, 1)), StudyYear(2026));
        assert_eq!(StudyYear::for_copy(None, d(2026, 10, 1)), StudyYear(2027));
    }
}
