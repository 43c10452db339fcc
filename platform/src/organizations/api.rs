//! The organization's profile and places under /api/v1, as on «Профиль организации»: for
//! the organization's staff, with a session (and `X-CSRF-Token`) or the organization's API
//! token.

use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::api::{done, try_reply, writer, ApiTags, Done, Reply, Text};
use crate::regions::Site;
use crate::web::{region_of, Visitor};
use crate::State;

use super::service::{PlaceForm, ProfileForm};
use super::store::{self, Profile};

pub struct OrganizationsApi;

#[derive(Object)]
pub struct OrganizationProfile {
    pub id: i64,
    /// Полное название.
    pub name: String,
    /// Краткое название.
    pub short_name: String,
    /// state | municipal | private | ip
    pub org_type: String,
    /// «Государственная», «Муниципальная», «Частная», «Индивидуальный предприниматель».
    pub org_type_label: String,
    /// ИНН: 10 digits, 12 for an ИП.
    pub inn: String,
    /// ОГРН (13 digits) or ОГРНИП (15); none until the staff state it.
    #[oai(nullable)]
    pub ogrn: Option<String>,
    /// `+7XXXXXXXXXX`.
    pub phone: String,
    pub email: String,
    #[oai(nullable)]
    pub website: Option<String>,
    pub description: String,
    /// The logo, 256×256 PNG, at `/media/{logo}` on the region's host (`PUT
    /// /provider/logo` sets it); none without one.
    #[oai(nullable)]
    pub logo: Option<String>,
    pub places: Vec<PlaceInfo>,
}

#[derive(Object)]
pub struct PlaceInfo {
    pub id: i64,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
}

impl From<&store::Place> for PlaceInfo {
    fn from(p: &store::Place) -> Self {
        Self {
            id: p.id,
            address: p.address.clone(),
            lat: p.location.lat,
            lon: p.location.lon,
        }
    }
}

fn profile_info(p: Profile, places: &[store::Place]) -> OrganizationProfile {
    OrganizationProfile {
        id: p.id,
        name: p.name,
        short_name: p.short_name,
        org_type: p.org_type.code().to_owned(),
        org_type_label: p.org_type.label().to_owned(),
        inn: p.inn,
        ogrn: p.ogrn,
        phone: p.phone,
        email: p.email,
        website: p.website,
        description: p.description,
        logo: p.logo,
        places: places.iter().map(PlaceInfo::from).collect(),
    }
}

#[derive(Object)]
pub struct ProfileRequest {
    pub name: String,
    pub short_name: String,
    /// state | municipal | private | ip
    pub org_type: String,
    /// 10 digits (12 for an ИП), checked with its check digits.
    pub inn: String,
    /// ОГРН, 13 digits (ОГРНИП, 15, for an ИП), checked with its check digit.
    pub ogrn: String,
    pub phone: String,
    pub email: String,
    /// `https://…`; none or empty for no site.
    #[oai(nullable)]
    pub website: Option<String>,
    pub description: String,
}

impl ProfileRequest {
    fn form(self) -> ProfileForm {
        ProfileForm {
            name: self.name,
            short_name: self.short_name,
            org_type: self.org_type,
            inn: self.inn,
            ogrn: self.ogrn,
            phone: self.phone,
            email: self.email,
            website: self.website.unwrap_or_default(),
            description: self.description,
        }
    }
}

#[derive(Object)]
pub struct PlaceRequest {
    pub address: Text,
    /// Latitude, decimal degrees: inside the region.
    pub lat: f64,
    /// Longitude, decimal degrees: inside the region.
    pub lon: f64,
}

impl PlaceRequest {
    fn form(self) -> PlaceForm {
        PlaceForm {
            address: self.address.0,
            lat: self.lat.to_string(),
            lon: self.lon.to_string(),
        }
    }
}

#[OpenApi(tag = "ApiTags::Organizations")]
impl OrganizationsApi {
    /// «Профиль организации» (organization staff)
    #[oai(path = "/provider/profile", method = "get")]
    async fn profile(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
    ) -> Reply<OrganizationProfile> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let (profile, places) = try_reply!(state.organizations.profile(tenant, viewer).await);
        Reply::Ok(Json(profile_info(profile, &places)))
    }

    /// Saves the profile
    ///
    /// Every field is checked; 400 names each wrong one (`field`, `fields`).
    #[oai(path = "/provider/profile", method = "put")]
    async fn save_profile(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<ProfileRequest>,
    ) -> Reply<OrganizationProfile> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let form = body.0.form();
        try_reply!(
            state
                .organizations
                .save_profile(tenant, viewer, &form)
                .await
        );
        let (profile, places) = try_reply!(state.organizations.profile(tenant, viewer).await);
        Reply::Ok(Json(profile_info(profile, &places)))
    }

    /// The places of study (места обучения)
    #[oai(path = "/provider/places", method = "get")]
    async fn places(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
    ) -> Reply<Vec<PlaceInfo>> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let (_, places) = try_reply!(state.organizations.profile(tenant, viewer).await);
        Reply::Ok(Json(places.iter().map(PlaceInfo::from).collect()))
    }

    /// Adds a place of study
    ///
    /// The point must lie inside the region; 400 names the coordinate outside.
    #[oai(path = "/provider/places", method = "post")]
    async fn add_place(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<PlaceRequest>,
    ) -> Reply<PlaceInfo> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let place = try_reply!(
            state
                .organizations
                .save_place(tenant, viewer, None, &body.0.form())
                .await
        );
        Reply::Ok(Json(PlaceInfo::from(&place)))
    }

    /// Changes a place of study of the organization
    #[oai(path = "/provider/places/:id", method = "put")]
    async fn save_place(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        body: Json<PlaceRequest>,
    ) -> Reply<PlaceInfo> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let place = try_reply!(
            state
                .organizations
                .save_place(tenant, viewer, Some(id.0), &body.0.form())
                .await
        );
        Reply::Ok(Json(PlaceInfo::from(&place)))
    }

    /// Removes a place of study of the organization
    #[oai(path = "/provider/places/:id", method = "delete")]
    async fn remove_place(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        try_reply!(state.organizations.remove_place(tenant, viewer, id.0).await);
        Reply::Ok(done("Место обучения удалено"))
    }
}
