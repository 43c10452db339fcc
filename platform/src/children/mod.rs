//! A parent's children: their data (ФИО, birth date, sex, СНИЛС), added and edited by the
//! parent, frozen once an organization has confirmed it against documents.

pub mod api;
pub mod pages;
pub mod service;
pub mod store;

pub use service::{ChildForm, Children};
pub use store::Child;
