//! `GET /api/v1/region` and `GET /api/v1/regions`.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::api::{ApiError, ApiTags};
use crate::web::Origin;
use crate::State;

use super::pages::region_links;
use super::view::{RegionInfo, RegionLink};
use super::Site;

pub struct RegionsApi;

#[derive(ApiResponse)]
enum RegionResponse {
    /// The region of the host the request was sent to.
    #[oai(status = 200)]
    Ok(Json<Box<RegionInfo>>),
    /// Sent to the platform's own host, not a region's.
    #[oai(status = 404)]
    NotARegion(Json<ApiError>),
}

#[derive(ApiResponse)]
enum RegionsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<RegionLink>>),
    /// Sent to a region's host: the list is on the platform's own host.
    #[oai(status = 404)]
    NotApex(Json<ApiError>),
}

#[OpenApi(tag = "ApiTags::Regions")]
impl RegionsApi {
    /// The current region's public settings
    ///
    /// The region is the one whose host the request is sent to (e.g. `p67.навигатор.дети`).
    #[oai(path = "/region", method = "get")]
    async fn region(&self, site: Site) -> RegionResponse {
        match site {
            Site::Region(tenant) => RegionResponse::Ok(Json(Box::new(RegionInfo::of(&tenant)))),
            _ => RegionResponse::NotARegion(Json(ApiError::new(
                "not_a_region",
                "Запрос отправлен не на адрес региона: используйте хост региона, например p67.навигатор.дети",
            ))),
        }
    }

    /// All regions of the platform
    ///
    /// Answers on the platform's own host (the base domain) only.
    #[oai(path = "/regions", method = "get")]
    async fn regions(&self, state: Data<&State>, site: Site, origin: Origin) -> RegionsResponse {
        match site {
            Site::Apex => RegionsResponse::Ok(Json(region_links(&state.registry, &origin))),
            _ => RegionsResponse::NotApex(Json(ApiError::new(
                "not_apex",
                "Список регионов доступен на основном домене платформы",
            ))),
        }
    }
}
