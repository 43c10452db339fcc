//! Time: the one clock every rule reads, and how times are stored.
//!
//! Times are stored as UTC text of one fixed width (`2026-11-21T22:15:00.123456Z`), which
//! sorts correctly as text on SQLite and PostgreSQL alike and reads well in either shell.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, Utc};
use chrono_tz::Tz;

/// The clock of a server process. It reads the system clock, shifted by an offset that is
/// zero in production; a test moves it to the day a rule is about (`set`) and time goes on
/// from there, so links expire and sessions age as they would. Clones share the offset:
/// the services of one process all read the same time.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Nanoseconds: a coarser unit would truncate, and a set clock could read a moment
    /// before the time it was set to.
    offset_nanos: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + TimeDelta::nanoseconds(self.offset_nanos.load(Ordering::Relaxed))
    }

    /// From now on this clock reads `t`, and goes on from there.
    pub fn set(&self, t: DateTime<Utc>) {
        let offset = (t - Utc::now()).num_nanoseconds().unwrap_or(0);
        self.offset_nanos.store(offset, Ordering::Relaxed);
    }

    /// Today's date in `zone` (a region's day turns at its own midnight).
    pub fn today_in(&self, zone: Tz) -> NaiveDate {
        self.now().with_timezone(&zone).date_naive()
    }
}

pub fn to_db(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A date as people read it: `01.09.2026`.
pub fn day(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// A day typed as `ДД.ММ.ГГГГ` (as people type it) or `ГГГГ-ММ-ДД` (as date inputs send it).
pub fn parse_day(raw: &str) -> Option<NaiveDate> {
    let t = raw.trim();
    NaiveDate::parse_from_str(t, "%d.%m.%Y")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
        .ok()
}

/// A period typed as two dates, both inclusive and either left empty (the filters of the
/// audit log and the exports): the instants it spans in `zone`, `from <= t < until`. A date
/// that is not one, or an end before the start, goes to `errors` under its field (`from`,
/// `to`).
pub fn day_span(
    from: &str,
    to: &str,
    zone: Tz,
    errors: &mut Vec<crate::domain::FieldError>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let mut day = |raw: &str, field: &'static str| {
        let t = raw.trim();
        if t.is_empty() {
            return None;
        }
        let d = parse_day(t);
        if d.is_none() {
            errors.push(crate::domain::FieldError::new(
                field,
                format!("«{t}»: укажите дату в формате ДД.ММ.ГГГГ"),
            ));
        }
        d
    };
    let (first, last) = (day(from, "from"), day(to, "to"));
    if let (Some(f), Some(l)) = (first, last) {
        if f > l {
            errors.push(crate::domain::FieldError::new(
                "to",
                "Конец периода раньше его начала",
            ));
        }
    }
    (
        first.map(|d| start_of_day(d, zone)),
        last.and_then(|d| d.succ_opt())
            .map(|d| start_of_day(d, zone)),
    )
}

/// The instant day `d` begins in `zone` (the first one, on a day that begins twice; the
/// zone's first instant of the day, on one whose midnight is skipped).
pub fn start_of_day(d: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = d.and_hms_opt(0, 0, 0).expect("midnight exists");
    match midnight.and_local_timezone(zone) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.to_utc(),
        chrono::LocalResult::None => (midnight + chrono::Duration::hours(1))
            .and_local_timezone(zone)
            .earliest()
            .map_or_else(|| midnight.and_utc(), |t| t.to_utc()),
    }
}

/// A stored date (`2026-09-01`) as people read it; text that is not one comes back as it is.
pub fn day_shown(stored: &str) -> String {
    NaiveDate::parse_from_str(stored, "%Y-%m-%d").map_or_else(|_| stored.to_owned(), day)
}

/// The day of a stored time in the region's zone, as people read it: `02.12.2026`. Text
/// that is not a stored time comes back as it is.
pub fn day_in(stored: &str, zone: Tz) -> String {
    DateTime::parse_from_rfc3339(stored).map_or_else(
        |_| stored.to_owned(),
        |t| day(t.with_timezone(&zone).date_naive()),
    )
}

/// The time of day in `zone` and the zone as Russia names it, against Moscow:
/// `("21:50", "МСК+4")` in Krasnoyarsk, `("17:50", "МСК")` in Smolensk.
pub fn clock_in(now: DateTime<Utc>, zone: Tz) -> (String, String) {
    use chrono::Offset;
    let local = now.with_timezone(&zone);
    let hours = (local.offset().fix().local_minus_utc() - 3 * 3600) / 3600;
    let name = if hours == 0 {
        "МСК".to_owned()
    } else {
        format!("МСК{hours:+}")
    };
    (local.format("%H:%M").to_string(), name)
}

/// A stored time as people read it in the region: `02.12.2026 08:15` in `zone`. Text that
/// is not a stored time comes back as it is.
pub fn shown_in(stored: &str, zone: Tz) -> String {
    DateTime::parse_from_rfc3339(stored).map_or_else(
        |_| stored.to_owned(),
        |t| t.with_timezone(&zone).format("%d.%m.%Y %H:%M").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zone_is_named_against_moscow() {
        let now = DateTime::parse_from_rfc3339("2026-12-04T14:50:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            clock_in(now, chrono_tz::Europe::Moscow),
            ("17:50".into(), "МСК".into())
        );
        assert_eq!(
            clock_in(now, chrono_tz::Asia::Krasnoyarsk),
            ("21:50".into(), "МСК+4".into())
        );
        assert_eq!(
            clock_in(now, chrono_tz::Europe::Kaliningrad),
            ("16:50".into(), "МСК-1".into())
        );
    }

    #[test]
    fn a_set_clock_reads_the_set_time_and_goes_on() {
        let clock = Clock::system();
        let t = DateTime::parse_from_rfc3339("2027-12-31T21:00:01Z")
            .unwrap()
            .with_timezone(&Utc);
        clock.set(t);
        let read = clock.now();
        assert!(read >= t && read - t < TimeDelta::seconds(5), "{read}");
        // Moscow is three hours ahead: its New Year has come.
        let moscow: Tz = "Europe/Moscow".parse().unwrap();
        assert_eq!(
            clock.today_in(moscow),
            NaiveDate::from_ymd_opt(2028, 1, 1).unwrap()
        );
        assert_eq!(
            shown_in("2027-12-31T21:00:01.000000Z", moscow),
            "01.01.2028 00:00"
        );
        assert_eq!(shown_in("вчера", moscow), "вчера");
        assert_eq!(
            clock.today_in(chrono_tz::UTC),
            NaiveDate::from_ymd_opt(2027, 12, 31).unwrap()
        );
    }
}
