//! `navigator migrate`: opening the database applies what migrations it lacks.

use std::io::Write;

use crate::settings::Settings;

use super::context::connect;

/// Applies the migrations and says to which backend.
pub(super) async fn run(settings: &Settings, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    writeln!(out, "Миграции применены ({:?}).", db.backend())?;
    Ok(())
}
