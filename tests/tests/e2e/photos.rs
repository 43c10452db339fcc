//! Photos over HTTP: staff upload a program's cover and the organization's logo (forms and
//! API), the files come out re-encoded at their fixed sizes with no EXIF or GPS left, and
//! show on the catalog's cards, the program's page and the organization's page, served with
//! long-lived cache headers. A text file named .jpg, a file over 5 MB and a decompression
//! bomb are refused with their messages; another organization's staff, a parent and the
//! other region's host change nothing and read nothing.

use std::time::{Duration, Instant};

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use platform::accounts::values::Role;
use platform::demo::accounts::DEMO_PASSWORD;
use reqwest::Method;
use tests::browser::{Browser, Page};
use tests::catalog::smolensk::{CHESS, FOOTBALL, OLIMP, RADUGA};
use tests::{wait_until, TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
const PARENT: &str = "parent@smolensk.demo.navigator.local";
const OLIMP_STAFF: &str = "staff@olimp.example.ru";
const BOUNDARY: &str = "navigator-test-boundary-5f1c";
/// The camera's name in the test photo's EXIF.
const CAMERA: &[u8] = b"NavigatorTestCam";

async fn spawn() -> (TestEnv, TestApp) {
    let (env, app) = TestApp::spawn().await;
    tests::catalog::seed(&app.state).await;
    tests::demo_accounts(&app.state).await;
    tests::staff_account(
        &app,
        "smolensk",
        OLIMP_STAFF,
        Role::Provider,
        Some(OLIMP),
        DEMO_PASSWORD,
    )
    .await;
    (env, app)
}

fn smolensk(app: &TestApp) -> platform::tenant_id::TenantId {
    app.state.registry.by_slug("smolensk").expect("smolensk").id
}

fn photo(w: u32, h: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128])
    }))
}

fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// The GPS latitude of the test photo as stored in EXIF: 54° 47' 12.34" (rationals).
fn latitude() -> Vec<u8> {
    [54u32, 1, 47, 1, 1234, 100]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect()
}

/// An EXIF APP1 segment (big-endian TIFF): the camera's make, and a GPS position.
fn exif_segment() -> Vec<u8> {
    fn entry(t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        t.extend(tag.to_be_bytes());
        t.extend(kind.to_be_bytes());
        t.extend(count.to_be_bytes());
        t.extend(value);
    }
    const ASCII: u16 = 2;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    let mut make = CAMERA.to_vec();
    make.push(0);
    let mut t = b"MM\0\x2a".to_vec();
    t.extend(8u32.to_be_bytes());
    // IFD0 at 8: two entries (30 bytes), then the make (17 bytes, padded to 18): GPS IFD at 56.
    t.extend(2u16.to_be_bytes());
    entry(
        &mut t,
        0x010F,
        ASCII,
        make.len() as u32,
        38u32.to_be_bytes(),
    );
    entry(&mut t, 0x8825, LONG, 1, 56u32.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    t.extend(&make);
    t.push(0);
    assert_eq!(t.len(), 56);
    // GPS IFD: four entries (54 bytes), then the latitude at 110 and the longitude at 134.
    t.extend(4u16.to_be_bytes());
    entry(&mut t, 1, ASCII, 2, *b"N\0\0\0");
    entry(&mut t, 2, RATIONAL, 3, 110u32.to_be_bytes());
    entry(&mut t, 3, ASCII, 2, *b"E\0\0\0");
    entry(&mut t, 4, RATIONAL, 3, 134u32.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    assert_eq!(t.len(), 110);
    t.extend(latitude());
    t.extend(
        [32u32, 1, 2, 1, 5678, 100]
            .iter()
            .flat_map(|v| v.to_be_bytes()),
    );
    let mut segment = vec![0xFF, 0xE1];
    segment.extend(((2 + 6 + t.len()) as u16).to_be_bytes());
    segment.extend(b"Exif\0\0");
    segment.extend(t);
    segment
}

/// A JPEG photo with an EXIF segment that tells where it was taken.
fn jpeg_with_gps() -> Vec<u8> {
    let plain = encoded(&photo(1600, 1000), ImageFormat::Jpeg);
    assert_eq!(&plain[..2], &[0xFF, 0xD8]);
    let mut out = plain[..2].to_vec();
    out.extend(exif_segment());
    out.extend(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A PNG of a few dozen bytes that declares `w`×`h` points (a decompression bomb).
fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(data);
        let crc = crc32(&out[start..]);
        out.extend(crc.to_be_bytes());
    }
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0, 0, 0, 1],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A multipart form: the CSRF token and one file.
fn multipart(csrf: &str, field: &str, name: &str, content_type: &str, file: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\
         Content-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend(file);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").into_bytes());
    body
}

/// Opens `page` and sends its CSRF token with `file` to `action`, as a browser sends a
/// form with a file.
async fn upload(
    browser: &mut Browser<'_>,
    page: &str,
    action: &str,
    field: &str,
    name: &str,
    file: &[u8],
) -> Page {
    let form = browser.get(page).await;
    assert_eq!(form.status, 200, "{page}: {}", form.body);
    let body = multipart(&form.csrf(), field, name, "image/jpeg", file);
    send_form(browser, action, body).await
}

async fn send_form(browser: &mut Browser<'_>, action: &str, body: Vec<u8>) -> Page {
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
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Page {
        status,
        body: resp.text().await.expect("body"),
        location,
        retry_after: None,
        set_cookies: Vec::new(),
    }
}

/// What `/media/{key}` answers on `host`: status, content type, cache control, nosniff, bytes.
async fn media(app: &TestApp, host: &str, key: &str) -> (u16, String, String, String, Vec<u8>) {
    let resp = app
        .get(host, &format!("/media/{key}"))
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (ct, cc, nosniff) = (
        header("content-type"),
        header("cache-control"),
        header("x-content-type-options"),
    );
    let status = resp.status().as_u16();
    (
        status,
        ct,
        cc,
        nosniff,
        resp.bytes().await.unwrap().to_vec(),
    )
}

async fn covers(app: &TestApp, program: i64) -> (Option<String>, Option<String>) {
    let row: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT cover, cover_card FROM programs WHERE tenant_id = $1 AND id = $2")
            .bind(smolensk(app))
            .bind(program)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    row
}

async fn logo(app: &TestApp, org: i64) -> Option<String> {
    platform::organizations::store::profile(&app.state.db, smolensk(app), org)
        .await
        .unwrap()
        .unwrap()
        .logo
}

async fn version(app: &TestApp) -> i64 {
    platform::catalog::store::version(&app.state.db, smolensk(app))
        .await
        .unwrap()
}

fn cover_page(id: i64) -> String {
    format!("/provider/programs/{id}/cover")
}

#[tokio::test]
async fn a_cover_loses_its_gps_and_shows_on_the_card_and_the_program_page() {
    let (_env, app) = spawn().await;
    let tenant = smolensk(&app);
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let page = staff.get(&cover_page(CHESS)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    assert!(page.body.contains("Обложки пока нет"));

    let original = jpeg_with_gps();
    // The upload does carry what must not come out.
    assert!(contains(&original, b"Exif") && contains(&original, &latitude()));
    assert!(contains(&original, CAMERA));
    let before = version(&app).await;
    let sent = upload(
        &mut staff,
        &cover_page(CHESS),
        &cover_page(CHESS),
        "cover",
        "IMG_0001.JPG",
        &original,
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(
        sent.location.as_deref(),
        Some(format!("/provider/programs/{CHESS}").as_str())
    );
    let (Some(page_key), Some(card_key)) = covers(&app, CHESS).await else {
        panic!("the cover is stored");
    };
    assert_eq!(version(&app).await, before + 1);
    let audit = platform::accounts::store::audit_rows(&app.state.db, tenant, 1)
        .await
        .unwrap();
    assert_eq!(audit[0].action, "program.cover");
    assert_eq!(audit[0].subject, format!("program:{CHESS}"));
    assert!(audit[0].detail.contains(&page_key), "{}", audit[0].detail);

    for (key, size) in [(&page_key, (1200, 800)), (&card_key, (480, 320))] {
        let (status, ct, cc, nosniff, bytes) = media(&app, S, key).await;
        assert_eq!(status, 200);
        assert_eq!(ct, "image/jpeg");
        assert_eq!(cc, "public, max-age=31536000, immutable");
        assert_eq!(nosniff, "nosniff");
        assert!(!contains(&bytes, b"Exif"), "EXIF left in {key}");
        assert!(!contains(&bytes, &latitude()), "GPS left in {key}");
        assert!(!contains(&bytes, CAMERA), "camera left in {key}");
        let image = image::load_from_memory_with_format(&bytes, ImageFormat::Jpeg).unwrap();
        assert_eq!((image.width(), image.height()), size);
        // The key is the SHA-256 of the bytes served.
        let digest = <sha2::Sha256 as sha2::Digest>::digest(&bytes);
        assert_eq!(key.as_str(), format!("{digest:x}.jpg"));
        // On disk under the data directory, by its key.
        let on_disk = app
            .state
            .settings
            .files_dir()
            .join(&key[..2])
            .join(&key[2..]);
        assert_eq!(std::fs::read(on_disk).unwrap(), bytes);
    }

    // The program's page, and the card once the index follows the version.
    let (_, html) = app.page(S, &format!("/programs/{CHESS}")).await;
    assert!(
        html.contains(&format!(
            "src=\"/media/{page_key}\" width=\"1200\" height=\"800\" alt=\"Шахматный клуб «Ладья»\""
        )),
        "{html}"
    );
    let card = format!(
        // The card's title links right below: the picture says nothing more (alt="").
        "src=\"/media/{card_key}\" width=\"480\" height=\"320\" loading=\"lazy\" alt=\"\""
    );
    wait_until(
        "the card shows the cover",
        Duration::from_secs(10),
        || async {
            app.page(S, "/programs?per_page=100")
                .await
                .1
                .contains(&card)
        },
    )
    .await;
    let (_, body) = app.json(S, "/api/v1/programs?per_page=100").await;
    let item = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == CHESS)
        .unwrap()
        .clone();
    assert_eq!(item["cover"], card_key.as_str());
    let (_, detail) = app.json(S, &format!("/api/v1/programs/{CHESS}")).await;
    assert_eq!(detail["cover"], page_key.as_str(), "{detail}");

    // The editor's form shows the cover now; removing it takes it off the pages.
    let page = staff.get(&cover_page(CHESS)).await;
    assert!(page.body.contains(&format!("/media/{page_key}")));
    let removed = staff
        .submit(
            &cover_page(CHESS),
            &format!("/provider/programs/{CHESS}/cover/delete"),
            &[],
        )
        .await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    assert_eq!(covers(&app, CHESS).await, (None, None));
    let (_, html) = app.page(S, &format!("/programs/{CHESS}")).await;
    assert!(!html.contains("/media/"), "{html}");
    let audit = platform::accounts::store::audit_rows(&app.state.db, tenant, 1)
        .await
        .unwrap();
    assert_eq!(
        (audit[0].action.as_str(), audit[0].detail.as_str()),
        ("program.cover", "обложка удалена")
    );
}

#[tokio::test]
async fn png_and_webp_are_taken_and_the_logo_shows_on_the_organization_page() {
    let (env, app) = spawn().await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;

    // A WebP cover through the form.
    let webp = encoded(&photo(900, 700), ImageFormat::WebP);
    let sent = upload(
        &mut staff,
        &cover_page(CHESS),
        &cover_page(CHESS),
        "cover",
        "cover.webp",
        &webp,
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert!(covers(&app, CHESS).await.0.is_some());

    // A PNG logo with transparency through the profile's form.
    let mut drawn = image::RgbaImage::new(600, 300);
    for (x, _, p) in drawn.enumerate_pixels_mut() {
        *p = image::Rgba([200, 30, 30, if x < 300 { 255 } else { 0 }]);
    }
    let png = encoded(&DynamicImage::ImageRgba8(drawn), ImageFormat::Png);
    let sent = upload(
        &mut staff,
        "/provider/profile",
        "/provider/profile/logo",
        "logo",
        "logo.png",
        &png,
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(
        sent.location.as_deref(),
        Some("/provider/profile?saved=logo")
    );
    let key = logo(&app, RADUGA).await.expect("the logo is stored");
    let (status, ct, cc, nosniff, bytes) = media(&app, S, &key).await;
    assert_eq!(
        (status, ct.as_str(), cc.as_str(), nosniff.as_str()),
        (
            200,
            "image/png",
            "public, max-age=31536000, immutable",
            "nosniff"
        )
    );
    let image = image::load_from_memory_with_format(&bytes, ImageFormat::Png)
        .unwrap()
        .to_rgba8();
    assert_eq!(image.dimensions(), (256, 256));
    // Transparency kept: the right half of the drawing and the band above it.
    assert!(image.get_pixel(250, 128)[3] < 5);
    assert!(image.get_pixel(10, 128)[3] > 250);
    assert!(image.get_pixel(128, 10)[3] < 5);
    let (_, html) = app.page(S, &format!("/organizations/{RADUGA}")).await;
    assert!(
        html.contains(&format!(
            "src=\"/media/{key}\" width=\"256\" height=\"256\" alt=\"Логотип: Дом детского творчества «Радуга»\""
        )),
        "{html}"
    );
    let page = staff.get("/provider/profile?saved=logo").await;
    assert!(page.body.contains("Логотип сохранён"));
    assert!(page.body.contains(&format!("/media/{key}")));

    // The organization's API token: a JPEG logo as the raw body, then removed.
    let out = env
        .cli(&[
            "token", "add", "--region", "smolensk", "--email", PROVIDER, "--name", "1С",
        ])
        .await
        .unwrap();
    let token = out.lines().nth(1).unwrap().trim().to_owned();
    let resp = app
        .client()
        .put(format!("http://{}/api/v1/provider/logo", app.addr))
        .header("Host", S)
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "image/jpeg")
        .body(encoded(&photo(300, 300), ImageFormat::Jpeg))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    let api_key = body["logo"].as_str().unwrap().to_owned();
    assert!(api_key.ends_with(".png"), "{body}");
    assert_eq!(logo(&app, RADUGA).await.as_deref(), Some(api_key.as_str()));
    let (_, profile) = {
        let resp = app
            .client()
            .get(format!("http://{}/api/v1/provider/profile", app.addr))
            .header("Host", S)
            .header("Authorization", format!("Bearer {token}"))
            .send()
            .await
            .unwrap();
        (
            resp.status(),
            resp.json::<serde_json::Value>().await.unwrap(),
        )
    };
    assert_eq!(profile["logo"], api_key.as_str());
    let resp = app
        .client()
        .delete(format!("http://{}/api/v1/provider/logo", app.addr))
        .header("Host", S)
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(logo(&app, RADUGA).await, None);
    let (_, html) = app.page(S, &format!("/organizations/{RADUGA}")).await;
    assert!(!html.contains("/media/"), "{html}");
}

#[tokio::test]
async fn non_images_big_files_and_bombs_are_refused_with_their_messages() {
    let (env, app) = spawn().await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let before = version(&app).await;

    let text = "Это не фотография, а текст.".as_bytes();
    let refused = upload(
        &mut staff,
        &cover_page(CHESS),
        &cover_page(CHESS),
        "cover",
        "photo.jpg",
        text,
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Файл не является изображением JPEG, PNG или WebP"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("aria-invalid=\"true\""));

    let mut big = jpeg_with_gps();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let refused = upload(
        &mut staff,
        "/provider/profile",
        "/provider/profile/logo",
        "logo",
        "big.jpg",
        &big,
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("Файл больше 5 МБ"),
        "{}",
        refused.body
    );

    // A GIF is an image, but not one of ours.
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
    let refused = upload(
        &mut staff,
        &cover_page(CHESS),
        &cover_page(CHESS),
        "cover",
        "a.gif",
        &gif,
    )
    .await;
    assert_eq!(refused.status, 422);

    // A bomb through the API: refused from its header, at once.
    let out = env
        .cli(&[
            "token", "add", "--region", "smolensk", "--email", PROVIDER, "--name", "1С",
        ])
        .await
        .unwrap();
    let token = out.lines().nth(1).unwrap().trim().to_owned();
    let bomb = png_declaring(50_000, 50_000);
    assert!(bomb.len() < 100);
    let started = Instant::now();
    let resp = app
        .client()
        .put(format!(
            "http://{}/api/v1/provider/programs/{CHESS}/cover",
            app.addr
        ))
        .header("Host", S)
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/octet-stream")
        .body(bomb)
        .send()
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(resp.status().as_u16(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["field"], "cover", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Изображение слишком большое: 50000×50000"),
        "{body}"
    );

    assert_eq!(covers(&app, CHESS).await, (None, None));
    assert_eq!(logo(&app, RADUGA).await, None);
    assert_eq!(version(&app).await, before);
    // Nothing was stored either.
    assert!(!app.state.settings.files_dir().exists());
}

#[tokio::test]
async fn nobody_else_changes_or_reads_them() {
    let (env, app) = spawn().await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let sent = upload(
        &mut staff,
        &cover_page(CHESS),
        &cover_page(CHESS),
        "cover",
        "c.png",
        &encoded(&photo(800, 600), ImageFormat::Png),
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let cover = covers(&app, CHESS).await;
    let page_key = cover.0.clone().unwrap();
    let before = version(&app).await;
    let jpeg = encoded(&photo(640, 480), ImageFormat::Jpeg);

    // Another organization's staff: Радуга's program is not found, its cover unchanged.
    let mut other = Browser::new(&app, S);
    other.login(OLIMP_STAFF, DEMO_PASSWORD).await;
    assert_eq!(other.get(&cover_page(CHESS)).await.status, 404);
    let csrf = other.get("/provider/profile").await.csrf();
    let page = send_form(
        &mut other,
        &cover_page(CHESS),
        multipart(&csrf, "cover", "x.jpg", "image/jpeg", &jpeg),
    )
    .await;
    assert_eq!(page.status, 404, "{}", page.body);
    let page = other
        .post(
            &format!("/provider/programs/{CHESS}/cover/delete"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(page.status, 404);
    let (status, _, _) = other
        .api(
            Method::DELETE,
            &format!("/api/v1/provider/programs/{CHESS}/cover"),
            None,
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 404);
    // Its own program it may.
    assert_eq!(other.get(&cover_page(FOOTBALL)).await.status, 200);

    // A form without its CSRF token is refused before anything is read into a photo.
    let page = send_form(
        &mut staff,
        &cover_page(CHESS),
        multipart("", "cover", "x.jpg", "image/jpeg", &jpeg),
    )
    .await;
    assert_eq!(page.status, 403, "{}", page.body);

    // A parent: 403 on the page, the form and the API.
    let mut parent = Browser::new(&app, S);
    parent.login(PARENT, DEMO_PASSWORD).await;
    assert_eq!(parent.get(&cover_page(CHESS)).await.status, 403);
    let parent_csrf = parent.get("/cabinet").await.csrf();
    let page = send_form(
        &mut parent,
        "/provider/profile/logo",
        multipart(&parent_csrf, "logo", "x.jpg", "image/jpeg", &jpeg),
    )
    .await;
    assert_eq!(page.status, 403, "{}", page.body);
    let resp = parent
        .request(Method::PUT, "/api/v1/provider/logo")
        .header("X-CSRF-Token", &parent_csrf)
        .header("Content-Type", "image/jpeg")
        .body(jpeg.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);

    // The other region's host: the session is Smolensk's, and Smolensk's files are not
    // Krasnoyarsk's.
    let mut elsewhere = staff.on_host(K);
    let resp = elsewhere
        .request(
            Method::PUT,
            &format!("/api/v1/provider/programs/{CHESS}/cover"),
        )
        .header("Content-Type", "image/jpeg")
        .body(jpeg.clone())
        .send()
        .await
        .unwrap();
    assert!(
        matches!(resp.status().as_u16(), 401 | 403),
        "{}",
        resp.status()
    );
    assert_ne!(elsewhere.get(&cover_page(CHESS)).await.status, 200);
    assert_eq!(media(&app, S, &page_key).await.0, 200);
    assert_eq!(media(&app, K, &page_key).await.0, 404);

    // Keys are hex and a known extension: nothing else is looked for.
    let hex = &page_key[..64];
    for bad in [
        format!("{}.jpg", hex.to_uppercase()),
        format!("{hex}.gif"),
        format!("{hex}.jpg.png"),
        "..%2F..%2Fnavigator.db".to_owned(),
        "..%2Ffiles".to_owned(),
        format!("{}.jpg", "0".repeat(64)),
    ] {
        assert_eq!(media(&app, S, &bad).await.0, 404, "{bad}");
    }

    // The organization's token is the organization's: another one's program is not found.
    let out = env
        .cli(&[
            "token",
            "add",
            "--region",
            "smolensk",
            "--email",
            OLIMP_STAFF,
            "--name",
            "1С",
        ])
        .await
        .unwrap();
    let token = out.lines().nth(1).unwrap().trim().to_owned();
    let resp = app
        .client()
        .put(format!(
            "http://{}/api/v1/provider/programs/{CHESS}/cover",
            app.addr
        ))
        .header("Host", S)
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "image/jpeg")
        .body(jpeg)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);

    assert_eq!(covers(&app, CHESS).await, cover);
    assert_eq!(logo(&app, RADUGA).await, None);
    assert_eq!(version(&app).await, before);
}
