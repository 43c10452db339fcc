//! Region files: the samples load, and each kind of mistake is reported with the file, the
//! field and what is wrong.

use std::path::Path;

use tenants::{LoadedRegion, RegionConfig};

fn sample(name: &str) -> String {
    std::fs::read_to_string(Path::new(tenants::SAMPLE_REGIONS_DIR).join(name)).unwrap()
}

/// The message for `text` parsed as `file.toml`; panics if it parses.
fn error(text: &str) -> String {
    RegionConfig::parse("file.toml", text)
        .expect_err("a broken file was accepted")
        .to_string()
}

fn assert_has(message: &str, expected: &[&str]) {
    for e in expected {
        assert!(message.contains(e), "message lacks {e:?}:\n{message}");
    }
}

#[test]
fn sample_regions_load_with_their_logos() {
    let dir = Path::new(tenants::SAMPLE_REGIONS_DIR);
    let s = LoadedRegion::load(&dir.join("smolensk.toml")).unwrap();
    assert_eq!(s.config.code, 67);
    assert_eq!(s.config.time_zone.name(), "Europe/Moscow");
    assert_eq!(
        s.config.hosts[0].as_ascii(),
        "p67.xn--80aafey1amqq.xn--d1acj3b"
    );
    assert_eq!(s.config.municipalities.len(), 27);
    assert_eq!(s.logo.unwrap().content_type, "image/svg+xml");

    let k = LoadedRegion::load(&dir.join("krasnoyarsk.toml")).unwrap();
    assert_eq!(k.config.code, 24);
    assert_eq!(k.config.time_zone.name(), "Asia/Krasnoyarsk");
    assert!(k.config.municipalities.len() > 50);
    let norilsk = k.config.municipality("norilsk").expect("Норильск");
    assert!(k.config.nominal_rub(norilsk) > k.config.certificates.nominal_rub);
}

#[test]
fn unknown_field_is_named_with_its_line() {
    let text = sample("smolensk.toml").replace("zoom = 7", "zoom = 7\nzooom = 8");
    assert_has(
        &error(&text),
        &["file.toml: zooom: строка ", "неизвестное поле"],
    );
}

#[test]
fn missing_field_is_named() {
    let text = sample("smolensk.toml").replace("time_zone = \"Europe/Moscow\"\n", "");
    assert_has(
        &error(&text),
        &["file.toml: time_zone:", "не заполнено обязательное поле"],
    );
}

#[test]
fn syntax_error_gives_a_line() {
    let text = sample("smolensk.toml").replace("code = 67", "code = = 67");
    assert_has(
        &error(&text),
        &["file.toml: строка ", "ошибка синтаксиса TOML"],
    );
}

#[test]
fn bad_time_zone() {
    let text = sample("smolensk.toml").replace("Europe/Moscow", "Moscow");
    assert_has(
        &error(&text),
        &["file.toml: time_zone: «Moscow»: неизвестный часовой пояс"],
    );
}

#[test]
fn duplicate_host_in_one_file() {
    let text = sample("smolensk.toml").replace(
        "hosts = [\"p67.навигатор.дети\"]",
        "hosts = [\"p67.навигатор.дети\", \"P67.xn--80aafey1amqq.xn--d1acj3b\"]",
    );
    assert_has(
        &error(&text),
        &["file.toml: hosts[1]: хост p67.навигатор.дети указан дважды"],
    );
}

#[test]
fn municipality_without_coordinates_and_other_municipality_mistakes() {
    let text = sample("smolensk.toml");
    let first_center = text
        .lines()
        .skip_while(|l| !l.starts_with("[[municipalities]]"))
        .find(|l| l.starts_with("center"))
        .unwrap()
        .to_owned();
    let text = text
        .replacen(&first_center, "", 1)
        .replace("id = \"desnogorsk\"", "id = \"smolensk\"")
        .replacen("population_5_18 = ", "population_5_18 = 0 # ", 1);
    let message = error(&text);
    assert_has(
        &message,
        &[
            "file.toml: municipalities[0].center: не указаны координаты",
            "file.toml: municipalities[1].id: «smolensk» уже используется другим муниципалитетом",
            "file.toml: municipalities[0].population_5_18: должно быть больше нуля",
        ],
    );
}

#[test]
fn a_municipality_contact_is_read_and_checked_like_the_coordinator() {
    let text = sample("smolensk.toml");
    let config = RegionConfig::parse("smolensk.toml", &text).unwrap();
    let smolensk = config.municipality("smolensk").unwrap();
    let contact = smolensk.contact.as_ref().unwrap();
    assert_eq!(contact.phone.as_e164(), "+74812000167");
    assert!(contact.organization.starts_with("Управление образования"));
    assert!(config.municipality("velizhsky").unwrap().contact.is_none());

    let broken = text
        .replace("phone = \"+7 (4812) 00-01-67\"", "phone = \"01-67\"")
        .replace(
            "email = \"uo-desnogorsk@p67.навигатор.дети\"",
            "email = \"нет\"",
        );
    assert_has(
        &error(&broken),
        &[
            "file.toml: municipalities[0].contact.phone:",
            "file.toml: municipalities[1].contact.email:",
        ],
    );
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let text = sample("krasnoyarsk.toml")
        .replace("slug = \"krasnoyarsk\"", "slug = \"Krasnoyarsk\"")
        .replace("code = 24", "code = 240")
        .replace("#0b6e4f", "green")
        .replace("support@p24", "support at p24")
        .replace("+7 (391)", "+1 (391)")
        .replace("self_registration_age = 14", "self_registration_age = 19")
        .replace("zoom = 4", "zoom = 40");
    let message = error(&text);
    assert_has(
        &message,
        &[
            "file.toml: slug: «Krasnoyarsk»",
            "file.toml: code: 240",
            "file.toml: branding.primary_color: «green»",
            "file.toml: support_email:",
            "file.toml: coordinator.phone:",
            "file.toml: certificates.self_registration_age: 19 вне диапазона 5–18",
            "file.toml: map.zoom: 40",
        ],
    );
    assert_eq!(message.lines().count(), 7, "{message}");
}

#[test]
fn logo_must_exist_inside_the_region_folder() {
    let dir = tempfile::tempdir().unwrap();
    let text = sample("smolensk.toml");
    let missing = dir.path().join("missing.toml");
    std::fs::write(&missing, &text).unwrap();
    let message = LoadedRegion::load(&missing).unwrap_err().to_string();
    assert_has(
        &message,
        &["missing.toml: branding.logo: не удалось прочитать"],
    );

    let outside = dir.path().join("outside.toml");
    std::fs::write(
        &outside,
        text.replace("logos/smolensk.svg", "../etc/passwd.svg"),
    )
    .unwrap();
    let message = LoadedRegion::load(&outside).unwrap_err().to_string();
    assert_has(
        &message,
        &["outside.toml: branding.logo: «../etc/passwd.svg»: путь должен быть внутри папки"],
    );
}

#[test]
fn a_regions_bounds_hold_its_cities_and_not_its_neighbours() {
    use tenants::LatLon;
    let dir = Path::new(tenants::SAMPLE_REGIONS_DIR);
    let s = LoadedRegion::load(&dir.join("smolensk.toml")).unwrap();
    let b = s.config.bounds();
    let at = |lat, lon| LatLon { lat, lon };
    // Smolensk, Vyazma, Roslavl, Velizh: inside; Moscow, Tver, Minsk: outside. (A box:
    // a neighbour's town near a corner, Bryansk at 53.24, 34.36, still falls inside.)
    for (lat, lon) in [
        (54.78, 32.05),
        (55.21, 34.30),
        (53.95, 32.86),
        (55.61, 31.20),
    ] {
        assert!(b.contains(at(lat, lon)), "({lat}, {lon}) in {b:?}");
    }
    for (lat, lon) in [(55.76, 37.62), (56.86, 35.90), (53.90, 27.56)] {
        assert!(!b.contains(at(lat, lon)), "({lat}, {lon}) in {b:?}");
    }
    let k = LoadedRegion::load(&dir.join("krasnoyarsk.toml")).unwrap();
    assert!(k.config.bounds().contains(at(56.01, 92.87)));
    assert!(!k.config.bounds().contains(at(54.78, 32.05)));
}
