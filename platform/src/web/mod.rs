//! The HTTP face: routing, the middlewares every request passes, templates, static assets,
//! and the one place where errors become responses.

pub mod assets;
mod error;
mod request_log;
mod site;
pub mod templates;

use poem::{get, Endpoint, EndpointExt, Route};

pub use error::WebError;
pub use site::{Origin, Region, SiteResolver};
pub use templates::Templates;

use crate::{api, catalog, health, regions, State};

/// Every route of the server.
pub fn routes(state: State) -> impl Endpoint {
    let site = Route::new()
        .at("/", get(regions::pages::home))
        .at("/branding/logo", get(regions::pages::logo))
        .at("/programs", get(catalog::pages::programs))
        .at("/programs/:id", get(catalog::pages::program))
        .at("/organizations/:id", get(catalog::pages::organization))
        .at("/map", get(catalog::pages::map))
        .at("/static/*file", get(assets::serve))
        .nest("/api", api::routes());
    Route::new()
        // Probes come from load balancers that address the server by IP: no region needed.
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz))
        .nest("/", site.with(SiteResolver))
        .with(request_log::RequestLog)
        .data(state)
}
