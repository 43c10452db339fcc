//! `navigator tenant apply|list`: regions created or updated from their files, and the list
//! of regions.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cache::Cache;
use crate::db::Db;
use crate::regions::{self, Applied};
use crate::settings::Settings;
use crate::time::Clock;

pub(super) async fn apply_files(
    db: &Db,
    cache: &Cache,
    settings: &Settings,
    files: &[PathBuf],
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    for region in regions::apply_files(
        db,
        cache,
        &settings.base_domain,
        files,
        Clock::system().now(),
    )
    .await?
    {
        let word = match region.outcome {
            Applied::Created => "создан",
            Applied::Updated => "обновлён",
            Applied::Unchanged => "без изменений",
        };
        writeln!(out, "{}: {word} ({})", region.slug, region.region_name)?;
    }
    Ok(())
}

pub(super) async fn apply_dir(
    db: &Db,
    cache: &Cache,
    settings: &Settings,
    dir: &Path,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    apply_files(db, cache, settings, &regions::region_files(dir)?, out).await
}

pub(super) async fn list(db: &Db, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let tenants = regions::list_summaries(db).await?;
    if tenants.is_empty() {
        writeln!(
            out,
            "Регионов нет. Добавьте: navigator tenant apply tenants/regions/smolensk.toml"
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<14} {:>3}  {:<28} {:>5}  {:>4}  {:<20}  название",
        "регион", "код", "хосты", "муниц", "рев", "изменён"
    )?;
    for t in tenants {
        writeln!(
            out,
            "{:<14} {:>3}  {:<28} {:>5}  {:>4}  {:<20}  {}",
            t.slug,
            t.code,
            t.hosts.join(","),
            t.municipalities,
            t.revision,
            t.updated_at.get(..19).unwrap_or(&t.updated_at),
            t.name
        )?;
    }
    Ok(())
}
