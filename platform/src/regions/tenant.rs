//! A region as the server holds it: its database id and its validated config.

use tenants::{Logo, RegionConfig};

#[derive(Debug, Clone)]
pub struct Tenant {
    /// `tenant_id` of every row this region owns.
    pub id: i64,
    pub config: RegionConfig,
    pub logo: Option<Logo>,
    /// Registry version at which this region last changed.
    pub revision: i64,
}

impl Tenant {
    pub fn slug(&self) -> &str {
        self.config.slug.as_str()
    }
}
