//! «Избранное» under /api/v1 (the parent): list, keep, remove.

use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::api::ApiTags;
use crate::api::{done, try_reply, writer, Done, Reply};
use crate::regions::Site;
use crate::web::{region_of, Visitor};
use crate::State;

pub struct FavouritesApi;

#[derive(Object)]
pub struct Favourite {
    pub program_id: i64,
    pub title: String,
    /// In the catalog now (a program taken off stays in the list).
    pub published: bool,
}

#[OpenApi(tag = "ApiTags::Accounts")]
impl FavouritesApi {
    /// The parent's «Избранное», the latest kept first
    #[oai(path = "/me/favourites", method = "get")]
    async fn list(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
    ) -> Reply<Vec<Favourite>> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(visitor.require());
        let kept = try_reply!(state.favourites.list(tenant, viewer).await);
        Reply::Ok(Json(
            kept.into_iter()
                .map(|k| Favourite {
                    program_id: k.program_id,
                    title: k.title,
                    published: k.published,
                })
                .collect(),
        ))
    }

    /// «В избранное»: keeps a published program (again is no change)
    #[oai(path = "/me/favourites/:program_id", method = "put")]
    async fn add(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        program_id: Path<i64>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        let title = try_reply!(state.favourites.add(tenant, viewer, program_id.0).await);
        Reply::Ok(done(format!("Программа «{title}» в избранном")))
    }

    /// «Убрать из избранного»
    #[oai(path = "/me/favourites/:program_id", method = "delete")]
    async fn remove(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        program_id: Path<i64>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(writer(&visitor, &csrf));
        try_reply!(state.favourites.remove(tenant, viewer, program_id.0).await);
        Reply::Ok(done("Программа убрана из избранного"))
    }
}
