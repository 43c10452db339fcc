//! An organization's profile as its staff keep it: names, type, ИНН and ОГРН, contacts,
//! description, and its places of study on the region's map. The provider cabinet's
//! «Профиль организации» page and `/api/v1/provider/profile`, `/api/v1/provider/places`.
//! (The logo comes with the photos.)

pub mod api;
pub mod pages;
pub mod service;
pub mod store;
pub mod values;

pub use service::{Organizations, PlaceForm, ProfileForm};

/// The subject of an organization's audit rows (profile, places, logo, authorization):
/// its history.
pub fn subject(id: i64) -> String {
    format!("organization:{id}")
}
