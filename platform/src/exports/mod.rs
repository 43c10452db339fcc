//! The administrators' tables and their exports (issue 18): the programs with their states
//! (`/admin/programs`, `/municipal/programs`, shown and downloadable), and the downloads of
//! applications and of the certificates' registry (`…/exports`), each as XLSX (typed cells,
//! frozen header, autofilter) or CSV (UTF-8 with BOM, `;`), filtered, limited to the admin's
//! scope, streamed with bounded memory, and — when they hold children's personal data —
//! written to the audit log with who and what filter.

pub mod filter;
pub mod kinds;
pub mod pages;
pub mod service;
pub mod store;

pub use filter::{ExportFilter, ExportForm};
pub use kinds::Kind;
pub use service::{Download, Format};
