//! Who is asking. The web kernel hands over what a request carries (an organization's API
//! token, or the session cookie); which credential counts, where, and as whom is decided
//! here.

use super::secrets::digest;
use super::sessions::{Sessions, Viewer};
use super::store;
use super::values::Role;

use crate::service_error::ServiceError;
use crate::tenant_id::TenantId;

/// What a request presents.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    /// `Authorization: Bearer …` on the API: an organization's own system.
    ApiToken(&'a str),
    /// The session cookie's id.
    Session(&'a str),
}

impl Sessions {
    /// The account behind `credential` in `tenant`, if any. An API token acts as the
    /// organization staff account it was issued for and nothing else: a token of another
    /// role, or presented on the platform's own host, is nobody. A store that cannot be
    /// read is an error, not nobody: the visitor is told to come back, not logged out.
    pub async fn authenticate(
        &self,
        tenant: TenantId,
        credential: Credential<'_>,
    ) -> Result<Option<Viewer>, ServiceError> {
        match credential {
            Credential::ApiToken(_) if tenant.is_platform() => Ok(None),
            Credential::ApiToken(token) => {
                let user =
                    store::user_of_api_token(self.db(), tenant, &digest(token.trim())).await?;
                Ok(user
                    .filter(|u| u.role == Role::Provider)
                    .map(Viewer::for_api_token))
            }
            Credential::Session(id) => self.load(tenant, id).await,
        }
    }
}
