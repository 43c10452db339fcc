//! Catalog sync by API: an organization's own system (1С, its CRM) keeps the catalog in
//! step with its token. It names programs and groups by its own ids (`PUT …/by-external-id/
//! {id}` creates or updates, idempotently), guards against overwriting what someone else
//! changed (`If-Match` with the version a `GET` gave; a stale one is 412), and reads what
//! others changed from the organization's change list (its audit rows, in order).
//! Every write goes through the forms' own rules (`programs::service`, `groups::service`).

pub mod api;
mod external;
pub mod service;
mod store;

pub use external::{ExternalId, Kind};
pub use service::{CatalogSync, Change, Outcome, Put};
