//! A child's timetable over HTTP: the week in the cabinet, the iCal feed at a secret
//! address (weekly rule, the region's time zone, the end of the study period), renewing
//! and switching it off; another parent and another region's host get nothing.

use tests::families::{enrolled, parent, staff};
use tests::TestApp;

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
/// Fixture group 1 of «Шахматный клуб «Ладья»»: Tuesdays 15:00–16:30, study from today
/// for 200 days.
const CHESS_GROUP: i64 = 1;

/// The calendar address on the page just after «Подписаться в календаре».
fn feed_path(page: &str) -> String {
    // minijinja writes `/` in attributes as `&#x2f;`.
    let page = page.replace("&#x2f;", "/");
    let start = page.find("/calendar/").expect("the address is shown");
    let end = start + page[start..].find(".ics").unwrap() + 4;
    page[start..end].to_owned()
}

#[tokio::test]
async fn the_week_and_the_calendar_feed_of_an_enrolled_child() {
    let (_env, app, sink) = TestApp::spawn_with_mail().await;
    tests::catalog::seed(&app.state).await;
    tests::demo_accounts(&app.state).await;
    let (mut mama, child) = parent(&app, &sink, S, "smolensk", "week@example.ru").await;

    let tab = mama.get("/cabinet/timetable").await;
    assert_eq!(tab.status, 200);
    assert!(tab.body.contains("пока не зачислен"), "{}", tab.body);

    let mut provider = staff(&app, S, PROVIDER).await;
    let application = enrolled(&mut mama, &mut provider, CHESS_GROUP, &child).await;
    // Next week has its Tuesday whatever today is.
    let next = mama.get("/cabinet/timetable?week=1").await;
    assert_eq!(next.status, 200);
    assert!(next.body.contains("Вторник"));
    assert!(next.body.contains("15:00–16:30"), "{}", next.body);
    assert!(next.body.contains("Шахматный клуб «Ладья»"));
    for odd in ["abc", "9223372036854775807"] {
        let page = mama.get(&format!("/cabinet/timetable?week={odd}")).await;
        assert_eq!(page.status, 200, "{odd}: this week instead");
    }

    // The address is made, shown once, and serves the feed without a session.
    let made = mama
        .submit(
            "/cabinet/timetable",
            &format!("/cabinet/timetable/{child}/feed"),
            &[],
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    let path = feed_path(&made.body);
    assert!(made.body.replace("&#x2f;", "/").contains("webcal://"));
    let response = app.get(S, &path).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let ics = response.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
    assert!(ics.contains("X-WR-TIMEZONE:Europe/Moscow"));
    assert!(ics.contains("DTSTART;TZID=Europe/Moscow:"));
    assert!(ics.contains("T150000\r\n"));
    assert!(ics.contains("RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL="), "{ics}");
    assert!(ics.contains("X-WR-CALNAME:Расписание: Миша"));
    assert!(!ics.contains("Кузнецов"), "no surname in a feed");
    // Later, the page says when it was made but not the address.
    let later = mama.get("/cabinet/timetable").await;
    assert!(later.body.contains("Адрес календаря создан"));
    assert!(!later.body.replace("&#x2f;", "/").contains(&path));

    // Another region's host does not know the address; a made-up one is not found.
    assert_eq!(app.get(K, &path).send().await.unwrap().status(), 404);
    let made_up = format!("/calendar/{}.ics", "0".repeat(64));
    assert_eq!(app.get(S, &made_up).send().await.unwrap().status(), 404);
    assert_eq!(
        app.get(S, "/calendar/x.ics").send().await.unwrap().status(),
        404
    );

    // Another parent cannot make or switch off an address for this child.
    let (mut other, _) = parent(&app, &sink, S, "smolensk", "week-other@example.ru").await;
    let denied = other
        .submit(
            "/cabinet/timetable",
            &format!("/cabinet/timetable/{child}/feed"),
            &[],
        )
        .await;
    assert_eq!(denied.status, 404);
    let denied = other
        .submit(
            "/cabinet/timetable",
            &format!("/cabinet/timetable/{child}/feed/delete"),
            &[],
        )
        .await;
    assert_eq!(denied.status, 404);
    assert_eq!(app.get(S, &path).send().await.unwrap().status(), 200);

    // «Получить новый адрес»: the old one stops working.
    let renewed = mama
        .submit(
            "/cabinet/timetable",
            &format!("/cabinet/timetable/{child}/feed"),
            &[],
        )
        .await;
    let new_path = feed_path(&renewed.body);
    assert_ne!(new_path, path);
    assert_eq!(app.get(S, &path).send().await.unwrap().status(), 404);
    assert_eq!(app.get(S, &new_path).send().await.unwrap().status(), 200);

    // «Отключить».
    let off = mama
        .submit(
            "/cabinet/timetable",
            &format!("/cabinet/timetable/{child}/feed/delete"),
            &[],
        )
        .await;
    assert_eq!(off.status, 303);
    assert_eq!(app.get(S, &new_path).send().await.unwrap().status(), 404);

    // «Отчислить из группы» asks first, then says it is done; the week empties.
    let withdraw = format!("/cabinet/applications/{application}/withdraw");
    let ask = mama.get(&withdraw).await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("Отчислить из группы?") && ask.body.contains("Да, отчислить"));
    let done = mama.submit(&withdraw, &withdraw, &[]).await;
    assert_eq!(done.status, 303);
    let list = mama.get(done.location.as_deref().unwrap()).await;
    assert!(list.body.contains("место в группе освобождено"));
    assert!(list.body.contains("Отчислен"));
    let stale = mama.get(&withdraw).await;
    assert_eq!(stale.status, 409, "nothing left to withdraw");
    assert!(stale.body.contains("отменять или отчислять нечего"));
    let next = mama.get("/cabinet/timetable?week=1").await;
    assert!(!next.body.contains("15:00–16:30"));
}
