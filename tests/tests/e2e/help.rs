//! «Помощь» (`/help`): each region's coordinator, its municipalities' administrators (from
//! the region's file) and the working organizations authorized to confirm children's data,
//! per municipality; the other region's host shows its own; the activation page links to it.

use platform::demo::accounts::DEMO_PASSWORD;
use tests::browser::Browser;
use tests::TestApp;

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";

#[tokio::test]
async fn help_lists_whom_to_call_and_where_to_go_per_municipality() {
    let (_env, app) = TestApp::spawn().await;
    tests::catalog::seed(&app.state).await;
    tests::demo_accounts(&app.state).await;

    let (status, page) = app.page(S, "/help").await;
    assert_eq!(status, 200, "{page}");
    // The coordinator, and a municipality's administrators with a tel: link.
    assert!(
        page.contains(
            "Региональный модельный центр дополнительного образования детей Смоленской области"
        ),
        "{page}"
    );
    let smolensk = page.split("id=\"m-smolensk\"").nth(1).unwrap();
    let smolensk = smolensk.split("<section").next().unwrap();
    assert!(smolensk.contains("Управление образования и молодёжной политики"));
    assert!(smolensk.contains("href=\"tel:+74812000167\""), "{smolensk}");
    // Радуга is authorized to confirm in Смоленск; Кванториум (Десногорск) is not.
    assert!(
        smolensk.contains("Дом детского творчества «Радуга»"),
        "{smolensk}"
    );
    assert!(!page.contains("Кванториум"));
    // A municipality without contacts or organizations says whom to call instead.
    let velizh = page.split("id=\"m-velizhsky\"").nth(1).unwrap();
    let velizh = velizh.split("<section").next().unwrap();
    assert!(
        velizh.contains("Муниципалитет ещё не назначил такие организации: обратитесь к региональному координатору."),
        "{velizh}"
    );
    // The other region's host: its own coordinator, none of Smolensk's.
    let (status, kray) = app.page(K, "/help").await;
    assert_eq!(status, 200);
    assert!(kray.contains("Краевой дворец пионеров"), "{kray}");
    assert!(kray.contains("детей Красноярского края"), "{kray}");
    assert!(!kray.contains("Радуга") && !kray.contains("Смоленской области"));

    // A deactivated organization is nobody's help any more.
    sqlx::query(
        "UPDATE organizations SET deactivated_at = '2026-01-01T00:00:00.000000Z' \
         WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'smolensk') AND id = 1",
    )
    .execute(app.state.db.pool())
    .await
    .unwrap();
    let (_, page) = app.page(S, "/help").await;
    assert!(!page.contains("Дом детского творчества «Радуга»"));

    // The activation page and every page's footer lead here.
    let mut parent = Browser::new(&app, S);
    parent
        .login("parent@smolensk.demo.navigator.local", DEMO_PASSWORD)
        .await;
    let activate = parent.get("/certificate/activate").await;
    assert_eq!(activate.status, 200);
    assert!(
        activate.body.contains("<a href=\"/help\">«Помощь»</a>"),
        "{}",
        activate.body
    );
    assert!(activate.body.contains("<a href=\"/help\">Помощь</a>"));
}
