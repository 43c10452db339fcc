//! What every command shares: the [`Settings`] the flags make, the database opened (and
//! migrated), and the region a `--region` flag names.

use std::time::Duration;

use crate::db::Db;
use crate::regions;
use crate::settings::Settings;

use super::{Cli, Command};

impl Cli {
    pub(super) fn settings(&self) -> Settings {
        let s = &self.storage;
        let mut settings = Settings::local(s.data_dir.clone());
        settings.database_url = s.database_url.clone();
        settings.redis_url = s.redis_url.clone();
        settings.redis_prefix = s.redis_prefix.clone();
        settings.smtp_url = s.smtp_url.clone();
        settings.smtp_timeout = Duration::from_secs(s.smtp_timeout);
        settings.base_domain = s.base_domain.clone();
        if let Command::Serve {
            listen,
            trust_proxy,
            ..
        } = &self.command
        {
            settings.listen = *listen;
            settings.trust_proxy = *trust_proxy;
        }
        settings
    }
}

/// The region `slug` of the registry, or the error every `--region` flag gives.
pub(super) fn region_by_slug(
    registry: &regions::Registry,
    slug: &str,
) -> anyhow::Result<std::sync::Arc<regions::Tenant>> {
    registry
        .by_slug(slug)
        .ok_or_else(|| anyhow::anyhow!("--region: региона «{slug}» нет"))
}

/// Opens the database and applies the migrations it lacks.
pub(super) async fn connect(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&settings.database_url()).await?;
    db.migrate().await?;
    Ok(db)
}
