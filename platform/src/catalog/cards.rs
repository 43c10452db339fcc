//! The API's program cards, rendered once. A page of results is twenty cards of a dozen
//! strings each; building and serializing them was a fifth of an uncached search. A card
//! changes only with the catalog (a new index), the region's settings (municipality names)
//! or the day («идёт набор»), so each card's JSON is rendered the first time a page shows
//! it and copied from then on.

use std::borrow::Cow;
use std::sync::OnceLock;

use chrono::NaiveDate;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};
use serde_json::value::RawValue;

use crate::regions::Tenant;

use super::index::CatalogIndex;
use super::views::ProgramCard;

/// Each program's card as JSON, by catalog position, for one index version, region
/// revision and day. At most one rendering per program: about 600 bytes each, 55 MB for a
/// region of 100 000 programs if every card is shown in a day.
pub struct CardJson {
    version: i64,
    revision: i64,
    today: NaiveDate,
    cards: Vec<OnceLock<Box<RawValue>>>,
}

impl CardJson {
    pub fn new(index: &CatalogIndex, tenant: &Tenant, today: NaiveDate) -> Self {
        Self {
            version: index.version,
            revision: tenant.revision,
            today,
            cards: (0..index.docs.len()).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Whether these renderings are the ones of this index, region revision and day.
    pub fn fits(&self, index: &CatalogIndex, tenant: &Tenant, today: NaiveDate) -> bool {
        (self.version, self.revision, self.today) == (index.version, tenant.revision, today)
    }

    /// The cards of the programs `ids` that the index has, in order.
    pub fn list(&self, index: &CatalogIndex, ids: &[i64], tenant: &Tenant) -> CardList {
        CardList(
            ids.iter()
                .filter_map(|&id| {
                    let position = index.position(id)?;
                    let card = self.cards[position as usize].get_or_init(|| {
                        let doc = &index.docs[position as usize];
                        let card = ProgramCard::of(doc, index, tenant, self.today);
                        serde_json::value::to_raw_value(&card).expect("a card serializes")
                    });
                    Some(card.clone())
                })
                .collect(),
        )
    }
}

/// A page's cards as rendered JSON, documented in the spec as a list of `ProgramCard`.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(transparent)]
pub struct CardList(Vec<Box<RawValue>>);

impl Type for CardList {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        <Vec<ProgramCard>>::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        <Vec<ProgramCard>>::schema_ref()
    }

    fn register(registry: &mut Registry) {
        <Vec<ProgramCard>>::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(std::iter::empty())
    }
}

impl ToJSON for CardList {
    fn to_json(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self).ok()
    }
}
