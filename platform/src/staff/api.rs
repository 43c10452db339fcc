//! The organization's staff and API tokens under /api/v1, as on «Сотрудники» and «Токены
//! API»: for a staff member logged in with a session (and `X-CSRF-Token`). Never through an
//! API token: a token acts for the organization's system, and one that could invite
//! people, remove them or mint more tokens would outlive its own revocation.

use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::types::Example;
use poem_openapi::{Object, OpenApi};

use crate::accounts::service::Invitation;
use crate::accounts::sessions::Viewer;
use crate::api::{done, own_account, try_reply, ApiTags, Done, Reply, Text};
use crate::regions::{Site, Tenant};
use crate::time::day_in;
use crate::web::{region_of, Origin, Visitor, WebError};
use crate::State;

use super::store::{Member, Token};

pub struct StaffApi;

/// A staff account with access to the organization's cabinet.
#[derive(Object)]
#[oai(example)]
pub struct StaffMember {
    pub id: i64,
    /// Фамилия Имя Отчество.
    pub name: String,
    pub email: String,
    /// Whether the set-password link has been followed; `false` while the invitation waits.
    pub password_set: bool,
    /// Since when the account has access (RFC 3339, UTC).
    pub since: String,
    /// The same day as people read it in the region: `ДД.ММ.ГГГГ`.
    pub since_date: String,
    /// The latest login (RFC 3339, UTC); none before the first.
    #[oai(nullable)]
    pub last_login: Option<String>,
}

impl Example for StaffMember {
    fn example() -> Self {
        Self {
            id: 12,
            name: "Петрова Анна".into(),
            email: "petrova@raduga.example.ru".into(),
            password_set: false,
            since: "2026-09-01T07:30:00.000000Z".into(),
            since_date: "01.09.2026".into(),
            last_login: None,
        }
    }
}

fn member(m: Member, tenant: &Tenant) -> StaffMember {
    StaffMember {
        id: m.id,
        name: m.full_name,
        email: m.email,
        password_set: m.has_password,
        since_date: day_in(&m.since, tenant.config.time_zone),
        since: m.since,
        last_login: m.last_login,
    }
}

/// «Пригласить сотрудника»: the colleague gets a mail with a link to set a password (72 h).
#[derive(Object)]
#[oai(example)]
pub struct InviteRequest {
    /// The colleague's address: a new one, or a former colleague's whose access was removed.
    pub email: Text,
    pub last_name: Text,
    pub first_name: Text,
}

impl Example for InviteRequest {
    fn example() -> Self {
        Self {
            email: Text("petrova@raduga.example.ru".into()),
            last_name: Text("Петрова".into()),
            first_name: Text("Анна".into()),
        }
    }
}

/// An API token of the organization (never the token itself after it was created).
#[derive(Object)]
#[oai(example)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// The staff member the token acts as.
    pub owner: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The day it was created, in the region: `ДД.ММ.ГГГГ`.
    pub created_date: String,
    /// The latest use, to the minute (RFC 3339, UTC); none before the first.
    #[oai(nullable)]
    pub last_used_at: Option<String>,
    /// When it was revoked; none while it works.
    #[oai(nullable)]
    pub revoked_at: Option<String>,
}

impl Example for ApiToken {
    fn example() -> Self {
        Self {
            id: 3,
            name: "1С: выгрузка программ".into(),
            owner: "Петрова Анна".into(),
            created_at: "2026-09-01T07:30:00.000000Z".into(),
            created_date: "01.09.2026".into(),
            last_used_at: Some("2026-09-02T05:00:12.000000Z".into()),
            revoked_at: None,
        }
    }
}

fn api_token(t: Token, tenant: &Tenant) -> ApiToken {
    ApiToken {
        id: t.id,
        created_date: day_in(&t.created_at, tenant.config.time_zone),
        name: t.name,
        owner: t.owner,
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        revoked_at: t.revoked_at,
    }
}

#[derive(Object)]
#[oai(example)]
pub struct TokenRequest {
    /// What the token is for, 1–100 characters.
    pub name: Text,
}

impl Example for TokenRequest {
    fn example() -> Self {
        Self {
            name: Text("1С: выгрузка программ".into()),
        }
    }
}

/// A token just created.
#[derive(Object)]
#[oai(example)]
pub struct CreatedToken {
    /// The token, shown this once: send it as `Authorization: Bearer …`.
    pub token: String,
    pub info: ApiToken,
}

impl Example for CreatedToken {
    fn example() -> Self {
        Self {
            token: "3f9a…64 hex digits…".into(),
            info: ApiToken::example(),
        }
    }
}

/// The viewer of a read: a person's session, not an API token.
fn reader(visitor: &Visitor) -> Result<&Viewer, WebError> {
    if visitor.bearer {
        return Err(WebError::Forbidden);
    }
    visitor.require()
}

#[OpenApi(tag = "ApiTags::Staff")]
impl StaffApi {
    /// Who has access to the organization's cabinet (organization staff)
    #[oai(path = "/provider/staff", method = "get")]
    async fn staff(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
    ) -> Reply<Vec<StaffMember>> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(reader(&visitor));
        let members = try_reply!(state.staff.members(tenant, viewer).await);
        Reply::Ok(Json(
            members.into_iter().map(|m| member(m, tenant)).collect(),
        ))
    }

    /// Invites a colleague
    ///
    /// Creates the staff account and mails it a set-password link. An address that belongs
    /// to this organization's staff, another organization's or another role is refused:
    /// 400 with `field` = `email`.
    #[oai(path = "/provider/staff", method = "post")]
    async fn invite(
        &self,
        state: Data<&State>,
        site: Site,
        origin: Origin,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<InviteRequest>,
    ) -> Reply<StaffMember> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(own_account(&visitor, &csrf));
        let invitation = Invitation {
            email: body.0.email.0,
            last_name: body.0.last_name.0,
            first_name: body.0.first_name.0,
        };
        let sender = tenant.sender(&origin.site_url());
        let user = try_reply!(
            state
                .staff
                .invite(tenant, &sender, viewer, &invitation)
                .await
        );
        let members = try_reply!(state.staff.members(tenant, viewer).await);
        match members.into_iter().find(|m| m.id == user.id) {
            Some(m) => Reply::Ok(Json(member(m, tenant))),
            None => WebError::NotFound.into(),
        }
    }

    /// Removes a colleague's access
    ///
    /// At once: every session of the account ends and its API tokens are revoked. The last
    /// staff member is not removed (409); another organization's staff id is 404.
    #[oai(path = "/provider/staff/:id", method = "delete")]
    async fn remove(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
    ) -> Reply<Done> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(own_account(&visitor, &csrf));
        try_reply!(state.staff.remove(tenant, viewer, id.0).await);
        Reply::Ok(done("Доступ сотрудника закрыт"))
    }

    /// The organization's API tokens (never the tokens themselves)
    #[oai(path = "/provider/tokens", method = "get")]
    async fn tokens(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
    ) -> Reply<Vec<ApiToken>> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(reader(&visitor));
        let tokens = try_reply!(state.tokens.list(tenant.id, viewer).await);
        Reply::Ok(Json(
            tokens.into_iter().map(|t| api_token(t, tenant)).collect(),
        ))
    }

    /// Creates an API token acting as the logged-in staff member
    ///
    /// The answer carries the token this once; only its SHA-256 is stored. 400 with
    /// `field` = `name` for an empty or too long name.
    #[oai(path = "/provider/tokens", method = "post")]
    async fn create_token(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        body: Json<TokenRequest>,
    ) -> Reply<CreatedToken> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(own_account(&visitor, &csrf));
        let (token, secret) =
            try_reply!(state.tokens.create(tenant.id, viewer, &body.0.name.0).await);
        Reply::Ok(Json(CreatedToken {
            token: secret,
            info: api_token(token, tenant),
        }))
    }

    /// Revokes one of the organization's API tokens
    ///
    /// Requests with it are refused from then on (401). Revoking a revoked token changes
    /// nothing; another organization's token is 404.
    #[oai(path = "/provider/tokens/:id", method = "delete")]
    async fn revoke_token(
        &self,
        state: Data<&State>,
        site: Site,
        visitor: Visitor,
        #[oai(name = "X-CSRF-Token")] csrf: Header<Option<String>>,
        id: Path<i64>,
    ) -> Reply<ApiToken> {
        let tenant = try_reply!(region_of(&site));
        let viewer = try_reply!(own_account(&visitor, &csrf));
        let token = try_reply!(state.tokens.revoke(tenant.id, viewer, id.0).await);
        Reply::Ok(Json(api_token(token, tenant)))
    }
}
