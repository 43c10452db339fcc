//! The spreadsheet round trip over HTTP (issue 17): an organization's catalog exported as
//! XLSX imports back unchanged; changed cells change exactly those rows (a published
//! program's edit becomes a revision on moderation); every refusal names its sheet, row and
//! column and changes nothing; broken files (not a spreadsheet, over 10 MB, encrypted, a zip
//! bomb, 50 000 rows) are refused with their messages; CSV round-trips with its BOM and
//! `;`; formula-looking texts are escaped; nobody imports into another organization or
//! region; the API does the same with the organization's token.

use std::io::{Cursor, Write};

use calamine::{Data, Reader, Xlsx};
use platform::accounts::values::Role;
use platform::catalog::model::ProgramStatus;
use platform::demo::accounts::DEMO_PASSWORD;
use platform::groups::store as groups;
use platform::programs::store as programs;
use reqwest::Method;
use tests::browser::{Browser, Page};
use tests::catalog::smolensk::{CHESS, FOOTBALL, OLIMP, RADUGA, VOCAL};
use tests::measure::cpu_and_peak;
use tests::{TestApp, TestEnv};

const S: &str = "p67.навигатор.дети";
const K: &str = "p24.навигатор.дети";
const PROVIDER: &str = "provider@smolensk.demo.navigator.local";
const OLIMP_STAFF: &str = "staff@olimp.example.ru";
const BOUNDARY: &str = "sheetboundary7d1";

fn smolensk(app: &TestApp) -> platform::tenant_id::TenantId {
    app.state.registry.by_slug("smolensk").expect("smolensk").id
}

/// The fixture's catalog, its cards and groups completed as the forms would have them
/// (the fixture predates the full card and the groups' ages).
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
    let tenant = smolensk(&app);
    let now = app.state.clock.now();
    let mut tx = app.state.db.begin().await.unwrap();
    for id in 1..=7 {
        let p = programs::get_in(&mut tx, tenant, id)
            .await
            .unwrap()
            .unwrap();
        let mut c = p.card.clone();
        c.short_title = c.title.chars().take(100).collect();
        c.announce = format!("{}: коротко о программе.", c.title);
        c.goals = "Интерес к занятиям.".into();
        c.results = "Ребёнок научится новому.".into();
        programs::write_card(&mut tx, tenant, id, &c, now)
            .await
            .unwrap();
        for org in 1..=3 {
            for mut g in groups::groups_of(&app.state.db, tenant, org, id)
                .await
                .unwrap()
            {
                g.age_min = c.age_min.into();
                g.age_max = c.age_max.into();
                groups::update_group(&mut tx, tenant, &g).await.unwrap();
            }
        }
    }
    tx.commit().await.unwrap();
    (env, app)
}

fn multipart(csrf: &str, file: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.xlsx\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend(file);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").into_bytes());
    body
}

/// «Загрузить»: the check's page.
async fn upload(staff: &mut Browser<'_>, file: &[u8]) -> Page {
    let form = staff.get("/provider/sheets/import").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let resp = staff
        .request(Method::POST, "/provider/sheets/import")
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart(&form.csrf(), file))
        .send()
        .await
        .expect("POST");
    Page {
        status: resp.status().as_u16(),
        location: None,
        retry_after: None,
        set_cookies: Vec::new(),
        body: resp.text().await.unwrap(),
    }
}

/// «Применить» on a check's page.
async fn apply(staff: &mut Browser<'_>, checked: &Page) -> Page {
    let marker = "name=\"digest\" value=\"";
    let at = checked.body.find(marker).expect("an «Применить» form") + marker.len();
    let digest = checked.body[at..].split('"').next().unwrap().to_owned();
    let csrf = checked.csrf();
    staff
        .post(
            "/provider/sheets/import/apply",
            &[("csrf", csrf.as_str()), ("digest", digest.as_str())],
        )
        .await
}

async fn download(staff: &mut Browser<'_>, file: &str) -> Vec<u8> {
    let resp = staff
        .request(Method::GET, &format!("/provider/sheets/{file}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{file}");
    resp.bytes().await.unwrap().to_vec()
}

/// A sheet's cells as text: numbers without `.0`, dates as ДД.ММ.ГГГГ.
fn sheet(book: &[u8], name: &str) -> Vec<Vec<String>> {
    let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(book.to_vec())).expect("an xlsx");
    let range = xlsx.worksheet_range(name).expect("the sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(n) => n.to_string(),
                    Data::DateTime(d) => {
                        let (y, m, day, ..) = d.to_ymd_hms_milli();
                        format!("{day:02}.{m:02}.{y:04}")
                    }
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// A workbook of text cells.
fn book(sheets: &[(&str, &[Vec<String>])]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn col(rows: &[Vec<String>], header: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header}: {:?}", rows[0]))
}

fn row_of(rows: &[Vec<String>], id_col: usize, id: i64) -> usize {
    rows.iter()
        .position(|r| r.get(id_col).map(String::as_str) == Some(&id.to_string()))
        .unwrap_or_else(|| panic!("no row {id}"))
}

fn set(rows: &mut [Vec<String>], row: usize, header: &str, value: impl Into<String>) {
    let c = col(rows, header);
    rows[row][c] = value.into();
}

/// The problems table's row for (sheet, row, column), as the page shows it.
fn problem(sheet: &str, row: u32, column: &str) -> String {
    format!("<tr><td>{sheet}</td><td>{row}</td><td>{column}</td><td>")
}

async fn radugas_groups(app: &TestApp) -> Vec<groups::GroupRow> {
    let tenant = smolensk(app);
    let mut out = Vec::new();
    for p in [CHESS, VOCAL] {
        out.extend(
            groups::groups_of(&app.state.db, tenant, RADUGA, p)
                .await
                .unwrap(),
        );
    }
    out
}

#[tokio::test]
async fn the_catalog_round_trips_and_changed_cells_change_exactly_those_rows() {
    let (_env, app) = spawn().await;
    let tenant = smolensk(&app);
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let list = staff.get("/provider/programs").await;
    for link in [
        "/provider/sheets/template.xlsx",
        "/provider/sheets/programs.xlsx",
        "/provider/sheets/import",
    ] {
        assert!(list.body.contains(link), "{}", list.body);
    }
    let exported = download(&mut staff, "programs.xlsx").await;
    let program_rows = sheet(&exported, "Программы");
    let group_rows = sheet(&exported, "Группы");
    assert!(program_rows[0].contains(&"Полное название".to_owned()));
    assert_eq!(
        program_rows.len(),
        4,
        "Радуга's three programs: {program_rows:?}"
    );
    let places = sheet(&exported, "Места обучения");
    assert!(places.len() > 1, "{places:?}");
    let dictionaries = sheet(&exported, "Справочники");
    assert!(dictionaries[0].contains(&"Направленность".to_owned()));
    let schedule = col(&group_rows, "Расписание");
    assert!(
        group_rows[1][schedule].starts_with("Вт 15:00–16:30"),
        "{group_rows:?}"
    );
    // The template: the headers, the organization's places, no programs.
    let template = download(&mut staff, "template.xlsx").await;
    assert_eq!(sheet(&template, "Программы").len(), 1);

    // Unchanged: nothing to apply.
    let before = radugas_groups(&app).await;
    let version = platform::catalog::store::version(&app.state.db, tenant)
        .await
        .unwrap();
    let checked = upload(&mut staff, &exported).await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert!(
        checked.body.contains("Проверка пройдена"),
        "{}",
        checked.body
    );
    assert!(checked.body.contains("Менять нечего"), "{}", checked.body);
    assert!(!checked.body.contains("name=\"digest\""));

    // Changed cells: the published Шахматы's title, a group's seats, a new program and a
    // new group of Шахматы.
    let mut p = program_rows.clone();
    let (pid, title) = (col(&p, "№ программы"), col(&p, "Полное название"));
    let chess = row_of(&p, pid, CHESS);
    p[chess][title] = "Шахматный клуб «Ладья». Второй год".into();
    let mut new_program = p[chess].clone();
    new_program[pid] = "Новая шашки".into();
    new_program[title] = "Шашки для начинающих".into();
    p.push(new_program);
    let mut g = group_rows.clone();
    let (gid, capacity) = (col(&g, "№ группы"), col(&g, "Число мест"));
    let changed_group = before[0].id;
    let r = row_of(&g, gid, changed_group);
    g[r][capacity] = "20".into();
    let mut new_group = g[r].clone();
    new_group[gid] = String::new();
    new_group[col(&g, "Название группы")] = "Новая группа".into();
    new_group[schedule] = "Пн 15:00–16:30; Ср 15:00-16:30".into();
    g.push(new_group.clone());
    // A group of the new program, by the key its row has in «№ программы».
    let mut checkers = new_group;
    checkers[col(&g, "№ программы")] = "новая шашки".into();
    checkers[col(&g, "Название группы")] = "Шашки, первая группа".into();
    g.push(checkers);
    let changed = book(&[("Программы", &p), ("Группы", &g)]);
    let checked = upload(&mut staff, &changed).await;
    assert!(
        checked.body.contains("Проверка пройдена"),
        "{}",
        checked.body
    );
    // The check changed nothing.
    assert_eq!(radugas_groups(&app).await, before);
    assert_eq!(
        platform::catalog::store::version(&app.state.db, tenant)
            .await
            .unwrap(),
        version
    );
    let applied = apply(&mut staff, &checked).await;
    assert_eq!(applied.status, 200, "{}", applied.body);
    assert!(
        applied.body.contains("Таблица загружена: 1 программ создано, 1 изменено, 2 без изменений; на модерацию отправлено: 1. Групп создано: 2, изменено: 1"),
        "{}",
        applied.body
    );
    // Applied, the upload is gone: the same digest again applies nothing.
    let twice = apply(&mut staff, &checked).await;
    assert!(
        twice.body.contains("Проверенный файл не найден"),
        "{}",
        twice.body
    );
    let chess = programs::get(&app.state.db, tenant, CHESS)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(chess.status, ProgramStatus::Published);
    assert_eq!(
        chess.card.title, "Шахматный клуб «Ладья»",
        "the published card stays"
    );
    let revision = chess.revision.expect("a revision");
    assert_eq!(revision.state, ProgramStatus::Moderation);
    assert_eq!(revision.card.title, "Шахматный клуб «Ладья». Второй год");
    let after = radugas_groups(&app).await;
    assert_eq!(
        after.len(),
        before.len() + 1,
        "Шашки's group is the new program's"
    );
    for old in &before {
        let new = after.iter().find(|x| x.id == old.id).unwrap();
        if old.id == changed_group {
            assert_eq!(new.capacity, 20);
            assert_eq!(new.name, old.name);
        } else {
            assert_eq!(new, old, "an untouched group stays as it was");
        }
    }
    let added = after.iter().find(|x| x.name == "Новая группа").unwrap();
    assert_eq!(added.sessions.len(), 2);
    let list = programs::of_organization(&app.state.db, tenant, RADUGA)
        .await
        .unwrap();
    let draft = list
        .iter()
        .find(|x| x.card.title == "Шашки для начинающих")
        .unwrap();
    assert_eq!(draft.status, ProgramStatus::Draft);
    let checkers = groups::groups_of(&app.state.db, tenant, RADUGA, draft.id)
        .await
        .unwrap();
    assert_eq!(checkers.len(), 1);
    assert_eq!(checkers[0].name, "Шашки, первая группа");
    // Each change is in the history.
    let history =
        platform::accounts::history::of_subject(&app.state.db, tenant, &format!("program:{CHESS}"))
            .await
            .unwrap();
    assert!(history.iter().any(|h| h.action == "program.submit"));
    // A fresh export of the result imports back unchanged (a row without a number would
    // create its program again: numbers are what tie rows to the catalog).
    let again = download(&mut staff, "programs.xlsx").await;
    assert_eq!(sheet(&again, "Программы").len(), 5);
    let again = upload(&mut staff, &again).await;
    assert!(again.body.contains("Менять нечего"), "{}", again.body);
}

#[tokio::test]
async fn every_refusal_names_sheet_row_and_column_and_nothing_changes() {
    let (_env, app) = spawn().await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let exported = download(&mut staff, "programs.xlsx").await;
    let mut p = sheet(&exported, "Программы");
    let mut g = sheet(&exported, "Группы");
    let before = radugas_groups(&app).await;
    let pid = col(&p, "№ программы");
    let chess = row_of(&p, pid, CHESS);
    set(&mut p, chess, "Профиль", "Квантовая магия");
    set(&mut p, chess, "Возраст от", "двенадцать");
    // Another organization's program (Футбол is Олимп's).
    let mut foreign = p[chess].clone();
    foreign[pid] = FOOTBALL.to_string();
    foreign[col(&p, "Профиль")] = p[row_of(&p, pid, VOCAL)][col(&p, "Профиль")].clone();
    foreign[col(&p, "Направленность")] =
        p[row_of(&p, pid, VOCAL)][col(&p, "Направленность")].clone();
    foreign[col(&p, "Возраст от")] = "7".into();
    p.push(foreign);
    let gid = col(&g, "№ группы");
    let first = row_of(&g, gid, before[0].id);
    set(&mut g, first, "Возраст от", "3");
    set(&mut g, first, "Число мест", "2");
    set(&mut g, first, "Начало обучения", "завтра");
    let mut lost = g[first].clone();
    lost[gid] = String::new();
    lost[col(&g, "№ программы")] = "999".into();
    g.push(lost);
    let mut olimps = g[first].clone();
    olimps[gid] = String::new();
    olimps[col(&g, "№ программы")] = FOOTBALL.to_string();
    g.push(olimps);
    let mut unknown_key = g[first].clone();
    unknown_key[gid] = String::new();
    unknown_key[col(&g, "№ программы")] = "новая 9".into();
    g.push(unknown_key);
    let mut bad_schedule = g[first].clone();
    bad_schedule[gid] = String::new();
    bad_schedule[col(&g, "Расписание")] = "Пятница в три".into();
    g.push(bad_schedule);
    let (n_p, n_g) = (p.len() as u32, g.len() as u32);
    let page = upload(&mut staff, &book(&[("Программы", &p), ("Группы", &g)])).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("Ничего не изменено"), "{body}");
    assert!(
        !body.contains("name=\"digest\""),
        "no «Применить» with problems"
    );
    for header in ["Лист", "Строка", "Столбец", "Что не так"] {
        assert!(body.contains(&format!("<th scope=\"col\">{header}</th>")));
    }
    let chess_row = chess as u32 + 1;
    let group_row = first as u32 + 1;
    for (sheet, row, column, message) in [
        (
            "Программы",
            chess_row,
            "Профиль",
            "выберите профиль из списка региона",
        ),
        (
            "Программы",
            chess_row,
            "Возраст от",
            "«двенадцать»: укажите целое число",
        ),
        (
            "Программы",
            n_p,
            "№ программы",
            "программа № 4 не найдена среди программ вашей организации",
        ),
        (
            "Группы",
            group_row,
            "Возраст от",
            "в пределах возраста программы",
        ),
        (
            "Группы",
            group_row,
            "Число мест",
            "не может быть меньше числа занятых мест (5)",
        ),
        ("Группы", group_row, "Начало обучения", "«завтра»"),
        (
            "Группы",
            n_g - 3,
            "№ программы",
            "программа № 999 не найдена ни в файле, ни среди программ вашей организации",
        ),
        ("Группы", n_g - 2, "№ программы", "программа № 4 не найдена"),
        (
            "Группы",
            n_g - 1,
            "№ программы",
            "программы с ключом «новая 9» нет на листе «Программы»",
        ),
        ("Группы", n_g, "Расписание", "«Пятница в три»"),
    ] {
        let at = body
            .find(&problem(sheet, row, column))
            .unwrap_or_else(|| panic!("no problem at {sheet} {row} {column}: {body}"));
        let line = &body[at..at + body[at..].find("</tr>").unwrap()];
        assert!(line.contains(message), "{sheet} {row} {column}: {line}");
    }
    assert_eq!(radugas_groups(&app).await, before);
    let chess = programs::get(&app.state.db, smolensk(&app), CHESS)
        .await
        .unwrap()
        .unwrap();
    assert!(chess.revision.is_none());
    // Another organization's place and teacher in a group: named, nothing changes.
    let olimp_place = platform::organizations::store::places(&app.state.db, smolensk(&app), OLIMP)
        .await
        .unwrap()[0]
        .id;
    let mut g = sheet(&exported, "Группы");
    set(&mut g, first, "Место обучения, №", olimp_place.to_string());
    let page = upload(&mut staff, &book(&[("Группы", &g)])).await;
    assert!(
        page.body
            .contains(&problem("Группы", group_row, "Место обучения, №")),
        "{}",
        page.body
    );
    // A missing column is named once.
    let mut g = sheet(&exported, "Группы");
    let name = col(&g, "Название группы");
    for row in &mut g {
        row.remove(name);
    }
    let page = upload(&mut staff, &book(&[("Группы", &g)])).await;
    assert!(
        page.body.contains("нет столбца «Название группы»"),
        "{}",
        page.body
    );
}

/// A zip with one entry of `size` spaces, deflated (a few hundred KB).
fn bomb(size: usize) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/workbook.xml", options).unwrap();
    zip.write_all(b"<workbook/>").unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..size / chunk.len() {
        zip.write_all(&chunk).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

#[tokio::test]
async fn broken_files_are_refused_with_their_messages() {
    let (_env, app) = spawn().await;
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let refused = |page: &Page, message: &str| {
        assert_eq!(page.status, 422, "{message}: {}", page.body);
        assert!(page.body.contains(message), "{message}: {}", page.body);
        assert!(page.body.contains("id=\"f-file-error\""));
    };
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    refused(&upload(&mut staff, &png).await, "Файл не похож на таблицу");
    refused(
        &upload(&mut staff, &vec![b'a'; 10 * 1024 * 1024 + 1]).await,
        "Файл больше 10 МБ",
    );
    let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    cfb.extend(vec![0u8; 4096]);
    refused(&upload(&mut staff, &cfb).await, "защищён паролем");
    refused(
        &upload(&mut staff, &bomb(80 << 20)).await,
        "распаковывается больше",
    );
    let mut rows = vec![vec!["№ группы".to_owned(), "Название группы".to_owned()]];
    rows.extend((0..50_000).map(|i| vec![String::new(), format!("Группа {i}")]));
    refused(
        &upload(&mut staff, &book(&[("Группы", &rows)])).await,
        "больше 10000 строк",
    );
    let mut csv = "\u{feff}№ группы;Название группы\r\n".to_owned();
    for i in 0..50_000 {
        csv.push_str(&format!(";Группа {i}\r\n"));
    }
    refused(
        &upload(&mut staff, csv.as_bytes()).await,
        "больше 10000 строк",
    );
    refused(&upload(&mut staff, b"").await, "Выберите файл");
    // A stale or forged digest applies nothing.
    let form = staff.get("/provider/sheets/import").await;
    let page = staff
        .post(
            "/provider/sheets/import/apply",
            &[
                ("csrf", form.csrf().as_str()),
                ("digest", "../../etc/passwd"),
            ],
        )
        .await;
    refused(&page, "Проверенный файл не найден");
}

#[tokio::test]
async fn csv_round_trips_with_its_bom_and_formulas_are_escaped() {
    let (_env, app) = spawn().await;
    let tenant = smolensk(&app);
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    // A group named like a formula.
    let mut g = groups::group(
        &app.state.db,
        tenant,
        RADUGA,
        radugas_groups(&app).await[0].id,
    )
    .await
    .unwrap()
    .unwrap();
    g.name = "=HYPERLINK(\"http://evil\";\"x\")".into();
    let mut tx = app.state.db.begin().await.unwrap();
    groups::update_group(&mut tx, tenant, &g).await.unwrap();
    tx.commit().await.unwrap();

    let csv = download(&mut staff, "groups.csv").await;
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "a BOM");
    let text = String::from_utf8(csv.clone()).unwrap();
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://evil\"\";\"\"x\"\")\""),
        "{text}"
    );
    assert!(text.lines().next().unwrap().contains(";Название группы;"));
    // XLSX: a string cell, no formula.
    let xlsx = download(&mut staff, "programs.xlsx").await;
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx.clone())).unwrap();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if name.starts_with("xl/worksheets/") {
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut f, &mut xml).unwrap();
            assert!(!xml.contains("<f>"), "no formula in {name}");
        }
    }
    assert!(sheet(&xlsx, "Группы").iter().any(|r| r.contains(&g.name)));

    // The CSV unchanged: nothing to change; one cell changed: that group.
    let page = upload(&mut staff, &csv).await;
    assert!(page.body.contains("Менять нечего"), "{}", page.body);
    let changed = text.replacen(";15;5;", ";16;5;", 1);
    assert_ne!(changed, text);
    let page = upload(&mut staff, changed.as_bytes()).await;
    assert!(
        page.body.contains("Групп будет создано 0, изменено 1"),
        "{}",
        page.body
    );
    let applied = apply(&mut staff, &page).await;
    assert!(
        applied.body.contains("Таблица загружена"),
        "{}",
        applied.body
    );
    let after = groups::group(&app.state.db, tenant, RADUGA, g.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.name, g.name, "the escape is taken off again");
    let programs_csv = download(&mut staff, "programs.csv").await;
    let page = upload(&mut staff, &programs_csv).await;
    assert!(page.body.contains("Менять нечего"), "{}", page.body);
}

#[tokio::test]
async fn nobody_imports_into_another_organization_or_region() {
    let (env, app) = spawn().await;
    let tenant = smolensk(&app);
    let mut staff = Browser::new(&app, S);
    staff.login(PROVIDER, DEMO_PASSWORD).await;
    let exported = download(&mut staff, "programs.xlsx").await;
    let mut p = sheet(&exported, "Программы");
    let (pid, title) = (col(&p, "№ программы"), col(&p, "Полное название"));
    for id in [CHESS, VOCAL] {
        let r = row_of(&p, pid, id);
        p[r][title] = format!("{} (чужая правка)", p[r][title]);
    }
    let changed = book(&[("Программы", &p)]);
    // Олимп's staff: every row of Радуга's is another organization's.
    let mut olimp = Browser::new(&app, S);
    olimp.login(OLIMP_STAFF, DEMO_PASSWORD).await;
    let page = upload(&mut olimp, &changed).await;
    for row in 2..=p.len() as u32 {
        assert!(
            page.body
                .contains(&problem("Программы", row, "№ программы")),
            "{row}: {}",
            page.body
        );
    }
    assert!(page
        .body
        .contains("не найдена среди программ вашей организации"));
    let chess = programs::get(&app.state.db, tenant, CHESS)
        .await
        .unwrap()
        .unwrap();
    assert!(chess.revision.is_none());
    // The other region's host knows neither the session nor the programs.
    let mut elsewhere = staff.on_host(K);
    let resp = elsewhere.get("/provider/sheets/programs.xlsx").await;
    assert_ne!(resp.status, 200);
    // A parent has no downloads.
    let mut parent = Browser::new(&app, S);
    parent
        .login("parent@smolensk.demo.navigator.local", DEMO_PASSWORD)
        .await;
    assert_eq!(
        parent.get("/provider/sheets/programs.xlsx").await.status,
        403
    );

    // The API with the organization's token: the same export, a dry run, an import.
    let out = env
        .cli(&[
            "token", "add", "--region", "smolensk", "--email", PROVIDER, "--name", "1С",
        ])
        .await
        .unwrap();
    let token = out.lines().nth(1).unwrap().trim().to_owned();
    let api = |method: Method, path: &str| {
        app.client()
            .request(method, format!("http://{}/api/v1{path}", app.addr))
            .header("Host", S)
            .header("Authorization", format!("Bearer {token}"))
    };
    let resp = api(Method::GET, "/provider/programs/export.xlsx")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let bytes = resp.bytes().await.unwrap().to_vec();
    assert_eq!(sheet(&bytes, "Программы").len(), 4);
    let resp = api(Method::POST, "/provider/programs/import?dry_run=true")
        .header("Content-Type", "application/octet-stream")
        .body(changed.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let report: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(report["applied"], false);
    assert_eq!(report["summary"]["programs_updated"], 2, "{report}");
    let digest = report["digest"].as_str().unwrap().to_owned();
    // Another file under that digest is refused.
    let resp = api(
        Method::POST,
        &format!("/provider/programs/import?dry_run=false&digest={digest}"),
    )
    .header("Content-Type", "application/octet-stream")
    .body(exported.clone())
    .send()
    .await
    .unwrap();
    assert_eq!(resp.status().as_u16(), 409);
    let resp = api(
        Method::POST,
        &format!("/provider/programs/import?dry_run=false&digest={digest}"),
    )
    .header("Content-Type", "application/octet-stream")
    .body(changed)
    .send()
    .await
    .unwrap();
    let report: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(report["applied"], true, "{report}");
    assert_eq!(report["summary"]["sent_to_moderation"], 2, "{report}");
    let resp = api(Method::POST, "/provider/programs/import?dry_run=true")
        .header("Content-Type", "application/octet-stream")
        .body(b"not a sheet".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body.to_string().contains("file"), "{body}");
    let csv = api(Method::GET, "/provider/programs/export.csv?sheet=groups")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status().as_u16(), 200);
    // The spec documents the calls.
    let (_, spec) = app.json(S, "/api/openapi.json").await;
    for path in [
        "/provider/programs/export.xlsx",
        "/provider/programs/export.csv",
        "/provider/programs/import",
    ] {
        assert!(spec["paths"][path].is_object(), "{path}");
    }
}

/// The import of 300 programs with 1 000 groups (BENCHMARKS.md, «Spreadsheet import»):
///
/// ```sh
/// cargo test --release -p tests --test e2e bench_sheets -- --ignored --nocapture
/// ```
///
/// The organization gets 300 draft programs from a workbook first; the measured workbook
/// then changes every one of them (a title) and adds 1 000 groups (four schedule rows
/// each, cycling over the programs), checked (`dry_run=true`) and imported through the API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run explicitly"]
async fn bench_sheets() {
    const PROGRAMS: usize = 300;
    const GROUPS: usize = 1_000;
    let (env, app) = spawn().await;
    let out = env
        .cli(&[
            "token", "add", "--region", "smolensk", "--email", PROVIDER, "--name", "bench",
        ])
        .await
        .unwrap();
    let token = out.lines().nth(1).unwrap().trim().to_owned();
    let api = |method: Method, path: &str| {
        app.client()
            .request(method, format!("http://{}/api/v1{path}", app.addr))
            .header("Host", S)
            .header("Authorization", format!("Bearer {token}"))
    };
    let import = |body: Vec<u8>, dry_run: bool| {
        api(
            Method::POST,
            &format!("/provider/programs/import?dry_run={dry_run}"),
        )
        .header("Content-Type", "application/octet-stream")
        .body(body)
        .send()
    };
    let exported = api(Method::GET, "/provider/programs/export.xlsx")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let p = sheet(&exported, "Программы");
    let g = sheet(&exported, "Группы");
    let (pid, title) = (col(&p, "№ программы"), col(&p, "Полное название"));
    let chess = p[row_of(&p, pid, CHESS)].clone();
    let mut first = vec![p[0].clone()];
    for i in 0..PROGRAMS {
        let mut row = chess.clone();
        row[pid] = String::new();
        row[title] = format!("Программа из таблицы № {i}");
        first.push(row);
    }
    let resp = import(book(&[("Программы", &first)]), false).await.unwrap();
    let report: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(report["summary"]["programs_created"], PROGRAMS, "{report}");

    let exported = api(Method::GET, "/provider/programs/export.xlsx")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let mut p = sheet(&exported, "Программы");
    let new_ids: Vec<String> = p
        .iter()
        .filter(|r| r[title].starts_with("Программа из таблицы"))
        .map(|r| r[pid].clone())
        .collect();
    assert_eq!(new_ids.len(), PROGRAMS);
    for row in p.iter_mut().skip(1) {
        if row[title].starts_with("Программа из таблицы") {
            row[title].push_str(", второй год");
        }
    }
    let (gid, gpid, schedule) = (
        col(&g, "№ группы"),
        col(&g, "№ программы"),
        col(&g, "Расписание"),
    );
    let template = g[1..]
        .iter()
        .find(|r| r[gpid] == CHESS.to_string())
        .unwrap()
        .clone();
    let mut groups_sheet = vec![g[0].clone()];
    for i in 0..GROUPS {
        let mut row = template.clone();
        row[gid] = String::new();
        row[gpid] = new_ids[i % PROGRAMS].clone();
        row[col(&g, "Название группы")] = format!("Группа {i}");
        row[schedule] = "Пн 15:00–16:30; Ср 15:00–16:30; Пт 15:00–16:30; Сб 10:00–11:30".into();
        groups_sheet.push(row);
    }
    let file = book(&[("Программы", &p), ("Группы", &groups_sheet)]);
    println!(
        "workbook: {} programs, {} groups, {} KB",
        p.len() - 1,
        GROUPS,
        file.len() / 1024
    );
    for dry_run in [true, false] {
        let (cpu0, _) = cpu_and_peak();
        let started = std::time::Instant::now();
        let resp = import(file.clone(), dry_run).await.unwrap();
        let status = resp.status().as_u16();
        let report: serde_json::Value = resp.json().await.unwrap();
        let wall = started.elapsed();
        let (cpu1, peak) = cpu_and_peak();
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["problem_count"], 0, "{report}");
        assert_eq!(report["summary"]["programs_updated"], PROGRAMS, "{report}");
        assert_eq!(report["summary"]["groups_created"], GROUPS, "{report}");
        println!(
            "{}: {:.2} s wall, {:.2} s CPU (server and client in this process), peak RSS {peak:.0} MB",
            if dry_run { "dry run" } else { "apply" },
            wall.as_secs_f64(),
            cpu1 - cpu0
        );
    }
}
