//! Who is asking. The web kernel hands over what a request carries (an organization's API
//! token, or the session cookie); which credential counts, where, and as whom is decided
//! here.

use super::secrets::digest;
use super::sessions::{Sessions, Viewer};
use super::store;

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
                let found =
                    store::user_of_api_token(self.db(), tenant, &digest(token.trim())).await?;
                // Only staff who still belong to an organization act through a token (a
                // removed colleague's tokens are revoked too; this holds even so).
                let Some(found) = found.filter(|f| f.user.staff_org().is_some()) else {
                    return Ok(None);
                };
                self.note_token_use(tenant, &found).await;
                Ok(Some(Viewer::for_api_token(found.user)))
            }
            Credential::Session(id) => self.load(tenant, id).await,
        }
    }

    /// Writes the token's last use when the stored one is a minute old or more: the
    /// cabinet shows the day and hour, and an integration calling many times a second
    /// would otherwise write on every call. A failed write costs only that figure.
    async fn note_token_use(&self, tenant: TenantId, found: &store::ApiTokenUse) {
        let now = self.clock().now();
        let fresh = found
            .last_used_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .is_some_and(|t| now.signed_duration_since(t) < TOUCH_EVERY);
        if fresh {
            return;
        }
        if let Err(e) = store::touch_api_token(self.db(), tenant, found.token_id, now).await {
            tracing::warn!(error = %e, "API token's last use not recorded");
        }
    }
}

/// How stale a token's recorded last use may grow before a use writes it again.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::minutes(1);
