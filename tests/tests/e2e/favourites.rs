//! «Избранное» over HTTP: keep a program from its card's link, see it in the tab, remove it;
//! the API; only the region's published programs; one parent's list is theirs alone; nothing
//! crosses to another region's host.

use platform::demo::accounts::DEMO_PASSWORD;
use reqwest::Method;
use tests::browser::Browser;
use tests::TestApp;

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
const PARENT: &str = "parent@smolensk.demo.navigator.local";
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
/// Fixture program 1 «Шахматный клуб «Ладья»», published; 7 «Архивные шахматы» is archived.
const CHESS: i64 = 1;
const ARCHIVED: i64 = 7;

#[tokio::test]
async fn a_parent_keeps_programs_and_removes_them() {
    let (_env, app) = TestApp::spawn().await;
    tests::catalog::seed(&app.state).await;
    tests::demo_accounts(&app.state).await;

    // Cards and the program page lead to «В избранное».
    let catalog = app.page(S, "/programs").await.1;
    assert!(
        catalog.contains("href=\"/programs/1/favourite\""),
        "{catalog}"
    );
    let page = app.page(S, "/programs/1").await.1;
    assert!(page.contains("В избранное"));
    // A visitor not logged in is asked to log in.
    let (status, _) = app.page(S, "/programs/1/favourite").await;
    assert!(status == 303 || status == 401, "{status}");

    let mut mama = Browser::new(&app, S);
    mama.login(PARENT, DEMO_PASSWORD).await;
    let offer = mama.get("/programs/1/favourite").await;
    assert_eq!(offer.status, 200);
    assert!(offer.body.contains("не в избранном") && offer.body.contains("Добавить в избранное"));
    let added = mama
        .submit("/programs/1/favourite", "/programs/1/favourite", &[])
        .await;
    assert_eq!(added.status, 303);
    let tab = mama.get(added.location.as_deref().unwrap()).await;
    assert!(tab.body.contains("добавлена в избранное"), "{}", tab.body);
    assert!(tab.body.contains("Шахматный клуб «Ладья»"));
    assert!(tab.body.contains("Убрать из избранного"));
    // Again is no change; the state says so.
    let again = mama
        .submit("/programs/1/favourite", "/programs/1/favourite", &[])
        .await;
    assert_eq!(again.status, 303);
    let state = mama.get("/programs/1/favourite").await;
    assert!(state.body.contains("в вашем избранном"));
    let (_, list, _) = mama
        .api(Method::GET, "/api/v1/me/favourites", None, None)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["program_id"], CHESS);

    // An archived program, or none, is not kept.
    let archived = mama.get(&format!("/programs/{ARCHIVED}/favourite")).await;
    assert_eq!(archived.status, 404);
    let csrf = mama.get("/cabinet").await.csrf();
    let (status, _, _) = mama
        .api(
            Method::PUT,
            "/api/v1/me/favourites/999999",
            None,
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _, _) = mama
        .api(Method::PUT, "/api/v1/me/favourites/3", None, Some(&csrf))
        .await;
    assert_eq!(status, 200);

    // Another account sees nothing of it; staff have no «Избранное».
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    assert_eq!(staff.get("/cabinet/favourites").await.status, 403);
    // The card's «В избранное» tells them whose it is, rather than refusing.
    let told = staff.get("/programs/1/favourite").await;
    assert_eq!(told.status, 200, "{}", told.body);
    assert!(
        told.body.contains("Избранное ведут родители"),
        "{}",
        told.body
    );
    assert!(!told.body.contains("Добавить в избранное"));
    let added = staff
        .submit("/programs/1/favourite", "/programs/1/favourite", &[])
        .await;
    assert_eq!(added.status, 403, "staff still cannot keep one");
    let (_, other, _) = staff
        .api(Method::GET, "/api/v1/me/favourites", None, None)
        .await;
    assert!(!other.to_string().contains("Ладья"), "{other}");
    // Nor does the session on another region's host.
    let mut elsewhere = mama.on_host(K);
    let tab = elsewhere.get("/cabinet/favourites").await;
    assert_ne!(tab.status, 200);
    assert!(!tab.body.contains("Ладья"));

    // «Убрать из избранного».
    let removed = mama
        .submit("/cabinet/favourites", "/programs/1/favourite/remove", &[])
        .await;
    assert_eq!(removed.status, 303);
    let tab = mama.get(removed.location.as_deref().unwrap()).await;
    assert!(tab.body.contains("убрана из избранного"));
    assert!(!tab.body.contains("Шахматный клуб «Ладья»"));
    let (status, _, _) = mama
        .api(Method::DELETE, "/api/v1/me/favourites/3", None, Some(&csrf))
        .await;
    assert_eq!(status, 200);
    let tab = mama.get("/cabinet/favourites").await;
    assert!(tab.body.contains("В избранном пока ничего нет"));
}
