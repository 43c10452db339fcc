//! The public face of a region: what its home page shows and `GET /api/v1/region` returns.
//! One struct for both, so the page and the API cannot drift apart.

use poem_openapi::Object;
use serde::Serialize;

use super::Tenant;

/// A region's public settings.
#[derive(Debug, Clone, Serialize, Object)]
pub struct RegionInfo {
    /// Latin identifier, e.g. `smolensk`.
    pub slug: String,
    /// Region code (67 — Смоленская область).
    pub code: u8,
    /// «Навигатор дополнительного образования Смоленской области».
    pub name: String,
    pub short_name: String,
    pub region_name: String,
    /// Configured hosts, Unicode form.
    pub hosts: Vec<String>,
    /// IANA time zone, e.g. `Europe/Moscow`.
    pub time_zone: String,
    pub support_email: String,
    pub coordinator: CoordinatorInfo,
    pub map: MapInfo,
    pub branding: BrandingInfo,
    pub certificates: CertificatePolicyInfo,
    pub municipalities: Vec<MunicipalityInfo>,
}

/// The regional coordinator people call with questions.
#[derive(Debug, Clone, Serialize, Object)]
pub struct CoordinatorInfo {
    pub organization: String,
    #[oai(nullable)]
    pub person: Option<String>,
    /// `+7 (481) 200-00-67`.
    pub phone: String,
    /// `+74812000067`, for `tel:` links.
    pub phone_e164: String,
    pub email: String,
    pub address: String,
    #[oai(nullable)]
    pub hours: Option<String>,
}

impl CoordinatorInfo {
    /// A contact of the region's file (the coordinator's, or a municipality's) as pages and
    /// the API show it.
    pub fn of(c: &tenants::Coordinator) -> Self {
        Self {
            organization: c.organization.clone(),
            person: c.person.clone(),
            phone: c.phone.display(),
            phone_e164: c.phone.as_e164().to_owned(),
            email: c.email.to_string(),
            address: c.address.clone(),
            hours: c.hours.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct MapInfo {
    pub lat: f64,
    pub lon: f64,
    pub zoom: u8,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct BrandingInfo {
    pub primary_color: String,
    pub accent_color: String,
    /// Path of the logo on the region's host, when it has one.
    #[oai(nullable)]
    pub logo_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct CertificatePolicyInfo {
    pub enabled: bool,
    pub min_age: u8,
    pub max_age: u8,
    pub self_registration_age: u8,
    /// Default yearly nominal, roubles.
    pub nominal_rub: u32,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct MunicipalityInfo {
    pub id: String,
    pub name: String,
    /// Estimated number of children aged 5–18.
    pub population_5_18: u32,
    pub lat: f64,
    pub lon: f64,
    /// Yearly certificate nominal here, roubles.
    pub nominal_rub: u32,
}

impl RegionInfo {
    pub fn of(tenant: &Tenant) -> Self {
        let c = &tenant.config;
        Self {
            slug: c.slug.to_string(),
            code: c.code,
            name: c.name.clone(),
            short_name: c.short_name.clone(),
            region_name: c.region_name.clone(),
            hosts: c.hosts.iter().map(|h| h.to_string()).collect(),
            time_zone: c.time_zone.name().to_owned(),
            support_email: c.support_email.to_string(),
            coordinator: CoordinatorInfo::of(&c.coordinator),
            map: MapInfo {
                lat: c.map.center.lat,
                lon: c.map.center.lon,
                zoom: c.map.zoom,
            },
            branding: BrandingInfo {
                primary_color: c.branding.primary_color.as_str().to_owned(),
                accent_color: c.branding.accent_color.as_str().to_owned(),
                logo_url: tenant
                    .logo
                    .as_ref()
                    .map(|_| format!("/branding/logo?v={}", tenant.revision)),
            },
            certificates: CertificatePolicyInfo {
                enabled: c.certificates.enabled,
                min_age: c.certificates.min_age,
                max_age: c.certificates.max_age,
                self_registration_age: c.certificates.self_registration_age,
                nominal_rub: c.certificates.nominal_rub,
            },
            municipalities: c
                .municipalities
                .iter()
                .map(|m| MunicipalityInfo {
                    id: m.id.to_string(),
                    name: m.name.clone(),
                    population_5_18: m.population_5_18,
                    lat: m.center.lat,
                    lon: m.center.lon,
                    nominal_rub: c.nominal_rub(m),
                })
                .collect(),
        }
    }
}

/// A line of the region list.
#[derive(Debug, Clone, Serialize, Object)]
pub struct RegionLink {
    pub slug: String,
    pub code: u8,
    pub name: String,
    pub region_name: String,
    /// The region's home page, on the host family of the request.
    pub url: String,
}
