//! Staff of an organization: who has access to its cabinet, inviting colleagues (the staff
//! themselves, or the municipal or regional admin for an organization's first account),
//! removing access, and the organization's API tokens. The pages `/provider/staff`,
//! `/provider/tokens`, the admins' «Пригласить сотрудника», and `/api/v1/provider/staff`,
//! `/api/v1/provider/tokens`.
//!
//! The account itself is made (or given access again) by `accounts`, the one rule behind
//! `navigator user add` too; this module decides who may invite whom, and what removing
//! access takes away at once: the organization, the password, every session, every token.

pub mod api;
pub mod cabinets;
pub mod pages;
pub mod service;
pub mod store;
pub mod tokens;
pub mod views;

pub use service::Staff;
pub use tokens::Tokens;

/// The subject of the organization's audit rows, where grants, removals and tokens show
/// in its history.
fn subject(organization: i64) -> String {
    crate::organizations::subject(organization)
}
