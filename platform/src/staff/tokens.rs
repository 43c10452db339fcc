//! The organization's API tokens: issued with a name and shown once (only a SHA-256 of the
//! token is stored), listed with their last use, revoked. [`Tokens::issue`] is the one way a
//! token is made, for the cabinet, the API and `navigator token add`.

use crate::accounts::secrets::{digest, random_token};
use crate::accounts::service::Grantor;
use crate::accounts::sessions::Viewer;
use crate::accounts::store::{self as accounts, User};
use crate::db::{Db, DbError};
use crate::domain::plain_text;
use crate::service_error::ServiceError;
use crate::tenant_id::TenantId;
use crate::time::{to_db, Clock};

use super::service::own_organization;
use super::store::{self, Token};

type Result<T> = std::result::Result<T, ServiceError>;

/// A token just issued: its number and the token itself, shown this once.
#[derive(Debug, Clone)]
pub struct Issued {
    pub id: i64,
    pub secret: String,
}

#[derive(Clone)]
pub struct Tokens {
    db: Db,
    clock: Clock,
}

/// A token's name: what it is for («1С», «CRM»), so that the list says which to revoke.
fn token_name(raw: &str) -> std::result::Result<String, String> {
    let name = plain_text(raw.trim(), 100)?;
    if name.is_empty() {
        return Err("укажите название токена, например «1С: выгрузка программ»".into());
    }
    if name.chars().count() > 100 {
        return Err("название токена: не больше 100 символов".into());
    }
    Ok(name.to_owned())
}

impl Tokens {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self { db, clock }
    }

    /// Issues a token acting as staff account `user` (of an organization): stored as a
    /// digest, audited in the organization's history.
    #[tracing::instrument(skip(self, user, by), fields(user = user.id))]
    pub async fn issue(
        &self,
        tenant: TenantId,
        user: &User,
        name: &str,
        by: Option<Grantor<'_>>,
    ) -> Result<Issued> {
        let org = user.staff_org().ok_or_else(|| {
            ServiceError::field("email", "токен выдаётся только сотруднику организации")
        })?;
        let name = token_name(name).map_err(|m| ServiceError::field("name", m))?;
        let secret = random_token();
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let id = accounts::insert_api_token(&mut tx, tenant, &digest(&secret), user.id, &name, now)
            .await?;
        accounts::audit(
            &mut tx,
            tenant,
            &accounts::Audit {
                actor: by.map(|b| b.id),
                action: "api_token.create",
                subject: &super::subject(org),
                detail: &format!("«{name}» (№ {id}), от имени {}", user.full_name()),
                ip: by.and_then(|b| b.ip),
                organization: Some(org),
                at: now,
            },
        )
        .await?;
        tx.commit().await.map_err(DbError::from)?;
        Ok(Issued { id, secret })
    }

    /// The tokens of the viewer's organization, newest first.
    pub async fn list(&self, tenant: TenantId, viewer: &Viewer) -> Result<Vec<Token>> {
        let org = own_organization(viewer)?;
        Ok(store::tokens(&self.db, tenant, org).await?)
    }

    /// A staff member makes a token acting as themselves; the list row and the secret.
    pub async fn create(
        &self,
        tenant: TenantId,
        viewer: &Viewer,
        name: &str,
    ) -> Result<(Token, String)> {
        own_organization(viewer)?;
        let by = Grantor {
            id: viewer.user.id,
            ip: viewer.ip(),
        };
        let issued = self.issue(tenant, &viewer.user, name, Some(by)).await?;
        let token = self
            .list(tenant, viewer)
            .await?
            .into_iter()
            .find(|t| t.id == issued.id)
            .ok_or(ServiceError::NotFound)?;
        Ok((token, issued.secret))
    }

    /// Revokes one of the organization's tokens (whoever's it is); revoking a revoked one
    /// changes nothing. Another organization's token is not found.
    #[tracing::instrument(skip(self, viewer))]
    pub async fn revoke(&self, tenant: TenantId, viewer: &Viewer, id: i64) -> Result<Token> {
        let org = own_organization(viewer)?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let token = store::token_in(&mut tx, tenant, org, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if store::revoke_token(&mut tx, tenant, id, &to_db(now)).await? {
            accounts::audit(
                &mut tx,
                tenant,
                &accounts::Audit {
                    actor: Some(viewer.user.id),
                    action: "api_token.revoke",
                    subject: &super::subject(org),
                    detail: &format!("«{}» (№ {id})", token.name),
                    ip: viewer.ip(),
                    organization: Some(org),
                    at: now,
                },
            )
            .await?;
        }
        tx.commit().await.map_err(DbError::from)?;
        let revoked = store::tokens(&self.db, tenant, org)
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or(ServiceError::NotFound)?;
        Ok(revoked)
    }
}
