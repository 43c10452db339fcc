//! One region's catalog in memory: every published program as a compact record for
//! filtering, faceting, sorting and the map, plus a tantivy index of its text with Russian
//! stemming. Built from the database for one catalog version and never modified; a new
//! version gets a new index.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{doc, Index, IndexReader, Term};

use crate::domain::{AgeRange, LatLon, Money};

use super::model::{Direction, Financing, Level};
use super::query::{BBox, CatalogQuery, Sort};
use super::service::CatalogError;
use super::store::{GroupLocation, Profile, PublishedCatalog};

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
    pub financing: Financing,
    pub monthly_price: Money,
    pub groups: Vec<GroupPoint>,
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
}

impl ProgramDoc {
    fn enrollment_open(&self, today: NaiveDate) -> bool {
        self.groups
            .iter()
            .any(|g| g.enroll_from <= today && today <= g.enroll_to)
    }
}

/// Counts per filter value: how many results each choice would give, the other filters
/// staying as they are. The API returns it as is (labels come from /municipalities and
/// /directions), the catalog page joins it with the labels.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, poem_openapi::Object)]
pub struct Facets {
    pub municipality: HashMap<String, u32>,
    /// By organization id; the 200 busiest organizations and the chosen one.
    pub organization: HashMap<String, u32>,
    pub direction: HashMap<String, u32>,
    pub profile: HashMap<String, u32>,
    pub level: HashMap<String, u32>,
    pub financing: HashMap<String, u32>,
    /// Results if `ovz=1` were added.
    pub ovz: u32,
    /// Results if `open=1` were added.
    pub open: u32,
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

/// Collects every matching doc as (position in `docs`, score): the search needs all
/// matches to filter and count them, so a top-N heap would only add work.
struct AllMatches;

struct SegmentMatches {
    ords: Column<u64>,
    hits: Vec<(u32, f32)>,
}

impl tantivy::collector::Collector for AllMatches {
    type Fruit = Vec<(u32, f32)>;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        _segment: u32,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        Ok(SegmentMatches {
            ords: reader.fast_fields().u64("ord")?,
            hits: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u32, f32)>>) -> tantivy::Result<Vec<(u32, f32)>> {
        Ok(fruits.concat())
    }
}

impl tantivy::collector::SegmentCollector for SegmentMatches {
    type Fruit = Vec<(u32, f32)>;

    fn collect(&mut self, doc: tantivy::DocId, score: tantivy::Score) {
        if let Some(ord) = self.ords.first(doc) {
            self.hits.push((ord as u32, score));
        }
    }

    fn harvest(self) -> Vec<(u32, f32)> {
        self.hits
    }
}

struct TextIndex {
    reader: IndexReader,
    analyzer: TextAnalyzer,
    /// (field, boost): a match in the title weighs more than one in the description.
    fields: Vec<(Field, f32)>,
}

/// An organization that has published programs.
#[derive(Debug, Clone)]
pub struct OrgEntry {
    pub id: i64,
    pub short_name: String,
}

pub struct CatalogIndex {
    pub version: i64,
    pub docs: Vec<ProgramDoc>,
    attrs: Vec<Attrs>,
    /// The region's profile dictionary at this version.
    pub profiles: Vec<Profile>,
    pub orgs: Vec<OrgEntry>,
    org_by_id: HashMap<i64, u32>,
    /// Municipality ids that organizations of this catalog are in.
    pub municipalities: Vec<String>,
    by_id: HashMap<i64, u32>,
    /// Position of each doc in title order and in newest-first order.
    title_rank: Vec<u32>,
    newest_rank: Vec<u32>,
    text: TextIndex,
    /// Which docs take applications on a given day, computed once per day.
    open_on: std::sync::Mutex<Option<(NaiveDate, Arc<Vec<bool>>)>>,
}

/// The filterable attributes of a doc, packed into 16 bytes: a search scans these (1.6 MB
/// for 100 000 programs, cache-friendly), not the docs with their strings.
#[derive(Debug, Clone, Copy)]
struct Attrs {
    organization: u32,
    municipality: u16,
    profile: u16,
    age_min: u8,
    age_max: u8,
    direction: u8,
    level: u8,
    financing: u8,
    ovz: bool,
}

impl Attrs {
    fn of(doc: &ProgramDoc) -> Self {
        Self {
            organization: doc.organization,
            municipality: doc.municipality,
            profile: doc.profile,
            age_min: doc.ages.min(),
            age_max: doc.ages.max(),
            direction: doc.direction as u8,
            level: doc.level as u8,
            financing: doc.financing as u8,
            ovz: doc.ovz,
        }
    }
}

/// "No filter" for a position in `Wanted`; no doc has these values.
const ANY8: u8 = u8::MAX;
const ANY16: u16 = u16::MAX;
const ANY32: u32 = u32::MAX;
/// A value no doc has, for an id the index does not know: it matches nothing.
const NONE16: u16 = u16::MAX - 1;
const NONE32: u32 = u32::MAX - 1;

/// The query as the scan compares it: positions and codes, `ANY*` where not filtered.
struct Wanted {
    municipality: u16,
    organization: u32,
    direction: u8,
    profile: u16,
    level: u8,
    financing: u8,
    ovz: bool,
    open: bool,
    /// A doc's age range must reach down to `age_low` and up to `age_high` (the child's
    /// age twice, or 255 and 0: every range).
    age_low: u8,
    age_high: u8,
    bbox: Option<BBox>,
}

/// Facet counters by position; turned into `Facets` (by id) once per search.
struct Counts {
    municipality: Vec<u32>,
    organization: Vec<u32>,
    direction: [u32; 6],
    profile: Vec<u32>,
    level: [u32; 3],
    financing: [u32; 3],
    ovz: u32,
    open: u32,
}

impl Counts {
    fn new(index: &CatalogIndex) -> Self {
        Self {
            municipality: vec![0; index.municipalities.len()],
            organization: vec![0; index.orgs.len()],
            direction: [0; 6],
            profile: vec![0; index.profiles.len()],
            level: [0; 3],
            financing: [0; 3],
            ovz: 0,
            open: 0,
        }
    }

    fn add(&mut self, dims: u8, doc: &Attrs, open: bool) {
        let on = |bit: u8| dims & bit != 0;
        if on(MUNICIPALITY) {
            self.municipality[usize::from(doc.municipality)] += 1;
        }
        if on(ORGANIZATION) {
            self.organization[doc.organization as usize] += 1;
        }
        if on(DIRECTION) {
            self.direction[usize::from(doc.direction)] += 1;
        }
        if on(PROFILE) {
            self.profile[usize::from(doc.profile)] += 1;
        }
        if on(LEVEL) {
            self.level[usize::from(doc.level)] += 1;
        }
        if on(FINANCING) {
            self.financing[usize::from(doc.financing)] += 1;
        }
        if on(OVZ) && doc.ovz {
            self.ovz += 1;
        }
        if on(OPEN) && open {
            self.open += 1;
        }
    }

    /// Keeps the `MAX_ORGANIZATIONS` busiest organizations (and the chosen one): a region has
    /// thousands, and the filter lists only as many as a person can scan.
    fn into_facets(self, index: &CatalogIndex, chosen_org: Option<u32>) -> Facets {
        fn nonzero<K>(counts: &[u32], key: impl Fn(usize) -> K) -> Vec<(K, u32)> {
            counts
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(i, n)| (key(i), *n))
                .collect()
        }
        Facets {
            municipality: nonzero(&self.municipality, |i| index.municipalities[i].clone())
                .into_iter()
                .collect(),
            organization: {
                let mut orgs = nonzero(&self.organization, |i| i);
                let busiest =
                    |a: &(usize, u32), b: &(usize, u32)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
                if orgs.len() > MAX_ORGANIZATIONS {
                    orgs.select_nth_unstable_by(MAX_ORGANIZATIONS - 1, busiest);
                }
                let chosen = chosen_org.map(|c| c as usize);
                let keep = |(rank, (i, _)): &(usize, &(usize, u32))| {
                    *rank < MAX_ORGANIZATIONS || Some(*i) == chosen
                };
                orgs.iter()
                    .enumerate()
                    .filter(keep)
                    .map(|(_, (i, n))| (index.orgs[*i].id.to_string(), *n))
                    .collect()
            },
            direction: nonzero(&self.direction, |i| Direction::ALL[i].code().to_owned())
                .into_iter()
                .collect(),
            profile: nonzero(&self.profile, |i| index.profiles[i].id.clone())
                .into_iter()
                .collect(),
            level: nonzero(&self.level, |i| Level::ALL[i].code().to_owned())
                .into_iter()
                .collect(),
            financing: nonzero(&self.financing, |i| Financing::ALL[i].code().to_owned())
                .into_iter()
                .collect(),
            ovz: self.ovz,
            open: self.open,
        }
    }
}

/// Organizations counted per search at most (see `Counts::into_facets`).
pub const MAX_ORGANIZATIONS: usize = 200;

/// Filters with per-value counts, as bits of a mask.
const MUNICIPALITY: u8 = 1;
const ORGANIZATION: u8 = 1 << 1;
const DIRECTION: u8 = 1 << 2;
const PROFILE: u8 = 1 << 3;
const LEVEL: u8 = 1 << 4;
const FINANCING: u8 = 1 << 5;
const OVZ: u8 = 1 << 6;
const OPEN: u8 = 1 << 7;

/// Folds case and ё, the way people type: «Ёлочка» is found by «елочка».
fn normalize(text: &str) -> String {
    text.replace(['ё', 'Ё'], "е")
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::new(Language::Russian).expect("Russian stop words"))
        .filter(Stemmer::new(Language::Russian))
        .build()
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
        let profile_pos: HashMap<&str, u16> = profiles
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i as u16))
            .collect();
        let mut schema = Schema::builder();
        let text_options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("ru")
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let ord = schema.add_u64_field("ord", FAST);
        let title = schema.add_text_field("title", text_options.clone());
        let profile = schema.add_text_field("profile", text_options.clone());
        let organization = schema.add_text_field("organization", text_options.clone());
        let description = schema.add_text_field("description", text_options);
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register("ru", analyzer());
        let mut writer = index.writer_with_num_threads(2, 128 * 1024 * 1024)?;
        // Written once, searched until replaced: merging segments would only spend CPU.
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));

        let mut docs = Vec::with_capacity(catalog.programs.len());
        let mut created = Vec::with_capacity(catalog.programs.len());
        for p in catalog.programs {
            let (Some(&org_pos), Some(&profile_at)) = (
                org_by_id.get(&p.organization_id),
                profile_pos.get(p.profile_id.as_str()),
            ) else {
                continue;
            };
            let org = &catalog.organizations[org_pos as usize];
            let profile_name = &profiles[usize::from(profile_at)].name;
            writer.add_document(doc!(
                ord => docs.len() as u64,
                title => normalize(&p.title),
                profile => normalize(&format!("{profile_name} {}", p.direction.label())),
                organization => normalize(&format!("{} {}", org.name, org.short_name)),
                description => normalize(&p.description),
            ))?;
            created.push(p.created_at.clone());
            docs.push(ProgramDoc {
                id: p.id,
                title: p.title,
                organization: org_pos,
                municipality: municipality_pos[org.municipality_id.as_str()],
                direction: p.direction,
                profile: profile_at,
                level: p.level,
                ages: p.ages,
                ovz: p.ovz,
                financing: p.financing,
                monthly_price: p.monthly_price,
                groups: Vec::new(),
            });
        }
        writer.commit()?;
        let reader = index.reader()?;

        let by_id: HashMap<i64, u32> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id, i as u32))
            .collect();
        // Groups of unpublished programs come too; they have no doc and are dropped.
        for g in groups()? {
            if let Some(&i) = by_id.get(&g.program_id) {
                docs[i as usize].groups.push(GroupPoint {
                    id: g.id,
                    name: g.name,
                    address: g.address,
                    location: g.location,
                    enroll_from: g.enroll_from,
                    enroll_to: g.enroll_to,
                });
            }
        }

        let rank = |order: Vec<usize>| {
            let mut rank = vec![0u32; order.len()];
            for (position, i) in order.into_iter().enumerate() {
                rank[i] = position as u32;
            }
            rank
        };
        let mut by_title: Vec<usize> = (0..docs.len()).collect();
        let title_keys: Vec<String> = docs
            .iter()
            .map(|d| normalize(&d.title.to_lowercase()))
            .collect();
        by_title.sort_by(|&a, &b| {
            title_keys[a]
                .cmp(&title_keys[b])
                .then(docs[a].id.cmp(&docs[b].id))
        });
        let mut by_newest: Vec<usize> = (0..docs.len()).collect();
        by_newest.sort_by(|&a, &b| {
            created[b]
                .cmp(&created[a])
                .then(docs[b].id.cmp(&docs[a].id))
        });

        Ok(Self {
            version,
            profiles,
            orgs,
            org_by_id,
            municipalities,
            attrs: docs.iter().map(Attrs::of).collect(),
            by_id,
            title_rank: rank(by_title),
            newest_rank: rank(by_newest),
            docs,
            text: TextIndex {
                reader,
                analyzer: analyzer(),
                fields: vec![
                    (title, 3.0),
                    (profile, 2.0),
                    (organization, 1.0),
                    (description, 1.0),
                ],
            },
            open_on: std::sync::Mutex::new(None),
        })
    }

    pub fn organization(&self, doc: &ProgramDoc) -> &OrgEntry {
        &self.orgs[doc.organization as usize]
    }

    pub fn org_by_id(&self, id: i64) -> Option<&OrgEntry> {
        self.org_by_id.get(&id).map(|&i| &self.orgs[i as usize])
    }

    pub fn municipality_id(&self, doc: &ProgramDoc) -> &str {
        &self.municipalities[usize::from(doc.municipality)]
    }

    pub fn profile(&self, doc: &ProgramDoc) -> &Profile {
        &self.profiles[usize::from(doc.profile)]
    }

    pub fn get(&self, id: i64) -> Option<&ProgramDoc> {
        self.by_id.get(&id).map(|&i| &self.docs[i as usize])
    }

    /// The query for free text: every word must match some field, by its stem or as the
    /// start of a longer word («робот» finds «робототехника», «шахматы» finds «шахматный»).
    /// Built from tokens, never parsed, so no input can make it fail.
    fn text_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let mut analyzer = self.text.analyzer.clone();
        let normalized = normalize(text);
        let mut stream = analyzer.token_stream(&normalized);
        let mut words: Vec<String> = Vec::new();
        while stream.advance() {
            let word = stream.token().text.clone();
            if !words.contains(&word) && words.len() < 8 {
                words.push(word);
            }
        }
        if words.is_empty() {
            return None;
        }
        let musts = words
            .iter()
            .map(|word| {
                let mut shoulds: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for &(field, boost) in &self.text.fields {
                    let term = Term::from_field_text(field, word);
                    let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                    shoulds.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(exact), boost)),
                    ));
                    // Prefixes only where words are few and telling: in descriptions they
                    // would match half the catalog and cost the most.
                    if word.chars().count() >= 3 && boost > 1.0 {
                        let prefix = FuzzyTermQuery::new_prefix(term, 0, true);
                        shoulds.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(Box::new(prefix), boost * 0.5)),
                        ));
                    }
                }
                (
                    Occur::Must,
                    Box::new(BooleanQuery::new(shoulds)) as Box<dyn Query>,
                )
            })
            .collect();
        Some(Box::new(BooleanQuery::new(musts)))
    }

    /// Docs matching the text, with scores; `None` when there is no usable text.
    fn text_hits(&self, text: Option<&str>) -> Option<Vec<(u32, f32)>> {
        let query = self.text_query(text?)?;
        let searcher = self.text.reader.searcher();
        Some(searcher.search(&query, &AllMatches).unwrap_or_else(|e| {
            tracing::error!(error = %e, "text search failed");
            Vec::new()
        }))
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

    /// The query's ids as positions in this index's tables. An id the index does not
    /// have becomes a position no doc has, so it matches nothing.
    fn wanted(&self, q: &CatalogQuery) -> Wanted {
        Wanted {
            municipality: q.municipality.as_ref().map_or(ANY16, |m| {
                self.municipalities
                    .iter()
                    .position(|x| x == m)
                    .map_or(NONE16, |i| i as u16)
            }),
            organization: q
                .organization
                .map_or(ANY32, |o| self.org_by_id.get(&o).copied().unwrap_or(NONE32)),
            direction: q.direction.map_or(ANY8, |d| d as u8),
            profile: q.profile.as_ref().map_or(ANY16, |p| {
                self.profiles
                    .iter()
                    .position(|x| &x.id == p)
                    .map_or(NONE16, |i| i as u16)
            }),
            level: q.level.map_or(ANY8, |l| l as u8),
            financing: q.financing.map_or(ANY8, |f| f as u8),
            ovz: q.ovz,
            open: q.open,
            age_low: q.age.unwrap_or(u8::MAX),
            age_high: q.age.unwrap_or(0),
            bbox: q.bbox,
        }
    }

    /// Which faceted filters doc `i` fails, as a mask; `None` if it fails a hard filter.
    /// Written without branches per filter: it runs 100 000 times per search.
    #[inline]
    fn failing(&self, q: &Wanted, i: usize, open: bool) -> Option<u8> {
        let a = &self.attrs[i];
        if (a.age_min > q.age_low) | (a.age_max < q.age_high) {
            return None;
        }
        if let Some(b) = &q.bbox {
            let groups = &self.docs[i].groups;
            if !groups
                .iter()
                .any(|g| b.contains(g.location.lat, g.location.lon))
            {
                return None;
            }
        }
        let fails = |bit: u8, ok: bool| (!ok as u8) * bit;
        Some(
            fails(
                MUNICIPALITY,
                q.municipality == ANY16 || q.municipality == a.municipality,
            ) | fails(
                ORGANIZATION,
                q.organization == ANY32 || q.organization == a.organization,
            ) | fails(DIRECTION, q.direction == ANY8 || q.direction == a.direction)
                | fails(PROFILE, q.profile == ANY16 || q.profile == a.profile)
                | fails(LEVEL, q.level == ANY8 || q.level == a.level)
                | fails(FINANCING, q.financing == ANY8 || q.financing == a.financing)
                | fails(OVZ, !q.ovz || a.ovz)
                | fails(OPEN, !q.open || open),
        )
    }

    /// Matching docs with their text scores, unordered (see `order_first`), plus facets.
    /// Without text every doc is visited in memory order, which is what makes it fast.
    fn matches(
        &self,
        q: &CatalogQuery,
        wanted: &Wanted,
        today: NaiveDate,
    ) -> (Vec<(u32, f32)>, Counts) {
        let open = self.open_today(today);
        let mut counts = Counts::new(self);
        let mut found = Vec::new();
        let mut visit = |i: u32, score: f32| {
            let is_open = open[i as usize];
            let Some(mask) = self.failing(wanted, i as usize, is_open) else {
                return;
            };
            let attrs = &self.attrs[i as usize];
            match mask.count_ones() {
                0 => {
                    counts.add(u8::MAX, attrs, is_open);
                    found.push((i, score));
                }
                // Failing only this filter: the doc counts for the other values of it.
                1 => counts.add(mask, attrs, is_open),
                _ => {}
            }
        };
        match self.text_hits(q.text.as_deref()) {
            Some(hits) => hits.into_iter().for_each(|(i, score)| visit(i, score)),
            None => (0..self.attrs.len() as u32).for_each(|i| visit(i, 0.0)),
        }
        (found, counts)
    }

    /// Puts the first `n` of `found` in the query's order (the rest stays unordered): a
    /// page needs its few results sorted, not all 100 000.
    fn order_first(&self, q: &CatalogQuery, found: &mut [(u32, f32)], n: usize) {
        let by_text = q.sort == Sort::Relevance && found.iter().any(|(_, s)| *s > 0.0);
        let title = |i: u32| self.title_rank[i as usize];
        let newest = |i: u32| self.newest_rank[i as usize];
        let cmp = |a: &(u32, f32), b: &(u32, f32)| match (by_text, q.sort) {
            (true, _) => b.1.total_cmp(&a.1).then(title(a.0).cmp(&title(b.0))),
            (false, Sort::Newest) => newest(a.0).cmp(&newest(b.0)),
            _ => title(a.0).cmp(&title(b.0)),
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
        let wanted = self.wanted(q);
        let (mut found, counts) = self.matches(q, &wanted, today);
        let chosen = Some(wanted.organization).filter(|o| *o < NONE32);
        let facets = counts.into_facets(self, chosen);
        let start = (q.page.saturating_sub(1) as usize).saturating_mul(q.per_page as usize);
        self.order_first(q, &mut found, start.saturating_add(q.per_page as usize));
        let ids = found
            .iter()
            .skip(start)
            .take(q.per_page as usize)
            .map(|(i, _)| self.docs[*i as usize].id)
            .collect();
        SearchResult {
            total: found.len() as u32,
            ids,
            facets,
        }
    }

    /// Group locations of matching programs inside `bbox` (all when `None`), at most `limit`;
    /// also returns how many there are in all.
    pub fn points(
        &self,
        q: &CatalogQuery,
        today: NaiveDate,
        bbox: Option<&BBox>,
        limit: usize,
    ) -> (Vec<MapPoint<'_>>, usize) {
        let (mut found, _) = self.matches(q, &self.wanted(q), today);
        found.sort_unstable_by_key(|(i, _)| self.title_rank[*i as usize]);
        let mut points = Vec::new();
        let mut total = 0;
        for (i, _) in found {
            let program = &self.docs[i as usize];
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
