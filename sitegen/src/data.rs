//! The copy's data files: GeoJSON for the map, the compact index for the client-side
//! filter, robots.txt and the sitemap. Every one is built in a fixed order, so the bytes
//! depend on the catalog only.

use geojson::FeatureCollection;
use platform::catalog::geo::{point_feature, Point};
use platform::catalog::model::{Direction, Financing};
use platform::catalog::views::price_text;

use crate::site::{program_path, Site};

/// The sitemap protocol's limit of URLs per file.
pub const SITEMAP_LIMIT: usize = 50_000;

/// One feature per group location (RFC 7946, longitude first), with what the popup shows.
pub fn geojson(site: &Site, points: &[usize]) -> Vec<u8> {
    let snap = site.snap;
    let programs = &site.program_index;
    let features = points
        .iter()
        .filter_map(|i| {
            let g = &snap.locations[*i];
            let p = &snap.programs[*programs.get(&g.program_id)?];
            let org = site.organization_of(p)?;
            Some(point_feature(&Point {
                program_id: p.id,
                group_id: g.id,
                title: &p.title,
                organization: &org.short_name,
                group: &g.name,
                address: &g.address,
                ages: p.ages,
                financing: p.financing.primary(),
                // Relative to the top of the copy; the map page prefixes its way there.
                url: program_path(p.id),
                location: g.location,
            }))
        })
        .collect();
    FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    }
    .to_string()
    .into_bytes()
}

/// What the client-side filter needs, as arrays (a program is
/// `[id, title, direction, municipality, organization, age_min, age_max, financing, price,
/// financings]`, the middle ones indexes into the dictionaries), so 100 000 programs stay a
/// few MB. `financing` is the one its card shows (`FinancingSet::primary`); `financings`
/// every one it offers, as bits by the dictionary's order (`1 << i` for `financing[i]`),
/// which a financing filter matches, as the server's search does.
pub fn programs_json(site: &Site) -> Vec<u8> {
    let snap = site.snap;
    let municipalities: Vec<(String, String)> = site
        .tenant
        .config
        .municipalities
        .iter()
        .map(|m| (m.id.as_str().to_owned(), m.name.clone()))
        .collect();
    let muni_index: std::collections::HashMap<&str, usize> = municipalities
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.as_str(), i))
        .collect();
    let org_index: std::collections::HashMap<i64, usize> = snap
        .organizations
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id, i))
        .collect();
    // Tuples, not `json!` values: serialized straight, without a tree of 900 000 values.
    type Row<'a> = (
        i64,
        &'a str,
        Option<usize>,
        Option<&'a usize>,
        Option<&'a usize>,
        u8,
        u8,
        Option<usize>,
        String,
        u8,
    );
    let programs: Vec<Row> = snap
        .programs
        .iter()
        .filter_map(|p| {
            let org = site.organization_of(p)?;
            Some((
                p.id,
                p.title.as_str(),
                Direction::ALL.iter().position(|d| *d == p.direction),
                muni_index.get(org.municipality_id.as_str()),
                org_index.get(&org.id),
                p.ages.min(),
                p.ages.max(),
                Financing::ALL
                    .iter()
                    .position(|f| *f == p.financing.primary()),
                price_text(p.financing.primary(), p.monthly_price),
                p.financing.bits(),
            ))
        })
        .collect();
    #[derive(serde::Serialize)]
    struct Index<'a> {
        directions: Vec<[&'static str; 2]>,
        financing: Vec<[&'static str; 2]>,
        municipalities: &'a [(String, String)],
        organizations: Vec<(i64, &'a str)>,
        programs: Vec<Row<'a>>,
    }
    let doc = Index {
        directions: Direction::ALL
            .iter()
            .map(|d| [d.code(), d.label()])
            .collect(),
        financing: Financing::ALL
            .iter()
            .map(|f| [f.code(), f.label()])
            .collect(),
        municipalities: &municipalities,
        organizations: snap
            .organizations
            .iter()
            .map(|o| (o.id, o.short_name.as_str()))
            .collect(),
        programs,
    };
    serde_json::to_vec(&doc).expect("index serializes")
}

/// `robots.txt`, naming the sitemap when the copy's address is known.
pub fn robots(site_url: Option<&str>) -> Vec<u8> {
    match site_url {
        Some(url) => format!("User-agent: *\nAllow: /\n\nSitemap: {url}/sitemap.xml\n"),
        None => "User-agent: *\nAllow: /\n".to_owned(),
    }
    .into_bytes()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `sitemap.xml`: the URL list itself when it fits in one file, otherwise an index of
/// `sitemaps/sitemap-N.xml`.
pub fn sitemap_root(site_url: &str, parts: &[Vec<String>]) -> Vec<u8> {
    if parts.len() <= 1 {
        return sitemap(site_url, parts.first().map_or(&[][..], |v| v));
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for n in 1..=parts.len() {
        out.push_str(&format!(
            "  <sitemap><loc>{}/sitemaps/sitemap-{n}.xml</loc></sitemap>\n",
            xml_escape(site_url)
        ));
    }
    out.push_str("</sitemapindex>\n");
    out.into_bytes()
}

pub fn sitemap(site_url: &str, paths: &[String]) -> Vec<u8> {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for p in paths {
        out.push_str(&format!(
            "  <url><loc>{}/{}</loc></url>\n",
            xml_escape(site_url),
            xml_escape(p)
        ));
    }
    out.push_str("</urlset>\n");
    out.into_bytes()
}
