//! The region config file (`tenants/regions/*.toml`): one file describes one region.
//!
//! Parsing is two steps. `serde` reads the file into `raw` structs of plain types, which
//! catches syntax errors, unknown and missing keys; then `validate` turns them into a
//! [`RegionConfig`] of domain types, collecting *every* problem with the path of its field,
//! so an operator fixes a file in one pass instead of one error per run.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::host::Host;
use crate::values::{Color, Email, LatLon, Phone, Slug};

/// A validated region.
#[derive(Debug, Clone, Serialize)]
pub struct RegionConfig {
    pub slug: Slug,
    /// Two-digit region code (67 for Smolensk oblast); prefixes certificate numbers.
    pub code: u8,
    /// «Навигатор дополнительного образования Смоленской области».
    pub name: String,
    pub short_name: String,
    /// «Смоленская область».
    pub region_name: String,
    pub hosts: Vec<Host>,
    #[serde(serialize_with = "serialize_tz")]
    pub time_zone: Tz,
    pub support_email: Email,
    pub coordinator: Coordinator,
    pub map: MapView,
    pub branding: Branding,
    pub certificates: CertificatePolicy,
    pub municipalities: Vec<Municipality>,
    /// The region's own texts; the platform's default ones are shown where absent.
    pub documents: Documents,
    /// Who publishes the organizations' programs.
    pub moderation: Moderation,
    /// When families' reviews appear.
    pub reviews: ReviewPolicy,
}

/// When a family's review of a program appears (`reviews = "pre-moderation" |
/// "post-moderation"`): after a moderator approves it (the default), or at once, a
/// moderator hiding it afterwards with a reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewPolicy {
    #[default]
    PreModeration,
    PostModeration,
}

impl ReviewPolicy {
    fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "pre-moderation" => Ok(Self::PreModeration),
            "post-moderation" => Ok(Self::PostModeration),
            other => Err(format!(
                "«{other}»: допустимы «pre-moderation» (отзыв виден после проверки) и \
                 «post-moderation» (виден сразу, модератор может скрыть)"
            )),
        }
    }
}

/// Who moderates programs (`moderation = "municipal" | "regional"`): the admin of the
/// organization's municipality (the default; the regional admin may act everywhere too),
/// or the regional admins alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Moderation {
    #[default]
    Municipal,
    Regional,
}

impl Moderation {
    fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "municipal" => Ok(Self::Municipal),
            "regional" => Ok(Self::Regional),
            other => Err(format!(
                "«{other}»: допустимы «municipal» (муниципалитет организации) и «regional» (регион)"
            )),
        }
    }
}

/// Legal texts shown on `/privacy` and `/terms` and linked from the registration form.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Documents {
    pub privacy_policy: Option<String>,
    pub user_agreement: Option<String>,
}

fn serialize_tz<S: serde::Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(tz.name())
}

/// Whom people call: the regional coordinator, or a municipality's administrators.
#[derive(Debug, Clone, Serialize)]
pub struct Coordinator {
    pub organization: String,
    pub person: Option<String>,
    pub phone: Phone,
    pub email: Email,
    pub address: String,
    pub hours: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MapView {
    pub center: LatLon,
    pub zoom: u8,
}

/// The box a region's places lie in: the map's centre and every municipality's centre,
/// widened by [`Bounds::MARGIN`] degrees on each side (the config names centres, not
/// borders, and a district reaches past its centre).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bounds {
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

impl Bounds {
    pub const MARGIN: f64 = 0.75;

    pub fn contains(&self, p: LatLon) -> bool {
        (self.south..=self.north).contains(&p.lat) && (self.west..=self.east).contains(&p.lon)
    }
}

impl RegionConfig {
    /// Where the region's places of study may lie.
    pub fn bounds(&self) -> Bounds {
        let points =
            std::iter::once(self.map.center).chain(self.municipalities.iter().map(|m| m.center));
        let mut b = Bounds {
            south: f64::MAX,
            west: f64::MAX,
            north: f64::MIN,
            east: f64::MIN,
        };
        for p in points {
            b.south = b.south.min(p.lat);
            b.north = b.north.max(p.lat);
            b.west = b.west.min(p.lon);
            b.east = b.east.max(p.lon);
        }
        Bounds {
            south: (b.south - Bounds::MARGIN).max(-90.0),
            west: (b.west - Bounds::MARGIN).max(-180.0),
            north: (b.north + Bounds::MARGIN).min(90.0),
            east: (b.east + Bounds::MARGIN).min(180.0),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Branding {
    pub primary_color: Color,
    pub accent_color: Color,
    /// Path of the logo relative to the config file, as written there.
    pub logo: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificatePolicy {
    pub enabled: bool,
    pub min_age: u8,
    pub max_age: u8,
    /// From this age a child may register and apply without a parent.
    pub self_registration_age: u8,
    /// Default yearly nominal, in roubles; a municipality may set its own.
    pub nominal_rub: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Municipality {
    pub id: Slug,
    pub name: String,
    /// Children aged 5–18 living there (the denominator of охват).
    pub population_5_18: u32,
    pub center: LatLon,
    pub nominal_rub: Option<u32>,
    /// The yearly budget for certificates in roubles; by default, the nominal for a quarter
    /// of the children (`budget_rub` below).
    pub budget_rub: Option<u64>,
    /// The municipal administrators families call (the education department), shown on
    /// «Помощь»; optional, checked like the coordinator's.
    pub contact: Option<Coordinator>,
}

impl RegionConfig {
    /// Parses and validates the text of a region file. `file` names it in messages.
    pub fn parse(file: &str, text: &str) -> Result<Self, ConfigError> {
        let raw: raw::RegionFile = toml::from_str(text).map_err(|e| ConfigError {
            file: file.to_owned(),
            problems: vec![toml_problem(text, &e)],
        })?;
        validate(raw).map_err(|problems| ConfigError {
            file: file.to_owned(),
            problems,
        })
    }

    pub fn municipality(&self, id: &str) -> Option<&Municipality> {
        self.municipalities.iter().find(|m| m.id.as_str() == id)
    }

    /// The yearly nominal of a municipality in roubles (its own, or the region's default).
    pub fn nominal_rub(&self, municipality: &Municipality) -> u32 {
        municipality
            .nominal_rub
            .unwrap_or(self.certificates.nominal_rub)
    }

    /// The yearly certificate budget of a municipality in roubles: its own, or the nominal
    /// for a quarter of its children (the usual first-year coverage target).
    pub fn budget_rub(&self, municipality: &Municipality) -> u64 {
        municipality.budget_rub.unwrap_or_else(|| {
            u64::from(self.nominal_rub(municipality)) * u64::from(municipality.population_5_18) / 4
        })
    }
}

/// A region file as read from disk: the validated config, its source text (stored as is, so
/// what an operator applied can always be shown back) and the logo it points to.
#[derive(Debug, Clone)]
pub struct LoadedRegion {
    pub config: RegionConfig,
    pub source: String,
    pub logo: Option<Logo>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Logo {
    /// The file extension of its type: `svg` or `png`.
    pub fn extension(&self) -> &'static str {
        if self.content_type == "image/svg+xml" {
            "svg"
        } else {
            "png"
        }
    }
}

const MAX_LOGO_BYTES: usize = 256 * 1024;

impl LoadedRegion {
    /// Reads a region file and the logo it names (relative to the file).
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let file = path.display().to_string();
        let fail = |field: &str, message: String| ConfigError {
            file: file.clone(),
            problems: vec![Problem {
                field: field.to_owned(),
                message,
            }],
        };
        let source = std::fs::read_to_string(path)
            .map_err(|e| fail("", format!("не удалось прочитать файл: {e}")))?;
        let config = RegionConfig::parse(&file, &source)?;
        let logo = match &config.branding.logo {
            None => None,
            Some(rel) => {
                let logo_path = path.parent().unwrap_or(Path::new(".")).join(rel);
                let content_type = match logo_path.extension().and_then(|e| e.to_str()) {
                    Some("svg") => "image/svg+xml",
                    Some("png") => "image/png",
                    _ => {
                        return Err(fail(
                            "branding.logo",
                            format!("«{rel}»: логотип должен быть файлом .svg или .png"),
                        ))
                    }
                };
                let bytes = std::fs::read(&logo_path).map_err(|e| {
                    fail(
                        "branding.logo",
                        format!("не удалось прочитать {}: {e}", logo_path.display()),
                    )
                })?;
                if bytes.len() > MAX_LOGO_BYTES {
                    return Err(fail(
                        "branding.logo",
                        format!("«{rel}» больше {} КБ", MAX_LOGO_BYTES / 1024),
                    ));
                }
                Some(Logo {
                    content_type: content_type.to_owned(),
                    bytes,
                })
            }
        };
        Ok(Self {
            config,
            source,
            logo,
        })
    }
}

/// Everything wrong with one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub problems: Vec<Problem>,
}

/// One thing wrong: the field's path (`municipalities[2].center`) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match p.field.as_str() {
                "" => write!(f, "{}: {}", self.file, p.message)?,
                field => write!(f, "{}: {}: {}", self.file, field, p.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Turns a TOML error into a problem with a line number and, where serde names one, the key.
fn toml_problem(text: &str, e: &toml::de::Error) -> Problem {
    let message = e.message().trim();
    let line = e
        .span()
        .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
    let quoted = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
    };
    let (field, what) = if let Some(key) = quoted("unknown field `") {
        (key, "неизвестное поле".to_owned())
    } else if let Some(key) = quoted("missing field `") {
        (key, "не заполнено обязательное поле".to_owned())
    } else if let Some(key) = quoted("duplicate key `") {
        (key, "поле указано дважды".to_owned())
    } else {
        (String::new(), format!("ошибка синтаксиса TOML: {message}"))
    };
    let where_ = line.map(|l| format!("строка {l}: ")).unwrap_or_default();
    Problem {
        field,
        message: format!("{where_}{what}"),
    }
}

/// Collects problems with their field paths while a file is validated.
struct Problems(Vec<Problem>);

impl Problems {
    fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Runs a parser, records its error under `field`, and returns the value if it parsed.
    fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        result.map_err(|m| self.push(field, m)).ok()
    }

    fn text(&mut self, field: &str, value: String) -> String {
        let value = value.trim().to_owned();
        if value.is_empty() {
            self.push(field, "не заполнено");
        }
        value
    }

    fn optional_text(value: Option<String>) -> Option<String> {
        value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    fn point(&mut self, field: &str, value: Option<raw::Point>) -> Option<LatLon> {
        match value {
            None => {
                self.push(field, "не указаны координаты (lat, lon)");
                None
            }
            Some(p) => self.check(field, LatLon::new(p.lat, p.lon)),
        }
    }
}

/// A contact's fields, each checked under `at.…`; `None` when any is wrong.
fn contact(p: &mut Problems, at: &str, c: raw::Coordinator) -> Option<Coordinator> {
    let phone = p.check(&format!("{at}.phone"), Phone::parse(&c.phone));
    let email = p.check(&format!("{at}.email"), Email::parse(&c.email));
    let organization = p.text(&format!("{at}.organization"), c.organization);
    let address = p.text(&format!("{at}.address"), c.address);
    Some(Coordinator {
        organization,
        person: Problems::optional_text(c.person),
        phone: phone?,
        email: email?,
        address,
        hours: Problems::optional_text(c.hours),
    })
}

fn validate(raw: raw::RegionFile) -> Result<RegionConfig, Vec<Problem>> {
    let mut p = Problems(Vec::new());

    let slug = p.check("slug", Slug::parse(&raw.slug));
    if !(1..=99).contains(&raw.code) {
        p.push(
            "code",
            format!("{}: код региона должен быть от 1 до 99", raw.code),
        );
    }
    let name = p.text("name", raw.name);
    let short_name = p.text("short_name", raw.short_name);
    let region_name = p.text("region_name", raw.region_name);

    let mut hosts = Vec::new();
    for (i, h) in raw.hosts.iter().enumerate() {
        let field = format!("hosts[{i}]");
        if let Some(host) = p.check(&field, Host::parse(h)) {
            if hosts.contains(&host) {
                p.push(field, format!("хост {host} указан дважды"));
            } else {
                hosts.push(host);
            }
        }
    }
    let time_zone = p.check(
        "time_zone",
        raw.time_zone.parse::<Tz>().map_err(|_| {
            format!(
                "«{}»: неизвестный часовой пояс; укажите имя из базы IANA, например Europe/Moscow",
                raw.time_zone
            )
        }),
    );
    let support_email = p.check("support_email", Email::parse(&raw.support_email));

    let coordinator = contact(&mut p, "coordinator", raw.coordinator);

    let map_center = p.point("map.center", raw.map.center);
    if !(1..=18).contains(&raw.map.zoom) {
        p.push(
            "map.zoom",
            format!("{}: масштаб карты должен быть от 1 до 18", raw.map.zoom),
        );
    }

    let primary = p.check(
        "branding.primary_color",
        Color::parse(&raw.branding.primary_color),
    );
    let accent = p.check(
        "branding.accent_color",
        Color::parse(&raw.branding.accent_color),
    );
    let logo = Problems::optional_text(raw.branding.logo);
    if let Some(l) = &logo {
        if Path::new(l).is_absolute() || l.split(['/', '\\']).any(|part| part == "..") {
            p.push(
                "branding.logo",
                format!("«{l}»: путь должен быть внутри папки файла региона"),
            );
        }
    }

    let cert = raw.certificates;
    if !(cert.min_age < cert.max_age && cert.max_age <= 18) {
        p.push(
            "certificates.max_age",
            format!(
                "возрастной диапазон {}–{} неверен: нужно min_age < max_age ≤ 18",
                cert.min_age, cert.max_age
            ),
        );
    }
    if !(cert.min_age..=cert.max_age).contains(&cert.self_registration_age) {
        p.push(
            "certificates.self_registration_age",
            format!(
                "{} вне диапазона {}–{}",
                cert.self_registration_age, cert.min_age, cert.max_age
            ),
        );
    }

    if raw.municipalities.is_empty() {
        p.push("municipalities", "нужен хотя бы один муниципалитет");
    }
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    let mut municipalities = Vec::new();
    for (i, m) in raw.municipalities.into_iter().enumerate() {
        let at = |f: &str| format!("municipalities[{i}].{f}");
        let id = p.check(&at("id"), Slug::parse(&m.id));
        if id.is_some() && !ids.insert(m.id.clone()) {
            p.push(
                at("id"),
                format!("«{}» уже используется другим муниципалитетом", m.id),
            );
        }
        let name = p.text(&at("name"), m.name);
        if !name.is_empty() && !names.insert(name.clone()) {
            p.push(at("name"), format!("«{name}» указан дважды"));
        }
        if m.population_5_18 == 0 {
            p.push(at("population_5_18"), "должно быть больше нуля");
        }
        let center = p.point(&at("center"), m.center);
        let contact_of = m.contact.map(|c| contact(&mut p, &at("contact"), c));
        if let (Some(id), Some(center)) = (id, center) {
            municipalities.push(Municipality {
                id,
                name,
                population_5_18: m.population_5_18,
                center,
                nominal_rub: m.nominal_rub,
                budget_rub: m.budget_rub,
                contact: contact_of.flatten(),
            });
        }
    }

    let moderation = match raw.moderation.as_deref() {
        None => Some(Moderation::default()),
        Some(m) => p.check("moderation", Moderation::parse(m.trim())),
    };
    let reviews = match raw.reviews.as_deref() {
        None => Some(ReviewPolicy::default()),
        Some(r) => p.check("reviews", ReviewPolicy::parse(r.trim())),
    };

    let Problems(problems) = p;
    match (
        problems.is_empty(),
        slug,
        time_zone,
        support_email,
        coordinator,
        map_center,
        primary,
        accent,
        moderation,
        reviews,
    ) {
        (
            true,
            Some(slug),
            Some(time_zone),
            Some(support_email),
            Some(coordinator),
            Some(center),
            Some(primary_color),
            Some(accent_color),
            Some(moderation),
            Some(reviews),
        ) => Ok(RegionConfig {
            slug,
            code: raw.code as u8,
            name,
            short_name,
            region_name,
            hosts,
            time_zone,
            support_email,
            coordinator,
            map: MapView {
                center,
                zoom: raw.map.zoom,
            },
            branding: Branding {
                primary_color,
                accent_color,
                logo,
            },
            certificates: CertificatePolicy {
                enabled: cert.enabled,
                min_age: cert.min_age,
                max_age: cert.max_age,
                self_registration_age: cert.self_registration_age,
                nominal_rub: cert.nominal_rub,
            },
            municipalities,
            documents: Documents {
                privacy_policy: raw
                    .documents
                    .as_ref()
                    .and_then(|d| Problems::optional_text(d.privacy_policy.clone())),
                user_agreement: raw
                    .documents
                    .as_ref()
                    .and_then(|d| Problems::optional_text(d.user_agreement.clone())),
            },
            moderation,
            reviews,
        }),
        _ => Err(problems),
    }
}

/// The file as written: plain types, unknown keys rejected.
mod raw {
    use super::Deserialize;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct RegionFile {
        pub slug: String,
        pub code: u32,
        pub name: String,
        pub short_name: String,
        pub region_name: String,
        #[serde(default)]
        pub hosts: Vec<String>,
        pub time_zone: String,
        pub support_email: String,
        pub coordinator: Coordinator,
        pub map: Map,
        pub branding: Branding,
        pub certificates: Certificates,
        #[serde(default)]
        pub municipalities: Vec<Municipality>,
        pub documents: Option<Documents>,
        pub moderation: Option<String>,
        pub reviews: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Documents {
        pub privacy_policy: Option<String>,
        pub user_agreement: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Coordinator {
        pub organization: String,
        pub person: Option<String>,
        pub phone: String,
        pub email: String,
        pub address: String,
        pub hours: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Map {
        pub center: Option<Point>,
        pub zoom: u8,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Point {
        pub lat: f64,
        pub lon: f64,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Branding {
        pub primary_color: String,
        pub accent_color: String,
        pub logo: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Certificates {
        pub enabled: bool,
        pub min_age: u8,
        pub max_age: u8,
        pub self_registration_age: u8,
        pub nominal_rub: u32,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Municipality {
        pub id: String,
        pub name: String,
        pub population_5_18: u32,
        pub center: Option<Point>,
        pub nominal_rub: Option<u32>,
        pub budget_rub: Option<u64>,
        pub contact: Option<Coordinator>,
    }
}
