//! End-to-end suite: one binary (one link) for every capability's tests.

mod accounts;
mod admin_exports;
mod administration;
mod api;
mod applications;
mod bench_accounts;
mod bench_rush;
mod bench_statistics;
mod catalog;
mod certificates;
mod faults;
mod groups;
mod health;
mod hosts;
mod limits;
mod mail;
mod onboarding;
mod org_profile;
mod photos;
mod programs;
mod schema;
mod school_year;
mod sheets;
mod staff;
mod statistics;
mod sync;
