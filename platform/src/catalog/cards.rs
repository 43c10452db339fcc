//! Program cards, rendered once. A page of results is twenty cards of a dozen strings
//! each; building and serializing them was a fifth of an uncached API search, and
//! rendering them a good part of the HTML page. A card changes only with its program's
//! record, the region's settings (municipality names) or the day («идёт набор»), so each
//! card's JSON and HTML are rendered the first time a page shows them and copied from then
//! on. They are kept with the program's record (`ProgramDoc::card`), which the index
//! versions made by applying an edit share: an edit renders again only the cards of the
//! programs it changed. (The record's organization, municipality and profile are positions
//! in tables that an applied edit keeps as they are; a full build makes new records.)

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use serde_json::value::RawValue;

use crate::regions::Tenant;
use crate::templates::Templates;

use super::index::{CatalogIndex, ProgramDoc};
use super::views::ProgramCard;

/// Bytes of renderings all regions' cards keep at most, together. Every card of a region
/// of 100 000 programs, as JSON (600 bytes) and HTML (900), would take 140 MB; past the
/// budget, cards are rendered for each page and not kept. With the result cache's 64 MB,
/// a process stays well under half a gigabyte.
pub const BUDGET: usize = 96 << 20;

/// The cards of a region for one region revision and day.
pub struct Cards {
    revision: i64,
    today: NaiveDate,
    /// Bytes kept by every card of the process (see `BUDGET`).
    all_kept: Arc<AtomicUsize>,
}

/// One program's card as JSON and as HTML, for one region revision and day.
pub struct Rendered {
    revision: i64,
    today: NaiveDate,
    json: OnceLock<Box<RawValue>>,
    html: OnceLock<Box<str>>,
    /// Bytes kept here, and by every card of the process.
    kept: AtomicUsize,
    all_kept: Arc<AtomicUsize>,
}

impl Cards {
    pub fn new(tenant: &Tenant, today: NaiveDate, all_kept: Arc<AtomicUsize>) -> Self {
        Self {
            revision: tenant.revision,
            today,
            all_kept,
        }
    }

    /// Whether these are the cards of this region revision and day.
    pub fn fits(&self, tenant: &Tenant, today: NaiveDate) -> bool {
        (self.revision, self.today) == (tenant.revision, today)
    }

    /// The cards of the programs `ids` that the index has, in order, as the API's JSON.
    pub fn json(&self, index: &CatalogIndex, ids: &[i64], tenant: &Tenant) -> CardList {
        let json = self
            .slots(index, ids)
            .map(|(doc, slot)| match slot.json.get() {
                Some(json) => json.clone(),
                None => {
                    let card = ProgramCard::of(doc, index, tenant, self.today);
                    let json = serde_json::value::to_raw_value(&card).expect("a card serializes");
                    let size = json.get().len();
                    slot.keep(&slot.json, json, size)
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
            .map(|(doc, slot)| {
                let html = match slot.html.get() {
                    Some(html) => html.clone(),
                    None => {
                        let p = ProgramCard::of(doc, index, tenant, self.today);
                        let html =
                            templates.render("_program_card.html", minijinja::context! { p })?;
                        let size = html.len();
                        slot.keep(&slot.html, html.into_boxed_str(), size)
                    }
                };
                Ok(minijinja::Value::from_safe_string(html.into()))
            })
            .collect()
    }

    fn slots<'a>(
        &'a self,
        index: &'a CatalogIndex,
        ids: &'a [i64],
    ) -> impl Iterator<Item = (&'a ProgramDoc, Arc<Rendered>)> + 'a {
        ids.iter().filter_map(|&id| {
            let doc = index.get(id)?;
            Some((doc, self.slot(doc)))
        })
    }

    /// The program's renderings for this revision and day: those it has, or new empty ones
    /// in their place.
    fn slot(&self, doc: &ProgramDoc) -> Arc<Rendered> {
        let mut kept = doc.card.0.lock().expect("card lock");
        match kept.as_ref() {
            Some(r) if (r.revision, r.today) == (self.revision, self.today) => r.clone(),
            _ => {
                let fresh = Arc::new(Rendered {
                    revision: self.revision,
                    today: self.today,
                    json: OnceLock::new(),
                    html: OnceLock::new(),
                    kept: AtomicUsize::new(0),
                    all_kept: self.all_kept.clone(),
                });
                *kept = Some(fresh.clone());
                fresh
            }
        }
    }
}

impl Rendered {
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
}

impl Drop for Rendered {
    /// Renderings replaced (settings, day) or dropped with their program's record give
    /// their bytes back to the budget.
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

    fn table(all_kept: &Arc<AtomicUsize>) -> Rendered {
        Rendered {
            revision: 1,
            today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            json: OnceLock::new(),
            html: OnceLock::new(),
            kept: AtomicUsize::new(0),
            all_kept: all_kept.clone(),
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
