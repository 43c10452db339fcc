//! «Сотрудники» and «Токены API» over HTTP: a staff member invites a colleague (the mail, the
//! set-password link, the cabinet), sees who has access and removes it — the removed
//! colleague's session and API token stop at once; tokens made in the cabinet work on the
//! API, are shown once and stop when revoked; admins invite an organization's first staff.
//! Every refusal says why and changes nothing: another organization's staff, the other
//! region's host, a municipal admin out of reach, a parent, nobody, a bad address, the last
//! staff member.

use platform::accounts::values::Role;
use platform::demo::accounts::DEMO_PASSWORD;
use platform::tenant_id::TenantId;
use reqwest::Method;
use serde_json::json;
use tests::browser::{path_of, Browser};
use tests::catalog::smolensk::{KVANTORIUM, OLIMP, RADUGA};
use tests::smtp::SmtpSink;
use tests::{TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
const PARENT: &str = "parent@smolensk.demo.navigator.local";
const MUNICIPAL: &str = "municipal@smolensk.demo.navigator.local";
const REGIONAL: &str = "regional@smolensk.demo.navigator.local";
const OLIMP_STAFF: &str = "staff@olimp.example.ru";
const COLLEAGUE: &str = "petrova@raduga.example.ru";
const NEW_PASSWORD: &str = "Служебный-пароль-1";

async fn spawn() -> (TestEnv, TestApp, SmtpSink) {
    let (env, app, sink) = TestApp::spawn_with_mail().await;
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
    (env, app, sink)
}

fn smolensk(app: &TestApp) -> TenantId {
    app.state.registry.by_slug("smolensk").expect("smolensk").id
}

async fn user(app: &TestApp, email: &str) -> Option<platform::accounts::store::User> {
    platform::accounts::store::user_by_email(&app.state.db, smolensk(app), email)
        .await
        .expect("read")
}

async fn staff_of(app: &TestApp, org: i64) -> Vec<String> {
    platform::staff::store::members(&app.state.db, smolensk(app), org)
        .await
        .expect("members")
        .into_iter()
        .map(|m| m.email)
        .collect()
}

/// What a refusal must leave as it was: the accounts and the audit log of the region.
async fn snapshot(app: &TestApp) -> (i64, i64) {
    let count = |sql: &'static str| async move {
        let (n,): (i64,) = sqlx::query_as(sql)
            .bind(smolensk(app))
            .fetch_one(app.state.db.pool())
            .await
            .expect("count");
        n
    };
    (
        count("SELECT COUNT(*) FROM users WHERE tenant_id = $1").await,
        count("SELECT COUNT(*) FROM audit_log WHERE tenant_id = $1 AND action <> 'login'").await,
    )
}

/// Follows the set-password link of the latest mail to `email` (the `n`-th), sets a
/// password and logs in.
async fn accept<'a>(app: &'a TestApp, sink: &SmtpSink, email: &str, n: usize) -> Browser<'a> {
    let mail = sink.wait_for(email, n).await;
    assert_eq!(mail.subject, "Вам открыт доступ: задайте пароль");
    let link = path_of(&mail.link("/password/reset").expect("link"));
    let mut b = Browser::new(app, S);
    let form = b.get(&link).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let code = link.split("code=").nth(1).expect("code").to_owned();
    let page = b
        .post(
            "/password/reset",
            &[
                ("csrf", &form.csrf()),
                ("code", &code),
                ("password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    b.login(email, NEW_PASSWORD).await;
    b
}

async fn bearer(app: &TestApp, host: &str, path: &str, token: &str) -> u16 {
    Browser::new(app, host)
        .request(Method::GET, path)
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .expect("API call")
        .status()
        .as_u16()
}

/// The token a page shows once: the value of its read-only field.
fn shown_token(body: &str) -> String {
    let marker = "readonly value=\"";
    let start = body.find(marker).expect("the token is shown") + marker.len();
    body[start..start + 64].to_owned()
}

#[tokio::test]
async fn a_colleague_is_invited_works_and_loses_access_at_once() {
    let (_env, app, sink) = spawn().await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let cabinet = staff.get("/provider").await;
    assert!(cabinet.body.contains("href=\"/provider/staff\""));
    assert!(cabinet.body.contains("href=\"/provider/tokens\""));
    let page = staff.get("/provider/staff").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Пригласить сотрудника") && page.body.contains(PROVIDER));
    assert!(page.body.contains("class=\"table-wrap\""));

    let invited = staff
        .submit(
            "/provider/staff",
            "/provider/staff",
            &[
                ("last_name", "Петрова"),
                ("first_name", "Анна"),
                ("email", COLLEAGUE),
            ],
        )
        .await;
    assert_eq!(invited.status, 303, "{}", invited.body);
    assert_eq!(
        invited.location.as_deref(),
        Some("/provider/staff?saved=invited")
    );
    let page = staff.get("/provider/staff?saved=invited").await;
    assert!(page.body.contains("Приглашение отправлено"));
    assert!(page.body.contains("пароль ещё не задан"), "{}", page.body);

    // The colleague sets a password from the mail and works in the organization's cabinet.
    let mut colleague = accept(&app, &sink, COLLEAGUE, 1).await;
    let cabinet = colleague.get("/provider").await;
    assert_eq!(cabinet.status, 200, "{}", cabinet.body);
    assert!(cabinet.body.contains("Радуга"));
    assert_eq!(staff_of(&app, RADUGA).await.len(), 2);

    // The list: both, since today, with the colleague's login; the same in the API.
    let page = staff.get("/provider/staff").await;
    assert!(page.body.contains("Петрова Анна") && !page.body.contains("пароль ещё не задан"));
    let csrf = page.csrf();
    let (status, list, _) = staff
        .api(Method::GET, "/api/v1/provider/staff", None, None)
        .await;
    assert_eq!(status, 200, "{list}");
    let members = list.as_array().expect("a list");
    assert_eq!(members.len(), 2);
    let petrova = members
        .iter()
        .find(|m| m["email"] == COLLEAGUE)
        .expect("the colleague is listed");
    assert_eq!(petrova["password_set"], true);
    assert!(petrova["last_login"].is_string(), "{petrova}");
    assert!(petrova["since_date"]
        .as_str()
        .is_some_and(|d| d.len() == 10 && d.as_bytes()[2] == b'.'));
    let petrova_id = petrova["id"].as_i64().expect("id");

    // The colleague's token, made in the cabinet, works on the API.
    let made = colleague
        .submit("/provider/tokens", "/provider/tokens", &[("name", "1С")])
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let token = shown_token(&made.body);
    assert_eq!(
        bearer(&app, S, "/api/v1/provider/profile", &token).await,
        200
    );

    // Removed: the session and the token stop at once, the account keeps no organization.
    let removed = staff
        .post(
            &format!("/provider/staff/{petrova_id}/remove"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    assert_eq!(
        removed.location.as_deref(),
        Some("/provider/staff?saved=removed")
    );
    let refused = colleague.get("/provider").await;
    assert_eq!(refused.status, 303, "the session is over: {}", refused.body);
    assert_eq!(
        bearer(&app, S, "/api/v1/provider/profile", &token).await,
        401
    );
    let account = user(&app, COLLEAGUE).await.expect("the account stays");
    assert_eq!(account.organization_id, None);
    assert!(account.password_hash.is_none());
    let revoked: (Option<String>,) =
        sqlx::query_as("SELECT revoked_at FROM api_tokens WHERE tenant_id = $1 AND user_id = $2")
            .bind(smolensk(&app))
            .bind(petrova_id)
            .fetch_one(app.state.db.pool())
            .await
            .expect("token row");
    assert!(revoked.0.is_some());
    // The old password opens nothing.
    let mut again = Browser::new(&app, S);
    let login = again
        .submit(
            "/login",
            "/login",
            &[("email", COLLEAGUE), ("password", NEW_PASSWORD)],
        )
        .await;
    assert_ne!(login.status, 303, "{}", login.body);
    assert_eq!(staff_of(&app, RADUGA).await, vec![PROVIDER.to_owned()]);

    // Each grant, removal and token is in the organization's history.
    let history = staff.get("/provider/profile").await;
    for line in [
        "Доступ открыт сотруднику",
        "Доступ сотрудника закрыт",
        "Токен API создан",
    ] {
        assert!(history.body.contains(line), "{line}: {}", history.body);
    }
    let audited: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT action, ip FROM audit_log WHERE tenant_id = $1 AND action IN \
         ('staff.grant', 'staff.remove', 'api_token.create') ORDER BY id",
    )
    .bind(smolensk(&app))
    .fetch_all(app.state.db.pool())
    .await
    .expect("audit");
    let actions: Vec<&str> = audited.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["staff.grant", "api_token.create", "staff.remove"]);
    assert!(audited.iter().all(|(_, ip)| ip.is_some()), "{audited:?}");

    // A former colleague may be invited again: a new link, access anew.
    let reinvited = staff
        .submit(
            "/provider/staff",
            "/provider/staff",
            &[
                ("last_name", "Петрова"),
                ("first_name", "Анна"),
                ("email", COLLEAGUE),
            ],
        )
        .await;
    assert_eq!(reinvited.status, 303, "{}", reinvited.body);
    let mut back = accept(&app, &sink, COLLEAGUE, 2).await;
    assert_eq!(back.get("/provider").await.status, 200);
    // The revoked token stays revoked.
    assert_eq!(
        bearer(&app, S, "/api/v1/provider/profile", &token).await,
        401
    );
}

#[tokio::test]
async fn tokens_are_shown_once_work_and_stop_when_revoked() {
    let (_env, app, _sink) = spawn().await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let page = staff.get("/provider/tokens").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = page.csrf();

    // In the cabinet: a name is needed, and the field says so.
    let before = snapshot(&app).await;
    let empty = staff
        .post("/provider/tokens", &[("csrf", &csrf), ("name", "  ")])
        .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(empty.body.contains("f-name-error") && empty.body.contains("укажите название"));
    assert_eq!(snapshot(&app).await, before);

    let made = staff
        .post("/provider/tokens", &[("csrf", &csrf), ("name", "CRM")])
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    assert_eq!(
        made.set_cookies.len(),
        0,
        "no cookie carries the token either"
    );
    let token = shown_token(&made.body);
    // Shown once: the list has the name and no token; only a digest is stored.
    let list = staff.get("/provider/tokens").await;
    assert!(list.body.contains("CRM") && !list.body.contains(&token));
    assert!(list.body.contains("не использовался"), "{}", list.body);
    let stored: Vec<(String,)> = sqlx::query_as("SELECT hash FROM api_tokens WHERE tenant_id = $1")
        .bind(smolensk(&app))
        .fetch_all(app.state.db.pool())
        .await
        .expect("hashes");
    assert!(stored.iter().all(|(h,)| h != &token));

    assert_eq!(
        bearer(&app, S, "/api/v1/provider/profile", &token).await,
        200
    );
    let list = staff.get("/provider/tokens").await;
    assert!(!list.body.contains("не использовался"), "last use shown");
    // On the other region's host the token is nobody.
    assert_eq!(
        bearer(&app, K, "/api/v1/provider/profile", &token).await,
        401
    );
    // A token cannot manage staff or tokens.
    assert_eq!(
        bearer(&app, S, "/api/v1/provider/tokens", &token).await,
        403
    );
    assert_eq!(bearer(&app, S, "/api/v1/provider/staff", &token).await, 403);

    // Through the API with a session: created (shown in the answer), listed, revoked.
    let (status, created, _) = staff
        .api(
            Method::POST,
            "/api/v1/provider/tokens",
            Some(json!({"name": "1С: выгрузка программ"})),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let api_token = created["token"].as_str().expect("token").to_owned();
    let id = created["info"]["id"].as_i64().expect("id");
    assert_eq!(
        bearer(&app, S, "/api/v1/provider/profile", &api_token).await,
        200
    );
    let (status, listed, page) = staff
        .api(Method::GET, "/api/v1/provider/tokens", None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    assert!(!page.body.contains(&api_token) && !page.body.contains(&token));
    let (status, body, _) = staff
        .api(
            Method::POST,
            "/api/v1/provider/tokens",
            Some(json!({"name": ""})),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "name");

    let (status, revoked, _) = staff
        .api(
            Method::DELETE,
            &format!("/api/v1/provider/tokens/{id}"),
            None,
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 200, "{revoked}");
    assert!(revoked["revoked_at"].is_string());
    assert_eq!(
        bearer(&app, S, "/api/v1/provider/profile", &api_token).await,
        401
    );

    // The cabinet's «Отозвать».
    let first = listed
        .as_array()
        .and_then(|l| l.iter().find(|t| t["name"] == "CRM"))
        .and_then(|t| t["id"].as_i64())
        .expect("the cabinet's token");
    let gone = staff
        .post(
            &format!("/provider/tokens/{first}/revoke"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(gone.status, 303, "{}", gone.body);
    assert_eq!(
        bearer(&app, S, "/api/v1/provider/profile", &token).await,
        401
    );
    let list = staff.get("/provider/tokens?saved=revoked").await;
    assert!(list.body.contains("Отозван"), "{}", list.body);

    // Another organization's token is not found, and stays as it is.
    let mut olimp = Browser::new(&app, S);
    olimp.login(OLIMP_STAFF, DEMO_PASSWORD).await;
    let olimp_csrf = olimp.get("/provider/tokens").await.csrf();
    let (status, _, _) = olimp
        .api(
            Method::POST,
            "/api/v1/provider/tokens",
            Some(json!({"name": "Олимп"})),
            Some(&olimp_csrf),
        )
        .await;
    assert_eq!(status, 200);
    let before = snapshot(&app).await;
    let olimp_tokens = platform::staff::store::tokens(&app.state.db, smolensk(&app), OLIMP)
        .await
        .expect("tokens");
    let theirs = olimp_tokens[0].id;
    let (status, _, _) = staff
        .api(
            Method::DELETE,
            &format!("/api/v1/provider/tokens/{theirs}"),
            None,
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 404);
    let page = staff
        .post(
            &format!("/provider/tokens/{theirs}/revoke"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(snapshot(&app).await, before);
    let still = platform::staff::store::tokens(&app.state.db, smolensk(&app), OLIMP)
        .await
        .expect("tokens");
    assert!(still[0].revoked_at.is_none());
}

#[tokio::test]
async fn refusals_say_why_and_change_nothing() {
    let (_env, app, sink) = spawn().await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let csrf = staff.get("/provider/staff").await.csrf();
    let invite = |email: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("last_name", "Петрова".to_owned()),
            ("first_name", "Анна".to_owned()),
            ("email", email.to_owned()),
        ]
    };
    let before = snapshot(&app).await;

    // Addresses: not an address; another organization's staff; another role; one's own.
    for (email, message) in [
        ("not-an-address", "не похож на адрес электронной почты"),
        (OLIMP_STAFF, "сотруднику другой организации"),
        (PARENT, "с другой ролью"),
        (PROVIDER, "уже есть доступ"),
    ] {
        let fields = invite(email);
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = staff.post("/provider/staff", &refs).await;
        assert_eq!(page.status, 422, "{email}: {}", page.body);
        assert!(page.body.contains("f-email-error"), "{email}");
        assert!(page.body.contains(message), "{email}: {}", page.body);
    }
    let (status, body, _) = staff
        .api(
            Method::POST,
            "/api/v1/provider/staff",
            Some(json!({"email": "@", "last_name": "Петрова", "first_name": ""})),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "email");
    assert_eq!(snapshot(&app).await, before);
    assert_eq!(
        user(&app, OLIMP_STAFF).await.unwrap().organization_id,
        Some(OLIMP)
    );
    assert_eq!(user(&app, PARENT).await.unwrap().role, Role::Parent);

    // Another organization's staff id: not found, still theirs.
    let olimp_id = user(&app, OLIMP_STAFF).await.unwrap().id;
    let page = staff
        .post(
            &format!("/provider/staff/{olimp_id}/remove"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, 404, "{}", page.body);
    let (status, _, _) = staff
        .api(
            Method::DELETE,
            &format!("/api/v1/provider/staff/{olimp_id}"),
            None,
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(staff_of(&app, OLIMP).await, vec![OLIMP_STAFF.to_owned()]);

    // The last staff member: refused with the reason, still there.
    let mut olimp = Browser::new(&app, S);
    olimp.login(OLIMP_STAFF, DEMO_PASSWORD).await;
    let page = olimp
        .submit(
            "/provider/staff",
            &format!("/provider/staff/{olimp_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert!(page.body.contains("последнему сотруднику"), "{}", page.body);
    let olimp_csrf = olimp.get("/provider/staff").await.csrf();
    let (status, body, _) = olimp
        .api(
            Method::DELETE,
            &format!("/api/v1/provider/staff/{olimp_id}"),
            None,
            Some(&olimp_csrf),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("последнему сотруднику")));
    assert_eq!(olimp.get("/provider").await.status, 200, "still logged in");
    // Without the CSRF token nothing is done either.
    let (status, _, _) = olimp
        .api(
            Method::DELETE,
            &format!("/api/v1/provider/staff/{olimp_id}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(snapshot(&app).await, before);

    // The other region's host: the cookie is nobody there.
    let mut elsewhere = staff.on_host(K);
    assert_eq!(elsewhere.get("/provider/staff").await.status, 303);
    let (status, _, _) = elsewhere
        .api(Method::GET, "/api/v1/provider/staff", None, None)
        .await;
    assert_eq!(status, 401);

    // A parent and nobody.
    let mut parent = Browser::new(&app, S);
    parent.login(PARENT, DEMO_PASSWORD).await;
    for path in [
        "/provider/staff",
        "/provider/tokens",
        "/admin/organizations",
    ] {
        assert_eq!(parent.get(path).await.status, 403, "{path}");
    }
    let parent_csrf = parent.get("/cabinet").await.csrf();
    let page = parent
        .post(
            "/provider/staff",
            &[
                ("csrf", parent_csrf.as_str()),
                ("last_name", "Петрова"),
                ("first_name", "Анна"),
                ("email", COLLEAGUE),
            ],
        )
        .await;
    assert_eq!(page.status, 403);
    let page = parent
        .post(
            &format!("/municipal/organizations/{RADUGA}/staff"),
            &[
                ("csrf", parent_csrf.as_str()),
                ("last_name", "Петрова"),
                ("first_name", "Анна"),
                ("email", COLLEAGUE),
            ],
        )
        .await;
    assert_eq!(page.status, 403);
    let mut nobody = Browser::new(&app, S);
    let page = nobody.get("/provider/staff").await;
    assert_eq!(page.status, 303);
    assert!(page
        .location
        .as_deref()
        .is_some_and(|l| l.starts_with("/login")));
    for path in ["/api/v1/provider/staff", "/api/v1/provider/tokens"] {
        let (status, _, _) = nobody.api(Method::GET, path, None, None).await;
        assert_eq!(status, 401, "{path}");
    }
    assert_eq!(snapshot(&app).await, before);
    assert!(user(&app, COLLEAGUE).await.is_none());

    // The municipal admin of Smolensk: Радуга is theirs, Кванториум (Десногорск) is not.
    let mut municipal = Browser::new(&app, S);
    municipal.login(MUNICIPAL, DEMO_PASSWORD).await;
    let page = municipal.get("/municipal").await;
    assert!(page
        .body
        .contains(&format!("/municipal/organizations/{RADUGA}/staff")));
    let theirs = municipal
        .get(&format!("/municipal/organizations/{RADUGA}/staff"))
        .await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    assert!(theirs.body.contains(PROVIDER));
    let m_csrf = theirs.csrf();
    assert_eq!(
        municipal
            .get(&format!("/municipal/organizations/{KVANTORIUM}/staff"))
            .await
            .status,
        404
    );
    let page = municipal
        .post(
            &format!("/municipal/organizations/{KVANTORIUM}/staff"),
            &[
                ("csrf", m_csrf.as_str()),
                ("last_name", "Иванов"),
                ("first_name", "Пётр"),
                ("email", "ivanov@kvantorium.example.ru"),
            ],
        )
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(snapshot(&app).await, before);
    assert!(staff_of(&app, KVANTORIUM).await.is_empty());

    // The regional admin invites Кванториум's first staff member from the list.
    let mut regional = Browser::new(&app, S);
    regional.login(REGIONAL, DEMO_PASSWORD).await;
    let list = regional.get("/admin/organizations").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("Кванториум"));
    assert!(list
        .body
        .contains(&format!("/admin/organizations/{KVANTORIUM}/staff")));
    let bad = regional
        .submit(
            &format!("/admin/organizations/{KVANTORIUM}/staff"),
            &format!("/admin/organizations/{KVANTORIUM}/staff"),
            &[("last_name", ""), ("first_name", "Пётр"), ("email", "x@y")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("f-last_name-error") && bad.body.contains("f-email-error"));
    assert_eq!(snapshot(&app).await, before);
    let done = regional
        .submit(
            &format!("/admin/organizations/{KVANTORIUM}/staff"),
            &format!("/admin/organizations/{KVANTORIUM}/staff"),
            &[
                ("last_name", "Иванов"),
                ("first_name", "Пётр"),
                ("email", "ivanov@kvantorium.example.ru"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let mut first = accept(&app, &sink, "ivanov@kvantorium.example.ru", 1).await;
    let cabinet = first.get("/provider").await;
    assert_eq!(cabinet.status, 200);
    assert!(cabinet.body.contains("Кванториум"));
    // The other region's admin host knows nothing of it.
    assert_eq!(
        regional
            .on_host(K)
            .get(&format!("/admin/organizations/{KVANTORIUM}/staff"))
            .await
            .status,
        303
    );
}
