//! Applications (заявки): a parent applies a child to a study group; the organization
//! confirms or rejects, enrolls; seats, the waitlist, contracts paid by certificate, and
//! monthly billing.

pub mod api;
pub mod arrivals;
pub mod arrivals_store;
pub mod contracts;
pub mod pages;
pub mod service;
pub mod store;
pub mod views;
