//! Demo data: a deterministic, realistic catalog for a region — organizations spread over
//! its real municipalities, programs of every direction, several groups each. The same
//! region and size always give the same catalog (our own PRNG, not one whose sequence may
//! change between crate versions). Dates follow the current academic year, so «идёт набор»
//! means something on the day it runs.

pub mod accounts;
pub mod activity;
mod cards;
mod rng;
mod words;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};

use crate::catalog::model::{
    Direction, Financing, Level, OrgKind, ProgramStatus, Schedule, Session,
};
use crate::catalog::store::{self, Group, Organization, Profile, Program};
use crate::db::{Db, DbError};
use crate::domain::{AgeRange, LatLon, Money, Phone};
use crate::programs::store::NewProgram;
use crate::regions::Tenant;
use crate::time::Clock;

use rng::Rng;
use words::{ProfileWords, PROFILES};

/// Programs per region when nothing else is asked (`serve --demo`, `demo`).
pub const DEFAULT_PROGRAMS: usize = 300;

/// The region's profile dictionary as the demo (and a new region) starts with it.
pub fn default_profiles() -> Vec<Profile> {
    PROFILES
        .iter()
        .map(|p| Profile {
            id: p.id.to_owned(),
            direction: Direction::parse(p.direction).expect("vocabulary uses known directions"),
            name: p.name.to_owned(),
        })
        .collect()
}

/// What `fill` generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filled {
    pub organizations: usize,
    pub programs: usize,
    pub groups: usize,
}

/// Replaces the region's catalog with a generated one of `programs` programs.
#[tracing::instrument(skip(db, tenant), fields(region = tenant.slug()))]
pub async fn fill(
    db: &Db,
    tenant: &Tenant,
    programs: usize,
    clock: &Clock,
) -> Result<Filled, DbError> {
    let catalog = generate(tenant, programs, tenant.today(clock));
    let mut tx = db.begin().await?;
    // The generated applications go with the groups they were made for.
    activity::remove_previous(&mut tx, tenant).await?;
    store::delete_catalog(&mut tx, tenant.id).await?;
    store::insert_profiles(&mut tx, tenant.id, &default_profiles()).await?;
    let first_org = store::next_ids(
        &mut tx,
        tenant.id,
        "organizations",
        catalog.organizations.len() as i64,
    )
    .await?;
    let first_program = store::next_ids(
        &mut tx,
        tenant.id,
        "programs",
        catalog.programs.len() as i64,
    )
    .await?;
    let first_group =
        store::next_ids(&mut tx, tenant.id, "groups", catalog.groups.len() as i64).await?;
    // Generated ids count from 1; the sequences were just reset, so they match.
    debug_assert!(first_org == 1 && first_program == 1 && first_group == 1);
    store::insert_organizations(&mut tx, tenant.id, &catalog.organizations, clock.now()).await?;
    // The cards, written as «Создать программу» writes them.
    let rows: Vec<NewProgram> = catalog
        .programs
        .iter()
        .zip(&catalog.cards)
        .map(|(p, card)| NewProgram {
            id: p.id,
            organization_id: p.organization_id,
            card: card.clone(),
            status: p.status,
            monthly_price: p.monthly_price,
            created_at: p.created_at.clone(),
        })
        .collect();
    crate::programs::store::insert_many(&mut tx, tenant.id, &rows).await?;
    store::insert_groups(&mut tx, tenant.id, &catalog.groups).await?;
    store::bump_version(&mut tx, tenant.id).await?;
    tx.commit().await?;
    Ok(Filled {
        organizations: catalog.organizations.len(),
        programs: catalog.programs.len(),
        groups: catalog.groups.len(),
    })
}

pub struct Generated {
    pub organizations: Vec<Organization>,
    pub programs: Vec<Program>,
    /// The full card of each program, in the same order.
    pub cards: Vec<crate::programs::Card>,
    pub groups: Vec<Group>,
}

/// Generates without touching the database.
pub fn generate(tenant: &Tenant, programs: usize, today: NaiveDate) -> Generated {
    let config = &tenant.config;
    let mut rng = Rng::new(seed(config.slug.as_str(), programs));
    let year = if today.month() >= 6 {
        today.year()
    } else {
        today.year() - 1
    };
    let municipalities = &config.municipalities;
    let weights: Vec<u64> = municipalities
        .iter()
        .map(|m| u64::from(m.population_5_18))
        .collect();
    let area_code = &config.coordinator.phone.as_e164()[2..5];

    let org_count = (programs / 8).max(3);
    let mut organizations = Vec::with_capacity(org_count);
    for i in 0..org_count {
        // Every municipality gets at least one organization before weighting by children.
        let m = if i < municipalities.len() {
            i
        } else {
            rng.weighted(&weights)
        };
        organizations.push(organization(
            &mut rng,
            i as i64 + 1,
            &municipalities[m],
            area_code,
            config.slug.as_str(),
        ));
    }

    let mut programs_out = Vec::with_capacity(programs);
    let mut cards_out = Vec::with_capacity(programs);
    let mut groups = Vec::with_capacity(programs * 2);
    let epoch = NaiveDate::from_ymd_opt(year - 1, 9, 1).expect("valid date");
    for i in 0..programs {
        let org = &organizations[if i < org_count {
            i
        } else {
            rng.below(org_count)
        }];
        let words = &PROFILES[rng.below(PROFILES.len())];
        let program = program(&mut rng, i as i64 + 1, org, words, epoch);
        for _ in 0..1 + rng.below(3) {
            let id = groups.len() as i64 + 1;
            groups.push(group(&mut rng, id, &program, org, year));
        }
        cards_out.push(cards::card(&program, words));
        programs_out.push(program);
    }
    show_the_lifecycle(&organizations, &mut programs_out);
    Generated {
        organizations,
        programs: programs_out,
        cards: cards_out,
        groups,
    }
}

/// The organization the demo staff account works for (`accounts::ensure` picks the first
/// one authorized to confirm children's data, else the first) gets one draft and one
/// program waiting for moderation, so the cabinet and the moderation queue show both.
fn show_the_lifecycle(organizations: &[Organization], programs: &mut [Program]) {
    let Some(org) = organizations
        .iter()
        .find(|o| o.can_confirm)
        .or(organizations.first())
    else {
        return;
    };
    let mut own = programs.iter_mut().filter(|p| p.organization_id == org.id);
    for status in [ProgramStatus::Draft, ProgramStatus::Moderation] {
        if let Some(p) = own.next() {
            p.status = status;
        }
    }
}

fn seed(slug: &str, programs: usize) -> u64 {
    slug.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) ^ programs as u64
}

const KINDS: [(OrgKind, u64); 5] = [
    (OrgKind::Education, 45),
    (OrgKind::Culture, 15),
    (OrgKind::Sport, 15),
    (OrgKind::Private, 15),
    (OrgKind::Entrepreneur, 10),
];

fn person(rng: &mut Rng) -> (String, String) {
    let i = rng.below(words::SURNAMES_MALE.len());
    let p = rng.below(words::PATRONYMICS_MALE.len());
    if rng.chance(70) {
        let first = rng.pick(words::FIRST_NAMES_FEMALE);
        let patronymic = words::PATRONYMICS_FEMALE[p];
        let surname = words::SURNAMES_FEMALE[i];
        (
            format!("{surname} {first} {patronymic}"),
            format!("{surname} {}. {}.", initial(first), initial(patronymic)),
        )
    } else {
        let first = rng.pick(words::FIRST_NAMES_MALE);
        let patronymic = words::PATRONYMICS_MALE[p];
        let surname = words::SURNAMES_MALE[i];
        (
            format!("{surname} {first} {patronymic}"),
            format!("{surname} {}. {}.", initial(first), initial(patronymic)),
        )
    }
}

fn initial(name: &str) -> char {
    name.chars().next().unwrap_or('А')
}

/// «Дом детского творчества «Радуга»» → «ДДТ «Радуга»».
fn abbreviate(name: &str) -> String {
    match name.split_once('«') {
        Some((head, tail)) if head.split_whitespace().count() > 1 => {
            let letters: String = head
                .split_whitespace()
                .filter_map(|w| w.chars().next())
                .flat_map(char::to_uppercase)
                .collect();
            format!("{letters} «{tail}")
        }
        _ => name.to_owned(),
    }
}

/// A valid INN: 10 digits for an organization, 12 for an entrepreneur, with check digits.
fn inn(rng: &mut Rng, region_code: &str, entrepreneur: bool) -> String {
    const W10: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    const W11: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
    const W12: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
    let check = |digits: &[u32], weights: &[u32]| -> u32 {
        digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11 % 10
    };
    let mut digits: Vec<u32> = region_code.chars().filter_map(|c| c.to_digit(10)).collect();
    let body = if entrepreneur { 10 } else { 9 };
    while digits.len() < body {
        digits.push(rng.below(10) as u32);
    }
    if entrepreneur {
        let c11 = check(&digits, &W11);
        digits.push(c11);
        let c12 = check(&digits, &W12);
        digits.push(c12);
    } else {
        let c10 = check(&digits, &W10);
        digits.push(c10);
    }
    digits
        .iter()
        .map(|d| char::from_digit(*d, 10).expect("digit"))
        .collect()
}

fn near(rng: &mut Rng, center: LatLon, spread: f64) -> LatLon {
    LatLon {
        lat: center.lat + (rng.unit() - 0.5) * spread,
        lon: center.lon + (rng.unit() - 0.5) * spread * 1.6,
    }
}

fn street_address(rng: &mut Rng, place: &str) -> String {
    format!(
        "{place}, {}, д. {}",
        rng.pick(words::STREETS),
        1 + rng.below(120)
    )
}

fn organization(
    rng: &mut Rng,
    id: i64,
    m: &tenants::config::Municipality,
    area_code: &str,
    region: &str,
) -> Organization {
    let kind = KINDS[rng.weighted(&KINDS.map(|(_, w)| w))].0;
    let patterns: Vec<&str> = words::ORG_PATTERNS
        .iter()
        .filter(|(k, _)| *k == kind.code())
        .map(|(_, p)| *p)
        .collect();
    let pattern = patterns[rng.below(patterns.len())];
    let (full_person, short_person) = person(rng);
    let filler = if kind == OrgKind::Entrepreneur {
        short_person
    } else {
        rng.pick(words::NICKNAMES).to_owned()
    };
    let name = pattern.replace("{}", &filler);
    // Big towns spread wider than villages.
    let spread = 0.02 + (f64::from(m.population_5_18) / 60_000.0).min(1.0) * 0.08;
    let phone = Phone::parse(&format!("+7{area_code}{:07}", rng.below(10_000_000)))
        .expect("generated phone is valid");
    let description = format!(
        "{name} — {} ({}). {}",
        kind.label().to_lowercase(),
        m.name,
        if kind == OrgKind::Entrepreneur {
            format!("Руководитель — {full_person}. Небольшие группы, индивидуальный подход.")
        } else {
            "Работаем с детьми от 5 до 18 лет, занятия ведут педагоги высшей и первой категории."
                .to_owned()
        }
    );
    Organization {
        id,
        short_name: abbreviate(&name),
        name,
        kind,
        inn: inn(
            rng,
            &region_code_digits(region, id),
            kind == OrgKind::Entrepreneur,
        ),
        municipality_id: m.id.to_string(),
        address: street_address(rng, &m.name),
        location: near(rng, m.center, spread),
        phone: phone.as_e164().to_owned(),
        email: format!("org{id}@{region}.navigator.example"),
        website: rng
            .chance(50)
            .then(|| format!("https://org{id}.{region}.navigator.example")),
        description,
        can_confirm: kind == OrgKind::Education && rng.chance(40),
        // The demo catalog has no photos.
        logo: None,
    }
}

/// Two digits that start the INNs of the region's demo organizations.
fn region_code_digits(region: &str, id: i64) -> String {
    format!("{:02}", (region.len() as i64 * 7 + id % 3) % 90 + 10)
}

const LEVELS: [(Level, u64); 3] = [
    (Level::Start, 45),
    (Level::Basic, 40),
    (Level::Advanced, 15),
];
const FINANCING: [(Financing, u64); 3] = [
    (Financing::Free, 45),
    (Financing::Certificate, 35),
    (Financing::Paid, 20),
];
const STATUSES: [(ProgramStatus, u64); 5] = [
    (ProgramStatus::Published, 92),
    (ProgramStatus::Draft, 3),
    (ProgramStatus::Moderation, 3),
    (ProgramStatus::NeedsChanges, 1),
    (ProgramStatus::Archived, 1),
];

fn program(
    rng: &mut Rng,
    id: i64,
    org: &Organization,
    words: &ProfileWords,
    epoch: NaiveDate,
) -> Program {
    let (lo, hi) = words.ages;
    let min = lo + rng.below(usize::from((hi - lo).saturating_sub(2)) + 1) as u8;
    let max = (min + 2 + rng.below(usize::from(hi - min).saturating_sub(1).max(1)) as u8)
        .min(hi)
        .max(min);
    let financing = FINANCING[rng.weighted(&FINANCING.map(|(_, w)| w))].0;
    let monthly_price = match financing {
        Financing::Free => Money::ZERO,
        Financing::Certificate => Money::from_rub(1500 + 100 * rng.below(26) as i64),
        Financing::Paid => Money::from_rub(2000 + 100 * rng.below(41) as i64),
    };
    let duration_months = [9, 9, 9, 8, 3, 6, 12, 18, 24][rng.below(9)];
    let hours_per_week = 2 + rng.below(3) as i64;
    let mut description = String::new();
    let fragments = rng.below(2) + 2;
    let start = rng.below(words.descriptions.len());
    for k in 0..fragments.min(words.descriptions.len()) {
        description.push_str(words.descriptions[(start + k) % words.descriptions.len()]);
        description.push(' ');
    }
    description.push_str(rng.pick(words::DESCRIPTION_CLOSERS));
    let created = epoch + Duration::days(rng.below(540) as i64);
    Program {
        id,
        organization_id: org.id,
        title: rng.pick(words.titles).to_owned(),
        description,
        direction: Direction::parse(words.direction).expect("known direction"),
        profile_id: words.id.to_owned(),
        level: LEVELS[rng.weighted(&LEVELS.map(|(_, w)| w))].0,
        ages: AgeRange::new(min, max).expect("ages within the profile's range"),
        ovz: rng.chance(15),
        financing,
        monthly_price,
        duration_months,
        hours: duration_months * 4 * hours_per_week,
        status: STATUSES[rng.weighted(&STATUSES.map(|(_, w)| w))].0,
        created_at: format!(
            "{}T{:02}:{:02}:00.000000Z",
            created,
            8 + rng.below(10),
            rng.below(60)
        ),
        // Written with the card (`cards::card`), not from here.
        about: Default::default(),
        cover: None,
        cover_card: None,
        rating: Default::default(),
    }
}

const DAY_PAIRS: [&[u8]; 7] = [
    &[1, 3],
    &[2, 4],
    &[3, 5],
    &[1, 4],
    &[2, 5],
    &[6],
    &[1, 3, 5],
];

fn group(rng: &mut Rng, id: i64, program: &Program, org: &Organization, year: i32) -> Group {
    let date = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
    let start =
        NaiveTime::from_hms_opt(14 + rng.below(5) as u32, [0, 30][rng.below(2)], 0).expect("time");
    let length = Duration::minutes([45, 60, 90][rng.below(3)]);
    let schedule = Schedule(
        rng.pick(&DAY_PAIRS)
            .iter()
            .map(|&weekday| Session {
                weekday,
                start,
                end: start + length,
                from: None,
                to: None,
            })
            .collect(),
    );
    let (enroll_from, enroll_to, study_from) = match rng.below(10) {
        0..=3 => (date(year, 8, 20), date(year, 9, 30), date(year, 9, 1)),
        4..=7 => (date(year, 8, 20), date(year + 1, 5, 15), date(year, 9, 1)),
        _ => (
            date(year, 12, 1),
            date(year + 1, 1, 31),
            date(year + 1, 1, 10),
        ),
    };
    let capacity = 10 + rng.below(16) as i64;
    let (location, address) = if rng.chance(75) {
        (org.location, org.address.clone())
    } else {
        let place = org.address.split(',').next().unwrap_or_default().to_owned();
        (near(rng, org.location, 0.03), street_address(rng, &place))
    };
    let (teacher, _) = person(rng);
    Group {
        id,
        program_id: program.id,
        name: rng
            .pick(words::GROUP_PATTERNS)
            .replace("{}", &(1 + rng.below(6)).to_string()),
        teachers: vec![teacher],
        address,
        location,
        schedule,
        accepting: true,
        capacity,
        seats_taken: rng.below(capacity as usize + 1) as i64,
        enroll_from,
        enroll_to,
        study_from,
        study_to: date(year + 1, 5, 31),
        price_certificate: (program.financing == Financing::Certificate)
            .then_some(program.monthly_price),
        price_paid: (program.financing != Financing::Free).then(|| {
            Money::from_kopecks(
                program
                    .monthly_price
                    .kopecks()
                    .max(Money::from_rub(2000).kopecks()),
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inns_have_valid_check_digits() {
        let mut rng = Rng::new(7);
        let org = inn(&mut rng, "67", false);
        let ip = inn(&mut rng, "67", true);
        assert_eq!((org.len(), ip.len()), (10, 12));
        assert!(org.starts_with("67") && ip.starts_with("67"));
    }

    #[test]
    fn abbreviations() {
        assert_eq!(
            abbreviate("Дом детского творчества «Радуга»"),
            "ДДТ «Радуга»"
        );
        assert_eq!(abbreviate("ИП Иванова А. В."), "ИП Иванова А. В.");
    }
}
