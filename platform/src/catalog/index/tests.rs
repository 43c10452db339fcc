//! `CatalogIndex::search` against a plain reference: filter every program with the query,
//! count every facet value by dropping that one filter, sort everything, cut the page.
//! The reference takes text matches from `TextIndex::hits`, which `text.rs` checks
//! against tantivy's own query engine.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::catalog::model::{Direction, Financing, FinancingSet, Level, OrgKind, Rating};
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

    /// A nonempty set of financings; one financing alone half the time.
    fn financing(&mut self) -> FinancingSet {
        if self.one_in(2) {
            return FinancingSet::of(&[*self.pick(Financing::ALL)]);
        }
        let bits = 1 + self.roll((1 << Financing::ALL.len()) - 1);
        let items: Vec<Financing> = Financing::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, f)| *f)
            .collect();
        FinancingSet::of(&items)
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
            financing: dice.financing(),
            monthly_price: Money::from_kopecks(100_000),
            created_at: format!("2026-0{}-1{} 10:00:00", 1 + dice.roll(9), dice.roll(10)),
            cover: None,
            cover_card: None,
            rating: match dice.roll(3) {
                0 => Rating::default(),
                _ => {
                    let count = 1 + dice.roll(40) as u32;
                    Rating {
                        count,
                        sum: count + dice.roll(4 * count as usize + 1) as u32,
                    }
                }
            },
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
                accepting: dice.roll(4) != 0,
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
        && (!on(Filter::Financing) || q.financing.is_none_or(|x| d.financing.contains(x)))
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
        Sort::Rating => {
            // Rated first, by the weighted rating; then the unrated; ties by title.
            let mean = Rating::mean_of(index.docs.iter().map(|d| d.rating));
            let key = |p: usize| {
                let r = index.docs[p].rating;
                (r.count == 0, -r.weighted(mean))
            };
            found.sort_by(|&a, &b| {
                let (ka, kb) = (key(a), key(b));
                ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1)).then(a.cmp(&b))
            })
        }
        _ => {}
    }
    // A program counts for each value it has (several financings: for each).
    let counts = |filter: Filter, keys: &dyn Fn(&ProgramDoc) -> Vec<String>| {
        let mut counts: HashMap<String, u32> = HashMap::new();
        for p in matching(Some(filter)) {
            for key in keys(&index.docs[p]) {
                *counts.entry(key).or_default() += 1;
            }
        }
        FacetCounts::from(counts)
    };
    let count =
        |filter: Filter, key: &dyn Fn(&ProgramDoc) -> String| counts(filter, &|d| vec![key(d)]);
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
            financing: counts(Filter::Financing, &|d| {
                d.financing
                    .items()
                    .iter()
                    .map(|f| f.code().to_owned())
                    .collect()
            }),
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
        sort: *dice.pick(&[Sort::Relevance, Sort::Title, Sort::Newest, Sort::Rating]),
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
fn a_program_of_several_financings_is_found_and_counted_by_each() {
    let mut dice = Dice(1);
    let (mut catalog, profiles, groups) = catalog(&mut dice);
    let both = FinancingSet::of(&[Financing::Certificate, Financing::Paid]);
    for p in &mut catalog.programs {
        p.financing = FinancingSet::of(&[Financing::Free]);
    }
    catalog.programs[0].financing = both;
    catalog.programs[1].financing = FinancingSet::of(&[Financing::Paid]);
    let (first, second) = (catalog.programs[0].id, catalog.programs[1].id);
    let index = CatalogIndex::build(1, catalog, profiles, || Ok(groups)).unwrap();
    let search = |financing: Option<Financing>| {
        let q = CatalogQuery {
            financing,
            page: 1,
            per_page: 100,
            sort: Sort::Title,
            ..Default::default()
        };
        index.search(&q, today())
    };
    let paid = search(Some(Financing::Paid));
    assert_eq!(paid.total, 2);
    assert!(paid.ids.contains(&first) && paid.ids.contains(&second));
    assert_eq!(search(Some(Financing::Certificate)).ids, [first]);
    assert!(!search(Some(Financing::Free)).ids.contains(&first));
    let all = search(None).facets.financing;
    assert_eq!((all.get("certificate"), all.get("paid")), (1, 2), "{all:?}");
    assert_eq!(all.get("free") as usize, index.docs.len() - 2);
    // Filtered by one financing, its counts leave that filter out, as every filter's do.
    let within = paid.facets.financing;
    assert_eq!(
        (within.get("paid"), within.get("certificate")),
        (2, 1),
        "{within:?}"
    );
    // Its card names one: the certificate.
    assert_eq!(
        index.get(first).unwrap().financing.primary(),
        Financing::Certificate
    );
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

/// The region's catalog as the database holds it, for applying random edits to.
struct Region {
    organizations: Vec<Organization>,
    profiles: Vec<Profile>,
    /// Every program, published or not, by id.
    programs: std::collections::BTreeMap<i64, (ListedProgram, bool)>,
    groups: Vec<GroupLocation>,
    next_id: i64,
}

impl Region {
    fn new(dice: &mut Dice) -> Self {
        let (catalog, profiles, groups) = catalog(dice);
        let mut programs = std::collections::BTreeMap::new();
        for mut p in catalog.programs {
            // Descriptions of every length: a long one's length is stored rounded by
            // tantivy, and BM25 must still see the exact total.
            p.description = (0..1 + dice.roll(90))
                .map(|_| dice.pick(&TITLES).to_lowercase())
                .collect::<Vec<_>>()
                .join(" ");
            programs.insert(p.id, (p, true));
        }
        Self {
            organizations: catalog.organizations,
            profiles,
            next_id: 10_000,
            programs,
            groups,
        }
    }

    fn published(&self) -> impl Iterator<Item = &ListedProgram> {
        self.programs.values().filter(|(_, on)| *on).map(|(p, _)| p)
    }

    fn fresh(&self, version: i64) -> CatalogIndex {
        let catalog = PublishedCatalog {
            organizations: self.organizations.clone(),
            programs: self.published().cloned().collect(),
        };
        let groups = self.groups.clone();
        CatalogIndex::build(version, catalog, self.profiles.clone(), || Ok(groups)).unwrap()
    }

    /// What the index would read for the programs `ids` and organizations `orgs`.
    fn changes(&self, ids: Vec<i64>, orgs: &[i64]) -> Changes {
        let programs: Vec<ListedProgram> = ids
            .iter()
            .filter_map(|id| self.programs.get(id))
            .filter(|(_, on)| *on)
            .map(|(p, _)| p.clone())
            .collect();
        let mut groups: Vec<GroupLocation> = self
            .groups
            .iter()
            .filter(|g| programs.iter().any(|p| p.id == g.program_id))
            .cloned()
            .collect();
        groups.sort_by_key(|g| g.id);
        Changes {
            ids,
            programs,
            groups,
            organizations: self
                .organizations
                .iter()
                .filter(|o| orgs.contains(&o.id))
                .cloned()
                .collect(),
            profiles: self.profiles.clone(),
        }
    }

    /// Changes one thing at random; returns the programs and the organization it touched.
    fn edit(&mut self, dice: &mut Dice) -> (Vec<i64>, Option<i64>) {
        let ids: Vec<i64> = self.programs.keys().copied().collect();
        let id = *dice.pick(&ids);
        let (p, on) = self.programs.get_mut(&id).unwrap();
        match dice.roll(10) {
            // A new title moves the program's rank.
            0 => p.title = format!("{} {}", dice.pick(&TITLES), dice.roll(50)),
            1 => {
                p.direction = *dice.pick(Direction::ALL);
                p.profile_id = format!("{}-{}", p.direction.code(), dice.roll(2));
            }
            // Another organization: another municipality too, usually.
            2 => p.organization_id = 1 + dice.roll(30) as i64,
            3 => {
                let min = 3 + dice.roll(14) as u8;
                p.ages = AgeRange::new(min, min + dice.roll((19 - min) as usize) as u8).unwrap();
                p.ovz = !p.ovz;
                p.financing = dice.financing();
                p.level = *dice.pick(Level::ALL);
            }
            // Unpublished, or published again.
            4 => *on = !*on,
            5 => {
                let mut new = p.clone();
                new.id = self.next_id;
                new.title = format!("{} новая {}", dice.pick(&TITLES), dice.roll(50));
                new.created_at = format!("2026-1{} 10:00:00", dice.roll(3));
                self.next_id += 1;
                let id = new.id;
                self.programs.insert(id, (new, true));
                return (vec![id], None);
            }
            6 => {
                let opens = today() - chrono::Days::new(dice.roll(10) as u64);
                self.next_id += 1;
                self.groups.push(GroupLocation {
                    id: 1_000_000 + self.next_id,
                    program_id: id,
                    name: "Новая группа".into(),
                    address: String::new(),
                    location: LatLon {
                        lat: 54.0 + dice.roll(100) as f64 / 100.0,
                        lon: 32.0 + dice.roll(100) as f64 / 100.0,
                    },
                    enroll_from: opens,
                    enroll_to: opens + chrono::Days::new(dice.roll(20) as u64),
                    accepting: dice.roll(4) != 0,
                });
            }
            7 => {
                if let Some(g) = self.groups.iter().position(|g| g.program_id == id) {
                    self.groups.remove(g);
                }
            }
            8 => {
                p.description = format!("{} {}", p.description, dice.pick(&TITLES));
                p.title = p.title.replace("Футбол", "Мини-футбол");
            }
            // The organization's phone: each of its programs reported, nothing to change.
            _ => {
                let org = p.organization_id;
                let of_org = self
                    .programs
                    .values()
                    .filter(|(p, _)| p.organization_id == org)
                    .map(|(p, _)| p.id)
                    .collect();
                return (of_org, Some(org));
            }
        }
        (vec![id], None)
    }
}

/// Compares every kind of answer of an index made by applying changes with a fresh build's.
fn assert_same(applied: &CatalogIndex, fresh: &CatalogIndex, dice: &mut Dice, round: usize) {
    assert_eq!(applied.version, fresh.version);
    let ids = |i: &CatalogIndex| i.docs.iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(ids(applied), ids(fresh), "round {round}: title order");
    for d in &fresh.docs {
        assert_eq!(applied.position(d.id), fresh.position(d.id));
        let a = applied.get(d.id).unwrap();
        assert_eq!(
            (a.organization, a.municipality, a.profile, &a.created_at),
            (d.organization, d.municipality, d.profile, &d.created_at)
        );
    }
    for _ in 0..40 {
        let q = random_query(dice, fresh);
        assert_eq!(
            applied.search(&q, today()),
            fresh.search(&q, today()),
            "round {round}: {q:?}"
        );
        let limit = [5, usize::MAX][dice.roll(2)];
        let points = |i: &CatalogIndex| {
            let (points, total) = i.points(&q, today(), q.bbox.as_ref(), limit);
            let ids: Vec<(i64, i64)> = points.iter().map(|p| (p.program.id, p.group.id)).collect();
            (ids, total)
        };
        assert_eq!(
            points(applied),
            points(fresh),
            "round {round}: map of {q:?}"
        );
    }
    // The text scores, not only the order they give.
    for text in ["шахматы", "робот", "клуб юный", "студия", "футбол"]
    {
        let mut a = applied.text.hits(text).unwrap();
        let mut f = fresh.text.hits(text).unwrap();
        a.sort_by_key(|h| h.0);
        f.sort_by_key(|h| h.0);
        assert_eq!(a, f, "round {round}: scores of {text}");
    }
}

#[test]
fn applied_changes_answer_as_a_fresh_build_does() {
    let mut dice = Dice(11);
    let mut region = Region::new(&mut dice);
    let mut index = region.fresh(1);
    let (mut applied, mut declined, mut most) = (0, 0, 0);
    for round in 0..60 {
        let version = round as i64 + 2;
        let mut ids = Vec::new();
        let mut orgs = Vec::new();
        for _ in 0..1 + dice.roll(4) {
            let (touched, org) = region.edit(&mut dice);
            ids.extend(touched);
            orgs.extend(org);
        }
        ids.sort_unstable();
        ids.dedup();
        let fresh = region.fresh(version);
        // A search first: the day's «идёт набор» flags are carried over.
        index.search(&random_query(&mut dice, &index), today());
        index = match index
            .apply(version, region.changes(ids.clone(), &orgs))
            .unwrap()
        {
            Some(next) => {
                applied += 1;
                // The records of the programs not changed are shared, not copied (their
                // rendered cards with them).
                for d in next.docs.iter().filter(|d| !ids.contains(&d.id)) {
                    let before = index.get(d.id).expect("it was there");
                    assert!(std::ptr::eq(before, d), "round {round}: {} copied", d.id);
                }
                next
            }
            None => {
                declined += 1;
                region.fresh(version)
            }
        };
        assert_same(&index, &fresh, &mut dice, round);
        most = most.max(index.applied());
    }
    // Programs of an organization the catalog does not have are touched too: left out,
    // as a full build leaves them out, not declined.
    assert_eq!(declined, 0, "applied {applied}");
    // A decline starts again from a full build: the longest run of applied changes counts.
    assert!(most > 100, "across merges of the changes' text: {most}");
}

#[test]
fn a_renamed_organization_is_left_to_a_full_build() {
    let mut dice = Dice(5);
    let mut region = Region::new(&mut dice);
    let index = region.fresh(1);
    let name = std::mem::replace(&mut region.organizations[0].name, "Новое имя".into());
    let org = region.organizations[0].id;
    assert!(index
        .apply(2, region.changes(vec![], &[org]))
        .unwrap()
        .is_none());
    region.organizations[0].name = name;
    let same = index.apply(2, region.changes(vec![], &[org])).unwrap();
    assert!(same.is_some(), "an organization saved unchanged");
    let unchanged = index
        .apply(2, region.changes(vec![], &[]))
        .unwrap()
        .unwrap();
    assert_same(&unchanged, &region.fresh(2), &mut dice, 0);
}
