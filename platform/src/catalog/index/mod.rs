//! One region's catalog in memory: every published program as a compact record for
//! filtering, faceting, sorting and the map, plus a tantivy index of its text with Russian
//! stemming. Built from the database for one catalog version and never modified; a new
//! version gets a new index, built from scratch or made from the previous one and the
//! programs that changed (`apply`), which must give the same answers (tested).
//!
//! Programs sit in title order: a program's position is its rank by title. A search
//! without text (the catalog's first page, a filter click) walks the positions in the
//! order of the page and keeps only the page, instead of collecting and sorting every
//! match.

mod apply;
mod docs;
mod facet_counts;
mod scan;
#[cfg(test)]
mod tests;
mod text;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::domain::{AgeRange, LatLon, Money, MAX_AGE};

use super::indexes::CatalogError;
use super::model::{Direction, Financing, FinancingSet, Level, Rating};
use super::query::{BBox, CatalogQuery, Sort};
use super::store::{GroupLocation, ListedProgram, Profile, PublishedCatalog};
use facet_counts::FacetIds;
use scan::{Attrs, OrgCounts, Scan, Wanted};
use text::{normalize, TextIndex, TextWriter};

pub use apply::Changes;
pub use docs::Docs;
pub use facet_counts::{AsMap, FacetCounts};
pub use scan::{Facets, MAX_ORGANIZATIONS};
pub use text::{stems, Stems};

/// A published program as the catalog lists it. Organization, municipality and profile are
/// positions in the index's tables, so filtering and counting 100 000 programs compares
/// and increments small integers, not strings.
#[derive(Debug, Clone)]
pub struct ProgramDoc {
    pub id: i64,
    pub title: String,
    pub organization: u32,
    pub municipality: u16,
    pub direction: Direction,
    pub profile: u16,
    pub level: Level,
    pub ages: AgeRange,
    pub ovz: bool,
    /// Every way of paying it offers: each financing filter finds it; its card shows
    /// `primary()`.
    pub financing: FinancingSet,
    pub monthly_price: Money,
    pub groups: Vec<GroupPoint>,
    /// The card's cover file (`storage::Key`), if the program has a cover.
    pub cover_card: Option<String>,
    /// When it was created, as stored: the order of «сначала новые».
    pub created_at: String,
    /// Its published reviews.
    pub rating: Rating,
    /// Its card as rendered (`cards.rs`): kept with the record, so the index versions that
    /// share the record (all but the changed programs', after an edit) share it too.
    pub card: CardKept,
}

/// Where `cards.rs` keeps a program's rendered card; empty in a copy of the record.
#[derive(Default)]
pub struct CardKept(pub std::sync::Mutex<Option<Arc<super::cards::Rendered>>>);

impl Clone for CardKept {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for CardKept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardKept")
    }
}

/// Where and when a group meets, for the map and «идёт набор».
#[derive(Debug, Clone)]
pub struct GroupPoint {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub location: LatLon,
    pub enroll_from: NaiveDate,
    pub enroll_to: NaiveDate,
    /// Open for enrollment: a closed group never says «идёт набор».
    pub accepting: bool,
}

impl ProgramDoc {
    /// The record of published program `p` (its groups are added after).
    fn of(p: ListedProgram, organization: u32, municipality: u16, profile: u16) -> Self {
        Self {
            id: p.id,
            title: p.title,
            organization,
            municipality,
            direction: p.direction,
            profile,
            level: p.level,
            ages: p.ages,
            ovz: p.ovz,
            financing: p.financing,
            monthly_price: p.monthly_price,
            groups: Vec::new(),
            created_at: p.created_at,
            cover_card: p.cover_card,
            rating: p.rating,
            card: CardKept::default(),
        }
    }

    fn enrollment_open(&self, today: NaiveDate) -> bool {
        self.groups
            .iter()
            .any(|g| g.accepting && g.enroll_from <= today && today <= g.enroll_to)
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    pub total: u32,
    pub ids: Vec<i64>,
    pub facets: Facets,
}

/// A group location on the map.
#[derive(Debug, Clone)]
pub struct MapPoint<'a> {
    pub program: &'a ProgramDoc,
    pub group: &'a GroupPoint,
}

/// An organization that has published programs.
#[derive(Debug, Clone)]
pub struct OrgEntry {
    pub id: i64,
    pub short_name: String,
}

/// The ids of each filter's values by position, the keys of a search's counts.
#[derive(Clone)]
struct FacetIdTables {
    municipality: FacetIds,
    organization: FacetIds,
    direction: FacetIds,
    profile: FacetIds,
    level: FacetIds,
    financing: FacetIds,
}

impl FacetIdTables {
    fn new(municipalities: &[String], orgs: &[OrgEntry], profiles: &[Profile]) -> Self {
        fn table<T>(items: &[T], id: impl Fn(&T) -> String) -> FacetIds {
            items.iter().map(id).collect()
        }
        Self {
            municipality: table(municipalities, String::clone),
            organization: table(orgs, |o| o.id.to_string()),
            direction: table(Direction::ALL, |d| d.code().to_owned()),
            profile: table(profiles, |p| p.id.clone()),
            level: table(Level::ALL, |l| l.code().to_owned()),
            financing: table(Financing::ALL, |f| f.code().to_owned()),
        }
    }
}

pub struct CatalogIndex {
    pub version: i64,
    /// In title order (see the module's comment). Shared with the next version's index
    /// when that one is made from this one (see `docs.rs`).
    pub docs: Docs,
    attrs: Vec<Attrs>,
    /// The region's profile dictionary at this version.
    pub profiles: Vec<Profile>,
    pub orgs: Vec<OrgEntry>,
    org_by_id: HashMap<i64, u32>,
    /// Per organization: its names as indexed and its municipality's position, to index a
    /// changed program and to tell whether the organization changed.
    org_texts: Vec<String>,
    org_municipality: Vec<u16>,
    /// Programs applied since the full build this index descends from.
    applied: usize,
    /// Each organization's rank by short name (ties by position): the organizer filter
    /// lists them in that order.
    org_name_rank: Vec<u32>,
    /// Municipality ids that organizations of this catalog are in.
    pub municipalities: Vec<String>,
    by_id: HashMap<i64, u32>,
    /// Positions newest first, and each position's rank in that order.
    newest: Vec<u32>,
    /// By age: the positions of the programs for children of that age. A search for a
    /// child's age walks these instead of every program (a third of them, typically).
    by_age: Vec<Vec<u32>>,
    newest_rank: Vec<u32>,
    /// The mean of every published review of the region: «по рейтингу» weighs a program's
    /// few reviews toward it.
    pub rating_mean: f64,
    text: TextIndex,
    /// Which docs take applications on a given day, computed once per day.
    open_on: std::sync::Mutex<Option<(NaiveDate, Arc<Vec<bool>>)>>,
    /// Organization counters of finished searches, zeroed, for the next ones.
    org_counts: std::sync::Mutex<Vec<OrgCounts>>,
    facet_ids: FacetIdTables,
}

impl CatalogIndex {
    /// Builds the index of one catalog version. CPU-bound: run it off the async threads.
    ///
    /// `groups` is called once the text is indexed: the caller loads group locations from
    /// the database meanwhile, so the two slowest steps of a build overlap.
    pub fn build(
        version: i64,
        catalog: PublishedCatalog,
        profiles: Vec<Profile>,
        groups: impl FnOnce() -> Result<Vec<GroupLocation>, CatalogError>,
    ) -> Result<Self, CatalogError> {
        let mut municipalities: Vec<String> = catalog
            .organizations
            .iter()
            .map(|o| o.municipality_id.clone())
            .collect();
        municipalities.sort();
        municipalities.dedup();
        let municipality_pos: HashMap<&str, u16> = municipalities
            .iter()
            .enumerate()
            .map(|(i, m)| (m.as_str(), i as u16))
            .collect();
        let orgs: Vec<OrgEntry> = catalog
            .organizations
            .iter()
            .map(|o| OrgEntry {
                id: o.id,
                short_name: o.short_name.clone(),
            })
            .collect();
        let org_by_id: HashMap<i64, u32> = orgs
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id, i as u32))
            .collect();
        let mut by_name: Vec<u32> = (0..orgs.len() as u32).collect();
        by_name.sort_by(|&a, &b| {
            orgs[a as usize]
                .short_name
                .cmp(&orgs[b as usize].short_name)
        });
        let org_name_rank = ranks(&by_name);
        let profile_pos: HashMap<&str, u16> = profiles
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i as u16))
            .collect();

        let mut programs: Vec<_> = catalog
            .programs
            .into_iter()
            .filter_map(|p| {
                // A program of an organization or profile the index does not know is
                // left out.
                let (&org, &profile) = org_by_id
                    .get(&p.organization_id)
                    .zip(profile_pos.get(p.profile_id.as_str()))?;
                Some((p, org, profile))
            })
            .collect();
        programs.sort_by_cached_key(|(p, _, _)| title_key(&p.title, p.id));
        let org_texts: Vec<String> = catalog
            .organizations
            .iter()
            .map(|o| format!("{} {}", o.name, o.short_name))
            .collect();
        let org_municipality: Vec<u16> = catalog
            .organizations
            .iter()
            .map(|o| municipality_pos[o.municipality_id.as_str()])
            .collect();

        let mut text = TextWriter::new()?;
        let mut docs = Vec::with_capacity(programs.len());
        for (p, org_pos, profile_at) in programs {
            let texts = doc_texts(
                &p,
                &org_texts[org_pos as usize],
                &profiles[usize::from(profile_at)],
            );
            text.add(
                docs.len() as u32,
                [&texts[0], &texts[1], &texts[2], &texts[3]],
            )?;
            docs.push(ProgramDoc::of(
                p,
                org_pos,
                org_municipality[org_pos as usize],
                profile_at,
            ));
        }
        let text = text.finish()?;

        let by_id: HashMap<i64, u32> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id, i as u32))
            .collect();
        // Groups of unpublished programs come too; they have no doc and are dropped.
        for g in groups()? {
            if let Some(&i) = by_id.get(&g.program_id) {
                docs[i as usize].groups.push(GroupPoint::from(g));
            }
        }

        // The database need not return a program's groups in order; the map lists them by id.
        for doc in &mut docs {
            doc.groups.sort_by_key(|g| g.id);
        }

        let mut newest: Vec<u32> = (0..docs.len() as u32).collect();
        newest.sort_by(|&a, &b| newest_first(&docs[a as usize], &docs[b as usize]));
        let newest_rank = ranks(&newest);
        let attrs: Vec<Attrs> = docs.iter().map(Attrs::of).collect();
        let by_age = by_age(&attrs);
        let rating_mean = Rating::mean_of(docs.iter().map(|d| d.rating));

        Ok(Self {
            version,
            rating_mean,
            facet_ids: FacetIdTables::new(&municipalities, &orgs, &profiles),
            by_age,
            profiles,
            orgs,
            org_by_id,
            org_texts,
            org_municipality,
            applied: 0,
            org_name_rank,
            municipalities,
            attrs,
            by_id,
            newest,
            newest_rank,
            docs: Docs::built(docs),
            text,
            open_on: std::sync::Mutex::new(None),
            org_counts: std::sync::Mutex::default(),
        })
    }

    pub fn organization(&self, doc: &ProgramDoc) -> &OrgEntry {
        &self.orgs[doc.organization as usize]
    }

    /// The organization at `position` and its rank by short name.
    pub fn org_at(&self, position: usize) -> (&OrgEntry, u32) {
        (&self.orgs[position], self.org_name_rank[position])
    }

    pub fn org_position(&self, id: i64) -> Option<u32> {
        self.org_by_id.get(&id).copied()
    }

    pub fn municipality_id(&self, doc: &ProgramDoc) -> &str {
        &self.municipalities[usize::from(doc.municipality)]
    }

    pub fn profile(&self, doc: &ProgramDoc) -> &Profile {
        &self.profiles[usize::from(doc.profile)]
    }

    pub fn get(&self, id: i64) -> Option<&ProgramDoc> {
        self.position(id).map(|i| &self.docs[i as usize])
    }

    /// The catalog position of the program `id`.
    pub fn position(&self, id: i64) -> Option<u32> {
        self.by_id.get(&id).copied()
    }

    /// For each doc, whether a group of it takes applications on `today`.
    fn open_today(&self, today: NaiveDate) -> Arc<Vec<bool>> {
        let mut slot = self.open_on.lock().expect("open lock");
        match slot.as_ref() {
            Some((day, open)) if *day == today => open.clone(),
            _ => {
                let open = Arc::new(
                    self.docs
                        .iter()
                        .map(|d| d.enrollment_open(today))
                        .collect::<Vec<_>>(),
                );
                *slot = Some((today, open.clone()));
                open
            }
        }
    }

    /// Puts the first `n` of `found` in the query's order (the rest stays unordered): a
    /// page needs its few results sorted, not all of them.
    fn order_first(&self, q: &CatalogQuery, found: &mut [(u32, f32)], n: usize) {
        let by_text = q.sort == Sort::Relevance && found.iter().any(|(_, s)| *s > 0.0);
        let newest = |i: u32| self.newest_rank[i as usize];
        let rating = |i: u32| rating_key(self.docs[i as usize].rating, self.rating_mean);
        let cmp = |a: &(u32, f32), b: &(u32, f32)| match (by_text, q.sort) {
            (true, _) => b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)),
            (false, Sort::Newest) => newest(a.0).cmp(&newest(b.0)),
            (false, Sort::Rating) => rating(a.0).cmp(&rating(b.0)).then(a.0.cmp(&b.0)),
            _ => a.0.cmp(&b.0),
        };
        let n = n.min(found.len());
        if n == 0 {
            return;
        }
        if n < found.len() {
            found.select_nth_unstable_by(n - 1, cmp);
        }
        found[..n].sort_unstable_by(cmp);
    }

    /// One page of results with counts.
    pub fn search(&self, q: &CatalogQuery, today: NaiveDate) -> SearchResult {
        let wanted = Wanted::of(self, q);
        let open = self.open_today(today);
        let mut scan = Scan::new(self, &wanted, &open);
        let per_page = q.per_page as usize;
        let start = (q.page.saturating_sub(1) as usize).saturating_mul(per_page);
        let end = start.saturating_add(per_page);
        let (total, page) = match q.text.as_deref().and_then(|t| self.text.hits(t)) {
            Some(hits) => {
                let mut found: Vec<(u32, f32)> =
                    hits.into_iter().filter(|(p, _)| scan.visit(*p)).collect();
                self.order_first(q, &mut found, end);
                let page = found.iter().skip(start).take(per_page).map(|h| h.0);
                (found.len(), page.collect())
            }
            // Without text, walk the programs in the page's order and keep the page only.
            None => {
                let mut page = Vec::with_capacity(per_page.min(self.docs.len()));
                let range = start..end;
                let for_age = q.age.and_then(|a| self.by_age.get(usize::from(a)));
                let total = match (q.sort, for_age) {
                    // No order to walk in: the page is chosen among all that pass.
                    (Sort::Rating, _) => {
                        let positions: Box<dyn Iterator<Item = u32>> = match for_age {
                            Some(positions) => Box::new(positions.iter().copied()),
                            None => Box::new(0..self.docs.len() as u32),
                        };
                        let mut found: Vec<(u32, f32)> = positions
                            .filter(|&p| scan.visit(p))
                            .map(|p| (p, 0.0))
                            .collect();
                        self.order_first(q, &mut found, end);
                        page.extend(found.iter().skip(start).take(per_page).map(|h| h.0));
                        found.len()
                    }
                    (Sort::Newest, _) => {
                        walk(&mut scan, self.newest.iter().copied(), range, &mut page)
                    }
                    (Sort::Relevance | Sort::Title, Some(positions)) => {
                        walk(&mut scan, positions.iter().copied(), range, &mut page)
                    }
                    (Sort::Relevance | Sort::Title, None) => {
                        walk(&mut scan, 0..self.docs.len() as u32, range, &mut page)
                    }
                };
                (total, page)
            }
        };
        SearchResult {
            total: total as u32,
            ids: page.iter().map(|&p| self.docs[p as usize].id).collect(),
            facets: scan.facets(),
        }
    }

    /// Group locations of matching programs inside `bbox` (all when `None`), at most `limit`,
    /// in title order; also returns how many there are in all.
    pub fn points(
        &self,
        q: &CatalogQuery,
        today: NaiveDate,
        bbox: Option<&BBox>,
        limit: usize,
    ) -> (Vec<MapPoint<'_>>, usize) {
        let wanted = Wanted::of(self, q);
        let open = self.open_today(today);
        let mut scan = Scan::new(self, &wanted, &open);
        let mut found: Vec<u32> = match q.text.as_deref().and_then(|t| self.text.hits(t)) {
            Some(hits) => hits.into_iter().map(|(p, _)| p).collect(),
            None => (0..self.docs.len() as u32).collect(),
        };
        found.retain(|&p| scan.visit(p));
        found.sort_unstable();
        let mut points = Vec::new();
        let mut total = 0;
        for p in found {
            let program = &self.docs[p as usize];
            for group in &program.groups {
                if bbox.is_none_or(|b| b.contains(group.location.lat, group.location.lon)) {
                    total += 1;
                    if points.len() < limit {
                        points.push(MapPoint { program, group });
                    }
                }
            }
        }
        (points, total)
    }
}

/// The indexed texts of a program, in the order of `text::FIELDS`; `org` is the
/// organization's names (`org_texts`).
fn doc_texts(p: &ListedProgram, org: &str, profile: &Profile) -> text::Texts {
    [
        p.title.clone(),
        format!("{} {}", profile.name, p.direction.label()),
        org.to_owned(),
        p.description.clone(),
    ]
}

/// What orders the catalog by title: positions follow it.
fn title_key(title: &str, id: i64) -> (String, i64) {
    (normalize(&title.to_lowercase()), id)
}

/// The order of «по рейтингу», as a key sorting ascending: rated programs by their weighted
/// rating, highest first, then those without reviews.
fn rating_key(rating: Rating, mean: f64) -> (bool, std::cmp::Reverse<u64>) {
    // The weighted rating is within 1..=5: its bits order as the number does.
    let weighted = rating.weighted(mean).to_bits();
    (rating.count == 0, std::cmp::Reverse(weighted))
}

/// The order of «сначала новые»: creation time, then id, both descending.
fn newest_first(a: &ProgramDoc, b: &ProgramDoc) -> std::cmp::Ordering {
    b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id))
}

/// By age, the positions of the programs for children of that age.
fn by_age(attrs: &[Attrs]) -> Vec<Vec<u32>> {
    // Counted first, so each list is allocated once at its size: grown push by push, the
    // lists of 100 000 programs were copied again and again on every edit.
    // By differences: +1 where a program's ages begin, -1 past their end.
    let mut steps = vec![0isize; usize::from(MAX_AGE) + 2];
    for a in attrs {
        let ages = a.ages();
        steps[usize::from(*ages.start())] += 1;
        steps[usize::from(*ages.end()) + 1] -= 1;
    }
    let mut size = 0isize;
    let mut by_age: Vec<Vec<u32>> = steps[..=usize::from(MAX_AGE)]
        .iter()
        .map(|step| {
            size += step;
            Vec::with_capacity(size as usize)
        })
        .collect();
    for (position, a) in attrs.iter().enumerate() {
        for age in a.ages() {
            by_age[usize::from(age)].push(position as u32);
        }
    }
    by_age
}

/// Each position's rank in `order`, a permutation of the positions.
fn ranks(order: &[u32]) -> Vec<u32> {
    let mut rank = vec![0u32; order.len()];
    for (r, &position) in order.iter().enumerate() {
        rank[position as usize] = r as u32;
    }
    rank
}

/// Visits `positions` in order, keeps those passing the filters that fall in `page` (by
/// rank among the passing ones), and returns how many pass. One copy per kind of walk, with
/// the visit inlined: it runs for every program of a search without text.
#[inline(always)]
fn walk(
    scan: &mut Scan,
    positions: impl Iterator<Item = u32>,
    page: std::ops::Range<usize>,
    kept: &mut Vec<u32>,
) -> usize {
    let mut total = 0;
    for position in positions {
        if scan.visit(position) {
            if page.contains(&total) {
                kept.push(position);
            }
            total += 1;
        }
    }
    total
}
