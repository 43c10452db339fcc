//! Navigator: one server for the regional navigators of supplementary education.
//!
//! One folder per capability (`regions`, `health`, …), each owning its queries, its service
//! functions, its pages and its API; thin shared layers below them (`db`, `cache`, `web`,
//! `api`, `settings`).

pub mod accounts;
pub mod administration;
pub mod api;
pub mod app;
pub mod applications;
pub mod audit_log;
pub mod cache;
pub mod catalog;
pub mod certificates;
pub mod children;
pub mod cli;
pub mod db;
pub mod demo;
pub mod domain;
pub mod exports;
pub mod favourites;
pub mod groups;
pub mod health;
pub mod help;
pub mod mail;
pub mod organizations;
pub mod photos;
pub mod programs;
pub mod region_settings;
pub mod regions;
pub mod reviews;
pub mod routes;
pub mod school_year;
pub mod service_error;
pub mod settings;
pub mod sheets;
pub mod spreadsheet;
pub mod staff;
pub mod statistics;
pub mod storage;
pub mod sync;
pub mod telemetry;
pub mod templates;
pub mod tenant_id;
pub mod time;
pub mod timetable;
pub mod visitors;
pub mod web;

pub use app::Application;
pub use settings::Settings;
pub use web::State;
