//! «Новый учебный год» of an organization (`/provider/programs/new-year`,
//! `POST /api/v1/provider/programs/new-year`): its programs copied with their groups into
//! the next school year as drafts, dates a year on and seats free. The groups of the year
//! that ends close by themselves when their study does (`groups::Groups::close_finished`),
//! and many groups are opened, closed or given an enrollment window at once with
//! `groups::Groups::bulk`.

pub mod api;
pub mod pages;
pub mod service;
pub mod store;
pub mod year;

pub use service::NewYear;
