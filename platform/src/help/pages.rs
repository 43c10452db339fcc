//! The public page «Помощь» of a region.

use poem::handler;
use poem::http::StatusCode;
use poem::web::Data;
use serde::Serialize;

use crate::catalog::store::{confirming, Confirming};
use crate::regions::view::CoordinatorInfo;
use crate::web::page::{render, PageResult};
use crate::web::{Layout, Region, Visitor};
use crate::State;

/// A municipality on the page: its administrators and the organizations families go to.
#[derive(Serialize)]
struct Place {
    id: String,
    name: String,
    contact: Option<CoordinatorInfo>,
    organizations: Vec<Confirming>,
}

/// `/help`.
#[handler]
pub async fn help(
    state: Data<&State>,
    Region(tenant): Region,
    visitor: Visitor,
    layout: Layout,
) -> PageResult {
    let mut organizations = confirming(&state.db, tenant.id, None).await?;
    let places: Vec<Place> = tenant
        .config
        .municipalities
        .iter()
        .map(|m| Place {
            id: m.id.to_string(),
            name: m.name.clone(),
            contact: m.contact.as_ref().map(CoordinatorInfo::of),
            organizations: {
                let (here, rest) = organizations
                    .drain(..)
                    .partition(|o| o.municipality_id == m.id.as_str());
                organizations = rest;
                here
            },
        })
        .collect();
    let (local_time, zone) = crate::time::clock_in(state.clock.now(), tenant.config.time_zone);
    render(
        &state,
        &visitor,
        "help.html",
        minijinja::context! {
            layout, places,
            coordinator => CoordinatorInfo::of(&tenant.config.coordinator),
            local_time, zone,
            nav => "help",
        },
        StatusCode::OK,
    )
}
