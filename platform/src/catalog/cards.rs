//! Program cards, rendered once. A page of results is twenty cards of a dozen strings
//! each; building and serializing them was a fifth of an uncached API search, and
//! rendering them a good part of the HTML page. A card changes only with the catalog (a new
//! index), the region's settings (municipality names) or the day («идёт набор»), so each
//! card's JSON and HTML are rendered the first time a page shows them and copied from then
//! on.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use serde_json::value::RawValue;

use crate::regions::Tenant;
use crate::templates::Templates;

use super::index::CatalogIndex;
use super::views::ProgramCard;

/// Bytes of renderings all regions' tables keep at most, together. Every card of a region
/// of 100 000 programs, as JSON (600 bytes) and HTML (900), would take 140 MB; past the
/// budget, cards are rendered for each page and not kept. With the result cache's 64 MB,
/// a process stays well under half a gigabyte.
pub const BUDGET: usize = 96 << 20;

/// Each program's card as JSON and as HTML, by catalog position, for one index version,
/// region revision and day.
pub struct Cards {
    version: i64,
    revision: i64,
    today: NaiveDate,
    slots: Vec<Slot>,
    /// Bytes kept by every table of the process (see `BUDGET`), and by this one.
    all_kept: Arc<AtomicUsize>,
    kept: AtomicUsize,
}

#[derive(Default)]
struct Slot {
    json: OnceLock<Box<RawValue>>,
    html: OnceLock<Box<str>>,
}

impl Cards {
    /// An empty table; `all_kept` counts the bytes all tables keep.
    pub fn new(
        index: &CatalogIndex,
        tenant: &Tenant,
        today: NaiveDate,
        all_kept: Arc<AtomicUsize>,
    ) -> Self {
        Self {
            version: index.version,
            revision: tenant.revision,
            today,
            slots: (0..index.docs.len()).map(|_| Slot::default()).collect(),
            all_kept,
            kept: AtomicUsize::new(0),
        }
    }

    /// Whether these renderings are the ones of this index, region revision and day.
    pub fn fits(&self, index: &CatalogIndex, tenant: &Tenant, today: NaiveDate) -> bool {
        (self.version, self.revision, self.today) == (index.version, tenant.revision, today)
    }

    /// The cards of the programs `ids` that the index has, in order, as the API's JSON.
    pub fn json(&self, index: &CatalogIndex, ids: &[i64], tenant: &Tenant) -> CardList {
        let json = self
            .slots(index, ids)
            .map(|(position, slot)| match slot.json.get() {
                Some(json) => json.clone(),
                None => {
                    let card = self.card(index, position, tenant);
                    let json = serde_json::value::to_raw_value(&card).expect("a card serializes");
                    let size = json.get().len();
                    self.keep(&slot.json, json, size)
                }
            });
        CardList(json.collect())
    }

    /// The same as HTML (`_program_card.html`), each item safe to put into a page as is.
    pub fn html(
        &self,
        index: &CatalogIndex,
        ids: &[i64],
        tenant: &Tenant,
        templates: &Templates,
    ) -> Result<Vec<minijinja::Value>, minijinja::Error> {
        self.slots(index, ids)
            .map(|(position, slot)| {
                let html = match slot.html.get() {
                    Some(html) => html.clone(),
                    None => {
                        let p = self.card(index, position, tenant);
                        let html =
                            templates.render("_program_card.html", minijinja::context! { p })?;
                        let size = html.len();
                        self.keep(&slot.html, html.into_boxed_str(), size)
                    }
                };
                Ok(minijinja::Value::from_safe_string(html.into()))
            })
            .collect()
    }

    /// Keeps `value` (of `size` bytes) in `slot` if the budget has room; returns it.
    fn keep<T: Clone>(&self, slot: &OnceLock<T>, value: T, size: usize) -> T {
        if self.all_kept.fetch_add(size, Ordering::Relaxed) + size > BUDGET {
            self.all_kept.fetch_sub(size, Ordering::Relaxed);
        } else if slot.set(value.clone()).is_ok() {
            self.kept.fetch_add(size, Ordering::Relaxed);
        } else {
            // Another request kept the same rendering first.
            self.all_kept.fetch_sub(size, Ordering::Relaxed);
        }
        value
    }

    fn slots<'a>(
        &'a self,
        index: &'a CatalogIndex,
        ids: &'a [i64],
    ) -> impl Iterator<Item = (u32, &'a Slot)> + 'a {
        ids.iter().filter_map(|&id| {
            let position = index.position(id)?;
            Some((position, &self.slots[position as usize]))
        })
    }

    fn card(&self, index: &CatalogIndex, position: u32, tenant: &Tenant) -> ProgramCard {
        ProgramCard::of(&index.docs[position as usize], index, tenant, self.today)
    }
}

impl Drop for Cards {
    /// A table replaced (new catalog, settings or day) gives its bytes back to the budget.
    fn drop(&mut self) {
        self.all_kept
            .fetch_sub(*self.kept.get_mut(), Ordering::Relaxed);
    }
}

/// A page's cards as rendered JSON, documented in the spec as a list of `ProgramCard`.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(transparent)]
pub struct CardList(Vec<Box<RawValue>>);

#[cfg(test)]
mod tests {
    use super::*;

    fn table(all_kept: &Arc<AtomicUsize>) -> Cards {
        Cards {
            version: 1,
            revision: 1,
            today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            slots: Vec::new(),
            all_kept: all_kept.clone(),
            kept: AtomicUsize::new(0),
        }
    }

    #[test]
    fn renderings_are_kept_within_the_budget_and_given_back_with_the_table() {
        let all_kept = Arc::new(AtomicUsize::new(BUDGET - 100));
        let cards = table(&all_kept);
        let (first, second) = (OnceLock::new(), OnceLock::new());
        assert_eq!(cards.keep(&first, "a", 60), "a");
        assert_eq!(first.get(), Some(&"a"));
        assert_eq!(all_kept.load(Ordering::Relaxed), BUDGET - 40);
        // No room left: the rendering is served, not kept.
        assert_eq!(cards.keep(&second, "b", 60), "b");
        assert_eq!(second.get(), None);
        assert_eq!(all_kept.load(Ordering::Relaxed), BUDGET - 40);
        // Kept by another request first: counted once.
        assert_eq!(cards.keep(&first, "c", 10), "c");
        assert_eq!(first.get(), Some(&"a"));
        assert_eq!(all_kept.load(Ordering::Relaxed), BUDGET - 40);
        drop(cards);
        assert_eq!(all_kept.load(Ordering::Relaxed), BUDGET - 100);
    }
}
