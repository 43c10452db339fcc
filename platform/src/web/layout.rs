//! What `layout.html` shows around every page: the region's name and colours, who is
//! logged in, the way back to the region list. Built for each request from its site,
//! origin and visitor, or for a static copy by `sitegen`.

use super::look::Look;
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
    /// What a narrow screen needs (`static/narrow.js`): folds, keyboard-scrollable tables.
    pub narrow_url: String,
    /// Who is logged in: their name links to their cabinet.
    pub user: Option<LayoutUser>,
    /// For the «Выход» form in the header.
    pub csrf: String,
    /// A static copy written by `sitegen`: no accounts, no live figures.
    pub is_static: bool,
    /// The region's dynamic site, which a static copy links to.
    pub dynamic_url: String,
    /// The same as people read it: `https://p67.навигатор.дети/`, not punycode.
    pub dynamic_label: String,
    /// The classes of `<html>` for the chosen look (`a11y`, …).
    pub look_class: &'static str,
    /// The header's links to the other looks, back to this page.
    pub look_links: Vec<LookLink>,
}

/// «Версия для слабовидящих», «Обычная версия», …: a link to choose a look.
#[derive(Debug, Clone, Serialize)]
pub struct LookLink {
    pub label: &'static str,
    pub href: String,
}

/// The links the header offers in `look`, each coming back to `here`.
fn look_links(look: Look, here: &str) -> Vec<LookLink> {
    let choices: &[(Look, &str)] = match look {
        Look::Usual => &[(Look::Light, "Версия для слабовидящих")],
        Look::Light => &[
            (Look::Dark, "Белым по чёрному"),
            (Look::Usual, "Обычная версия"),
        ],
        Look::Dark => &[
            (Look::Light, "Чёрным по белому"),
            (Look::Usual, "Обычная версия"),
        ],
    };
    choices
        .iter()
        .map(|(to, label)| LookLink {
            label,
            href: format!(
                "/look?{}",
                serde_urlencoded::to_string([("set", to.code()), ("back", here)])
                    .unwrap_or_default()
            ),
        })
        .collect()
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
        let narrow_url = assets::url("narrow.js");
        let user = visitor.and_then(|v| v.viewer.as_ref()).map(|v| LayoutUser {
            name: format!("{} {}", v.user.first_name, v.user.last_name),
            home: v.user.role.home(),
            email_confirmed: v.user.email_confirmed,
        });
        let csrf = visitor.map(|v| v.csrf().to_owned()).unwrap_or_default();
        let look = visitor.map_or(Look::Usual, |v| v.look);
        let layout = match site {
            Site::Region(t) => Self {
                logo_url: t
                    .logo
                    .as_ref()
                    .map(|_| format!("/branding/logo?v={}", t.revision)),
                apex_url: origin.apex_url(),
                css_url,
                icon_url,
                narrow_url,
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
                narrow_url,
                user,
                csrf,
                is_static: false,
                dynamic_url: String::new(),
                dynamic_label: String::new(),
                look_class: "",
                look_links: Vec::new(),
            },
        };
        Self {
            look_class: look.classes(),
            look_links: look_links(look, "/"),
            ..layout
        }
    }

    /// Links to the other looks come back to `here` (the page's path and query).
    fn coming_back_to(self, here: &str, look: Look) -> Self {
        Self {
            look_links: look_links(look, here),
            ..self
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
            narrow_url: format!("{root}static/narrow.js"),
            is_static: true,
            dynamic_url: format!("{host}/"),
            dynamic_label: format!("{}/", readable_url(host)),
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
            narrow_url: String::new(),
            user: None,
            csrf: String::new(),
            is_static: false,
            dynamic_url: String::new(),
            dynamic_label: String::new(),
            look_class: "",
            look_links: Vec::new(),
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
        let visitor = ext.get::<Visitor>();
        // A form's answer is shown at its POST address, which a link cannot come back to.
        let here = match *req.method() {
            poem::http::Method::GET | poem::http::Method::HEAD => {
                req.uri().path_and_query().map_or("/", |p| p.as_str())
            }
            _ => "/",
        };
        let look = visitor.map_or(Look::Usual, |v| v.look);
        Ok(Layout::new(site, origin, visitor).coming_back_to(here, look))
    }
}

/// `https://p67.xn--80aafey1amqq.xn--d1acj3b` as `https://p67.навигатор.дети`: the host
/// in Unicode; anything that is not such a URL comes back as it is.
fn readable_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (host, tail) = rest
        .find(['/', ':'])
        .map_or((rest, ""), |i| rest.split_at(i));
    match tenants::Host::parse(host) {
        Ok(h) => format!("{scheme}://{}{tail}", h.as_unicode()),
        Err(_) => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::readable_url;

    #[test]
    fn a_punycode_host_reads_in_unicode() {
        assert_eq!(
            readable_url("https://p67.xn--80aafey1amqq.xn--d1acj3b"),
            "https://p67.навигатор.дети"
        );
        assert_eq!(
            readable_url("http://localhost:8080"),
            "http://localhost:8080"
        );
        assert_eq!(readable_url("not a url"), "not a url");
    }
}
