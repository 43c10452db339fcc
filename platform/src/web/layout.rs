//! What `layout.html` shows around every page: the region's name and colours, who is
//! logged in, the way back to the region list. Built for each request from its site,
//! origin and visitor, or for a static copy by `sitegen`.

use serde::Serialize;

use crate::regions::{Site, Tenant};
use crate::templates::assets;

use super::site::Origin;
use super::visitor::Visitor;

/// What `layout.html` shows around every page: the region's name and colours in the
/// header, its support contacts in the footer, the way back to the region list.
#[derive(Serialize)]
pub struct Layout {
    pub is_region: bool,
    pub name: String,
    pub short_name: String,
    pub region_name: String,
    pub primary_color: String,
    pub accent_color: String,
    pub logo_url: Option<String>,
    pub support_email: Option<String>,
    pub apex_url: String,
    pub css_url: String,
    /// The site's icon (SVG); `/favicon.ico` leads to it for those who ask there.
    pub icon_url: String,
    /// Who is logged in: their name links to their cabinet.
    pub user: Option<LayoutUser>,
    /// For the «Выход» form in the header.
    pub csrf: String,
    /// A static copy written by `sitegen`: no accounts, no live figures.
    pub is_static: bool,
    /// The region's dynamic site, which a static copy links to.
    pub dynamic_url: String,
}

#[derive(Serialize)]
pub struct LayoutUser {
    pub name: String,
    pub home: &'static str,
    pub email_confirmed: bool,
}

const PLATFORM_NAME: &str = "Навигатор дополнительного образования детей";

impl Layout {
    pub fn new(site: &Site, origin: &Origin, visitor: Option<&Visitor>) -> Self {
        let css_url = assets::url("navigator.css");
        let icon_url = assets::url("favicon.svg");
        let user = visitor.and_then(|v| v.viewer.as_ref()).map(|v| LayoutUser {
            name: format!("{} {}", v.user.first_name, v.user.last_name),
            home: v.user.role.home(),
            email_confirmed: v.user.email_confirmed,
        });
        let csrf = visitor.map(|v| v.csrf().to_owned()).unwrap_or_default();
        match site {
            Site::Region(t) => Self {
                logo_url: t
                    .logo
                    .as_ref()
                    .map(|_| format!("/branding/logo?v={}", t.revision)),
                apex_url: origin.apex_url(),
                css_url,
                icon_url,
                user,
                csrf,
                ..Self::region(t)
            },
            Site::Apex | Site::Unknown => Self {
                is_region: false,
                name: PLATFORM_NAME.to_owned(),
                short_name: "Навигатор".to_owned(),
                region_name: String::new(),
                primary_color: "#1d4f91".to_owned(),
                accent_color: "#e8a317".to_owned(),
                logo_url: None,
                support_email: None,
                apex_url: origin.apex_url(),
                css_url,
                icon_url,
                user,
                csrf,
                is_static: false,
                dynamic_url: String::new(),
            },
        }
    }

    /// The layout of a static copy of the region's catalog; `root` leads from the page to
    /// the top of the copy, `host` is the region's dynamic site.
    pub fn for_static(tenant: &Tenant, root: &str, host: &str) -> Self {
        Self {
            logo_url: tenant
                .logo
                .as_ref()
                .map(|l| format!("{root}static/logo.{}", l.extension())),
            apex_url: format!("{host}/"),
            css_url: format!("{root}static/navigator.css"),
            icon_url: format!("{root}static/favicon.svg"),
            is_static: true,
            dynamic_url: format!("{host}/"),
            ..Self::region(tenant)
        }
    }

    /// What a region's layout shows of its settings, on either site; the rest as for
    /// nobody logged in, to be filled in by the caller.
    fn region(tenant: &Tenant) -> Self {
        let c = &tenant.config;
        Self {
            is_region: true,
            name: c.name.clone(),
            short_name: c.short_name.clone(),
            region_name: c.region_name.clone(),
            primary_color: c.branding.primary_color.as_str().to_owned(),
            accent_color: c.branding.accent_color.as_str().to_owned(),
            logo_url: None,
            support_email: Some(c.support_email.to_string()),
            apex_url: String::new(),
            css_url: String::new(),
            icon_url: String::new(),
            user: None,
            csrf: String::new(),
            is_static: false,
            dynamic_url: String::new(),
        }
    }
}

impl<'a> poem::FromRequest<'a> for Layout {
    async fn from_request(
        req: &'a poem::Request,
        _body: &mut poem::RequestBody,
    ) -> poem::Result<Self> {
        let ext = req.extensions();
        let (Some(site), Some(origin)) = (ext.get::<Site>(), ext.get::<Origin>()) else {
            panic!("SiteResolver runs before handlers");
        };
        Ok(Layout::new(site, origin, ext.get::<Visitor>()))
    }
}
