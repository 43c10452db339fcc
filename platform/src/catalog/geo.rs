//! The map's data: group locations of matching programs as an RFC 7946 FeatureCollection.

use chrono::NaiveDate;
use geojson::{Feature, FeatureCollection, Geometry, JsonObject, JsonValue};

use super::index::CatalogIndex;
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
            let mut props = JsonObject::new();
            let mut put = |k: &str, v: JsonValue| {
                props.insert(k.to_owned(), v);
            };
            put("program_id", p.program.id.into());
            put("group_id", p.group.id.into());
            put("title", p.program.title.clone().into());
            put(
                "organization",
                index.organization(p.program).short_name.clone().into(),
            );
            put("group", p.group.name.clone().into());
            put("address", p.group.address.clone().into());
            put("ages", p.program.ages.to_string().into());
            put("financing", p.program.financing.label().into());
            put("url", format!("/programs/{}", p.program.id).into());
            Feature {
                bbox: None,
                // RFC 7946: longitude first, at most 6 decimals is plenty.
                geometry: Some(Geometry::new_point(vec![
                    round6(p.group.location.lon),
                    round6(p.group.location.lat),
                ])),
                id: Some(geojson::feature::Id::Number(p.group.id.into())),
                properties: Some(props),
                foreign_members: None,
            }
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

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}
