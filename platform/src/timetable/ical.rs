//! A child's timetable as an iCalendar feed (RFC 5545): one weekly event per session of an
//! enrolled group, `RRULE:FREQ=WEEKLY` from the first lesson to the end of the study
//! period, in the region's time zone (a `VTIMEZONE` with its offset: Russian zones keep
//! one all year).

use chrono::{DateTime, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::week::Lesson;

const BYDAY: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// Text as a property value: backslashes, separators and line breaks escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded at 75 octets (never inside a character), with CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn local(d: NaiveDate, t: NaiveTime) -> String {
    d.and_time(t).format("%Y%m%dT%H%M%S").to_string()
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// «+0300».
fn offset(zone: Tz, at: DateTime<Utc>) -> String {
    let seconds = zone
        .offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

/// What the feed is of.
pub struct Feed<'a> {
    /// «Расписание: Миша».
    pub name: &'a str,
    pub zone: Tz,
    /// The region's host: the events' UIDs are unique under it.
    pub host: &'a str,
    pub child_id: i64,
    pub lessons: &'a [Lesson],
    pub now: DateTime<Utc>,
}

pub fn calendar(f: &Feed<'_>) -> String {
    let mut out = String::new();
    let tz = f.zone.name();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Навигатор дополнительного образования детей//Расписание//RU",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        line(&mut out, l);
    }
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(f.name)));
    line(&mut out, &format!("X-WR-TIMEZONE:{tz}"));
    let off = offset(f.zone, f.now);
    for l in [
        "BEGIN:VTIMEZONE".to_owned(),
        format!("TZID:{tz}"),
        "BEGIN:STANDARD".to_owned(),
        "DTSTART:19700101T000000".to_owned(),
        format!("TZOFFSETFROM:{off}"),
        format!("TZOFFSETTO:{off}"),
        "END:STANDARD".to_owned(),
        "END:VTIMEZONE".to_owned(),
    ] {
        line(&mut out, &l);
    }
    for l in f.lessons {
        let (from, to) = l.span();
        let first = l.first_on_or_after(from);
        if first > to {
            continue;
        }
        // UNTIL is in UTC when DTSTART names a zone (RFC 5545, 3.3.10): the last day's end.
        let last = to.and_hms_opt(23, 59, 59).expect("a valid time");
        let until = f
            .zone
            .from_local_datetime(&last)
            .earliest()
            .map_or_else(|| last.and_utc(), |t| t.to_utc());
        let weekday = BYDAY[usize::from(l.session.weekday.clamp(1, 7) - 1)];
        line(&mut out, "BEGIN:VEVENT");
        line(
            &mut out,
            &format!(
                "UID:child{}-group{}-session{}@{}",
                f.child_id, l.group_id, l.session_no, f.host
            ),
        );
        line(&mut out, &format!("DTSTAMP:{}", utc(f.now)));
        line(
            &mut out,
            &format!("DTSTART;TZID={tz}:{}", local(first, l.session.start)),
        );
        line(
            &mut out,
            &format!("DTEND;TZID={tz}:{}", local(first, l.session.end)),
        );
        line(
            &mut out,
            &format!("RRULE:FREQ=WEEKLY;BYDAY={weekday};UNTIL={}", utc(until)),
        );
        line(
            &mut out,
            &format!(
                "SUMMARY:{}",
                escape(&format!("{} — {}", l.program, l.group))
            ),
        );
        line(&mut out, &format!("LOCATION:{}", escape(&l.address)));
        if !l.teachers.is_empty() {
            let teachers = format!("Педагог: {}", l.teachers.join(", "));
            line(&mut out, &format!("DESCRIPTION:{}", escape(&teachers)));
        }
        line(
            &mut out,
            &format!("URL:https://{}/programs/{}", f.host, l.program_id),
        );
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::Session;

    #[test]
    fn a_weekly_lesson_is_one_event_with_a_rule_ending_with_the_study_period() {
        let lesson = Lesson {
            group_id: 7,
            program_id: 3,
            program: "Шахматный клуб «Ладья»".into(),
            group: "Группа 1".into(),
            address: "ул. Мира, д. 1; 2 этаж".into(),
            teachers: vec!["Иванова Мария Петровна".into()],
            session: Session {
                weekday: 2,
                start: NaiveTime::from_hms_opt(15, 0, 0).unwrap(),
                end: NaiveTime::from_hms_opt(16, 30, 0).unwrap(),
                from: None,
                to: None,
            },
            session_no: 0,
            study_from: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            study_to: NaiveDate::from_ymd_opt(2027, 5, 31).unwrap(),
        };
        let now = DateTime::parse_from_rfc3339("2026-12-04T10:00:00Z")
            .unwrap()
            .to_utc();
        let ics = calendar(&Feed {
            name: "Расписание: Миша",
            zone: chrono_tz::Europe::Moscow,
            host: "p67.навигатор.дети",
            child_id: 5,
            lessons: &[lesson],
            now,
        });
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("TZOFFSETTO:+0300\r\n"));
        // 1 September 2026 is a Tuesday: the first lesson.
        assert!(ics.contains("DTSTART;TZID=Europe/Moscow:20260901T150000\r\n"));
        assert!(ics.contains("DTEND;TZID=Europe/Moscow:20260901T163000\r\n"));
        // The end of 31 May 2027 in Moscow is 20:59:59 UTC.
        assert!(ics.contains("RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20270531T205959Z\r\n"));
        assert!(ics.contains("LOCATION:ул. Мира\\, д. 1\\; 2 этаж"));
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "folded: {l}");
        }
    }
}
