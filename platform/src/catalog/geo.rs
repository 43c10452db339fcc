//! The map's data: group locations of matching programs as an RFC 7946 FeatureCollection.

use chrono::NaiveDate;
use geojson::{Feature, FeatureCollection, Geometry, JsonObject, JsonValue};

use crate::domain::{AgeRange, LatLon};

use super::index::CatalogIndex;
use super::model::Financing;
use super::query::CatalogQuery;

/// Points per response at most; beyond it the map asks the user to zoom in.
pub const MAX_POINTS: usize = 5000;

pub fn feature_collection(
    index: &CatalogIndex,
    q: &CatalogQuery,
    today: NaiveDate,
) -> FeatureCollection {
    let (points, total) = index.points(q, today, q.bbox.as_ref(), MAX_POINTS);
    let features = points
        .iter()
        .map(|p| {
            point_feature(&Point {
                program_id: p.program.id,
                group_id: p.group.id,
                title: &p.program.title,
                organization: &index.organization(p.program).short_name,
                group: &p.group.name,
                address: &p.group.address,
                ages: p.program.ages,
                financing: p.program.financing.primary(),
                url: format!("/programs/{}", p.program.id),
                location: p.group.location,
            })
        })
        .collect();
    let mut foreign = JsonObject::new();
    foreign.insert("total".into(), total.into());
    foreign.insert("truncated".into(), (total > points.len()).into());
    FeatureCollection {
        bbox: None,
        features,
        foreign_members: Some(foreign),
    }
}

/// A group location with what its popup shows.
pub struct Point<'a> {
    pub program_id: i64,
    pub group_id: i64,
    pub title: &'a str,
    pub organization: &'a str,
    pub group: &'a str,
    pub address: &'a str,
    pub ages: AgeRange,
    pub financing: Financing,
    /// The program's page, as the map's page should link it.
    pub url: String,
    pub location: LatLon,
}

/// One RFC 7946 point feature (the API's map and the static copy's map files).
pub fn point_feature(p: &Point) -> Feature {
    let mut props = JsonObject::new();
    let mut put = |k: &str, v: JsonValue| {
        props.insert(k.to_owned(), v);
    };
    put("program_id", p.program_id.into());
    put("group_id", p.group_id.into());
    put("title", p.title.into());
    put("organization", p.organization.into());
    put("group", p.group.into());
    put("address", p.address.into());
    put("ages", p.ages.to_string().into());
    put("financing", p.financing.label().into());
    put("url", p.url.clone().into());
    Feature {
        bbox: None,
        // RFC 7946: longitude first, at most 6 decimals is plenty.
        geometry: Some(Geometry::new_point(vec![
            round6(p.location.lon),
            round6(p.location.lat),
        ])),
        id: Some(geojson::feature::Id::Number(p.group_id.into())),
        properties: Some(props),
        foreign_members: None,
    }
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}
