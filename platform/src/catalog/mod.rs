//! The public catalog: organizations, programs and their groups; search with filters and
//! counts; the map. Pages and API for parents; the queries the provider cabinet will reuse.

pub mod api;
pub mod cards;
mod cpu_time;
pub mod geo;
pub mod index;
pub mod indexes;
pub mod model;
pub mod pages;
pub mod query;
pub mod read;
pub mod reviews;
pub mod store;
pub mod views;

pub use indexes::{Catalog, CatalogError};
