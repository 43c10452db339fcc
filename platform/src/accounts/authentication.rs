//! Who is asking. The web kernel hands over what a request carries (an organization's API
//! token, or the session cookie); which credential counts, where, and as whom is decided
//! here.

use super::secrets::digest;
use super::sessions::{Sessions, Viewer};
use super::store::{self, PLATFORM};
use super::values::Role;

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
    /// read is logged and taken as nobody.
    pub async fn authenticate(&self, tenant: i64, credential: Credential<'_>) -> Option<Viewer> {
        match credential {
            Credential::ApiToken(_) if tenant == PLATFORM => None,
            Credential::ApiToken(token) => {
                store::user_of_api_token(self.db(), tenant, &digest(token.trim()))
                    .await
                    .unwrap_or_else(|e| {
                        tracing::warn!(error = %e, "API token not checked");
                        None
                    })
                    .filter(|u| u.role == Role::Provider)
                    .map(Viewer::for_api_token)
            }
            Credential::Session(id) => self.load(tenant, id).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "session not loaded");
                None
            }),
        }
    }
}
