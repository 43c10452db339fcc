//! Serves the static files compiled into the binary (`templates::assets`). Their URLs
//! carry a hash of the content, so they are cached for a year and still change with a
//! release.

use poem::http::header;
use poem::web::Path;
use poem::{handler, IntoResponse, Response};

use crate::templates::assets;

use super::WebError;

#[handler]
pub fn serve(Path(file): Path<String>) -> Result<Response, WebError> {
    let asset = assets::find(&file).ok_or(WebError::NotFound)?;
    Ok(asset
        .body
        .with_content_type(asset.content_type)
        .with_header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
        .into_response())
}

/// `/favicon.ico`, which browsers and crawlers ask for whatever the page says: the icon.
#[handler]
pub fn favicon() -> Response {
    // Not permanent: the icon's URL changes with the assets' version.
    poem::web::Redirect::temporary(assets::url("favicon.svg")).into_response()
}
