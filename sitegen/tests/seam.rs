//! The catalog writers' seam, end to end: staff, a moderator and a municipal admin change
//! each kind of thing the static copy shows — the organization's profile, a place of study,
//! a program's card, a group, a schedule row, a teacher, a photo, an authorization, a
//! program's status — through the product's own forms over HTTP, and after each change an
//! incremental rerun of `sitegen` in the same folder gives the same bytes as a fresh build,
//! and shows the change (so nothing passes because nothing changed).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use platform::demo::accounts::DEMO_PASSWORD;
use platform::regions::Tenant;
use reqwest::Method;
use sitegen::{generate, Options, Summary};
use tests::browser::{Browser, Page};
use tests::catalog::smolensk::{CHESS, RADUGA, VOCAL};
use tests::{TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
/// The demo staff: of «Радуга» (Шахматный клуб and Вокальная студия are its programs).
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
/// The demo municipal admin of Smolensk city, where «Радуга» is: its moderator.
const MUNICIPAL: &str = "municipal@smolensk.demo.navigator.local";
const BOUNDARY: &str = "navigator-seam-boundary-7a2e";

async fn spawn() -> (TestEnv, TestApp) {
    let (env, app) = TestApp::spawn().await;
    tests::catalog::seed(&app.state).await;
    tests::demo_accounts(&app.state).await;
    (env, app)
}

fn smolensk(app: &TestApp) -> Arc<Tenant> {
    app.state.registry.by_slug("smolensk").expect("region")
}

async fn build(app: &TestApp, out: &Path) -> Summary {
    let opts = Options {
        files: app.state.photos.files().clone(),
        out: out.to_owned(),
        base_url: "https://p67.example.org".to_owned(),
        site_url: Some("https://cdn.example.org/p67".to_owned()),
        map_tiles: Some(platform::settings::MapTiles::demo()),
        workers: 2,
        progress: false,
    };
    generate(&app.state.db, smolensk(app), &opts)
        .await
        .expect("the copy is written")
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).unwrap().to_string_lossy();
                out.insert(rel.replace('\\', "/"), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The copy, followed through every change, and fresh copies to compare it with.
struct Copy<'a> {
    app: &'a TestApp,
    dir: &'a Path,
    out: PathBuf,
    runs: usize,
}

impl Copy<'_> {
    /// Reruns sitegen in the copy's folder after the change `what`: not a full build, the
    /// same files and bytes as a fresh build; returns the files.
    async fn follow(&mut self, what: &str) -> BTreeMap<String, Vec<u8>> {
        let summary = build(self.app, &self.out).await;
        assert!(!summary.full, "{what}: the rerun rebuilt everything");
        self.runs += 1;
        let fresh = self.dir.join(format!("fresh-{}", self.runs));
        build(self.app, &fresh).await;
        let (updated, fresh) = (files(&self.out), files(&fresh));
        let differing: BTreeSet<&String> = updated
            .keys()
            .chain(fresh.keys())
            .filter(|p| updated.get(*p) != fresh.get(*p))
            .collect();
        assert!(
            differing.is_empty(),
            "{what}: the updated copy differs from a fresh one in {differing:?} \
             (the rerun changed {:?}, deleted {:?})",
            summary.changed,
            summary.deleted
        );
        updated
    }
}

fn page(all: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        all.get(path)
            .unwrap_or_else(|| panic!("{path} is in the copy"))
            .clone(),
    )
    .unwrap()
}

fn assert_shows(all: &BTreeMap<String, Vec<u8>>, path: &str, what: &str) {
    let html = page(all, path);
    assert!(html.contains(what), "{path} does not show «{what}»: {html}");
}

fn org_page() -> String {
    format!("organizations/{RADUGA}/index.html")
}

fn program_page(id: i64) -> String {
    format!("programs/{id}.html")
}

fn expect_redirect(page: &Page, what: &str) {
    assert_eq!(page.status, 303, "{what}: {}", page.body);
}

/// A complete card, as the form sends it.
fn card(title: &str) -> Vec<(&'static str, String)> {
    [
        ("title", title),
        ("short_title", "Юный исследователь"),
        ("announce", "Опыты, наблюдения и первые проекты."),
        (
            "description",
            "Дети ставят опыты и ведут дневник наблюдений.",
        ),
        ("goals", "Интерес к естественным наукам."),
        ("results", "Ребёнок проведёт своё исследование."),
        ("direction", "natural_science"),
        ("profile_id", "ecology"),
        ("level", "start"),
        ("program_type", "general"),
        ("age_min", "8"),
        ("age_max", "12"),
        ("duration_months", "9"),
        ("hours", "72"),
        ("study_form", "full_time"),
        ("financing", "free"),
        ("group_min", "5"),
        ("group_max", "12"),
    ]
    .iter()
    .map(|(k, v)| (*k, (*v).to_owned()))
    .collect()
}

fn fields<'a>(card: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    card.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Sends the program to moderation and has the moderator publish it.
async fn publish(staff: &mut Browser<'_>, moderator: &mut Browser<'_>, id: i64) {
    let card = format!("/provider/programs/{id}");
    let sent = staff.submit(&card, &format!("{card}/submit"), &[]).await;
    expect_redirect(&sent, "«Отправить на модерацию»");
    let review = format!("/municipal/moderation/{id}");
    let published = moderator
        .submit(&review, &format!("{review}/publish"), &[])
        .await;
    expect_redirect(&published, "«Опубликовать»");
}

/// A group form of Шахматный клуб (7–12 лет, бесплатно) with one schedule row.
fn group_fields<'a>(
    name: &'a str,
    place: &'a str,
    teacher: &'a str,
    starts: &'a str,
    ends: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("age_min", "7"),
        ("age_max", "12"),
        ("capacity", "18"),
        ("study_from", "2026-09-01"),
        ("study_to", "2027-05-31"),
        ("enroll_from", "2026-08-20"),
        ("enroll_to", "2026-09-30"),
        ("place_id", place),
        ("teacher_ids", teacher),
        ("s0_weekday", "1"),
        ("s0_starts", starts),
        ("s0_ends", ends),
        ("s1_weekday", ""),
        ("s1_starts", ""),
        ("s1_ends", ""),
    ]
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 90])
    }));
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).expect("encode");
    out.into_inner()
}

/// Opens `form` and posts `file` with its CSRF token to `action` as `multipart/form-data`.
async fn upload(browser: &mut Browser<'_>, form: &str, action: &str, field: &str, file: &[u8]) {
    let csrf = browser.get(form).await.csrf();
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{field}.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend(file);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").into_bytes());
    let resp = browser
        .request(Method::POST, action)
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .expect("POST");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    assert_eq!(status, 303, "{action}: {text}");
}

#[tokio::test]
async fn every_kind_of_catalog_edit_reaches_an_incremental_rerun_as_a_fresh_build_would() {
    let (_env, app) = spawn().await;
    let tenant = smolensk(&app).id;
    let dir = tempfile::tempdir().unwrap();
    let mut copy = Copy {
        app: &app,
        dir: dir.path(),
        out: dir.path().join("site"),
        runs: 0,
    };
    assert!(build(&app, &copy.out).await.full);
    let first = files(&copy.out);
    // The organization page lists the places of study, as the dynamic one does.
    assert_shows(&first, &org_page(), "Места обучения");
    assert_shows(&first, &org_page(), "ул. Мира, д. 1");

    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let mut moderator = Browser::new(&app, S);
    moderator.login(MUNICIPAL, DEMO_PASSWORD).await;

    // Profile: short name and description.
    let saved = staff
        .submit(
            "/provider/profile",
            "/provider/profile",
            &[
                ("name", "Дом детского творчества «Радуга»"),
                ("short_name", "ЦДТ «Радуга-Смоленск»"),
                ("org_type", "municipal"),
                ("inn", "7707083893"),
                ("ogrn", "1027700132195"),
                ("phone", "+7 (4812) 38-00-01"),
                ("email", "raduga@example.ru"),
                ("website", "raduga.example.ru"),
                (
                    "description",
                    "Кружки для детей от 5 до 18 лет, без оплаты.",
                ),
            ],
        )
        .await;
    expect_redirect(&saved, "the profile");
    let all = copy.follow("profile").await;
    assert_shows(
        &all,
        &org_page(),
        "Кружки для детей от 5 до 18 лет, без оплаты.",
    );
    assert_shows(&all, &program_page(CHESS), "raduga@example.ru");
    assert_shows(&all, "directions/sport/index.html", "ЦДТ «Радуга-Смоленск»");

    // Place: a new one, then the one Шахматный клуб's group meets at.
    let added = staff
        .submit(
            "/provider/profile",
            "/provider/profile/places/new",
            &[
                ("address", "г. Смоленск, ул. Большая Советская, д. 1"),
                ("lat", "54.7826"),
                ("lon", "32.0453"),
            ],
        )
        .await;
    expect_redirect(&added, "a new place");
    let all = copy.follow("a new place").await;
    assert_shows(
        &all,
        &org_page(),
        "г. Смоленск, ул. Большая Советская, д. 1",
    );
    let places = platform::organizations::store::places(&app.state.db, tenant, RADUGA)
        .await
        .unwrap();
    let chess_place = places
        .iter()
        .find(|p| p.address == "ул. Мира, д. 1")
        .expect("the fixture's place of Шахматный клуб's group");
    let path = format!("/provider/profile/places/{}", chess_place.id);
    let edited = staff
        .submit(
            &path,
            &path,
            &[
                ("address", "г. Смоленск, ул. Мира, д. 10"),
                ("lat", "54.7801"),
                ("lon", "32.0402"),
            ],
        )
        .await;
    expect_redirect(&edited, "an edited place");
    let all = copy.follow("an edited place").await;
    assert_shows(&all, &org_page(), "г. Смоленск, ул. Мира, д. 10");
    assert_shows(&all, &program_page(CHESS), "г. Смоленск, ул. Мира, д. 10");
    assert_shows(&all, "geo/smolensk.geojson", "г. Смоленск, ул. Мира, д. 10");

    // Program: a new one published, then an edit of its card published.
    let created = staff
        .submit(
            "/provider/programs/new",
            "/provider/programs/new",
            &fields(&card("Юный исследователь природы")),
        )
        .await;
    expect_redirect(&created, "a new program");
    let id: i64 = created
        .location
        .as_deref()
        .unwrap()
        .trim_start_matches("/provider/programs/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let all = copy.follow("a draft").await;
    assert!(
        !all.contains_key(&program_page(id)),
        "a draft is not public"
    );
    publish(&mut staff, &mut moderator, id).await;
    let all = copy.follow("a published program").await;
    assert_shows(&all, &program_page(id), "Юный исследователь природы");
    assert_shows(&all, &org_page(), "Юный исследователь природы");
    let card_page = format!("/provider/programs/{id}");
    let mut edited = card("Юный исследователь леса");
    edited.retain(|(k, _)| *k != "goals");
    edited.push(("goals", "Знать лес родного края.".to_owned()));
    let saved = staff.submit(&card_page, &card_page, &fields(&edited)).await;
    expect_redirect(&saved, "an edited card");
    let all = copy.follow("an edit waiting for moderation").await;
    assert_shows(&all, &program_page(id), "Юный исследователь природы");
    publish(&mut staff, &mut moderator, id).await;
    let all = copy.follow("a published edit").await;
    assert_shows(&all, &program_page(id), "Юный исследователь леса");
    assert_shows(&all, &program_page(id), "Знать лес родного края.");
    assert!(!page(&all, &org_page()).contains("Юный исследователь природы"));

    // Group and schedule: Шахматный клуб's group renamed, then its row moved.
    let group = platform::catalog::store::groups_of(&app.state.db, tenant, CHESS)
        .await
        .unwrap()[0]
        .clone();
    let group_page = format!("/provider/groups/{}", group.id);
    let teachers = platform::groups::store::teachers(&app.state.db, tenant, RADUGA)
        .await
        .unwrap();
    let teacher = teachers
        .iter()
        .find(|t| t.name == "Иванова Мария Петровна")
        .expect("the fixture's teacher");
    let (place, teacher_id) = (chess_place.id.to_string(), teacher.id.to_string());
    let saved = staff
        .submit(
            &group_page,
            &group_page,
            &group_fields("Группа «Дебют»", &place, &teacher_id, "15:00", "16:30"),
        )
        .await;
    expect_redirect(&saved, "an edited group");
    let all = copy.follow("a group").await;
    assert_shows(&all, &program_page(CHESS), "Группа «Дебют»");
    assert_shows(
        &all,
        &program_page(CHESS),
        "<td data-label=\"План приёма\">18</td>",
    );
    let saved = staff
        .submit(
            &group_page,
            &group_page,
            &group_fields("Группа «Дебют»", &place, &teacher_id, "17:10", "18:40"),
        )
        .await;
    expect_redirect(&saved, "a schedule row");
    let all = copy.follow("a schedule row").await;
    assert_shows(&all, &program_page(CHESS), "Пн 17:10–18:40");

    // Teacher: renamed on every group of theirs (Вокальная студия's too).
    let renamed = staff
        .submit(
            "/provider/teachers",
            &format!("/provider/teachers/{}", teacher.id),
            &[
                ("name", "Иванова-Петрова Мария Сергеевна"),
                ("position", "педагог дополнительного образования"),
            ],
        )
        .await;
    expect_redirect(&renamed, "a renamed teacher");
    let all = copy.follow("a teacher").await;
    for program in [CHESS, VOCAL] {
        assert_shows(
            &all,
            &program_page(program),
            "Иванова-Петрова Мария Сергеевна",
        );
    }

    // Photos: a cover and a logo, through the forms, as PNG.
    upload(
        &mut staff,
        &format!("/provider/programs/{CHESS}/cover"),
        &format!("/provider/programs/{CHESS}/cover"),
        "cover",
        &png(900, 600),
    )
    .await;
    let all = copy.follow("a cover").await;
    let (cover, _) = platform::photos::store::program_cover(&app.state.db, tenant, RADUGA, CHESS)
        .await
        .unwrap()
        .map(|c| (c.cover.expect("a cover"), c.cover_card))
        .unwrap();
    assert!(all.contains_key(&format!("media/{cover}")));
    assert_shows(&all, &program_page(CHESS), &format!("media/{cover}"));
    upload(
        &mut staff,
        "/provider/profile",
        "/provider/profile/logo",
        "logo",
        &png(300, 200),
    )
    .await;
    let all = copy.follow("a logo").await;
    let logo = platform::organizations::store::profile(&app.state.db, tenant, RADUGA)
        .await
        .unwrap()
        .unwrap()
        .logo
        .expect("a logo");
    assert_shows(&all, &org_page(), &format!("media/{logo}"));
    let removed = staff
        .submit(
            &format!("/provider/programs/{CHESS}/cover"),
            &format!("/provider/programs/{CHESS}/cover/delete"),
            &[],
        )
        .await;
    expect_redirect(&removed, "a removed cover");
    let all = copy.follow("a removed cover").await;
    assert!(!all.contains_key(&format!("media/{cover}")));

    // The municipality takes back «Радуга»'s authorization to confirm children's data: a
    // write to the catalog's organization row, so it is marked and the version bumped.
    let before = platform::catalog::store::version(&app.state.db, tenant)
        .await
        .unwrap();
    let taken = moderator
        .submit(
            "/municipal",
            &format!("/municipal/organizations/{RADUGA}"),
            &[("can_confirm", "0")],
        )
        .await;
    expect_redirect(&taken, "«Отозвать полномочия»");
    let changed = platform::catalog::store::programs_changed_since(&app.state.db, tenant, before)
        .await
        .unwrap();
    assert!(changed.contains(&CHESS), "{changed:?}");
    copy.follow("an organization's authorization").await;

    // Status: the new program archived, restored (a draft: still not public), published.
    let archived = staff
        .submit(&card_page, &format!("{card_page}/archive"), &[])
        .await;
    expect_redirect(&archived, "«В архив»");
    let all = copy.follow("an archived program").await;
    assert!(!all.contains_key(&program_page(id)));
    assert!(!page(&all, &org_page()).contains("Юный исследователь леса"));
    let restored = staff
        .submit(&card_page, &format!("{card_page}/restore"), &[])
        .await;
    expect_redirect(&restored, "«Вернуть из архива»");
    let all = copy.follow("a restored program").await;
    assert!(!all.contains_key(&program_page(id)));
    publish(&mut staff, &mut moderator, id).await;
    let all = copy.follow("a program published again").await;
    assert_shows(&all, &program_page(id), "Юный исследователь леса");
}
