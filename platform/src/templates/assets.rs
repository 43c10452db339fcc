//! Static files compiled into the binary. Their URLs carry a hash of the content, so they
//! can be cached for a year and still change with a release.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;

pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $type:literal) => {
        Asset {
            name: $name,
            content_type: $type,
            body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/", $name)),
        }
    };
}

const ASSETS: &[Asset] = &[
    asset!("navigator.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("narrow.js", "text/javascript; charset=utf-8"),
    asset!("look.js", "text/javascript; charset=utf-8"),
    asset!("map.css", "text/css; charset=utf-8"),
    asset!("map.js", "text/javascript; charset=utf-8"),
    asset!("place_picker.js", "text/javascript; charset=utf-8"),
    asset!(
        "vendor/leaflet/leaflet.js",
        "text/javascript; charset=utf-8"
    ),
    asset!("vendor/leaflet/leaflet.css", "text/css; charset=utf-8"),
    asset!(
        "vendor/leaflet/leaflet.markercluster.js",
        "text/javascript; charset=utf-8"
    ),
    asset!(
        "vendor/leaflet/MarkerCluster.css",
        "text/css; charset=utf-8"
    ),
    asset!(
        "vendor/leaflet/MarkerCluster.Default.css",
        "text/css; charset=utf-8"
    ),
    asset!("vendor/leaflet/images/marker-icon.png", "image/png"),
    asset!("vendor/leaflet/images/marker-icon-2x.png", "image/png"),
    asset!("vendor/leaflet/images/marker-shadow.png", "image/png"),
    asset!("vendor/leaflet/images/layers.png", "image/png"),
    asset!("vendor/leaflet/images/layers-2x.png", "image/png"),
    asset!(
        "vendor/leaflet/LICENSE-leaflet.txt",
        "text/plain; charset=utf-8"
    ),
    asset!(
        "vendor/leaflet/LICENSE-markercluster.txt",
        "text/plain; charset=utf-8"
    ),
];

fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut h = DefaultHasher::new();
        for a in ASSETS {
            a.body.hash(&mut h);
        }
        format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
    })
}

/// The URL of an asset, with its version.
pub fn url(name: &str) -> String {
    format!("/static/{name}?v={}", version())
}

/// Every asset as (name, bytes): a static copy of the site ships them beside its pages.
pub fn all() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    ASSETS.iter().map(|a| (a.name, a.body))
}

/// The version of the assets, which changes with any of them.
pub fn assets_version() -> &'static str {
    version()
}

/// The asset called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}
