//! Photos on the web: `/media/{key}` serves a stored file of the region, and the provider
//! cabinet sets and removes a program's cover (`/provider/programs/{id}/cover`, a form that
//! the program editor includes from `_cover_form.html`). The logo's forms are on
//! «Профиль организации» (`organizations::pages`).

use poem::http::header;
use poem::web::{Data, Form, Multipart, Path, Query, Redirect};
use poem::{handler, IntoResponse, Response};
use serde::Deserialize;

use crate::accounts::values::Role;
use crate::domain::FieldError;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::storage::Key;
use crate::web::page::{errors_map, render, CsrfOnly, PageResult};
use crate::web::{form_status, path_id, read_upload, Layout, Region, Visitor, WebError};
use crate::State;

use super::renditions::MAX_BYTES;

/// A stored file's name never names other content, so it may be kept for a year and never
/// asked again (`immutable`); a new photo is a new key.
pub const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

/// A stored image of the region: its bytes as stored, under the type its key says; `nosniff`
/// so that no browser takes it for anything else. Anything but a key of a file this region
/// stored is not found.
#[handler]
pub async fn media(
    state: Data<&State>,
    Region(tenant): Region,
    Path(raw): Path<String>,
) -> Result<Response, WebError> {
    let key = Key::parse(&raw).ok_or(WebError::NotFound)?;
    let bytes = state
        .photos
        .media(&tenant, &key)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Response::builder()
        .content_type(key.media_type().content_type())
        .header(header::CACHE_CONTROL, CACHE_FOREVER)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .body(bytes))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    saved: Option<String>,
}

/// Where a cover's forms lead back to: the program's editor.
fn editor(id: i64) -> String {
    format!("/provider/programs/{id}")
}

async fn cover_page(
    state: &State,
    tenant: &Tenant,
    visitor: &Visitor,
    layout: Layout,
    id: i64,
    errors: &[FieldError],
    notice: Option<&'static str>,
) -> PageResult {
    let viewer = visitor.require_role(Role::Provider)?;
    let program = state.photos.program(tenant, viewer, id).await?;
    render(
        state,
        visitor,
        "provider_cover.html",
        minijinja::context! {
            layout, notice, nav => "cabinet",
            program => minijinja::context! {
                id => program.id, title => program.title, cover => program.cover,
            },
            errors => errors_map(errors),
        },
        form_status(errors),
    )
}

/// The cover of one of the organization's programs, on a page of its own (the program
/// editor shows the same form).
#[handler]
pub async fn show_cover(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let id = path_id(&id)?;
    let notice = q.saved.map(|what| match what.as_str() {
        "removed" => "Обложка удалена.",
        _ => "Обложка сохранена.",
    });
    cover_page(&state, &tenant, &visitor, layout, id, &[], notice).await
}

/// «Загрузить обложку»: back to the program's editor, or this form again with the
/// refusal beside the field.
#[handler]
pub async fn upload_cover(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
    Path(id): Path<String>,
    form: Multipart,
) -> PageResult {
    let id = path_id(&id)?;
    let upload = read_upload(form, "cover", MAX_BYTES).await?;
    visitor.check_csrf(&upload.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    let result = if upload.file.is_empty() {
        Err(ServiceError::field("cover", "Выберите файл с фотографией"))
    } else {
        state
            .photos
            .set_cover(&tenant, viewer, id, upload.file)
            .await
            .map(|_| ())
    };
    match result {
        Ok(()) => Ok(Redirect::see_other(editor(id)).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            cover_page(&state, &tenant, &visitor, layout, id, &errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// «Удалить обложку».
#[handler]
pub async fn remove_cover(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> PageResult {
    let id = path_id(&id)?;
    visitor.check_csrf(&form.csrf)?;
    let viewer = visitor.require_role(Role::Provider)?;
    state.photos.remove_cover(&tenant, viewer, id).await?;
    Ok(Redirect::see_other(editor(id)).into_response())
}
