//! A small, known catalog for the catalog suites: a few programs in Smolensk that differ in
//! every filter, unpublished ones that must never show, and one program in Krasnoyarsk.

use chrono::{Duration, NaiveDate, NaiveTime};
use platform::catalog::model::{
    Direction, Financing, Level, OrgKind, ProgramStatus, Schedule, Session,
};
use platform::catalog::store::{self, Group, Organization, Program};
use platform::domain::{AgeRange, LatLon, Money};
use platform::State;

/// Ids of the fixture's Smolensk programs (per-region ids start at 1).
pub mod smolensk {
    pub const CHESS: i64 = 1;
    pub const ROBOTICS: i64 = 2;
    pub const VOCAL: i64 = 3;
    pub const FOOTBALL: i64 = 4;
    pub const ECOLOGY: i64 = 5;
    /// Draft: never public.
    pub const SECRET: i64 = 6;
    /// Archived: never public.
    pub const ARCHIVED: i64 = 7;
    /// Organizations.
    pub const RADUGA: i64 = 1;
    pub const KVANTORIUM: i64 = 2;
    pub const OLIMP: i64 = 3;
    /// Where the Desnogorsk organization (and its only published program) is.
    pub const DESNOGORSK: (f64, f64) = (54.15, 33.28);
}

/// The one Krasnoyarsk program (id 1 there too).
pub const KRASNOYARSK_CHESS: &str = "Шахматы Сибири";

struct P {
    title: &'static str,
    org: i64,
    direction: Direction,
    profile: &'static str,
    level: Level,
    ages: (u8, u8),
    ovz: bool,
    financing: Financing,
    price: i64,
    status: ProgramStatus,
    /// Enrollment windows of its groups (relative to today) and locations.
    groups: &'static [(bool, (f64, f64))],
    description: &'static str,
}

fn org(
    id: i64,
    name: &str,
    short: &str,
    kind: OrgKind,
    municipality: &str,
    at: (f64, f64),
) -> Organization {
    Organization {
        id,
        name: name.to_owned(),
        short_name: short.to_owned(),
        kind,
        inn: "6731000000".to_owned(),
        municipality_id: municipality.to_owned(),
        address: format!("{municipality}, ул. Ленина, д. {id}"),
        location: LatLon {
            lat: at.0,
            lon: at.1,
        },
        phone: format!("+7481200000{id}"),
        email: format!("org{id}@example.org"),
        website: None,
        description: format!("{name}: занятия для детей."),
        can_confirm: id == 1,
        logo: None,
    }
}

async fn insert(
    state: &State,
    slug: &str,
    orgs: Vec<Organization>,
    programs: Vec<P>,
    today: NaiveDate,
) {
    let tenant = state.registry.by_slug(slug).expect("region is loaded");
    let mut tx = state.db.begin().await.expect("tx");
    store::delete_catalog(&mut tx, tenant.id)
        .await
        .expect("clear");
    store::insert_profiles(&mut tx, tenant.id, &platform::demo::default_profiles())
        .await
        .expect("profiles");
    store::insert_organizations(&mut tx, tenant.id, &orgs, state.clock.now())
        .await
        .expect("orgs");
    let orgs_len = orgs.len();
    let mut rows = Vec::new();
    let mut groups = Vec::new();
    for (i, p) in programs.into_iter().enumerate() {
        let id = i as i64 + 1;
        for (open, at) in p.groups {
            let (from, to) = if *open {
                (today - Duration::days(10), today + Duration::days(30))
            } else {
                (today - Duration::days(100), today - Duration::days(40))
            };
            let start = NaiveTime::from_hms_opt(15, 0, 0).unwrap();
            groups.push(Group {
                id: groups.len() as i64 + 1,
                program_id: id,
                name: format!("Группа {}", groups.len() + 1),
                teachers: vec!["Иванова Мария Петровна".into()],
                address: format!("ул. Мира, д. {}", groups.len() + 1),
                location: LatLon {
                    lat: at.0,
                    lon: at.1,
                },
                schedule: Schedule(vec![Session {
                    weekday: 2,
                    start,
                    end: start + Duration::minutes(90),
                    from: None,
                    to: None,
                }]),
                accepting: true,
                capacity: 15,
                seats_taken: 5,
                enroll_from: from,
                enroll_to: to,
                study_from: today,
                study_to: today + Duration::days(200),
                price_certificate: (p.financing == Financing::Certificate)
                    .then(|| Money::from_rub(p.price)),
                price_paid: (p.financing == Financing::Paid).then(|| Money::from_rub(p.price)),
            });
        }
        rows.push(Program {
            id,
            organization_id: p.org,
            title: p.title.into(),
            description: p.description.into(),
            direction: p.direction,
            profile_id: p.profile.into(),
            level: p.level,
            ages: AgeRange::new(p.ages.0, p.ages.1).unwrap(),
            ovz: p.ovz,
            financing: p.financing,
            monthly_price: Money::from_rub(p.price),
            duration_months: 9,
            hours: 72,
            status: p.status,
            created_at: format!("2026-0{}-01T10:00:00.000000Z", i + 1),
            about: Default::default(),
            cover: None,
            cover_card: None,
            rating: Default::default(),
        });
    }
    store::insert_programs(&mut tx, tenant.id, &rows)
        .await
        .expect("programs");
    // The rows took ids 1…n: what the region's id sequences hand out next comes after them,
    // as after `demo::fill`.
    for (name, n) in [
        ("organizations", orgs_len),
        ("programs", rows.len()),
        ("groups", groups.len()),
    ] {
        store::next_ids(&mut tx, tenant.id, name, n as i64)
            .await
            .expect("ids");
    }
    store::insert_groups(&mut tx, tenant.id, &groups)
        .await
        .expect("groups");
    let version = store::bump_version(&mut tx, tenant.id)
        .await
        .expect("version");
    tx.commit().await.expect("commit");
    state.catalog.note_version(tenant.id, version);
}

/// Replaces both sample regions' catalogs with the fixture.
pub async fn seed(state: &State) {
    let today = chrono::Utc::now().date_naive();
    use smolensk::DESNOGORSK;
    use Direction::*;
    let s = DESNOGORSK;
    insert(
        state,
        "smolensk",
        vec![
            org(
                1,
                "Дом детского творчества «Радуга»",
                "ДДТ «Радуга»",
                OrgKind::Education,
                "smolensk",
                (54.78, 32.04),
            ),
            org(
                2,
                "Центр технического творчества «Кванториум»",
                "ЦТТ «Кванториум»",
                OrgKind::Education,
                "desnogorsk",
                s,
            ),
            org(
                3,
                "Спортивная школа «Олимп»",
                "СШ «Олимп»",
                OrgKind::Sport,
                "vyazemsky",
                (55.21, 34.30),
            ),
        ],
        vec![
            P {
                title: "Шахматный клуб «Ладья»",
                org: 1,
                direction: Sport,
                profile: "chess",
                level: Level::Start,
                ages: (7, 12),
                ovz: true,
                financing: Financing::Free,
                price: 0,
                status: ProgramStatus::Published,
                groups: &[(true, (54.78, 32.04))],
                description: "Дебюты, эндшпиль и турниры.",
            },
            P {
                title: "Робототехника для начинающих",
                org: 2,
                direction: Technical,
                profile: "robotics",
                level: Level::Basic,
                ages: (8, 14),
                ovz: false,
                financing: Financing::Certificate,
                price: 2500,
                status: ProgramStatus::Published,
                groups: &[(false, DESNOGORSK)],
                description: "Собираем и программируем модели.",
            },
            P {
                title: "Вокальная студия «Звонкие голоса»",
                org: 1,
                direction: Art,
                profile: "vocal",
                level: Level::Start,
                ages: (5, 9),
                ovz: false,
                financing: Financing::Paid,
                price: 3000,
                status: ProgramStatus::Published,
                groups: &[(true, (54.78, 32.04)), (false, (54.80, 32.10))],
                description: "Пение, дыхание, сцена.",
            },
            P {
                title: "Футбол",
                org: 3,
                direction: Sport,
                profile: "football",
                level: Level::Advanced,
                ages: (10, 16),
                ovz: false,
                financing: Financing::Free,
                price: 0,
                status: ProgramStatus::Published,
                groups: &[(false, (55.21, 34.30))],
                description: "Тренировки и матчи первенства области.",
            },
            P {
                title: "Юный эколог",
                org: 3,
                direction: NaturalScience,
                profile: "ecology",
                level: Level::Basic,
                ages: (9, 13),
                ovz: false,
                financing: Financing::Certificate,
                price: 1800,
                status: ProgramStatus::Published,
                groups: &[(true, (55.21, 34.30))],
                description: "Наблюдаем за природой родного края.",
            },
            P {
                title: "Секретная разработка",
                org: 2,
                direction: Technical,
                profile: "robotics",
                level: Level::Basic,
                ages: (8, 14),
                ovz: false,
                financing: Financing::Free,
                price: 0,
                status: ProgramStatus::Draft,
                groups: &[(true, DESNOGORSK)],
                description: "Черновик: роботы и шахматы.",
            },
            P {
                title: "Архивные шахматы",
                org: 1,
                direction: Sport,
                profile: "chess",
                level: Level::Start,
                ages: (7, 12),
                ovz: false,
                financing: Financing::Free,
                price: 0,
                status: ProgramStatus::Archived,
                groups: &[(true, (54.78, 32.04))],
                description: "Старая программа.",
            },
        ],
        today,
    )
    .await;
    insert(
        state,
        "krasnoyarsk",
        vec![org(
            1,
            "Краевой дворец пионеров",
            "КДП",
            OrgKind::Education,
            "krasnoyarsk",
            (56.01, 92.87),
        )],
        vec![P {
            title: KRASNOYARSK_CHESS,
            org: 1,
            direction: Sport,
            profile: "chess",
            level: Level::Start,
            ages: (7, 15),
            ovz: false,
            financing: Financing::Free,
            price: 0,
            status: ProgramStatus::Published,
            groups: &[(true, (56.01, 92.87))],
            description: "Шахматная школа края.",
        }],
        today,
    )
    .await;
}

/// Renames Smolensk's program `id` the way a catalog writer must: mark the row, bump the
/// catalog version (returned).
/// Sets the ways of paying program `id` of Smolensk offers (`certificate,paid`, as stored);
/// returns the new catalog version.
pub async fn set_financing(state: &State, id: i64, financing: &str) -> i64 {
    let tenant = state
        .registry
        .by_slug("smolensk")
        .expect("region is loaded");
    let mut tx = state.db.begin().await.unwrap();
    sqlx::query(
        "UPDATE programs SET financing = $3, changed_in = NULL WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.id)
    .bind(id)
    .bind(financing)
    .execute(&mut *tx)
    .await
    .unwrap();
    let version = store::bump_version(&mut tx, tenant.id).await.unwrap();
    tx.commit().await.unwrap();
    version
}

pub async fn rename(state: &State, id: i64, title: &str) -> i64 {
    let tenant = state
        .registry
        .by_slug("smolensk")
        .expect("region is loaded");
    let mut tx = state.db.begin().await.unwrap();
    sqlx::query(
        "UPDATE programs SET title = $3, changed_in = NULL WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.id)
    .bind(id)
    .bind(title)
    .execute(&mut *tx)
    .await
    .unwrap();
    let version = store::bump_version(&mut tx, tenant.id).await.unwrap();
    tx.commit().await.unwrap();
    version
}
