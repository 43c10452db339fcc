//! Statistics of a region for its ministry (`/admin/statistics`) and of one municipality
//! for its admin (`/municipal/statistics`): охват, demand, the organizations' answer times,
//! certificates and money, for a chosen period. Each figure is a table (shown, and
//! exported as XLSX and CSV) and a horizontal bar chart drawn as SVG by a template.
//!
//! Everything is computed from the capabilities' own tables by aggregate queries
//! (`store`), scoped to the tenant and, for a municipal admin, to the municipality; no
//! figure holds personal data. `period` parses the from–to filter (who sees what is
//! `accounts::AdminScope`, read from the cabinet's path by `web::Cabinet`), `dashboards` turns the aggregates into tables, `chart` lays out the bars.

pub mod chart;
pub mod dashboards;
pub mod pages;
pub mod period;
pub mod snapshots;
pub mod store;
pub mod table;

pub use snapshots::Statistics;
