//! The period a dashboard covers: two dates typed in the filter, both inclusive. Without
//! them, the current school year (1 September – 31 August), the span the region plans and
//! reports by.

use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::domain::FieldError;
use crate::service_error::ServiceError;
use crate::time::to_db;

/// The filter as typed (`ГГГГ-ММ-ДД` from a date input, or `ДД.ММ.ГГГГ`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PeriodForm {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Years a stored time can hold and a person means: outside them a date is a typo.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

fn date(raw: &str, what: &str) -> Result<NaiveDate, String> {
    let d = crate::groups::service::date(raw, what)?;
    if YEARS.contains(&d.year()) {
        Ok(d)
    } else {
        Err(format!(
            "«{}»: {what} — год от {} до {}",
            raw.trim(),
            YEARS.start(),
            YEARS.end()
        ))
    }
}

impl Period {
    /// The school year `today` falls in.
    pub fn school_year(today: NaiveDate) -> Self {
        let start = if today.month() >= 9 {
            today.year()
        } else {
            today.year() - 1
        };
        Self {
            from: NaiveDate::from_ymd_opt(start, 9, 1).unwrap_or(today),
            to: NaiveDate::from_ymd_opt(start + 1, 8, 31).unwrap_or(today),
        }
    }

    /// The typed filter; an empty field takes the school year's bound. Every problem is
    /// named by its field.
    pub fn parse(form: &PeriodForm, today: NaiveDate) -> Result<Self, ServiceError> {
        let default = Self::school_year(today);
        let mut errors = Vec::new();
        let mut bound = |raw: &str, field: &'static str, what: &str, fallback: NaiveDate| {
            if raw.trim().is_empty() {
                return Some(fallback);
            }
            match date(raw, what) {
                Ok(d) => Some(d),
                Err(m) => {
                    errors.push(FieldError::new(field, m));
                    None
                }
            }
        };
        let from = bound(&form.from, "from", "начало периода", default.from);
        let to = bound(&form.to, "to", "конец периода", default.to);
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                errors.push(FieldError::new(
                    "to",
                    "конец периода раньше его начала: укажите дату не раньше начала",
                ));
            } else {
                return Ok(Self { from, to });
            }
        }
        Err(ServiceError::Invalid(errors))
    }

    /// The first moment of the period in the region's zone, as stored (UTC).
    pub fn starts(&self, zone: Tz) -> String {
        midnight(self.from, zone)
    }

    /// The first moment after the period, as stored: times are compared `< ends`.
    pub fn ends(&self, zone: Tz) -> String {
        midnight(self.to.succ_opt().unwrap_or(self.to), zone)
    }

    /// The financing periods (calendar years) the period touches.
    pub fn years(&self) -> std::ops::RangeInclusive<i32> {
        self.from.year()..=self.to.year()
    }

    /// Billing months the period touches, `YYYY-MM`, first and last.
    pub fn months(&self) -> (String, String) {
        (
            self.from.format("%Y-%m").to_string(),
            self.to.format("%Y-%m").to_string(),
        )
    }

    /// The day children's ages are counted on: the period's last day, or today while
    /// the period goes on.
    pub fn age_day(&self, today: NaiveDate) -> NaiveDate {
        self.to.min(today).max(self.from)
    }

    /// For a page and a file name: `01.09.2026–31.08.2027`.
    pub fn shown(&self) -> String {
        format!(
            "{}–{}",
            crate::time::day(self.from),
            crate::time::day(self.to)
        )
    }

    /// The filter that gives this period back (links to the other dashboards, exports).
    pub fn form(&self) -> PeriodForm {
        PeriodForm {
            from: self.from.to_string(),
            to: self.to.to_string(),
        }
    }
}

fn midnight(d: NaiveDate, zone: Tz) -> String {
    let local = d.and_time(NaiveTime::MIN);
    let t = zone
        .from_local_datetime(&local)
        .earliest()
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&chrono::Utc));
    to_db(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn form(from: &str, to: &str) -> PeriodForm {
        PeriodForm {
            from: from.into(),
            to: to.into(),
        }
    }

    fn fields(e: ServiceError) -> Vec<&'static str> {
        match e {
            ServiceError::Invalid(errors) => errors.iter().map(|e| e.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_default_is_the_school_year_and_bad_dates_name_their_field() {
        let today = d("2026-12-02");
        let year = Period::parse(&form("", ""), today).unwrap();
        assert_eq!((year.from, year.to), (d("2026-09-01"), d("2027-08-31")));
        assert_eq!(Period::school_year(d("2027-08-31")).from, d("2026-09-01"));
        let typed = Period::parse(&form("01.10.2026", "2026-10-31"), today).unwrap();
        assert_eq!((typed.from, typed.to), (d("2026-10-01"), d("2026-10-31")));
        assert_eq!(typed.shown(), "01.10.2026–31.10.2026");
        assert_eq!(
            fields(Period::parse(&form("вчера", "32.13.2026"), today).unwrap_err()),
            ["from", "to"]
        );
        assert_eq!(
            fields(Period::parse(&form("2026-10-02", "2026-10-01"), today).unwrap_err()),
            ["to"]
        );
        assert_eq!(
            fields(Period::parse(&form("0001-01-01", ""), today).unwrap_err()),
            ["from"]
        );
        // Smolensk's midnight is 21:00 UTC the day before.
        let moscow: Tz = "Europe/Moscow".parse().unwrap();
        assert_eq!(typed.starts(moscow), "2026-09-30T21:00:00.000000Z");
        assert_eq!(typed.ends(moscow), "2026-10-31T21:00:00.000000Z");
        assert_eq!(typed.age_day(today), d("2026-10-31"));
        assert_eq!(year.age_day(today), today);
    }
}
