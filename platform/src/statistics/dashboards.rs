//! The four dashboards, each a list of tables built from the store's aggregates: what a
//! figure means is decided here (the templates only print it).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Months, NaiveDate};

use crate::catalog::model::Direction;
use crate::db::Db;
use crate::regions::Tenant;
use crate::service_error::ServiceError;
use crate::spreadsheet::Column;

use super::period::Period;
use super::store::{self, Bounds, Covered, WaitBucket};
use super::table::{column, Table, Value};
use crate::accounts::AdminScope;

/// Programs in a «top» table.
pub const TOP: i64 = 20;
/// Seconds in the «decided within 3 days» rule.
pub const THREE_DAYS: i64 = 3 * 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Coverage,
    Demand,
    Work,
    Money,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Coverage, Kind::Demand, Kind::Work, Kind::Money];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Coverage => "coverage",
            Kind::Demand => "demand",
            Kind::Work => "work",
            Kind::Money => "money",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Coverage => "Охват",
            Kind::Demand => "Спрос",
            Kind::Work => "Работа организаций",
            Kind::Money => "Сертификаты и деньги",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// What a dashboard is computed for.
pub struct Request<'a> {
    pub db: &'a Db,
    pub tenant: &'a Tenant,
    pub scope: &'a AdminScope,
    pub period: Period,
    pub today: NaiveDate,
}

impl Request<'_> {
    fn bounds(&self) -> Bounds {
        let zone = self.tenant.config.time_zone;
        Bounds {
            starts: self.period.starts(zone),
            ends: self.period.ends(zone),
            first_day: self.period.from.to_string(),
            last_day: self.period.to.to_string(),
        }
    }

    fn municipality(&self) -> Option<&str> {
        self.scope.municipality()
    }

    /// The municipalities of the scope, as the region's file lists them: (id, name,
    /// children 5–18).
    fn municipalities(&self) -> Vec<(String, String, i64)> {
        self.tenant
            .config
            .municipalities
            .iter()
            .filter(|m| self.municipality().is_none_or(|s| s == m.id.as_str()))
            .map(|m| {
                (
                    m.id.as_str().to_owned(),
                    m.name.clone(),
                    i64::from(m.population_5_18),
                )
            })
            .collect()
    }

    fn municipality_name(&self, id: &str) -> String {
        if id.is_empty() {
            return "Не указан".into();
        }
        self.tenant
            .config
            .municipality(id)
            .map_or_else(|| id.to_owned(), |m| m.name.clone())
    }

    /// «Всего по региону» or «Всего: <municipality>».
    fn total_label(&self) -> String {
        match self.municipality() {
            None => "Всего по региону".into(),
            Some(m) => format!("Всего: {}", self.municipality_name(m)),
        }
    }
}

fn share(part: i64, whole: i64) -> Value {
    Value::Share((whole > 0).then(|| part as f64 / whole as f64))
}

fn ratio(part: i64, whole: i64) -> Value {
    Value::Ratio((whole > 0).then(|| part as f64 / whole as f64))
}

fn text(t: impl Into<String>) -> Value {
    Value::Text(t.into())
}

fn direction_label(code: &str) -> String {
    Direction::parse(code).map_or_else(|| code.to_owned(), |d| d.label().to_owned())
}

pub async fn build(kind: Kind, r: &Request<'_>) -> Result<Vec<Table>, ServiceError> {
    match kind {
        Kind::Coverage => coverage(r).await,
        Kind::Demand => demand(r).await,
        Kind::Work => work(r).await,
        Kind::Money => money(r).await,
    }
}

// ---------------------------------------------------------------- охват

async fn coverage(r: &Request<'_>) -> Result<Vec<Table>, ServiceError> {
    let b = r.bounds();
    let (db, tenant, m) = (r.db, r.tenant.id, r.municipality());
    let day = r.period.age_day(r.today);
    let born_after = [5, 10, 15, 18].map(|years| {
        day.checked_sub_months(Months::new(12 * years))
            .unwrap_or(day)
            .to_string()
    });
    let groups = store::covered_children(db, tenant, &b, m, born_after).await?;
    let by_direction = store::covered_by_direction(db, tenant, &b, m).await?;
    // Each child is in one group (one family, one age, ОВЗ or not): sums count it once.
    let mut by_municipality: BTreeMap<String, Covered> = BTreeMap::new();
    let mut by_band: HashMap<String, Covered> = HashMap::new();
    let mut total = Covered::default();
    for g in &groups {
        for c in [
            by_municipality.entry(g.municipality.clone()).or_default(),
            by_band.entry(g.band.clone()).or_default(),
            &mut total,
        ] {
            c.children += g.children;
            if g.ovz {
                c.ovz += g.children;
            }
        }
    }
    let by_municipality: Vec<Covered> = by_municipality
        .into_iter()
        .map(|(key, c)| Covered { key, ..c })
        .collect();
    let municipalities = r.municipalities();
    let population: i64 = municipalities.iter().map(|(_, _, p)| p).sum();
    let found: HashMap<&str, &Covered> = by_municipality
        .iter()
        .map(|c| (c.key.as_str(), c))
        .collect();
    let mut rows: Vec<Vec<Value>> = municipalities
        .iter()
        .map(|(id, name, children)| {
            let c = found.get(id.as_str()).copied().cloned().unwrap_or_default();
            vec![
                text(name.clone()),
                Value::Int(*children),
                Value::Int(c.children),
                share(c.children, *children),
                Value::Int(c.ovz),
            ]
        })
        .collect();
    // Families who named no municipality (or one the region no longer lists) still count.
    for c in &by_municipality {
        if !municipalities.iter().any(|(id, _, _)| *id == c.key) {
            rows.push(vec![
                text(r.municipality_name(&c.key)),
                Value::Int(0),
                Value::Int(c.children),
                Value::Share(None),
                Value::Int(c.ovz),
            ]);
        }
    }
    let municipalities_table = Table {
        key: "coverage-municipalities",
        title: "Охват по муниципалитетам".into(),
        columns: vec![
            column("Муниципалитет", 32.0),
            column("Детей 5–18 лет", 14.0),
            column("Занимаются хотя бы в одной программе", 18.0),
            column("Охват", 10.0),
            column("Из них с ОВЗ", 12.0),
        ],
        rows,
        total: Some(vec![
            text(r.total_label()),
            Value::Int(population),
            Value::Int(total.children),
            share(total.children, population),
            Value::Int(total.ovz),
        ]),
        chart: Some(3),
        note: Some(
            "Уникальные дети, зачисленные в группу, обучение в которой идёт в выбранном \
             периоде, по муниципалитету проживания семьи, к численности детей 5–18 лет \
             из настроек региона."
                .into(),
        ),
        empty: "В регионе нет муниципалитетов.",
    };

    let found: HashMap<&str, &Covered> = by_direction.iter().map(|c| (c.key.as_str(), c)).collect();
    let directions_table = Table {
        key: "coverage-directions",
        title: "Охват по направленностям".into(),
        columns: vec![
            column("Направленность", 30.0),
            column("Детей", 12.0),
            column("Охват", 10.0),
            column("Из них с ОВЗ", 12.0),
        ],
        rows: Direction::ALL
            .iter()
            .map(|d| {
                let c = found.get(d.code()).copied().cloned().unwrap_or_default();
                vec![
                    text(d.label()),
                    Value::Int(c.children),
                    share(c.children, population),
                    Value::Int(c.ovz),
                ]
            })
            .collect(),
        total: Some(vec![
            text(r.total_label()),
            Value::Int(total.children),
            share(total.children, population),
            Value::Int(total.ovz),
        ]),
        chart: Some(2),
        note: Some(
            "Ребёнок, который занимается в двух направленностях, учтён в каждой; в строке \
             «Всего» — один раз."
                .into(),
        ),
        empty: "",
    };

    let found: HashMap<&str, &Covered> = by_band.iter().map(|(k, c)| (k.as_str(), c)).collect();
    let mut bands = vec![
        ("5-9", "5–9 лет"),
        ("10-14", "10–14 лет"),
        ("15-17", "15–17 лет"),
    ];
    for extra in [("under5", "Младше 5 лет"), ("18+", "18 лет и старше")] {
        if found.contains_key(extra.0) {
            bands.push(extra);
        }
    }
    let ages_table = Table {
        key: "coverage-ages",
        title: "Охват по возрасту".into(),
        columns: vec![
            column("Возраст", 20.0),
            column("Детей", 12.0),
            column("Доля охваченных детей", 14.0),
            column("Из них с ОВЗ", 12.0),
        ],
        rows: bands
            .iter()
            .map(|(key, label)| {
                let c = found.get(key).copied().cloned().unwrap_or_default();
                vec![
                    text(*label),
                    Value::Int(c.children),
                    share(c.children, total.children),
                    Value::Int(c.ovz),
                ]
            })
            .collect(),
        total: Some(vec![
            text(r.total_label()),
            Value::Int(total.children),
            share(total.children, total.children),
            Value::Int(total.ovz),
        ]),
        chart: Some(1),
        note: Some(format!(
            "Возраст — на {}. Численность детей по возрастам в настройках региона не задана, \
             поэтому доля считается от всех охваченных детей.",
            crate::time::day(day)
        )),
        empty: "",
    };

    let ovz_table = Table {
        key: "coverage-ovz",
        title: "Дети с ОВЗ".into(),
        columns: vec![
            column("Показатель", 40.0),
            column("Детей", 12.0),
            column("Доля охваченных детей", 14.0),
        ],
        rows: vec![
            vec![
                text("Все охваченные дети"),
                Value::Int(total.children),
                share(total.children, total.children),
            ],
            vec![
                text("Дети с ОВЗ"),
                Value::Int(total.ovz),
                share(total.ovz, total.children),
            ],
        ],
        total: None,
        chart: Some(1),
        note: Some("ОВЗ отмечают родители в карточке ребёнка.".into()),
        empty: "",
    };
    Ok(vec![
        municipalities_table,
        directions_table,
        ages_table,
        ovz_table,
    ])
}

// ---------------------------------------------------------------- спрос

fn program_row(p: &store::ProgramDemand, extra: &[Value]) -> Vec<Value> {
    let mut row = vec![
        text(format!("№ {} {}", p.program_id, p.title)),
        text(p.organization.clone()),
        text(direction_label(&p.direction)),
    ];
    row.extend_from_slice(extra);
    row
}

fn program_columns(extra: &[(&'static str, f64)]) -> Vec<Column> {
    let mut columns = vec![
        column("Программа", 40.0),
        column("Организация", 24.0),
        column("Направленность", 24.0),
    ];
    columns.extend(extra.iter().map(|(h, w)| column(h, *w)));
    columns
}

async fn demand(r: &Request<'_>) -> Result<Vec<Table>, ServiceError> {
    let b = r.bounds();
    let (db, tenant, m) = (r.db, r.tenant.id, r.municipality());
    let filed: HashMap<i64, store::Filed> = store::filed_by_program(db, tenant, &b, m)
        .await?
        .into_iter()
        .collect();
    let offer = store::program_seats(db, tenant, &b, m).await?;
    let mut by_direction: HashMap<String, store::Demand> = HashMap::new();
    let mut lines: Vec<store::ProgramDemand> = Vec::new();
    for (id, direction, seats) in offer {
        let f = filed.get(&id).copied().unwrap_or_default();
        let d = by_direction.entry(direction.clone()).or_default();
        d.applications += f.applications;
        d.waitlisted += f.waitlisted;
        d.seats += seats;
        if f.applications > 0 {
            lines.push(store::ProgramDemand {
                program_id: id,
                title: String::new(),
                organization: String::new(),
                direction,
                applications: f.applications,
                waitlisted: f.waitlisted,
                seats,
            });
        }
    }
    let found: HashMap<&str, &store::Demand> =
        by_direction.iter().map(|(k, d)| (k.as_str(), d)).collect();
    let sum = |f: fn(&store::Demand) -> i64| by_direction.values().map(f).sum::<i64>();
    let (apps, seats, waiting) = (
        sum(|d| d.applications),
        sum(|d| d.seats),
        sum(|d| d.waitlisted),
    );
    // The rankings, ties by program number; a program without seats counts as one seat.
    let top = |mut v: Vec<store::ProgramDemand>, key: fn(&store::ProgramDemand) -> f64| {
        v.sort_by(|a, b| {
            key(b)
                .total_cmp(&key(a))
                .then(a.program_id.cmp(&b.program_id))
        });
        v.truncate(TOP as usize);
        v
    };
    let per_seat = top(lines.clone(), |p| {
        p.applications as f64 / p.seats.max(1) as f64
    });
    let unmet = top(
        lines
            .iter()
            .filter(|p| p.applications > p.seats)
            .cloned()
            .collect(),
        |p| (p.applications - p.seats) as f64,
    );
    let waitlists = top(
        lines.iter().filter(|p| p.waitlisted > 0).cloned().collect(),
        |p| p.waitlisted as f64,
    );
    let shown: Vec<i64> = per_seat
        .iter()
        .chain(&unmet)
        .chain(&waitlists)
        .map(|p| p.program_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let names: HashMap<i64, (String, String)> = store::program_names(db, tenant, &shown)
        .await?
        .into_iter()
        .map(|(id, title, org)| (id, (title, org)))
        .collect();
    let named = |v: Vec<store::ProgramDemand>| -> Vec<store::ProgramDemand> {
        v.into_iter()
            .map(|mut p| {
                if let Some((title, org)) = names.get(&p.program_id) {
                    p.title = title.clone();
                    p.organization = org.clone();
                }
                p
            })
            .collect()
    };
    let (per_seat, unmet, waitlists) = (named(per_seat), named(unmet), named(waitlists));
    let directions = Table {
        key: "demand-directions",
        title: "Заявки на место по направленностям".into(),
        columns: vec![
            column("Направленность", 30.0),
            column("Заявок", 12.0),
            column("Мест", 12.0),
            column("Заявок на место", 12.0),
            column("В очереди", 12.0),
        ],
        rows: Direction::ALL
            .iter()
            .map(|d| {
                let x = found.get(d.code()).copied().cloned().unwrap_or_default();
                vec![
                    text(d.label()),
                    Value::Int(x.applications),
                    Value::Int(x.seats),
                    ratio(x.applications, x.seats),
                    Value::Int(x.waitlisted),
                ]
            })
            .collect(),
        total: Some(vec![
            text(r.total_label()),
            Value::Int(apps),
            Value::Int(seats),
            ratio(apps, seats),
            Value::Int(waiting),
        ]),
        chart: Some(3),
        note: Some(
            "Заявки, поданные в выбранном периоде, и места (план приёма) групп \
             опубликованных программ, обучение в которых идёт в этом периоде; «В очереди» — \
             заявки этого периода, которые сейчас ждут места."
                .into(),
        ),
        empty: "",
    };

    let per_seat = Table {
        key: "demand-programs",
        title: format!("Программы с наибольшим числом заявок на место (первые {TOP})"),
        columns: program_columns(&[
            ("Заявок", 10.0),
            ("Мест", 10.0),
            ("Заявок на место", 12.0),
            ("В очереди", 10.0),
        ]),
        rows: per_seat
            .iter()
            .map(|p| {
                program_row(
                    p,
                    &[
                        Value::Int(p.applications),
                        Value::Int(p.seats),
                        ratio(p.applications, p.seats),
                        Value::Int(p.waitlisted),
                    ],
                )
            })
            .collect(),
        total: None,
        chart: Some(5),
        note: Some("У программы без мест в периоде число заявок на место не определено.".into()),
        empty: "Заявок в выбранном периоде нет.",
    };

    let unmet = Table {
        key: "demand-unmet",
        title: format!("Программы с наибольшим неудовлетворённым спросом (первые {TOP})"),
        columns: program_columns(&[
            ("Заявок", 10.0),
            ("Мест", 10.0),
            ("Заявок сверх мест", 12.0),
        ]),
        rows: unmet
            .iter()
            .map(|p| {
                program_row(
                    p,
                    &[
                        Value::Int(p.applications),
                        Value::Int(p.seats),
                        Value::Int(p.applications - p.seats),
                    ],
                )
            })
            .collect(),
        total: None,
        chart: Some(5),
        note: None,
        empty: "Заявок больше, чем мест, нет ни в одной программе.",
    };

    let waitlists = Table {
        key: "demand-waitlists",
        title: format!("Самые длинные очереди (первые {TOP})"),
        columns: program_columns(&[("В очереди", 10.0), ("Мест", 10.0)]),
        rows: waitlists
            .iter()
            .map(|p| program_row(p, &[Value::Int(p.waitlisted), Value::Int(p.seats)]))
            .collect(),
        total: None,
        chart: Some(3),
        note: None,
        empty: "Очередей нет.",
    };

    let refusals = store::refusals(db, tenant, &b, m, TOP).await?;
    let refused: i64 = refusals.iter().map(|(_, n)| n).sum();
    let refusals = Table {
        key: "demand-refusals",
        title: format!("Причины отказов (первые {TOP})"),
        columns: vec![
            column("Причина отказа", 50.0),
            column("Отказов", 10.0),
            column("Доля", 10.0),
        ],
        rows: refusals
            .iter()
            .map(|(reason, n)| vec![text(reason.clone()), Value::Int(*n), share(*n, refused)])
            .collect(),
        total: None,
        chart: Some(1),
        note: Some("Комментарии организаций к решению «Отклонена», как они написаны.".into()),
        empty: "Отказов в выбранном периоде нет.",
    };

    let offered: BTreeSet<(String, String)> = store::offer_pairs(db, tenant, &b, m)
        .await?
        .into_iter()
        .collect();
    let no_offer = Table {
        key: "demand-no-offer",
        title: "Муниципалитеты без предложения по направленности".into(),
        columns: vec![
            column("Муниципалитет", 32.0),
            column("Направленностей без предложения", 14.0),
            column("Каких нет", 60.0),
        ],
        rows: r
            .municipalities()
            .into_iter()
            .filter_map(|(id, name, _)| {
                let missing: Vec<&str> = Direction::ALL
                    .iter()
                    .filter(|d| !offered.contains(&(id.clone(), d.code().to_owned())))
                    .map(|d| d.label())
                    .collect();
                (!missing.is_empty()).then(|| {
                    vec![
                        text(name),
                        Value::Int(missing.len() as i64),
                        text(missing.join(", ")),
                    ]
                })
            })
            .collect(),
        total: None,
        chart: Some(1),
        note: Some(
            "Нет ни одной группы опубликованной программы этой направленности у \
             организаций муниципалитета в выбранном периоде."
                .into(),
        ),
        empty: "В каждом муниципалитете есть программы всех шести направленностей.",
    };
    Ok(vec![
        directions, per_seat, unmet, waitlists, refusals, no_offer,
    ])
}

// ---------------------------------------------------------------- работа организаций

/// The median and 90th percentile (whole hours) of a histogram: the hour of the
/// ⌈p·n⌉-th decision in order of wait.
pub fn percentiles(buckets: &BTreeMap<i64, i64>) -> (Option<i64>, Option<i64>) {
    let n: i64 = buckets.values().sum();
    if n == 0 {
        return (None, None);
    }
    let at = |p: f64| {
        let rank = ((p * n as f64).ceil() as i64).max(1);
        let mut seen = 0;
        buckets.iter().find_map(|(hour, count)| {
            seen += count;
            (seen >= rank).then_some(*hour)
        })
    };
    (at(0.5), at(0.9))
}

#[derive(Default)]
struct OrgWork {
    hours: BTreeMap<i64, i64>,
    decided: i64,
    fast: i64,
    waiting: i64,
}

impl OrgWork {
    fn add(&mut self, b: &WaitBucket) {
        *self.hours.entry(b.hour).or_default() += b.decided;
        self.decided += b.decided;
        self.fast += b.within_3_days;
    }

    fn row(&self, name: Value, municipality: Value) -> Vec<Value> {
        let (median, p90) = percentiles(&self.hours);
        vec![
            name,
            municipality,
            Value::Int(self.decided),
            Value::Hours(median),
            Value::Hours(p90),
            share(self.fast, self.decided),
            Value::Int(self.waiting),
        ]
    }
}

async fn work(r: &Request<'_>) -> Result<Vec<Table>, ServiceError> {
    let b = r.bounds();
    let (db, tenant, m) = (r.db, r.tenant.id, r.municipality());
    let buckets = store::waits(db, tenant, &b, m).await?;
    let undecided = store::undecided(db, tenant, &b, m).await?;
    let mut orgs: BTreeMap<i64, OrgWork> = BTreeMap::new();
    let mut all = OrgWork::default();
    for bucket in &buckets {
        orgs.entry(bucket.organization_id).or_default().add(bucket);
        all.add(bucket);
    }
    for (org, n) in undecided {
        orgs.entry(org).or_default().waiting += n;
        all.waiting += n;
    }
    let names: HashMap<i64, (String, String)> = store::organization_names(db, tenant, m)
        .await?
        .into_iter()
        .map(|(id, name, m)| (id, (name, m)))
        .collect();
    let mut lines: Vec<(Option<i64>, String, Vec<Value>)> = orgs
        .iter()
        .map(|(id, w)| {
            let (name, municipality) = names
                .get(id)
                .cloned()
                .unwrap_or_else(|| (format!("Организация № {id}"), String::new()));
            let row = w.row(text(name.clone()), text(r.municipality_name(&municipality)));
            (percentiles(&w.hours).0, name, row)
        })
        .collect();
    // The slowest first: the ministry looks for who keeps families waiting.
    lines.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let table = Table {
        key: "work-organizations",
        title: "Время от заявки до решения по организациям".into(),
        columns: vec![
            column("Организация", 36.0),
            column("Муниципалитет", 24.0),
            column("Решений", 10.0),
            column("Медиана, ч", 10.0),
            column("90-й процентиль, ч", 12.0),
            column("Решено за 3 дня", 12.0),
            column("Ждут решения", 10.0),
        ],
        rows: lines.into_iter().map(|(_, _, row)| row).collect(),
        total: Some(all.row(text(r.total_label()), text(""))),
        chart: Some(3),
        note: Some(
            "По заявкам, поданным в выбранном периоде: первое решение организации \
             («Подтверждена» или «Отклонена»); время — в целых часах, с округлением вниз. \
             «Ждут решения» — новые заявки и заявки в очереди без решения."
                .into(),
        ),
        empty: "Заявок в выбранном периоде нет.",
    };
    let quality = quality(r, &names).await?;
    Ok(vec![table, quality])
}

/// «Оценки семей»: the published reviews of the period by organization, best rated first.
async fn quality(
    r: &Request<'_>,
    names: &HashMap<i64, (String, String)>,
) -> Result<Table, ServiceError> {
    let b = r.bounds();
    let ratings = store::review_ratings(r.db, r.tenant.id, &b, r.municipality()).await?;
    let (mut count, mut stars) = (0, 0);
    let mut lines: Vec<(f64, String, Vec<Value>)> = ratings
        .into_iter()
        .map(|(id, n, sum)| {
            count += n;
            stars += sum;
            let (name, municipality) = names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| (format!("Организация № {id}"), String::new()));
            let row = vec![
                text(name.clone()),
                text(r.municipality_name(&municipality)),
                Value::Int(n),
                ratio(sum, n),
            ];
            (sum as f64 / n.max(1) as f64, name, row)
        })
        .collect();
    lines.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    Ok(Table {
        key: "work-reviews",
        title: "Оценки семей по организациям".into(),
        columns: vec![
            column("Организация", 40.0),
            column("Муниципалитет", 26.0),
            column("Отзывов", 12.0),
            column("Средняя оценка", 14.0),
        ],
        rows: lines.into_iter().map(|(_, _, row)| row).collect(),
        total: Some(vec![
            text(r.total_label()),
            text(""),
            Value::Int(count),
            ratio(stars, count),
        ]),
        chart: Some(3),
        note: Some(
            "Опубликованные отзывы семей, написанные в выбранном периоде (оценка от 1 до 5); \
             отзывы пишут родители детей, зачисленных в группы программ организации."
                .into(),
        ),
        empty: "Опубликованных отзывов в выбранном периоде нет.",
    })
}

// ---------------------------------------------------------------- сертификаты и деньги

const MONTHS: [&str; 12] = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];

fn month_label(month: &str) -> String {
    let (y, m) = month.split_once('-').unwrap_or((month, ""));
    match m.parse::<usize>() {
        Ok(m @ 1..=12) => format!("{} {y}", MONTHS[m - 1]),
        _ => month.to_owned(),
    }
}

async fn money(r: &Request<'_>) -> Result<Vec<Table>, ServiceError> {
    let b = r.bounds();
    let (db, tenant, m) = (r.db, r.tenant.id, r.municipality());
    let years = r.period.years();
    let years = (i64::from(*years.start()), i64::from(*years.end()));
    let lines = store::money(db, tenant, &b, years, m).await?;
    let set: HashMap<(String, i64), i64> = store::budgets(db, tenant, years, m)
        .await?
        .into_iter()
        .map(|(m, y, budget)| ((m, y), budget))
        .collect();
    let found: HashMap<&str, &store::Money> =
        lines.iter().map(|l| (l.municipality.as_str(), l)).collect();
    let municipalities = r.municipalities();
    let mut certificates = Vec::new();
    let mut budgets = Vec::new();
    let mut total = store::Money::default();
    let mut total_budget = 0;
    for (id, name, _) in &municipalities {
        let l = found.get(id.as_str()).copied().cloned().unwrap_or_default();
        let default = r
            .tenant
            .config
            .municipality(id)
            .map_or(0, |mm| r.tenant.config.budget_rub(mm) as i64 * 100);
        let budget: i64 = (years.0..=years.1)
            .map(|y| set.get(&(id.clone(), y)).copied().unwrap_or(default))
            .sum();
        certificates.push(vec![
            text(name.clone()),
            Value::Int(l.issued),
            Value::Int(l.confirmed),
            Value::Int(l.funded),
            Value::Int(l.contracts),
            Value::Int(l.active_contracts),
        ]);
        budgets.push(vec![
            text(name.clone()),
            Value::Money(budget),
            Value::Money(l.credited),
            Value::Money(l.committed),
            Value::Money(l.spent),
            share(l.credited, budget),
        ]);
        total.issued += l.issued;
        total.confirmed += l.confirmed;
        total.funded += l.funded;
        total.contracts += l.contracts;
        total.active_contracts += l.active_contracts;
        total.credited += l.credited;
        total.committed += l.committed;
        total.spent += l.spent;
        total_budget += budget;
    }
    let certificates = Table {
        key: "money-certificates",
        title: "Сертификаты и договоры по муниципалитетам".into(),
        columns: vec![
            column("Муниципалитет", 32.0),
            column("Выдано", 10.0),
            column("Подтверждено", 12.0),
            column("Начислен номинал", 12.0),
            column("Договоров заключено", 12.0),
            column("Из них действуют", 12.0),
        ],
        rows: certificates,
        total: Some(vec![
            text(r.total_label()),
            Value::Int(total.issued),
            Value::Int(total.confirmed),
            Value::Int(total.funded),
            Value::Int(total.contracts),
            Value::Int(total.active_contracts),
        ]),
        chart: Some(1),
        note: Some(
            "Сертификаты, выданные, подтверждённые и получившие номинал в выбранном периоде, \
             и договоры, заключённые в нём, — по муниципалитету сертификата."
                .into(),
        ),
        empty: "В регионе нет муниципалитетов.",
    };
    let budgets = Table {
        key: "money-budget",
        title: "Номиналы и бюджет по муниципалитетам".into(),
        columns: vec![
            column("Муниципалитет", 32.0),
            column("Бюджет, ₽", 16.0),
            column("Начислено номиналов, ₽", 16.0),
            column("В договорах, ₽", 16.0),
            column("Списано, ₽", 16.0),
            column("Начислено от бюджета", 12.0),
        ],
        rows: budgets,
        total: Some(vec![
            text(r.total_label()),
            Value::Money(total_budget),
            Value::Money(total.credited),
            Value::Money(total.committed),
            Value::Money(total.spent),
            share(total.credited, total_budget),
        ]),
        chart: Some(5),
        note: Some(format!(
            "За финансовые периоды {}: бюджет, заданный муниципалитетом на период, или \
             бюджет по умолчанию из настроек региона.",
            if years.0 == years.1 {
                format!("{} года", years.0)
            } else {
                format!("{}–{} годов", years.0, years.1)
            }
        )),
        empty: "В регионе нет муниципалитетов.",
    };
    let (first, last) = r.period.months();
    let months = store::billing(db, tenant, (&first, &last), m).await?;
    let billed: i64 = months.iter().map(|(_, _, a)| a).sum();
    let charges: i64 = months.iter().map(|(_, n, _)| n).sum();
    let billing = Table {
        key: "money-billing",
        title: "Списания по договорам по месяцам".into(),
        columns: vec![
            column("Месяц", 18.0),
            column("Списаний", 10.0),
            column("Сумма, ₽", 16.0),
        ],
        rows: months
            .iter()
            .map(|(month, n, amount)| {
                vec![
                    text(month_label(month)),
                    Value::Int(*n),
                    Value::Money(*amount),
                ]
            })
            .collect(),
        total: Some(vec![
            text(r.total_label()),
            Value::Int(charges),
            Value::Money(billed),
        ]),
        chart: Some(2),
        note: None,
        empty: "Списаний в выбранном периоде нет.",
    };
    Ok(vec![certificates, budgets, billing])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_read_from_the_hour_histogram() {
        // Ten decisions: 1 h ×5, 2 h ×4, 50 h ×1.
        let h: BTreeMap<i64, i64> = [(1, 5), (2, 4), (50, 1)].into();
        assert_eq!(percentiles(&h), (Some(1), Some(2)));
        let h: BTreeMap<i64, i64> = [(3, 1)].into();
        assert_eq!(percentiles(&h), (Some(3), Some(3)));
        let h: BTreeMap<i64, i64> = [(1, 1), (10, 1), (20, 1)].into();
        assert_eq!(percentiles(&h), (Some(10), Some(20)));
        assert_eq!(percentiles(&BTreeMap::new()), (None, None));
        assert_eq!(month_label("2026-11"), "ноябрь 2026");
    }
}
