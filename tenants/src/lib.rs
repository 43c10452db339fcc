//! Regions as tenants: the config file model an operator writes, its validation, and the
//! mapping from an HTTP `Host` to the region that serves it.
//!
//! Everything here is pure (no I/O but reading a config file and its logo), so the server,
//! the CLI and `sitegen` share one definition of what a valid region is.

pub mod config;
pub mod host;
pub mod values;

pub use config::{
    Bounds, ConfigError, Coordinator, LoadedRegion, Logo, Moderation, Problem, RegionConfig,
    ReviewPolicy,
};
pub use host::{Host, HostTable, Resolution};
pub use values::{Color, Email, LatLon, Phone, Slug};

/// Folder of the sample regions shipped with the source (used by `serve --demo` and tests).
pub const SAMPLE_REGIONS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/regions");
