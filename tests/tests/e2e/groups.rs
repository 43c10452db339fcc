//! «Группы и расписание» and «Педагоги» over HTTP: staff add and edit a group with its
//! schedule rows, teachers and place, and the public program page follows at once; every
//! refusal names its field (ages outside the program's, seats below those taken, an end
//! before its start, another organization's teacher or place); a group with applications
//! is not deleted but archived, with a confirmation when children are enrolled; nobody
//! else reads or changes anything — another organization's staff, a parent, the other
//! region's host; the organization's API token does what the staff do.

use platform::accounts::values::Role;
use platform::demo::accounts::DEMO_PASSWORD;
use platform::groups::store::{self, GroupRow, GroupStatus};
use reqwest::Method;
use serde_json::json;
use tests::browser::Browser;
use tests::catalog::smolensk::{CHESS, FOOTBALL, OLIMP, RADUGA};
use tests::{TestApp, TestEnv};

pub(crate) const S: &str = "p67.навигатор.дети";
pub(crate) const K: &str = "p24.навигатор.дети";
pub(crate) const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
pub(crate) const PARENT: &str = "parent@smolensk.demo.navigator.local";
pub(crate) const OLIMP_STAFF: &str = "staff@olimp.example.ru";

pub(crate) async fn spawn() -> (TestEnv, TestApp) {
    let (env, app) = TestApp::spawn().await;
    tests::catalog::seed(&app.state).await;
    platform::demo::accounts::ensure(
        &app.state.db,
        &app.state.registry.tenants(),
        app.state.clock.now(),
        &mut Vec::new(),
    )
    .await
    .expect("demo accounts");
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

pub(crate) fn smolensk(app: &TestApp) -> platform::tenant_id::TenantId {
    app.state.registry.by_slug("smolensk").expect("smolensk").id
}

pub(crate) async fn version(app: &TestApp) -> i64 {
    platform::catalog::store::version(&app.state.db, smolensk(app))
        .await
        .unwrap()
}

pub(crate) async fn group_of(app: &TestApp, org: i64, id: i64) -> Option<GroupRow> {
    store::group(&app.state.db, smolensk(app), org, id)
        .await
        .unwrap()
}

/// The first place and teacher of an organization (the fixture's groups gave it some).
pub(crate) async fn place_and_teacher(app: &TestApp, org: i64) -> (String, String) {
    let tenant = smolensk(app);
    let places = platform::organizations::store::places(&app.state.db, tenant, org)
        .await
        .unwrap();
    let teachers = store::teachers(&app.state.db, tenant, org).await.unwrap();
    (places[0].id.to_string(), teachers[0].id.to_string())
}

/// A valid group form for Шахматы (7–12 лет, бесплатно) with `extra` fields over it.
pub(crate) fn group_fields<'a>(
    place: &'a str,
    teachers: &[&'a str],
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("name", "Группа для начинающих"),
        ("age_min", "7"),
        ("age_max", "9"),
        ("capacity", "12"),
        ("study_from", "2026-09-01"),
        ("study_to", "2027-05-31"),
        ("enroll_from", "20.08.2026"),
        ("enroll_to", "2026-09-30"),
        ("place_id", place),
        ("s0_weekday", "1"),
        ("s0_starts", "15:00"),
        ("s0_ends", "16:30"),
        ("s1_weekday", "3"),
        ("s1_starts", "15:00"),
        ("s1_ends", "16:30"),
        ("s1_from", "2026-09-01"),
        ("s1_to", "2026-12-31"),
        // An empty row of the editor, as a browser sends it.
        ("s2_weekday", ""),
        ("s2_starts", ""),
        ("s2_ends", ""),
    ];
    for t in teachers {
        fields.push(("teacher_ids", t));
    }
    for (k, v) in extra {
        fields.retain(|(key, _)| key != k);
        fields.push((k, v));
    }
    fields
}

#[tokio::test]
async fn staff_add_and_edit_a_group_and_the_program_page_follows() {
    let (_env, app) = spawn().await;
    let tenant = smolensk(&app);
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let cabinet = staff.get("/provider").await;
    assert!(
        cabinet.body.contains("href=\"/provider/groups\""),
        "{}",
        cabinet.body
    );
    assert!(cabinet.body.contains("href=\"/provider/teachers\""));
    let overview = staff.get("/provider/groups").await;
    assert_eq!(overview.status, 200, "{}", overview.body);
    assert!(overview
        .body
        .contains(&format!("/provider/programs/{CHESS}/groups")));

    // A teacher of the organization's list.
    let added = staff
        .submit(
            "/provider/teachers",
            "/provider/teachers",
            &[
                ("name", "Сидорова Анна Викторовна"),
                ("position", "педагог"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let teachers = store::teachers(&app.state.db, tenant, RADUGA)
        .await
        .unwrap();
    let sidorova = teachers
        .iter()
        .find(|t| t.name == "Сидорова Анна Викторовна")
        .expect("added")
        .id
        .to_string();
    let (place, ivanova) = place_and_teacher(&app, RADUGA).await;

    let list = staff
        .get(&format!("/provider/programs/{CHESS}/groups"))
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("Добавить группу"));
    let form = staff
        .get(&format!("/provider/programs/{CHESS}/groups/new"))
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    // Every input has its label.
    for id in ["f-name", "f-place_id", "s0-weekday", "s0-starts", "s2-to"] {
        assert!(
            form.body.contains(&format!("for=\"{id}\"")),
            "{id}: {}",
            form.body
        );
    }

    let before = version(&app).await;
    let saved = staff
        .submit(
            &format!("/provider/programs/{CHESS}/groups/new"),
            &format!("/provider/programs/{CHESS}/groups/new"),
            &group_fields(&place, &[&sidorova, &ivanova], &[]),
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let location = saved.location.clone().unwrap();
    let id: i64 = location
        .trim_start_matches("/provider/groups/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let group = group_of(&app, RADUGA, id).await.expect("the group");
    assert_eq!(group.sessions.len(), 2);
    assert_eq!(group.status, GroupStatus::Open);
    assert_eq!(version(&app).await, before + 1);
    let changed = platform::catalog::store::programs_changed_since(&app.state.db, tenant, before)
        .await
        .unwrap();
    assert_eq!(changed, [CHESS]);

    // At once on the public program page: schedule, dated row, teachers, address.
    let (status, public) = app.page(S, &format!("/programs/{CHESS}")).await;
    assert_eq!(status, 200);
    assert!(public.contains("Группа для начинающих"), "{public}");
    assert!(
        public.contains("Пн 15:00–16:30, Ср 15:00–16:30 (с 01.09.2026 по 31.12.2026)"),
        "{public}"
    );
    assert!(
        public.contains("Иванова Мария Петровна, Сидорова Анна Викторовна"),
        "{public}"
    );

    // Edit: seats and schedule; the history names the fields.
    let page = staff.get(&location).await;
    assert!(page.body.contains("Группа добавлена"), "{}", page.body);
    assert!(page.body.contains("value=\"15:00\""));
    let edited = staff
        .submit(
            &format!("/provider/groups/{id}"),
            &format!("/provider/groups/{id}"),
            &group_fields(
                &place,
                &[&sidorova, &ivanova],
                &[
                    ("capacity", "20"),
                    ("s0_weekday", "2"),
                    ("s0_starts", "10:00"),
                    ("s0_ends", "11:00"),
                ],
            ),
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    let (_, public) = app.page(S, &format!("/programs/{CHESS}")).await;
    assert!(
        public.contains("Вт 10:00–11:00, Ср 15:00–16:30"),
        "{public}"
    );
    let audit = platform::accounts::store::audit_rows(&app.state.db, tenant, 10)
        .await
        .unwrap();
    let edit = audit
        .iter()
        .find(|a| a.action == "group.edit" && a.subject == format!("group:{id}"))
        .expect("audited");
    assert_eq!(edit.detail, "вместимость, расписание");
    assert_eq!(
        edit.ip.as_deref(),
        Some("127.0.0.1"),
        "who acted from where"
    );
    assert!(audit
        .iter()
        .any(|a| a.action == "group.add" && a.subject == format!("group:{id}")));
    // The history on the group's page, and for the program's moderator.
    let page = staff.get(&format!("/provider/groups/{id}")).await;
    assert!(page.body.contains("История изменений"), "{}", page.body);
    assert!(page.body.contains("Группа изменена"), "{}", page.body);
    assert!(
        page.body.contains("вместимость, расписание"),
        "{}",
        page.body
    );
    let mut moderator = Browser::new(&app, S);
    moderator
        .login("municipal@smolensk.demo.navigator.local", DEMO_PASSWORD)
        .await;
    let review = moderator
        .get(&format!("/municipal/moderation/{CHESS}"))
        .await;
    assert_eq!(review.status, 200, "{}", review.body);
    assert!(
        review.body.contains("История групп программы"),
        "{}",
        review.body
    );
    assert!(
        review
            .body
            .contains("«Группа для начинающих»: вместимость, расписание"),
        "{}",
        review.body
    );

    // Renaming a teacher is on every group of theirs at once.
    let before = version(&app).await;
    let renamed = staff
        .submit(
            "/provider/teachers",
            &format!("/provider/teachers/{sidorova}"),
            &[
                ("name", "Сидорова-Петрова Анна Викторовна"),
                ("position", "методист"),
            ],
        )
        .await;
    assert_eq!(renamed.status, 303, "{}", renamed.body);
    let (_, public) = app.page(S, &format!("/programs/{CHESS}")).await;
    assert!(
        public.contains("Сидорова-Петрова Анна Викторовна"),
        "{public}"
    );
    let changed = platform::catalog::store::programs_changed_since(&app.state.db, tenant, before)
        .await
        .unwrap();
    assert_eq!(changed, [CHESS]);

    // Closing enrollment: no «Записаться» for it, the group still shown.
    let closed = staff
        .submit(
            &format!("/provider/groups/{id}"),
            &format!("/provider/groups/{id}/status"),
            &[("status", "closed")],
        )
        .await;
    assert_eq!(closed.status, 303, "{}", closed.body);
    assert_eq!(
        group_of(&app, RADUGA, id).await.unwrap().status,
        GroupStatus::Closed
    );
    let (_, detail) = app.json(S, &format!("/api/v1/programs/{CHESS}")).await;
    let shown = detail["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == id)
        .expect("still shown")
        .clone();
    assert_eq!(shown["enrollment_open"], false, "{shown}");
    // The page says why.
    assert_eq!(
        shown["closed_reason"], "Набор закрыт организацией",
        "{shown}"
    );
    let (_, public) = app.page(S, &format!("/programs/{CHESS}")).await;
    assert!(public.contains("Набор закрыт организацией"), "{public}");
}

/// Fields over a valid form, the id of the error beside the field, the message.
type Refusal<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);

#[tokio::test]
async fn every_refusal_names_its_field_and_changes_nothing() {
    let (_env, app) = spawn().await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let (place, teacher) = place_and_teacher(&app, RADUGA).await;
    let (olimp_place, olimp_teacher) = place_and_teacher(&app, OLIMP).await;
    let new = format!("/provider/programs/{CHESS}/groups/new");
    let before = version(&app).await;
    let refusals: [Refusal; 7] = [
        (
            &[("age_min", "5")],
            "f-age_min-error",
            "в пределах возраста программы: от 7 до 12 лет",
        ),
        (
            &[("s0_starts", "16:30"), ("s0_ends", "15:00")],
            "f-sessions-error",
            "строка 1: время окончания должно быть позже времени начала",
        ),
        (
            &[("study_to", "2026-08-01")],
            "f-study_to-error",
            "дата окончания обучения не может быть раньше, чем дата начала обучения",
        ),
        (
            &[("place_id", olimp_place.as_str())],
            "f-place_id-error",
            "выберите одно из мест обучения вашей организации",
        ),
        (
            &[("teacher_ids", olimp_teacher.as_str())],
            "f-teacher_ids-error",
            "выберите педагогов из списка педагогов вашей организации",
        ),
        (
            &[("price_paid", "1000")],
            "f-price_paid-error",
            "программа не предусматривает такую оплату",
        ),
        (
            &[("name", "Группа\u{7}")],
            "f-name-error",
            "название группы: уберите управляющие символы",
        ),
    ];
    for (extra, error_id, message) in refusals {
        let page = staff
            .submit(&new, &new, &group_fields(&place, &[&teacher], extra))
            .await;
        assert_eq!(page.status, 422, "{extra:?}: {}", page.body);
        assert!(page.body.contains(error_id), "{extra:?}: {}", page.body);
        assert!(page.body.contains(message), "{extra:?}: {}", page.body);
    }
    // Seats below those taken: the fixture's group of Шахматы has 5 taken.
    let fixture = store::groups_of(&app.state.db, smolensk(&app), RADUGA, CHESS)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(fixture.seats_taken, 5);
    let path = format!("/provider/groups/{}", fixture.id);
    let page = staff
        .submit(
            &path,
            &path,
            &group_fields(&place, &[&teacher], &[("capacity", "3")]),
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page
        .body
        .contains("число мест не может быть меньше числа занятых мест (5)"));
    assert_eq!(
        group_of(&app, RADUGA, fixture.id).await.unwrap(),
        fixture,
        "nothing changed"
    );
    assert_eq!(version(&app).await, before);

    // The API names the field in `field`.
    let csrf = staff.get("/provider/groups").await.csrf();
    let body = json!({
        "name": "Группа", "age_min": 3, "age_max": 9, "capacity": 10,
        "study_from": "2026-09-01", "study_to": "2027-05-31",
        "enroll_from": "2026-08-20", "enroll_to": "2026-09-30",
        "place_id": place.parse::<i64>().unwrap(), "teacher_ids": [teacher.parse::<i64>().unwrap()],
        "sessions": [{ "weekday": 1, "starts": "15:00", "ends": "16:30" }],
    });
    let (status, reply, _) = staff
        .api(
            Method::POST,
            &format!("/api/v1/provider/programs/{CHESS}/groups"),
            Some(body),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 400, "{reply}");
    assert_eq!(reply["error"]["field"], "age_min", "{reply}");
    assert_eq!(version(&app).await, before);
}

/// A child of the demo parent with an application of `status` to `group`.
async fn application(app: &TestApp, group: i64, status: &str) -> i64 {
    let tenant = smolensk(app);
    let parent: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE tenant_id = $1 AND email = $2")
            .bind(tenant)
            .bind(PARENT)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    let id: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1000 FROM children WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    sqlx::query(
        "INSERT INTO children (tenant_id, id, parent_id, last_name, first_name, birth_date, sex, \
         created_at, updated_at) VALUES ($1, $2, $3, 'Иванов', 'Петя', '2017-03-01', 'm', 't', 't')",
    )
    .bind(tenant)
    .bind(id)
    .bind(parent)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO applications (tenant_id, id, child_id, parent_id, group_id, program_id, \
         organization_id, status, funding, created_at, updated_at) \
         VALUES ($1, $2, $2, $3, $4, $5, $6, $7, 'free', 't', 't')",
    )
    .bind(tenant)
    .bind(id)
    .bind(parent)
    .bind(group)
    .bind(CHESS)
    .bind(RADUGA)
    .bind(status)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    id
}

#[tokio::test]
async fn a_group_with_applications_is_archived_not_deleted() {
    let (_env, app) = spawn().await;
    let tenant = smolensk(&app);
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let (place, teacher) = place_and_teacher(&app, RADUGA).await;
    let new = format!("/provider/programs/{CHESS}/groups/new");
    let add = |name: &'static str| {
        let fields = group_fields(&place, &[&teacher], &[("name", name)]);
        let fields: Vec<(String, String)> = fields
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        (new.clone(), fields)
    };
    let (path, fields) = add("Группа с заявкой");
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = staff.submit(&path, &path, &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let id = store::groups_of(&app.state.db, tenant, RADUGA, CHESS)
        .await
        .unwrap()
        .iter()
        .find(|g| g.name == "Группа с заявкой")
        .unwrap()
        .id;
    let application = application(&app, id, "new").await;

    let page = staff
        .submit(
            &format!("/provider/groups/{id}"),
            &format!("/provider/groups/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert!(
        page.body
            .contains("заявок на рассмотрении — 1, зачисленных детей — 0"),
        "{}",
        page.body
    );
    assert!(group_of(&app, RADUGA, id).await.is_some());

    // Enrolled: archiving asks first, and says how many.
    sqlx::query("UPDATE applications SET status = 'enrolled' WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(application)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let before = version(&app).await;
    let ask = staff
        .submit(
            &format!("/provider/groups/{id}"),
            &format!("/provider/groups/{id}/status"),
            &[("status", "archived")],
        )
        .await;
    assert_eq!(ask.status, 200, "{}", ask.body);
    assert!(
        ask.body.contains("В группе зачислено детей: 1"),
        "{}",
        ask.body
    );
    assert!(ask.body.contains("name=\"confirm\" value=\"1\""));
    assert_eq!(
        group_of(&app, RADUGA, id).await.unwrap().status,
        GroupStatus::Open
    );
    assert_eq!(version(&app).await, before);
    let done = staff
        .submit(
            &format!("/provider/groups/{id}"),
            &format!("/provider/groups/{id}/status"),
            &[("status", "archived"), ("confirm", "1")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        group_of(&app, RADUGA, id).await.unwrap().status,
        GroupStatus::Archived
    );
    let (_, public) = app.page(S, &format!("/programs/{CHESS}")).await;
    assert!(!public.contains("Группа с заявкой"), "{public}");
    assert_eq!(
        platform::catalog::store::programs_changed_since(&app.state.db, tenant, before)
            .await
            .unwrap(),
        [CHESS]
    );

    // A teacher or a place with groups is not removed; the message names the groups.
    let page = staff
        .submit(
            "/provider/teachers",
            &format!("/provider/teachers/{teacher}/delete"),
            &[],
        )
        .await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert!(page.body.contains("«Группа с заявкой»"), "{}", page.body);
    let page = staff
        .submit(
            "/provider/profile",
            &format!("/provider/profile/places/{place}/delete"),
            &[],
        )
        .await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert!(page.body.contains("«Группа с заявкой»"), "{}", page.body);

    // A group nobody applied to is deleted, and its program marked for sitegen.
    let (path, fields) = add("Лишняя группа");
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(staff.submit(&path, &path, &fields).await.status, 303);
    let spare = store::groups_of(&app.state.db, tenant, RADUGA, CHESS)
        .await
        .unwrap()
        .iter()
        .find(|g| g.name == "Лишняя группа")
        .unwrap()
        .id;
    let before = version(&app).await;
    let deleted = staff
        .submit(
            &format!("/provider/groups/{spare}"),
            &format!("/provider/groups/{spare}/delete"),
            &[],
        )
        .await;
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert!(group_of(&app, RADUGA, spare).await.is_none());
    assert_eq!(
        platform::catalog::store::programs_changed_since(&app.state.db, tenant, before)
            .await
            .unwrap(),
        [CHESS]
    );
}

#[tokio::test]
async fn nobody_else_reads_or_changes_them_and_the_token_does_what_staff_do() {
    let (env, app) = spawn().await;
    let tenant = smolensk(&app);
    let (place, teacher) = place_and_teacher(&app, RADUGA).await;
    let group = store::groups_of(&app.state.db, tenant, RADUGA, CHESS)
        .await
        .unwrap()
        .remove(0);
    let id = group.id;
    let body = json!({
        "name": "Чужая правка", "age_min": 7, "age_max": 9, "capacity": 30,
        "study_from": "2026-09-01", "study_to": "2027-05-31",
        "enroll_from": "2026-08-20", "enroll_to": "2026-09-30",
        "place_id": place.parse::<i64>().unwrap(), "teacher_ids": [teacher.parse::<i64>().unwrap()],
        "sessions": [{ "weekday": 1, "starts": "15:00", "ends": "16:30" }],
    });
    let before = version(&app).await;

    // Another organization's staff: 404 on every page and call about Радуга's things.
    let mut other = Browser::new(&app, S);
    other.login(OLIMP_STAFF, DEMO_PASSWORD).await;
    for path in [
        format!("/provider/groups/{id}"),
        format!("/provider/programs/{CHESS}/groups"),
        format!("/provider/programs/{CHESS}/groups/new"),
    ] {
        assert_eq!(other.get(&path).await.status, 404, "{path}");
    }
    assert_eq!(
        other
            .get(&format!("/provider/programs/{FOOTBALL}/groups"))
            .await
            .status,
        200
    );
    let csrf = other.get("/provider/groups").await.csrf();
    for (method, path, body) in [
        (Method::GET, format!("/api/v1/provider/groups/{id}"), None),
        (
            Method::PUT,
            format!("/api/v1/provider/groups/{id}"),
            Some(body.clone()),
        ),
        (
            Method::DELETE,
            format!("/api/v1/provider/groups/{id}"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/provider/groups/{id}/status"),
            Some(json!({ "status": "archived", "confirm": true })),
        ),
        (
            Method::GET,
            format!("/api/v1/provider/programs/{CHESS}/groups"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/provider/programs/{CHESS}/groups"),
            Some(body.clone()),
        ),
        (
            Method::PUT,
            format!("/api/v1/provider/teachers/{teacher}"),
            Some(json!({ "name": "Чужой", "position": "" })),
        ),
        (
            Method::DELETE,
            format!("/api/v1/provider/teachers/{teacher}"),
            None,
        ),
    ] {
        let (status, reply, _) = other.api(method.clone(), &path, body, Some(&csrf)).await;
        assert_eq!(status, 404, "{method} {path}: {reply}");
    }
    for (path, fields) in [
        (format!("/provider/groups/{id}"), vec![("name", "Чужая")]),
        (
            format!("/provider/groups/{id}/status"),
            vec![("status", "archived"), ("confirm", "1")],
        ),
        (format!("/provider/groups/{id}/delete"), vec![]),
        (
            format!("/provider/teachers/{teacher}"),
            vec![("name", "Чужой")],
        ),
        (format!("/provider/teachers/{teacher}/delete"), vec![]),
    ] {
        let page = other.submit("/provider/groups", &path, &fields).await;
        assert_eq!(page.status, 404, "{path}: {}", page.body);
    }
    // Their own list has none of Радуга's teachers.
    let (status, mine, _) = other
        .api(Method::GET, "/api/v1/provider/teachers", None, None)
        .await;
    assert_eq!(status, 200);
    assert!(mine
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["id"].as_i64() != teacher.parse::<i64>().ok()));

    // A parent: 403.
    let mut parent = Browser::new(&app, S);
    parent.login(PARENT, DEMO_PASSWORD).await;
    assert_eq!(parent.get("/provider/groups").await.status, 403);
    assert_eq!(
        parent.get(&format!("/provider/groups/{id}")).await.status,
        403
    );
    assert_eq!(parent.get("/provider/teachers").await.status, 403);
    let (status, _, _) = parent
        .api(
            Method::GET,
            &format!("/api/v1/provider/groups/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 403);
    let parent_csrf = parent.get("/cabinet").await.csrf();
    let (status, _, _) = parent
        .api(
            Method::DELETE,
            &format!("/api/v1/provider/groups/{id}"),
            None,
            Some(&parent_csrf),
        )
        .await;
    assert_eq!(status, 403);

    // The other region's host: the Smolensk session is nobody there.
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let staff_csrf = staff.get("/provider/groups").await.csrf();
    let mut elsewhere = staff.on_host(K);
    let (status, _, _) = elsewhere
        .api(
            Method::GET,
            &format!("/api/v1/provider/groups/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 401);
    let (status, _, _) = elsewhere
        .api(
            Method::DELETE,
            &format!("/api/v1/provider/groups/{id}"),
            None,
            Some(&staff_csrf),
        )
        .await;
    assert!(matches!(status, 401 | 403), "{status}");
    assert_ne!(
        elsewhere
            .get(&format!("/provider/groups/{id}"))
            .await
            .status,
        200
    );

    assert_eq!(
        group_of(&app, RADUGA, id).await.unwrap(),
        group,
        "nothing changed"
    );
    assert_eq!(version(&app).await, before);

    // The organization's API token: teachers and groups, without a cookie or CSRF.
    let out = env
        .cli(&[
            "token", "add", "--region", "smolensk", "--email", PROVIDER, "--name", "1С",
        ])
        .await
        .unwrap();
    let token = out.lines().nth(1).unwrap().trim().to_owned();
    let call = |method: Method, path: String, body: Option<serde_json::Value>| {
        let (app, token) = (&app, token.clone());
        async move {
            let mut req = app
                .client()
                .request(method, format!("http://{}{path}", app.addr))
                .header("Host", S)
                .header("Authorization", format!("Bearer {token}"));
            if let Some(b) = body {
                req = req.json(&b);
            }
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            (
                status,
                resp.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };
    let (status, added) = call(
        Method::POST,
        "/api/v1/provider/teachers".into(),
        Some(json!({ "name": "Орлов Игорь Олегович", "position": "тренер" })),
    )
    .await;
    assert_eq!(status, 200, "{added}");
    let orlov = added["id"].as_i64().unwrap();
    let mut body = body;
    body["name"] = json!("Группа через API");
    body["teacher_ids"] = json!([orlov]);
    body["sessions"] = json!([
        { "weekday": 6, "starts": "10:00", "ends": "11:30", "date_from": "2026-09-05", "date_to": "2026-12-26" }
    ]);
    let (status, created) = call(
        Method::POST,
        format!("/api/v1/provider/programs/{CHESS}/groups"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(
        created["schedule"],
        "Сб 10:00–11:30 (с 05.09.2026 по 26.12.2026)"
    );
    let new_id = created["id"].as_i64().unwrap();
    body["capacity"] = json!(25);
    let (status, saved) = call(
        Method::PUT,
        format!("/api/v1/provider/groups/{new_id}"),
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["capacity"], 25);
    let (status, list) = call(
        Method::GET,
        format!("/api/v1/provider/programs/{CHESS}/groups"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(list.as_array().unwrap().iter().any(|g| g["id"] == new_id));
    let (status, refused) = call(
        Method::DELETE,
        format!("/api/v1/provider/teachers/{orlov}"),
        None,
    )
    .await;
    assert_eq!(status, 409, "{refused}");
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("«Группа через API»"));
    let (status, closed) = call(
        Method::POST,
        format!("/api/v1/provider/groups/{new_id}/status"),
        Some(json!({ "status": "closed" })),
    )
    .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["status"], "closed");
    let (status, _) = call(
        Method::DELETE,
        format!("/api/v1/provider/groups/{new_id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        Method::DELETE,
        format!("/api/v1/provider/teachers/{orlov}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
}
