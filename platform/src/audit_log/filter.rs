//! The audit log's filter form: who (an e-mail or a surname), the action, the object
//! (`program:15`, or `program` for every program), the period (days in the region's zone),
//! and the page (`before`, the id the previous page ended at).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::accounts::history::ACTIONS;
use crate::domain::FieldError;
use crate::time::day_span;

/// The form as typed (GET parameters).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct AuditForm {
    pub who: String,
    pub action: String,
    pub object: String,
    pub from: String,
    pub to: String,
    pub before: String,
}

/// The filter the store applies.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AuditFilter {
    /// An e-mail's part (lower case) or the start of a surname.
    pub who: Option<String>,
    pub action: Option<String>,
    /// `kind:id` exactly, or `kind` for every object of the kind.
    pub object: Option<String>,
    pub from: Option<DateTime<Utc>>,
    /// The first instant after the period.
    pub until: Option<DateTime<Utc>>,
    /// Rows older than this one (the next page).
    pub before: Option<i64>,
}

fn text(raw: &str, max: usize) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.chars().take(max).collect())
}

impl AuditFilter {
    /// The filter of `form`, or every field's problem; days are the region's (`zone`).
    pub fn parse(form: &AuditForm, zone: Tz) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let action = text(&form.action, 64);
        if let Some(a) = &action {
            if !ACTIONS.iter().any(|(code, _)| code == a) {
                errors.push(FieldError::new("action", "Выберите действие из списка"));
            }
        }
        let object = text(&form.object, 64);
        if let Some(o) = &object {
            let (kind, id) = o.split_once(':').unwrap_or((o, ""));
            let kind_ok = !kind.is_empty()
                && kind
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
            if !kind_ok || (o.contains(':') && id.is_empty()) {
                errors.push(FieldError::new(
                    "object",
                    "Объект — вид и номер через двоеточие, например program:15, или только вид: program",
                ));
            }
        }
        let (from, until) = day_span(&form.from, &form.to, zone, &mut errors);
        let before = match form.before.trim() {
            "" => None,
            b => match b.parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    errors.push(FieldError::new(
                        "before",
                        "Неверная ссылка на страницу журнала",
                    ));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            who: text(&form.who, 100).map(|w| w.to_lowercase()),
            action,
            object,
            from,
            until,
            before,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(f: impl FnOnce(&mut AuditForm)) -> AuditForm {
        let mut form = AuditForm::default();
        f(&mut form);
        form
    }

    #[test]
    fn days_are_the_regions_and_the_last_one_is_whole() {
        let zone: Tz = "Europe/Moscow".parse().unwrap();
        let f = AuditFilter::parse(
            &form(|f| {
                f.from = "01.12.2026".into();
                f.to = "2026-12-01".into();
            }),
            zone,
        )
        .unwrap();
        assert_eq!(f.from.unwrap().to_rfc3339(), "2026-11-30T21:00:00+00:00");
        assert_eq!(f.until.unwrap().to_rfc3339(), "2026-12-01T21:00:00+00:00");
    }

    #[test]
    fn each_bad_field_is_named() {
        let zone: Tz = "Europe/Moscow".parse().unwrap();
        let errors = AuditFilter::parse(
            &form(|f| {
                f.action = "drop_table".into();
                f.object = "Program:".into();
                f.from = "31.02.2026".into();
                f.before = "x".into();
            }),
            zone,
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["action", "object", "from", "before"]);
        let reversed = AuditFilter::parse(
            &form(|f| {
                f.from = "02.12.2026".into();
                f.to = "01.12.2026".into();
            }),
            zone,
        )
        .unwrap_err();
        assert_eq!(reversed[0].field, "to");
    }
}
