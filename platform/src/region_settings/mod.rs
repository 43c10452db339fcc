//! «Настройки региона» (`/admin/settings`) and «Справочники» (`/admin/dictionaries`): the
//! regional admin edits what the region's file holds that is theirs — municipalities,
//! coordinator, documents, certificate policy, moderation, branding colours — through forms
//! checked exactly like `navigator tenant apply` and applied live to every process, and
//! downloads the file back («Скачать настройки»), so the file and the web stay one truth.
//! The profile dictionary under the six directions is kept here too.

pub mod edit;
pub mod pages;
pub mod service;
pub mod store;
pub mod views;

pub use service::{RegionSettings, Saved};
