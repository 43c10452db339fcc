//! The filter of an administrator's table and its export: status, municipality (the
//! regional admin's choice; a municipal admin's own, always), organization, the period the
//! rows were created in (days in the region's zone), and the page (`after`).

use serde::{Deserialize, Serialize};

use crate::accounts::AdminScope;
use crate::domain::FieldError;
use crate::regions::Tenant;
use crate::time::{day_span, to_db};

use super::kinds::Kind;

/// The form as typed (GET parameters).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct ExportForm {
    pub status: String,
    pub municipality: String,
    pub organization: String,
    pub from: String,
    pub to: String,
    pub after: String,
    /// `xlsx` or `csv`, for a download (the button pressed).
    pub format: String,
}

/// What the store applies.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ExportFilter {
    pub status: Option<String>,
    pub municipality: Option<String>,
    pub organization: Option<i64>,
    /// Stored times: from this one on…
    pub from: Option<String>,
    /// …and before this one.
    pub until: Option<String>,
    pub after: i64,
}

/// A refusal of the filter: fields typed wrong, or a municipality outside the admin's.
#[derive(Debug)]
pub enum Refused {
    Fields(Vec<FieldError>),
    OutOfScope,
}

fn blank(raw: &str) -> Option<&str> {
    let t = raw.trim();
    (!t.is_empty()).then_some(t)
}

impl ExportFilter {
    pub fn parse(
        form: &ExportForm,
        kind: Kind,
        scope: &AdminScope,
        tenant: &Tenant,
    ) -> Result<Self, Refused> {
        let mut errors = Vec::new();
        let status = blank(&form.status).map(str::to_owned);
        if let Some(s) = &status {
            if !kind.statuses().iter().any(|(code, _)| code == s) {
                errors.push(FieldError::new("status", "Выберите состояние из списка"));
            }
        }
        let municipality = match (scope.municipality(), blank(&form.municipality)) {
            (Some(own), None) => Some(own.to_owned()),
            (Some(own), Some(asked)) if asked == own => Some(own.to_owned()),
            (Some(_), Some(_)) => return Err(Refused::OutOfScope),
            (None, None) => None,
            (None, Some(asked)) => {
                if tenant.config.municipality(asked).is_none() {
                    errors.push(FieldError::new(
                        "municipality",
                        "Выберите муниципалитет из списка",
                    ));
                }
                Some(asked.to_owned())
            }
        };
        let organization = match blank(&form.organization) {
            None => None,
            Some(t) => match t.parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    errors.push(FieldError::new(
                        "organization",
                        format!("«{t}»: номер организации — целое число"),
                    ));
                    None
                }
            },
        };
        let zone = tenant.config.time_zone;
        let (from, until) = day_span(&form.from, &form.to, zone, &mut errors);
        let after = match blank(&form.after) {
            None => 0,
            Some(t) => t
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .unwrap_or_else(|| {
                    errors.push(FieldError::new("after", "Неверная ссылка на страницу"));
                    0
                }),
        };
        if !errors.is_empty() {
            return Err(Refused::Fields(errors));
        }
        Ok(Self {
            status,
            municipality,
            organization,
            from: from.map(to_db),
            until: until.map(to_db),
            after,
        })
    }

    /// The filter in words, for the audit log of an export.
    pub fn describe(&self, form: &ExportForm) -> String {
        let mut parts = Vec::new();
        if let Some(s) = &self.status {
            parts.push(format!("состояние {s}"));
        }
        if let Some(m) = &self.municipality {
            parts.push(format!("муниципалитет {m}"));
        }
        if let Some(o) = self.organization {
            parts.push(format!("организация {o}"));
        }
        if let Some(f) = blank(&form.from) {
            parts.push(format!("с {f}"));
        }
        if let Some(t) = blank(&form.to) {
            parts.push(format!("по {t}"));
        }
        if parts.is_empty() {
            "без фильтра".into()
        } else {
            parts.join(", ")
        }
    }
}
