//! Files on the local disk: `ROOT/ab/cdef….jpg` (by default ROOT is `DATA_DIR/files`). A
//! file is written to a temporary name in its folder and renamed into place, so a crash or
//! a concurrent reader never sees half of one; two processes storing the same bytes write
//! the same content under the same name, and the last rename wins harmlessly.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use rand::Rng;

use super::{FileStore, Key, MediaType, StorageError, StoreFuture};

#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file of `key`: only ever under the root, since a key is hex and an extension.
    pub fn path_of(&self, key: &Key) -> PathBuf {
        self.root.join(key.relative_path())
    }
}

/// Writes `bytes` to `path` through a temporary file beside it.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("a key's file has a folder");
    std::fs::create_dir_all(dir)?;
    // A dot file: never a key's name, so never served or taken for a stored file.
    let tmp = dir.join(format!(".tmp-{:016x}", rand::rng().random::<u64>()));
    let written = (|| {
        let mut file = std::fs::File::create_new(&tmp)?;
        file.write_all(bytes)?;
        // On disk before it gets its name: a power cut must not leave a named empty file.
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

impl FileStore for LocalStore {
    #[tracing::instrument(skip(self, bytes), fields(bytes = bytes.len()))]
    fn put(&self, media: MediaType, bytes: Vec<u8>) -> StoreFuture<'_, Key> {
        Box::pin(async move {
            let key = Key::of(media, &bytes);
            let path = self.path_of(&key);
            tokio::task::spawn_blocking(move || {
                // Same key, same bytes: a file already there is this one. Stored again, it
                // is new again for the sweep (a spreadsheet checked a second time).
                if path.is_file() {
                    return std::fs::File::options()
                        .write(true)
                        .open(&path)?
                        .set_modified(std::time::SystemTime::now());
                }
                write_atomically(&path, &bytes)
            })
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))??;
            Ok(key)
        })
    }

    #[tracing::instrument(skip(self))]
    fn get<'a>(&'a self, key: &'a Key) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            match tokio::fs::read(self.path_of(key)).await {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
                Err(e) => Err(StorageError::Io(e)),
            }
        })
    }

    #[tracing::instrument(skip(self))]
    fn exists<'a>(&'a self, key: &'a Key) -> StoreFuture<'a, bool> {
        Box::pin(async move { Ok(tokio::fs::try_exists(self.path_of(key)).await?) })
    }

    #[tracing::instrument(skip(self))]
    fn delete<'a>(&'a self, key: &'a Key) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            match tokio::fs::remove_file(self.path_of(key)).await {
                Err(e) if e.kind() != ErrorKind::NotFound => Err(StorageError::Io(e)),
                _ => Ok(()),
            }
        })
    }

    #[tracing::instrument(skip(self))]
    fn sweep(&self, media: MediaType, age: std::time::Duration) -> StoreFuture<'_, usize> {
        let root = self.root.clone();
        Box::pin(async move {
            let swept = tokio::task::spawn_blocking(move || sweep(&root, media, age))
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))??;
            Ok(swept)
        })
    }
}

/// Removes the files of `media` under `root` last written longer ago than `age`. Only
/// their names are read for the others (the photos), never their contents.
fn sweep(root: &Path, media: MediaType, age: std::time::Duration) -> std::io::Result<usize> {
    let suffix = format!(".{}", media.extension());
    let mut swept = 0;
    let folders = match std::fs::read_dir(root) {
        Ok(folders) => folders,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for folder in folders {
        let folder = folder?;
        if !folder.file_type()?.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(folder.path())? {
            let file = file?;
            if !file.file_name().to_string_lossy().ends_with(&suffix) {
                continue;
            }
            let old = file
                .metadata()?
                .modified()?
                .elapsed()
                .is_ok_and(|elapsed| elapsed > age);
            if old {
                match std::fs::remove_file(file.path()) {
                    Ok(()) => swept += 1,
                    Err(e) if e.kind() == ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(swept)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn files_are_stored_under_their_hash_and_read_back() {
        let dir = std::env::temp_dir().join(format!("navigator-store-{}", std::process::id()));
        let store = LocalStore::new(dir.join("files"));
        let key = store
            .put(MediaType::Png, b"picture".to_vec())
            .await
            .unwrap();
        assert_eq!(key, Key::of(MediaType::Png, b"picture"));
        assert!(store.exists(&key).await.unwrap());
        assert_eq!(
            store.get(&key).await.unwrap().as_deref(),
            Some(&b"picture"[..])
        );
        let on_disk = dir.join("files").join(key.relative_path());
        assert_eq!(std::fs::read(&on_disk).unwrap(), b"picture");
        // Again: the same key, one file, no temporary left behind.
        assert_eq!(
            store
                .put(MediaType::Png, b"picture".to_vec())
                .await
                .unwrap(),
            key
        );
        let folder: Vec<_> = std::fs::read_dir(on_disk.parent().unwrap())
            .unwrap()
            .collect();
        assert_eq!(folder.len(), 1);

        let other = Key::of(MediaType::Png, b"nothing");
        assert!(!store.exists(&other).await.unwrap());
        assert_eq!(store.get(&other).await.unwrap(), None);
        // Deleting: the file goes; deleting nothing is no error.
        store.delete(&key).await.unwrap();
        assert!(!store.exists(&key).await.unwrap());
        store.delete(&other).await.unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_sweep_removes_old_files_of_its_type_only() {
        let dir = std::env::temp_dir().join(format!("navigator-sweep-{}", std::process::id()));
        let store = LocalStore::new(dir.join("files"));
        assert_eq!(
            store.sweep(MediaType::Sheet, Duration::ZERO).await.unwrap(),
            0,
            "no store yet"
        );
        let sheet = store.put(MediaType::Sheet, b"rows".to_vec()).await.unwrap();
        let photo = store
            .put(MediaType::Png, b"picture".to_vec())
            .await
            .unwrap();
        let hour = Duration::from_secs(3600);
        assert_eq!(store.sweep(MediaType::Sheet, hour).await.unwrap(), 0, "new");
        assert!(store.exists(&sheet).await.unwrap());
        // Older than the age: gone; the photo, as old, stays.
        let two_hours_ago = std::time::SystemTime::now() - 2 * hour;
        for key in [&sheet, &photo] {
            std::fs::File::options()
                .write(true)
                .open(store.path_of(key))
                .unwrap()
                .set_modified(two_hours_ago)
                .unwrap();
        }
        let swept = store.sweep(MediaType::Sheet, hour).await.unwrap();
        assert_eq!(swept, 1);
        assert!(!store.exists(&sheet).await.unwrap());
        assert!(store.exists(&photo).await.unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
