//! Who is asking: the session (if any) of the request's region, the anonymous visitor's
//! CSRF token, and the client's address. Loaded once per request by `SiteResolver`.

use super::look::Look;
use poem::{FromRequest, Request, RequestBody, Result};

use crate::accounts::secrets::{random_token, same};
use crate::accounts::sessions::{self, Viewer};
use crate::accounts::Credential;
use crate::regions::Site;
use crate::service_error::{Outage, ServiceError, Store};
use crate::tenant_id::TenantId;
use crate::State;

use super::error::WebError;
use super::site::Origin;

/// Paths of static files and images, served alike to every visitor.
const FILES: &[&str] = &["/static/", "/branding/"];

#[derive(Debug, Clone)]
pub struct Visitor {
    pub viewer: Option<Viewer>,
    /// The anonymous CSRF token from the cookie, or a new one to set (see `csrf`).
    anon_csrf: String,
    anon_csrf_is_new: bool,
    pub ip: String,
    pub secure: bool,
    /// Authenticated by an organization's API token rather than a session cookie.
    pub bearer: bool,
    /// The credential could not be checked: pages that need the account answer 503 (its
    /// store did not answer) or 500 (a failure of ours) rather than treat the visitor as
    /// logged out; public pages still render.
    unchecked: Option<Unchecked>,
    /// «Версия для слабовидящих» or the usual look (the `look` cookie).
    pub look: Look,
}

/// Why a credential could not be checked.
#[derive(Debug, Clone, Copy)]
enum Unchecked {
    Outage(Store),
    Failed,
}

impl Visitor {
    /// Reads the cookies of a request to `site` and loads the session they name.
    pub async fn load(state: &State, site: &Site, origin: &Origin, req: &Request) -> Self {
        let header = req
            .headers()
            .get(poem::http::header::COOKIE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let tenant = match site {
            Site::Region(t) => Some(t.id),
            Site::Apex => Some(TenantId::PLATFORM),
            Site::Unknown => None,
        };
        // Only the API takes tokens: a browser never sends one on its own.
        let bearer_token = req
            .headers()
            .get(poem::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .filter(|_| req.uri().path().starts_with("/api/"));
        // Tokens are issued in a region; on the apex only the session cookie counts.
        let bearer_token = bearer_token.filter(|_| matches!(site, Site::Region(_)));
        // Files are the same for everyone: no account is looked up for them (a stylesheet
        // must not wait on the database or the session store).
        let path = req.uri().path();
        let for_everyone = FILES.iter().any(|prefix| path.starts_with(prefix));
        let credential = match bearer_token {
            Some(token) => Some(Credential::ApiToken(token)),
            None if for_everyone => None,
            None => sessions::read_cookie(header, sessions::COOKIE).map(Credential::Session),
        };
        let mut unchecked = None;
        let viewer = match (tenant, credential) {
            (Some(tenant), Some(credential)) => {
                match state.sessions.authenticate(tenant, credential).await {
                    Ok(viewer) => viewer.map(|v| v.from_address(&origin.client_ip)),
                    Err(e) => {
                        unchecked = Some(unchecked_because(e));
                        None
                    }
                }
            }
            _ => None,
        };
        if bearer_token.is_some() {
            return Self {
                viewer,
                anon_csrf: String::new(),
                anon_csrf_is_new: false,
                ip: origin.client_ip.clone(),
                secure: origin.scheme == "https",
                bearer: true,
                unchecked,
                look: Look::Usual,
            };
        }
        let (anon_csrf, anon_csrf_is_new) =
            match sessions::read_cookie(header, sessions::CSRF_COOKIE) {
                Some(t) if t.len() == 64 => (t.to_owned(), false),
                _ => (random_token(), true),
            };
        Self {
            viewer,
            anon_csrf,
            anon_csrf_is_new,
            ip: origin.client_ip.clone(),
            secure: origin.scheme == "https",
            bearer: false,
            unchecked,
            look: Look::of_cookies(header),
        }
    }

    /// The error of a visitor whose credential could not be checked, if that is the case:
    /// whatever acts as the account (or ends its session) must stop here.
    pub fn checked(&self) -> Result<(), WebError> {
        let logged = || anyhow::anyhow!("credential not checked (the cause is logged above)");
        match self.unchecked {
            Some(Unchecked::Outage(store)) => {
                Err(WebError::Unavailable(Outage::new(store, logged())))
            }
            Some(Unchecked::Failed) => Err(WebError::Internal(logged())),
            None => Ok(()),
        }
    }

    /// The token forms must carry: the session's, or the anonymous cookie's.
    pub fn csrf(&self) -> &str {
        self.viewer.as_ref().map_or(&self.anon_csrf, |v| &v.csrf)
    }

    /// The `Set-Cookie` a page with a form must send for an anonymous visitor who has no
    /// CSRF cookie yet.
    pub fn csrf_cookie(&self) -> Option<String> {
        (self.viewer.is_none() && self.anon_csrf_is_new)
            .then(|| sessions::csrf_cookie(&self.anon_csrf, self.secure))
    }

    /// Refuses a state-changing request whose token is missing or wrong.
    pub fn check_csrf(&self, sent: &str) -> Result<(), WebError> {
        if self.bearer && self.viewer.is_some() {
            return Ok(());
        }
        // A form of a logged-in visitor would otherwise look forged.
        self.checked()?;
        let expected = match &self.viewer {
            Some(v) => v.csrf.as_str(),
            // A cookie we just made up was never sent with a form.
            None if self.anon_csrf_is_new => return Err(WebError::Csrf),
            None => self.anon_csrf.as_str(),
        };
        if !sent.is_empty() && same(sent, expected) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }

    /// The logged-in viewer, or the login page (HTML) / 401 (API).
    pub fn require(&self) -> Result<&Viewer, WebError> {
        self.checked()?;
        self.viewer.as_ref().ok_or(WebError::LoginRequired)
    }

    /// The logged-in viewer in `role`, or 403 (other roles have cabinets of their own).
    pub fn require_role(&self, role: crate::accounts::values::Role) -> Result<&Viewer, WebError> {
        let viewer = self.require()?;
        if viewer.user.role == role {
            Ok(viewer)
        } else {
            Err(WebError::Forbidden)
        }
    }

    pub fn client(&self) -> crate::accounts::service::Client {
        crate::accounts::service::Client {
            ip: self.ip.clone(),
        }
    }
}

/// Logs why a credential could not be checked.
fn unchecked_because(e: ServiceError) -> Unchecked {
    match e {
        ServiceError::Unavailable(outage) => {
            tracing::warn!(store = ?outage.store, cause = format!("{:#}", outage.cause), "credential not checked: store unreachable");
            Unchecked::Outage(outage.store)
        }
        other => {
            tracing::error!(
                error = format!("{:#}", anyhow::Error::from(other)),
                "credential not checked"
            );
            Unchecked::Failed
        }
    }
}

impl<'a> FromRequest<'a> for Visitor {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> Result<Self> {
        Ok(req
            .extensions()
            .get::<Visitor>()
            .cloned()
            .expect("SiteResolver runs before handlers"))
    }
}
