//! Program cards, rendered once. A page of results is twenty cards of a dozen strings
//! each; building and serializing them was a fifth of an uncached API search, and
//! rendering them a good part of the HTML page. A card changes only with the catalog (a new
//! index), the region's settings (municipality names) or the day («идёт набор»), so each
//! card's JSON and HTML are rendered the first time a page shows them and copied from then
//! on.

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde_json::value::RawValue;

use crate::regions::Tenant;
use crate::web::Templates;

use super::index::CatalogIndex;
use super::views::ProgramCard;

/// Each program's card as JSON and as HTML, by catalog position, for one index version,
/// region revision and day. At most one rendering of each per program: about 600 and 900
/// bytes, 140 MB for a region of 100 000 programs if every card is shown in a day.
pub struct Cards {
    version: i64,
    revision: i64,
    today: NaiveDate,
    slots: Vec<Slot>,
}

#[derive(Default)]
struct Slot {
    json: OnceLock<Box<RawValue>>,
    html: OnceLock<Box<str>>,
}

impl Cards {
    pub fn new(index: &CatalogIndex, tenant: &Tenant, today: NaiveDate) -> Self {
        Self {
            version: index.version,
            revision: tenant.revision,
            today,
            slots: (0..index.docs.len()).map(|_| Slot::default()).collect(),
        }
    }

    /// Whether these renderings are the ones of this index, region revision and day.
    pub fn fits(&self, index: &CatalogIndex, tenant: &Tenant, today: NaiveDate) -> bool {
        (self.version, self.revision, self.today) == (index.version, tenant.revision, today)
    }

    /// The cards of the programs `ids` that the index has, in order, as the API's JSON.
    pub fn json(&self, index: &CatalogIndex, ids: &[i64], tenant: &Tenant) -> CardList {
        CardList(
            self.slots(index, ids)
                .map(|(position, slot)| {
                    let json = slot.json.get_or_init(|| {
                        let card = self.card(index, position, tenant);
                        serde_json::value::to_raw_value(&card).expect("a card serializes")
                    });
                    json.clone()
                })
                .collect(),
        )
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
                    Some(html) => html,
                    None => {
                        let p = self.card(index, position, tenant);
                        let html =
                            templates.render("_program_card.html", minijinja::context! { p })?;
                        // Another request may have rendered it meanwhile: the same text.
                        slot.html.get_or_init(|| html.into())
                    }
                };
                Ok(minijinja::Value::from_safe_string(html.to_string()))
            })
            .collect()
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

/// A page's cards as rendered JSON, documented in the spec as a list of `ProgramCard`.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(transparent)]
pub struct CardList(Vec<Box<RawValue>>);

crate::api::documented_as!(CardList, Vec<ProgramCard>);
