//! A child's timetable: the week of the groups they are enrolled in, in the cabinet, and an
//! iCal feed (RFC 5545) at a secret address per child that phones subscribe to — weekly
//! rules from the groups' schedules, in the region's time zone, ending with the study
//! period. The address is shown once when made; «Получить новый адрес» replaces it.

pub mod ical;
pub mod pages;
pub mod service;
pub mod store;
pub mod week;

pub use service::Timetable;
