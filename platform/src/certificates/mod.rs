//! Certificates: the сертификат учёта (a registry number per child), its in-person
//! confirmation, the personalized financing of each period with its ledger, and the
//! municipal settings and report.

pub mod api;
pub mod number;
pub mod pages;
pub mod service;
pub mod store;
pub mod views;
