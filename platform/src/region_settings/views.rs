//! What the settings pages show: the operator's part of the file read-only, each section's
//! values, the municipalities, the forms' fields with their values and errors, and the
//! profile dictionary by direction.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::model::Direction;
use crate::domain::{group_thousands, FieldError};
use crate::regions::Tenant;

use super::edit::{self, Field, Form, Kind, Section};
use super::service::ProfileUse;

/// One field of a form as the template draws it.
#[derive(Debug, Serialize)]
pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    /// `text`, `email`, `tel`, `textarea`, `checkbox`, `select`.
    pub input: &'static str,
    /// For numbers typed as text (a comma or a space in them is fine): `numeric`, `decimal`.
    pub inputmode: &'static str,
    pub required: bool,
    pub hint: &'static str,
    pub options: Vec<Choice>,
    pub value: String,
    pub error: Option<String>,
    /// Shown, not typed (a municipality's id once it exists).
    pub readonly: bool,
}

#[derive(Debug, Serialize)]
pub struct Choice {
    pub code: &'static str,
    pub label: &'static str,
}

/// The fields of a form with the values to show and the errors against them.
pub fn fields(
    list: &[Field],
    values: &Form,
    errors: &BTreeMap<String, String>,
    readonly: &[&str],
) -> Vec<FieldView> {
    list.iter()
        .map(|f| FieldView {
            name: f.name,
            label: f.label,
            input: match f.kind {
                Kind::Text => "text",
                Kind::Email => "email",
                Kind::Phone => "tel",
                Kind::Long => "textarea",
                Kind::Whole { .. } | Kind::Degrees | Kind::Colour => "text",
                Kind::Flag => "checkbox",
                Kind::Choice(_) => "select",
            },
            inputmode: match f.kind {
                Kind::Whole { .. } => "numeric",
                Kind::Degrees => "decimal",
                _ => "",
            },
            required: f.required && f.kind != Kind::Flag,
            hint: f.hint,
            options: match f.kind {
                Kind::Choice(options) => options
                    .iter()
                    .map(|&(code, label)| Choice { code, label })
                    .collect(),
                _ => Vec::new(),
            },
            value: values.get(f.name).cloned().unwrap_or_default(),
            error: errors.get(f.name).cloned(),
            readonly: readonly.contains(&f.name),
        })
        .collect()
}

/// Errors by field name; `""` holds those about the form as a whole.
pub fn errors_by_field(errors: &[FieldError]) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for e in errors {
        map.entry(e.field.to_owned())
            .and_modify(|m: &mut String| {
                m.push_str("; ");
                m.push_str(&e.message);
            })
            .or_insert_with(|| e.message.clone());
    }
    map
}

/// A label and its value.
#[derive(Debug, Serialize)]
pub struct Entry {
    pub label: &'static str,
    pub value: String,
}

/// A section on the overview: its values and where it is edited.
#[derive(Debug, Serialize)]
pub struct SectionView {
    pub slug: &'static str,
    pub title: &'static str,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Serialize)]
pub struct MunicipalityRow {
    pub id: String,
    pub name: String,
    pub population: String,
    pub center: String,
    pub nominal: String,
    pub budget: String,
}

/// The overview page.
#[derive(Debug, Serialize)]
pub struct Overview {
    /// The operator's part, read-only.
    pub operator: Vec<Entry>,
    pub sections: Vec<SectionView>,
    pub municipalities: Vec<MunicipalityRow>,
}

fn rub(n: u64) -> String {
    format!("{} ₽", group_thousands(n as i64))
}

impl Overview {
    pub fn of(tenant: &Tenant, source: &str) -> Self {
        let c = &tenant.config;
        let operator = vec![
            Entry {
                label: "Идентификатор (slug)",
                value: c.slug.to_string(),
            },
            Entry {
                label: "Код региона",
                value: c.code.to_string(),
            },
            Entry {
                label: "Адреса сайта",
                value: c
                    .hosts
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            Entry {
                label: "Название навигатора",
                value: c.name.clone(),
            },
            Entry {
                label: "Краткое название",
                value: c.short_name.clone(),
            },
            Entry {
                label: "Регион",
                value: c.region_name.clone(),
            },
            Entry {
                label: "Часовой пояс",
                value: c.time_zone.name().to_owned(),
            },
            Entry {
                label: "Адрес поддержки",
                value: c.support_email.to_string(),
            },
            Entry {
                label: "Карта",
                value: format!(
                    "центр {}, {}; масштаб {}",
                    c.map.center.lat, c.map.center.lon, c.map.zoom
                ),
            },
            Entry {
                label: "Логотип",
                value: c
                    .branding
                    .logo
                    .clone()
                    .unwrap_or_else(|| "не задан".to_owned()),
            },
        ];
        let sections = Section::ALL
            .into_iter()
            .map(|s| {
                let values = edit::section_values(source, s);
                SectionView {
                    slug: s.slug(),
                    title: s.title(),
                    entries: s
                        .fields()
                        .iter()
                        .map(|f| Entry {
                            label: f.label,
                            value: shown(f, values.get(f.name).map(String::as_str)),
                        })
                        .collect(),
                }
            })
            .collect();
        let municipalities = c
            .municipalities
            .iter()
            .map(|m| MunicipalityRow {
                id: m.id.to_string(),
                name: m.name.clone(),
                population: group_thousands(i64::from(m.population_5_18)),
                center: format!("{}, {}", m.center.lat, m.center.lon),
                nominal: rub(u64::from(c.nominal_rub(m)))
                    + if m.nominal_rub.is_none() {
                        " (региона)"
                    } else {
                        ""
                    },
                budget: rub(c.budget_rub(m))
                    + if m.budget_rub.is_none() {
                        " (по умолчанию)"
                    } else {
                        ""
                    },
            })
            .collect();
        Self {
            operator,
            sections,
            municipalities,
        }
    }
}

/// A value as the overview shows it.
fn shown(f: &Field, value: Option<&str>) -> String {
    let value = value.unwrap_or("");
    match f.kind {
        Kind::Flag => if value.is_empty() { "нет" } else { "да" }.to_owned(),
        Kind::Choice(options) => options
            .iter()
            .find(|(code, _)| *code == value)
            .map_or(value.to_owned(), |(_, label)| (*label).to_owned()),
        Kind::Long if value.is_empty() => "текст платформы по умолчанию".to_owned(),
        Kind::Long => {
            let chars = value.chars().count();
            let start: String = value.chars().take(120).collect();
            if chars > 120 {
                format!("{start}…")
            } else {
                start
            }
        }
        _ if value.is_empty() => "—".to_owned(),
        _ => value.to_owned(),
    }
}

/// A profile on the dictionary page.
#[derive(Debug, Serialize)]
pub struct ProfileRow {
    pub id: String,
    pub name: String,
    pub programs: i64,
    /// The other profiles of the direction, where its programs may go.
    pub targets: Vec<Target>,
}

#[derive(Debug, Serialize)]
pub struct Target {
    pub id: String,
    pub name: String,
}

/// A direction with its profiles.
#[derive(Debug, Serialize)]
pub struct DirectionView {
    pub code: &'static str,
    pub label: &'static str,
    pub profiles: Vec<ProfileRow>,
}

pub fn dictionary(profiles: &[ProfileUse]) -> Vec<DirectionView> {
    Direction::ALL
        .iter()
        .map(|&d| {
            let of: Vec<&ProfileUse> = profiles
                .iter()
                .filter(|p| p.profile.direction == d)
                .collect();
            DirectionView {
                code: d.code(),
                label: d.label(),
                profiles: of
                    .iter()
                    .map(|p| ProfileRow {
                        id: p.profile.id.clone(),
                        name: p.profile.name.clone(),
                        programs: p.programs,
                        targets: of
                            .iter()
                            .filter(|t| t.profile.id != p.profile.id)
                            .map(|t| Target {
                                id: t.profile.id.clone(),
                                name: t.profile.name.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect()
}
