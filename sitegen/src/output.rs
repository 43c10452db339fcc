//! The one writer of a run. Files go to a staging folder beside the output; only when
//! every file was rendered does `commit` put them in place, so a failed run never leaves a
//! half-written copy. A first run renames the staging folder into place; a rerun moves in
//! just the files whose content changed (unchanged files keep their bytes and times, so a
//! CDN sync skips them), deletes the files the catalog no longer has, and writes the
//! manifest last.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use crate::error::SitegenError;
use crate::manifest::{self, Entry, Manifest};

pub struct Output {
    out: PathBuf,
    staging: PathBuf,
    /// No earlier copy: the staging folder becomes the output.
    fresh: bool,
    old: Option<Manifest>,
    made_dirs: HashSet<PathBuf>,
    written: Vec<String>,
    committed: bool,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub files: usize,
    pub pages: usize,
    pub bytes: u64,
    /// Files whose content is new or changed, by path.
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
        let mut fresh = true;
        if out.exists() {
            if !out.is_dir() {
                return Err(output_error(out, "это не папка"));
            }
            match Manifest::read(out) {
                Some(m) if m.region == region => {
                    old = Some(m);
                    fresh = false;
                }
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
        let staging = parent.join(format!(".{name}.sitegen-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| SitegenError::write(&staging, e))?;
        }
        std::fs::create_dir(&staging)
            .map_err(|e| output_error(&parent, format!("нельзя писать в папку: {e}")))?;
        Ok(Self {
            out: out.to_owned(),
            staging,
            fresh,
            old,
            made_dirs: HashSet::new(),
            written: Vec::new(),
            committed: false,
        })
    }

    /// The earlier copy's manifest, if this run updates one.
    pub fn previous(&self) -> Option<&Manifest> {
        self.old.as_ref()
    }

    /// Takes one rendered file; it is written only if it is new or its content changed.
    pub fn put(&mut self, path: &str, content: &[u8], entry: &Entry) -> Result<(), SitegenError> {
        let unchanged = self
            .old
            .as_ref()
            .and_then(|m| m.files.get(path))
            .is_some_and(|e| e == entry);
        if unchanged {
            return Ok(());
        }
        let target = self.staging.join(checked(path)?);
        if let Some(dir) = target.parent() {
            if !self.made_dirs.contains(dir) {
                std::fs::create_dir_all(dir).map_err(|e| SitegenError::write(dir, e))?;
                self.made_dirs.insert(dir.to_owned());
            }
        }
        std::fs::write(&target, content).map_err(|e| SitegenError::write(&target, e))?;
        self.written.push(path.to_owned());
        Ok(())
    }

    /// Puts the run's files in place and writes `manifest`.
    pub fn commit(mut self, manifest: &Manifest) -> Result<Written, SitegenError> {
        let manifest_path = self.staging.join(manifest::FILE);
        std::fs::write(&manifest_path, manifest.to_bytes())
            .map_err(|e| SitegenError::write(&manifest_path, e))?;
        let mut deleted = Vec::new();
        if self.fresh {
            if self.out.exists() {
                // An empty folder (checked in `open`): replace it.
                std::fs::remove_dir(&self.out).map_err(|e| SitegenError::write(&self.out, e))?;
            }
            std::fs::rename(&self.staging, &self.out)
                .map_err(|e| SitegenError::write(&self.out, e))?;
        } else {
            let mut dirs = HashSet::new();
            for path in &self.written {
                let target = self.out.join(path);
                if let Some(dir) = target.parent() {
                    if dirs.insert(dir.to_owned()) {
                        std::fs::create_dir_all(dir).map_err(|e| SitegenError::write(dir, e))?;
                    }
                }
                std::fs::rename(self.staging.join(path), &target)
                    .map_err(|e| SitegenError::write(&target, e))?;
            }
            if let Some(old) = &self.old {
                for path in old.files.keys() {
                    if !manifest.files.contains_key(path) {
                        let target = self.out.join(checked(path)?);
                        match std::fs::remove_file(&target) {
                            Ok(()) => {}
                            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                            Err(e) => return Err(SitegenError::write(&target, e)),
                        }
                        // A folder left empty goes too (an organization that is gone).
                        if let Some(dir) = target.parent() {
                            if dir != self.out
                                && std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
                            {
                                let _ = std::fs::remove_dir(dir);
                            }
                        }
                        deleted.push(path.clone());
                    }
                }
            }
            // Last: the manifest says the copy is complete.
            let target = self.out.join(manifest::FILE);
            std::fs::rename(&manifest_path, &target)
                .map_err(|e| SitegenError::write(&target, e))?;
            std::fs::remove_dir_all(&self.staging)
                .map_err(|e| SitegenError::write(&self.staging, e))?;
        }
        self.committed = true;
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
