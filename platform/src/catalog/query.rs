//! A catalog search as parsed from a URL: the HTML form and the API send the same
//! parameters, and both go through `CatalogQuery::parse`, so a rule about a filter exists once.

use serde::{Deserialize, Serialize};

use crate::domain::{MAX_AGE, MIN_AGE};

use super::model::{Direction, Financing, Level};

/// The parameters as they arrive (all text; `None` or empty when absent).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawQuery {
    pub q: Option<String>,
    pub municipality: Option<String>,
    pub organization: Option<String>,
    pub direction: Option<String>,
    pub profile: Option<String>,
    pub age: Option<String>,
    pub level: Option<String>,
    pub financing: Option<String>,
    pub ovz: Option<String>,
    pub open: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub bbox: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Sort {
    /// Best text match first; by title when there is no text.
    #[default]
    Relevance,
    Newest,
    Title,
    /// Best rated first, weighted toward the region's mean (`Rating::weighted`); programs
    /// without reviews last.
    Rating,
}

impl Sort {
    pub fn code(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::Title => "title",
            Sort::Rating => "rating",
        }
    }
}

/// A map rectangle: west, south, east, north in degrees (RFC 7946 order).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BBox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl BBox {
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.south..=self.north).contains(&lat) && (self.west..=self.east).contains(&lon)
    }
}

/// A validated search.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CatalogQuery {
    pub text: Option<String>,
    pub municipality: Option<String>,
    pub organization: Option<i64>,
    pub direction: Option<Direction>,
    pub profile: Option<String>,
    pub age: Option<u8>,
    pub level: Option<Level>,
    pub financing: Option<Financing>,
    pub ovz: bool,
    pub open: bool,
    pub sort: Sort,
    pub page: u32,
    pub per_page: u32,
    pub bbox: Option<BBox>,
}

pub use crate::domain::FieldError;

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;
/// Longer text is cut, not refused: a search box must never fail.
pub const MAX_TEXT_CHARS: usize = 200;
/// Deeper pages are refused: nobody reads them, and they cost.
pub const MAX_PAGE: u32 = 10_000;

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn flag(v: &Option<String>) -> bool {
    matches!(given(v), Some("1" | "true" | "on" | "yes"))
}

impl CatalogQuery {
    /// Validates every parameter; returns all problems at once, each naming its parameter.
    /// Which municipality and profile ids exist is the caller's knowledge (`known_*`).
    pub fn parse(
        raw: &RawQuery,
        known_municipality: impl Fn(&str) -> bool,
        known_profile: impl Fn(&str) -> bool,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail =
            |field: &'static str, message: String| errors.push(FieldError { field, message });
        let mut q = CatalogQuery {
            per_page: DEFAULT_PER_PAGE,
            page: 1,
            ..Default::default()
        };

        q.text = given(&raw.q).map(|t| t.chars().take(MAX_TEXT_CHARS).collect());
        if let Some(m) = given(&raw.municipality) {
            if known_municipality(m) {
                q.municipality = Some(m.to_owned());
            } else {
                fail(
                    "municipality",
                    format!("«{}»: такого муниципалитета в регионе нет", short(m)),
                );
            }
        }
        if let Some(o) = given(&raw.organization) {
            match o.parse::<i64>() {
                Ok(id) if id > 0 => q.organization = Some(id),
                _ => fail(
                    "organization",
                    format!(
                        "«{}»: номер организации — целое число больше нуля",
                        short(o)
                    ),
                ),
            }
        }
        if let Some(d) = given(&raw.direction) {
            match Direction::parse(d) {
                Some(d) => q.direction = Some(d),
                None => fail(
                    "direction",
                    format!(
                        "«{}»: неизвестная направленность; допустимы: {}",
                        short(d),
                        Direction::codes()
                    ),
                ),
            }
        }
        if let Some(p) = given(&raw.profile) {
            if known_profile(p) {
                q.profile = Some(p.to_owned());
            } else {
                fail("profile", format!("«{}»: такого профиля нет", short(p)));
            }
        }
        if let Some(a) = given(&raw.age) {
            match a.parse::<u8>() {
                Ok(age) if (MIN_AGE..=MAX_AGE).contains(&age) => q.age = Some(age),
                _ => fail(
                    "age",
                    format!(
                        "«{}»: возраст ребёнка — от {MIN_AGE} до {MAX_AGE} лет",
                        short(a)
                    ),
                ),
            }
        }
        if let Some(l) = given(&raw.level) {
            match Level::parse(l) {
                Some(l) => q.level = Some(l),
                None => fail(
                    "level",
                    format!("«{}»: допустимы: {}", short(l), Level::codes()),
                ),
            }
        }
        if let Some(f) = given(&raw.financing) {
            match Financing::parse(f) {
                Some(f) => q.financing = Some(f),
                None => fail(
                    "financing",
                    format!("«{}»: допустимы: {}", short(f), Financing::codes()),
                ),
            }
        }
        q.ovz = flag(&raw.ovz);
        q.open = flag(&raw.open);
        q.sort = match given(&raw.sort) {
            None | Some("relevance") => Sort::Relevance,
            Some("newest") => Sort::Newest,
            Some("title") => Sort::Title,
            Some("rating") => Sort::Rating,
            Some(s) => {
                fail(
                    "sort",
                    format!(
                        "«{}»: допустимы: relevance, newest, title, rating",
                        short(s)
                    ),
                );
                Sort::Relevance
            }
        };
        if let Some(p) = given(&raw.page) {
            match p.parse::<u32>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => q.page = n,
                _ => fail(
                    "page",
                    format!("«{}»: номер страницы — от 1 до {MAX_PAGE}", short(p)),
                ),
            }
        }
        if let Some(p) = given(&raw.per_page) {
            match p.parse::<u32>() {
                Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => q.per_page = n,
                _ => fail(
                    "per_page",
                    format!("«{}»: на странице — от 1 до {MAX_PER_PAGE}", short(p)),
                ),
            }
        }
        if let Some(b) = given(&raw.bbox) {
            match parse_bbox(b) {
                Ok(b) => q.bbox = Some(b),
                Err(m) => fail("bbox", m),
            }
        }
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }

    /// The query as URL parameters (without page), for links that keep the filters.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if let Some(t) = &self.text {
            p.push(("q", t.clone()));
        }
        if let Some(m) = &self.municipality {
            p.push(("municipality", m.clone()));
        }
        if let Some(o) = self.organization {
            p.push(("organization", o.to_string()));
        }
        if let Some(d) = self.direction {
            p.push(("direction", d.code().to_owned()));
        }
        if let Some(pr) = &self.profile {
            p.push(("profile", pr.clone()));
        }
        if let Some(a) = self.age {
            p.push(("age", a.to_string()));
        }
        if let Some(l) = self.level {
            p.push(("level", l.code().to_owned()));
        }
        if let Some(f) = self.financing {
            p.push(("financing", f.code().to_owned()));
        }
        if self.ovz {
            p.push(("ovz", "1".into()));
        }
        if self.open {
            p.push(("open", "1".into()));
        }
        if self.sort != Sort::Relevance {
            p.push(("sort", self.sort.code().to_owned()));
        }
        if self.per_page != DEFAULT_PER_PAGE {
            p.push(("per_page", self.per_page.to_string()));
        }
        p
    }
}

/// A parameter value quoted back in a message, cut so 10 kB of garbage stays out of it.
fn short(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

fn parse_bbox(raw: &str) -> Result<BBox, String> {
    let usage = "ожидается «запад,юг,восток,север» в градусах, например 31.0,53.5,35.5,56.0";
    let nums: Vec<f64> = raw
        .split(',')
        .map(|n| n.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("«{}»: {usage}", short(raw)))?;
    let [west, south, east, north] = nums[..] else {
        return Err(format!("«{}»: {usage}", short(raw)));
    };
    let lon_ok = |v: f64| (-180.0..=180.0).contains(&v);
    let lat_ok = |v: f64| (-90.0..=90.0).contains(&v);
    if !(lon_ok(west) && lon_ok(east) && lat_ok(south) && lat_ok(north)) {
        return Err(format!(
            "«{}»: долгота от −180 до 180, широта от −90 до 90",
            short(raw)
        ));
    }
    if west > east || south > north {
        return Err(format!(
            "«{}»: запад должен быть не больше востока, юг — не больше севера",
            short(raw)
        ));
    }
    Ok(BBox {
        west,
        south,
        east,
        north,
    })
}

/// What each search parameter accepts, as JSON Schema for the API's spec, from the same
/// vocabularies and limits `CatalogQuery::parse` checks. Every parameter is text that may
/// be empty or padded with spaces (a form sends it so); municipality and profile ids are the
/// region's own, listed by `/municipalities` and `/directions`.
pub fn parameter_schemas() -> Vec<(&'static str, serde_json::Value)> {
    fn one_of(codes: impl IntoIterator<Item = &'static str>) -> serde_json::Value {
        let codes: Vec<&str> = codes.into_iter().collect();
        padded(&codes.join("|"))
    }
    // `\s*(…)?\s*`: what `given` reads; `\+?0*` what `str::parse` takes before the digits.
    fn padded(body: &str) -> serde_json::Value {
        serde_json::json!({ "type": "string", "pattern": format!("^\\s*({body})?\\s*$") })
    }
    // The patterns below spell these limits out.
    const _: () = assert!(MIN_AGE == 3 && MAX_AGE == 18 && MAX_PAGE == 10_000);
    const _: () = assert!(MAX_PER_PAGE == 100);
    let number = r"\+?0*";
    vec![
        ("direction", one_of(Direction::ALL.iter().map(|d| d.code()))),
        ("level", one_of(Level::ALL.iter().map(|l| l.code()))),
        ("financing", one_of(Financing::ALL.iter().map(|f| f.code()))),
        ("sort", one_of(["relevance", "newest", "title", "rating"])),
        ("age", padded(&format!("{number}([3-9]|1[0-8])"))),
        (
            "page",
            padded(&format!("{number}([1-9][0-9]{{0,3}}|10000)")),
        ),
        ("per_page", padded(&format!("{number}([1-9][0-9]?|100)"))),
        (
            "organization",
            padded(&format!("{number}[1-9][0-9]{{0,18}}")),
        ),
        // west,south,east,north: four numbers as `f64` reads them; the ranges and their
        // order are the server's to check (a 400 naming `bbox`).
        ("bbox", {
            let n = r"\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*";
            padded(&format!("{n},{n},{n},{n}"))
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<CatalogQuery, Vec<FieldError>> {
        let mut raw = RawQuery::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "q" => raw.q = v,
                "municipality" => raw.municipality = v,
                "direction" => raw.direction = v,
                "age" => raw.age = v,
                "page" => raw.page = v,
                "bbox" => raw.bbox = v,
                "sort" => raw.sort = v,
                "ovz" => raw.ovz = v,
                _ => unreachable!(),
            }
        }
        CatalogQuery::parse(&raw, |m| m == "smolensk", |_| true)
    }

    #[test]
    fn valid_filters() {
        let q = parse(&[
            ("q", " шахматы "),
            ("municipality", "smolensk"),
            ("direction", "sport"),
            ("age", "10"),
            ("ovz", "on"),
        ])
        .unwrap();
        assert_eq!(q.text.as_deref(), Some("шахматы"));
        assert_eq!(q.direction, Some(Direction::Sport));
        assert_eq!((q.age, q.ovz, q.page), (Some(10), true, 1));
        assert_eq!(
            parse(&[("bbox", "31,53.5,35.5,56")])
                .unwrap()
                .bbox
                .unwrap()
                .north,
            56.0
        );
    }

    #[test]
    fn every_bad_parameter_is_named() {
        let errors = parse(&[
            ("municipality", "moscow"),
            ("direction", "magic"),
            ("age", "300"),
            ("page", "-1"),
            ("bbox", "0,0,200,10"),
            ("sort", "price"),
        ])
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["municipality", "direction", "age", "sort", "page", "bbox"]
        );
    }

    #[test]
    fn long_text_is_cut_not_refused() {
        let q = parse(&[("q", &"ы".repeat(10_000))]).unwrap();
        assert_eq!(q.text.unwrap().chars().count(), MAX_TEXT_CHARS);
    }
}
