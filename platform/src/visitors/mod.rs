//! «Приём заявителя»: a family that walks into an organization is registered there — the
//! parent (the account stays theirs: see `accounts::service::desk`), the child, the
//! certificate, the confirmation of the child's data — and its application recorded as
//! «Личное обращение», through the same rules as online; a printable заявление and
//! согласие for signature.

pub mod api;
pub mod pages;
pub mod service;
pub mod store;

pub use service::Visitors;
