//! Photos: an organization's logo and a program's cover. Uploads are recognized by decoding
//! and re-encoded to fixed sizes without metadata (`renditions`), stored by content hash
//! (`crate::storage`), pointed to by `organizations.logo` and `programs.cover` /
//! `cover_card` (`store`), changed only by the organization's staff (`service`). Served at
//! `/media/{key}` with long-lived cache headers and uploaded from the provider cabinet
//! (`pages`) and `/api/v1/provider/{logo,programs/{id}/cover}` (`api`).

pub mod api;
pub mod pages;
pub mod renditions;
pub mod service;
pub mod store;
#[cfg(test)]
mod testing;

pub use service::{CoverKeys, Photos};
