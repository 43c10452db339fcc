//! `navigator demo`: the sample regions applied, their catalogs filled with generated
//! programs, and the demo accounts made; `serve --demo` does the same before serving.

use std::io::Write;
use std::path::Path;

use crate::cache::Cache;
use crate::db::Db;
use crate::regions;
use crate::settings::Settings;
use crate::time::Clock;
use crate::{catalog, demo};

use super::context::connect;
use super::tenant::apply_dir;

/// What `navigator demo` was asked to generate.
pub(super) struct Size {
    pub programs: Option<u32>,
    pub applications: Option<u32>,
}

/// Applies the region files of `regions_dir`, fills the catalogs (all, or the one `region`),
/// makes the demo accounts and, when asked, the families' applications.
pub(super) async fn run(
    settings: &Settings,
    regions_dir: &Path,
    size: Size,
    region: Option<&str>,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    let cache = Cache::new(settings.redis_url.as_deref(), &settings.redis_prefix)?;
    apply_dir(&db, &cache, settings, regions_dir, out).await?;
    fill_demo(
        &db,
        settings,
        size.programs.map(|n| n as usize),
        region,
        out,
    )
    .await?;
    demo_accounts(&db, settings, out).await?;
    if let Some(applications) = size.applications {
        fill_activity(&db, settings, applications as usize, region, out).await?;
    }
    Ok(())
}

/// Replaces the generated families, children and applications of the regions (all, or the
/// one `region`, already checked by `fill_demo`) with `applications` applications each.
async fn fill_activity(
    db: &Db,
    settings: &Settings,
    applications: usize,
    only: Option<&str>,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    fill_activity_where(db, settings, applications, out, |t| {
        only.is_none_or(|s| s == t.slug())
    })
    .await
}

/// Families that applied and wrote reviews, for `serve --demo`: only in regions without any
/// yet, so a restart keeps what was there.
pub(super) async fn first_activity(
    db: &Db,
    settings: &Settings,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let registry = regions::Registry::load(db, settings.base_domain.clone()).await?;
    let mut empty = Vec::new();
    for tenant in registry.tenants() {
        if !demo::activity::exists(db, &tenant).await? {
            empty.push(tenant.id);
        }
    }
    fill_activity_where(db, settings, DEMO_APPLICATIONS, out, |t| {
        empty.contains(&t.id)
    })
    .await
}

/// Applications `serve --demo` generates in a region without any.
const DEMO_APPLICATIONS: usize = 300;

async fn fill_activity_where(
    db: &Db,
    settings: &Settings,
    applications: usize,
    out: &mut (dyn Write + Send),
    wanted: impl Fn(&regions::Tenant) -> bool,
) -> anyhow::Result<()> {
    let registry = regions::Registry::load(db, settings.base_domain.clone()).await?;
    for tenant in registry.tenants().iter().filter(|t| wanted(t)) {
        let started = std::time::Instant::now();
        let made =
            demo::activity::fill_activity(db, tenant, applications, &Clock::system()).await?;
        writeln!(
            out,
            "{}: {} заявок, {} семей, {} детей, {} отзывов ({:.1} с)",
            tenant.slug(),
            made.applications,
            made.families,
            made.children,
            made.reviews,
            started.elapsed().as_secs_f64()
        )?;
    }
    Ok(())
}

/// Fills regions with demo catalogs: `programs` replaces each catalog; without it, only
/// empty catalogs get the default size.
pub(super) async fn fill_demo(
    db: &Db,
    settings: &Settings,
    programs: Option<usize>,
    only: Option<&str>,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let registry = regions::Registry::load(db, settings.base_domain.clone()).await?;
    let tenants = registry.tenants();
    if let Some(slug) = only {
        if !tenants.iter().any(|t| t.slug() == slug) {
            let known: Vec<&str> = tenants.iter().map(|t| t.slug()).collect();
            anyhow::bail!("--region: региона «{slug}» нет; есть: {}", known.join(", "));
        }
    }
    for tenant in tenants
        .iter()
        .filter(|t| only.is_none_or(|s| s == t.slug()))
    {
        let size = match programs {
            Some(n) => n,
            None if catalog::store::count_programs(db, tenant.id).await? == 0 => {
                demo::DEFAULT_PROGRAMS
            }
            None => continue,
        };
        let started = std::time::Instant::now();
        let filled = demo::fill(db, tenant, size, &Clock::system()).await?;
        writeln!(
            out,
            "{}: каталог — {} программ, {} организаций, {} групп ({:.1} с)",
            tenant.slug(),
            filled.programs,
            filled.organizations,
            filled.groups,
            started.elapsed().as_secs_f64()
        )?;
    }
    Ok(())
}

pub(super) async fn demo_accounts(
    db: &Db,
    settings: &Settings,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let registry = regions::Registry::load(db, settings.base_domain.clone()).await?;
    demo::accounts::ensure(db, &registry.tenants(), Clock::system().now(), out).await
}
