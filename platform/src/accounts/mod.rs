//! Accounts: registration and e-mail confirmation, login and sessions, password recovery,
//! a parent's children, staff roles, rate limits and the audit log.

pub mod admin_scope;
pub mod api;
pub mod assisted;
mod authentication;
pub mod cabinets;
pub mod history;
pub mod limits;
pub mod pages;
pub mod secrets;
pub mod service;
pub mod sessions;
pub mod store;
pub mod values;

pub use admin_scope::AdminScope;
pub use authentication::Credential;
