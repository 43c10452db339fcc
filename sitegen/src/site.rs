//! The pages of a region's static copy: which exist, where each lives, and how each is
//! rendered. Every link is relative (see `platform::templates::Links::Static`), so the copy works
//! under any path prefix and from disk.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};

use chrono::NaiveDate;
use minijinja::context;
use platform::catalog::model::Direction;
use platform::catalog::store::{Group, ListedProgram, Organization, Profile, Program};
use platform::catalog::views::{
    OrganizationDetail, OrganizationView, PlaceView, ProgramCard, ProgramDetail, ProgramSummary,
};
use platform::domain::plural;
use platform::regions::view::RegionInfo;
use platform::regions::Tenant;
use platform::settings::MapTiles;
use platform::templates::{Links, Templates};
use platform::web::{Layout, Pager};
use serde::Serialize;

use crate::data;
use crate::error::SitegenError;
use crate::source::Snapshot;

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/", $name)))),*]
    };
}

/// The copy's own pages; everything else comes from the dynamic site's templates.
pub const TEMPLATES: &[(&str, &str)] = templates!(
    "site_index.html",
    "site_listing.html",
    "site_map.html",
    "site_404.html",
);

/// Scripts of the copy that the dynamic site does not have.
pub const SCRIPTS: &[(&str, &[u8])] = &[(
    "catalog.js",
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/catalog.js")),
)];

const NOT_FOUND: &str = "404.html";

/// Programs per catalog page.
pub const PER_PAGE: usize = 50;

/// Above this many group locations, the region-wide map asks to pick a municipality
/// instead of loading every point into the browser.
pub const MAP_LIMIT: usize = 20_000;

/// A static copy shows no day-dependent facts («идёт набор» is the dynamic site's); views
/// that compute them get this fixed day, so the bytes do not depend on the day of the run.
fn no_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date")
}

/// One file of the copy.
pub struct File {
    pub path: String,
    pub content: Vec<u8>,
}

/// A unit of work for the renderers; `path` is known before rendering (for the sitemap).
#[derive(Debug, Clone)]
pub enum Job {
    Index,
    Listing {
        list: ListId,
        page: usize,
    },
    Organization {
        id: i64,
        page: usize,
    },
    Program(usize),
    Map(Option<String>),
    Geo(String),
    Data,
    NotFound,
    Robots,
    Sitemap(usize),
    Asset(&'static str, &'static [u8]),
    Logo,
    /// A stored photo, by key.
    Media(String),
}

/// The catalog lists: the whole catalog (one page: the alphabetical index and the
/// filter), by direction, by municipality; each of them whole or by first letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListId {
    pub scope: ListScope,
    /// An index into `LETTERS`.
    pub letter: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ListScope {
    All,
    Direction(Direction),
    Municipality(String),
}

/// Lists longer than this (and the whole catalog always) are paged by first letter: their
/// first page is an alphabetical index, each letter has its pages. Publishing or
/// withdrawing a program then shifts the pages of its letter only, not every page after it
/// (a rerun and a CDN sync move tens of files, not thousands).
const SPLIT_ABOVE: usize = 10 * PER_PAGE;

/// The alphabetical index.
const LETTERS: [&str; 35] = [
    "А", "Б", "В", "Г", "Д", "Е", "Ж", "З", "И", "Й", "К", "Л", "М", "Н", "О", "П", "Р", "С", "Т",
    "У", "Ф", "Х", "Ц", "Ч", "Ш", "Щ", "Ъ", "Ы", "Ь", "Э", "Ю", "Я", "0–9", "A–Z", "…",
];

/// The index of `title`'s letter in `LETTERS`: its first letter or digit (quotes and
/// the like skipped), Ё under Е.
fn letter_of(title: &str) -> usize {
    let Some(c) = title.chars().find(|c| c.is_alphanumeric()) else {
        return LETTERS.len() - 1;
    };
    let upper = c.to_uppercase().next().unwrap_or(c);
    let upper = if upper == 'Ё' { 'Е' } else { upper };
    if let Some(i) = LETTERS[..32].iter().position(|l| l.starts_with(upper)) {
        return i;
    }
    if upper.is_ascii_digit() {
        32
    } else if upper.is_ascii_alphabetic() {
        33
    } else {
        34
    }
}

impl ListId {
    fn whole(scope: ListScope) -> Self {
        Self {
            scope,
            letter: None,
        }
    }

    fn folder(&self) -> String {
        let scope = match &self.scope {
            ListScope::All => "programs".to_owned(),
            ListScope::Direction(d) => format!("directions/{}", d.code()),
            ListScope::Municipality(m) => format!("municipalities/{m}"),
        };
        match self.letter {
            None => scope,
            Some(n) => format!("{scope}/letter-{n}"),
        }
    }
}

fn page_file(folder: &str, page: usize) -> String {
    format!("{folder}/{}", page_name(page))
}

/// A list's page `page` in its folder.
fn page_name(page: usize) -> String {
    if page == 1 {
        "index.html".to_owned()
    } else {
        format!("page-{page}.html")
    }
}

/// `../` once per folder between `path` and the top of the copy.
fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

fn pages_of(n: usize) -> usize {
    n.div_ceil(PER_PAGE).max(1)
}

/// The items on page `page` (from 1) of a list.
fn page_slice(items: &[usize], page: usize) -> &[usize] {
    &items[(page - 1) * PER_PAGE..(page * PER_PAGE).min(items.len())]
}

/// Links between the pages of one list: they are files of one folder.
fn pager(page: usize, pages: usize) -> Pager {
    Pager::new(page as u32, pages as u32, |n| page_name(n as usize))
}

/// A filter choice on the copy's pages.
#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    count: usize,
    points: usize,
    selected: bool,
}

pub struct Site<'a> {
    pub tenant: &'a Tenant,
    pub snap: &'a Snapshot,
    host: String,
    site_url: Option<String>,
    tiles: Option<MapTiles>,
    templates: Templates,
    orgs: HashMap<i64, &'a Organization>,
    profiles: HashMap<&'a str, &'a Profile>,
    /// Indexes into `snap.programs`, by title, per list.
    lists: BTreeMap<ListId, Vec<usize>>,
    by_org: HashMap<i64, Vec<usize>>,
    /// Places of study per organization (indexes into `snap.places`).
    places: HashMap<i64, Vec<usize>>,
    /// Group locations per municipality (indexes into `snap.locations`).
    points: BTreeMap<String, Vec<usize>>,
    /// Per program (index into `snap.programs`): a digest of what its card shows.
    card_digests: Vec<u64>,
    /// Program id → index into `snap.programs`.
    pub program_index: HashMap<i64, usize>,
}

fn program_positions(snap: &Snapshot) -> HashMap<i64, usize> {
    snap.programs
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect()
}

/// Titles sort without regard to case and ё, then by id.
fn title_key(title: &str) -> String {
    title.to_lowercase().replace('ё', "е")
}

impl<'a> Site<'a> {
    pub fn new(
        tenant: &'a Tenant,
        snap: &'a Snapshot,
        host: &str,
        site_url: Option<String>,
        tiles: Option<MapTiles>,
    ) -> Self {
        let orgs: HashMap<i64, &Organization> =
            snap.organizations.iter().map(|o| (o.id, o)).collect();
        let profiles: HashMap<&str, &Profile> =
            snap.profiles.iter().map(|p| (p.id.as_str(), p)).collect();
        let mut order: Vec<(String, i64, usize)> = snap
            .programs
            .iter()
            .enumerate()
            .map(|(i, p)| (title_key(&p.title), p.id, i))
            .collect();
        order.sort();
        // Every direction and municipality has its page, empty or not: pages link to them
        // whatever the catalog holds.
        let mut lists: BTreeMap<ListId, Vec<usize>> = BTreeMap::new();
        let scopes = std::iter::once(ListScope::All)
            .chain(Direction::ALL.iter().map(|d| ListScope::Direction(*d)))
            .chain(
                tenant
                    .config
                    .municipalities
                    .iter()
                    .map(|m| ListScope::Municipality(m.id.as_str().to_owned())),
            );
        for scope in scopes {
            lists.insert(ListId::whole(scope), Vec::new());
        }
        let mut by_org: HashMap<i64, Vec<usize>> = HashMap::new();
        for (_, _, i) in &order {
            let p = &snap.programs[*i];
            let letter = Some(letter_of(&p.title));
            let mut scopes = vec![ListScope::All, ListScope::Direction(p.direction)];
            if let Some(o) = orgs.get(&p.organization_id) {
                scopes.push(ListScope::Municipality(o.municipality_id.clone()));
            }
            for scope in scopes {
                lists
                    .entry(ListId {
                        scope: scope.clone(),
                        letter,
                    })
                    .or_default()
                    .push(*i);
                lists.entry(ListId::whole(scope)).or_default().push(*i);
            }
            by_org.entry(p.organization_id).or_default().push(*i);
        }
        let mut places: HashMap<i64, Vec<usize>> = HashMap::new();
        for (i, (org, _, _)) in snap.places.iter().enumerate() {
            places.entry(*org).or_default().push(i);
        }
        let program_org: HashMap<i64, i64> = snap
            .programs
            .iter()
            .map(|p| (p.id, p.organization_id))
            .collect();
        let mut points: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, g) in snap.locations.iter().enumerate() {
            let muni = program_org
                .get(&g.program_id)
                .and_then(|o| orgs.get(o))
                .map(|o| o.municipality_id.clone());
            if let Some(m) = muni {
                points.entry(m).or_default().push(i);
            }
        }
        // What `ProgramCard::listed` reads (municipality names come from the settings,
        // which a copy's manifest covers as a whole).
        let card_digests = snap
            .programs
            .iter()
            .map(|p| {
                let mut h = std::hash::DefaultHasher::new();
                (
                    p.id,
                    &p.title,
                    p.organization_id,
                    p.direction,
                    &p.profile_id,
                )
                    .hash(&mut h);
                (p.level, p.ages.min(), p.ages.max(), p.ovz, p.financing).hash(&mut h);
                p.monthly_price.kopecks().hash(&mut h);
                p.cover_card.hash(&mut h);
                if let Some(o) = orgs.get(&p.organization_id) {
                    (&o.short_name, &o.municipality_id).hash(&mut h);
                }
                if let Some(profile) = profiles.get(p.profile_id.as_str()) {
                    profile.name.hash(&mut h);
                }
                h.finish()
            })
            .collect();
        Self {
            tenant,
            snap,
            host: host.to_owned(),
            card_digests,
            program_index: program_positions(snap),
            site_url,
            tiles,
            templates: Templates::with(
                Links::Static {
                    host: host.to_owned(),
                },
                TEMPLATES,
            ),
            orgs,
            profiles,
            lists,
            by_org,
            places,
            points,
        }
    }

    /// Every file of the copy but the program pages not in this run's snapshot.
    pub fn jobs(&self) -> Vec<Job> {
        let mut jobs = vec![
            Job::Index,
            Job::Data,
            Job::NotFound,
            Job::Robots,
            Job::Map(None),
        ];
        for (list, items) in &self.lists {
            let pages = match (list.letter, self.is_split(&list.scope)) {
                // The alphabetical index.
                (None, true) => 1,
                (None, false) | (Some(_), true) => pages_of(items.len()),
                // A short list has no letter pages.
                (Some(_), false) => continue,
            };
            for page in 1..=pages {
                jobs.push(Job::Listing {
                    list: list.clone(),
                    page,
                });
            }
        }
        for o in &self.snap.organizations {
            let n = self.by_org.get(&o.id).map_or(0, Vec::len);
            for page in 1..=pages_of(n) {
                jobs.push(Job::Organization { id: o.id, page });
            }
        }
        for m in self.points.keys() {
            jobs.push(Job::Map(Some(m.clone())));
            jobs.push(Job::Geo(m.clone()));
        }
        jobs.extend((0..self.snap.details.len()).map(Job::Program));
        for (name, body) in platform::templates::assets::all().chain(SCRIPTS.iter().copied()) {
            jobs.push(Job::Asset(name, body));
        }
        if self.tenant.logo.is_some() {
            jobs.push(Job::Logo);
        }
        jobs.extend(
            self.snap
                .media_keys()
                .into_iter()
                .map(|k| Job::Media(k.to_owned())),
        );
        jobs
    }

    pub fn path(&self, job: &Job) -> String {
        match job {
            Job::Index => "index.html".to_owned(),
            Job::Listing { list, page } => page_file(&list.folder(), *page),
            Job::Organization { id, page } => page_file(&format!("organizations/{id}"), *page),
            Job::Program(i) => program_path(self.snap.details[*i].0.id),
            Job::Map(None) => "map.html".to_owned(),
            Job::Map(Some(m)) => format!("maps/{m}.html"),
            Job::Geo(m) => format!("geo/{m}.geojson"),
            Job::Data => "data/programs.json".to_owned(),
            Job::NotFound => NOT_FOUND.to_owned(),
            Job::Robots => "robots.txt".to_owned(),
            Job::Sitemap(0) => "sitemap.xml".to_owned(),
            Job::Sitemap(n) => format!("sitemaps/sitemap-{n}.xml"),
            Job::Asset(name, _) => format!("static/{name}"),
            Job::Logo => format!(
                "static/logo.{}",
                self.tenant.logo.as_ref().map_or("png", |l| l.extension())
            ),
            Job::Media(key) => media_path(key),
        }
    }

    /// For a list page, a digest of everything it shows that comes from the catalog: the
    /// same digest as last run (same build and settings) means the same bytes, so the page
    /// need not be rendered again. `None` for files rendered every run.
    pub fn signature(&self, job: &Job) -> Option<String> {
        if let Job::Media(key) = job {
            // The key is the SHA-256 of the file: the same key, the same bytes.
            return Some(key.clone());
        }
        let mut h = std::hash::DefaultHasher::new();
        self.path(job).hash(&mut h);
        match job {
            Job::Listing { list, page } => {
                let items = self.lists.get(list).map_or(&[][..], |v| v);
                let has_map = matches!(&list.scope,
                    ListScope::Municipality(m) if self.points.contains_key(m));
                let split = self.is_split(&list.scope);
                (has_map, split).hash(&mut h);
                if split {
                    let counts = self.letter_counts(&list.scope);
                    if list.letter.is_none() {
                        // The alphabetical index has no cards: its letters with their
                        // counts, and the total (the filter).
                        (counts, items.len()).hash(&mut h);
                        return Some(format!("{:016x}", h.finish()));
                    }
                    // A letter's page links the other letters, without counts.
                    counts
                        .iter()
                        .map(|n| *n > 0)
                        .collect::<Vec<_>>()
                        .hash(&mut h);
                }
                self.hash_page(&mut h, items, *page);
            }
            Job::Organization { id, page } => {
                let org = self.orgs.get(id)?;
                serde_json::to_string(&OrganizationView::of(org, self.tenant))
                    .expect("views serialize")
                    .hash(&mut h);
                for place in self.places_of(*id) {
                    (&place.address, place.lat.to_bits(), place.lon.to_bits()).hash(&mut h);
                }
                self.hash_page(&mut h, self.by_org.get(id).map_or(&[][..], |v| v), *page);
            }
            Job::Geo(m) => {
                // A map file shows its points and, of each point's program, card data.
                for i in self.points.get(m).map_or(&[][..], |v| v) {
                    let g = &self.snap.locations[*i];
                    (g.id, &g.name, &g.address).hash(&mut h);
                    (g.location.lat.to_bits(), g.location.lon.to_bits()).hash(&mut h);
                    self.program_index
                        .get(&g.program_id)
                        .map(|p| self.card_digests[*p])
                        .hash(&mut h);
                }
            }
            _ => return None,
        }
        Some(format!("{:016x}", h.finish()))
    }

    /// What a page of a list of cards shows: how many pages and items, and its cards.
    fn hash_page(&self, h: &mut impl Hasher, items: &[usize], page: usize) {
        (pages_of(items.len()), items.len()).hash(h);
        for i in page_slice(items, page) {
            self.card_digests[*i].hash(h);
        }
    }

    pub fn render(&self, job: &Job, sitemap: &[Vec<String>]) -> Result<File, SitegenError> {
        let path = self.path(job);
        let content = match job {
            Job::Index => self.page("site_index.html", &path, self.index_context())?,
            Job::Listing { list, page } => self.listing(list, *page, &path)?,
            Job::Organization { id, page } => self.organization(*id, *page, &path)?,
            Job::Program(i) => {
                let (program, groups) = &self.snap.details[*i];
                self.program(program, groups, &path)?
            }
            Job::Map(muni) => self.map(muni.as_deref(), &path)?,
            Job::Geo(m) => data::geojson(self, self.points.get(m).map_or(&[][..], |v| v)),
            Job::Data => data::programs_json(self),
            Job::NotFound => self.page("site_404.html", &path, context! {})?,
            Job::Robots => data::robots(self.site_url.as_deref()),
            Job::Sitemap(0) => data::sitemap_root(self.site_url(), sitemap),
            Job::Sitemap(n) => data::sitemap(self.site_url(), &sitemap[*n - 1]),
            Job::Asset(_, body) => body.to_vec(),
            Job::Logo => self
                .tenant
                .logo
                .as_ref()
                .map_or_else(Vec::new, |l| l.bytes.clone()),
            Job::Media(key) => {
                self.snap
                    .media
                    .get(key)
                    .cloned()
                    .ok_or_else(|| SitegenError::Media {
                        key: key.clone(),
                        message: "не прочитана из хранилища".to_owned(),
                    })?
            }
        };
        Ok(File { path, content })
    }

    fn page(
        &self,
        template: &str,
        path: &str,
        extra: minijinja::Value,
    ) -> Result<Vec<u8>, SitegenError> {
        // A CDN serves 404.html at whatever address was missing, so its links start where
        // the copy is published: its address when given, else the server's root.
        let root = if path == NOT_FOUND {
            self.site_url
                .as_deref()
                .map_or_else(|| "/".to_owned(), |u| format!("{u}/"))
        } else {
            root_of(path)
        };
        let layout = Layout::for_static(self.tenant, &root, &self.host);
        let ctx = context! { layout, root, ..extra };
        self.templates
            .render(template, ctx)
            .map(String::into_bytes)
            .map_err(|e| SitegenError::Template(format!("{template} ({path}): {e:#}")))
    }

    /// Where the copy is published; sitemaps are written only when it is known.
    fn site_url(&self) -> &str {
        self.site_url.as_deref().unwrap_or_default()
    }

    /// An organization's places of study, as its page lists them.
    fn places_of(&self, org: i64) -> Vec<PlaceView> {
        self.places
            .get(&org)
            .map_or(&[][..], |v| v)
            .iter()
            .map(|i| {
                let (_, address, at) = &self.snap.places[*i];
                PlaceView {
                    address: address.clone(),
                    lat: at.lat,
                    lon: at.lon,
                }
            })
            .collect()
    }

    pub fn organization_of(&self, p: &ListedProgram) -> Option<&'a Organization> {
        self.orgs.get(&p.organization_id).copied()
    }

    pub fn profile_of(&self, p: &ListedProgram) -> Option<&'a Profile> {
        self.profiles.get(p.profile_id.as_str()).copied()
    }

    pub fn municipality_name(&self, id: &str) -> String {
        self.tenant
            .config
            .municipality(id)
            .map_or_else(|| id.to_owned(), |m| m.name.clone())
    }

    pub fn municipality_points(&self) -> &BTreeMap<String, Vec<usize>> {
        &self.points
    }

    fn count(&self, list: &ListId) -> usize {
        self.lists.get(list).map_or(0, Vec::len)
    }

    fn is_split(&self, scope: &ListScope) -> bool {
        *scope == ListScope::All || self.count(&ListId::whole(scope.clone())) > SPLIT_ABOVE
    }

    fn directions(&self, current: Option<&ListScope>) -> Vec<Choice> {
        Direction::ALL
            .iter()
            .map(|d| {
                let scope = ListScope::Direction(*d);
                Choice {
                    value: d.code().to_owned(),
                    label: d.label().to_owned(),
                    count: self.count(&ListId::whole(scope.clone())),
                    points: 0,
                    selected: current == Some(&scope),
                }
            })
            .collect()
    }

    fn municipalities(&self, current: Option<&str>) -> Vec<Choice> {
        self.tenant
            .config
            .municipalities
            .iter()
            .map(|m| {
                let id = m.id.as_str();
                Choice {
                    value: id.to_owned(),
                    label: m.name.clone(),
                    count: self.count(&ListId::whole(ListScope::Municipality(id.to_owned()))),
                    points: self.points.get(id).map_or(0, Vec::len),
                    selected: current == Some(id),
                }
            })
            .collect()
    }

    fn index_context(&self) -> minijinja::Value {
        let info = RegionInfo::of(self.tenant);
        context! {
            total_text => total_text(self.snap.programs.len()),
            // As the dynamic home: the directions that have programs.
            directions => self.directions(None).into_iter().filter(|d| d.count > 0).collect::<Vec<_>>(),
            municipalities => self.municipalities(None),
            coordinator => info.coordinator,
        }
    }

    fn cards(&self, items: &[usize]) -> Vec<ProgramCard> {
        items
            .iter()
            .filter_map(|i| {
                let p = &self.snap.programs[*i];
                Some(ProgramCard::listed(
                    p,
                    self.organization_of(p)?,
                    self.profile_of(p)?,
                    self.tenant,
                ))
            })
            .collect()
    }

    /// Programs of `scope` per letter of `LETTERS`.
    fn letter_counts(&self, scope: &ListScope) -> Vec<usize> {
        (0..LETTERS.len())
            .map(|n| {
                self.count(&ListId {
                    scope: scope.clone(),
                    letter: Some(n),
                })
            })
            .collect()
    }

    fn letters(&self, scope: &ListScope, current: Option<usize>, root: &str) -> Vec<Choice> {
        self.letter_counts(scope)
            .into_iter()
            .enumerate()
            .filter(|(_, count)| *count > 0)
            .map(|(n, count)| {
                let list = ListId {
                    scope: scope.clone(),
                    letter: Some(n),
                };
                Choice {
                    value: format!("{root}{}", page_file(&list.folder(), 1)),
                    label: LETTERS[n].to_owned(),
                    // Only the index shows counts: on every letter's page they would make
                    // each of them change whenever a program comes or goes.
                    count: if current.is_none() { count } else { 0 },
                    points: 0,
                    selected: current == Some(n),
                }
            })
            .collect()
    }

    fn listing(&self, list: &ListId, page: usize, path: &str) -> Result<Vec<u8>, SitegenError> {
        let all = self.lists.get(list).map_or(&[][..], |v| v);
        let split = self.is_split(&list.scope);
        // An alphabetical index lists no cards: its letters (and the filter) lead on.
        let items = if split && list.letter.is_none() {
            &[][..]
        } else {
            all
        };
        let pages = pages_of(items.len());
        let slice = page_slice(items, page);
        let (base, current_muni) = match &list.scope {
            ListScope::All => ("Каталог программ".to_owned(), None),
            ListScope::Direction(d) => (format!("{} направленность", d.label()), None),
            ListScope::Municipality(m) => (self.municipality_name(m), Some(m.as_str())),
        };
        let heading = match (list.letter, &list.scope) {
            (None, _) => base,
            (Some(n), ListScope::All) => format!("Программы на «{}»", LETTERS[n]),
            (Some(n), _) => format!("{base}: программы на «{}»", LETTERS[n]),
        };
        let root = root_of(path);
        let map_url = match current_muni {
            Some(m) if self.points.contains_key(m) => format!("{root}maps/{m}.html"),
            _ => format!("{root}map.html"),
        };
        let pager = pager(page, pages);
        self.page(
            "site_listing.html",
            path,
            context! {
                heading,
                page,
                pager,
                map_url,
                filter => list.scope == ListScope::All && list.letter.is_none(),
                letters => split.then(|| self.letters(&list.scope, list.letter, &root)),
                total_text => total_text(all.len()),
                items => self.cards(slice),
                directions => self.directions(Some(&list.scope)),
                municipalities => self.municipalities(current_muni),
            },
        )
    }

    fn organization(&self, id: i64, page: usize, path: &str) -> Result<Vec<u8>, SitegenError> {
        let org = self.orgs.get(&id).expect("jobs name known organizations");
        let items = self.by_org.get(&id).map_or(&[][..], |v| v);
        let pages = pages_of(items.len());
        let slice = page_slice(items, page);
        let detail = OrganizationDetail {
            organization: OrganizationView::of(org, self.tenant),
            programs: slice
                .iter()
                .map(|i| ProgramSummary::listed(&self.snap.programs[*i]))
                .collect(),
            places: self.places_of(id),
        };
        let pager = pager(page, pages);
        self.page(
            "organization.html",
            path,
            context! { detail, pager, programs_total => items.len() },
        )
    }

    fn program(&self, p: &Program, groups: &[Group], path: &str) -> Result<Vec<u8>, SitegenError> {
        let org = self
            .orgs
            .get(&p.organization_id)
            .expect("a published program's organization is in the snapshot");
        let mut program =
            ProgramDetail::of(p, org, groups, &self.snap.profiles, self.tenant, no_day());
        program.latest_reviews = self.snap.reviews.get(&p.id).cloned().unwrap_or_default();
        self.page("program.html", path, context! { program })
    }

    fn map(&self, muni: Option<&str>, path: &str) -> Result<Vec<u8>, SitegenError> {
        let root = root_of(path);
        let cfg = &self.tenant.config;
        let (heading, files, count, center, zoom, list_url) = match muni {
            None => {
                let total: usize = self.points.values().map(Vec::len).sum();
                let files: Vec<String> = if total <= MAP_LIMIT {
                    self.points
                        .keys()
                        .map(|m| format!("{root}geo/{m}.geojson"))
                        .collect()
                } else {
                    Vec::new()
                };
                (
                    "Программы на карте".to_owned(),
                    files,
                    total,
                    cfg.map.center,
                    cfg.map.zoom,
                    format!("{root}programs/index.html"),
                )
            }
            Some(m) => {
                let center = cfg.municipality(m).map_or(cfg.map.center, |x| x.center);
                (
                    format!("{}: программы на карте", self.municipality_name(m)),
                    vec![format!("{root}geo/{m}.geojson")],
                    self.points.get(m).map_or(0, Vec::len),
                    center,
                    cfg.map.zoom.saturating_add(2).min(18),
                    format!("{root}municipalities/{m}/index.html"),
                )
            }
        };
        self.page(
            "site_map.html",
            path,
            context! {
                heading,
                files,
                current => muni,
                too_many => muni.is_none() && count > MAP_LIMIT,
                center => context! { lat => center.lat, lon => center.lon },
                zoom,
                tiles => &self.tiles,
                list_url,
                points_text => format!("{count} {} занятий", plural(count as u64, "место", "места", "мест")),
                municipalities => self.municipalities(muni),
            },
        )
    }
}

/// Where a stored photo lives in the copy (`link("media", key)` leads there).
pub fn media_path(key: &str) -> String {
    format!("media/{key}")
}

pub fn program_path(id: i64) -> String {
    format!("programs/{id}.html")
}

fn total_text(n: usize) -> String {
    format!(
        "{} {}",
        n,
        plural(n as u64, "программа", "программы", "программ")
    )
}
