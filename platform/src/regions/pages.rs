//! The region's home page, the platform's list of regions, and the region's logo.

use poem::http::header;
use poem::web::{Data, Html};
use poem::{handler, IntoResponse, Response};

use crate::catalog::model::Direction;
use crate::catalog::query::CatalogQuery;
use crate::time::clock_in;
use crate::web::Layout;
use crate::web::{Origin, Region, WebError};
use crate::State;

use super::view::{RegionInfo, RegionLink};
use super::{Registry, Site, Tenant};

/// `/`: the region's home on a region's host, the list of regions on the apex.
#[handler]
pub async fn home(
    state: Data<&State>,
    site: Site,
    origin: Origin,
    layout: Layout,
) -> Result<Html<String>, WebError> {
    let html = match &site {
        Site::Region(tenant) => {
            let (local_time, zone) = clock_in(state.clock.now(), tenant.config.time_zone);
            let (directions, municipalities) = home_counts(&state, tenant).await;
            state.templates.render(
                "region_home.html",
                minijinja::context! {
                    layout, directions, municipalities,
                    region => RegionInfo::of(tenant),
                    children_total => tenant.config.municipalities.iter()
                        .map(|m| u64::from(m.population_5_18)).sum::<u64>(),
                    local_time, zone,
                },
            )
        }
        Site::Apex => state.templates.render(
            "region_list.html",
            minijinja::context! { layout, regions => region_links(&state.registry, &origin) },
        ),
        Site::Unknown => return Err(WebError::UnknownHost),
    };
    Ok(Html(html?))
}

/// A direction or municipality on the home page, with its published programs when the
/// catalog index could be read.
#[derive(serde::Serialize)]
struct HomeEntry {
    value: String,
    label: String,
    count: Option<u32>,
}

/// The home page's directions (only those with programs) and municipalities (every one),
/// counted by the catalog index; without the index (the database away) the municipalities
/// alone, uncounted: the home page never fails for want of counts.
async fn home_counts(state: &State, tenant: &Tenant) -> (Vec<HomeEntry>, Vec<HomeEntry>) {
    let index = match state.catalog.index(tenant).await {
        Ok(index) => Some(index),
        Err(e) => {
            tracing::warn!(tenant = %tenant.id, error = %e, "home page without counts");
            None
        }
    };
    let facets = index.map(|i| {
        i.search(&CatalogQuery::default(), tenant.today(&state.clock))
            .facets
    });
    let directions = match &facets {
        Some(f) => Direction::ALL
            .iter()
            .map(|d| (d, f.direction.get(d.code())))
            .filter(|(_, n)| *n > 0)
            .map(|(d, n)| HomeEntry {
                value: d.code().to_owned(),
                label: d.label().to_owned(),
                count: Some(n),
            })
            .collect(),
        None => Vec::new(),
    };
    let municipalities = tenant
        .config
        .municipalities
        .iter()
        .map(|m| HomeEntry {
            value: m.id.as_str().to_owned(),
            label: m.name.clone(),
            count: facets.as_ref().map(|f| f.municipality.get(m.id.as_str())),
        })
        .collect();
    (directions, municipalities)
}

pub fn region_links(registry: &Registry, origin: &Origin) -> Vec<RegionLink> {
    registry
        .tenants()
        .iter()
        .map(|t: &std::sync::Arc<Tenant>| RegionLink {
            slug: t.slug().to_owned(),
            code: t.config.code,
            name: t.config.name.clone(),
            region_name: t.config.region_name.clone(),
            url: origin.region_url(t),
        })
        .collect()
}

/// `/branding/logo`: the logo from the region's file. Its URL carries the region's
/// revision, so it may be cached long.
#[handler]
pub fn logo(Region(tenant): Region) -> Result<Response, WebError> {
    let logo = tenant.logo.as_ref().ok_or(WebError::NotFound)?;
    Ok(logo
        .bytes
        .clone()
        .with_content_type(logo.content_type.clone())
        .with_header(header::CACHE_CONTROL, "public, max-age=86400")
        .into_response())
}
