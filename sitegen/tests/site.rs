//! sitegen end to end: a fixture catalog in a real database (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL`), a copy written to a temporary folder, and the files checked as a
//! browser and a CDN would see them. The CLI is run as the real binary.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use platform::catalog::model::ProgramStatus;
use platform::catalog::store;
use platform::regions::Tenant;
use sha2::{Digest, Sha256};
use sitegen::{generate, Options, Summary};
use tests::catalog::{self, smolensk::*, KRASNOYARSK_CHESS};
use tests::{TestApp, TestEnv};

const BASE: &str = "https://p67.xn--80aafey1amqq.xn--d1acj3b";

async fn seeded() -> (TestEnv, TestApp) {
    let (env, app) = TestApp::spawn().await;
    catalog::seed(&app.state).await;
    (env, app)
}

fn tenant(app: &TestApp, slug: &str) -> Arc<Tenant> {
    app.state.registry.by_slug(slug).expect("region is loaded")
}

async fn build(app: &TestApp, slug: &str, out: &Path) -> Summary {
    build_at(app, slug, out, Some("https://cdn.example.org/p67")).await
}

async fn build_at(app: &TestApp, slug: &str, out: &Path, site_url: Option<&str>) -> Summary {
    let opts = Options {
        files: app.state.photos.files().clone(),
        out: out.to_owned(),
        base_url: BASE.to_owned(),
        site_url: site_url.map(str::to_owned),
        map_tiles: Some(platform::settings::MapTiles::demo()),
        workers: 2,
        progress: false,
    };
    generate(&app.state.db, tenant(app, slug), &opts)
        .await
        .expect("the copy is written")
}

/// Without `--site-url` the copy does not guess its address: no sitemap (whose addresses
/// must be absolute, and would name the dynamic site, which has no such pages), robots.txt
/// without one, and a 404 page whose links and styles start from the server's root. The
/// map takes the configured tiles, credited without Leaflet's flag.
#[tokio::test]
async fn without_its_address_the_copy_writes_no_sitemap_and_404_links_from_the_root() {
    let (_env, app) = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    build_at(&app, "smolensk", dir.path(), None).await;
    let all = files(dir.path());
    assert!(!all.contains_key("sitemap.xml"));
    assert_eq!(text(&all, "robots.txt"), "User-agent: *\nAllow: /\n");
    let missing = text(&all, "404.html").replace("&#x2f;", "/");
    assert!(
        missing.contains("href=\"/static/navigator.css"),
        "{missing}"
    );
    assert!(missing.contains("href=\"/programs/"), "{missing}");
    let map = text(&all, "map.html").replace("&#x2f;", "/");
    assert!(
        map.contains("data-tiles=\"https://tile.openstreetmap.org/{z}/{x}/{y}.png\""),
        "{map}"
    );
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        files
            .get(path)
            .unwrap_or_else(|| panic!("{path} is written"))
            .clone(),
    )
    .unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// Values of `attr="…"` in an HTML page, unescaped.
fn attributes(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            unescape(&rest[..rest.find('"').unwrap()])
        })
        .collect()
}

/// Resolves a relative link of the page at `page` to a path of the copy.
fn resolve(page: &str, link: &str) -> String {
    let link = link.split(['#', '?']).next().unwrap();
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in link.split('/') {
        match seg {
            ".." => {
                assert!(parts.pop().is_some(), "{page}: «{link}» leaves the copy");
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every relative link of every page leads to a file of the copy; the rest go to the
/// region's dynamic site, mail or phone. Returns how many links were followed.
fn assert_links_resolve(all: &BTreeMap<String, Vec<u8>>) -> usize {
    let mut checked = 0;
    for (path, bytes) in all {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes.clone()).unwrap();
        let mut links: Vec<String> = ["href", "src", "data-index"]
            .iter()
            .flat_map(|a| attributes(&html, a))
            .collect();
        for files in attributes(&html, "data-files") {
            links.extend(files.split(' ').map(str::to_owned));
        }
        for link in links {
            if link.starts_with('#') || link.starts_with("mailto:") || link.starts_with("tel:") {
                continue;
            }
            if link.starts_with("http") {
                // 404.html is served at any address, so its links name the copy's own.
                if let Some(own) = link.strip_prefix("https://cdn.example.org/p67/") {
                    assert_eq!(path, "404.html");
                    assert!(
                        all.contains_key(own.split('?').next().unwrap()),
                        "{path}: {link}"
                    );
                    continue;
                }
                // The dynamic site's pages (applying, logging in) are on the base URL;
                // other addresses are the organizations' own sites and map tiles.
                if ["/apply/", "/login", "/register"]
                    .iter()
                    .any(|p| link.contains(p))
                {
                    assert!(link.starts_with(BASE), "{path}: {link}");
                }
                continue;
            }
            assert!(
                !link.starts_with('/'),
                "{path}: absolute link {link} breaks under a prefix"
            );
            let target = resolve(path, &link);
            assert!(
                all.contains_key(&target),
                "{path}: «{link}» → {target} is not in the copy"
            );
            checked += 1;
        }
    }
    checked
}

#[tokio::test]
async fn the_copy_is_complete_and_every_link_resolves() {
    let (_env, app) = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let summary = build(&app, "smolensk", &out).await;
    assert!(summary.full);
    let all = files(&out);
    for path in [
        "index.html",
        "programs/index.html",
        &format!("programs/{CHESS}.html"),
        &format!("organizations/{RADUGA}/index.html"),
        "directions/sport/index.html",
        "municipalities/smolensk/index.html",
        "map.html",
        "maps/smolensk.html",
        "geo/smolensk.geojson",
        "data/programs.json",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "manifest.json",
        "static/navigator.css",
        "static/catalog.js",
        "static/vendor/leaflet/leaflet.js",
    ] {
        assert!(all.contains_key(path), "{path} is missing");
    }

    let checked = assert_links_resolve(&all);
    assert!(checked > 200, "only {checked} links checked");

    // The program page: groups, schedule, contacts, «Записаться» on the dynamic host.
    let chess = text(&all, &format!("programs/{CHESS}.html"));
    assert!(chess.contains("Шахматный клуб «Ладья»"));
    assert!(chess.contains("Учебные группы"));
    assert!(chess.contains("Контакты организатора"));
    assert!(attributes(&chess, "href")
        .iter()
        .any(|h| h.starts_with(&format!("{BASE}/apply/"))));
    let robotics = text(&all, &format!("programs/{ROBOTICS}.html"));
    assert!(robotics.contains("Доступна оплата сертификатом"));

    // The manifest lists every other file with its hash and size.
    let manifest: serde_json::Value = serde_json::from_slice(&all["manifest.json"]).unwrap();
    let listed = manifest["files"].as_object().unwrap();
    assert_eq!(listed.len(), all.len() - 1);
    for (path, bytes) in &all {
        if path == "manifest.json" {
            continue;
        }
        let entry = &listed[path.as_str()];
        assert_eq!(entry["sha256"], sha256(bytes), "{path}");
        assert_eq!(entry["bytes"], bytes.len(), "{path}");
    }

    // Sitemap and robots name the published address.
    let sitemap = text(&all, "sitemap.xml");
    assert!(sitemap.contains(&format!(
        "<loc>https://cdn.example.org/p67/programs/{CHESS}.html</loc>"
    )));
    assert!(!sitemap.contains("404.html"));
    assert!(text(&all, "robots.txt").contains("Sitemap: https://cdn.example.org/p67/sitemap.xml"));

    // The client-side filter's index holds the published programs.
    let index: serde_json::Value = serde_json::from_slice(&all["data/programs.json"]).unwrap();
    let titles: Vec<&str> = index["programs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Робототехника для начинающих"));
    assert_eq!(titles.len(), 5);
    // Each row holds every financing its program offers, as bits by the dictionary.
    let robotics = index["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[1] == "Робототехника для начинающих")
        .unwrap();
    assert_eq!(index["financing"][1][0], "certificate");
    assert_eq!(robotics[9], 1 << 1, "{robotics}");
    // Its card's profile and level, and the stems the filter matches word starts against:
    // the server's (stop words out, «для» among the ones a query drops too).
    assert!(robotics[10].is_u64() && robotics[11].is_u64(), "{robotics}");
    let stems = robotics[15].as_str().unwrap();
    assert!(stems.starts_with("робототехник начина"), "{stems}");
    assert!(!stems.split(' ').any(|s| s == "для"), "{stems}");
    assert!(index["stop_words"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w == "для"));
    let org = &index["organizations"][robotics[4].as_u64().unwrap() as usize];
    assert!(org[2].as_str().unwrap().contains("кванториум"), "{org}");
    // The pages read without JavaScript: the list is in the HTML, the filter form is
    // hidden until the script has the index.
    let catalog = text(&all, "programs/index.html");
    assert!(catalog.contains("id=\"static-filter\""));
    assert!(catalog.contains(" hidden"));
    // Without it, the alphabetical index leads to the programs.
    assert!(catalog.contains("Алфавитный указатель"));
    let letter_f = text(&all, "programs/letter-20/index.html");
    assert!(letter_f.contains("Программы на «Ф»") && letter_f.contains("Футбол"));
}

#[tokio::test]
async fn long_lists_are_paged_by_letter_and_every_link_still_resolves() {
    let (_env, app) = TestApp::spawn().await;
    let smolensk = tenant(&app, "smolensk");
    platform::demo::fill(&app.state.db, &smolensk, 3200, &app.state.clock)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build(&app, "smolensk", &out).await;
    let all = files(&out);
    // More than 500 programs in a list (3 200 over six directions: some direction has
    // more): its first page is an alphabetical index.
    let split: Vec<&String> = all
        .keys()
        .filter(|p| p.starts_with("directions/") && p.contains("/letter-"))
        .collect();
    assert!(!split.is_empty(), "no direction list was split");
    let folder = split[0].rsplit_once("/letter-").unwrap().0;
    let index = text(&all, &format!("{folder}/index.html"));
    assert!(index.contains("Алфавитный указатель"));
    assert!(assert_links_resolve(&all) > 5000);
}

#[tokio::test]
async fn geojson_is_valid_and_has_every_group_location() {
    let (_env, app) = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build(&app, "smolensk", &out).await;
    let all = files(&out);
    let mut features = 0;
    for (path, bytes) in all.iter().filter(|(p, _)| p.starts_with("geo/")) {
        let text = std::str::from_utf8(bytes).unwrap();
        let fc: geojson::FeatureCollection = text.parse().unwrap_or_else(|e| panic!("{path}: {e}"));
        for f in &fc.features {
            let Some(geojson::GeometryValue::Point { coordinates: c }) =
                f.geometry.as_ref().map(|g| &g.value)
            else {
                panic!("{path}: a feature is not a point");
            };
            let (lon, lat) = (c[0], c[1]);
            assert!((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat));
            // Longitude first (RFC 7946): Smolensk oblast is at 31–35° E, 53–56° N.
            assert!(
                (30.0..36.0).contains(&lon) && (53.0..57.0).contains(&lat),
                "{path}: {c:?}"
            );
            let props = f.properties.as_ref().unwrap();
            for key in ["title", "organization", "address", "url"] {
                assert!(props.contains_key(key), "{path}: no {key}");
            }
            let url = props["url"].as_str().unwrap();
            assert!(
                all.contains_key(url),
                "{path}: popup link {url} is not in the copy"
            );
            features += 1;
        }
    }
    let groups: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM study_groups g JOIN programs p \
           ON p.tenant_id = g.tenant_id AND p.id = g.program_id \
         WHERE g.tenant_id = (SELECT id FROM tenants WHERE slug = 'smolensk') AND p.status = 'published'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(features, groups as usize);
}

#[tokio::test]
async fn the_same_catalog_gives_the_same_bytes() {
    let (_env, app) = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    build(&app, "smolensk", &dir.path().join("a")).await;
    build(&app, "smolensk", &dir.path().join("b")).await;
    let (a, b) = (files(&dir.path().join("a")), files(&dir.path().join("b")));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between two runs");
    }
}

fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

#[tokio::test]
async fn a_rerun_rewrites_only_what_changed_and_deletes_removed_pages() {
    let (_env, app) = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build(&app, "smolensk", &out).await;
    let before = files(&out);
    let untouched = out.join(format!("programs/{FOOTBALL}.html"));
    let untouched_time = modified(&untouched);

    // Nothing changed: nothing is rendered or written.
    let again = build(&app, "smolensk", &out).await;
    assert_eq!(
        (again.rendered, again.changed.len(), again.deleted.len()),
        (0, 0, 0)
    );

    // One title changes: its page, the lists that show it, the filter index and the map
    // data of its municipality; nothing else.
    catalog::rename(&app.state, CHESS, "Шахматный клуб «Белая ладья»").await;
    let summary = build(&app, "smolensk", &out).await;
    assert!(!summary.full);
    let expected: BTreeSet<String> = [
        format!("programs/{CHESS}.html"),
        // «Ш»: the title's letter.
        "programs/letter-24/index.html".to_owned(),
        "directions/sport/index.html".to_owned(),
        "municipalities/smolensk/index.html".to_owned(),
        format!("organizations/{RADUGA}/index.html"),
        "data/programs.json".to_owned(),
        "geo/smolensk.geojson".to_owned(),
    ]
    .into();
    let changed: BTreeSet<String> = summary.changed.iter().cloned().collect();
    assert_eq!(changed, expected);
    let after = files(&out);
    let differing: BTreeSet<String> = after
        .iter()
        .filter(|(p, b)| before.get(*p) != Some(*b) && *p != "manifest.json")
        .map(|(p, _)| p.clone())
        .collect();
    assert_eq!(differing, expected, "the manifest tells the truth");
    assert!(text(&after, &format!("programs/{CHESS}.html")).contains("«Белая ладья»"));
    assert_eq!(
        modified(&untouched),
        untouched_time,
        "an unchanged page is not rewritten"
    );

    // A program is withdrawn from publication: its page goes, the others stay.
    platform::programs::service::set_status_as_operator(
        &app.state.db,
        &tenant(&app, "smolensk"),
        ROBOTICS,
        ProgramStatus::Archived,
        app.state.clock.now(),
    )
    .await
    .unwrap();
    let summary = build(&app, "smolensk", &out).await;
    // It was Desnogorsk's only program and the only one on «Р», so that municipality's
    // map and that letter's page go too.
    assert_eq!(
        summary.deleted,
        [
            "geo/desnogorsk.geojson".to_owned(),
            "maps/desnogorsk.html".to_owned(),
            format!("programs/{ROBOTICS}.html"),
            "programs/letter-16/index.html".to_owned(),
        ]
    );
    assert!(!out.join(format!("programs/{ROBOTICS}.html")).exists());
    // No other program page changed: only lists (the «Р» letter, the letter index).
    assert!(!summary
        .changed
        .iter()
        .any(|p| p.starts_with("programs/") && !p.ends_with("index.html")));
    assert_eq!(modified(&untouched), untouched_time);
    assert!(!text(&files(&out), "sitemap.xml").contains(&format!("programs/{ROBOTICS}.html")));

    // The updated copy equals a fresh build of the same catalog.
    let fresh = dir.path().join("fresh");
    build(&app, "smolensk", &fresh).await;
    assert_eq!(files(&out), files(&fresh));
}

/// Stores `bytes` as a photo of Smolensk and makes them program `id`'s cover (both
/// renditions) and organization `org`'s logo, the way `photos` writes: the rows marked
/// changed, the catalog version bumped.
async fn set_photos(app: &TestApp, id: i64, org: i64, bytes: Option<&[u8]>) -> Option<String> {
    use platform::storage::MediaType;
    let tenant = tenant(app, "smolensk").id;
    let key = match bytes {
        Some(b) => Some(
            app.state
                .photos
                .files()
                .put(MediaType::Jpeg, b.to_vec())
                .await
                .unwrap()
                .to_string(),
        ),
        None => None,
    };
    let mut tx = app.state.db.begin().await.unwrap();
    if let Some(k) = &key {
        sqlx::query("INSERT INTO media (tenant_id, file_key, created_at) VALUES ($1, $2, 'x')")
            .bind(tenant)
            .bind(k)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    sqlx::query(
        "UPDATE programs SET cover = $3, cover_card = $3, changed_in = NULL \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .bind(&key)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE organizations SET logo = $3, changed_in = NULL WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(org)
    .bind(&key)
    .execute(&mut *tx)
    .await
    .unwrap();
    store::bump_version(&mut tx, tenant).await.unwrap();
    tx.commit().await.unwrap();
    key
}

#[tokio::test]
async fn photos_are_copied_once_and_the_pages_show_them() {
    let (_env, app) = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build(&app, "smolensk", &out).await;
    let photo = b"\xFF\xD8 stands for a stored JPEG".to_vec();
    let key = set_photos(&app, CHESS, RADUGA, Some(&photo)).await.unwrap();
    let media = format!("media/{key}");

    let summary = build(&app, "smolensk", &out).await;
    assert!(!summary.full);
    assert!(summary.changed.contains(&media), "{:?}", summary.changed);
    let all = files(&out);
    assert_eq!(
        all.get(&media),
        Some(&photo),
        "the file is copied as stored"
    );
    let page = text(&all, &format!("programs/{CHESS}.html"));
    assert!(
        page.contains(&format!(
            "src=\"../media/{key}\" width=\"1200\" height=\"800\""
        )),
        "{page}"
    );
    let list = text(&all, "directions/sport/index.html");
    assert!(
        list.contains(&format!(
            "src=\"../../media/{key}\" width=\"480\" height=\"320\" loading=\"lazy\""
        )),
        "{list}"
    );
    let org = text(&all, &format!("organizations/{RADUGA}/index.html"));
    assert!(
        org.contains(&format!("src=\"../../media/{key}\" width=\"256\"")),
        "{org}"
    );
    assert_links_resolve(&all);

    // Again, with another change: the photo is neither read nor written again.
    let written = modified(&out.join(&media));
    catalog::rename(&app.state, CHESS, "Шахматный клуб «Белая ладья»").await;
    let summary = build(&app, "smolensk", &out).await;
    assert!(!summary.changed.contains(&media));
    assert_eq!(modified(&out.join(&media)), written);
    // The same bytes as a fresh copy.
    let fresh = dir.path().join("fresh");
    build(&app, "smolensk", &fresh).await;
    assert_eq!(files(&out), files(&fresh));

    // Removed from every row: the copy drops the file too.
    set_photos(&app, CHESS, RADUGA, None).await;
    let summary = build(&app, "smolensk", &out).await;
    assert!(summary.deleted.contains(&media), "{:?}", summary.deleted);
    assert!(contains(&files(&out), "/media/").is_empty());
}

fn contains(all: &BTreeMap<String, Vec<u8>>, needle: &str) -> Vec<String> {
    let n = needle.as_bytes();
    all.iter()
        .filter(|(_, b)| b.windows(n.len()).any(|w| w == n))
        .map(|(p, _)| p.clone())
        .collect()
}

#[tokio::test]
async fn neither_another_region_nor_unpublished_programs_appear() {
    let (_env, app) = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build(&app, "smolensk", &out).await;
    let all = files(&out);
    assert_eq!(contains(&all, KRASNOYARSK_CHESS), Vec::<String>::new());
    for id in [SECRET, ARCHIVED] {
        assert!(!all.contains_key(&format!("programs/{id}.html")));
        let title: String = sqlx::query_scalar(
            "SELECT title FROM programs \
             WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'smolensk') AND id = $1",
        )
        .bind(id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
        assert_eq!(contains(&all, &title), Vec::<String>::new(), "{title}");
    }

    // And the other way round: Krasnoyarsk's copy has its program and none of Smolensk's.
    let k = dir.path().join("k");
    build(&app, "krasnoyarsk", &k).await;
    let kall = files(&k);
    assert!(!contains(&kall, KRASNOYARSK_CHESS).is_empty());
    assert_eq!(
        contains(&kall, "Шахматный клуб «Ладья»"),
        Vec::<String>::new()
    );
    assert_eq!(contains(&kall, "ДДТ «Радуга»"), Vec::<String>::new());
}

fn sitegen(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sitegen"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("sitegen runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_command_line_reports_bad_input_and_keeps_a_good_copy() {
    let (env, app) = seeded().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let out_s = out.to_str().unwrap();
    let db = env.database_url.as_str();

    let (code, stdout, stderr) = sitegen(&[
        "--region",
        "smolensk",
        "--out",
        out_s,
        "--database-url",
        db,
        "--quiet",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("smolensk:") && stdout.contains("полная сборка"),
        "{stdout}"
    );
    assert!(stderr.is_empty(), "quiet and not a terminal: {stderr}");
    let good = files(&out);

    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--region".into(), "atlantis".into()],
            "регион «atlantis» не найден",
        ),
        (
            vec![
                "--region".into(),
                "smolensk".into(),
                "--base-url".into(),
                "p67.example".into(),
            ],
            "--base-url",
        ),
        (
            vec![
                "--region".into(),
                "smolensk".into(),
                "--database-url".into(),
                "postgres://nobody@127.0.0.1:1/none".into(),
            ],
            "база данных недоступна",
        ),
        (
            vec![
                "--region".into(),
                "smolensk".into(),
                "--database-url".into(),
                format!("sqlite://{}/missing.db", dir.path().display()),
            ],
            "файл базы SQLite не найден",
        ),
    ];
    for (args, message) in cases {
        let mut all: Vec<&str> = vec!["--out", out_s];
        if !args.iter().any(|a| a == "--database-url") {
            all.extend(["--database-url", db]);
        }
        all.extend(args.iter().map(String::as_str));
        let (code, _, stderr) = sitegen(&all);
        assert_eq!(code, 1, "{all:?}: {stderr}");
        assert!(stderr.contains(message), "{all:?}: {stderr}");
    }
    // None of the failures touched the copy.
    assert_eq!(files(&out), good);

    // A folder with other files is not overwritten; a file is not a folder.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("keep.txt"), "mine").unwrap();
    let (code, _, stderr) = sitegen(&[
        "--region",
        "smolensk",
        "--out",
        other.to_str().unwrap(),
        "--database-url",
        db,
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("не пуста"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(other.join("keep.txt")).unwrap(),
        "mine"
    );
    let (code, _, stderr) = sitegen(&[
        "--region",
        "smolensk",
        "--out",
        other.join("keep.txt").to_str().unwrap(),
        "--database-url",
        db,
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("это не папка"), "{stderr}");

    // --all writes one folder per region.
    let every = dir.path().join("all");
    let (code, stdout, stderr) = sitegen(&[
        "--all",
        "--out",
        every.to_str().unwrap(),
        "--database-url",
        db,
        "--quiet",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("krasnoyarsk:") && stdout.contains("smolensk:"),
        "{stdout}"
    );
    assert!(every.join("krasnoyarsk/index.html").is_file());
    assert!(every.join("smolensk/index.html").is_file());
    drop(app);
}
