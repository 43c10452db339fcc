//! «Избранное»: a parent keeps programs of the region's catalog to come back to. Cards and
//! program pages link to `/programs/{id}/favourite` (a card is rendered once for every
//! visitor, so it cannot carry anyone's state or CSRF token), which says whether the program
//! is kept and adds or removes it; the cabinet's «Избранное» tab lists them.

pub mod api;
pub mod pages;
pub mod service;
pub mod store;

pub use service::Favourites;
