//! The provider cabinet's «Профиль организации»: the profile form and the places of study
//! (add, edit, remove), plain HTML forms that work without JavaScript; a small map picker
//! fills the latitude and longitude inputs where scripts run. A wrong field comes back
//! with its message beside it.

use poem::http::StatusCode;
use poem::web::{Data, Form, Multipart, Path, Query, Redirect};
use poem::{handler, IntoResponse};
use serde::{Deserialize, Serialize};

use crate::accounts::history;
use crate::accounts::values::Role;
use crate::catalog::model::OrgType;
use crate::domain::FieldError;
use crate::photos::renditions::MAX_BYTES;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::settings::MapTiles;
use crate::web::page::{errors_map, render, CsrfOnly, PageResult};
use crate::web::{form_status, path_id, read_upload, Layout, Region, Visitor, WebError};
use crate::State;

use super::service::{PlaceForm, ProfileForm};
use super::store::{Place, Profile};

#[derive(Serialize)]
struct TypeOption {
    code: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct PlaceRow {
    id: i64,
    address: String,
    lat: String,
    lon: String,
}

impl From<&Place> for PlaceRow {
    fn from(p: &Place) -> Self {
        Self {
            id: p.id,
            address: p.address.clone(),
            lat: p.location.lat.to_string(),
            lon: p.location.lon.to_string(),
        }
    }
}

/// Where the map picker opens and what it may reach: the region's map.
#[derive(Serialize)]
struct MapView {
    tiles: Option<MapTiles>,
    lat: f64,
    lon: f64,
    zoom: u8,
    south: f64,
    west: f64,
    north: f64,
    east: f64,
}

fn map_view(state: &State, tenant: &Tenant) -> MapView {
    let b = tenant.config.bounds();
    MapView {
        tiles: state.settings.map_tiles.clone(),
        lat: tenant.config.map.center.lat,
        lon: tenant.config.map.center.lon,
        zoom: tenant.config.map.zoom,
        south: b.south,
        west: b.west,
        north: b.north,
        east: b.east,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    saved: Option<String>,
}

/// What the profile page shows besides the places: the forms as typed, their errors.
struct ProfilePage<'a> {
    form: ProfileForm,
    errors: &'a [FieldError],
    place: PlaceForm,
    place_errors: &'a [FieldError],
    /// The logo's form sends a file: only its refusal comes back.
    logo_errors: &'a [FieldError],
    notice: Option<&'static str>,
}

impl<'a> ProfilePage<'a> {
    /// The page as stored, with `notice`.
    fn stored(profile: &Profile, notice: Option<&'static str>) -> Self {
        Self {
            form: ProfileForm::from(profile),
            errors: &[],
            place: PlaceForm::default(),
            place_errors: &[],
            logo_errors: &[],
            notice,
        }
    }
}

async fn profile_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    page: ProfilePage<'_>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let (profile, places) = state.organizations.profile(tenant, viewer).await?;
    let places: Vec<PlaceRow> = places.iter().map(PlaceRow::from).collect();
    let history = history::lines(
        &state.organizations.history(tenant, viewer).await?,
        tenant.config.time_zone,
    );
    let types: Vec<TypeOption> = OrgType::ALL
        .iter()
        .map(|t| TypeOption {
            code: t.code(),
            label: t.label(),
        })
        .collect();
    // 422 when a form comes back with its errors.
    let status =
        if page.errors.is_empty() && page.place_errors.is_empty() && page.logo_errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
    render(
        state,
        visitor,
        "provider_profile.html",
        minijinja::context! {
            layout, types, places, notice => page.notice,
            form => page.form, errors => errors_map(page.errors),
            place => page.place, place_errors => errors_map(page.place_errors),
            logo => profile.logo, logo_errors => errors_map(page.logo_errors),
            map => map_view(state, tenant), history, nav => "cabinet",
        },
        status,
    )
}

/// «Профиль организации».
#[handler]
pub async fn show_profile(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let (profile, _) = state.organizations.profile(&tenant, viewer).await?;
    let notice = q.saved.map(|what| match what.as_str() {
        "place" => "Место обучения сохранено.",
        "removed" => "Место обучения удалено.",
        "logo" => "Логотип сохранён.",
        "logo-removed" => "Логотип удалён.",
        _ => "Профиль организации сохранён.",
    });
    let page = ProfilePage::stored(&profile, notice);
    profile_page(&state, &tenant, &visitor, layout, page).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfilePost {
    csrf: String,
    #[serde(flatten)]
    profile: ProfileForm,
}

#[handler]
pub async fn save_profile(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Form(form): Form<ProfilePost>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    match state
        .organizations
        .save_profile(&tenant, viewer, &form.profile)
        .await
    {
        Ok(_) => Ok(Redirect::see_other("/provider/profile?saved=profile").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let page = ProfilePage {
                form: form.profile,
                errors: &errors,
                place: PlaceForm::default(),
                place_errors: &[],
                logo_errors: &[],
                notice: None,
            };
            profile_page(&state, &tenant, &visitor, layout, page).await
        }
        Err(e) => Err(e.into()),
    }
}

fn place_id(raw: &str) -> Result<Option<i64>, WebError> {
    match raw {
        "new" => Ok(None),
        id => path_id(id).map(Some),
    }
}

fn place_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    id: i64,
    place: &PlaceForm,
    errors: &[FieldError],
) -> PageResult {
    render(
        state,
        visitor,
        "provider_place.html",
        minijinja::context! {
            layout, id, place, errors => errors_map(errors), map => map_view(state, tenant),
            nav => "cabinet",
        },
        form_status(errors),
    )
}

/// One place of study's form.
#[handler]
pub async fn show_place(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let id = path_id(&id)?;
    let (_, places) = state.organizations.profile(&tenant, viewer).await?;
    // Another organization's place is simply not found.
    let place = places
        .iter()
        .find(|p| p.id == id)
        .ok_or(WebError::NotFound)?;
    place_page(
        &state,
        &tenant,
        &visitor,
        layout,
        id,
        &PlaceForm::from(place),
        &[],
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PlacePost {
    csrf: String,
    #[serde(flatten)]
    place: PlaceForm,
}

/// Adds a place (`/provider/profile/places/new`) or saves one.
#[handler]
pub async fn save_place(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(raw): Path<String>,
    Form(form): Form<PlacePost>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let id = place_id(&raw)?;
    match state
        .organizations
        .save_place(&tenant, viewer, id, &form.place)
        .await
    {
        Ok(_) => Ok(Redirect::see_other("/provider/profile?saved=place").into_response()),
        Err(ServiceError::Invalid(errors)) => match id {
            None => {
                let (profile, _) = state.organizations.profile(&tenant, viewer).await?;
                let page = ProfilePage {
                    form: ProfileForm::from(&profile),
                    errors: &[],
                    place: form.place,
                    place_errors: &errors,
                    logo_errors: &[],
                    notice: None,
                };
                profile_page(&state, &tenant, &visitor, layout, page).await
            }
            Some(id) => place_page(&state, &tenant, &visitor, layout, id, &form.place, &errors),
        },
        Err(e) => Err(e.into()),
    }
}

/// «Удалить» a place of study.
#[handler]
pub async fn remove_place(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let id = path_id(&id)?;
    state
        .organizations
        .remove_place(&tenant, viewer, id)
        .await?;
    Ok(Redirect::see_other("/provider/profile?saved=removed").into_response())
}

/// «Загрузить логотип» (a form of its own: it sends a file); a refusal comes back beside
/// the field.
#[handler]
pub async fn upload_logo(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    form: Multipart,
) -> PageResult {
    let upload = read_upload(form, "logo", MAX_BYTES).await?;
    visitor.check_csrf(&upload.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let result = if upload.file.is_empty() {
        Err(ServiceError::field("logo", "Выберите файл с логотипом"))
    } else {
        state
            .photos
            .set_logo(&tenant, viewer, upload.file)
            .await
            .map(|_| ())
    };
    match result {
        Ok(()) => Ok(Redirect::see_other("/provider/profile?saved=logo").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let (profile, _) = state.organizations.profile(&tenant, viewer).await?;
            let page = ProfilePage {
                logo_errors: &errors,
                ..ProfilePage::stored(&profile, None)
            };
            profile_page(&state, &tenant, &visitor, layout, page).await
        }
        Err(e) => Err(e.into()),
    }
}

/// «Удалить логотип».
#[handler]
pub async fn remove_logo(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    state.photos.remove_logo(&tenant, viewer).await?;
    Ok(Redirect::see_other("/provider/profile?saved=logo-removed").into_response())
}
