//! «Версия для слабовидящих»: chosen from the header of any page, kept in a cookie, every
//! page then large-type and imageless (the stylesheet's `a11y` classes); back to the page it
//! was chosen on, never to another site.

use tests::TestApp;

const S: &str = "p67.навигатор.дети";

#[tokio::test]
async fn the_accessible_version_is_chosen_in_the_header_and_kept() {
    let (_env, app) = TestApp::spawn().await;
    tests::catalog::seed(&app.state).await;

    // Every page offers it, coming back to that page.
    for path in ["/", "/programs", "/programs/1", "/login", "/no-such-page"] {
        let response = app.get(S, path).send().await.unwrap();
        let page = response.text().await.unwrap().replace("&#x2f;", "/");
        assert!(page.contains("Версия для слабовидящих"), "{path}: {page}");
        assert!(
            page.contains("<html lang=\"ru\">"),
            "{path}: the usual look first"
        );
    }
    let (_, home) = app.page(S, "/programs?q=шахматы").await;
    let home = home.replace("&#x2f;", "/").replace("&amp;", "&");
    assert!(
        home.contains("/look?set=light&back=%2Fprograms%3Fq%3D"),
        "{home}"
    );

    let chosen = app
        .get(S, "/look?set=light&back=/programs/1")
        .send()
        .await
        .unwrap();
    assert_eq!(chosen.status(), 303);
    assert_eq!(chosen.headers()["location"], "/programs/1");
    let cookie = chosen.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("look=light;") && cookie.contains("Max-Age=31536000"),
        "{cookie}"
    );

    // With the cookie: the page's classes, and the links to the other scheme and back.
    for (value, class, offers) in [
        ("light", "a11y", "Белым по чёрному"),
        ("dark", "a11y a11y-dark", "Чёрным по белому"),
    ] {
        let page = app
            .get(S, "/programs/1")
            .header("Cookie", format!("look={value}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&format!("<html lang=\"ru\" class=\"{class}\">")),
            "{page}"
        );
        assert!(page.contains(offers) && page.contains("Обычная версия"));
    }

    // «Обычная версия» clears it; an unknown look changes nothing; only this site's paths.
    let usual = app.get(S, "/look?set=usual&back=/").send().await.unwrap();
    assert!(usual.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let odd = app.get(S, "/look?set=purple&back=/").send().await.unwrap();
    assert_eq!(odd.status(), 303);
    assert!(odd.headers().get("set-cookie").is_none());
    // A tab browsers drop would make `/\t/evil.example` another site's `//evil.example`.
    for outside in [
        "https://evil.example/",
        "//evil.example/",
        "/%09/evil.example",
        "/%5Cevil",
    ] {
        let away = app
            .get(S, &format!("/look?set=light&back={outside}"))
            .send()
            .await
            .unwrap();
        assert_eq!(away.headers()["location"], "/", "{outside}");
    }
}
