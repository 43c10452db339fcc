//! Running the region: the administrators' registry of organizations (`/admin/organizations`
//! for the regional admin, `/municipal/organizations` for a municipal admin, only their
//! municipality's) — search, filters, export as XLSX or CSV, create, edit, deactivate and
//! reactivate an organization — and the region's administrator accounts (`/admin/staff`):
//! municipal and regional admins invited by e-mail, listed and removed.
//!
//! The profile's checks are `organizations::service::parse_profile`, the same as an
//! organization's own «Профиль организации»; the invitation is `accounts`'s, the one behind
//! `navigator user add`. Deactivation goes through the catalog's write seam: the catalog
//! stops reading the organization's programs (`catalog::store`'s `ACTIVE`), and the version
//! bump with the changed marks takes search, cached results and `sitegen` along.

pub mod pages;
pub mod service;
pub mod store;
pub mod views;

pub use service::Administration;
