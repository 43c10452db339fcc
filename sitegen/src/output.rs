//! The one writer of a run. Files are written to a staging folder beside the output;
//! nothing in the output changes until every file of the run was rendered and staged, so a
//! failed run leaves the copy as it was.
//!
//! A first run renames the staging folder into place. A rerun stages only the files whose
//! content changed (unchanged files keep their bytes and times, so a CDN sync skips them)
//! and then commits: it records in the staging folder what it will move and delete (a
//! journal), moves the staged files in (each rename is atomic: a reader sees the old file
//! or the new one, never a part), deletes what the catalog no longer has, and puts the
//! manifest in last. A run killed during a commit leaves the journal; the next run
//! finishes that commit before anything else, so the copy never stays mixed. The staging
//! folder must be on the output's file system: give `--out` a folder whose parent you can
//! write, not a mount point itself.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Component, Path, PathBuf};

use crate::error::SitegenError;
use crate::manifest::{self, Entry, Manifest};

pub struct Output {
    out: PathBuf,
    staging: PathBuf,
    old: Option<Manifest>,
    made_dirs: HashSet<PathBuf>,
    written: Vec<String>,
    committed: bool,
    /// Held for the whole run: a second run on the same folder is refused, and the lock
    /// goes with the process, so a killed run leaves none behind.
    _lock: File,
}

/// What a commit changed in the folder.
#[derive(Debug, Clone, Default)]
pub struct Written {
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
        // A staging folder left by a killed run is ours: we hold the lock. If that run was
        // committing, finish its commit; otherwise its files are thrown away.
        let staging = parent.join(format!(".{name}.sitegen-staging"));
        if staging.join(JOURNAL).is_file() && old.is_some() {
            roll_forward(&staging, out)?;
            old = Manifest::read(out);
        }
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| SitegenError::write(&staging, e))?;
        }
        std::fs::create_dir(&staging)
            .map_err(|e| output_error(&parent, format!("нельзя писать в папку: {e}")))?;
        Ok(Self {
            out: out.to_owned(),
            staging,
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

    /// Takes one rendered file; it is staged only if it is new or its content changed.
    pub fn put(&mut self, path: &str, content: &[u8], entry: &Entry) -> Result<(), SitegenError> {
        let unchanged = self
            .old
            .as_ref()
            .and_then(|m| m.files.get(path))
            .is_some_and(|e| e == entry);
        if unchanged {
            return Ok(());
        }
        let target = self.target(path)?;
        std::fs::write(&target, content).map_err(|e| SitegenError::write(&target, e))?;
        self.written.push(path.to_owned());
        Ok(())
    }

    /// Puts the run's files and `manifest` in place.
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
        if self.old.is_none() {
            if self.out.exists() {
                // An empty folder (checked in `open`): replace it.
                std::fs::remove_dir(&self.out).map_err(|e| SitegenError::write(&self.out, e))?;
            }
            std::fs::rename(&self.staging, &self.out)
                .map_err(|e| SitegenError::write(&self.out, e))?;
        } else {
            let journal = Journal {
                written: self.written.clone(),
                deleted: deleted.clone(),
            };
            // Written whole, then renamed: its presence means "everything is staged".
            let tmp = self.staging.join(format!("{JOURNAL}.tmp"));
            std::fs::write(
                &tmp,
                serde_json::to_vec(&journal).expect("journal serializes"),
            )
            .map_err(|e| SitegenError::write(&tmp, e))?;
            std::fs::rename(&tmp, self.staging.join(JOURNAL))
                .map_err(|e| SitegenError::write(&tmp, e))?;
            roll_forward(&self.staging, &self.out)?;
            std::fs::remove_dir_all(&self.staging)
                .map_err(|e| SitegenError::write(&self.staging, e))?;
        }
        self.committed = true;
        let mut changed = std::mem::take(&mut self.written);
        changed.sort();
        Ok(Written { changed, deleted })
    }
}

/// The staging folder's record of a commit in progress.
const JOURNAL: &str = ".sitegen-commit.json";

#[derive(serde::Serialize, serde::Deserialize)]
struct Journal {
    written: Vec<String>,
    deleted: Vec<String>,
}

/// Carries out the commit recorded in `staging`'s journal; safe to repeat (a file already
/// moved or deleted is skipped), so an interrupted commit can be finished by the next run.
fn roll_forward(staging: &Path, out: &Path) -> Result<(), SitegenError> {
    let path = staging.join(JOURNAL);
    let text = std::fs::read(&path).map_err(|e| SitegenError::write(&path, e))?;
    let journal: Journal = serde_json::from_slice(&text)
        .map_err(|e| output_error(&path, format!("журнал повреждён: {e}")))?;
    let mut dirs = HashSet::new();
    for rel in &journal.written {
        let rel = checked(rel)?;
        let source = staging.join(rel);
        if !source.exists() {
            continue;
        }
        let target = out.join(rel);
        if let Some(dir) = target.parent() {
            if dirs.insert(dir.to_owned()) {
                std::fs::create_dir_all(dir).map_err(|e| SitegenError::write(dir, e))?;
            }
        }
        std::fs::rename(&source, &target).map_err(|e| SitegenError::write(&target, e))?;
    }
    for rel in &journal.deleted {
        let target = out.join(checked(rel)?);
        match std::fs::remove_file(&target) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(SitegenError::write(&target, e)),
        }
        // A folder left empty goes too (an organization that is gone).
        if let Some(dir) = target.parent() {
            if dir != out && std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none()) {
                let _ = std::fs::remove_dir(dir);
            }
        }
    }
    // Last: the manifest says the copy is whole again.
    let manifest = staging.join(manifest::FILE);
    if manifest.exists() {
        let target = out.join(manifest::FILE);
        std::fs::rename(&manifest, &target).map_err(|e| SitegenError::write(&target, e))?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(files: &[(&str, &[u8])]) -> Manifest {
        let mut m = Manifest::new("smolensk", 1, "s".into());
        for (path, body) in files {
            m.files.insert((*path).to_owned(), Entry::of(body));
        }
        m
    }

    /// A first run writing `files` into `out`.
    fn first_copy(out: &Path, files: &[(&str, &[u8])]) {
        let mut first = Output::open(out, "smolensk").unwrap();
        for (path, body) in files {
            first.put(path, body, &Entry::of(body)).unwrap();
        }
        first.commit(&manifest(files)).unwrap();
    }

    #[test]
    fn a_commit_cut_short_is_finished_by_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        // The current copy: a.html and gone.html.
        first_copy(&out, &[("a.html", b"old"), ("gone.html", b"x")]);

        // A rerun staged a new a.html and b.html, wrote its journal, moved b.html in and
        // was killed: the copy is mixed, the old manifest still in place.
        let staging = dir.path().join(".site.sitegen-staging");
        std::fs::create_dir_all(&staging).unwrap();
        std::fs::write(staging.join("a.html"), b"new").unwrap();
        std::fs::write(out.join("b.html"), b"b").unwrap();
        std::fs::write(
            staging.join(manifest::FILE),
            manifest(&[("a.html", b"new"), ("b.html", b"b")]).to_bytes(),
        )
        .unwrap();
        let journal = Journal {
            written: vec!["a.html".into(), "b.html".into()],
            deleted: vec!["gone.html".into()],
        };
        std::fs::write(staging.join(JOURNAL), serde_json::to_vec(&journal).unwrap()).unwrap();

        // The next run finishes that commit before it starts its own.
        let next = Output::open(&out, "smolensk").unwrap();
        assert_eq!(std::fs::read(out.join("a.html")).unwrap(), b"new");
        assert_eq!(std::fs::read(out.join("b.html")).unwrap(), b"b");
        assert!(!out.join("gone.html").exists());
        let m = next.previous().unwrap();
        assert_eq!(m.files.keys().collect::<Vec<_>>(), ["a.html", "b.html"]);
        assert!(!staging.join(JOURNAL).exists());
    }

    #[test]
    fn a_failed_run_changes_nothing_and_a_second_run_waits_its_turn() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        first_copy(&out, &[("a.html", b"a")]);

        let mut run = Output::open(&out, "smolensk").unwrap();
        assert!(
            Output::open(&out, "smolensk").is_err(),
            "one run per folder"
        );
        run.put("a.html", b"changed", &Entry::of(b"changed"))
            .unwrap();
        drop(run); // failed before commit
        assert_eq!(std::fs::read(out.join("a.html")).unwrap(), b"a");
        assert!(!dir.path().join(".site.sitegen-staging").exists());
        assert!(
            Output::open(&out, "smolensk").is_ok(),
            "the lock went with the run"
        );
    }
}
