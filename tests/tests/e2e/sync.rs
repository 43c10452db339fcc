//! Catalog sync by API as an organization's own system (1С, a CRM) does it, with the
//! organization's token: programs and groups created and saved by its ids, the same body
//! twice changing nothing, `If-Match` refusing to overwrite a change made since (412), and
//! the change list telling it what staff and moderators did (a deleted group too). Nobody
//! else reaches them: another organization (its ids are its own), the other region's host,
//! a parent, nobody logged in.

use platform::accounts::values::Role;
use platform::demo::accounts::DEMO_PASSWORD;
use reqwest::Method;
use serde_json::{json, Value};
use tests::browser::Browser;
use tests::catalog::smolensk::{CHESS, OLIMP, RADUGA};
use tests::{TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
const MUNICIPAL: &str = "municipal@smolensk.demo.navigator.local";
const PARENT: &str = "parent@smolensk.demo.navigator.local";
const OLIMP_STAFF: &str = "staff@olimp.example.ru";

async fn spawn() -> (TestEnv, TestApp) {
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

fn smolensk(app: &TestApp) -> platform::tenant_id::TenantId {
    app.state.registry.by_slug("smolensk").expect("smolensk").id
}

async fn token(env: &TestEnv, email: &str) -> String {
    let out = env
        .cli(&[
            "token", "add", "--region", "smolensk", "--email", email, "--name", "1С",
        ])
        .await
        .unwrap();
    out.lines().nth(1).unwrap().trim().to_owned()
}

/// An answer: status, `ETag`, body.
struct Answer {
    status: u16,
    etag: Option<String>,
    body: Value,
}

/// The organization's system calling with its token on `host`.
struct Crm<'a> {
    app: &'a TestApp,
    host: &'static str,
    token: Option<String>,
}

impl Crm<'_> {
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> Answer {
        let mut req = self
            .app
            .client()
            .request(method, format!("http://{}{path}", self.app.addr))
            .header("Host", self.host);
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        if let Some(m) = if_match {
            req = req.header("If-Match", m);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let etag = resp
            .headers()
            .get("etag")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = resp.json::<Value>().await.unwrap_or_default();
        Answer { status, etag, body }
    }

    async fn put(&self, path: &str, body: &Value, if_match: Option<&str>) -> Answer {
        self.call(Method::PUT, path, Some(body), if_match).await
    }

    async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None, None).await
    }
}

fn card(title: &str) -> Value {
    json!({
        "title": title, "short_title": "Юный эколог", "announce": "Анонс",
        "description": "Описание", "goals": "Цели", "results": "Результаты",
        "direction": "natural_science", "profile_id": "ecology", "level": "start",
        "program_type": "general", "age_min": 8, "age_max": 12, "duration_months": 9,
        "hours": 72, "study_form": "full_time", "ovz_kinds": [], "financing": ["free"],
        "group_min": 5, "group_max": 12,
    })
}

/// A group of Радуга's (its first place and teacher) for `program`.
async fn group(app: &TestApp, program: Value, capacity: i64) -> Value {
    let tenant = smolensk(app);
    let places = platform::organizations::store::places(&app.state.db, tenant, RADUGA)
        .await
        .unwrap();
    let teachers = platform::groups::store::teachers(&app.state.db, tenant, RADUGA)
        .await
        .unwrap();
    let mut body = json!({
        "group": {
            "name": "Экологи, 1 год", "age_min": 8, "age_max": 10, "capacity": capacity,
            "study_from": "2026-09-01", "study_to": "2027-05-31",
            "enroll_from": "2026-08-20", "enroll_to": "2026-09-30",
            "place_id": places[0].id, "teacher_ids": [teachers[0].id],
            "sessions": [{ "weekday": 2, "starts": "15:00", "ends": "16:30" }],
        }
    });
    body.as_object_mut()
        .unwrap()
        .extend(program.as_object().unwrap().clone());
    body
}

async fn counts(app: &TestApp) -> (i64, i64, i64) {
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap()
    };
    (
        count("SELECT COUNT(*) FROM programs").await,
        count("SELECT COUNT(*) FROM study_groups").await,
        count("SELECT COUNT(*) FROM audit_log").await,
    )
}

const P1: &str = "/api/v1/provider/programs/by-external-id/ПР-000123";
const G1: &str = "/api/v1/provider/groups/by-external-id/ГР-1";
const G2: &str = "/api/v1/provider/groups/by-external-id/ГР-2";

#[tokio::test]
async fn a_crm_keeps_programs_and_groups_in_step_by_its_ids() {
    let (env, app) = spawn().await;
    let crm = Crm {
        app: &app,
        host: S,
        token: Some(token(&env, PROVIDER).await),
    };
    let version = || async {
        platform::catalog::store::version(&app.state.db, smolensk(&app))
            .await
            .unwrap()
    };

    // Created under the organization's id, as a draft, with its version as `ETag`.
    let created = crm.put(P1, &card("Юный эколог"), None).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["outcome"], "created");
    assert_eq!(created.body["external_id"], "ПР-000123");
    assert_eq!(created.body["program"]["status"], "draft");
    let id = created.body["program"]["id"].as_i64().unwrap();
    let first = created.etag.clone().unwrap();
    assert_eq!(
        first,
        format!(
            "\"{}\"",
            created.body["program"]["version"].as_str().unwrap()
        )
    );

    // The same body again: nothing written, and it says so.
    let before = counts(&app).await;
    let again = crm.put(P1, &card("Юный эколог"), None).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["outcome"], "unchanged");
    assert_eq!(again.etag.as_deref(), Some(first.as_str()));
    assert_eq!(counts(&app).await, before, "nothing written");
    let read = crm.get(P1).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.etag.as_deref(), Some(first.as_str()));
    assert_eq!(read.body["program"]["id"], id);

    // Saved with the version it read; then a write with that old version is 412.
    let saved = crm.put(P1, &card("Юный эколог: лес"), Some(&first)).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.body["outcome"], "updated");
    assert_eq!(saved.body["program"]["card"]["title"], "Юный эколог: лес");
    let second = saved.etag.clone().unwrap();
    assert_ne!(second, first);
    let before = counts(&app).await;
    let stale = crm.put(P1, &card("Юный эколог: поле"), Some(&first)).await;
    assert_eq!(stale.status, 412, "{}", stale.body);
    assert_eq!(
        stale.etag.as_deref(),
        Some(second.as_str()),
        "the current one"
    );
    assert!(stale.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("запросите их заново"));
    assert_eq!(counts(&app).await, before, "nothing written");
    // `If-Match` on an id with nothing under it: 412, nothing created.
    let none = crm
        .put(
            "/api/v1/provider/programs/by-external-id/ПР-нет",
            &card("Новая"),
            Some("*"),
        )
        .await;
    assert_eq!(none.status, 412, "{}", none.body);
    assert_eq!(none.etag, None);
    assert_eq!(counts(&app).await, before);
    // A bad id names its field.
    let bad = crm
        .put(
            "/api/v1/provider/programs/by-external-id/%20ПР",
            &card("Новая"),
            None,
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(bad.body["error"]["field"], "external_id");

    // Groups: by the program's external id or by ours; the same again is unchanged.
    let v = version().await;
    let g = group(&app, json!({ "program_external_id": "ПР-000123" }), 12).await;
    let made = crm.put(G1, &g, None).await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.body["group"]["program_id"], id);
    assert!(version().await > v, "the catalog follows");
    let g1 = made.body["group"]["id"].as_i64().unwrap();
    let same = crm.put(G1, &g, made.etag.as_deref()).await;
    assert_eq!(same.status, 200, "{}", same.body);
    assert_eq!(same.body["outcome"], "unchanged");
    let bigger = group(&app, json!({ "program_external_id": "ПР-000123" }), 15).await;
    let more = crm.put(G1, &bigger, same.etag.as_deref()).await;
    assert_eq!(more.status, 200, "{}", more.body);
    assert_eq!(more.body["outcome"], "updated");
    assert_eq!(more.body["group"]["capacity"], 15);
    let stale = crm.put(G1, &g, same.etag.as_deref()).await;
    assert_eq!(stale.status, 412, "{}", stale.body);
    let read = crm.get(G1).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["group"]["capacity"], 15);
    assert_eq!(read.etag, more.etag);
    // A group does not move to another program; its program is named once.
    let moved = crm
        .put(
            G1,
            &group(&app, json!({ "program_id": CHESS }), 15).await,
            None,
        )
        .await;
    assert_eq!(moved.status, 400, "{}", moved.body);
    assert_eq!(moved.body["error"]["field"], "program_id");
    for refs in [
        json!({}),
        json!({ "program_id": CHESS, "program_external_id": "ПР-000123" }),
    ] {
        let answer = crm.put(G2, &group(&app, refs, 10).await, None).await;
        assert_eq!(answer.status, 400, "{}", answer.body);
        assert_eq!(answer.body["error"]["field"], "program_external_id");
    }
    // Ages outside the program's: the group form's rule, naming the field.
    let mut young = group(&app, json!({ "program_id": CHESS }), 10).await;
    young["group"]["age_min"] = json!(3);
    let answer = crm.put(G2, &young, None).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.body["error"]["field"], "age_min");
    let chess = crm
        .put(
            G2,
            &group(&app, json!({ "program_id": CHESS }), 10).await,
            None,
        )
        .await;
    assert_eq!(chess.status, 201, "{}", chess.body);
    let g2 = chess.body["group"]["id"].as_i64().unwrap();

    // The change list: what was done, with the organization's ids.
    let list = crm.get("/api/v1/provider/changes").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let changes = list.body["changes"].as_array().unwrap().clone();
    let find = |action: &str, kind: &str, id: i64| {
        changes
            .iter()
            .find(|c| c["action"] == action && c["kind"] == kind && c["id"] == id)
            .cloned()
    };
    let create = find("program.create", "program", id).expect("program.create");
    assert_eq!(create["external_id"], "ПР-000123");
    assert_eq!(create["by"], "staff");
    assert_eq!(
        find("group.add", "group", g1).unwrap()["external_id"],
        "ГР-1"
    );
    assert!(find("program.edit", "program", id).is_some());
    let next = list.body["next"].as_i64().unwrap();
    assert_eq!(next, changes.last().unwrap()["cursor"].as_i64().unwrap());
    let empty = crm
        .get(&format!("/api/v1/provider/changes?since={next}"))
        .await;
    assert_eq!(empty.body["changes"], json!([]));
    assert_eq!(empty.body["next"], next);

    // A moderator returns the program, staff delete a group: both are in the list.
    let submit = crm
        .call(
            Method::POST,
            &format!("/api/v1/provider/programs/{id}/submit"),
            None,
            None,
        )
        .await;
    assert_eq!(submit.status, 200, "{}", submit.body);
    let mut moderator = Browser::new(&app, S);
    moderator.login(MUNICIPAL, DEMO_PASSWORD).await;
    let review = format!("/municipal/moderation/{id}");
    let returned = moderator
        .submit(
            &review,
            &format!("{review}/return"),
            &[("comment", "Уточните возраст детей")],
        )
        .await;
    assert_eq!(returned.status, 303, "{}", returned.body);
    let deleted = crm
        .call(
            Method::DELETE,
            &format!("/api/v1/provider/groups/{g2}"),
            None,
            None,
        )
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    let later = crm
        .get(&format!("/api/v1/provider/changes?since={next}&limit=10"))
        .await;
    let actions: Vec<(String, String, String)> = later.body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["action"].as_str().unwrap().to_owned(),
                c["by"].as_str().unwrap().to_owned(),
                c["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(actions.len(), 3, "{actions:?}");
    assert_eq!(actions[0].0, "program.submit");
    assert_eq!(
        actions[1],
        (
            "program.return".into(),
            "moderator".into(),
            "Уточните возраст детей".into()
        )
    );
    assert_eq!(actions[2].0, "group.delete");
    assert_eq!(later.body["changes"][2]["id"], g2);
    assert_eq!(
        later.body["changes"][2]["external_id"], "ГР-2",
        "a deleted group keeps its id in the list"
    );
    // A deleted group's id may name a new group.
    let again = crm
        .put(
            G2,
            &group(&app, json!({ "program_id": CHESS }), 10).await,
            None,
        )
        .await;
    assert_eq!(again.status, 201, "{}", again.body);
    // A limit out of range is refused, naming it.
    let bad = crm.get("/api/v1/provider/changes?limit=0").await;
    assert_eq!(bad.status, 400, "{}", bad.body);
}

#[tokio::test]
async fn nobody_else_reaches_them_by_external_id() {
    let (env, app) = spawn().await;
    let raduga = Crm {
        app: &app,
        host: S,
        token: Some(token(&env, PROVIDER).await),
    };
    let created = raduga.put(P1, &card("Юный эколог"), None).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["program"]["id"].as_i64().unwrap();
    let made = raduga
        .put(
            G1,
            &group(&app, json!({ "program_id": id }), 12).await,
            None,
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let program = || async {
        platform::programs::store::get(&app.state.db, smolensk(&app), id)
            .await
            .unwrap()
            .unwrap()
            .card
    };
    let before_card = program().await;

    // Another organization: Радуга's ids are not its ids.
    let olimp = Crm {
        app: &app,
        host: S,
        token: Some(token(&env, OLIMP_STAFF).await),
    };
    assert_eq!(olimp.get(P1).await.status, 404);
    assert_eq!(olimp.get(G1).await.status, 404);
    let before = counts(&app).await;
    let foreign = olimp
        .put(
            G1,
            &group(&app, json!({ "program_id": id }), 12).await,
            None,
        )
        .await;
    assert_eq!(foreign.status, 400, "{}", foreign.body);
    assert_eq!(foreign.body["error"]["field"], "program_id");
    let foreign = olimp
        .put(
            G1,
            &group(&app, json!({ "program_external_id": "ПР-000123" }), 12).await,
            None,
        )
        .await;
    assert_eq!(foreign.status, 400, "{}", foreign.body);
    assert_eq!(counts(&app).await, before, "nothing written");
    // Its own program under the same id is its own.
    let own = olimp.put(P1, &card("Олимп: эколог"), None).await;
    assert_eq!(own.status, 201, "{}", own.body);
    assert_ne!(own.body["program"]["id"], id);
    assert_eq!(program().await, before_card, "Радуга's untouched");
    let theirs = olimp.get("/api/v1/provider/changes").await;
    assert!(
        theirs.body["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != id && c["external_id"] != "ГР-1"),
        "{}",
        theirs.body
    );

    // The other region's host: the token is nobody there.
    let elsewhere = Crm {
        app: &app,
        host: K,
        token: raduga.token.clone(),
    };
    assert_eq!(elsewhere.get(P1).await.status, 401);
    assert_eq!(
        elsewhere.put(P1, &card("Чужой регион"), None).await.status,
        401
    );
    assert_eq!(elsewhere.get("/api/v1/provider/changes").await.status, 401);
    // Nobody logged in; a parent.
    let nobody = Crm {
        app: &app,
        host: S,
        token: None,
    };
    assert_eq!(nobody.get(P1).await.status, 401);
    assert_eq!(nobody.get("/api/v1/provider/changes").await.status, 401);
    let mut parent = Browser::new(&app, S);
    parent.login(PARENT, DEMO_PASSWORD).await;
    let csrf = parent.get("/cabinet").await.csrf();
    let (status, _, _) = parent
        .api(Method::PUT, P1, Some(card("Родитель")), Some(&csrf))
        .await;
    assert_eq!(status, 403);
    let (status, _, _) = parent
        .api(Method::GET, "/api/v1/provider/changes", None, None)
        .await;
    assert_eq!(status, 403);
    assert_eq!(program().await, before_card);
    assert_eq!(
        counts(&app).await.0,
        before.0 + 1,
        "only Олимп's own program was added"
    );
}
