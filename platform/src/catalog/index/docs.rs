//! The records of an index's programs by position. An edit must not touch every record:
//! sharing each record by its own `Arc` made an apply clone 100 000 of them (and the
//! replaced index drop as many), one cache miss each, half of an apply's time. So the
//! full build's records are kept by value in one shared block that no apply touches; the
//! records of changed and new programs made since are shared one by one; and a position
//! maps to either by a flat table of `u32`, which an apply copies sequentially.

use std::ops::Index;
use std::sync::Arc;

use super::ProgramDoc;

/// Marks a position whose record is one of `added`.
const ADDED: u32 = 1 << 31;

#[derive(Clone)]
pub struct Docs {
    /// The full build's records, in its title order; shared by every index made from it.
    built: Arc<[ProgramDoc]>,
    /// Records of programs changed or added by applies since the build (a program changed
    /// twice has two; the index holds at most a few percent of the catalog this way before
    /// a full build replaces it, see `indexes::compact_after`).
    added: Vec<Arc<ProgramDoc>>,
    /// By position: an index into `built`, or `ADDED | k` for `added[k]`.
    at: Vec<u32>,
}

impl Docs {
    /// The records of a full build, by position.
    pub fn built(docs: Vec<ProgramDoc>) -> Self {
        let at = (0..docs.len() as u32).collect();
        Self {
            built: docs.into(),
            added: Vec::new(),
            at,
        }
    }

    /// An empty table for the next version, sharing this one's records; filled in
    /// position order with `keep` and `add`.
    pub fn next(&self, capacity: usize) -> Self {
        Self {
            built: self.built.clone(),
            added: self.added.clone(),
            at: Vec::with_capacity(capacity),
        }
    }

    /// Appends the record at `position` of `from` (the table this one was made from).
    #[inline]
    pub fn keep(&mut self, from: &Docs, position: usize) {
        self.at.push(from.at[position]);
    }

    /// Appends a new record.
    pub fn add(&mut self, doc: ProgramDoc) {
        self.at.push(ADDED | self.added.len() as u32);
        self.added.push(Arc::new(doc));
    }

    pub fn len(&self) -> usize {
        self.at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    /// The first position whose record fails `before` (the records pass it up to there).
    pub fn partition_point(&self, mut before: impl FnMut(&ProgramDoc) -> bool) -> usize {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            if before(&self[mid]) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        low
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &ProgramDoc> + '_ {
        (0..self.len()).map(|p| &self[p])
    }
}

impl Index<usize> for Docs {
    type Output = ProgramDoc;

    #[inline]
    fn index(&self, position: usize) -> &ProgramDoc {
        let at = self.at[position];
        if at & ADDED == 0 {
            &self.built[at as usize]
        } else {
            &self.added[(at & !ADDED) as usize]
        }
    }
}

impl<'a> IntoIterator for &'a Docs {
    type Item = &'a ProgramDoc;
    type IntoIter = Box<dyn Iterator<Item = &'a ProgramDoc> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}
