//! The one writer of a run. Every run builds a complete copy in a staging folder beside the
//! output and swaps it into place only when every file was rendered, so a failed or killed
//! run never leaves a half-written copy and a CDN sync never sees a mixed one. A rerun
//! hard-links the files whose content did not change from the current copy into the
//! staging folder (same bytes, same modification time, so a sync skips them) and writes
//! only the new or changed ones. The staging folder must be on the output's file system:
//! give `--out` a folder whose parent you can write, not a mount point itself.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Component, Path, PathBuf};

use crate::error::SitegenError;
use crate::manifest::{self, Entry, Manifest};

pub struct Output {
    out: PathBuf,
    staging: PathBuf,
    /// Where the replaced copy goes for the moment of the swap.
    retired: PathBuf,
    old: Option<Manifest>,
    made_dirs: HashSet<PathBuf>,
    written: Vec<String>,
    committed: bool,
    /// Held for the whole run: a second run on the same folder is refused, and the lock
    /// goes with the process, so a killed run leaves none behind.
    _lock: File,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub files: usize,
    pub pages: usize,
    pub bytes: u64,
    /// Files whose content is new or changed (written), by path.
    pub changed: Vec<String>,
    /// Files of the earlier copy that are gone.
    pub deleted: Vec<String>,
}

fn output_error(path: &Path, message: impl Into<String>) -> SitegenError {
    SitegenError::Output {
        path: path.to_owned(),
        message: message.into(),
    }
}

impl Output {
    /// Prepares to write the copy of `region` into `out`. Refuses a folder that holds
    /// something else than an earlier copy of this region.
    pub fn open(out: &Path, region: &str) -> Result<Self, SitegenError> {
        let mut old = None;
        if out.exists() {
            if !out.is_dir() {
                return Err(output_error(out, "это не папка"));
            }
            match Manifest::read(out) {
                Some(m) if m.region == region => old = Some(m),
                Some(m) => {
                    return Err(output_error(
                        out,
                        format!(
                            "в ней копия другого региона («{}»); укажите другую папку",
                            m.region
                        ),
                    ))
                }
                None => {
                    let empty = std::fs::read_dir(out)
                        .map_err(|e| output_error(out, format!("не читается: {e}")))?
                        .next()
                        .is_none();
                    if !empty {
                        return Err(output_error(
                            out,
                            format!(
                                "не пуста и не похожа на копию sitegen (нет {}); укажите пустую или новую папку",
                                manifest::FILE
                            ),
                        ));
                    }
                }
            }
        }
        let name = out
            .file_name()
            .ok_or_else(|| output_error(out, "укажите папку, а не корень"))?
            .to_string_lossy()
            .into_owned();
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)
            .map_err(|e| output_error(&parent, format!("не удалось создать: {e}")))?;
        let lock_path = parent.join(format!(".{name}.sitegen-lock"));
        let lock = File::create(&lock_path)
            .map_err(|e| output_error(&parent, format!("нельзя писать в папку: {e}")))?;
        lock.try_lock().map_err(|_| {
            output_error(
                out,
                "в неё уже пишет другой запуск sitegen; дождитесь его конца",
            )
        })?;
        // A staging folder left by a killed run is ours to clear: we hold the lock.
        let staging = parent.join(format!(".{name}.sitegen-staging"));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| SitegenError::write(&staging, e))?;
        }
        std::fs::create_dir(&staging)
            .map_err(|e| output_error(&parent, format!("нельзя писать в папку: {e}")))?;
        Ok(Self {
            out: out.to_owned(),
            staging,
            retired: parent.join(format!(".{name}.sitegen-retired")),
            old,
            made_dirs: HashSet::new(),
            written: Vec::new(),
            committed: false,
            _lock: lock,
        })
    }

    /// The earlier copy's manifest, if this run updates one.
    pub fn previous(&self) -> Option<&Manifest> {
        self.old.as_ref()
    }

    fn target(&mut self, path: &str) -> Result<PathBuf, SitegenError> {
        let target = self.staging.join(checked(path)?);
        if let Some(dir) = target.parent() {
            if !self.made_dirs.contains(dir) {
                std::fs::create_dir_all(dir).map_err(|e| SitegenError::write(dir, e))?;
                self.made_dirs.insert(dir.to_owned());
            }
        }
        Ok(target)
    }

    /// Takes one rendered file: kept from the current copy if its content is the same,
    /// written otherwise.
    pub fn put(&mut self, path: &str, content: &[u8], entry: &Entry) -> Result<(), SitegenError> {
        let unchanged = self
            .old
            .as_ref()
            .and_then(|m| m.files.get(path))
            .is_some_and(|e| e == entry);
        if unchanged && self.keep(path)? {
            return Ok(());
        }
        let target = self.target(path)?;
        std::fs::write(&target, content).map_err(|e| SitegenError::write(&target, e))?;
        self.written.push(path.to_owned());
        Ok(())
    }

    /// Carries a file of the current copy over unchanged; `false` if it is not there (then
    /// the caller writes it).
    pub fn keep(&mut self, path: &str) -> Result<bool, SitegenError> {
        let source = self.out.join(checked(path)?);
        let target = self.target(path)?;
        match std::fs::hard_link(&source, &target) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(SitegenError::write(&target, e)),
        }
    }

    /// Writes `manifest` and swaps the staging folder in place of the output.
    pub fn commit(mut self, manifest: &Manifest) -> Result<Written, SitegenError> {
        let manifest_path = self.staging.join(manifest::FILE);
        std::fs::write(&manifest_path, manifest.to_bytes())
            .map_err(|e| SitegenError::write(&manifest_path, e))?;
        let deleted: Vec<String> = self
            .old
            .as_ref()
            .map(|old| {
                old.files
                    .keys()
                    .filter(|p| !manifest.files.contains_key(*p))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let retired = self.retired.clone();
        if self.out.exists() {
            if retired.exists() {
                std::fs::remove_dir_all(&retired).map_err(|e| SitegenError::write(&retired, e))?;
            }
            std::fs::rename(&self.out, &retired).map_err(|e| SitegenError::write(&self.out, e))?;
        }
        if let Err(e) = std::fs::rename(&self.staging, &self.out) {
            // Put the good copy back before reporting.
            let _ = std::fs::rename(&retired, &self.out);
            return Err(SitegenError::write(&self.out, e));
        }
        self.committed = true;
        // The new copy is in place; what is left is cleaning up the old one.
        if retired.exists() {
            if let Err(e) = std::fs::remove_dir_all(&retired) {
                tracing::warn!(error = %e, path = %retired.display(), "the previous copy was not removed");
            }
        }
        let mut changed = std::mem::take(&mut self.written);
        changed.sort();
        Ok(Written {
            files: manifest.files.len(),
            pages: manifest
                .files
                .keys()
                .filter(|p| p.ends_with(".html"))
                .count(),
            bytes: manifest.files.values().map(|e| e.bytes).sum(),
            changed,
            deleted,
        })
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// A path inside the copy: relative, no `..`.
fn checked(path: &str) -> Result<&Path, SitegenError> {
    let p = Path::new(path);
    if p.components().all(|c| matches!(c, Component::Normal(_))) {
        Ok(p)
    } else {
        Err(output_error(p, "путь выходит за пределы копии"))
    }
}
