//! A parent's children under /api/v1, as on the «Дети» tab: list, add, edit.

use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::accounts::values::Snils;
use crate::api::{own_account, try_reply, ApiTags, Reply};
use crate::regions::Site;
use crate::service_error::ServiceError;
use crate::web::{accounts_tenant, region_of, Visitor};
use crate::State;

use super::service::ChildForm;
use super::store;

pub struct ChildrenApi;

#[derive(Object)]
pub struct ChildRequest {
    pub last_name: String,
    pub first_name: String,
    #[oai(nullable)]
    pub middle_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// `male` or `female`.
    pub sex: String,
    /// Optional; checked with its checksum.
    #[oai(nullable)]
    pub snils: Option<String>,
    /// The child has ОВЗ (ограниченные возможности здоровья); counted in the region's
    /// statistics, shown to nobody else. Absent: no.
    #[oai(default)]
    pub ovz: bool,
}

impl ChildRequest {
    pub fn form(self) -> ChildForm {
        ChildForm {
            last_name: self.last_name,
            first_name: self.first_name,
            middle_name: self.middle_name.unwrap_or_default(),
            birth_date: self.birth_date,
            sex: self.sex,
            snils: self.snils.unwrap_or_default(),
            ovz: if self.ovz { "1" } else { "" }.to_owned(),
        }
    }
}

#[derive(Object)]
pub struct Child {
    pub id: i64,
    pub last_name: String,
    pub first_name: String,
    #[oai(nullable)]
    pub middle_name: Option<String>,
    pub birth_date: String,
    pub sex: String,
    /// `XXX-XXX-XXX YY`.
    #[oai(nullable)]
    pub snils: Option<String>,
    pub ovz: bool,
}

impl From<store::Child> for Child {
    fn from(c: store::Child) -> Self {
        Self {
            id: c.id,
            last_name: c.last_name,
            first_name: c.first_name,
            middle_name: c.middle_name,
            birth_date: c.birth_date,
            sex: c.sex,
            snils: c
                .snils
                .and_then(|s| Snils::parse(&s).ok())
                .map(|s| s.display()),
            ovz: c.ovz,
        }
    }
}

#[OpenApi(tag = "ApiTags::Accounts")]
impl ChildrenApi {
    /// The parent's children («Дети»)
    #[oai(path = "/me/children", method = "get")]
    async fn children(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
    ) -> Reply<Vec<Child>> {
        let viewer = try_reply!(visitor.require());
        try_reply!(viewer.parent());
        let tenant = try_reply!(accounts_tenant(&site));
        let list = try_reply!(store::children(&state.db, tenant, viewer.user.id)
            .await
            .map_err(ServiceError::from));
        Reply::Ok(Json(list.into_iter().map(Child::from).collect()))
    }

    /// «+ Добавить ребёнка»
    #[oai(path = "/me/children", method = "post")]
    async fn add_child(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<ChildRequest>,
    ) -> Reply<Child> {
        save(&state, &site, &visitor, &csrf, None, body.0).await
    }

    /// Edit a child's data
    #[oai(path = "/me/children/:id", method = "put")]
    async fn edit_child(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
        body: Json<ChildRequest>,
    ) -> Reply<Child> {
        save(&state, &site, &visitor, &csrf, Some(id.0), body.0).await
    }
}

async fn save(
    state: &State,
    site: &Site,
    visitor: &Visitor,
    csrf: &Header<Option<String>>,
    id: Option<i64>,
    body: ChildRequest,
) -> Reply<Child> {
    let viewer = try_reply!(own_account(visitor, csrf));
    let tenant = try_reply!(region_of(site));
    let id = try_reply!(state.children.save(tenant, viewer, id, &body.form()).await);
    let child = try_reply!(store::child_of(&state.db, tenant.id, viewer.user.id, id)
        .await
        .map_err(ServiceError::from));
    match child {
        Some(c) => Reply::Ok(Json(c.into())),
        None => ServiceError::NotFound.into(),
    }
}
