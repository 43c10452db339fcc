//! Regions (tenants): onboarding from a config file, the registry every request is
//! resolved against, the region's home page, the apex list of regions, and their API.

pub mod api;
mod apply;
pub mod pages;
mod registry;
pub mod store;
mod tenant;
pub mod view;

pub use apply::{
    announce, apply_edit, apply_files, apply_region, region_files, Applied, AppliedRegion,
    ApplyError,
};
pub use registry::{Registry, Site};
pub use store::{list_summaries, TenantSummary};
pub use tenant::Tenant;
pub use view::{MunicipalityInfo, RegionInfo, RegionLink};
