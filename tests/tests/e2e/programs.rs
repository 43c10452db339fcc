//! Program authoring and moderation over HTTP: an organization gets from nothing to a
//! published program (card form → «Отправить на модерацию» → the municipality's moderator
//! reads the diff → «Опубликовать» → the catalog shows it and the staff get a mail); an
//! edit of a published program waits as a revision while families keep seeing the
//! published card; «Вернуть на доработку» needs a comment and the organization sees it;
//! every wrong field is named; nobody else reads or changes a program — another
//! organization, a parent, a moderator of another municipality, a municipal admin where the
//! region moderates regionally, the other region's host.

use platform::accounts::values::Role;
use platform::demo::accounts::DEMO_PASSWORD;
use reqwest::Method;
use serde_json::json;
use tests::browser::{Browser, Page};
use tests::catalog::smolensk::OLIMP;
use tests::{TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
const PARENT: &str = "parent@smolensk.demo.navigator.local";
/// The demo municipal admin: of Smolensk city, where «Радуга» is.
const MUNICIPAL: &str = "municipal@smolensk.demo.navigator.local";
const REGIONAL: &str = "regional@smolensk.demo.navigator.local";
/// A municipal admin of Вяземский район, where «Олимп» is.
const VYAZMA_ADMIN: &str = "admin@vyazma.example.ru";
const OLIMP_STAFF: &str = "staff@olimp.example.ru";

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
    tests::municipal_account(&app, "smolensk", VYAZMA_ADMIN, "vyazemsky").await;
    (env, app)
}

fn smolensk(app: &TestApp) -> platform::tenant_id::TenantId {
    app.state.registry.by_slug("smolensk").expect("smolensk").id
}

async fn version(app: &TestApp) -> i64 {
    platform::catalog::store::version(&app.state.db, smolensk(app))
        .await
        .unwrap()
}

/// A complete card, as the form sends it (financing twice: two check boxes).
fn card(title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("title", title.to_owned()),
        ("short_title", "Юный исследователь".to_owned()),
        ("announce", "Опыты, наблюдения и первые проекты.".to_owned()),
        (
            "description",
            "Дети ставят опыты.\r\n\r\nВторой год — проекты: возраст < 12 лет.".to_owned(),
        ),
        ("goals", "Интерес к естественным наукам.".to_owned()),
        ("results", "Ребёнок проведёт своё исследование.".to_owned()),
        ("direction", "natural_science".to_owned()),
        ("profile_id", "ecology".to_owned()),
        ("level", "start".to_owned()),
        ("program_type", "general".to_owned()),
        ("age_min", "8".to_owned()),
        ("age_max", "12".to_owned()),
        ("duration_months", "9".to_owned()),
        ("hours", "72".to_owned()),
        ("study_form", "full_time".to_owned()),
        ("ovz_kinds", "speech".to_owned()),
        ("financing", "certificate".to_owned()),
        ("financing", "paid".to_owned()),
        ("group_min", "5".to_owned()),
        ("group_max", "12".to_owned()),
    ]
}

fn fields<'a>(card: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    card.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn with(card: &[(&'static str, String)], key: &str, value: &str) -> Vec<(&'static str, String)> {
    card.iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == key {
                    value.to_owned()
                } else {
                    v.clone()
                },
            )
        })
        .collect()
}

/// The program id of a redirect to `/provider/programs/{id}?done=…`.
fn id_of(page: &Page) -> i64 {
    let location = page.location.as_deref().expect("a redirect");
    location
        .trim_start_matches("/provider/programs/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{location}"))
}

async fn create(staff: &mut Browser<'_>, title: &str) -> i64 {
    let page = staff
        .submit(
            "/provider/programs/new",
            "/provider/programs/new",
            &fields(&card(title)),
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    id_of(&page)
}

async fn act(b: &mut Browser<'_>, page: &str, action: &str) -> Page {
    b.submit(page, action, &[]).await
}

/// The demo organization's staff and its municipality's moderator, logged in.
async fn staff_and_moderator(app: &TestApp) -> (Browser<'_>, Browser<'_>) {
    let mut staff = Browser::new(app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let mut moderator = Browser::new(app, S);
    moderator.login(MUNICIPAL, DEMO_PASSWORD).await;
    (staff, moderator)
}

/// A new program, sent to moderation and published; its id.
async fn published(staff: &mut Browser<'_>, moderator: &mut Browser<'_>, title: &str) -> i64 {
    let id = create(staff, title).await;
    let card_page = format!("/provider/programs/{id}");
    act(staff, &card_page, &format!("{card_page}/submit")).await;
    let review = format!("/municipal/moderation/{id}");
    let page = act(moderator, &review, &format!("{review}/publish")).await;
    assert_eq!(page.status, 303, "{}", page.body);
    id
}

async fn decision_mails(app: &TestApp) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT recipient, subject, body_text FROM outbox WHERE kind = 'program_decision' \
         ORDER BY id",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn an_organization_gets_from_nothing_to_a_published_program() {
    let (_env, app) = spawn().await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let list = staff.get("/provider/programs").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("Создать программу"));
    let cabinet = staff.get("/provider").await;
    assert!(cabinet.body.contains("href=\"/provider/programs\""));

    let before = version(&app).await;
    let id = create(&mut staff, "Юный исследователь природы").await;
    let page = staff
        .get(&format!("/provider/programs/{id}?done=created"))
        .await;
    assert!(
        page.body.contains("Черновик программы создан"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Отправить на модерацию"));
    // Both financing boxes stay checked, the paragraph survives as text.
    assert!(
        page.body.contains("value=\"certificate\" checked"),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"paid\" checked"));
    assert!(page.body.contains("возраст &lt; 12 лет"));
    // A draft is nobody's business but the organization's: not in the catalog.
    assert_eq!(app.page(S, &format!("/programs/{id}")).await.0, 404);
    assert_eq!(version(&app).await, before);

    let sent = act(
        &mut staff,
        &format!("/provider/programs/{id}"),
        &format!("/provider/programs/{id}/submit"),
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let list = staff.get("/provider/programs").await;
    assert!(list.body.contains("На модерации"), "{}", list.body);
    // While it waits, the card is not edited.
    let refused = staff
        .submit(
            &format!("/provider/programs/{id}"),
            &format!("/provider/programs/{id}"),
            &fields(&card("Другое название")),
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("Программа на модерации"));

    // The municipality's moderator: the queue, the card field by field, «Опубликовать».
    let mut moderator = Browser::new(&app, S);
    moderator.login(MUNICIPAL, DEMO_PASSWORD).await;
    let queue = moderator.get("/municipal/moderation").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert!(
        queue.body.contains("Юный исследователь природы"),
        "{}",
        queue.body
    );
    assert!(queue.body.contains("Новая"));
    assert!(queue.body.contains("менее часа"));
    let review = moderator.get(&format!("/municipal/moderation/{id}")).await;
    assert_eq!(review.status, 200, "{}", review.body);
    assert!(review.body.contains("публикуется впервые"));
    assert!(
        review.body.contains("Оплата сертификатом, Платно"),
        "{}",
        review.body
    );
    assert!(review.body.contains("Тяжёлые нарушения речи"));
    let published = act(
        &mut moderator,
        &format!("/municipal/moderation/{id}"),
        &format!("/municipal/moderation/{id}/publish"),
    )
    .await;
    assert_eq!(published.status, 303, "{}", published.body);
    assert_eq!(
        published.location.as_deref(),
        Some("/municipal/moderation?done=published")
    );

    // In the catalog at once, with a new version; the staff heard of it.
    assert!(version(&app).await > before);
    let (status, public) = app.page(S, &format!("/programs/{id}")).await;
    assert_eq!(status, 200, "{public}");
    assert!(public.contains("Юный исследователь природы"));
    for shown in [
        "Опыты, наблюдения и первые проекты.",
        "Интерес к естественным наукам.",
        "Ребёнок проведёт своё исследование.",
        "Оплата сертификатом, Платно",
        "Тяжёлые нарушения речи",
        "Общеразвивающая",
        "Очная",
    ] {
        assert!(public.contains(shown), "{shown}: {public}");
    }
    let mails = decision_mails(&app).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].0, PROVIDER);
    assert!(mails[0].1.contains("опубликована"), "{:?}", mails[0]);
    assert!(mails[0].2.contains(&format!("/provider/programs/{id}")));
    let page = staff.get(&format!("/provider/programs/{id}")).await;
    assert!(page.body.contains("Опубликовано"));
    assert!(page.body.contains("История изменений"));
    assert!(page.body.contains("Опубликована"));
    // The queue is empty now, and a second decision is refused.
    let queue = moderator.get("/municipal/moderation").await;
    assert!(
        queue.body.contains("Программ, ждущих решения, нет"),
        "{}",
        queue.body
    );
    let again = act(
        &mut moderator,
        &format!("/municipal/moderation/{id}"),
        &format!("/municipal/moderation/{id}/publish"),
    )
    .await;
    assert_eq!(again.status, 409, "{}", again.body);
}

#[tokio::test]
async fn an_edit_of_a_published_program_waits_as_a_revision() {
    let (_env, app) = spawn().await;
    let (mut staff, mut moderator) = staff_and_moderator(&app).await;
    let id = published(&mut staff, &mut moderator, "Экологи-исследователи").await;
    let card_page = format!("/provider/programs/{id}");
    let review = format!("/municipal/moderation/{id}");

    // The edit: the catalog keeps the published title.
    let edited = with(&card("Экологи-исследователи. Второй год"), "hours", "144");
    let saved = staff.submit(&card_page, &card_page, &fields(&edited)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let (_, public) = app.page(S, &format!("/programs/{id}")).await;
    assert!(public.contains("Экологи-исследователи"));
    assert!(
        !public.contains("Экологи-исследователи. Второй год"),
        "{public}"
    );
    let page = staff.get(&card_page).await;
    assert!(
        page.body.contains("есть неотправленные изменения"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("Изменения относительно опубликованной версии (2)"));
    act(&mut staff, &card_page, &format!("{card_page}/submit")).await;

    // The moderator sees exactly what changes.
    let page = moderator.get(&review).await;
    assert!(page
        .body
        .contains("Что изменится в опубликованной программе"));
    assert!(
        page.body.contains("<del>Экологи-исследователи</del>"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("<ins>Экологи-исследователи. Второй год</ins>"));
    assert!(page.body.contains("<del>72</del>") && page.body.contains("<ins>144</ins>"));
    assert!(
        !page.body.contains("Краткое описание"),
        "unchanged fields are not listed"
    );
    let queue = moderator.get("/municipal/moderation?kind=revision").await;
    assert!(
        queue.body.contains("Изменение опубликованной"),
        "{}",
        queue.body
    );
    let queue = moderator.get("/municipal/moderation?kind=new").await;
    assert!(!queue.body.contains("Экологи-исследователи"));

    // «Вернуть на доработку» needs a comment.
    let empty = moderator
        .submit(&review, &format!("{review}/return"), &[("comment", "  ")])
        .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(empty.body.contains("напишите, что нужно исправить"));
    let returned = moderator
        .submit(
            &review,
            &format!("{review}/return"),
            &[("comment", "Уточните объём: 144 часа за 9 месяцев?")],
        )
        .await;
    assert_eq!(returned.status, 303, "{}", returned.body);
    let page = staff.get(&card_page).await;
    assert!(
        page.body.contains("изменения ожидают правки"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Уточните объём: 144 часа за 9 месяцев?"));
    let mails = decision_mails(&app).await;
    assert!(
        mails.last().unwrap().2.contains("Уточните объём"),
        "{mails:?}"
    );
    // Still published as it was.
    let (_, public) = app.page(S, &format!("/programs/{id}")).await;
    assert!(!public.contains("Экологи-исследователи. Второй год"));

    // Fixed, sent again, published: the catalog shows the edit.
    let fixed = with(&edited, "hours", "108");
    assert_eq!(
        staff
            .submit(&card_page, &card_page, &fields(&fixed))
            .await
            .status,
        303
    );
    act(&mut staff, &card_page, &format!("{card_page}/submit")).await;
    let v = version(&app).await;
    act(&mut moderator, &review, &format!("{review}/publish")).await;
    assert!(version(&app).await > v);
    let (_, public) = app.page(S, &format!("/programs/{id}")).await;
    assert!(
        public.contains("Экологи-исследователи. Второй год"),
        "{public}"
    );
    let page = staff.get(&card_page).await;
    for line in [
        "Создана",
        "Отправлена на модерацию",
        "Возвращена на доработку",
        "Опубликована",
    ] {
        assert!(page.body.contains(line), "{line}: {}", page.body);
    }
    assert!(page
        .body
        .contains("Полное название, Объём, академических часов"));
}

/// `navigator program status` decides on the program as it stands: a pending edit is
/// dropped with it, and the history says the operator did it.
#[tokio::test]
async fn the_operator_sets_a_status_from_the_command_line_and_a_pending_edit_goes() {
    let (env, app) = spawn().await;
    let (mut staff, mut moderator) = staff_and_moderator(&app).await;
    let id = published(&mut staff, &mut moderator, "Лесные тропы").await;
    let card_page = format!("/provider/programs/{id}");
    let edited = card("Лесные тропы. Второй год");
    assert_eq!(
        staff
            .submit(&card_page, &card_page, &fields(&edited))
            .await
            .status,
        303
    );
    act(&mut staff, &card_page, &format!("{card_page}/submit")).await;
    assert!(moderator
        .get("/municipal/moderation")
        .await
        .body
        .contains("Лесные тропы. Второй год"));

    let v = version(&app).await;
    let out = env
        .cli(&[
            "program",
            "status",
            "--region",
            "smolensk",
            "--id",
            &id.to_string(),
            "--status",
            "archived",
        ])
        .await
        .expect("the status is set");
    assert!(out.contains("«Архив»"), "{out}");
    assert!(version(&app).await > v, "the catalog follows");
    let (status, _) = app.page(S, &format!("/programs/{id}")).await;
    assert_eq!(status, 404);
    // The edit left the queue with it; the card is the published one, in the archive.
    assert!(!moderator
        .get("/municipal/moderation")
        .await
        .body
        .contains("Лесные тропы"));
    let page = staff.get(&card_page).await;
    assert!(
        !page.body.contains("есть неотправленные изменения"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("Лесные тропы. Второй год"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Статус задан оператором"),
        "{}",
        page.body
    );

    // Another region's program is not found there, and nothing changes.
    let err = env
        .cli(&[
            "program",
            "status",
            "--region",
            "krasnoyarsk",
            "--id",
            &id.to_string(),
            "--status",
            "published",
        ])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("нет программы"), "{err}");
    let (status, _) = app.page(S, &format!("/programs/{id}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn every_wrong_field_is_named_and_nothing_is_saved() {
    let (_env, app) = spawn().await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let before = staff.get("/provider/programs").await.body;
    let cases = [
        (
            "title",
            "<b>Жирный</b>",
            "Полное название: пишите обычным текстом, без HTML-разметки",
        ),
        ("title", "", "Полное название: не заполнено"),
        (
            "short_title",
            "Две\r\nстроки",
            "Краткое название: одной строкой",
        ),
        (
            "goals",
            "цель\u{7}",
            "Цели: текст содержит недопустимые символы",
        ),
        (
            "profile_id",
            "chess",
            "Профиль: профиль «Шахматы» относится к другой направленности",
        ),
        (
            "profile_id",
            "magic",
            "Профиль: выберите профиль из списка региона",
        ),
        (
            "age_max",
            "5",
            "Возраст до: возраст «от» (8) больше возраста «до» (5)",
        ),
        (
            "hours",
            "много",
            "Объём, академических часов: «много»: укажите целое число",
        ),
        (
            "group_max",
            "2",
            "Детей в группе, не более: меньше, чем «не менее» (5)",
        ),
        (
            "level",
            "expert",
            "Уровень: «expert»: выберите уровень из списка",
        ),
    ];
    for (field, value, message) in cases {
        let page = staff
            .submit(
                "/provider/programs/new",
                "/provider/programs/new",
                &fields(&with(&card("Проверка"), field, value)),
            )
            .await;
        assert_eq!(page.status, 422, "{field}: {}", page.body);
        assert!(page.body.contains(message), "{message}: {}", page.body);
        assert!(
            page.body.contains(&format!("id=\"f-{field}-error\"")),
            "{field}"
        );
    }
    // No financing at all; free together with paid.
    let none: Vec<_> = card("Проверка")
        .into_iter()
        .filter(|(k, _)| *k != "financing")
        .collect();
    let page = staff
        .submit(
            "/provider/programs/new",
            "/provider/programs/new",
            &fields(&none),
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page
        .body
        .contains("Финансирование: выберите хотя бы один способ"));
    // The API names the field.
    let csrf = staff.get("/provider/programs").await.csrf();
    let mut body = json!({
        "title": "Проверка", "short_title": "Проверка", "announce": "Анонс",
        "description": "Описание", "goals": "Цели", "results": "Результаты",
        "direction": "natural_science", "profile_id": "ecology", "level": "start",
        "program_type": "general", "age_min": 8, "age_max": 12, "duration_months": 9,
        "hours": 72, "study_form": "full_time", "ovz_kinds": [], "financing": ["free", "paid"],
        "group_min": 5, "group_max": 12,
    });
    let (status, reply, _) = staff
        .api(
            Method::POST,
            "/api/v1/provider/programs",
            Some(body.clone()),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 400, "{reply}");
    assert_eq!(reply["error"]["field"], "financing");
    body["age_min"] = json!(1);
    body["financing"] = json!(["free"]);
    let (status, reply, _) = staff
        .api(
            Method::POST,
            "/api/v1/provider/programs",
            Some(body),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 400, "{reply}");
    assert_eq!(reply["error"]["field"], "age_max");
    assert_eq!(staff.get("/provider/programs").await.body, before);
}

#[tokio::test]
async fn copy_archive_restore_and_the_api() {
    let (_env, app) = spawn().await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let id = create(&mut staff, "Программа прошлого года").await;
    let card_page = format!("/provider/programs/{id}");
    let copied = act(&mut staff, &card_page, &format!("{card_page}/copy")).await;
    assert_eq!(copied.status, 303, "{}", copied.body);
    let copy = id_of(&copied);
    assert_ne!(copy, id);
    let page = staff.get(&format!("/provider/programs/{copy}")).await;
    assert!(page.body.contains("Программа прошлого года"));
    assert!(page.body.contains("Черновик"));
    assert!(
        page.body.contains(&format!("копия программы № {id}")),
        "{}",
        page.body
    );

    let archived = act(&mut staff, &card_page, &format!("{card_page}/archive")).await;
    assert_eq!(archived.status, 303);
    let page = staff.get(&card_page).await;
    assert!(page.body.contains("Вернуть из архива"));
    assert!(
        page.body.contains("<fieldset disabled"),
        "an archived card is read-only"
    );
    let refused = act(&mut staff, &card_page, &format!("{card_page}/submit")).await;
    assert_eq!(refused.status, 409);
    assert_eq!(
        act(&mut staff, &card_page, &format!("{card_page}/restore"))
            .await
            .status,
        303
    );
    assert!(staff.get(&card_page).await.body.contains("Черновик"));

    // The same through the API; then the regional admin decides through the API too.
    let csrf = staff.get("/provider/programs").await.csrf();
    let (status, list, _) = staff
        .api(Method::GET, "/api/v1/provider/programs", None, None)
        .await;
    assert_eq!(status, 200, "{list}");
    assert!(list.as_array().unwrap().iter().any(|p| p["id"] == copy));
    let (status, sent, _) = staff
        .api(
            Method::POST,
            &format!("/api/v1/provider/programs/{copy}/submit"),
            None,
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["status"], "moderation");
    let mut regional = Browser::new(&app, S);
    regional.login(REGIONAL, DEMO_PASSWORD).await;
    let (status, queue, _) = regional
        .api(Method::GET, "/api/v1/moderation/programs", None, None)
        .await;
    assert_eq!(status, 200, "{queue}");
    assert!(queue.as_array().unwrap().iter().any(|p| p["id"] == copy));
    let (status, review, _) = regional
        .api(
            Method::GET,
            &format!("/api/v1/moderation/programs/{copy}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{review}");
    assert!(review["changes"].as_array().unwrap().len() > 10);
    let rcsrf = regional.get("/admin").await.csrf();
    let (status, reply, _) = regional
        .api(
            Method::POST,
            &format!("/api/v1/moderation/programs/{copy}/return"),
            Some(json!({ "comment": "" })),
            Some(&rcsrf),
        )
        .await;
    assert_eq!(status, 400, "{reply}");
    assert_eq!(reply["error"]["field"], "comment");
    let (status, reply, _) = regional
        .api(
            Method::POST,
            &format!("/api/v1/moderation/programs/{copy}/publish"),
            None,
            Some(&rcsrf),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(app.page(S, &format!("/programs/{copy}")).await.0, 200);
}

#[tokio::test]
async fn nobody_else_reads_or_changes_a_program() {
    let (_env, app) = spawn().await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let id = create(&mut staff, "Только для «Радуги»").await;
    let card_page = format!("/provider/programs/{id}");
    act(&mut staff, &card_page, &format!("{card_page}/submit")).await;
    let before = staff.get(&card_page).await.body;
    let csrf = staff.get("/provider/programs").await.csrf();

    // Another organization's staff: not found, on the page and the API.
    let mut other = Browser::new(&app, S);
    other.login(OLIMP_STAFF, DEMO_PASSWORD).await;
    assert_eq!(other.get(&card_page).await.status, 404);
    let list = other.get("/provider/programs").await;
    assert!(!list.body.contains("Только для «Радуги»"));
    for action in ["withdraw", "archive", "copy"] {
        let page = act(
            &mut other,
            "/provider/programs",
            &format!("{card_page}/{action}"),
        )
        .await;
        assert_eq!(page.status, 404, "{action}");
    }
    let ocsrf = other.get("/provider/programs").await.csrf();
    let (status, _, _) = other
        .api(
            Method::GET,
            &format!("/api/v1/provider/programs/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _, _) = other
        .api(
            Method::POST,
            &format!("/api/v1/provider/programs/{id}/archive"),
            None,
            Some(&ocsrf),
        )
        .await;
    assert_eq!(status, 404);
    // Nor may staff moderate.
    assert_eq!(other.get("/municipal/moderation").await.status, 403);
    let (status, _, _) = other
        .api(Method::GET, "/api/v1/moderation/programs", None, None)
        .await;
    assert_eq!(status, 403);

    // A parent.
    let mut parent = Browser::new(&app, S);
    parent.login(PARENT, DEMO_PASSWORD).await;
    assert_eq!(parent.get("/provider/programs").await.status, 403);
    assert_eq!(parent.get(&card_page).await.status, 403);
    let (status, _, _) = parent
        .api(Method::GET, "/api/v1/moderation/programs", None, None)
        .await;
    assert_eq!(status, 403);

    // The moderator of another municipality: not in their queue, not found, not decided.
    let mut vyazma = Browser::new(&app, S);
    vyazma.login(VYAZMA_ADMIN, DEMO_PASSWORD).await;
    let queue = vyazma.get("/municipal/moderation").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert!(
        !queue.body.contains("Только для «Радуги»"),
        "{}",
        queue.body
    );
    assert_eq!(
        vyazma
            .get(&format!("/municipal/moderation/{id}"))
            .await
            .status,
        404
    );
    let page = act(
        &mut vyazma,
        "/municipal/moderation",
        &format!("/municipal/moderation/{id}/publish"),
    )
    .await;
    assert_eq!(page.status, 404);
    let vcsrf = vyazma.get("/municipal/moderation").await.csrf();
    let (status, _, _) = vyazma
        .api(
            Method::POST,
            &format!("/api/v1/moderation/programs/{id}/publish"),
            None,
            Some(&vcsrf),
        )
        .await;
    assert_eq!(status, 404);
    // A municipal admin on the regional desk: no.
    assert_eq!(vyazma.get("/admin/moderation").await.status, 403);

    // The other region's host: nobody is logged in there; its own municipal admin may not
    // moderate, since Krasnoyarsk moderates regionally.
    let mut elsewhere = staff.on_host(K);
    let (status, _, _) = elsewhere
        .api(
            Method::GET,
            &format!("/api/v1/provider/programs/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 401);
    let (status, _, _) = elsewhere
        .api(
            Method::POST,
            &format!("/api/v1/provider/programs/{id}/withdraw"),
            None,
            Some(&csrf),
        )
        .await;
    assert!(matches!(status, 401 | 403), "{status}");
    let mut k_municipal = Browser::new(&app, K);
    k_municipal
        .login("municipal@krasnoyarsk.demo.navigator.local", DEMO_PASSWORD)
        .await;
    assert_eq!(k_municipal.get("/municipal/moderation").await.status, 403);
    let mut k_regional = Browser::new(&app, K);
    k_regional
        .login("regional@krasnoyarsk.demo.navigator.local", DEMO_PASSWORD)
        .await;
    let queue = k_regional.get("/admin/moderation").await;
    assert_eq!(queue.status, 200);
    assert!(!queue.body.contains("Только для «Радуги»"));
    assert_eq!(
        k_regional
            .get(&format!("/admin/moderation/{id}"))
            .await
            .status,
        404
    );

    // Nothing changed: still waiting, nothing published, no mail.
    assert_eq!(staff.get(&card_page).await.body, before);
    assert_eq!(app.page(S, &format!("/programs/{id}")).await.0, 404);
    assert!(decision_mails(&app).await.is_empty());
}

#[tokio::test]
async fn the_demo_catalog_passes_the_card_form_validation() {
    let (_env, app) = TestApp::spawn().await;
    let profiles = platform::demo::default_profiles();
    for tenant in app.state.registry.tenants() {
        let today = app.state.clock.today_in(tenant.config.time_zone);
        let generated = platform::demo::generate(&tenant, 300, today);
        assert_eq!(generated.cards.len(), generated.programs.len());
        for (program, card) in generated.programs.iter().zip(&generated.cards) {
            let form = platform::programs::CardForm::from(card);
            let parsed = platform::programs::Card::parse(&form, &profiles)
                .unwrap_or_else(|e| panic!("demo program {}: {e:?}", program.id));
            assert_eq!(&parsed, card);
            assert_eq!(card.title, program.title);
        }
    }
}

#[tokio::test]
async fn the_demo_organization_has_a_draft_and_a_program_on_moderation() {
    let (_env, app) = TestApp::spawn().await;
    let tenant = app.state.registry.by_slug("smolensk").expect("smolensk");
    platform::demo::fill(&app.state.db, &tenant, 300, &app.state.clock)
        .await
        .expect("demo catalog");
    tests::demo_accounts(&app.state).await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let list = staff.get("/provider/programs").await;
    assert!(list.body.contains("status-draft"), "{}", list.body);
    assert!(list.body.contains("status-moderation"), "{}", list.body);
    let mut moderator = Browser::new(&app, S);
    moderator.login(MUNICIPAL, DEMO_PASSWORD).await;
    let queue = moderator.get("/municipal/moderation").await;
    assert!(
        !queue.body.contains("Программ, ждущих решения, нет"),
        "{}",
        queue.body
    );
    assert!(
        !queue.body.contains("<td>—</td>"),
        "every item says how long it waits"
    );
    let (_, items, _) = moderator
        .api(Method::GET, "/api/v1/moderation/programs", None, None)
        .await;
    let id = items[0]["id"].as_i64().expect("an item");
    // A demo card is complete: it can be published as it is.
    let review = format!("/municipal/moderation/{id}");
    let published = act(&mut moderator, &review, &format!("{review}/publish")).await;
    assert_eq!(published.status, 303, "{}", published.body);
}
