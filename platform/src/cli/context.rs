//! What every command shares: the [`Settings`] the flags make, the database opened (and
//! migrated), and the region a `--region` flag names.

use std::time::Duration;

use crate::db::Db;
use crate::mail::dkim::DkimSettings;
use crate::regions;
use crate::settings::{MapTiles, RequestLimits, Settings};

use super::{Cli, Command};

impl Cli {
    pub(super) fn settings(&self) -> anyhow::Result<Settings> {
        let s = &self.storage;
        let mut settings = Settings::local(s.data_dir.clone());
        settings.database_url = s.database_url.clone();
        settings.redis_url = s.redis_url.clone();
        settings.redis_prefix = s.redis_prefix.clone();
        settings.smtp_url = s.smtp_url.clone();
        settings.smtp_timeout = Duration::from_secs(s.smtp_timeout);
        settings.dkim = self.dkim()?;
        settings.base_domain = s.base_domain.clone();
        if let Command::Serve {
            listen,
            demo,
            trust_proxy,
            database_wait_ms,
            limits,
            map_tiles,
            map_attribution,
        } = &self.command
        {
            settings.map_tiles = match (map_tiles, map_attribution) {
                (Some(url), Some(attribution)) => {
                    Some(MapTiles::parse(url, attribution).map_err(anyhow::Error::msg)?)
                }
                _ if *demo => Some(MapTiles::demo()),
                _ => None,
            };
            settings.listen = *listen;
            settings.trust_proxy = *trust_proxy;
            settings.database_wait = std::time::Duration::from_millis(*database_wait_ms);
            settings.limits = RequestLimits {
                body: limits.body_limit,
                upload_body: limits.upload_body_limit,
                expensive_per_client: limits.expensive_per_client,
            };
        }
        Ok(settings)
    }

    /// The DKIM key: all three settings or none (a signature needs each of them).
    fn dkim(&self) -> anyhow::Result<Option<DkimSettings>> {
        let s = &self.storage;
        match (&s.dkim_selector, &s.dkim_domain, &s.dkim_key_file) {
            (None, None, None) => Ok(None),
            (Some(selector), Some(domain), Some(key_file)) => Ok(Some(DkimSettings {
                selector: selector.clone(),
                domain: domain.clone(),
                key_file: key_file.clone(),
            })),
            (selector, domain, key_file) => {
                let missing: Vec<&str> = [
                    (
                        selector.is_none(),
                        "NAVIGATOR_DKIM_SELECTOR (--dkim-selector)",
                    ),
                    (domain.is_none(), "NAVIGATOR_DKIM_DOMAIN (--dkim-domain)"),
                    (
                        key_file.is_none(),
                        "NAVIGATOR_DKIM_KEY_FILE (--dkim-key-file)",
                    ),
                ]
                .into_iter()
                .filter_map(|(absent, name)| absent.then_some(name))
                .collect();
                anyhow::bail!(
                    "DKIM: не задано {}; подпись требует селектор, домен и файл ключа вместе",
                    missing.join(", ")
                )
            }
        }
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
