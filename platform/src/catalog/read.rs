//! What the catalog's pages and API ask for, in one place: both faces call these.

use std::sync::Arc;

use bytes::Bytes;
use chrono::NaiveDate;

use geojson::FeatureCollection;

use crate::regions::Tenant;
use crate::State;

use super::geo;
use super::index::CatalogIndex;
use super::indexes::CatalogError;
use super::query::{CatalogQuery, FieldError, RawQuery};
use super::reviews::{self, ReviewView};
use super::store;
use super::views::{
    OrganizationDetail, OrganizationView, PlaceView, ProgramDetail, ProgramSummary, SearchPage,
    SearchResults,
};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("неверные параметры поиска")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

impl From<crate::db::DbError> for SearchError {
    fn from(e: crate::db::DbError) -> Self {
        SearchError::Catalog(e.into())
    }
}

/// Parses the raw parameters against the region's municipalities and profiles.
pub fn parse(
    raw: &RawQuery,
    tenant: &Tenant,
    index: &CatalogIndex,
) -> Result<CatalogQuery, Vec<FieldError>> {
    CatalogQuery::parse(
        raw,
        |m| tenant.config.municipality(m).is_some(),
        |p| index.profiles.iter().any(|x| x.id == p),
    )
}

/// A validated search against one version of the region's index.
pub struct Search {
    pub index: Arc<CatalogIndex>,
    pub q: CatalogQuery,
    pub today: NaiveDate,
}

impl Search {
    pub async fn prepare(
        state: &State,
        tenant: &Tenant,
        raw: &RawQuery,
    ) -> Result<Self, SearchError> {
        let index = state.catalog.index(tenant).await?;
        let q = parse(raw, tenant, &index).map_err(SearchError::Invalid)?;
        Ok(Self {
            index,
            q,
            today: tenant.today(&state.clock),
        })
    }

    /// The page of results (computed, not cached); its cards only `with_cards` (the map
    /// page shows none).
    pub fn page(
        &self,
        state: &State,
        tenant: &Tenant,
        with_cards: bool,
    ) -> Result<SearchPage, minijinja::Error> {
        let index = &self.index;
        let result = index.search(&self.q, self.today);
        let items = if with_cards {
            let cards = state.catalog.cards(tenant, self.today);
            cards.html(index, &result.ids, tenant, &state.templates)?
        } else {
            Vec::new()
        };
        Ok(SearchPage::of(index, &result, &self.q, tenant, items))
    }

    /// The cache key of a rendering (`face`) of this search: region and its revision
    /// (municipality names), index version, day («идёт набор» turns at midnight) and the
    /// query.
    pub fn cache_key(&self, tenant: &Tenant, face: &str) -> String {
        let rest = format!(
            "{}:{}:{}:{face}:{}",
            tenant.revision,
            self.index.version,
            self.today,
            serde_json::to_string(&self.q).expect("query serializes")
        );
        crate::cache::region_key("catalog", tenant.id, &rest)
    }
}

/// A page of results as the API's JSON, cached.
pub async fn search_json(
    state: &State,
    tenant: &Tenant,
    raw: &RawQuery,
) -> Result<Bytes, SearchError> {
    let search = Search::prepare(state, tenant, raw).await?;
    let key = search.cache_key(tenant, "api");
    state
        .catalog
        .cached(&key, || {
            let index = &search.index;
            let result = index.search(&search.q, search.today);
            let cards = state.catalog.cards(tenant, search.today);
            let page = SearchResults::of(index, &cards, result, &search.q, tenant);
            Ok(serde_json::to_string(&page).expect("results serialize"))
        })
        .await
}

/// The index, for the empty filter form of a page whose parameters were refused.
pub async fn index(state: &State, tenant: &Tenant) -> Result<Arc<CatalogIndex>, CatalogError> {
    state.catalog.index(tenant).await
}

/// Points for the map as GeoJSON.
pub async fn map_points(
    state: &State,
    tenant: &Tenant,
    raw: &RawQuery,
) -> Result<FeatureCollection, SearchError> {
    let index = state.catalog.index(tenant).await?;
    let q = parse(raw, tenant, &index).map_err(SearchError::Invalid)?;
    Ok(geo::feature_collection(
        &index,
        &q,
        tenant.today(&state.clock),
    ))
}

/// A published program of the region with its groups and organization, for its page. While
/// the database is out of reach, the copy saved at its last view is served instead (marked
/// as such), so a family reading about a program is not turned away; without one, the
/// outage stands. (The API serves [`program_now`]: an integration must not take an old
/// count of seats for the present one.)
pub async fn program(
    state: &State,
    tenant: &Tenant,
    id: i64,
) -> Result<Option<ProgramDetail>, CatalogError> {
    match program_now(state, tenant, id).await {
        Ok(Some(detail)) => {
            let json = serde_json::to_vec(&detail).expect("program serializes");
            state.catalog.save_copy(tenant.id, id, json.into());
            Ok(Some(detail))
        }
        Ok(None) => {
            state.catalog.forget_copy(tenant.id, id);
            Ok(None)
        }
        Err(CatalogError::Db(e)) if e.is_unavailable() => {
            let saved = state.catalog.saved_copy(tenant.id, id);
            match saved.and_then(|b| serde_json::from_slice::<ProgramDetail>(&b).ok()) {
                Some(mut detail) => {
                    tracing::warn!(cause = %e, program = id, "database unreachable: program served from its saved copy");
                    detail.saved_copy = true;
                    Ok(Some(detail))
                }
                None => Err(CatalogError::Db(e)),
            }
        }
        Err(e) => Err(e),
    }
}

/// A published program as the database has it now.
pub async fn program_now(
    state: &State,
    tenant: &Tenant,
    id: i64,
) -> Result<Option<ProgramDetail>, CatalogError> {
    let Some(program) = store::published_program(&state.db, tenant.id, id).await? else {
        return Ok(None);
    };
    let Some(org) = store::organization(&state.db, tenant.id, program.organization_id).await?
    else {
        return Ok(None);
    };
    let groups = store::groups_of(&state.db, tenant.id, id).await?;
    // The dictionary, not the search index: a program page must not wait for an index build.
    let profiles = store::profiles(&state.db, tenant.id).await?;
    let mut detail = ProgramDetail::of(
        &program,
        &org,
        &groups,
        &profiles,
        tenant,
        tenant.today(&state.clock),
    );
    let zone = tenant.config.time_zone;
    detail.latest_reviews =
        reviews::latest(&state.db, tenant.id, zone, id, 0, REVIEWS_SHOWN).await?;
    Ok(Some(detail))
}

/// How many reviews a program's page shows; the rest are a page further.
pub const REVIEWS_SHOWN: i64 = 10;
/// Reviews per page of `/programs/{id}/reviews`.
pub const REVIEWS_PER_PAGE: i64 = 20;

/// One page (from 1) of a published program's published reviews, newest first: the
/// program's title, the reviews, how many there are in all. `None` when the program is not
/// published in the region.
pub async fn reviews_page(
    state: &State,
    tenant: &Tenant,
    id: i64,
    page: u32,
) -> Result<Option<(String, Vec<ReviewView>, i64)>, CatalogError> {
    let Some(program) = store::published_program(&state.db, tenant.id, id).await? else {
        return Ok(None);
    };
    let offset = i64::from(page.saturating_sub(1)) * REVIEWS_PER_PAGE;
    let zone = tenant.config.time_zone;
    let (reviews, total) = tokio::try_join!(
        reviews::latest(&state.db, tenant.id, zone, id, offset, REVIEWS_PER_PAGE),
        reviews::count(&state.db, tenant.id, id),
    )?;
    Ok(Some((program.title, reviews, total)))
}

/// An organization of the region with its published programs.
pub async fn organization(
    state: &State,
    tenant: &Tenant,
    id: i64,
) -> Result<Option<OrganizationDetail>, CatalogError> {
    let Some(org) = store::organization(&state.db, tenant.id, id).await? else {
        return Ok(None);
    };
    let programs = store::published_programs_of(&state.db, tenant.id, id).await?;
    Ok(Some(OrganizationDetail {
        organization: OrganizationView::of(&org, tenant),
        programs: programs.iter().map(ProgramSummary::of).collect(),
        places: store::places_of(&state.db, tenant.id, id)
            .await?
            .into_iter()
            .map(|(address, at)| PlaceView {
                address,
                lat: at.lat,
                lon: at.lon,
            })
            .collect(),
    }))
}
