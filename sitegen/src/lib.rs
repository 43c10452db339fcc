//! sitegen: writes a region's published catalog and map as a static site for a CDN.
//!
//! A run reads one picture of the catalog (`source`), plans the files (`site`), renders
//! them on every core and hands them to one writer (`output`), which writes only what
//! changed and swaps the result into place. The `manifest` of a run lets the next one
//! render only the programs changed since.

pub mod cli;
mod data;
pub mod error;
pub mod manifest;
mod output;
mod progress;
pub mod site;
mod source;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use platform::catalog::store;
use platform::db::Db;
use platform::regions::Tenant;
use platform::storage::FileStore;
use sha2::{Digest, Sha256};

pub use error::SitegenError;
use manifest::{Entry, Manifest};
use output::Output;
use progress::Progress;
use site::{media_path, program_path, Job, Site};
use source::{Scope, Snapshot};

/// How to write one region's copy.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where the photos are stored (the server's `DATA_DIR/files` by default): the copy
    /// gets those its pages show.
    pub files: Arc<dyn FileStore>,
    pub out: PathBuf,
    /// The region's dynamic site, `https://p67.навигатор.дети` (no trailing slash): where
    /// «Записаться» and «Вход» lead.
    pub base_url: String,
    /// Where the copy is published (no trailing slash), for sitemap.xml, robots.txt and the
    /// links of 404.html; `None`: no sitemap (its addresses must be absolute), and 404.html
    /// links from the server's root.
    pub site_url: Option<String>,
    /// The map's tile server; `None`: the map shows its points on no base layer.
    pub map_tiles: Option<platform::settings::MapTiles>,
    /// Rendering threads.
    pub workers: usize,
    /// Show files done / total on a terminal.
    pub progress: bool,
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct Summary {
    pub region: String,
    pub catalog_version: i64,
    /// Every program page was rendered (first run, or the settings changed).
    pub full: bool,
    pub files: usize,
    pub pages: usize,
    pub bytes: u64,
    /// Files rendered this run.
    pub rendered: usize,
    /// Files whose content is new or changed (written), by path.
    pub changed: Vec<String>,
    /// Files removed, by path.
    pub deleted: Vec<String>,
    pub elapsed: Duration,
}

impl Summary {
    pub fn describe(&self) -> String {
        format!(
            "{}: {} файлов ({} страниц), {:.1} МБ, за {:.2} с; {} ({} отрисовано): изменено {}, удалено {}; версия каталога {}",
            self.region,
            self.files,
            self.pages,
            self.bytes as f64 / 1_048_576.0,
            self.elapsed.as_secs_f64(),
            if self.full { "полная сборка" } else { "обновление" },
            self.rendered,
            self.changed.len(),
            self.deleted.len(),
            self.catalog_version,
        )
    }
}

/// A digest of what shapes the pages besides the catalog rows.
fn settings_digest(
    tenant: &Tenant,
    opts: &Options,
    profiles: &[store::Profile],
    build_id: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(build_id);
    h.update(platform::templates::assets::assets_version());
    for source in platform::templates::sources() {
        h.update(source);
    }
    for (_, source) in site::TEMPLATES {
        h.update(source);
    }
    for (_, body) in site::SCRIPTS {
        h.update(body);
    }
    h.update(serde_json::to_vec(&tenant.config).expect("config serializes"));
    if let Some(logo) = &tenant.logo {
        h.update(&logo.bytes);
    }
    h.update(format!(
        "{}\n{}\n",
        opts.base_url,
        opts.site_url.as_deref().unwrap_or("")
    ));
    if let Some(t) = &opts.map_tiles {
        h.update(format!("{}\n{}\n", t.url, t.attribution));
    }
    for p in profiles {
        h.update(format!(
            "{}\u{1f}{}\u{1f}{}\n",
            p.id,
            p.direction.code(),
            p.name
        ));
    }
    Entry::of(&h.finalize()).sha256
}

/// Which build of the program runs: the Rust that shapes pages (labels, formats) is part
/// of what a copy was made with, so a new build renders everything once. The executable's
/// size and time stand for its content (hashing 40 MB on every run would cost a quarter
/// of a second).
fn build_id() -> Result<String, SitegenError> {
    let exe = std::env::current_exe().map_err(|e| SitegenError::write("<sitegen>", e))?;
    let meta = std::fs::metadata(&exe).map_err(|e| SitegenError::write(&exe, e))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Ok(format!(
        "{} {} {modified}",
        env!("CARGO_PKG_VERSION"),
        meta.len()
    ))
}

/// Writes (or brings up to date) the static copy of `tenant`'s catalog in `opts.out`.
#[tracing::instrument(skip_all, fields(region = tenant.slug()))]
pub async fn generate(
    db: &Db,
    tenant: Arc<Tenant>,
    opts: &Options,
) -> Result<Summary, SitegenError> {
    let started = Instant::now();
    let output = Output::open(&opts.out, tenant.slug())?;
    let build_id = build_id()?;
    let profiles = store::profiles(db, tenant.id).await?;
    let settings = settings_digest(&tenant, opts, &profiles, &build_id);
    let previous = output
        .previous()
        .filter(|m| m.settings == settings)
        .cloned();
    let scope = match &previous {
        Some(m) => {
            if store::version(db, tenant.id).await? == m.catalog_version {
                // Nothing changed since the copy was written.
                let (files, pages, bytes) = m.totals();
                return Ok(Summary {
                    region: tenant.slug().to_owned(),
                    catalog_version: m.catalog_version,
                    full: false,
                    files,
                    pages,
                    bytes,
                    rendered: 0,
                    changed: Vec::new(),
                    deleted: Vec::new(),
                    elapsed: started.elapsed(),
                });
            }
            Scope::ChangedSince(m.catalog_version)
        }
        None => Scope::All,
    };
    tracing::debug!(ms = started.elapsed().as_millis() as u64, ?scope, "planned");
    let mut snap = Snapshot::read(db, tenant.id, tenant.config.time_zone, scope).await?;
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "catalog read");
    // Program pages this run does not render stay as they are. The manifest is trusted
    // about what the folder holds (it is sitegen's; delete manifest.json to rebuild all).
    let mut carried = Vec::new();
    if let Some(prev) = &previous {
        let rendered: HashSet<i64> = snap.details.iter().map(|(p, _)| p.id).collect();
        let mut missing = Vec::new();
        for p in &snap.programs {
            if rendered.contains(&p.id) {
                continue;
            }
            let path = program_path(p.id);
            match prev.files.get(&path) {
                Some(e) => carried.push((path, e.clone())),
                _ => missing.push(p.id),
            }
        }
        if !missing.is_empty() {
            snap.details
                .extend(Snapshot::details(db, tenant.id, Some(&missing)).await?);
        }
    }
    snap.drop_orphans();
    // Photos already in the folder (by the manifest) are not read again.
    snap.fetch_media(opts.files.as_ref(), |key| {
        let path = media_path(key);
        previous.as_ref().is_some_and(|prev| {
            prev.inputs.get(&path).map(String::as_str) == Some(key)
                && prev.files.contains_key(&path)
        })
    })
    .await?;
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        carried = carried.len(),
        "unchanged program pages carried over"
    );
    let opts = opts.clone();
    tokio::task::spawn_blocking(move || {
        build(
            &tenant,
            &snap,
            output,
            settings,
            carried,
            previous.as_ref(),
            &opts,
            started,
        )
    })
    .await
    .expect("the build thread does not panic")
}

#[allow(clippy::too_many_arguments)]
fn build(
    tenant: &Tenant,
    snap: &Snapshot,
    mut output: Output,
    settings: String,
    carried: Vec<(String, Entry)>,
    previous: Option<&Manifest>,
    opts: &Options,
    started: Instant,
) -> Result<Summary, SitegenError> {
    let site = Site::new(
        tenant,
        snap,
        &opts.base_url,
        opts.site_url.clone(),
        opts.map_tiles.clone(),
    );
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "planned the pages"
    );
    let mut jobs = site.jobs();
    let mut pages: Vec<String> = jobs
        .iter()
        .map(|j| site.path(j))
        .chain(carried.iter().map(|(p, _)| p.clone()))
        .filter(|p| p.ends_with(".html") && p != "404.html")
        .collect();
    pages.sort();
    let sitemap: Vec<Vec<String>> = pages
        .chunks(data::SITEMAP_LIMIT)
        .map(<[String]>::to_vec)
        .collect();
    if opts.site_url.is_some() {
        jobs.push(Job::Sitemap(0));
        if sitemap.len() > 1 {
            jobs.extend((1..=sitemap.len()).map(Job::Sitemap));
        }
    }

    let mut manifest = Manifest::new(tenant.slug(), snap.version, settings);
    manifest.files.extend(carried);
    // Files whose inputs are as last run are kept, not rendered.
    jobs.retain(|job| {
        let Some(sig) = site.signature(job) else {
            return true;
        };
        let path = site.path(job);
        let kept = previous
            .filter(|prev| prev.inputs.get(&path) == Some(&sig))
            .and_then(|prev| prev.files.get(&path));
        if let Some(entry) = kept {
            manifest.files.insert(path.clone(), entry.clone());
        }
        manifest.inputs.insert(path, sig);
        kept.is_none()
    });
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        to_render = jobs.len(),
        "kept unchanged lists"
    );
    let mut progress = Progress::new(tenant.slug(), jobs.len(), opts.progress);
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| -> Result<(), SitegenError> {
        let (tx, rx) = mpsc::sync_channel(256);
        for _ in 0..opts.workers.max(1) {
            let tx = tx.clone();
            let (site, jobs, next, sitemap) = (&site, &jobs, &next, &sitemap);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let result = site.render(job, sitemap).map(|f| {
                    let entry = Entry::of(&f.content);
                    (f, entry)
                });
                let failed = result.is_err();
                if tx.send(result).is_err() || failed {
                    break;
                }
            });
        }
        drop(tx);
        // The one writer: everything the renderers make passes through here.
        for result in rx {
            let (file, entry) = result?;
            output.put(&file.path, &file.content, &entry)?;
            manifest.files.insert(file.path, entry);
            progress.tick();
        }
        Ok(())
    })?;
    progress.finish();
    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        files = jobs.len(),
        "rendered and staged"
    );
    let rendered = jobs.len();
    let written = output.commit(&manifest)?;
    let (files, pages, bytes) = manifest.totals();
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "committed");
    Ok(Summary {
        region: tenant.slug().to_owned(),
        catalog_version: snap.version,
        full: previous.is_none(),
        files,
        pages,
        bytes,
        rendered,
        changed: written.changed,
        deleted: written.deleted,
        elapsed: started.elapsed(),
    })
}
