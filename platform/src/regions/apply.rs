//! Onboarding: `navigator tenant apply FILE` creates or updates a region from its file.
//!
//! Everything is written in one transaction together with a bump of the registry version,
//! so every server process sees either the old region or the new one, never half of it,
//! and picks the change up on its next poll.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use tenants::{Host, HostTable, LoadedRegion};

use crate::cache::Cache;
use crate::db::{Db, DbError, Tx};

use super::{registry, store};

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Problems found before anything was written.
    #[error("ни один регион не изменён:\n{}", .0.join("\n"))]
    Invalid(Vec<String>),
    #[error("{file}: hosts: хост {host} уже принадлежит региону {owner}")]
    HostTaken {
        file: String,
        host: String,
        owner: String,
    },
    #[error("{file}: hosts: хост {host} зарезервирован: адреса вида регион.localhost платформа даёт каждому региону сама")]
    HostReserved { file: String, host: String },
    #[error("{file}: code: код региона {code} уже у региона {owner}")]
    CodeTaken {
        file: String,
        code: u8,
        owner: String,
    },
    /// An edit made from the web found the stored file changed since it was read.
    #[error("настройки региона только что изменил кто-то другой: откройте страницу заново и повторите изменение")]
    Stale,
    #[error(transparent)]
    Db(#[from] DbError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Created,
    Updated,
    /// The same file was applied before: nothing written, no reload anywhere.
    Unchanged,
}

/// What `apply_files` did with one file.
#[derive(Debug, Clone)]
pub struct AppliedRegion {
    pub slug: String,
    pub region_name: String,
    pub outcome: Applied,
}

/// The region files (`*.toml`) of a folder, in name order.
pub fn region_files(dir: &Path) -> Result<Vec<PathBuf>, ApplyError> {
    let invalid =
        |message: String| ApplyError::Invalid(vec![format!("{}: {message}", dir.display())]);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| invalid(format!("папка не читается: {e}")))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(invalid("нет файлов регионов (*.toml)".into()));
    }
    Ok(files)
}

/// Reads and validates every file first, so one broken file changes nothing; then applies
/// each (one transaction per region).
pub async fn apply_files(
    db: &Db,
    cache: &Cache,
    base_domain: &Host,
    files: &[PathBuf],
    now: DateTime<Utc>,
) -> Result<Vec<AppliedRegion>, ApplyError> {
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        match LoadedRegion::load(file) {
            Ok(region) => loaded.push((file.display().to_string(), region)),
            Err(e) => problems.push(e.to_string()),
        }
    }
    // Files of one run must not claim the same host or slug either.
    let mut table = HostTable::new(base_domain);
    for (i, (file, region)) in loaded.iter().enumerate() {
        if loaded[..i]
            .iter()
            .any(|(_, r)| r.config.slug == region.config.slug)
        {
            problems.push(format!(
                "{file}: slug: регион {} уже есть в другом файле",
                region.config.slug
            ));
        } else if let Err(e) = table.insert(&region.config.slug, &region.config.hosts) {
            problems.push(format!("{file}: hosts: {e}"));
        }
    }
    if !problems.is_empty() {
        return Err(ApplyError::Invalid(problems));
    }
    let mut applied = Vec::new();
    for (file, region) in &loaded {
        applied.push(AppliedRegion {
            slug: region.config.slug.to_string(),
            region_name: region.config.region_name.clone(),
            outcome: apply_region(db, cache, region, file, now).await?,
        });
    }
    Ok(applied)
}

/// Applies an already loaded region. `file` names it in error messages.
#[tracing::instrument(skip_all, fields(slug = %region.config.slug))]
pub async fn apply_region(
    db: &Db,
    cache: &Cache,
    region: &LoadedRegion,
    file: &str,
    now: DateTime<Utc>,
) -> Result<Applied, ApplyError> {
    let mut tx = db.begin().await?;
    let outcome = write_region(&mut tx, region, file, None, now).await?;
    if outcome == Applied::Unchanged {
        return Ok(outcome);
    }
    tx.commit().await.map_err(DbError::from)?;
    announce(cache).await;
    Ok(outcome)
}

/// Applies, in the caller's transaction, a region whose file was edited from the web
/// (`region_settings`): only if the stored file is still `expected`, the text the edit was
/// made on (two admins saving at once must not undo each other), and keeping the stored
/// logo (the web edits no logo; the file names it by a path only the operator's folder
/// resolves). `Unchanged` writes nothing. The caller commits, then calls [`announce`].
#[tracing::instrument(skip_all, fields(slug = %region.config.slug))]
pub async fn apply_edit(
    tx: &mut Tx,
    region: &LoadedRegion,
    expected: &str,
    now: DateTime<Utc>,
) -> Result<Applied, ApplyError> {
    let file = format!("{} (из веб-формы)", region.config.slug);
    write_region(tx, region, &file, Some(expected), now).await
}

/// Makes servers sharing this cache see a committed change on their next poll instead of
/// when the cached version expires.
pub async fn announce(cache: &Cache) {
    if let Err(e) = cache.delete(registry::VERSION_KEY).await {
        tracing::warn!(error = %e, "registry version left in the cache: other servers see the change when it expires");
    }
}

async fn write_region(
    tx: &mut Tx,
    region: &LoadedRegion,
    file: &str,
    expected: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Applied, ApplyError> {
    let hosts: Vec<String> = region
        .config
        .hosts
        .iter()
        .map(|h| h.as_ascii().to_owned())
        .collect();
    if let Some(host) = hosts
        .iter()
        .find(|h| h.as_str() == "localhost" || h.ends_with(".localhost"))
    {
        return Err(ApplyError::HostReserved {
            file: file.to_owned(),
            host: host.clone(),
        });
    }

    // An edit takes the registry's row lock before it reads the stored file: the file it
    // compares with `expected` is then the one it replaces.
    let early_revision = match expected {
        Some(_) => Some(store::bump_registry_version(tx).await?),
        None => None,
    };
    let existing = store::find_by_slug(tx, region.config.slug.as_str()).await?;
    let kept;
    let region = match expected {
        None => region,
        Some(expected) => {
            let Some(e) = existing.as_ref().filter(|e| e.source == expected) else {
                return Err(ApplyError::Stale);
            };
            kept = LoadedRegion {
                config: region.config.clone(),
                source: region.source.clone(),
                logo: e
                    .logo_type
                    .clone()
                    .zip(e.logo.clone())
                    .map(|(content_type, bytes)| tenants::Logo {
                        content_type,
                        bytes,
                    }),
            };
            &kept
        }
    };
    let new_logo = region.logo.as_ref().map(|l| &l.bytes);
    let outcome = match &existing {
        Some(e) if e.source == region.source && e.logo.as_ref() == new_logo => {
            return Ok(Applied::Unchanged);
        }
        Some(_) => Applied::Updated,
        None => Applied::Created,
    };
    let own_id = existing.as_ref().map(|e| e.id);
    if let Some(owner) = store::code_owner(tx, own_id, region.config.code).await? {
        return Err(ApplyError::CodeTaken {
            file: file.to_owned(),
            code: region.config.code,
            owner,
        });
    }
    for host in &hosts {
        if let Some(owner) = store::host_owner(tx, own_id, host).await? {
            return Err(ApplyError::HostTaken {
                file: file.to_owned(),
                host: tenants::Host::parse(host).map_or(host.clone(), |h| h.to_string()),
                owner,
            });
        }
    }
    let revision = match early_revision {
        Some(r) => r,
        None => store::bump_registry_version(tx).await?,
    };
    let id = store::upsert_tenant(tx, region, revision, now).await?;
    store::replace_hosts(tx, id, &hosts).await?;
    store::sync_municipalities(tx, id, &region.config).await?;
    tracing::info!(?outcome, revision, "region written");
    Ok(outcome)
}
