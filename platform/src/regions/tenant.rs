//! A region as the server holds it: its database id and its validated config.

use tenants::{Logo, RegionConfig};

use chrono::NaiveDate;

use crate::mail::Sender;
use crate::tenant_id::TenantId;
use crate::time::Clock;

#[derive(Debug, Clone)]
pub struct Tenant {
    /// `tenant_id` of every row this region owns.
    pub id: TenantId,
    pub config: RegionConfig,
    pub logo: Option<Logo>,
    /// Registry version at which this region last changed.
    pub revision: i64,
}

impl Tenant {
    pub fn slug(&self) -> &str {
        self.config.slug.as_str()
    }

    /// Today in the region's time zone: «идёт набор» turns with the region's midnight.
    pub fn today(&self, clock: &Clock) -> NaiveDate {
        clock.today_in(self.config.time_zone)
    }

    /// The region as the sender of its mail: «Навигатор67. Отдел поддержки» from its
    /// support address, with links starting at `base_url`.
    pub fn sender(&self, base_url: &str) -> Sender {
        let c = &self.config;
        Sender {
            tenant_id: self.id,
            name: format!("{}. Отдел поддержки", c.short_name),
            address: c.support_email.ascii(),
            region_name: c.name.clone(),
            support_email: c.support_email.to_string(),
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }
}
