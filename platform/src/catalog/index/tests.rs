//! `CatalogIndex::search` against a plain reference: filter every program with the query,
//! count every facet value by dropping that one filter, sort everything, cut the page.
//! The reference takes text matches from `TextIndex::hits`, which `text.rs` checks
//! against tantivy's own query engine.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::catalog::model::{Direction, Financing, Level, OrgKind};
use crate::catalog::query::{BBox, CatalogQuery, Sort};
use crate::catalog::store::{
    GroupLocation, ListedProgram, Organization, Profile, PublishedCatalog,
};
use crate::domain::{AgeRange, LatLon, Money};

use super::*;

/// A deterministic pseudo-random source, so a failure can be replayed.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize % n
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.roll(n) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.roll(items.len())]
    }
}

const MUNICIPALITIES: [&str; 4] = ["smolensk", "vyazma", "roslavl", "safonovo"];
const TITLES: [&str; 8] = [
    "Шахматный клуб",
    "Робототехника",
    "Юный эколог",
    "Вокальная студия",
    "Футбол",
    "Ёлочка",
    "Английский язык",
    "Танцевальный ансамбль",
];
const TODAY: (i32, u32, u32) = (2026, 10, 1);

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).unwrap()
}

fn catalog(dice: &mut Dice) -> (PublishedCatalog, Vec<Profile>, Vec<GroupLocation>) {
    let profiles: Vec<Profile> = Direction::ALL
        .iter()
        .flat_map(|&direction| {
            (0..2).map(move |i| Profile {
                id: format!("{}-{i}", direction.code()),
                direction,
                name: format!("Профиль {i}"),
            })
        })
        .collect();
    let organizations: Vec<Organization> = (1..=30)
        .map(|id| Organization {
            id,
            name: format!("Дом творчества №{id}"),
            short_name: format!("ДТ {id}"),
            kind: OrgKind::Education,
            inn: String::new(),
            municipality_id: MUNICIPALITIES[id as usize % MUNICIPALITIES.len()].to_owned(),
            address: String::new(),
            location: LatLon {
                lat: 54.8,
                lon: 32.0,
            },
            phone: String::new(),
            email: String::new(),
            website: None,
            description: String::new(),
            can_confirm: false,
            logo: None,
        })
        .collect();
    let mut programs = Vec::new();
    let mut groups = Vec::new();
    for id in 1..=1200 {
        let direction = *dice.pick(Direction::ALL);
        let min = 3 + dice.roll(14) as u8;
        let max = min + dice.roll((19 - min) as usize) as u8;
        programs.push(ListedProgram {
            id,
            // Ids 1200+ name an organization the catalog does not have: dropped.
            organization_id: if id % 97 == 0 {
                999
            } else {
                1 + dice.roll(30) as i64
            },
            title: format!("{} {}", dice.pick(&TITLES), dice.roll(50)),
            description: format!("Занятия для детей: {}", dice.pick(&TITLES).to_lowercase()),
            direction,
            profile_id: format!("{}-{}", direction.code(), dice.roll(2)),
            level: *dice.pick(Level::ALL),
            ages: AgeRange::new(min, max).unwrap(),
            ovz: dice.roll(4) == 0,
            financing: *dice.pick(Financing::ALL),
            monthly_price: Money::from_kopecks(100_000),
            created_at: format!("2026-0{}-1{} 10:00:00", 1 + dice.roll(9), dice.roll(10)),
            cover: None,
            cover_card: None,
        });
        for g in 0..dice.roll(3) {
            let opens = today() + chrono::Days::new(dice.roll(20) as u64) - chrono::Days::new(10);
            groups.push(GroupLocation {
                id: id * 10 + g as i64,
                program_id: id,
                name: format!("Группа {g}"),
                address: String::new(),
                location: LatLon {
                    lat: 54.0 + dice.roll(100) as f64 / 100.0,
                    lon: 32.0 + dice.roll(100) as f64 / 100.0,
                },
                enroll_from: opens,
                enroll_to: opens + chrono::Days::new(5),
            });
        }
    }
    (
        PublishedCatalog {
            organizations,
            programs,
        },
        profiles,
        groups,
    )
}

fn built(dice: &mut Dice) -> CatalogIndex {
    let (catalog, profiles, groups) = catalog(dice);
    CatalogIndex::build(1, catalog, profiles, || Ok(groups)).unwrap()
}

/// A filter of the query, to drop one at a time for its counts.
#[derive(Clone, Copy, PartialEq)]
enum Filter {
    Municipality,
    Organization,
    Direction,
    Profile,
    Level,
    Financing,
    Ovz,
    Open,
}

/// Whether the program passes the query, `ignoring` one faceted filter.
fn passes(
    index: &CatalogIndex,
    q: &CatalogQuery,
    text: &Option<HashMap<u32, f32>>,
    p: usize,
    ignoring: Option<Filter>,
) -> bool {
    let d = &index.docs[p];
    let on = |f: Filter| ignoring != Some(f);
    text.as_ref()
        .is_none_or(|hits| hits.contains_key(&(p as u32)))
        && q.age.is_none_or(|a| d.ages.min() <= a && a <= d.ages.max())
        && q.bbox.is_none_or(|b| {
            d.groups
                .iter()
                .any(|g| b.contains(g.location.lat, g.location.lon))
        })
        && (!on(Filter::Municipality)
            || q.municipality
                .as_deref()
                .is_none_or(|m| index.municipality_id(d) == m))
        && (!on(Filter::Organization)
            || q.organization.is_none_or(|o| index.organization(d).id == o))
        && (!on(Filter::Direction) || q.direction.is_none_or(|x| d.direction == x))
        && (!on(Filter::Profile)
            || q.profile
                .as_deref()
                .is_none_or(|x| index.profile(d).id == x))
        && (!on(Filter::Level) || q.level.is_none_or(|x| d.level == x))
        && (!on(Filter::Financing) || q.financing.is_none_or(|x| d.financing == x))
        && (!on(Filter::Ovz) || !q.ovz || d.ovz)
        && (!on(Filter::Open) || !q.open || d.enrollment_open(today()))
}

fn reference(index: &CatalogIndex, q: &CatalogQuery) -> SearchResult {
    let text = q
        .text
        .as_deref()
        .and_then(|t| index.text.hits(t))
        .map(|hits| hits.into_iter().collect::<HashMap<u32, f32>>());
    let matching = |ignoring: Option<Filter>| {
        (0..index.docs.len())
            .filter(|&p| passes(index, q, &text, p, ignoring))
            .collect::<Vec<_>>()
    };
    let mut found = matching(None);
    let score = |p: usize| text.as_ref().map_or(0.0, |t| t[&(p as u32)]);
    match q.sort {
        Sort::Relevance if text.is_some() => {
            found.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(a.cmp(&b)))
        }
        Sort::Newest => found.sort_by_key(|&p| index.newest_rank[p]),
        _ => {}
    }
    let count = |filter: Filter, key: &dyn Fn(&ProgramDoc) -> String| {
        let mut counts: HashMap<String, u32> = HashMap::new();
        for p in matching(Some(filter)) {
            *counts.entry(key(&index.docs[p])).or_default() += 1;
        }
        FacetCounts::from(counts)
    };
    let organization = count(Filter::Organization, &|d| {
        index.organization(d).id.to_string()
    });
    assert!(
        organization.len() <= MAX_ORGANIZATIONS,
        "few enough to compare whole"
    );
    let flag = |filter: Filter, has: &dyn Fn(&ProgramDoc) -> bool| {
        matching(Some(filter))
            .into_iter()
            .filter(|&p| has(&index.docs[p]))
            .count() as u32
    };
    let start = (q.page as usize - 1) * q.per_page as usize;
    SearchResult {
        total: found.len() as u32,
        ids: found
            .iter()
            .skip(start)
            .take(q.per_page as usize)
            .map(|&p| index.docs[p].id)
            .collect(),
        facets: Facets {
            municipality: count(Filter::Municipality, &|d| {
                index.municipality_id(d).to_owned()
            }),
            organization,
            direction: count(Filter::Direction, &|d| d.direction.code().to_owned()),
            profile: count(Filter::Profile, &|d| index.profile(d).id.clone()),
            level: count(Filter::Level, &|d| d.level.code().to_owned()),
            financing: count(Filter::Financing, &|d| d.financing.code().to_owned()),
            ovz: flag(Filter::Ovz, &|d| d.ovz),
            open: flag(Filter::Open, &|d| d.enrollment_open(today())),
        },
    }
}

/// A query with each filter set now and then: one in `n` for a filter's `n`.
fn random_query(dice: &mut Dice, index: &CatalogIndex) -> CatalogQuery {
    let texts = [
        "шахматы",
        "робот",
        "клуб",
        "юный эколог",
        "елочка",
        "танцы студия",
        "и",
    ];
    CatalogQuery {
        text: dice.one_in(2).then(|| dice.pick(&texts).to_string()),
        municipality: dice
            .one_in(3)
            .then(|| dice.pick(&MUNICIPALITIES).to_string()),
        // Now and then an organization or profile the index does not have.
        organization: dice.one_in(6).then(|| 1 + dice.roll(32) as i64),
        direction: dice.one_in(3).then(|| *dice.pick(Direction::ALL)),
        profile: dice.one_in(6).then(|| match dice.one_in(10) {
            true => "karate".to_owned(),
            false => dice.pick(&index.profiles).id.clone(),
        }),
        age: dice.one_in(2).then(|| 3 + dice.roll(16) as u8),
        level: dice.one_in(4).then(|| *dice.pick(Level::ALL)),
        financing: dice.one_in(4).then(|| *dice.pick(Financing::ALL)),
        ovz: dice.one_in(5),
        open: dice.one_in(4),
        sort: *dice.pick(&[Sort::Relevance, Sort::Title, Sort::Newest]),
        page: 1 + dice.roll(4) as u32,
        per_page: 1 + dice.roll(40) as u32,
        bbox: dice.one_in(8).then_some(BBox {
            west: 32.2,
            south: 54.1,
            east: 32.7,
            north: 54.6,
        }),
    }
}

#[test]
fn search_equals_the_plain_reference() {
    let mut dice = Dice(42);
    let index = built(&mut dice);
    assert!(
        index.docs.len() > 1000 && index.docs.len() < 1200,
        "dropped the orphans"
    );
    let mut nonempty = 0;
    for _ in 0..600 {
        let q = random_query(&mut dice, &index);
        let expected = reference(&index, &q);
        nonempty += usize::from(!expected.ids.is_empty());
        assert_eq!(index.search(&q, today()), expected, "{q:?}");
    }
    assert!(nonempty > 200, "the queries find things ({nonempty})");
}

#[test]
fn positions_are_title_order_and_the_map_follows_the_filters() {
    let mut dice = Dice(7);
    let index = built(&mut dice);
    let keys: Vec<String> = index
        .docs
        .iter()
        .map(|d| normalize(&d.title.to_lowercase()))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]));
    for _ in 0..100 {
        let q = random_query(&mut dice, &index);
        let (points, total) = index.points(&q, today(), None, usize::MAX);
        let q_all = CatalogQuery {
            page: 1,
            per_page: u32::MAX,
            sort: Sort::Title,
            ..q.clone()
        };
        let expected: Vec<i64> = reference(&index, &q_all)
            .ids
            .into_iter()
            .flat_map(|id| index.get(id).unwrap().groups.iter().map(|g| g.id))
            .collect();
        assert_eq!(total, expected.len());
        assert_eq!(
            points.iter().map(|p| p.group.id).collect::<Vec<_>>(),
            expected,
            "{q:?}"
        );
    }
}

#[test]
fn the_busiest_organizations_are_the_top_counts_with_ties_by_position() {
    let mut dice = Dice(3);
    for round in 0..200 {
        let len = dice.roll(1500);
        let top = 1 + dice.roll(30);
        let counts: Vec<u32> = (0..len).map(|_| dice.roll(top) as u32).collect();
        let chosen = (round % 3 == 0 && len > 0).then(|| dice.roll(len) as u32);
        let mut expected: Vec<usize> = (0..len).filter(|&i| counts[i] > 0).collect();
        expected.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
        expected.truncate(MAX_ORGANIZATIONS);
        if let Some(c) = chosen.filter(|&c| counts[c as usize] > 0) {
            if !expected.contains(&(c as usize)) {
                expected.push(c as usize);
            }
        }
        expected.sort();
        // The order in which a search first counted them.
        let mut touched: Vec<u32> = (0..len as u32)
            .filter(|&i| counts[i as usize] > 0)
            .collect();
        for i in (1..touched.len()).rev() {
            touched.swap(i, dice.roll(i + 1));
        }
        let got: Vec<usize> = scan::busiest(&counts, &touched, chosen)
            .into_iter()
            .map(|i| i as usize)
            .collect();
        assert_eq!(got, expected, "round {round}");
    }
}
