//! What catalog pages show and the API returns: one set of structs for both (serde for the
//! templates, poem-openapi `Object` for the API), built here from the index and the store.

use chrono::NaiveDate;
use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use crate::domain::{plural, AgeRange, Money, Phone};
use crate::regions::Tenant;

use super::cards::{CardList, Cards};
use super::index::{CatalogIndex, Facets, ProgramDoc, SearchResult};
use super::model::{Direction, Financing, FinancingSet, Level, OrgKind, Rating};
use super::query::CatalogQuery;
use super::reviews::ReviewView;
use super::store::{Group, ListedProgram, Organization, Profile, Program};

/// A code with its Russian label.
#[derive(Debug, Clone, Serialize, Deserialize, Object)]
pub struct Labeled {
    pub code: String,
    pub label: String,
}

impl Labeled {
    fn new(code: &str, label: &str) -> Self {
        Self {
            code: code.to_owned(),
            label: label.to_owned(),
        }
    }
}

/// A program in a list of results.
#[derive(Debug, Clone, Serialize, Object)]
pub struct ProgramCard {
    pub id: i64,
    pub title: String,
    /// Path of the program's page on the region's host.
    pub url: String,
    pub organization_id: i64,
    pub organization: String,
    pub municipality: Labeled,
    pub direction: Labeled,
    pub profile: Labeled,
    pub level: Labeled,
    pub age_min: u8,
    pub age_max: u8,
    /// «7–11 лет».
    pub ages: String,
    /// Suitable for children with disabilities (ОВЗ).
    pub ovz: bool,
    /// The main way of paying: certificate, else paid, else free (the `financing` filter
    /// finds a program by every way it offers).
    pub financing: Labeled,
    /// Monthly price in roubles (0 when free).
    pub monthly_price_rub: i64,
    /// «2 500 ₽ в месяц», «Бесплатно».
    pub price: String,
    /// «Доступна оплата сертификатом».
    pub certificate: bool,
    /// A group takes applications today («идёт набор»).
    pub enrollment_open: bool,
    /// The card's cover, 480×320 JPEG: a file at `/media/{cover}` on the region's host;
    /// none when the program has no cover.
    #[oai(nullable)]
    pub cover: Option<String>,
    #[oai(flatten)]
    #[serde(flatten)]
    pub rating: RatingView,
}

/// A program's published reviews as cards, pages and the API show them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Object)]
pub struct RatingView {
    /// The mean of the published reviews' stars (1–5) to one decimal; none without reviews.
    #[oai(nullable)]
    pub rating: Option<f64>,
    /// How many published reviews it has.
    pub reviews: u32,
    /// «4,7 из 5 · 12 отзывов»; empty without reviews.
    pub rating_text: String,
}

impl RatingView {
    pub fn of(r: Rating) -> Self {
        let rating = r.average().map(|a| (a * 10.0).round() / 10.0);
        let rating_text = rating.map_or(String::new(), |a| {
            let count = plural(u64::from(r.count), "отзыв", "отзыва", "отзывов");
            format!(
                "{} из 5 · {} {count}",
                format!("{a:.1}").replace('.', ","),
                r.count
            )
        });
        Self {
            rating,
            reviews: r.count,
            rating_text,
        }
    }
}

/// «Бесплатно» or «2 500 ₽ в месяц».
pub fn price_text(financing: Financing, monthly: Money) -> String {
    match financing {
        Financing::Free => "Бесплатно".to_owned(),
        _ => format!("{monthly} в месяц"),
    }
}

fn municipality(tenant: &Tenant, id: &str) -> Labeled {
    let name = tenant
        .config
        .municipality(id)
        .map_or(id.to_owned(), |m| m.name.clone());
    Labeled::new(id, &name)
}

fn ages(range: AgeRange) -> String {
    range.to_string()
}

/// What a card shows of a program, whichever source it comes from.
struct CardSource<'a> {
    id: i64,
    title: &'a str,
    organization_id: i64,
    organization: &'a str,
    municipality_id: &'a str,
    direction: Direction,
    profile: &'a Profile,
    level: Level,
    ages: AgeRange,
    ovz: bool,
    financing: FinancingSet,
    monthly_price: Money,
    enrollment_open: bool,
    cover: Option<&'a str>,
    rating: Rating,
}

impl ProgramCard {
    pub fn of(doc: &ProgramDoc, index: &CatalogIndex, tenant: &Tenant, today: NaiveDate) -> Self {
        let org = index.organization(doc);
        Self::build(
            CardSource {
                id: doc.id,
                title: &doc.title,
                organization_id: org.id,
                organization: &org.short_name,
                municipality_id: index.municipality_id(doc),
                direction: doc.direction,
                profile: index.profile(doc),
                level: doc.level,
                ages: doc.ages,
                ovz: doc.ovz,
                financing: doc.financing,
                monthly_price: doc.monthly_price,
                enrollment_open: doc
                    .groups
                    .iter()
                    .any(|g| g.accepting && g.enroll_from <= today && today <= g.enroll_to),
                cover: doc.cover_card.as_deref(),
                rating: doc.rating,
            },
            tenant,
        )
    }

    /// A card for a static copy of the catalog. The copy cannot know on which day it is
    /// read, so it never says «идёт набор»: the dynamic site does.
    pub fn listed(
        p: &ListedProgram,
        org: &Organization,
        profile: &Profile,
        tenant: &Tenant,
    ) -> Self {
        Self::build(
            CardSource {
                id: p.id,
                title: &p.title,
                organization_id: org.id,
                organization: &org.short_name,
                municipality_id: &org.municipality_id,
                direction: p.direction,
                profile,
                level: p.level,
                ages: p.ages,
                ovz: p.ovz,
                financing: p.financing,
                monthly_price: p.monthly_price,
                enrollment_open: false,
                cover: p.cover_card.as_deref(),
                rating: p.rating,
            },
            tenant,
        )
    }

    fn build(c: CardSource, tenant: &Tenant) -> Self {
        // A card names one way of paying (the filters find every one).
        let financing = c.financing.primary();
        Self {
            id: c.id,
            title: c.title.to_owned(),
            url: format!("/programs/{}", c.id),
            organization_id: c.organization_id,
            organization: c.organization.to_owned(),
            municipality: municipality(tenant, c.municipality_id),
            direction: Labeled::new(c.direction.code(), c.direction.label()),
            profile: Labeled::new(&c.profile.id, &c.profile.name),
            level: Labeled::new(c.level.code(), c.level.label()),
            age_min: c.ages.min(),
            age_max: c.ages.max(),
            ages: ages(c.ages),
            ovz: c.ovz,
            financing: Labeled::new(financing.code(), financing.label()),
            monthly_price_rub: c.monthly_price.kopecks() / 100,
            price: price_text(financing, c.monthly_price),
            certificate: c.financing.contains(Financing::Certificate),
            enrollment_open: c.enrollment_open,
            cover: c.cover.map(str::to_owned),
            rating: RatingView::of(c.rating),
        }
    }
}

/// One choice of a filter with the number of results it would give.
#[derive(Debug, Clone, Serialize)]
pub struct FacetOption {
    pub value: String,
    pub label: String,
    pub count: u32,
    pub selected: bool,
}

/// Profiles of one direction, under its label.
#[derive(Debug, Clone, Serialize)]
pub struct FacetGroup {
    pub label: &'static str,
    pub options: Vec<FacetOption>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FacetsView {
    pub municipality: Vec<FacetOption>,
    pub organization: Vec<FacetOption>,
    pub direction: Vec<FacetOption>,
    /// By direction, directions in the order of their labels.
    pub profile: Vec<FacetGroup>,
    pub level: Vec<FacetOption>,
    pub financing: Vec<FacetOption>,
    /// Results if «Для детей с ОВЗ» were ticked.
    pub ovz: u32,
    /// Results if «Идёт набор» were ticked.
    pub open: u32,
}

/// A page of search results as the API returns it.
#[derive(Debug, Clone, Serialize, Object)]
pub struct SearchResults {
    pub total: u32,
    /// «Найдено 125 программ».
    pub total_text: String,
    pub page: u32,
    pub per_page: u32,
    pub pages: u32,
    /// A `ProgramCard` each.
    #[oai(read_only)]
    pub items: CardList,
    pub facets: Facets,
}

impl SearchResults {
    pub fn of(
        index: &CatalogIndex,
        cards: &Cards,
        result: SearchResult,
        q: &CatalogQuery,
        tenant: &Tenant,
    ) -> Self {
        Self {
            total: result.total,
            total_text: total_text(result.total),
            page: q.page,
            per_page: q.per_page,
            pages: pages(result.total, q.per_page),
            items: cards.json(index, &result.ids, tenant),
            facets: result.facets,
        }
    }
}

fn total_text(total: u32) -> String {
    format!(
        "Найдено {} {}",
        total,
        plural(total.into(), "программа", "программы", "программ")
    )
}

fn pages(total: u32, per_page: u32) -> u32 {
    total.div_ceil(per_page).max(1)
}

/// A page of search results as the catalog page shows it: every filter value with its
/// label, count and whether it is chosen.
#[derive(Debug, Clone, Serialize)]
pub struct SearchPage {
    pub total: u32,
    /// «Найдено 125 программ».
    pub total_text: String,
    pub page: u32,
    pub per_page: u32,
    pub pages: u32,
    /// The cards of `result`, rendered (see `Cards::html`).
    pub items: Vec<minijinja::Value>,
    pub facets: FacetsView,
}

impl SearchPage {
    pub fn of(
        index: &CatalogIndex,
        result: &SearchResult,
        q: &CatalogQuery,
        tenant: &Tenant,
        items: Vec<minijinja::Value>,
    ) -> Self {
        let profiles = &index.profiles;
        let f = &result.facets;
        let option = |value: &str, label: &str, count: u32, selected: bool| FacetOption {
            value: value.to_owned(),
            label: label.to_owned(),
            count,
            selected,
        };
        // The index keeps the busiest organizations and the chosen one; listed by name.
        let org_option = |position: usize, n: u32| {
            let (org, rank) = index.org_at(position);
            let chosen = q.organization == Some(org.id);
            (
                rank,
                option(&org.id.to_string(), &org.short_name, n, chosen),
            )
        };
        let mut organizations: Vec<(u32, FacetOption)> = f
            .organization
            .positions()
            .map(|(position, n)| org_option(position, n))
            .collect();
        // The chosen one stays in the list even when it would find nothing.
        let missing = q
            .organization
            .filter(|_| !organizations.iter().any(|(_, o)| o.selected));
        if let Some(chosen) = missing {
            organizations.push(match index.org_position(chosen) {
                Some(position) => org_option(position as usize, 0),
                None => {
                    let label = format!("Организация № {chosen}");
                    (u32::MAX, option(&chosen.to_string(), &label, 0, true))
                }
            });
        }
        organizations.sort_unstable_by_key(|(rank, _)| *rank);
        let organizer_options: Vec<FacetOption> =
            organizations.into_iter().map(|(_, o)| o).collect();
        let facets = FacetsView {
            municipality: tenant
                .config
                .municipalities
                .iter()
                .map(|m| {
                    option(
                        m.id.as_str(),
                        &m.name,
                        f.municipality.get(m.id.as_str()),
                        q.municipality.as_deref() == Some(m.id.as_str()),
                    )
                })
                .collect(),
            organization: organizer_options,
            direction: Direction::ALL
                .iter()
                .map(|d| {
                    option(
                        d.code(),
                        d.label(),
                        f.direction.get(d.code()),
                        q.direction == Some(*d),
                    )
                })
                .collect(),
            // The index's profile counts are by position in this same dictionary.
            profile: profile_groups(profiles, |position, p| {
                option(
                    &p.id,
                    &p.name,
                    f.profile.at(position),
                    q.profile.as_deref() == Some(p.id.as_str()),
                )
            }),
            level: Level::ALL
                .iter()
                .map(|l| {
                    option(
                        l.code(),
                        l.label(),
                        f.level.get(l.code()),
                        q.level == Some(*l),
                    )
                })
                .collect(),
            financing: Financing::ALL
                .iter()
                .map(|x| {
                    option(
                        x.code(),
                        x.label(),
                        f.financing.get(x.code()),
                        q.financing == Some(*x),
                    )
                })
                .collect(),
            ovz: f.ovz,
            open: f.open,
        };
        Self {
            total: result.total,
            total_text: total_text(result.total),
            page: q.page,
            per_page: q.per_page,
            pages: pages(result.total, q.per_page),
            items,
            facets,
        }
    }
}

/// The profiles grouped by direction, in dictionary order within each.
fn profile_groups(
    profiles: &[Profile],
    option: impl Fn(usize, &Profile) -> FacetOption,
) -> Vec<FacetGroup> {
    let mut groups: Vec<FacetGroup> = Direction::ALL
        .iter()
        .map(|d| FacetGroup {
            label: d.label(),
            options: profiles
                .iter()
                .enumerate()
                .filter(|(_, p)| p.direction == *d)
                .map(|(position, p)| option(position, p))
                .collect(),
        })
        .filter(|g| !g.options.is_empty())
        .collect();
    groups.sort_by_key(|g| g.label);
    groups
}

/// An organization's contacts and description.
#[derive(Debug, Clone, Serialize, Deserialize, Object)]
pub struct OrganizationView {
    pub id: i64,
    pub name: String,
    pub short_name: String,
    pub kind: Labeled,
    pub inn: String,
    pub municipality: Labeled,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    /// «+7 (481) 200-00-67».
    pub phone: String,
    pub phone_e164: String,
    pub email: String,
    #[oai(nullable)]
    pub website: Option<String>,
    pub description: String,
    /// Authorized by the municipality to confirm children's data.
    pub can_confirm: bool,
    pub url: String,
    /// The logo, 256×256 PNG: a file at `/media/{logo}` on the region's host; none when
    /// the organization has no logo.
    #[oai(nullable)]
    #[serde(default)]
    pub logo: Option<String>,
}

impl OrganizationView {
    pub fn of(o: &Organization, tenant: &Tenant) -> Self {
        let kind = o.kind;
        Self {
            id: o.id,
            name: o.name.clone(),
            short_name: o.short_name.clone(),
            kind: Labeled::new(kind.code(), OrgKind::label(kind)),
            inn: o.inn.clone(),
            municipality: municipality(tenant, &o.municipality_id),
            address: o.address.clone(),
            lat: o.location.lat,
            lon: o.location.lon,
            phone: Phone::parse(&o.phone).map_or(o.phone.clone(), |p| p.display()),
            phone_e164: o.phone.clone(),
            email: o.email.clone(),
            // Only web addresses become links: a `javascript:` "site" would run in the page.
            website: o
                .website
                .clone()
                .filter(|w| w.starts_with("https://") || w.starts_with("http://")),
            description: o.description.clone(),
            can_confirm: o.can_confirm,
            url: format!("/organizations/{}", o.id),
            logo: o.logo.clone(),
        }
    }
}

/// An учебная группа of a program.
#[derive(Debug, Clone, Serialize, Deserialize, Object)]
pub struct GroupView {
    pub id: i64,
    pub name: String,
    /// The teachers' names, «Иванова М. П., Петров С. А.».
    pub teacher: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    /// «Пн 15:00–16:30, Ср 15:00–16:30».
    pub schedule: String,
    /// План приёма.
    pub capacity: i64,
    pub seats_taken: i64,
    pub free_seats: i64,
    /// ISO dates.
    pub enroll_from: String,
    pub enroll_to: String,
    pub study_from: String,
    pub study_to: String,
    /// «с 20.08.2026 по 15.05.2027».
    pub enroll_period: String,
    pub study_period: String,
    pub enrollment_open: bool,
    /// Why the group takes no applications today («Набор ещё не начался», «Набор
    /// закончился», …); none while it does.
    #[oai(nullable)]
    pub closed_reason: Option<String>,
    /// Taking applications with no free seat: an application joins the waitlist.
    pub full: bool,
    /// Monthly price when paid by certificate, roubles.
    #[oai(nullable)]
    pub price_certificate_rub: Option<i64>,
    /// Monthly price when paid by the family, roubles.
    #[oai(nullable)]
    pub price_paid_rub: Option<i64>,
    #[oai(nullable)]
    pub price_certificate: Option<String>,
    #[oai(nullable)]
    pub price_paid: Option<String>,
    /// Both prices as one text: «Сертификатом: 5 000 ₽ в месяц; платно: 6 000 ₽ в месяц»,
    /// «Бесплатно».
    pub price: String,
}

fn period(from: NaiveDate, to: NaiveDate) -> String {
    format!("с {} по {}", crate::time::day(from), crate::time::day(to))
}

impl GroupView {
    pub fn of(g: &Group, today: NaiveDate) -> Self {
        Self {
            id: g.id,
            name: g.name.clone(),
            teacher: g.teachers.join(", "),
            address: g.address.clone(),
            lat: g.location.lat,
            lon: g.location.lon,
            schedule: g.schedule.to_string(),
            capacity: g.capacity,
            seats_taken: g.seats_taken,
            free_seats: g.free_seats(),
            enroll_from: g.enroll_from.to_string(),
            enroll_to: g.enroll_to.to_string(),
            study_from: g.study_from.to_string(),
            study_to: g.study_to.to_string(),
            enroll_period: period(g.enroll_from, g.enroll_to),
            study_period: period(g.study_from, g.study_to),
            enrollment_open: g.enrollment_open(today),
            closed_reason: g.closure(today).map(|c| c.label().to_owned()),
            full: g.enrollment_open(today) && g.free_seats() == 0,
            price_certificate_rub: g.price_certificate.map(|m| m.kopecks() / 100),
            price_paid_rub: g.price_paid.map(|m| m.kopecks() / 100),
            price_certificate: g.price_certificate.map(|m| format!("{m} в месяц")),
            price_paid: g.price_paid.map(|m| format!("{m} в месяц")),
            price: match (g.price_certificate, g.price_paid) {
                (None, None) => "Бесплатно".to_owned(),
                (Some(c), None) => format!("Сертификатом: {c} в месяц"),
                (None, Some(p)) => format!("Платно: {p} в месяц"),
                (Some(c), Some(p)) => format!("Сертификатом: {c} в месяц; платно: {p} в месяц"),
            },
        }
    }
}

/// Everything about a program.
#[derive(Debug, Clone, Serialize, Deserialize, Object)]
pub struct ProgramDetail {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub direction: Labeled,
    pub profile: Labeled,
    pub level: Labeled,
    pub age_min: u8,
    pub age_max: u8,
    pub ages: String,
    pub ovz: bool,
    pub financing: Labeled,
    pub monthly_price_rub: i64,
    pub price: String,
    /// «Доступна оплата сертификатом».
    pub certificate: bool,
    pub duration_months: i64,
    pub hours: i64,
    /// Краткое описание, цели, ожидаемые результаты (plain text; empty when not given).
    pub announce: String,
    pub goals: String,
    pub results: String,
    /// Тип программы: general | preprofessional | sport_training.
    pub program_type: Labeled,
    /// Форма обучения: full_time | blended | distance.
    pub study_form: Labeled,
    /// The kinds of disability (ОВЗ) the program is adapted to.
    pub ovz_kinds: Vec<Labeled>,
    /// Every way of paying it offers («Оплата сертификатом», «Платно»).
    pub financing_options: Vec<Labeled>,
    pub organization: OrganizationView,
    pub groups: Vec<GroupView>,
    /// The cover, 1200×800 JPEG: a file at `/media/{cover}` on the region's host; none
    /// when the program has no cover.
    #[oai(nullable)]
    #[serde(default)]
    pub cover: Option<String>,
    #[oai(flatten)]
    #[serde(flatten, default)]
    pub rating: RatingView,
    /// The newest published reviews (at most `REVIEWS_SHOWN`); all of them at
    /// `/programs/{id}/reviews`.
    #[serde(default)]
    pub latest_reviews: Vec<ReviewView>,
    /// Served from the last copy while the database is out of reach (seats may have
    /// changed): the page says so. Not part of the API's object.
    #[oai(skip)]
    #[serde(default)]
    pub saved_copy: bool,
}

impl ProgramDetail {
    pub fn of(
        p: &Program,
        org: &Organization,
        groups: &[Group],
        profiles: &[Profile],
        tenant: &Tenant,
        today: NaiveDate,
    ) -> Self {
        let profile = profiles
            .iter()
            .find(|x| x.id == p.profile_id)
            .map_or(p.profile_id.clone(), |x| x.name.clone());
        Self {
            id: p.id,
            title: p.title.clone(),
            description: p.description.clone(),
            direction: Labeled::new(p.direction.code(), p.direction.label()),
            profile: Labeled::new(&p.profile_id, &profile),
            level: Labeled::new(p.level.code(), p.level.label()),
            age_min: p.ages.min(),
            age_max: p.ages.max(),
            ages: ages(p.ages),
            ovz: p.ovz,
            financing: Labeled::new(p.financing.code(), p.financing.label()),
            monthly_price_rub: p.monthly_price.kopecks() / 100,
            price: price_text(p.financing, p.monthly_price),
            certificate: p.financing == Financing::Certificate,
            duration_months: p.duration_months,
            hours: p.hours,
            announce: p.about.announce.clone(),
            goals: p.about.goals.clone(),
            results: p.about.results.clone(),
            program_type: Labeled::new(p.about.program_type.code(), p.about.program_type.label()),
            study_form: Labeled::new(p.about.study_form.code(), p.about.study_form.label()),
            ovz_kinds: p
                .about
                .ovz_kinds
                .iter()
                .map(|k| Labeled::new(k.code(), k.label()))
                .collect(),
            financing_options: p
                .about
                .financing
                .items()
                .iter()
                .map(|f| Labeled::new(f.code(), f.label()))
                .collect(),
            organization: OrganizationView::of(org, tenant),
            groups: groups.iter().map(|g| GroupView::of(g, today)).collect(),
            cover: p.cover.clone(),
            rating: RatingView::of(p.rating),
            latest_reviews: Vec::new(),
            saved_copy: false,
        }
    }
}

/// An organization with its published programs.
#[derive(Debug, Clone, Serialize, Object)]
pub struct OrganizationDetail {
    pub organization: OrganizationView,
    pub programs: Vec<ProgramSummary>,
    /// Places of study (места обучения) the organization lists in its profile.
    pub places: Vec<PlaceView>,
}

/// A place of study: an address and its point.
#[derive(Debug, Clone, Serialize, Object)]
pub struct PlaceView {
    pub address: String,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct ProgramSummary {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub direction: Labeled,
    pub ages: String,
    pub financing: Labeled,
    pub price: String,
}

impl ProgramSummary {
    pub fn of(p: &Program) -> Self {
        Self::build(
            p.id,
            &p.title,
            p.direction,
            p.ages,
            p.financing,
            p.monthly_price,
        )
    }

    pub fn listed(p: &ListedProgram) -> Self {
        Self::build(
            p.id,
            &p.title,
            p.direction,
            p.ages,
            p.financing.primary(),
            p.monthly_price,
        )
    }

    fn build(
        id: i64,
        title: &str,
        direction: Direction,
        range: AgeRange,
        financing: Financing,
        monthly: Money,
    ) -> Self {
        Self {
            id,
            title: title.to_owned(),
            url: format!("/programs/{id}"),
            direction: Labeled::new(direction.code(), direction.label()),
            ages: ages(range),
            financing: Labeled::new(financing.code(), financing.label()),
            price: price_text(financing, monthly),
        }
    }
}

/// A direction with its profiles (the region's dictionary).
#[derive(Debug, Clone, Serialize, Object)]
pub struct DirectionView {
    pub code: String,
    pub label: String,
    pub profiles: Vec<Labeled>,
}

pub fn directions(profiles: &[Profile]) -> Vec<DirectionView> {
    Direction::ALL
        .iter()
        .map(|d| DirectionView {
            code: d.code().to_owned(),
            label: d.label().to_owned(),
            profiles: profiles
                .iter()
                .filter(|p| p.direction == *d)
                .map(|p| Labeled::new(&p.id, &p.name))
                .collect(),
        })
        .collect()
}
