//! Reviews over HTTP: only a parent whose child was enrolled writes one, once per child and
//! program; pre-moderation (Smolensk) and post-moderation (Krasnoyarsk); the moderators of
//! the organization's municipality only; the organization's one answer; the rating on
//! cards, the page and the API, and the «по рейтингу» sort; nothing across regions.

use platform::accounts::values::Role;
use platform::demo::accounts::DEMO_PASSWORD;
use platform::regions::Tenant;
use platform::reviews::store::{self as reviews, NewReview, Status};
use reqwest::Method;
use serde_json::json;
use tests::browser::Browser;
use tests::families::{enrolled, parent, staff};
use tests::smtp::SmtpSink;
use tests::{TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
/// Fixture group 1: «Шахматный клуб «Ладья»» (program 1) of org 1 «Радуга» in the
/// municipality «smolensk», free, ages 7–12, open.
const CHESS_GROUP: i64 = 1;
const CHESS: i64 = 1;
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
const OLIMP_STAFF: &str = "staff@olimp.example.ru";
const MUNICIPAL: &str = "mun-smolensk@example.ru";
const NEIGHBOUR_MUNICIPAL: &str = "mun-desnogorsk@example.ru";
const DEADLINE: std::time::Duration = std::time::Duration::from_secs(20);
const TEXT: &str = "Сын ходит с радостью, педагог объясняет терпеливо.";

async fn spawn() -> (TestEnv, TestApp, SmtpSink) {
    let (env, app, sink) = TestApp::spawn_with_mail().await;
    tests::catalog::seed(&app.state).await;
    tests::demo_accounts(&app.state).await;
    let olimp = (OLIMP_STAFF, Role::Provider, Some(3));
    tests::staff_account(&app, "smolensk", olimp.0, olimp.1, olimp.2, DEMO_PASSWORD).await;
    tests::municipal_account(&app, "smolensk", MUNICIPAL, "smolensk").await;
    tests::municipal_account(&app, "smolensk", NEIGHBOUR_MUNICIPAL, "desnogorsk").await;
    (env, app, sink)
}

async fn write(b: &mut Browser<'_>, program: i64, stars: &str, body: &str) -> tests::browser::Page {
    let path = format!("/programs/{program}/review");
    b.submit(&path, &path, &[("stars", stars), ("body", body)])
        .await
}

#[tokio::test]
async fn an_enrolled_child_s_parent_reviews_once_and_the_moderator_publishes() {
    let (_env, app, sink) = spawn().await;
    let (mut mama, child) = parent(&app, &sink, S, "smolensk", "review@example.ru").await;

    // Not enrolled yet: the page says who may write, and a post is refused.
    let offer = mama.get(&format!("/programs/{CHESS}/review")).await;
    assert_eq!(offer.status, 200);
    assert!(
        offer.body.contains("чей ребёнок был зачислен"),
        "{}",
        offer.body
    );
    let refused = write(&mut mama, CHESS, "5", TEXT).await;
    assert_eq!(refused.status, 409, "{}", refused.body);

    let mut provider = staff(&app, S, PROVIDER).await;
    enrolled(&mut mama, &mut provider, CHESS_GROUP, &child).await;

    // Every wrong field is named, and nothing is written.
    let bad = write(&mut mama, CHESS, "", "коротко").await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("Поставьте оценку от 1 до 5"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("не короче 10 символов"));
    let bad = write(&mut mama, CHESS, "7", TEXT).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Оценка — число от 1 до 5"));

    let sent = write(&mut mama, CHESS, "5", TEXT).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(
        sent.location.as_deref(),
        Some("/programs/1/reviews?done=sent")
    );
    let thanks = mama.get("/programs/1/reviews?done=sent").await;
    assert!(thanks.body.contains("после проверки модератором"));
    // Pre-moderation: not on the page yet.
    let page = app.page(S, "/programs/1").await.1;
    assert!(!page.contains(TEXT) && page.contains("Отзывов пока нет"));
    // Once per child and program.
    let again = write(&mut mama, CHESS, "4", TEXT).await;
    assert_eq!(again.status, 422, "the form is replaced by the reason");
    assert!(again.body.contains("уже оставлен"), "{}", again.body);
    let csrf = mama.get("/cabinet").await.csrf();
    let again = mama
        .api(
            Method::POST,
            "/api/v1/me/reviews",
            Some(json!({"program_id": CHESS, "stars": 4, "body": TEXT})),
            Some(&csrf),
        )
        .await;
    assert_eq!(again.0, 400, "{}", again.1);
    assert!(again.1.to_string().contains("уже оставлен"), "{}", again.1);

    // Another parent, whose child never studied there, is refused through the API too.
    let (mut other, _) = parent(&app, &sink, S, "smolensk", "other@example.ru").await;
    let csrf = other.get("/cabinet").await.csrf();
    let refused = other
        .api(
            Method::POST,
            "/api/v1/me/reviews",
            Some(json!({"program_id": CHESS, "stars": 1, "body": "Ни разу не были, но плохо."})),
            Some(&csrf),
        )
        .await;
    assert_eq!(refused.0, 409, "{}", refused.1);

    // The neighbouring municipality's admin neither sees nor decides it.
    let mut neighbour = staff(&app, S, NEIGHBOUR_MUNICIPAL).await;
    let list = neighbour.get("/municipal/reviews").await;
    assert_eq!(list.status, 200);
    assert!(!list.body.contains(TEXT));
    let id = reviews_of(&app, "smolensk", Status::Pending).await[0];
    let path = format!("/municipal/reviews/{id}/publish");
    let denied = neighbour.submit("/municipal/reviews", &path, &[]).await;
    assert_eq!(denied.status, 404);

    // The organization's municipality's admin publishes it.
    let mut moderator = staff(&app, S, MUNICIPAL).await;
    let list = moderator.get("/municipal/reviews").await;
    assert!(list.body.contains(TEXT) && list.body.contains("Ждут решения (1)"));
    let done = moderator.submit("/municipal/reviews", &path, &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let twice = moderator.submit("/municipal/reviews", &path, &[]).await;
    assert_eq!(twice.status, 409);
    assert!(
        twice.body.contains("уже в статусе «Опубликован»"),
        "{}",
        twice.body
    );

    // On the page with the first name and the child's age, never the surname.
    let page = app.page(S, "/programs/1").await.1;
    assert!(page.contains(TEXT), "{page}");
    assert!(page.contains("Ирина, ребёнку 9 лет"));
    assert!(!page.contains("Кузнецова"));
    assert!(page.contains("5,0 из 5 · 1 отзыв"));
    // The catalog's index follows the version the decision bumped.
    tests::wait_until("the card shows the rating", DEADLINE, || async {
        app.page(S, "/programs")
            .await
            .1
            .contains("5,0 из 5 · 1 отзыв")
    })
    .await;
    let (_, detail) = app.json(S, "/api/v1/programs/1").await;
    assert_eq!(detail["rating"], 5.0);
    assert_eq!(detail["reviews"], 1);
    assert_eq!(detail["latest_reviews"][0]["author"], "Ирина");
    let (_, found) = app.json(S, "/api/v1/programs?q=Ладья").await;
    assert_eq!(found["items"][0]["reviews"], 1, "{found}");
    let (_, listed) = app.json(S, "/api/v1/programs/1/reviews").await;
    assert_eq!(listed["total"], 1);

    // The organization answers once; a neighbouring organization cannot.
    let mut olimp = staff(&app, S, OLIMP_STAFF).await;
    let answer = format!("/provider/reviews/{id}/answer");
    let mine = olimp.get("/provider/reviews").await;
    assert!(!mine.body.contains(TEXT));
    let denied = olimp
        .submit("/provider/reviews", &answer, &[("answer", "Спасибо!")])
        .await;
    assert_eq!(denied.status, 404);
    let empty = provider
        .submit("/provider/reviews", &answer, &[("answer", " ")])
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Укажите текст ответа"));
    let answered = provider
        .submit(
            "/provider/reviews",
            &answer,
            &[("answer", "Спасибо, ждём на турнире!")],
        )
        .await;
    assert_eq!(answered.status, 303, "{}", answered.body);
    let twice = provider
        .submit(
            "/provider/reviews",
            &answer,
            &[("answer", "Ещё раз спасибо")],
        )
        .await;
    assert_eq!(twice.status, 409);
    let page = app.page(S, "/programs/1").await.1;
    assert!(page.contains("Ответ организации") && page.contains("ждём на турнире"));

    // Another region's host knows nothing of it.
    let (_, k_list) = app.json(K, "/api/v1/programs/1/reviews").await;
    assert!(!k_list.to_string().contains(TEXT));
    let k_page = app.page(K, "/programs/1/reviews").await.1;
    assert!(!k_page.contains(TEXT));
    let mut k_mama = mama.on_host(K);
    let k_moderation = k_mama.get("/municipal/reviews").await;
    assert_ne!(
        k_moderation.status, 200,
        "a Smolensk session is not a Krasnoyarsk one"
    );

    // Hiding takes a reason, and takes the review and its stars off the page.
    let hide = format!("/municipal/reviews/{id}/hide");
    let no_reason = moderator
        .submit("/municipal/reviews", &hide, &[("reason", "")])
        .await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.body.contains("Укажите причину"));
    let hidden = moderator
        .submit(
            "/municipal/reviews",
            &hide,
            &[("reason", "Нарушает правила")],
        )
        .await;
    assert_eq!(hidden.status, 303);
    let page = app.page(S, "/programs/1").await.1;
    assert!(!page.contains(TEXT) && page.contains("Отзывов пока нет"));
    let staff_view = provider.get("/provider/reviews").await;
    assert!(staff_view.body.contains("Скрыт") && staff_view.body.contains("Нарушает правила"));
}

/// The ids of the region's reviews in `status`.
async fn reviews_of(app: &TestApp, region: &str, status: Status) -> Vec<i64> {
    let tenant = tenant(app, region);
    let rows = reviews::for_moderators(&app.state.db, tenant.id, None, &[status], 100)
        .await
        .unwrap();
    rows.iter().map(|r| r.id).collect()
}

fn tenant(app: &TestApp, region: &str) -> std::sync::Arc<Tenant> {
    app.state
        .registry
        .by_slug(region)
        .unwrap_or_else(|| panic!("region {region}"))
}

#[tokio::test]
async fn a_post_moderated_region_shows_a_review_at_once() {
    let (_env, app, sink) = spawn().await;
    let kdp = ("kdp@example.ru", Role::Provider, Some(1));
    tests::staff_account(&app, "krasnoyarsk", kdp.0, kdp.1, kdp.2, DEMO_PASSWORD).await;
    let (_, programs) = app.json(K, "/api/v1/programs").await;
    let program = programs["items"][0]["id"].as_i64().unwrap();
    let (_, detail) = app.json(K, &format!("/api/v1/programs/{program}")).await;
    let group = detail["groups"][0]["id"].as_i64().unwrap();

    let (mut papa, child) = parent(&app, &sink, K, "krasnoyarsk", "k-review@example.ru").await;
    let mut provider = staff(&app, K, kdp.0).await;
    enrolled(&mut papa, &mut provider, group, &child).await;
    let done = write(&mut papa, program, "4", TEXT).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(done.location.unwrap().ends_with("done=published"));
    let page = app.page(K, &format!("/programs/{program}")).await.1;
    assert!(page.contains(TEXT) && page.contains("4,0 из 5 · 1 отзыв"));
    // Smolensk's program of the same number shows nothing of it.
    let s_page = app.page(S, &format!("/programs/{program}")).await.1;
    assert!(!s_page.contains(TEXT));
    // The region's moderators (Krasnoyarsk: regional admins only) may hide it.
    let (_, list, _) = {
        let mut regional = Browser::new(&app, K);
        tests::staff_account(
            &app,
            "krasnoyarsk",
            "k-regional@example.ru",
            Role::Regional,
            None,
            DEMO_PASSWORD,
        )
        .await;
        regional.login("k-regional@example.ru", DEMO_PASSWORD).await;
        regional
            .api(Method::GET, "/api/v1/moderation/reviews", None, None)
            .await
    };
    assert_eq!(list["published"][0]["body"], TEXT, "{list}");
    assert_eq!(list["waiting"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_rating_sort_weighs_few_reviews_toward_the_region_s_mean() {
    let (_env, app, _sink) = spawn().await;
    let tenant = tenant(&app, "smolensk");
    let (_, all) = app.json(S, "/api/v1/programs?per_page=100").await;
    let ids: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert!(ids.len() >= 4, "the fixture has programs enough");
    // One 5; forty reviews averaging 4.8; ten 3s (the region's mean comes down to ~4.4).
    let forty = [[5u8; 32].as_slice(), [4u8; 8].as_slice()].concat();
    let fixture: [(i64, &[u8]); 3] = [(ids[0], &[5]), (ids[1], &forty), (ids[2], &[3; 10])];
    let at = platform::time::to_db(chrono::Utc::now());
    let mut tx = app.state.db.begin().await.unwrap();
    for (program, stars) in fixture {
        for (child, &s) in stars.iter().enumerate() {
            let review = NewReview {
                program_id: program,
                child_id: 1000 + child as i64,
                author_id: 1,
                stars: s,
                body: TEXT,
                author_name: "Анна",
                child_age: 9,
                status: Status::Published,
                at: &at,
            };
            reviews::insert(&mut tx, tenant.id, &review).await.unwrap();
        }
        reviews::recount(&mut tx, tenant.id, program).await.unwrap();
    }
    tx.commit().await.unwrap();
    let version = platform::catalog::store::version(&app.state.db, tenant.id)
        .await
        .unwrap();
    app.state.catalog.note_version(tenant.id, version);
    tests::wait_until("the index has the ratings", DEADLINE, || async {
        let (_, found) = app.json(S, "/api/v1/programs?sort=rating").await;
        found["items"][0]["reviews"] == 40
    })
    .await;

    let (status, sorted) = app
        .json(S, "/api/v1/programs?sort=rating&per_page=100")
        .await;
    assert_eq!(status, 200, "{sorted}");
    let order: Vec<i64> = sorted["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(&order[..3], &[ids[1], ids[0], ids[2]], "{sorted}");
    assert_eq!(
        order.len(),
        ids.len(),
        "programs without reviews come after"
    );
    assert_eq!(sorted["items"][0]["rating"], 4.8);
    assert_eq!(sorted["items"][0]["reviews"], 40);
    let page = app.page(S, "/programs?sort=rating").await.1;
    assert!(page.contains("4,8 из 5 · 40 отзывов"));
    assert!(page.contains("<option value=\"rating\" selected>По рейтингу</option>"));
    let (bad, _) = app.json(S, "/api/v1/programs?sort=stars").await;
    assert_eq!(bad, 400);

    // The ministry's «Оценки семей»: the 51 reviews of the period, by organization.
    let mut ministry = staff(&app, S, "regional@smolensk.demo.navigator.local").await;
    let work = ministry.get("/admin/statistics/work").await;
    assert_eq!(work.status, 200, "{}", work.body);
    assert!(work.body.contains("Оценки семей по организациям"));
    assert!(work.body.contains(">51<"), "{}", work.body);
}
