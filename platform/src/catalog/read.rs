//! What the catalog's pages and API ask for, in one place: both faces call these.

use std::sync::Arc;

use geojson::FeatureCollection;

use crate::regions::Tenant;
use crate::State;

use super::geo;
use super::index::CatalogIndex;
use super::query::{CatalogQuery, FieldError, RawQuery};
use super::service::{today, CatalogError};
use super::store;
use super::views::{
    OrganizationDetail, OrganizationView, ProgramDetail, ProgramSummary, SearchPage,
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

/// A page of results.
pub async fn search(
    state: &State,
    tenant: &Tenant,
    raw: &RawQuery,
) -> Result<(CatalogQuery, SearchPage), SearchError> {
    let index = state.catalog.index(tenant).await?;
    let q = parse(raw, tenant, &index).map_err(SearchError::Invalid)?;
    let today = today(tenant);
    let (index, result) = state.catalog.search(tenant, &q, today).await?;
    let page = SearchPage::of(&index, &result, &q, tenant, &index.profiles, today);
    Ok((q, page))
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
    Ok(geo::feature_collection(&index, &q, today(tenant)))
}

/// A published program of the region with its groups and organization.
pub async fn program(
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
    let index = state.catalog.index(tenant).await?;
    Ok(Some(ProgramDetail::of(
        &program,
        &org,
        &groups,
        &index.profiles,
        tenant,
        today(tenant),
    )))
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
    }))
}
