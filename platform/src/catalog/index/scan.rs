//! Filtering and counting: every search visits the filterable attributes of the programs
//! its text matched (all of them when there is no text), keeps those passing every filter
//! and counts, per filter value, how many results that value would give with the other
//! filters as they are.

use super::super::model::{Direction, Financing, FinancingSet, Level};
use super::super::query::{BBox, CatalogQuery};
use super::facet_counts::FacetCounts;
use super::{CatalogIndex, ProgramDoc};

/// Counts per filter value: how many results each choice would give, the other filters
/// staying as they are. The API returns it as is (labels come from /municipalities and
/// /directions), the catalog page joins it with the labels.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, poem_openapi::Object)]
pub struct Facets {
    pub municipality: FacetCounts,
    /// By organization id; the 200 busiest organizations and the chosen one.
    pub organization: FacetCounts,
    pub direction: FacetCounts,
    pub profile: FacetCounts,
    pub level: FacetCounts,
    pub financing: FacetCounts,
    /// Results if `ovz=1` were added.
    pub ovz: u32,
    /// Results if `open=1` were added.
    pub open: u32,
}

/// Organizations counted per search at most (see `Counts::facets`).
pub const MAX_ORGANIZATIONS: usize = 200;

/// Direction, level, the set of financings and ОВЗ of a program as one number below
/// `KINDS`, so a result is counted for all four (and «идёт набор») with one increment.
fn kind(direction: Direction, level: Level, financing: FinancingSet, ovz: bool) -> u16 {
    ((u16::from(direction as u8) * LEVELS + u16::from(level as u8)) * FINANCING_SETS
        + u16::from(financing.bits()))
        * 2
        + u16::from(ovz)
}

const LEVELS: u16 = Level::ALL.len() as u16;
const FINANCINGS: usize = Financing::ALL.len();
/// Sets of financings, as bits (`FinancingSet::bits`).
const FINANCING_SETS: u16 = 1 << FINANCINGS;
const KINDS: usize = Direction::ALL.len() * LEVELS as usize * FINANCING_SETS as usize * 2;

/// The filterable attributes of a program, packed into 16 bytes: a search reads these
/// (1.5 MB for 100 000 programs, cache-friendly), not the docs with their strings.
#[derive(Debug, Clone, Copy)]
pub(super) struct Attrs {
    organization: u32,
    municipality: u16,
    profile: u16,
    age_min: u8,
    age_max: u8,
    direction: u8,
    level: u8,
    /// `FinancingSet::bits`.
    financing: u8,
    ovz: bool,
    kind: u16,
}

impl Attrs {
    /// The ages of children the program takes.
    pub fn ages(&self) -> std::ops::RangeInclusive<u8> {
        self.age_min..=self.age_max
    }

    pub fn of(doc: &ProgramDoc) -> Self {
        Self {
            organization: doc.organization,
            municipality: doc.municipality,
            profile: doc.profile,
            age_min: doc.ages.min(),
            age_max: doc.ages.max(),
            direction: doc.direction as u8,
            level: doc.level as u8,
            financing: doc.financing.bits(),
            ovz: doc.ovz,
            kind: kind(doc.direction, doc.level, doc.financing, doc.ovz),
        }
    }
}

const _: () = assert!(std::mem::size_of::<Attrs>() == 16);

/// "No filter" for a position in `Wanted`; no doc has these values.
const ANY8: u8 = u8::MAX;
const ANY16: u16 = u16::MAX;
const ANY32: u32 = u32::MAX;
/// A value no doc has, for an id the index does not know: it matches nothing.
const NONE16: u16 = u16::MAX - 1;
const NONE32: u32 = u32::MAX - 1;

/// Filters with per-value counts, as bits of a mask.
const MUNICIPALITY: u8 = 1;
const ORGANIZATION: u8 = 1 << 1;
const DIRECTION: u8 = 1 << 2;
const PROFILE: u8 = 1 << 3;
const LEVEL: u8 = 1 << 4;
const FINANCING: u8 = 1 << 5;
const OVZ: u8 = 1 << 6;
const OPEN: u8 = 1 << 7;

/// The query as the scan compares it: positions and codes, `ANY*` where not filtered.
pub(super) struct Wanted {
    municipality: u16,
    organization: u32,
    direction: u8,
    profile: u16,
    level: u8,
    /// The bit of the chosen financing (`FinancingSet::bits`), 0 when not filtered.
    financing: u8,
    ovz: bool,
    open: bool,
    /// A doc's age range must reach down to `age_low` and up to `age_high` (the child's
    /// age twice, or 255 and 0: every range).
    age_low: u8,
    age_high: u8,
    bbox: Option<BBox>,
    /// Whether any faceted filter is set: without one, every program passing the age,
    /// text and map filters passes.
    faceted: bool,
}

impl Wanted {
    /// The query's ids as positions in the index's tables. An id the index does not
    /// have becomes a position no doc has, so it matches nothing.
    pub fn of(index: &CatalogIndex, q: &CatalogQuery) -> Self {
        Self {
            municipality: q.municipality.as_ref().map_or(ANY16, |m| {
                index
                    .municipalities
                    .iter()
                    .position(|x| x == m)
                    .map_or(NONE16, |i| i as u16)
            }),
            organization: q
                .organization
                .map_or(ANY32, |o| index.org_position(o).unwrap_or(NONE32)),
            direction: q.direction.map_or(ANY8, |d| d as u8),
            profile: q.profile.as_ref().map_or(ANY16, |p| {
                index
                    .profiles
                    .iter()
                    .position(|x| &x.id == p)
                    .map_or(NONE16, |i| i as u16)
            }),
            level: q.level.map_or(ANY8, |l| l as u8),
            financing: q.financing.map_or(0, |f| FinancingSet::of(&[f]).bits()),
            ovz: q.ovz,
            open: q.open,
            age_low: q.age.unwrap_or(u8::MAX),
            age_high: q.age.unwrap_or(0),
            bbox: q.bbox,
            faceted: q.municipality.is_some()
                || q.organization.is_some()
                || q.direction.is_some()
                || q.profile.is_some()
                || q.level.is_some()
                || q.financing.is_some()
                || q.ovz
                || q.open,
        }
    }

    /// The chosen organization, when the index knows it.
    pub fn organization(&self) -> Option<u32> {
        Some(self.organization).filter(|o| *o < NONE32)
    }
}

/// One search's pass over programs: the filters, the open-today flags and the counters.
pub(super) struct Scan<'a> {
    index: &'a CatalogIndex,
    wanted: &'a Wanted,
    open: &'a [bool],
    counts: Counts,
}

impl<'a> Scan<'a> {
    pub fn new(index: &'a CatalogIndex, wanted: &'a Wanted, open: &'a [bool]) -> Self {
        let organization = index
            .org_counts
            .lock()
            .expect("counts lock")
            .pop()
            .unwrap_or_else(|| OrgCounts::new(index.orgs.len()));
        Self {
            index,
            wanted,
            open,
            counts: Counts::new(index, organization),
        }
    }

    /// Whether the program at `position` passes every filter; counts it either way.
    /// Written without a branch per filter: it runs 100 000 times per search.
    #[inline(always)]
    pub fn visit(&mut self, position: u32) -> bool {
        let (q, i) = (self.wanted, position as usize);
        let a = &self.index.attrs[i];
        if (a.age_min > q.age_low) | (a.age_max < q.age_high) {
            return false;
        }
        if let Some(b) = &q.bbox {
            let groups = &self.index.docs[i].groups;
            if !groups
                .iter()
                .any(|g| b.contains(g.location.lat, g.location.lon))
            {
                return false;
            }
        }
        let open = self.open[i];
        let c = &mut self.counts;
        if !q.faceted {
            c.all(a, open);
            return true;
        }
        let fails = |bit: u8, ok: bool| (!ok as u8) * bit;
        let mask = fails(
            MUNICIPALITY,
            q.municipality == ANY16 || q.municipality == a.municipality,
        ) | fails(
            ORGANIZATION,
            q.organization == ANY32 || q.organization == a.organization,
        ) | fails(DIRECTION, q.direction == ANY8 || q.direction == a.direction)
            | fails(PROFILE, q.profile == ANY16 || q.profile == a.profile)
            | fails(LEVEL, q.level == ANY8 || q.level == a.level)
            | fails(
                FINANCING,
                q.financing == 0 || q.financing & a.financing != 0,
            )
            | fails(OVZ, !q.ovz || a.ovz)
            | fails(OPEN, !q.open || open);
        match mask {
            0 => {
                c.all(a, open);
                return true;
            }
            // Failing only this filter: the program counts for the other values of it.
            MUNICIPALITY => c.municipality[usize::from(a.municipality)] += 1,
            ORGANIZATION => c.organization.add(a.organization),
            PROFILE => c.profile[usize::from(a.profile)] += 1,
            DIRECTION => c.direction[usize::from(a.direction)] += 1,
            LEVEL => c.level[usize::from(a.level)] += 1,
            FINANCING => c.financing_set[usize::from(a.financing)] += 1,
            // A program failing only «ОВЗ» or «идёт набор» would not pass with it either.
            _ => {}
        }
        false
    }

    pub fn facets(mut self) -> Facets {
        let chosen = self.wanted.organization();
        self.counts.facets(self.index, chosen)
    }
}

impl Drop for Scan<'_> {
    /// Hands the organization counters back, zeroed, for the next search.
    fn drop(&mut self) {
        let mut organization = std::mem::take(&mut self.counts.organization);
        organization.clear();
        self.index
            .org_counts
            .lock()
            .expect("counts lock")
            .push(organization);
    }
}

/// A counter per organization, and which of them are nonzero. A region has thousands of
/// organizations and a text search touches a few dozen: the counters are kept between
/// searches and only the touched ones are read and zeroed, instead of allocating, zeroing
/// and scanning all of them per search.
#[derive(Default)]
pub(super) struct OrgCounts {
    counts: Vec<u32>,
    /// Positions with a nonzero count, in the order they were first counted; the first
    /// `touched_len` entries are valid (one spare slot: see `add`).
    touched: Vec<u32>,
    touched_len: usize,
}

impl OrgCounts {
    fn new(orgs: usize) -> Self {
        Self {
            counts: vec![0; orgs],
            touched: vec![0; orgs + 1],
            touched_len: 0,
        }
    }

    /// Counts one program of organization `org`. Without a branch: the position is written
    /// to the next free slot every time and kept only when the count was zero.
    #[inline(always)]
    fn add(&mut self, org: u32) {
        let n = &mut self.counts[org as usize];
        self.touched[self.touched_len] = org;
        self.touched_len += usize::from(*n == 0);
        *n += 1;
    }

    fn touched(&self) -> &[u32] {
        &self.touched[..self.touched_len]
    }

    fn clear(&mut self) {
        for &org in &self.touched[..self.touched_len] {
            self.counts[org as usize] = 0;
        }
        self.touched_len = 0;
    }
}

/// Positions of the `MAX_ORGANIZATIONS` largest nonzero `counts` (ties: lower position
/// first), and `chosen` if its count is nonzero, in position order. `touched` holds every
/// position with a nonzero count, in any order. Counts are small (programs of one
/// organization), so a histogram of them finds the cut without sorting thousands.
pub(super) fn busiest(counts: &[u32], touched: &[u32], chosen: Option<u32>) -> Vec<u32> {
    let count = |i: u32| counts[i as usize] as usize;
    let mut kept: Vec<u32> = if touched.len() <= MAX_ORGANIZATIONS {
        touched.to_vec()
    } else {
        let max = touched.iter().map(|&i| count(i)).max().unwrap_or(0);
        // Four histograms filled in turn: consecutive increments of one counter would wait
        // on each other.
        let mut lanes = vec![[0usize; 4]; max + 1];
        for (k, &i) in touched.iter().enumerate() {
            lanes[count(i)][k % 4] += 1;
        }
        // The smallest count that makes the cut, and how many of that count do.
        let (mut cut, mut room, mut above) = (1, 0, 0);
        for n in (1..=max).rev() {
            let with_n: usize = lanes[n].iter().sum();
            if above + with_n >= MAX_ORGANIZATIONS {
                (cut, room) = (n, MAX_ORGANIZATIONS - above);
                break;
            }
            above += with_n;
        }
        let mut kept: Vec<u32> = touched
            .iter()
            .copied()
            .filter(|&i| count(i) > cut)
            .collect();
        let mut at_cut: Vec<u32> = touched
            .iter()
            .copied()
            .filter(|&i| count(i) == cut)
            .collect();
        if at_cut.len() > room {
            if room > 0 {
                at_cut.select_nth_unstable(room - 1);
            }
            at_cut.truncate(room);
        }
        kept.extend(at_cut);
        if let Some(c) = chosen.filter(|&c| counts[c as usize] > 0 && !kept.contains(&c)) {
            kept.push(c);
        }
        kept
    };
    kept.sort_unstable();
    kept
}

/// Facet counters by position; turned into `Facets` (by id) once per search.
struct Counts {
    /// Results by `kind` and open today (`kind + KINDS` when open).
    kinds: [u32; 2 * KINDS],
    municipality: Vec<u32>,
    organization: OrgCounts,
    profile: Vec<u32>,
    /// Programs failing only the direction (level, financing) filter, by their value.
    direction: [u32; Direction::ALL.len()],
    level: [u32; LEVELS as usize],
    /// By set of financings: spread over its financings at the end.
    financing_set: [u32; FINANCING_SETS as usize],
}

impl Counts {
    fn new(index: &CatalogIndex, organization: OrgCounts) -> Self {
        Self {
            kinds: [0; 2 * KINDS],
            municipality: vec![0; index.municipalities.len()],
            organization,
            profile: vec![0; index.profiles.len()],
            direction: [0; Direction::ALL.len()],
            level: [0; LEVELS as usize],
            financing_set: [0; FINANCING_SETS as usize],
        }
    }

    /// Counts a program that passes every filter, for every value it has.
    #[inline(always)]
    fn all(&mut self, a: &Attrs, open: bool) {
        self.kinds[usize::from(a.kind) + KINDS * usize::from(open)] += 1;
        self.municipality[usize::from(a.municipality)] += 1;
        self.organization.add(a.organization);
        self.profile[usize::from(a.profile)] += 1;
    }

    /// Per financing, the programs counted that offer it: a program of several counts
    /// for each.
    fn financings(&self) -> [u32; FINANCINGS] {
        std::array::from_fn(|f| {
            (0..FINANCING_SETS as usize)
                .filter(|set| set & (1 << f) != 0)
                .map(|set| self.financing_set[set])
                .sum()
        })
    }

    /// Keeps the `MAX_ORGANIZATIONS` busiest organizations (and the chosen one): a region has
    /// thousands, and the filter lists only as many as a person can scan.
    fn facets(&mut self, index: &CatalogIndex, chosen_org: Option<u32>) -> Facets {
        let (mut ovz, mut open) = (0, 0);
        for (i, &n) in self.kinds.iter().enumerate().filter(|(_, n)| **n > 0) {
            let (is_open, kind) = (i / KINDS, i % KINDS);
            let (rest, is_ovz) = (kind / 2, kind % 2);
            let sets = FINANCING_SETS as usize;
            let (rest, financing) = (rest / sets, rest % sets);
            let (direction, level) = (rest / LEVELS as usize, rest % LEVELS as usize);
            self.direction[direction] += n;
            self.level[level] += n;
            self.financing_set[financing] += n;
            ovz += n * is_ovz as u32;
            open += n * is_open as u32;
        }
        let orgs = &self.organization;
        let busiest = busiest(&orgs.counts, orgs.touched(), chosen_org);
        let ids = &index.facet_ids;
        Facets {
            municipality: FacetCounts::nonzero(&ids.municipality, &self.municipality),
            organization: FacetCounts::of(
                &ids.organization,
                busiest.into_iter().map(|i| (i, orgs.counts[i as usize])),
            ),
            direction: FacetCounts::nonzero(&ids.direction, &self.direction),
            profile: FacetCounts::nonzero(&ids.profile, &self.profile),
            level: FacetCounts::nonzero(&ids.level, &self.level),
            financing: FacetCounts::nonzero(&ids.financing, &self.financings()),
            ovz,
            open,
        }
    }
}
