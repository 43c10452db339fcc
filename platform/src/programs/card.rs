//! The program card as an organization authors it — the fields of the incumbent navigators
//! and of the federal exchange model (ЕАИС ДО): names, texts, classification, ages, length,
//! form, ОВЗ, financing, group sizes. [`CardForm`] is the form as typed; [`Card`] is built
//! from it only by [`Card::parse`], which reports every wrong field at once, each under
//! its form name. Texts are plain (no HTML): paragraphs are blank lines, shown escaped.

use serde::{Deserialize, Serialize};

use crate::catalog::model::{
    Direction, Financing, FinancingSet, Level, OvzKind, ProgramType, StudyForm,
};
use crate::catalog::store::Profile;
use crate::domain::{plain_text, AgeRange, FieldError};
use crate::service_error::FieldCheck;

/// A valid program card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub title: String,
    pub short_title: String,
    pub announce: String,
    pub description: String,
    pub goals: String,
    pub results: String,
    pub direction: Direction,
    pub profile_id: String,
    pub level: Level,
    pub program_type: ProgramType,
    pub age_min: u8,
    pub age_max: u8,
    pub duration_months: i64,
    pub hours: i64,
    pub study_form: StudyForm,
    pub ovz_kinds: Vec<OvzKind>,
    pub financing: Vec<Financing>,
    pub group_min: i64,
    pub group_max: i64,
}

/// The card's form as typed (every value a string; the multiple choices as lists).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CardForm {
    pub title: String,
    pub short_title: String,
    pub announce: String,
    pub description: String,
    pub goals: String,
    pub results: String,
    pub direction: String,
    pub profile_id: String,
    pub level: String,
    pub program_type: String,
    pub age_min: String,
    pub age_max: String,
    pub duration_months: String,
    pub hours: String,
    pub study_form: String,
    pub ovz_kinds: Vec<String>,
    pub financing: Vec<String>,
    pub group_min: String,
    pub group_max: String,
}

/// Each field of the card: its form name and the label the form and the diff show.
pub const FIELDS: &[(&str, &str)] = &[
    ("title", "Полное название"),
    ("short_title", "Краткое название"),
    ("announce", "Краткое описание"),
    ("description", "Подробное описание"),
    ("goals", "Цели"),
    ("results", "Ожидаемые результаты"),
    ("direction", "Направленность"),
    ("profile_id", "Профиль"),
    ("level", "Уровень"),
    ("program_type", "Тип программы"),
    ("age_min", "Возраст от"),
    ("age_max", "Возраст до"),
    ("duration_months", "Продолжительность, месяцев"),
    ("hours", "Объём, академических часов"),
    ("study_form", "Форма обучения"),
    ("ovz_kinds", "Адаптирована для детей с ОВЗ"),
    ("financing", "Финансирование"),
    ("group_min", "Детей в группе, не менее"),
    ("group_max", "Детей в группе, не более"),
];

/// The label of a field, for the history and the diff.
pub fn label_of(field: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|(name, _)| *name == field)
        .map_or("", |(_, label)| label)
}

impl CardForm {
    /// The form from its submitted pairs: the multiple choices repeat their name
    /// (`financing=free&financing=paid`), which a struct decoder cannot take.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            let v = v.clone();
            match k.as_str() {
                "title" => f.title = v,
                "short_title" => f.short_title = v,
                "announce" => f.announce = v,
                "description" => f.description = v,
                "goals" => f.goals = v,
                "results" => f.results = v,
                "direction" => f.direction = v,
                "profile_id" => f.profile_id = v,
                "level" => f.level = v,
                "program_type" => f.program_type = v,
                "age_min" => f.age_min = v,
                "age_max" => f.age_max = v,
                "duration_months" => f.duration_months = v,
                "hours" => f.hours = v,
                "study_form" => f.study_form = v,
                "ovz_kinds" => f.ovz_kinds.push(v),
                "financing" => f.financing.push(v),
                "group_min" => f.group_min = v,
                "group_max" => f.group_max = v,
                _ => {}
            }
        }
        f
    }
}

impl From<&Card> for CardForm {
    fn from(c: &Card) -> Self {
        Self {
            title: c.title.clone(),
            short_title: c.short_title.clone(),
            announce: c.announce.clone(),
            description: c.description.clone(),
            goals: c.goals.clone(),
            results: c.results.clone(),
            direction: c.direction.code().to_owned(),
            profile_id: c.profile_id.clone(),
            level: c.level.code().to_owned(),
            program_type: c.program_type.code().to_owned(),
            age_min: c.age_min.to_string(),
            age_max: c.age_max.to_string(),
            duration_months: c.duration_months.to_string(),
            hours: c.hours.to_string(),
            study_form: c.study_form.code().to_owned(),
            ovz_kinds: c.ovz_kinds.iter().map(|k| k.code().to_owned()).collect(),
            financing: c.financing.iter().map(|f| f.code().to_owned()).collect(),
            group_min: c.group_min.to_string(),
            group_max: c.group_max.to_string(),
        }
    }
}

/// A required plain text: trimmed, at most `max` characters, no control characters (line
/// breaks only where `paragraphs`), and no HTML markup (the portal shows text as typed).
fn text(raw: &str, max: usize, paragraphs: bool) -> Result<String, String> {
    let t = raw.trim().replace("\r\n", "\n");
    if t.is_empty() {
        return Err("не заполнено".into());
    }
    plain_text(&t, max)?;
    if !paragraphs && t.contains(['\n', '\r', '\t']) {
        return Err("одной строкой, без переносов".into());
    }
    if looks_like_markup(&t) {
        return Err("пишите обычным текстом, без HTML-разметки (теги вида <p>)".into());
    }
    Ok(t)
}

/// `<p>`, `</b>`, `<!--`, `<br/>`: a tag, as opposed to «возраст < 10 лет».
fn looks_like_markup(t: &str) -> bool {
    t.match_indices('<').any(|(i, _)| {
        let next = t[i + 1..].chars().next();
        next.is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!')
    })
}

fn number(raw: &str, min: i64, max: i64) -> Result<i64, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err("не заполнено".into());
    }
    match t.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        Ok(_) => Err(format!("от {min} до {max}")),
        Err(_) => Err(format!("«{}»: укажите целое число", short(t))),
    }
}

fn short(t: &str) -> String {
    t.chars().take(30).collect()
}

fn choice<T: Copy>(raw: &str, parse: fn(&str) -> Option<T>, what: &str) -> Result<T, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(format!("выберите {what}"));
    }
    parse(t).ok_or_else(|| format!("«{}»: выберите {what} из списка", short(t)))
}

impl Card {
    /// Checks every field against the rules and the region's profiles.
    pub fn parse(form: &CardForm, profiles: &[Profile]) -> Result<Card, Vec<FieldError>> {
        let mut c = FieldCheck::default();
        let title = c.field("title", text(&form.title, 300, false));
        let short_title = c.field("short_title", text(&form.short_title, 100, false));
        let announce = c.field("announce", text(&form.announce, 500, true));
        let description = c.field("description", text(&form.description, 10_000, true));
        let goals = c.field("goals", text(&form.goals, 3_000, true));
        let results = c.field("results", text(&form.results, 3_000, true));
        let direction = c.field(
            "direction",
            choice(&form.direction, Direction::parse, "направленность"),
        );
        let profile_id = c.field(
            "profile_id",
            match profiles.iter().find(|p| p.id == form.profile_id.trim()) {
                None if form.profile_id.trim().is_empty() => Err("выберите профиль".into()),
                None => Err("выберите профиль из списка региона".into()),
                Some(p) if direction.is_some_and(|d| d != p.direction) => Err(format!(
                    "профиль «{}» относится к другой направленности",
                    p.name
                )),
                Some(p) => Ok(p.id.clone()),
            },
        );
        let level = c.field("level", choice(&form.level, Level::parse, "уровень"));
        let program_type = c.field(
            "program_type",
            choice(&form.program_type, ProgramType::parse, "тип программы"),
        );
        let age_min = c.field("age_min", number(&form.age_min, 0, 18));
        let age_max = c.field("age_max", number(&form.age_max, 0, 18));
        let ages = match (age_min, age_max) {
            (Some(min), Some(max)) => c.field("age_max", AgeRange::new(min as u8, max as u8)),
            _ => None,
        };
        let duration_months = c.field("duration_months", number(&form.duration_months, 1, 120));
        let hours = c.field("hours", number(&form.hours, 1, 10_000));
        let study_form = c.field(
            "study_form",
            choice(&form.study_form, StudyForm::parse, "форму обучения"),
        );
        let ovz_kinds = c.field(
            "ovz_kinds",
            form.ovz_kinds
                .iter()
                .map(|k| OvzKind::parse(k.trim()).ok_or_else(|| "выберите из списка".to_owned()))
                .collect::<Result<Vec<_>, _>>()
                .map(|mut kinds| {
                    kinds.sort();
                    kinds.dedup();
                    kinds
                }),
        );
        let financing = c.field(
            "financing",
            form.financing
                .iter()
                .map(|f| Financing::parse(f.trim()).ok_or_else(|| "выберите из списка".to_owned()))
                .collect::<Result<Vec<_>, _>>()
                .and_then(|items| {
                    match FinancingSet::of(&items) {
                    set if set.is_empty() => {
                        Err("выберите хотя бы один способ: бесплатно, сертификат или платно"
                            .to_owned())
                    }
                    set if set.contains(Financing::Free) && set.items().len() > 1 => Err(
                        "бесплатная программа не может быть одновременно платной или по сертификату"
                            .to_owned(),
                    ),
                    set => Ok(set.items()),
                }
                }),
        );
        let group_min = c.field("group_min", number(&form.group_min, 1, 100));
        let group_max = c.field("group_max", number(&form.group_max, 1, 100));
        if let (Some(min), Some(max)) = (group_min, group_max) {
            if min > max {
                c.field::<()>("group_max", Err(format!("меньше, чем «не менее» ({min})")));
            }
        }
        // The summary above the form lists messages alone: each names its field.
        let errors: Vec<FieldError> =
            c.0.into_iter()
                .map(|e| {
                    let message = format!("{}: {}", label_of(e.field), e.message);
                    FieldError::new(e.field, message)
                })
                .collect();
        match (
            title,
            short_title,
            announce,
            description,
            goals,
            results,
            direction,
            profile_id,
            level,
            program_type,
            ages,
            duration_months,
            hours,
            study_form,
            ovz_kinds,
            financing,
            group_min,
            group_max,
        ) {
            (
                Some(title),
                Some(short_title),
                Some(announce),
                Some(description),
                Some(goals),
                Some(results),
                Some(direction),
                Some(profile_id),
                Some(level),
                Some(program_type),
                Some(ages),
                Some(duration_months),
                Some(hours),
                Some(study_form),
                Some(ovz_kinds),
                Some(financing),
                Some(group_min),
                Some(group_max),
            ) if errors.is_empty() => Ok(Card {
                title,
                short_title,
                announce,
                description,
                goals,
                results,
                direction,
                profile_id,
                level,
                program_type,
                age_min: ages.min(),
                age_max: ages.max(),
                duration_months,
                hours,
                study_form,
                ovz_kinds,
                financing,
                group_min,
                group_max,
            }),
            _ => Err(errors),
        }
    }

    pub fn financing_set(&self) -> FinancingSet {
        FinancingSet::of(&self.financing)
    }

    /// Each field as the diff and the history show it, in the form's order.
    pub fn shown(&self, profiles: &[Profile]) -> Vec<(&'static str, String)> {
        let profile = profiles
            .iter()
            .find(|p| p.id == self.profile_id)
            .map_or(self.profile_id.clone(), |p| p.name.clone());
        let list = |labels: Vec<&str>| {
            if labels.is_empty() {
                "нет".to_owned()
            } else {
                labels.join(", ")
            }
        };
        vec![
            ("title", self.title.clone()),
            ("short_title", self.short_title.clone()),
            ("announce", self.announce.clone()),
            ("description", self.description.clone()),
            ("goals", self.goals.clone()),
            ("results", self.results.clone()),
            ("direction", self.direction.label().to_owned()),
            ("profile_id", profile),
            ("level", self.level.label().to_owned()),
            ("program_type", self.program_type.label().to_owned()),
            ("age_min", self.age_min.to_string()),
            ("age_max", self.age_max.to_string()),
            ("duration_months", self.duration_months.to_string()),
            ("hours", self.hours.to_string()),
            ("study_form", self.study_form.label().to_owned()),
            (
                "ovz_kinds",
                list(self.ovz_kinds.iter().map(|k| k.label()).collect()),
            ),
            ("financing", self.financing_set().labels()),
            ("group_min", self.group_min.to_string()),
            ("group_max", self.group_max.to_string()),
        ]
    }
}

/// One field that differs between two cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub label: &'static str,
    /// `None` when there is no published version to compare with.
    pub before: Option<String>,
    pub after: String,
}

/// The fields `after` changes against `before` (every field when nothing is published).
pub fn diff(before: Option<&Card>, after: &Card, profiles: &[Profile]) -> Vec<FieldChange> {
    let old = before.map(|c| c.shown(profiles));
    after
        .shown(profiles)
        .into_iter()
        .enumerate()
        .filter_map(|(i, (field, value))| {
            let previous = old.as_ref().map(|o| o[i].1.clone());
            (previous.as_ref() != Some(&value)).then(|| FieldChange {
                field,
                label: label_of(field),
                before: previous,
                after: value,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles() -> Vec<Profile> {
        vec![
            Profile {
                id: "robotics".into(),
                direction: Direction::Technical,
                name: "Робототехника".into(),
            },
            Profile {
                id: "chess".into(),
                direction: Direction::Sport,
                name: "Шахматы".into(),
            },
        ]
    }

    pub fn form() -> CardForm {
        CardForm {
            title: "Робототехника для начинающих".into(),
            short_title: "Робототехника".into(),
            announce: "Собираем и программируем роботов.".into(),
            description: "Первый абзац.\r\n\r\nВторой абзац: возраст < 10 лет.".into(),
            goals: "Интерес к технике.".into(),
            results: "Ребёнок соберёт робота.".into(),
            direction: "technical".into(),
            profile_id: "robotics".into(),
            level: "start".into(),
            program_type: "general".into(),
            age_min: "7".into(),
            age_max: "11".into(),
            duration_months: "9".into(),
            hours: "72".into(),
            study_form: "full_time".into(),
            ovz_kinds: vec!["speech".into(), "hearing".into()],
            financing: vec!["paid".into(), "certificate".into()],
            group_min: "5".into(),
            group_max: "12".into(),
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_card_parses_and_round_trips_through_its_form() {
        let card = Card::parse(&form(), &profiles()).unwrap();
        assert_eq!(
            card.description,
            "Первый абзац.\n\nВторой абзац: возраст < 10 лет."
        );
        assert_eq!(card.ovz_kinds, vec![OvzKind::Hearing, OvzKind::Speech]);
        assert_eq!(
            card.financing,
            vec![Financing::Certificate, Financing::Paid]
        );
        assert_eq!(
            Card::parse(&CardForm::from(&card), &profiles()).unwrap(),
            card
        );
    }

    #[test]
    fn every_wrong_field_is_named() {
        let mut f = form();
        f.title = "<b>Робототехника</b>".into();
        f.short_title = "Робо\nтехника".into();
        f.goals = "цели\u{0}".into();
        f.results = " ".into();
        f.profile_id = "chess".into();
        f.age_min = "12".into();
        f.age_max = "7".into();
        f.hours = "много".into();
        f.financing = vec!["free".into(), "paid".into()];
        f.group_min = "10".into();
        f.group_max = "5".into();
        f.level = "expert".into();
        let errors = Card::parse(&f, &profiles()).unwrap_err();
        assert_eq!(
            fields(&errors),
            vec![
                "title",
                "short_title",
                "goals",
                "results",
                "profile_id",
                "level",
                "age_max",
                "hours",
                "financing",
                "group_max"
            ]
        );
        let none = CardForm::default();
        let errors = Card::parse(&none, &profiles()).unwrap_err();
        assert!(fields(&errors).contains(&"financing"));
        assert!(!fields(&errors).contains(&"ovz_kinds"), "ОВЗ is optional");
    }

    #[test]
    fn the_diff_lists_changed_fields_only() {
        let before = Card::parse(&form(), &profiles()).unwrap();
        let mut f = form();
        f.title = "Робототехника. Второй год".into();
        f.ovz_kinds.clear();
        let after = Card::parse(&f, &profiles()).unwrap();
        let changes = diff(Some(&before), &after, &profiles());
        assert_eq!(
            changes.iter().map(|c| c.field).collect::<Vec<_>>(),
            vec!["title", "ovz_kinds"]
        );
        assert_eq!(
            changes[1].before.as_deref(),
            Some("Нарушения слуха, Тяжёлые нарушения речи")
        );
        assert_eq!(changes[1].after, "нет");
        assert_eq!(diff(None, &after, &profiles()).len(), FIELDS.len());
    }
}
