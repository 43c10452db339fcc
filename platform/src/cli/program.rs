//! `navigator program status`: moderation from the command line, a program's status set.

use std::io::Write;

use crate::catalog::model::ProgramStatus;
use crate::db::Db;
use crate::programs;
use crate::regions;
use crate::settings::Settings;
use crate::time::Clock;

use super::context::region_by_slug;

/// `navigator program status`: sets the status of the region's program `id`.
pub(super) async fn set_status(
    db: &Db,
    settings: &Settings,
    slug: &str,
    id: i64,
    status: ProgramStatus,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let registry = regions::Registry::load(db, settings.base_domain.clone()).await?;
    let tenant = region_by_slug(&registry, slug)?;
    if !programs::service::set_status_as_operator(db, &tenant, id, status, Clock::system().now())
        .await?
    {
        anyhow::bail!("--id: в каталоге региона «{slug}» нет программы {id}");
    }
    writeln!(out, "Программа {id}: статус «{}»", status.label())?;
    Ok(())
}
