//! The organization's logo and its programs' covers under /api/v1, as in the provider
//! cabinet: for the organization's staff, with a session (and `X-CSRF-Token`) or the
//! organization's API token. The image is the request's body as it is (no multipart, no
//! base64); its declared type is not trusted, the bytes are decoded.

use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiRequest, Object, OpenApi};

use crate::api::{done, try_reply, writer, ApiTags, Done, Reply};
use crate::regions::Site;
use crate::web::{region_of, upload_body, Visitor};
use crate::State;

pub struct PhotosApi;

/// A JPEG, PNG or WebP image of at most 5 MB, at most 8000 points a side and 40
/// megapixels. Recognized by its content: the type sent only has to be one of these.
#[derive(ApiRequest)]
pub enum ImageBody {
    #[oai(content_type = "image/jpeg")]
    Jpeg(Binary<Vec<u8>>),
    #[oai(content_type = "image/png")]
    Png(Binary<Vec<u8>>),
    #[oai(content_type = "image/webp")]
    Webp(Binary<Vec<u8>>),
    #[oai(content_type = "application/octet-stream")]
    Raw(Binary<Vec<u8>>),
}

impl ImageBody {
    fn bytes(self) -> Vec<u8> {
        match self {
            ImageBody::Jpeg(b) | ImageBody::Png(b) | ImageBody::Webp(b) | ImageBody::Raw(b) => b.0,
        }
    }
}

#[derive(Object)]
pub struct LogoInfo {
    /// The stored logo, 256×256 PNG: `/media/{logo}` on the region's host.
    pub logo: String,
}

#[derive(Object)]
pub struct CoverInfo {
    /// The program page's rendition, 1200×800 JPEG: `/media/{cover}`.
    pub cover: String,
    /// The catalog card's rendition, 480×320 JPEG: `/media/{cover_card}`.
    pub cover_card: String,
}

#[OpenApi(tag = "ApiTags::Organizations")]
impl PhotosApi {
    /// Sets the organization's logo
    ///
    /// Re-encoded to 256×256 PNG (transparency kept) without any metadata. 400 names the
    /// field `logo`: not a JPEG, PNG or WebP image, more than 5 MB, or too many points.
    #[oai(path = "/provider/logo", method = "put", transform = "upload_body")]
    async fn set_logo(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: ImageBody,
    ) -> Reply<LogoInfo> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let key = try_reply!(state.photos.set_logo(tenant, viewer, body.bytes()).await);
        Reply::Ok(Json(LogoInfo {
            logo: key.to_string(),
        }))
    }

    /// Removes the organization's logo
    #[oai(path = "/provider/logo", method = "delete")]
    async fn remove_logo(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        try_reply!(state.photos.remove_logo(tenant, viewer).await);
        Reply::Ok(done("Логотип удалён"))
    }

    /// Sets the cover of one of the organization's programs
    ///
    /// Re-encoded without any metadata to two JPEG files: 1200×800 for the program's page
    /// and 480×320 for the catalog's cards (cut to fill, the middle kept). 400 names the
    /// field `cover`; another organization's program is 404.
    #[oai(
        path = "/provider/programs/:id/cover",
        method = "put",
        transform = "upload_body"
    )]
    async fn set_cover(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        body: ImageBody,
    ) -> Reply<CoverInfo> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let keys = try_reply!(
            state
                .photos
                .set_cover(tenant, viewer, id.0, body.bytes())
                .await
        );
        Reply::Ok(Json(CoverInfo {
            cover: keys.page.to_string(),
            cover_card: keys.card.to_string(),
        }))
    }

    /// Removes the cover of one of the organization's programs
    #[oai(path = "/provider/programs/:id/cover", method = "delete")]
    async fn remove_cover(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        try_reply!(state.photos.remove_cover(tenant, viewer, id.0).await);
        Reply::Ok(done("Обложка удалена"))
    }
}
