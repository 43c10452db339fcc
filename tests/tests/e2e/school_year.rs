//! «Новый учебный год» and the actions on many groups over HTTP: staff copy programs with
//! their groups into the next school year (drafts, dates a year on, 29 February to 28,
//! seats free, the same teachers, place, prices and schedule; the originals untouched; the
//! same program is not copied twice for one year); they open, close and give an
//! enrollment window to many groups at once, each with its history row, or — when one
//! group breaks a rule — to none, the message naming the group; nobody else copies or
//! changes anything; and a group whose study has ended takes no application and closes by
//! itself.

use chrono::{Datelike, Months, NaiveDate};
use platform::accounts::history;
use platform::demo::accounts::DEMO_PASSWORD;
use platform::groups::store::{self, GroupRow, GroupStatus};
use platform::programs::store as programs;
use reqwest::Method;
use serde_json::json;
use tests::browser::Browser;
use tests::catalog::smolensk::{CHESS, ECOLOGY, OLIMP, RADUGA, VOCAL};
use tests::TestApp;

use crate::groups::{
    group_fields, group_of, place_and_teacher, smolensk, spawn, version, K, OLIMP_STAFF, PARENT,
    PROVIDER, S,
};

/// Fixture groups of Радуга: Шахматы's one, Вокал's two.
const CHESS_GROUP: i64 = 1;
const VOCAL_GROUPS: [i64; 2] = [3, 4];
/// Олимп's group of «Юный эколог».
const ECOLOGY_GROUP: i64 = 6;

fn d(raw: &str) -> NaiveDate {
    raw.parse().unwrap()
}

/// Text as the templates escape it.
fn html(text: &str) -> String {
    text.replace('/', "&#x2f;")
}

fn year_on(date: NaiveDate) -> NaiveDate {
    date.checked_add_months(Months::new(12)).unwrap()
}

async fn history_of(app: &TestApp, subject: &str) -> Vec<String> {
    history::of_subject(&app.state.db, smolensk(app), subject)
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {}", e.action, e.detail))
        .collect()
}

async fn program_count(app: &TestApp, org: i64) -> usize {
    programs::of_organization(&app.state.db, smolensk(app), org)
        .await
        .unwrap()
        .len()
}

async fn groups_of(app: &TestApp, org: i64, program: i64) -> Vec<GroupRow> {
    store::groups_of(&app.state.db, smolensk(app), org, program)
        .await
        .unwrap()
}

/// Gives Шахматы's group study dates through 29 February and a dated schedule row, by
/// its form.
async fn leap_year_group(app: &TestApp, staff: &mut Browser<'_>) {
    let (place, teacher) = place_and_teacher(app, RADUGA).await;
    let page = format!("/provider/groups/{CHESS_GROUP}");
    let saved = staff
        .submit(
            &page,
            &page,
            &group_fields(
                &place,
                &[&teacher],
                &[
                    ("study_from", "2027-09-01"),
                    ("study_to", "2028-02-29"),
                    ("enroll_from", "2027-08-20"),
                    ("enroll_to", "2027-09-30"),
                    ("s1_from", "2027-09-01"),
                    ("s1_to", "2028-02-29"),
                ],
            ),
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
}

#[tokio::test]
async fn programs_are_copied_with_their_groups_into_the_next_school_year() {
    let (_env, app) = spawn().await;
    let tenant = smolensk(&app);
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    leap_year_group(&app, &mut staff).await;

    let list = staff.get("/provider/programs").await;
    assert!(list.body.contains("href=\"/provider/programs/new-year\""));
    let page = staff.get("/provider/programs/new-year").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page
        .body
        .contains("<legend>Программы для нового учебного года</legend>"));
    assert!(page.body.contains(&format!("for=\"p-{CHESS}\"")));
    assert!(
        page.body.contains(&html("на 2028/29 учебный год")),
        "{}",
        page.body
    );
    assert!(!page.body.contains(" checked"));
    let all = staff.get("/provider/programs/new-year?all=1").await;
    for id in [CHESS, VOCAL] {
        assert!(
            all.body
                .contains(&format!("name=\"program_ids\" value=\"{id}\" checked")),
            "{}",
            all.body
        );
    }

    let chess_before = groups_of(&app, RADUGA, CHESS).await;
    let vocal_before = groups_of(&app, RADUGA, VOCAL).await;
    let before = version(&app).await;
    let count = program_count(&app, RADUGA).await;

    // Nothing marked: refused, nothing made.
    let none = staff
        .submit(
            "/provider/programs/new-year",
            "/provider/programs/new-year",
            &[],
        )
        .await;
    assert_eq!(none.status, 422, "{}", none.body);
    assert!(none.body.contains("отметьте хотя бы одну программу"));

    // Шахматы marked twice is copied once.
    let copied = staff
        .submit(
            "/provider/programs/new-year",
            "/provider/programs/new-year",
            &[
                ("program_ids", &CHESS.to_string()),
                ("program_ids", &VOCAL.to_string()),
                ("program_ids", &CHESS.to_string()),
            ],
        )
        .await;
    assert_eq!(copied.status, 303, "{}", copied.body);
    let location = copied.location.clone().unwrap();
    assert!(location.contains("copied=2&groups=3"), "{location}");
    let done = staff.get(&location).await;
    assert!(done.body.contains("Скопировано программ: 2, групп: 3."));
    assert_eq!(program_count(&app, RADUGA).await, count + 2);
    assert_eq!(version(&app).await, before + 1);

    let all_programs = programs::of_organization(&app.state.db, tenant, RADUGA)
        .await
        .unwrap();
    let copy_of = |title: &str| {
        all_programs
            .iter()
            .filter(|p| p.card.title == title && p.id > 7)
            .map(|p| p.id)
            .collect::<Vec<_>>()
    };
    let original = |id: i64| all_programs.iter().find(|p| p.id == id).unwrap();
    let chess_copy = copy_of(&original(CHESS).card.title);
    let vocal_copy = copy_of(&original(VOCAL).card.title);
    assert_eq!((chess_copy.len(), vocal_copy.len()), (1, 1));
    let (chess_copy, vocal_copy) = (chess_copy[0], vocal_copy[0]);
    for id in [chess_copy, vocal_copy] {
        let p = all_programs.iter().find(|p| p.id == id).unwrap();
        assert_eq!(
            p.status,
            platform::catalog::model::ProgramStatus::Draft,
            "{id}"
        );
    }
    assert_eq!(
        original(CHESS).card,
        all_programs
            .iter()
            .find(|p| p.id == chess_copy)
            .unwrap()
            .card
    );

    // Шахматы's group: a year on, 29 February to 28; seats free; the rest the same.
    let copies = groups_of(&app, RADUGA, chess_copy).await;
    assert_eq!(copies.len(), 1);
    let (old, new) = (&chess_before[0], &copies[0]);
    assert_eq!(
        (new.study_from, new.study_to),
        (d("2028-09-01"), d("2029-02-28"))
    );
    assert_eq!(
        (new.enroll_from, new.enroll_to),
        (d("2028-08-20"), d("2028-09-30"))
    );
    assert_eq!(new.seats_taken, 0);
    assert_eq!(new.status, GroupStatus::Open);
    assert_eq!(
        (
            &new.name,
            new.capacity,
            new.place_id,
            &new.teacher_ids,
            new.price_certificate,
            new.price_paid
        ),
        (
            &old.name,
            old.capacity,
            old.place_id,
            &old.teacher_ids,
            old.price_certificate,
            old.price_paid
        )
    );
    assert_eq!(new.sessions.len(), 2);
    for (a, b) in old.sessions.iter().zip(&new.sessions) {
        assert_eq!((a.weekday, a.start, a.end), (b.weekday, b.start, b.end));
        assert_eq!(a.from.map(year_on), b.from);
    }
    assert_eq!(new.sessions[1].to, Some(d("2029-02-28")));

    // Вокал's two groups (one of them with seats taken in the fixture).
    let copies = groups_of(&app, RADUGA, vocal_copy).await;
    assert_eq!(copies.len(), 2);
    for (old, new) in vocal_before.iter().zip(&copies) {
        assert_eq!(new.study_from, year_on(old.study_from));
        assert_eq!(new.study_to, year_on(old.study_to));
        assert_eq!(new.enroll_from, year_on(old.enroll_from));
        assert_eq!(new.enroll_to, year_on(old.enroll_to));
        assert_eq!(new.sessions, old.sessions, "no dated rows: the same");
        assert_eq!((new.seats_taken, old.seats_taken > 0), (0, true));
    }

    // The originals are as they were.
    assert_eq!(groups_of(&app, RADUGA, CHESS).await, chess_before);
    assert_eq!(groups_of(&app, RADUGA, VOCAL).await, vocal_before);

    // Histories: the copies say what they copy, the organization's says how many.
    let year = chess_before[0].study_from.year() + 1;
    let label = format!("{year}/{:02}", (year + 1) % 100);
    assert!(history_of(&app, &format!("program:{chess_copy}"))
        .await
        .contains(&format!(
            "program.create копия программы № {CHESS} на {label} учебный год"
        )));
    assert!(history_of(&app, &format!("group:{}", copies[0].id))
        .await
        .iter()
        .any(|l| l.starts_with(&format!("group.add копия группы № {}", VOCAL_GROUPS[0]))));
    let org = history_of(&app, &format!("organization:{RADUGA}")).await;
    assert!(
        org.iter()
            .any(|l| l.starts_with("school_year.copy") && l.contains("программ — 2, групп — 3")),
        "{org:?}"
    );
    let profile = staff.get("/provider/profile").await;
    assert!(
        profile.body.contains("Новый учебный год"),
        "{}",
        profile.body
    );

    // Copied already: the page says so, and a copy sent again is refused, nothing made.
    let page = staff.get("/provider/programs/new-year?all=1").await;
    assert!(page
        .body
        .contains(&html(&format!("уже скопирована на {label}"))));
    assert!(!page.body.contains(&format!("value=\"{CHESS}\" checked")));
    let again = staff
        .submit(
            "/provider/programs/new-year",
            "/provider/programs/new-year",
            &[("program_ids", &CHESS.to_string())],
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("уже скопирована"), "{}", again.body);
    assert!(again.body.contains(&format!("№ {chess_copy}")));
    let csrf = staff.get("/provider/programs").await.csrf();
    let (status, reply, _) = staff
        .api(
            Method::POST,
            "/api/v1/provider/programs/new-year",
            Some(json!({ "program_ids": [VOCAL] })),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 409, "{reply}");
    assert_eq!(program_count(&app, RADUGA).await, count + 2);

    // The API copies the copy into the year after: the same rules.
    let (status, reply, _) = staff
        .api(
            Method::POST,
            "/api/v1/provider/programs/new-year",
            Some(json!({ "program_ids": [chess_copy] })),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["programs_copied"], 1);
    assert_eq!(reply["groups_copied"], 1);
    assert_eq!(reply["programs"][0]["program_id"], chess_copy);
    assert_eq!(reply["programs"][0]["school_year"], "2029/30");
    let third = reply["programs"][0]["copy_id"].as_i64().unwrap();
    let groups = groups_of(&app, RADUGA, third).await;
    assert_eq!(
        (groups[0].study_from, groups[0].study_to),
        (d("2029-09-01"), d("2030-02-28"))
    );
}

#[tokio::test]
async fn many_groups_change_at_once_or_none_does() {
    let (_env, app) = spawn().await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let page = format!("/provider/programs/{VOCAL}/groups");

    let list = staff.get(&format!("{page}?all=1")).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("<legend>Группы программы</legend>"));
    assert!(list.body.contains("<div class=\"table-wrap\">"));
    for id in VOCAL_GROUPS {
        assert!(list
            .body
            .contains(&format!("name=\"group_ids\" value=\"{id}\" checked")));
        assert!(list.body.contains(&format!("for=\"g-{id}\"")));
    }
    assert!(list.body.contains("Задать сроки записи"));
    assert!(list.body.contains("for=\"f-enroll_from\""));

    // «Закрыть набор» for both of Вокал's groups, from the page.
    let before = version(&app).await;
    let closed = staff
        .submit(
            &page,
            "/provider/groups/bulk",
            &[
                ("program_id", &VOCAL.to_string()),
                ("group_ids", "3"),
                ("group_ids", "4"),
                ("action", "close"),
            ],
        )
        .await;
    assert_eq!(closed.status, 303, "{}", closed.body);
    let back = staff.get(closed.location.as_deref().unwrap()).await;
    assert!(
        back.body.contains("Набор закрыт: изменено групп — 2."),
        "{}",
        back.body
    );
    assert_eq!(version(&app).await, before + 1);
    for id in VOCAL_GROUPS {
        let g = group_of(&app, RADUGA, id).await.unwrap();
        assert_eq!(g.status, GroupStatus::Closed);
        assert!(history_of(&app, &format!("group:{id}"))
            .await
            .contains(&"group.status статус: Набор открыт → Набор закрыт".to_owned()));
    }

    // «Открыть набор» by the API for three groups: Шахматы's is open already.
    let csrf = staff.get(&page).await.csrf();
    let three = [CHESS_GROUP, VOCAL_GROUPS[0], VOCAL_GROUPS[1]];
    let (status, reply, _) = staff
        .api(
            Method::POST,
            "/api/v1/provider/groups/bulk",
            Some(json!({ "group_ids": three, "action": "open" })),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["changed"], 2);
    assert_eq!(reply["groups"].as_array().unwrap().len(), 3);
    assert!(reply["groups"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["status"] == "open"));

    // «Задать сроки записи» for the three.
    let (status, reply, _) = staff
        .api(
            Method::POST,
            "/api/v1/provider/groups/bulk",
            Some(json!({
                "group_ids": three, "action": "window",
                "enroll_from": "2030-01-10", "enroll_to": "2030-01-20",
            })),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["changed"], 3);
    for id in three {
        let g = group_of(&app, RADUGA, id).await.unwrap();
        assert_eq!(
            (g.enroll_from, g.enroll_to),
            (d("2030-01-10"), d("2030-01-20"))
        );
        assert!(history_of(&app, &format!("group:{id}"))
            .await
            .contains(&"group.edit период записи".to_owned()));
    }

    // A window that ends before it begins: the field and the group named, nothing changed.
    let groups_before: Vec<GroupRow> = {
        let mut v = Vec::new();
        for id in three {
            v.push(group_of(&app, RADUGA, id).await.unwrap());
        }
        v
    };
    let before = version(&app).await;
    let (status, reply, _) = staff
        .api(
            Method::POST,
            "/api/v1/provider/groups/bulk",
            Some(json!({
                "group_ids": three, "action": "window",
                "enroll_from": "2030-02-01", "enroll_to": "2030-01-01",
            })),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 400, "{reply}");
    assert_eq!(reply["error"]["field"], "enroll_to", "{reply}");
    let name = &groups_before[0].name;
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("Группа «{name}»")),
        "{reply}"
    );
    let on_page = staff
        .submit(
            &page,
            "/provider/groups/bulk",
            &[
                ("program_id", &VOCAL.to_string()),
                ("group_ids", "3"),
                ("group_ids", "4"),
                ("action", "window"),
                ("enroll_from", "01.02.2030"),
                ("enroll_to", "не дата"),
            ],
        )
        .await;
    assert_eq!(on_page.status, 422, "{}", on_page.body);
    assert!(on_page.body.contains("«не дата»: дата окончания записи"));
    assert!(on_page
        .body
        .contains(&format!("Группа «{}»", groups_before[1].name)));
    // The marks and the typed dates are kept.
    assert!(on_page.body.contains("value=\"3\" checked"));
    assert!(on_page.body.contains("value=\"не дата\""));
    // Nothing marked.
    let none = staff
        .submit(
            &page,
            "/provider/groups/bulk",
            &[("program_id", &VOCAL.to_string()), ("action", "open")],
        )
        .await;
    assert_eq!(none.status, 422, "{}", none.body);
    assert!(none.body.contains("отметьте хотя бы одну группу"));
    for (id, old) in three.iter().zip(&groups_before) {
        assert_eq!(&group_of(&app, RADUGA, *id).await.unwrap(), old);
    }
    assert_eq!(version(&app).await, before);
}

#[tokio::test]
async fn nobody_else_copies_or_changes_them() {
    let (_env, app) = spawn().await;
    let count = program_count(&app, RADUGA).await;
    let chess = group_of(&app, RADUGA, CHESS_GROUP).await.unwrap();
    let ecology = group_of(&app, OLIMP, ECOLOGY_GROUP).await.unwrap();
    let olimp_count = program_count(&app, OLIMP).await;
    let before = version(&app).await;

    // Another organization's staff: 404, and their own program marked with it is not
    // copied either.
    let mut other = Browser::new(&app, S);
    other.login(OLIMP_STAFF, DEMO_PASSWORD).await;
    let page = other
        .submit(
            "/provider/programs/new-year",
            "/provider/programs/new-year",
            &[
                ("program_ids", &ECOLOGY.to_string()),
                ("program_ids", &CHESS.to_string()),
            ],
        )
        .await;
    assert_eq!(page.status, 404, "{}", page.body);
    let csrf = other.get("/provider/programs").await.csrf();
    for (path, body) in [
        (
            "/api/v1/provider/programs/new-year",
            json!({ "program_ids": [ECOLOGY, CHESS] }),
        ),
        (
            "/api/v1/provider/groups/bulk",
            json!({ "group_ids": [ECOLOGY_GROUP, CHESS_GROUP], "action": "close" }),
        ),
    ] {
        let (status, reply, _) = other.api(Method::POST, path, Some(body), Some(&csrf)).await;
        assert_eq!(status, 404, "{path}: {reply}");
    }
    let page = other
        .submit(
            "/provider/programs/new-year",
            "/provider/groups/bulk",
            &[
                ("program_id", &ECOLOGY.to_string()),
                ("group_ids", &ECOLOGY_GROUP.to_string()),
                ("group_ids", &CHESS_GROUP.to_string()),
                ("action", "close"),
            ],
        )
        .await;
    assert_eq!(page.status, 404, "{}", page.body);

    // A parent: 403.
    let mut parent = Browser::new(&app, S);
    parent.login(PARENT, DEMO_PASSWORD).await;
    assert_eq!(parent.get("/provider/programs/new-year").await.status, 403);
    let parent_csrf = parent.get("/cabinet").await.csrf();
    for (path, body) in [
        (
            "/api/v1/provider/programs/new-year",
            json!({ "program_ids": [CHESS] }),
        ),
        (
            "/api/v1/provider/groups/bulk",
            json!({ "group_ids": [CHESS_GROUP], "action": "close" }),
        ),
    ] {
        let (status, reply, _) = parent
            .api(Method::POST, path, Some(body), Some(&parent_csrf))
            .await;
        assert_eq!(status, 403, "{path}: {reply}");
    }

    // The other region's host: the Smolensk session is nobody there.
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let staff_csrf = staff.get("/provider/programs").await.csrf();
    let mut elsewhere = staff.on_host(K);
    assert_ne!(
        elsewhere.get("/provider/programs/new-year").await.status,
        200
    );
    for (path, body) in [
        (
            "/api/v1/provider/programs/new-year",
            json!({ "program_ids": [CHESS] }),
        ),
        (
            "/api/v1/provider/groups/bulk",
            json!({ "group_ids": [CHESS_GROUP], "action": "close" }),
        ),
    ] {
        let (status, reply, _) = elsewhere
            .api(Method::POST, path, Some(body), Some(&staff_csrf))
            .await;
        assert!(matches!(status, 401 | 403), "{path}: {status} {reply}");
    }

    // Bad bodies are 4xx, never 500.
    for body in [
        json!({ "program_ids": [] }),
        json!({ "program_ids": "1" }),
        json!({}),
    ] {
        let (status, reply, _) = staff
            .api(
                Method::POST,
                "/api/v1/provider/programs/new-year",
                Some(body.clone()),
                Some(&staff_csrf),
            )
            .await;
        assert_eq!(status, 400, "{body}: {reply}");
    }
    for body in [
        json!({ "group_ids": [], "action": "open" }),
        json!({ "group_ids": [1], "action": "archive" }),
        json!({ "group_ids": [1], "action": "window" }),
    ] {
        let (status, reply, _) = staff
            .api(
                Method::POST,
                "/api/v1/provider/groups/bulk",
                Some(body.clone()),
                Some(&staff_csrf),
            )
            .await;
        assert_eq!(status, 400, "{body}: {reply}");
    }

    assert_eq!(program_count(&app, RADUGA).await, count);
    assert_eq!(program_count(&app, OLIMP).await, olimp_count);
    assert_eq!(group_of(&app, RADUGA, CHESS_GROUP).await.unwrap(), chess);
    assert_eq!(group_of(&app, OLIMP, ECOLOGY_GROUP).await.unwrap(), ecology);
    assert_eq!(version(&app).await, before);
}

#[tokio::test]
async fn a_group_closes_when_its_study_ends() {
    let (_env, app) = spawn().await;
    let tenant = app.state.registry.by_slug("smolensk").unwrap();
    let today = tenant.today(&app.state.clock);
    let (place, teacher) = place_and_teacher(&app, RADUGA).await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    // Шахматы's group: study ends the day after tomorrow, enrollment goes on for a month.
    let (study_from, study_to) = (
        (today - chrono::Duration::days(30)).to_string(),
        (today + chrono::Duration::days(2)).to_string(),
    );
    let (enroll_from, enroll_to) = (
        (today - chrono::Duration::days(30)).to_string(),
        (today + chrono::Duration::days(30)).to_string(),
    );
    let page = format!("/provider/groups/{CHESS_GROUP}");
    let saved = staff
        .submit(
            &page,
            &page,
            &group_fields(
                &place,
                &[&teacher],
                &[
                    ("study_from", &study_from),
                    ("study_to", &study_to),
                    ("enroll_from", &enroll_from),
                    ("enroll_to", &enroll_to),
                    ("s1_from", ""),
                    ("s1_to", ""),
                ],
            ),
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    // Three days on, the study is over.
    app.state
        .clock
        .set(app.state.clock.now() + chrono::Duration::days(3));
    let ended = platform::time::day(today + chrono::Duration::days(2));
    // Sessions age with the clock: log in afresh.
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;

    // A parent applies: refused with the reason, whether or not the task ran yet.
    let mut parent = Browser::new(&app, S);
    parent.login(PARENT, DEMO_PASSWORD).await;
    let born = (today - chrono::Duration::days(9 * 366)).to_string();
    let child = parent
        .submit(
            "/cabinet/children/new",
            "/cabinet/children/new",
            &[
                ("last_name", "Кузнецов"),
                ("first_name", "Миша"),
                ("birth_date", &born),
                ("sex", "male"),
            ],
        )
        .await;
    assert_eq!(child.status, 303, "{}", child.body);
    let cabinet = parent.get("/cabinet").await;
    let child = cabinet
        .body
        .split("/cabinet/children/")
        .filter_map(|s| s.split('"').next())
        .filter_map(|id| id.parse::<i64>().ok())
        .max()
        .unwrap()
        .to_string();
    let apply = format!("/apply/{CHESS_GROUP}");
    let refused = parent.submit(&apply, &apply, &[("child", &child)]).await;
    assert_ne!(refused.status, 303, "{}", refused.body);
    assert!(
        refused
            .body
            .contains(&format!("обучение в ней закончилось {ended}")),
        "{}",
        refused.body
    );

    // The servers' periodic task closes it, by «система», with the reason.
    let app_ref = &app;
    tests::wait_until(
        "the finished group is closed",
        std::time::Duration::from_secs(10),
        move || async move {
            group_of(app_ref, RADUGA, CHESS_GROUP).await.unwrap().status == GroupStatus::Closed
        },
    )
    .await;
    let lines = history::of_subject(&app.state.db, tenant.id, &format!("group:{CHESS_GROUP}"))
        .await
        .unwrap();
    let closing = lines
        .iter()
        .find(|e| e.action == "group.status")
        .expect("a history row");
    assert_eq!(closing.actor, None);
    assert_eq!(
        closing.detail,
        format!("статус: Набор открыт → Набор закрыт: обучение закончилось {ended}")
    );
    let form = staff.get(&page).await;
    assert!(form.body.contains("Набор закрыт"), "{}", form.body);
    assert!(form.body.contains("система"));

    // It is not opened again, alone or with others; nothing changes.
    let group = group_of(&app, RADUGA, CHESS_GROUP).await.unwrap();
    let csrf = staff.get(&page).await.csrf();
    let (status, reply, _) = staff
        .api(
            Method::POST,
            "/api/v1/provider/groups/bulk",
            Some(json!({ "group_ids": [VOCAL_GROUPS[0], CHESS_GROUP], "action": "open" })),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 409, "{reply}");
    assert!(reply["error"]["message"]
        .as_str()
        .unwrap()
        .contains(&format!("Группу «{}» нельзя открыть", group.name)));
    let (status, reply, _) = staff
        .api(
            Method::POST,
            &format!("/api/v1/provider/groups/{CHESS_GROUP}/status"),
            Some(json!({ "status": "open" })),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, 409, "{reply}");
    assert_eq!(group_of(&app, RADUGA, CHESS_GROUP).await.unwrap(), group);
}
