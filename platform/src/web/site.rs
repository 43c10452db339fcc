//! Which region a request is for. Runs before every handler of the public site and the
//! API: resolves the host, records the region in the request's log span, answers unknown
//! hosts with a 404 page, and turns any error from the handlers into a page or JSON.

use std::sync::Arc;

use poem::{
    Endpoint, FromRequest, IntoResponse, Middleware, Request, RequestBody, Response, Result,
};
use tenants::Host;

use crate::regions::{Site, Tenant};
use crate::tenant_id::TenantId;
use crate::{Settings, State};

use super::error::{self, WebError};
use super::visitor::Visitor;

pub struct SiteResolver;

impl<E: Endpoint> Middleware<E> for SiteResolver {
    type Output = SiteResolverEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        SiteResolverEndpoint(ep)
    }
}

pub struct SiteResolverEndpoint<E>(E);

impl<E: Endpoint> Endpoint for SiteResolverEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let state = req
            .data::<State>()
            .cloned()
            .expect("state is attached to every route");
        let origin = Origin::of(&req, &state.settings);
        let site = state.registry.resolve(&origin.host);
        if let Site::Region(tenant) = &site {
            tracing::Span::current().record("tenant", tenant.slug());
        }
        let wants_json = req.uri().path().starts_with("/api/");
        let visitor = Visitor::load(&state, &site, &origin, &req).await;
        req.extensions_mut().insert(site.clone());
        req.extensions_mut().insert(origin.clone());
        req.extensions_mut().insert(visitor.clone());
        let result = match site {
            Site::Unknown => Err(WebError::UnknownHost.into()),
            _ => self.0.call(req).await.map(IntoResponse::into_response),
        };
        Ok(match result {
            Ok(response) => response,
            Err(e) => error::respond(&state, &site, &origin, &visitor, wants_json, e),
        })
    }
}

/// Where the request was addressed: scheme and host as the browser sees them, so links to
/// other hosts (a region from the list, the list from a region) keep the same scheme, port
/// and domain family (`*.localhost` stays on `*.localhost`).
#[derive(Debug, Clone)]
pub struct Origin {
    pub scheme: &'static str,
    /// The `Host` value as received, port included.
    pub host: String,
    /// `:8080`, or empty.
    pub port_suffix: String,
    pub base_domain: Host,
    /// The client's address (the last of the proxy's `X-Forwarded-For` when trusted), for
    /// rate limits, the bound on expensive requests in flight, and the audit log.
    pub client_ip: String,
    /// `/cabinet?tab=children`: where to come back to after logging in.
    pub path_and_query: String,
}

impl Origin {
    fn of(req: &Request, settings: &Settings) -> Self {
        let trust_proxy = settings.trust_proxy;
        let header = |name: &str| {
            req.headers()
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        // Only a proxy we were told to trust may say which host the client asked for;
        // otherwise anyone could make a page render links to a host of their choosing.
        let forwarded = |name| if trust_proxy { header(name) } else { None };
        let host = forwarded("x-forwarded-host")
            .and_then(|h| h.split(',').next().map(|h| h.trim().to_owned()))
            .or_else(|| header("host"))
            .or_else(|| req.uri().host().map(str::to_owned))
            .unwrap_or_default();
        let scheme = match forwarded("x-forwarded-proto").as_deref() {
            Some("https") => "https",
            Some(_) => "http",
            None if req.uri().scheme_str() == Some("https") => "https",
            None => "http",
        };
        let port_suffix = match host.rsplit_once(':') {
            Some((_, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
                format!(":{port}")
            }
            _ => String::new(),
        };
        let base_domain = settings.base_domain.clone();
        // The last address is the one our proxy appended (nginx's
        // `$proxy_add_x_forwarded_for`): any before it came from the client, who could write
        // a new one into each request and so escape every per-address limit.
        let client_ip = forwarded("x-forwarded-for")
            .and_then(|h| h.rsplit(',').next().map(|ip| ip.trim().to_owned()))
            .filter(|ip| !ip.is_empty())
            .or_else(|| {
                req.remote_addr()
                    .as_socket_addr()
                    .map(|a| a.ip().to_string())
            })
            .unwrap_or_default();
        let path_and_query = req
            .uri()
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        Self {
            client_ip,
            path_and_query,
            scheme,
            host,
            port_suffix,
            base_domain,
        }
    }

    /// Whether the request came through a `*.localhost` name (local development).
    fn is_local(&self) -> bool {
        Host::parse(&self.host)
            .is_ok_and(|h| h.as_ascii() == "localhost" || h.as_ascii().ends_with(".localhost"))
    }

    /// `https://p67.навигатор.дети:8080`: the site as the visitor reached it, for links in
    /// mails sent because of this request.
    pub fn site_url(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }

    fn url(&self, host: &Host) -> String {
        format!("{}://{}{}/", self.scheme, host.as_ascii(), self.port_suffix)
    }

    /// The region list.
    pub fn apex_url(&self) -> String {
        if self.is_local() {
            self.url(&Host::parse("localhost").expect("valid host"))
        } else {
            self.url(&self.base_domain)
        }
    }

    /// A region's home page, on its first configured host when not developing locally.
    pub fn region_url(&self, tenant: &Tenant) -> String {
        let fallback = || {
            let base = if self.is_local() {
                Host::parse("localhost").expect("valid host")
            } else {
                self.base_domain.clone()
            };
            base.subdomain(&tenant.config.slug)
        };
        let host = match tenant.config.hosts.first() {
            Some(h) if !self.is_local() => h.clone(),
            _ => fallback(),
        };
        self.url(&host)
    }
}

impl<'a> FromRequest<'a> for Origin {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> Result<Self> {
        Ok(req
            .extensions()
            .get::<Origin>()
            .cloned()
            .expect("SiteResolver runs before handlers"))
    }
}

impl<'a> FromRequest<'a> for Site {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> Result<Self> {
        Ok(req
            .extensions()
            .get::<Site>()
            .cloned()
            .expect("SiteResolver runs before handlers"))
    }
}

/// The region of a site, or 404 on the apex.
pub fn region_of(site: &Site) -> Result<&Arc<Tenant>, WebError> {
    match site {
        Site::Region(t) => Ok(t),
        _ => Err(WebError::NotARegion),
    }
}

/// The tenant whose accounts this host holds: a region's, or the operators' on the apex.
pub fn accounts_tenant(site: &Site) -> Result<TenantId, WebError> {
    match site {
        Site::Region(t) => Ok(t.id),
        Site::Apex => Ok(TenantId::PLATFORM),
        Site::Unknown => Err(WebError::UnknownHost),
    }
}

/// The region of the request, for handlers that exist only on a region's host; on the
/// apex they answer 404.
pub struct Region(pub Arc<Tenant>);

impl<'a> FromRequest<'a> for Region {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> Result<Self> {
        match Site::from_request(req, body).await? {
            Site::Region(tenant) => Ok(Region(tenant)),
            _ => Err(WebError::NotARegion.into()),
        }
    }
}
