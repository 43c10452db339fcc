//! The region's file edited from a form: the stored TOML source is changed in place with
//! `toml_edit` (the operator's comments and layout stay), then the new text goes through
//! the same parser and validation as `navigator tenant apply` (`RegionConfig::parse`).
//! Each problem's field path (`coordinator.phone`, `municipalities[3].name`) is turned back
//! into the form field it came from, so every error shows next to its field.
//!
//! Only what the regional admin owns is written here: coordinator, documents, certificate
//! policy, moderation, branding colours and the municipalities. The slug, code, hosts,
//! names, time zone, support address, map and logo stay the operator's.

use std::collections::BTreeMap;

use tenants::{ConfigError, RegionConfig};
use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike, Value};

/// What a form sent: field name → value (a check box that is not ticked is absent).
pub type Form = BTreeMap<String, String>;

/// One wrong thing, under the form field it is about; `""` is the form as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub field: &'static str,
    pub message: String,
}

/// A section of the settings that one form edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Coordinator,
    Documents,
    Certificates,
    Moderation,
    Branding,
}

/// How a field is typed in and written to the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Email,
    Phone,
    /// Paragraphs (a document).
    Long,
    /// A whole number up to `max` (the type the file's field has).
    Whole {
        max: u64,
    },
    /// Degrees of latitude or longitude.
    Degrees,
    Flag,
    /// One of the codes (code, label).
    Choice(&'static [(&'static str, &'static str)]),
    /// `#rrggbb`.
    Colour,
}

/// A field of a settings form: its name (the key in the file), its label and hint.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub hint: &'static str,
}

const fn field(name: &'static str, label: &'static str, kind: Kind, required: bool) -> Field {
    Field {
        name,
        label,
        kind,
        required,
        hint: "",
    }
}

const fn hinted(field: Field, hint: &'static str) -> Field {
    Field { hint, ..field }
}

const AGE: Kind = Kind::Whole {
    max: u8::MAX as u64,
};
const ROUBLES: Kind = Kind::Whole {
    max: u32::MAX as u64,
};

const COORDINATOR: &[Field] = &[
    field("organization", "Организация", Kind::Text, true),
    field("person", "Контактное лицо", Kind::Text, false),
    hinted(
        field("phone", "Телефон", Kind::Phone, true),
        "Например, +7 (4812) 00-00-67",
    ),
    field("email", "Электронная почта", Kind::Email, true),
    field("address", "Адрес", Kind::Text, true),
    hinted(
        field("hours", "Часы работы", Kind::Text, false),
        "Например, пн–пт, 9:00–18:00",
    ),
];

const DOCUMENTS: &[Field] = &[
    hinted(
        field(
            "privacy_policy",
            "Политика обработки персональных данных",
            Kind::Long,
            false,
        ),
        "Пусто — показывается текст платформы по умолчанию",
    ),
    hinted(
        field(
            "user_agreement",
            "Пользовательское соглашение",
            Kind::Long,
            false,
        ),
        "Пусто — показывается текст платформы по умолчанию",
    ),
];

const CERTIFICATES: &[Field] = &[
    field(
        "enabled",
        "Сертификаты дополнительного образования выдаются",
        Kind::Flag,
        false,
    ),
    field("min_age", "Возраст детей от, лет", AGE, true),
    field("max_age", "Возраст детей до, лет", AGE, true),
    hinted(
        field(
            "self_registration_age",
            "Возраст самостоятельной регистрации, лет",
            AGE,
            true,
        ),
        "С этого возраста ребёнок может зарегистрироваться и подать заявку без родителя",
    ),
    hinted(
        field(
            "nominal_rub",
            "Номинал сертификата на год, ₽",
            ROUBLES,
            true,
        ),
        "Муниципалитет может установить свой номинал",
    ),
];

const MODERATION: &[Field] = &[field(
    "moderation",
    "Кто публикует программы организаций",
    Kind::Choice(&[
        ("municipal", "Администратор муниципалитета организации"),
        ("regional", "Только региональный администратор"),
    ]),
    true,
)];

const BRANDING: &[Field] = &[
    hinted(
        field("primary_color", "Основной цвет", Kind::Colour, true),
        "В виде #rrggbb, например #9b1c31",
    ),
    hinted(
        field("accent_color", "Акцентный цвет", Kind::Colour, true),
        "В виде #rrggbb, например #e0a526",
    ),
];

/// The fields of a municipality's form; `id` is typed only when one is added.
pub const MUNICIPALITY: &[Field] = &[
    hinted(
        field("id", "Идентификатор", Kind::Text, true),
        "Латиницей, например velizhsky; потом не меняется",
    ),
    field("name", "Название", Kind::Text, true),
    hinted(
        field(
            "population_5_18",
            "Число детей 5–18 лет",
            Kind::Whole {
                max: u32::MAX as u64,
            },
            true,
        ),
        "Знаменатель охвата",
    ),
    hinted(
        field("lat", "Центр: широта", Kind::Degrees, true),
        "Например, 54.7826",
    ),
    hinted(
        field("lon", "Центр: долгота", Kind::Degrees, true),
        "Например, 32.0453",
    ),
    hinted(
        field("nominal_rub", "Номинал сертификата, ₽", ROUBLES, false),
        "Пусто — номинал региона",
    ),
    hinted(
        field(
            "budget_rub",
            "Бюджет сертификатов на год, ₽",
            // Written as kopecks in an i64 column.
            Kind::Whole {
                max: (i64::MAX / 100) as u64,
            },
            false,
        ),
        "Пусто — номинал на четверть детей муниципалитета",
    ),
];

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Coordinator,
        Section::Documents,
        Section::Certificates,
        Section::Moderation,
        Section::Branding,
    ];

    /// Its part of the address, `/admin/settings/{slug}`.
    pub fn slug(self) -> &'static str {
        match self {
            Section::Coordinator => "coordinator",
            Section::Documents => "documents",
            Section::Certificates => "certificates",
            Section::Moderation => "moderation",
            Section::Branding => "branding",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.slug() == slug)
    }

    pub fn title(self) -> &'static str {
        match self {
            Section::Coordinator => "Региональный координатор",
            Section::Documents => "Документы",
            Section::Certificates => "Сертификаты",
            Section::Moderation => "Модерация программ",
            Section::Branding => "Оформление",
        }
    }

    pub fn fields(self) -> &'static [Field] {
        match self {
            Section::Coordinator => COORDINATOR,
            Section::Documents => DOCUMENTS,
            Section::Certificates => CERTIFICATES,
            Section::Moderation => MODERATION,
            Section::Branding => BRANDING,
        }
    }

    /// The file's table the section's keys are in; `None`: the top level.
    fn table(self) -> Option<&'static str> {
        match self {
            Section::Coordinator => Some("coordinator"),
            Section::Documents => Some("documents"),
            Section::Certificates => Some("certificates"),
            Section::Moderation => None,
            Section::Branding => Some("branding"),
        }
    }
}

/// What a municipality edit does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MunicipalityEdit<'a> {
    Add,
    Change(&'a str),
    Remove(&'a str),
}

/// A valid edited file.
#[derive(Debug, Clone)]
pub struct Edited {
    pub source: String,
    pub config: RegionConfig,
    /// The keys whose values changed (for the audit log).
    pub changed: Vec<&'static str>,
}

/// The section's current values as its form shows them.
pub fn section_values(source: &str, section: Section) -> Form {
    let Ok(doc) = source.parse::<DocumentMut>() else {
        return Form::new();
    };
    let table: Option<&dyn TableLike> = match section.table() {
        Some(name) => doc.get(name).and_then(Item::as_table_like),
        None => Some(doc.as_table()),
    };
    let mut form = Form::new();
    if let Some(table) = table {
        for f in section.fields() {
            if let Some(v) = table.get(f.name).and_then(Item::as_value) {
                form.insert(f.name.to_owned(), shown(v, f.kind));
            }
        }
    }
    form
}

/// A municipality's current values as its form shows them.
pub fn municipality_values(source: &str, id: &str) -> Option<Form> {
    let doc = source.parse::<DocumentMut>().ok()?;
    let aot = doc.get("municipalities")?.as_array_of_tables()?;
    let table = aot
        .iter()
        .find(|t| t.get("id").and_then(Item::as_str) == Some(id))?;
    let mut form = Form::new();
    for f in MUNICIPALITY {
        let value = match f.name {
            "lat" | "lon" => table
                .get("center")
                .and_then(Item::as_table_like)
                .and_then(|c| c.get(f.name))
                .and_then(Item::as_value),
            name => table.get(name).and_then(Item::as_value),
        };
        if let Some(v) = value {
            form.insert(f.name.to_owned(), shown(v, f.kind));
        }
    }
    Some(form)
}

fn shown(v: &Value, kind: Kind) -> String {
    match (v, kind) {
        (Value::Boolean(b), _) => if *b.value() { "on" } else { "" }.to_owned(),
        (Value::String(s), _) => s.value().clone(),
        (Value::Integer(i), _) => i.value().to_string(),
        (Value::Float(f), _) => f.value().to_string(),
        (other, _) => other.to_string().trim().to_owned(),
    }
}

/// Writes a section's form into the file and validates the result.
pub fn edit_section(
    source: &str,
    file: &str,
    section: Section,
    form: &Form,
) -> Result<Edited, Vec<FormError>> {
    let mut doc = document(source)?;
    let mut errors = Vec::new();
    let mut changed = Vec::new();
    {
        let table: &mut dyn TableLike = match section.table() {
            Some(name) => {
                if doc.get(name).and_then(Item::as_table_like).is_none() {
                    doc.insert(name, Item::Table(Table::new()));
                }
                doc.get_mut(name)
                    .and_then(Item::as_table_like_mut)
                    .expect("just made a table")
            }
            None => doc.as_table_mut(),
        };
        for f in section.fields() {
            write_field(table, f, f.name, form, &mut errors, &mut changed);
        }
    }
    finish(doc, file, errors, changed, &|path| {
        section_field(section, path)
    })
}

/// Adds, changes or removes a municipality and validates the result.
pub fn edit_municipality(
    source: &str,
    file: &str,
    edit: MunicipalityEdit<'_>,
    form: &Form,
) -> Result<Edited, Vec<FormError>> {
    let mut doc = document(source)?;
    if doc.get("municipalities").is_none() {
        doc.insert("municipalities", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let Some(aot) = doc
        .get_mut("municipalities")
        .and_then(Item::as_array_of_tables_mut)
    else {
        return Err(vec![FormError {
            field: "",
            message: "муниципалитеты в файле региона записаны не таблицами [[municipalities]]: \
                      их меняет оператор платформы"
                .into(),
        }]);
    };
    let position = |aot: &ArrayOfTables, id: &str| {
        aot.iter()
            .position(|t| t.get("id").and_then(Item::as_str) == Some(id))
    };
    let mut errors = Vec::new();
    let mut changed = Vec::new();
    match edit {
        MunicipalityEdit::Remove(id) => {
            let at = position(aot, id).ok_or_else(not_found)?;
            aot.remove(at);
            changed.push("municipalities");
        }
        MunicipalityEdit::Add | MunicipalityEdit::Change(_) => {
            let at = match edit {
                MunicipalityEdit::Change(id) => position(aot, id).ok_or_else(not_found)?,
                _ => {
                    aot.push(Table::new());
                    aot.len() - 1
                }
            };
            let table = aot.get_mut(at).expect("position found");
            for f in MUNICIPALITY {
                match f.name {
                    "id" if edit != MunicipalityEdit::Add => {}
                    "lat" | "lon" => {}
                    _ => write_field(table, f, f.name, form, &mut errors, &mut changed),
                }
            }
            write_center(table, form, &mut errors, &mut changed);
        }
    }
    finish(doc, file, errors, changed, &municipality_field)
}

fn not_found() -> Vec<FormError> {
    vec![FormError {
        field: "",
        message: "такого муниципалитета в регионе нет".into(),
    }]
}

fn document(source: &str) -> Result<DocumentMut, Vec<FormError>> {
    source.parse::<DocumentMut>().map_err(|e| {
        vec![FormError {
            field: "",
            message: format!("сохранённый файл региона не читается: {e}"),
        }]
    })
}

/// Validates the edited document; every problem is put under its form field.
fn finish(
    doc: DocumentMut,
    file: &str,
    mut errors: Vec<FormError>,
    changed: Vec<&'static str>,
    field_of: &dyn Fn(&str) -> Option<&'static str>,
) -> Result<Edited, Vec<FormError>> {
    if !errors.is_empty() {
        return Err(errors);
    }
    let source = doc.to_string();
    match RegionConfig::parse(file, &source) {
        Ok(config) => Ok(Edited {
            source,
            config,
            changed,
        }),
        Err(ConfigError { problems, .. }) => {
            for p in problems {
                match field_of(&p.field) {
                    Some(field) => push(&mut errors, field, p.message),
                    None if p.field.is_empty() => push(&mut errors, "", p.message),
                    None => push(&mut errors, "", format!("{}: {}", p.field, p.message)),
                }
            }
            Err(errors)
        }
    }
}

/// One message per field: a second one about the same field is added to the first.
fn push(errors: &mut Vec<FormError>, field: &'static str, message: String) {
    match errors.iter_mut().find(|e| e.field == field) {
        Some(e) => {
            e.message.push_str("; ");
            e.message.push_str(&message);
        }
        None => errors.push(FormError { field, message }),
    }
}

/// The field of a section's form a problem's path (`coordinator.phone`) is about.
fn section_field(section: Section, path: &str) -> Option<&'static str> {
    let key = match section.table() {
        Some(table) => path.strip_prefix(table)?.strip_prefix('.')?,
        None => path,
    };
    section
        .fields()
        .iter()
        .find(|f| f.name == key)
        .map(|f| f.name)
}

/// The field of the municipality form a problem's path (`municipalities[3].center`) is
/// about. Whichever municipality the path names, the edit caused it: the stored file was
/// valid (a duplicate name is reported at the later of the two).
fn municipality_field(path: &str) -> Option<&'static str> {
    let rest = path.strip_prefix("municipalities[")?;
    let (index, key) = rest.split_once("].")?;
    index.parse::<usize>().ok()?;
    let key = if key == "center" { "lat" } else { key };
    MUNICIPALITY.iter().find(|f| f.name == key).map(|f| f.name)
}

/// Writes one field's value (or removes an empty optional one), keeping the comment and
/// spacing around the old value.
fn write_field(
    table: &mut dyn TableLike,
    f: &Field,
    key: &'static str,
    form: &Form,
    errors: &mut Vec<FormError>,
    changed: &mut Vec<&'static str>,
) {
    let raw = form.get(f.name).map(String::as_str).unwrap_or("");
    let new = match parse_field(f, raw) {
        Ok(v) => v,
        Err(message) => {
            push(errors, f.name, message);
            return;
        }
    };
    set(table, key, new, changed);
}

/// The value a field's text stands for: `None` removes the key.
fn parse_field(f: &Field, raw: &str) -> Result<Option<Value>, String> {
    if f.kind == Kind::Flag {
        return Ok(Some(Value::from(!raw.trim().is_empty())));
    }
    let text = match f.kind {
        // Paragraphs keep their line breaks, in the file's one form.
        Kind::Long => raw.replace("\r\n", "\n").trim().to_owned(),
        _ => raw.trim().to_owned(),
    };
    if text.is_empty() {
        return match (f.required, f.kind) {
            (false, _) => Ok(None),
            // The file's own check says what an empty text is («не заполнено»).
            (true, Kind::Text | Kind::Email | Kind::Phone | Kind::Colour | Kind::Long) => {
                Ok(Some(Value::from(text)))
            }
            (true, _) => Err("не заполнено".into()),
        };
    }
    match f.kind {
        Kind::Whole { max } => {
            let digits: String = text
                .chars()
                .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
                .collect();
            let n: u64 = digits
                .parse()
                .map_err(|_| format!("«{text}»: введите целое неотрицательное число"))?;
            if n > max {
                return Err(format!("не больше {max}"));
            }
            Ok(Some(Value::from(n as i64)))
        }
        Kind::Degrees => {
            let n: f64 = text
                .replace(',', ".")
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| format!("«{text}»: введите число градусов, например 54.78"))?;
            Ok(Some(Value::from(n)))
        }
        Kind::Choice(options) => options
            .iter()
            .find(|(code, _)| *code == text)
            .map(|_| Some(Value::from(text.clone())))
            .ok_or_else(|| "выберите один из вариантов".to_owned()),
        _ => Ok(Some(Value::from(text))),
    }
}

/// Sets `key` to `new` keeping the old value's comment and spacing; `None` removes it.
fn set(
    table: &mut dyn TableLike,
    key: &'static str,
    new: Option<Value>,
    changed: &mut Vec<&'static str>,
) {
    let old = table.get(key).and_then(Item::as_value).map(same_form);
    if old == new.as_ref().map(same_form) {
        return;
    }
    changed.push(key);
    match (new, table.get_mut(key).and_then(Item::as_value_mut)) {
        (None, _) => {
            table.remove(key);
        }
        (Some(mut new), Some(old)) => {
            *new.decor_mut() = old.decor().clone();
            *old = new;
        }
        (Some(new), None) => {
            table.insert(key, Item::Value(new));
        }
    }
}

/// A value in a form that compares by what it means, not how it was written.
fn same_form(v: &Value) -> String {
    match v {
        Value::String(s) => format!("s:{}", s.value()),
        Value::Integer(i) => format!("i:{}", i.value()),
        Value::Float(f) => format!("f:{}", f.value()),
        Value::Boolean(b) => format!("b:{}", b.value()),
        other => other.to_string().trim().to_owned(),
    }
}

/// `center = { lat = …, lon = … }` from the form's two fields.
fn write_center(
    table: &mut Table,
    form: &Form,
    errors: &mut Vec<FormError>,
    changed: &mut Vec<&'static str>,
) {
    let mut point = Vec::new();
    for f in MUNICIPALITY
        .iter()
        .filter(|f| matches!(f.name, "lat" | "lon"))
    {
        match parse_field(f, form.get(f.name).map(String::as_str).unwrap_or("")) {
            Ok(Some(Value::Float(v))) => point.push(*v.value()),
            Ok(_) => {}
            Err(message) => push(errors, f.name, message),
        }
    }
    let [lat, lon] = point[..] else {
        return;
    };
    if let Some(center) = table.get_mut("center").and_then(Item::as_table_like_mut) {
        let before = changed.len();
        set(center, "lat", Some(Value::from(lat)), changed);
        set(center, "lon", Some(Value::from(lon)), changed);
        if changed.len() > before {
            changed.truncate(before);
            changed.push("center");
        }
        return;
    }
    let mut inline = InlineTable::new();
    inline.insert("lat", Value::from(lat));
    inline.insert("lon", Value::from(lon));
    table.insert("center", Item::Value(Value::InlineTable(inline)));
    changed.push("center");
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r##"# Тестовая область: комментарий оператора.
slug = "test"
code = 77
name = "Навигатор Тестовой области"
short_name = "Навигатор77"
region_name = "Тестовая область"
hosts = ["p77.example.ru"]
time_zone = "Europe/Moscow"
support_email = "support@example.ru"

[coordinator]
organization = "РМЦ"
phone = "+7 (4812) 00-00-67" # рабочий
email = "rmc@example.ru"
address = "г. Тестовск"

[map]
center = { lat = 54.85, lon = 33.10 }
zoom = 7

[branding]
primary_color = "#9b1c31"
accent_color = "#e0a526"
logo = "logos/test.svg"

[certificates]
enabled = true
min_age = 5
max_age = 18
self_registration_age = 14
nominal_rub = 5000

# Городские округа
[[municipalities]]
id = "gorod"
name = "город Тестовск"
population_5_18 = 40000
center = { lat = 54.78, lon = 32.04 }

[[municipalities]]
id = "rayon"
name = "Тестовский район"
population_5_18 = 5000
center = { lat = 55.1, lon = 33.2 }
nominal_rub = 5500
"##;

    fn form(pairs: &[(&str, &str)]) -> Form {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn coordinator(phone: &str, email: &str) -> Form {
        form(&[
            ("organization", "РМЦ"),
            ("phone", phone),
            ("email", email),
            ("address", "г. Тестовск"),
        ])
    }

    #[test]
    fn a_section_changes_in_place_keeping_comments() {
        let edited = edit_section(
            SOURCE,
            "t",
            Section::Coordinator,
            &coordinator("+7 (4812) 11-22-33", "rmc@example.ru"),
        )
        .unwrap();
        assert_eq!(edited.changed, vec!["phone"]);
        assert_eq!(edited.config.coordinator.phone.as_e164(), "+74812112233");
        assert!(edited
            .source
            .contains("phone = \"+7 (4812) 11-22-33\" # рабочий"));
        assert!(edited
            .source
            .starts_with("# Тестовая область: комментарий оператора."));
        assert!(edited
            .source
            .contains("# Городские округа\n[[municipalities]]"));
    }

    #[test]
    fn the_same_values_change_nothing() {
        let edited = edit_section(
            SOURCE,
            "t",
            Section::Coordinator,
            &section_values(SOURCE, Section::Coordinator),
        )
        .unwrap();
        assert!(edited.changed.is_empty());
        assert_eq!(edited.source, SOURCE);
    }

    #[test]
    fn every_problem_lands_on_its_field() {
        let errors = edit_section(
            SOURCE,
            "t",
            Section::Coordinator,
            &coordinator("12", "not-an-address"),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["phone", "email"]);

        let mut f = section_values(SOURCE, Section::Certificates);
        f.insert("min_age".into(), "12".into());
        f.insert("max_age".into(), "10".into());
        let errors = edit_section(SOURCE, "t", Section::Certificates, &f).unwrap_err();
        assert!(errors.iter().any(|e| e.field == "max_age"), "{errors:?}");

        f.insert("min_age".into(), "пять".into());
        let errors = edit_section(SOURCE, "t", Section::Certificates, &f).unwrap_err();
        assert_eq!(errors[0].field, "min_age");

        let errors = edit_section(
            SOURCE,
            "t",
            Section::Branding,
            &form(&[("primary_color", "red"), ("accent_color", "#e0a526")]),
        )
        .unwrap_err();
        assert_eq!(errors[0].field, "primary_color");
    }

    #[test]
    fn documents_are_added_as_a_table_and_removed_when_emptied() {
        let edited = edit_section(
            SOURCE,
            "t",
            Section::Documents,
            &form(&[("privacy_policy", "Первый абзац.\r\n\r\nВторой абзац.")]),
        )
        .unwrap();
        assert_eq!(
            edited.config.documents.privacy_policy.as_deref(),
            Some("Первый абзац.\n\nВторой абзац.")
        );
        let again = edit_section(&edited.source, "t", Section::Documents, &Form::new()).unwrap();
        assert_eq!(again.config.documents.privacy_policy, None);
    }

    #[test]
    fn municipalities_are_added_changed_and_removed() {
        let new = form(&[
            ("id", "novy"),
            ("name", "Новый район"),
            ("population_5_18", "1 200"),
            ("lat", "55,5"),
            ("lon", "33.5"),
            ("budget_rub", "100000"),
        ]);
        let added = edit_municipality(SOURCE, "t", MunicipalityEdit::Add, &new).unwrap();
        let m = added.config.municipality("novy").unwrap();
        assert_eq!((m.population_5_18, m.center.lat), (1200, 55.5));
        assert_eq!(m.budget_rub, Some(100_000));
        assert!(added.source.starts_with(&SOURCE[..SOURCE.len() - 1]));

        let mut same_name = new.clone();
        same_name.insert("id".into(), "drugoy".into());
        same_name.insert("name".into(), "город Тестовск".into());
        let errors = edit_municipality(SOURCE, "t", MunicipalityEdit::Add, &same_name).unwrap_err();
        assert_eq!(errors[0].field, "name");
        let mut same_id = new.clone();
        same_id.insert("id".into(), "gorod".into());
        let errors = edit_municipality(SOURCE, "t", MunicipalityEdit::Add, &same_id).unwrap_err();
        assert_eq!(errors[0].field, "id");

        let mut values = municipality_values(SOURCE, "rayon").unwrap();
        assert_eq!(values["nominal_rub"], "5500");
        values.remove("nominal_rub");
        values.insert("lat".into(), "95".into());
        let errors =
            edit_municipality(SOURCE, "t", MunicipalityEdit::Change("rayon"), &values).unwrap_err();
        assert_eq!(errors[0].field, "lat");
        values.insert("lat".into(), "55.2".into());
        let changed =
            edit_municipality(SOURCE, "t", MunicipalityEdit::Change("rayon"), &values).unwrap();
        assert_eq!(changed.changed, vec!["nominal_rub", "center"]);
        assert_eq!(
            changed.config.municipality("rayon").unwrap().nominal_rub,
            None
        );

        let removed =
            edit_municipality(SOURCE, "t", MunicipalityEdit::Remove("gorod"), &Form::new())
                .unwrap();
        assert_eq!(removed.config.municipalities.len(), 1);
        let errors = edit_municipality(
            &removed.source,
            "t",
            MunicipalityEdit::Remove("rayon"),
            &Form::new(),
        )
        .unwrap_err();
        assert_eq!(errors[0].field, "");
    }
}
