//! The copy's data files: GeoJSON for the map, the compact index for the client-side
//! filter, robots.txt and the sitemap. Every one is built in a fixed order, so the bytes
//! depend on the catalog only.

use geojson::FeatureCollection;
use platform::catalog::geo::{point_feature, Point};
use platform::catalog::index::Stems;
use platform::catalog::model::{Direction, Financing, Level};
use platform::catalog::views::{price_text, RatingView};

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
/// financings, profile, level, ovz, rating_text, cover, stems]`, the middle ones indexes into
/// the dictionaries): about 170 bytes a program before compression. `financing` is the one its card
/// shows (`FinancingSet::primary`); `financings` every one it offers, as bits by the
/// dictionary's order (`1 << i` for `financing[i]`), which a financing filter matches, as
/// the server's search does. `stems` are the title's and the profile's word stems as the
/// server's index makes them (`catalog::index::stems`), as are each organization's (its
/// full and short names): a query word matches the start of a stem, so «мир» does not find
/// «Программирование» and «вокал» finds what the server finds by title, profile and
/// organization.
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
        Option<usize>,
        Option<usize>,
        u8,
        String,
        Option<&'a str>,
        String,
    );
    let profile_index: std::collections::HashMap<&str, usize> = snap
        .profiles
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut stems = Stems::new();
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
                profile_index.get(p.profile_id.as_str()).copied(),
                Level::ALL.iter().position(|l| *l == p.level),
                u8::from(p.ovz),
                RatingView::of(p.rating).rating_text,
                p.cover_card.as_deref(),
                {
                    let profile = profile_index
                        .get(p.profile_id.as_str())
                        .map_or("", |i| snap.profiles[*i].name.as_str());
                    stems.of(&format!("{} {profile}", p.title))
                },
            ))
        })
        .collect();
    // The words of those texts the index drops as stop words («для», «и»): a query's are
    // dropped too, as the server drops them, rather than match nothing.
    let mut seen = std::collections::HashSet::new();
    let mut stop_words = std::collections::BTreeSet::new();
    let texts = snap
        .programs
        .iter()
        .map(|p| p.title.as_str())
        .chain(snap.profiles.iter().map(|p| p.name.as_str()))
        .chain(snap.organizations.iter().map(|o| o.name.as_str()));
    for text in texts {
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            let word = word.to_lowercase().replace('ё', "е");
            if !word.is_empty() && seen.insert(word.clone()) && stems.of(&word).is_empty() {
                stop_words.insert(word);
            }
        }
    }
    #[derive(serde::Serialize)]
    struct Index<'a> {
        stop_words: std::collections::BTreeSet<String>,
        directions: Vec<[&'static str; 2]>,
        financing: Vec<[&'static str; 2]>,
        levels: Vec<[&'static str; 2]>,
        profiles: Vec<(&'a str, &'a str)>,
        municipalities: &'a [(String, String)],
        organizations: Vec<(i64, &'a str, String)>,
        programs: Vec<Row<'a>>,
    }
    let doc = Index {
        stop_words,
        directions: Direction::ALL
            .iter()
            .map(|d| [d.code(), d.label()])
            .collect(),
        financing: Financing::ALL
            .iter()
            .map(|f| [f.code(), f.label()])
            .collect(),
        levels: Level::ALL.iter().map(|l| [l.code(), l.label()]).collect(),
        profiles: snap
            .profiles
            .iter()
            .map(|p| (p.id.as_str(), p.name.as_str()))
            .collect(),
        municipalities: &municipalities,
        organizations: snap
            .organizations
            .iter()
            .map(|o| {
                (
                    o.id,
                    o.short_name.as_str(),
                    stems.of(&format!("{} {}", o.name, o.short_name)),
                )
            })
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
