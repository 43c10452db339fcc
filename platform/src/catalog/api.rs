//! The catalog under /api/v1: search, one program, one organization, dictionaries, and the
//! map's GeoJSON.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult};
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::{ApiError, ApiTags, JsonText};
use crate::regions::{MunicipalityInfo, RegionInfo, Site, Tenant};
use crate::web::WebError;

use super::CatalogError;
use crate::web::expensive;
use crate::State;

use super::cards::CardList;
use super::index::{AsMap, FacetCounts};
use super::query::RawQuery;
use super::read::{self, SearchError};
use super::views::{
    directions, DirectionView, OrganizationDetail, ProgramCard, ProgramDetail, SearchResults,
};

pub struct CatalogApi;

#[derive(ApiResponse)]
enum SearchResponse {
    #[oai(status = 200)]
    Ok(JsonText<SearchResults>),
    /// A parameter is invalid; `field` names it.
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    /// Not a region's host.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// Too many searches in flight from this address: `Retry-After` says when to try again.
    /// Documents the refusal of the bound around the handler (`web::expensive`), so no
    /// handler builds it.
    #[oai(status = 429)]
    #[allow(dead_code)]
    TooMany(Json<ApiError>, #[oai(header = "Retry-After")] u64),
    #[oai(status = 500)]
    Internal(Json<ApiError>),
    /// The database did not answer: `Retry-After` says when to try again.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
enum ProgramResponse {
    #[oai(status = 200)]
    Ok(Json<Box<ProgramDetail>>),
    /// The id is not a number. Documents the refusal poem-openapi makes before the
    /// handler runs (the host middleware writes it), so no handler builds it.
    #[oai(status = 400)]
    #[allow(dead_code)]
    BadRequest(Json<ApiError>),
    /// No published program with this id in this region.
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    #[oai(status = 500)]
    Internal(Json<ApiError>),
    /// The database did not answer: `Retry-After` says when to try again.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
enum OrganizationResponse {
    #[oai(status = 200)]
    Ok(Json<Box<OrganizationDetail>>),
    /// The id is not a number. Documents the refusal poem-openapi makes before the
    /// handler runs (the host middleware writes it), so no handler builds it.
    #[oai(status = 400)]
    #[allow(dead_code)]
    BadRequest(Json<ApiError>),
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    #[oai(status = 500)]
    Internal(Json<ApiError>),
    /// The database did not answer: `Retry-After` says when to try again.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
enum ListResponse<T: poem_openapi::types::ToJSON + Send + Sync> {
    #[oai(status = 200)]
    Ok(Json<Vec<T>>),
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    #[oai(status = 500)]
    Internal(Json<ApiError>),
    /// The database did not answer: `Retry-After` says when to try again.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
enum GeoJsonResponse {
    /// An RFC 7946 FeatureCollection of group locations (Point features). Foreign members:
    /// `total` (points matching) and `truncated` (only the first 5000 are returned).
    #[oai(status = 200)]
    Ok(Json<serde_json::Value>),
    #[oai(status = 400)]
    BadRequest(Json<ApiError>),
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// As for `/programs`.
    #[oai(status = 429)]
    #[allow(dead_code)]
    TooMany(Json<ApiError>, #[oai(header = "Retry-After")] u64),
    #[oai(status = 500)]
    Internal(Json<ApiError>),
    /// The database did not answer: `Retry-After` says when to try again.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] u64),
}

fn not_a_region() -> ApiError {
    ApiError::new(
        "not_a_region",
        "Каталог есть только на адресе региона, например p67.навигатор.дети",
    )
}

/// The replies that can fail: a bug (500) or the database out of reach (503).
trait Fails {
    fn internal(body: Json<ApiError>) -> Self;
    fn unavailable(body: Json<ApiError>, retry_after: u64) -> Self;
}

macro_rules! fails {
    ($($reply:ident $(<$t:ident>)?),*) => {$(
        impl$(<$t: poem_openapi::types::ToJSON + Send + Sync>)? Fails for $reply$(<$t>)? {
            fn internal(body: Json<ApiError>) -> Self {
                Self::Internal(body)
            }
            fn unavailable(body: Json<ApiError>, retry_after: u64) -> Self {
                Self::Unavailable(body, retry_after)
            }
        }
    )*};
}
fails!(
    SearchResponse,
    ProgramResponse,
    OrganizationResponse,
    ListResponse<T>,
    GeoJsonResponse
);

/// The reply to a failure, by the web kernel's one rule for outages, its cause logged.
fn failed<R: Fails>(e: CatalogError) -> R {
    match WebError::from(e).classified() {
        WebError::Unavailable(o) => {
            tracing::warn!(store = ?o.store, cause = format!("{:#}", o.cause), "store unreachable: 503");
            R::unavailable(
                Json(ApiError::new("unavailable", o.message())),
                o.retry_after().seconds(),
            )
        }
        other => {
            tracing::error!(
                error = format!("{:#}", anyhow::Error::from(other)),
                "catalog API failed"
            );
            R::internal(Json(ApiError::new("internal", "Внутренняя ошибка сервера")))
        }
    }
}

fn region(site: Site) -> Option<std::sync::Arc<Tenant>> {
    match site {
        Site::Region(t) => Some(t),
        _ => None,
    }
}

/// The first invalid parameter, as the API's error body (all of them are in `message`).
fn invalid(errors: Vec<super::query::FieldError>) -> ApiError {
    crate::api::invalid_parameters(&errors).0
}

/// Search parameters, shared by `/programs` and `/catalog.geojson`.
#[allow(clippy::too_many_arguments)]
fn raw_query(
    q: Query<Option<String>>,
    municipality: Query<Option<String>>,
    organization: Query<Option<String>>,
    direction: Query<Option<String>>,
    profile: Query<Option<String>>,
    age: Query<Option<String>>,
    level: Query<Option<String>>,
    financing: Query<Option<String>>,
    ovz: Query<Option<String>>,
    open: Query<Option<String>>,
) -> RawQuery {
    RawQuery {
        q: q.0,
        municipality: municipality.0,
        organization: organization.0,
        direction: direction.0,
        profile: profile.0,
        age: age.0,
        level: level.0,
        financing: financing.0,
        ovz: ovz.0,
        open: open.0,
        ..Default::default()
    }
}

#[OpenApi(tag = "ApiTags::Catalog")]
impl CatalogApi {
    /// Search the catalog
    ///
    /// Published programs of the host's region with the filters of the catalog page, and the
    /// number of results each filter value would give (`facets`).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/programs", method = "get", transform = "expensive")]
    async fn programs(
        &self,
        state: Data<&State>,
        site: Site,
        /// Free text: title, profile, organization, description (Russian stemming).
        q: Query<Option<String>>,
        /// Municipality id (see /municipalities).
        municipality: Query<Option<String>>,
        /// Organization id.
        organization: Query<Option<String>>,
        /// Direction code: technical, natural_science, sport, art, tourism, social.
        direction: Query<Option<String>>,
        /// Profile id (see /directions).
        profile: Query<Option<String>>,
        /// The child's age in years, 3–18.
        age: Query<Option<String>>,
        /// start, basic, advanced.
        level: Query<Option<String>>,
        /// free, certificate, paid: programs offering that way of paying (a program may
        /// offer several, e.g. certificate and paid, and is found by each).
        financing: Query<Option<String>>,
        /// `1`: only programs suitable for children with disabilities (ОВЗ).
        ovz: Query<Option<String>>,
        /// `1`: only programs with enrollment open today.
        open: Query<Option<String>>,
        /// relevance (default), newest, title, rating (best rated first, few reviews
        /// weighted toward the region's mean; programs without reviews last).
        sort: Query<Option<String>>,
        /// Page number from 1.
        page: Query<Option<String>>,
        /// Results per page, 1–100 (default 20).
        per_page: Query<Option<String>>,
    ) -> SearchResponse {
        let Some(tenant) = region(site) else {
            return SearchResponse::NotFound(Json(not_a_region()));
        };
        let mut raw = raw_query(
            q,
            municipality,
            organization,
            direction,
            profile,
            age,
            level,
            financing,
            ovz,
            open,
        );
        raw.sort = sort.0;
        raw.page = page.0;
        raw.per_page = per_page.0;
        match read::search_json(&state, &tenant, &raw).await {
            Ok(json) => SearchResponse::Ok(JsonText::new(json)),
            Err(SearchError::Invalid(errors)) => SearchResponse::BadRequest(Json(invalid(errors))),
            Err(SearchError::Catalog(e)) => failed(e),
        }
    }

    /// One program
    #[oai(path = "/programs/:id", method = "get")]
    async fn program(&self, state: Data<&State>, site: Site, id: Path<i64>) -> ProgramResponse {
        let Some(tenant) = region(site) else {
            return ProgramResponse::NotFound(Json(not_a_region()));
        };
        match read::program_now(&state, &tenant, id.0).await {
            Ok(Some(p)) => ProgramResponse::Ok(Json(Box::new(p))),
            Ok(None) => {
                ProgramResponse::NotFound(Json(ApiError::new("not_found", "Программа не найдена")))
            }
            Err(e) => failed(e),
        }
    }

    /// One organization with its published programs
    #[oai(path = "/organizations/:id", method = "get")]
    async fn organization(
        &self,
        state: Data<&State>,
        site: Site,
        id: Path<i64>,
    ) -> OrganizationResponse {
        let Some(tenant) = region(site) else {
            return OrganizationResponse::NotFound(Json(not_a_region()));
        };
        match read::organization(&state, &tenant, id.0).await {
            Ok(Some(o)) => OrganizationResponse::Ok(Json(Box::new(o))),
            Ok(None) => OrganizationResponse::NotFound(Json(ApiError::new(
                "not_found",
                "Организация не найдена",
            ))),
            Err(e) => failed(e),
        }
    }

    /// Municipalities of the region
    #[oai(path = "/municipalities", method = "get")]
    async fn municipalities(&self, site: Site) -> ListResponse<MunicipalityInfo> {
        match region(site) {
            Some(tenant) => ListResponse::Ok(Json(RegionInfo::of(&tenant).municipalities)),
            None => ListResponse::NotFound(Json(not_a_region())),
        }
    }

    /// Directions and the region's profiles under each
    #[oai(path = "/directions", method = "get")]
    async fn directions(&self, state: Data<&State>, site: Site) -> ListResponse<DirectionView> {
        let Some(tenant) = region(site) else {
            return ListResponse::NotFound(Json(not_a_region()));
        };
        match read::index(&state, &tenant).await {
            Ok(index) => ListResponse::Ok(Json(directions(&index.profiles))),
            Err(e) => failed(e),
        }
    }

    /// Group locations for the map
    ///
    /// The same filters as /programs, plus `bbox=west,south,east,north` in degrees.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/catalog.geojson", method = "get", transform = "expensive")]
    async fn geojson(
        &self,
        state: Data<&State>,
        site: Site,
        q: Query<Option<String>>,
        municipality: Query<Option<String>>,
        organization: Query<Option<String>>,
        direction: Query<Option<String>>,
        profile: Query<Option<String>>,
        age: Query<Option<String>>,
        level: Query<Option<String>>,
        financing: Query<Option<String>>,
        ovz: Query<Option<String>>,
        open: Query<Option<String>>,
        /// west,south,east,north (RFC 7946 order), degrees.
        bbox: Query<Option<String>>,
    ) -> GeoJsonResponse {
        let Some(tenant) = region(site) else {
            return GeoJsonResponse::NotFound(Json(not_a_region()));
        };
        let mut raw = raw_query(
            q,
            municipality,
            organization,
            direction,
            profile,
            age,
            level,
            financing,
            ovz,
            open,
        );
        raw.bbox = bbox.0;
        match read::map_points(&state, &tenant, &raw).await {
            Ok(fc) => {
                GeoJsonResponse::Ok(Json(serde_json::to_value(fc).expect("GeoJSON serializes")))
            }
            Err(SearchError::Invalid(errors)) => GeoJsonResponse::BadRequest(Json(invalid(errors))),
            Err(SearchError::Catalog(e)) => failed(e),
        }
    }
}

// Counts per filter value are documented as what they are on the wire: an object of counts.
crate::api::documented_as!(FacetCounts, AsMap);

// A page's cards, rendered ahead of time, are documented as the list of cards they are.
crate::api::documented_as!(CardList, Vec<ProgramCard>);

impl ParseFromJSON for FacetCounts {
    fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
        AsMap::parse_from_json(value)
            .map(Self::from)
            .map_err(ParseError::propagate)
    }
}
