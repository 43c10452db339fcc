//! File storage: bytes kept under a key that is the SHA-256 of those bytes, so a file never
//! changes once written, two uploads of the same picture are one file, and a key names
//! nothing but a stored file. Photos and logos now; imports and exports later. The local
//! disk under the data directory by default ([`LocalStore`]); an S3-compatible store
//! implements the same [`FileStore`].

mod key;
mod local;

use std::future::Future;
use std::pin::Pin;

pub use key::{Key, MediaType};
pub use local::LocalStore;

/// A boxed future: keeps [`FileStore`] object-safe, so the process holds one
/// `Arc<dyn FileStore>` chosen by its settings.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StorageError>> + Send + 'a>>;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("file storage: {0}")]
    Io(#[from] std::io::Error),
}

/// Where files live. Writes are atomic: a reader sees a whole file or none.
pub trait FileStore: Send + Sync + std::fmt::Debug {
    /// Stores `bytes` as a file of type `media`; its key is their SHA-256. Storing the same
    /// bytes again changes nothing.
    fn put(&self, media: MediaType, bytes: Vec<u8>) -> StoreFuture<'_, Key>;

    /// The bytes under `key`, or `None` when there is no such file.
    fn get<'a>(&'a self, key: &'a Key) -> StoreFuture<'a, Option<Vec<u8>>>;

    /// Whether a file is stored under `key`.
    fn exists<'a>(&'a self, key: &'a Key) -> StoreFuture<'a, bool>;

    /// Removes the file under `key`, if there is one.
    fn delete<'a>(&'a self, key: &'a Key) -> StoreFuture<'a, ()>;

    /// Removes the files of type `media` stored longer ago than `age`: the uploads kept
    /// only for a while (spreadsheets between «Загрузить» and «Применить»). How many.
    fn sweep(&self, media: MediaType, age: std::time::Duration) -> StoreFuture<'_, usize>;
}
