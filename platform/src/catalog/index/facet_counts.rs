//! One filter's counts as a search returns them: positions into the index's table of that
//! filter's ids, so a search copies and hashes no strings. The API writes them as a JSON
//! object `{"id": count}` and documents them as such.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// The ids of one filter's values (municipality ids, organization ids, direction codes …),
/// by position.
pub type FacetIds = Arc<[String]>;

/// How many results each value of one filter would give, nonzero counts only.
#[derive(Clone, Default)]
pub struct FacetCounts {
    ids: FacetIds,
    /// (position in `ids`, count), in position order.
    counts: Vec<(u32, u32)>,
}

pub type AsMap = HashMap<String, u32>;

impl FacetCounts {
    /// The nonzero counts of `counts`, where `counts[i]` is the count of `ids[i]`.
    pub fn nonzero(ids: &FacetIds, counts: &[u32]) -> Self {
        Self::of(
            ids,
            (0..counts.len() as u32).map(|i| (i, counts[i as usize])),
        )
    }

    /// `(position, count)` pairs in position order; zero counts are dropped.
    pub fn of(ids: &FacetIds, counts: impl IntoIterator<Item = (u32, u32)>) -> Self {
        let counts: Vec<(u32, u32)> = counts.into_iter().filter(|(_, n)| *n > 0).collect();
        debug_assert!(
            counts.windows(2).all(|w| w[0].0 < w[1].0),
            "in position order"
        );
        Self {
            ids: ids.clone(),
            counts,
        }
    }

    /// `(position in the index's table, count)` pairs, in position order.
    pub fn positions(&self) -> impl Iterator<Item = (usize, u32)> + '_ {
        self.counts.iter().map(|&(i, n)| (i as usize, n))
    }

    /// `(id, count)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.counts
            .iter()
            .map(|&(i, n)| (self.ids[i as usize].as_str(), n))
    }

    /// The count of value `id` (0 when it has none).
    pub fn get(&self, id: &str) -> u32 {
        self.iter().find(|(k, _)| *k == id).map_or(0, |(_, n)| n)
    }

    /// The count of the value at `position` of the index's table (0 when it has none).
    pub fn at(&self, position: usize) -> u32 {
        self.counts
            .binary_search_by_key(&position, |&(i, _)| i as usize)
            .map_or(0, |k| self.counts[k].1)
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    fn to_map(&self) -> AsMap {
        self.iter().map(|(k, n)| (k.to_owned(), n)).collect()
    }
}

impl From<AsMap> for FacetCounts {
    fn from(map: AsMap) -> Self {
        let (ids, counts): (Vec<String>, Vec<u32>) = map.into_iter().unzip();
        Self::nonzero(&ids.into(), &counts)
    }
}

/// Equal when they give the same count for every id, whatever their tables.
impl PartialEq for FacetCounts {
    fn eq(&self, other: &Self) -> bool {
        self.to_map() == other.to_map()
    }
}

impl fmt::Debug for FacetCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for FacetCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (id, n) in self.iter() {
            map.serialize_entry(id, &n)?;
        }
        map.end()
    }
}
