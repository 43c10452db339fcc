//! minijinja templates, compiled into the binary from `platform/templates/`, and the data
//! the shared layout needs on every page.

use minijinja::Environment;
use serde::Serialize;

use crate::regions::{Site, Tenant};

use super::assets;
use super::site::Origin;
use super::visitor::Visitor;

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates!(
    "layout.html",
    "error.html",
    "region_home.html",
    "_coordinator.html",
    "region_list.html",
    "_filters.html",
    "catalog.html",
    "map.html",
    "catalog_body.html",
    "_program_card.html",
    "_pager.html",
    "map_body.html",
    "program.html",
    "organization.html",
    "_form.html",
    "_cabinet.html",
    "register.html",
    "message.html",
    "login.html",
    "forgot.html",
    "reset.html",
    "document.html",
    "cabinet.html",
    "child_form.html",
    "profile.html",
    "staff.html",
    "mail/_layout.html",
    "mail/confirm_email.txt",
    "mail/confirm_email.html",
    "mail/register_again.txt",
    "mail/register_again.html",
    "mail/register_unconfirmed.txt",
    "mail/register_unconfirmed.html",
    "mail/reset_password.txt",
    "mail/reset_password.html",
    "mail/set_password.txt",
    "mail/set_password.html",
    "certificate_activate.html",
    "provider_certificates.html",
    "provider_certificate.html",
    "municipal.html",
    "mail/certificate_confirmed.txt",
    "mail/certificate_confirmed.html",
    "mail/certificate_rejected.txt",
    "mail/certificate_rejected.html",
    "apply.html",
    "applications.html",
    "provider_applications.html",
    "provider_application.html",
    "mail/application_confirmed.txt",
    "mail/application_confirmed.html",
    "mail/application_rejected.txt",
    "mail/application_rejected.html",
    "mail/application_enrolled.txt",
    "mail/application_enrolled.html",
    "mail/application_promoted.txt",
    "mail/application_promoted.html",
    "mail/application_notice.txt",
    "mail/application_notice.html",
);

pub struct Templates {
    env: Environment<'static>,
}

/// The sources of the shared templates, so a static copy can tell when they changed.
pub fn sources() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|(_, source)| *source)
}

/// Where the links of a page lead. The same templates render the dynamic site and the
/// static copy `sitegen` writes; they never spell a URL, they call `link(kind, arg)`.
#[derive(Debug, Clone)]
pub enum Links {
    /// Routes of this server: `/programs/15`.
    Dynamic,
    /// Files of a static copy, relative to the page being rendered (its `root` variable,
    /// `""` or `"../"`, so the copy works under any path prefix and from `file://`); what
    /// needs the server (applying, logging in) goes to `host`.
    Static { host: String },
}

impl Links {
    /// The URL of `kind` (with its id or code `arg`); `root` is the static page's way back
    /// to the top of the copy.
    pub fn url(&self, kind: &str, arg: &str, root: &str) -> Result<String, String> {
        let arg_enc = urlencode(arg);
        Ok(match self {
            Links::Dynamic => match kind {
                "home" => "/".to_owned(),
                "catalog" => "/programs".to_owned(),
                "map" => "/map".to_owned(),
                "program" => format!("/programs/{arg_enc}"),
                "organization" => format!("/organizations/{arg_enc}"),
                "direction" => format!("/programs?direction={arg_enc}"),
                "municipality" => format!("/programs?municipality={arg_enc}"),
                "apply" => format!("/apply/{arg_enc}"),
                "login" => "/login".to_owned(),
                "register" => "/register".to_owned(),
                "api" => "/api/docs".to_owned(),
                _ => return Err(format!("unknown link kind «{kind}»")),
            },
            Links::Static { host } => match kind {
                "home" => format!("{root}index.html"),
                "catalog" => format!("{root}programs/index.html"),
                "map" => format!("{root}map.html"),
                "program" => format!("{root}programs/{arg_enc}.html"),
                "organization" => format!("{root}organizations/{arg_enc}/index.html"),
                "direction" => format!("{root}directions/{arg_enc}/index.html"),
                "municipality" => format!("{root}municipalities/{arg_enc}/index.html"),
                "apply" => format!("{host}/apply/{arg_enc}"),
                "login" => format!("{host}/login"),
                "register" => format!("{host}/register"),
                "api" => format!("{host}/api/docs"),
                _ => return Err(format!("unknown link kind «{kind}»")),
            },
        })
    }
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map_or_else(|_| text.to_owned(), |s| s[1..].to_owned())
}

impl Templates {
    /// The dynamic site's templates.
    pub fn new() -> Self {
        Self::with(Links::Dynamic, &[])
    }

    /// The shared templates plus `extra` ones (a static copy's own pages), linking as
    /// `links` says.
    pub fn with(links: Links, extra: &'static [(&'static str, &'static str)]) -> Self {
        let mut env = Environment::new();
        env.add_filter("thousands", |n: i64| group_thousands(n));
        env.add_filter("rub", |n: i64| format!("{}\u{a0}₽", group_thousands(n)));
        let static_copy = matches!(links, Links::Static { .. });
        env.add_function(
            "asset",
            move |state: &minijinja::State, name: &str| -> minijinja::Value {
                // Our own paths: nothing in them needs escaping (and `/` would be, noisily).
                minijinja::Value::from_safe_string(if static_copy {
                    format!("{}static/{name}", root(state))
                } else {
                    assets::url(name)
                })
            },
        );
        env.add_function(
            "link",
            move |state: &minijinja::State,
                  kind: &str,
                  arg: Option<minijinja::Value>|
                  -> Result<minijinja::Value, minijinja::Error> {
                let arg = arg.map(|a| a.to_string()).unwrap_or_default();
                let url = links.url(kind, &arg, &root(state)).map_err(|e| {
                    minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e)
                })?;
                // Arguments are percent-encoded and the rest is ours, so the URL holds no
                // character HTML would need escaped; checked, not assumed.
                if url.contains(['"', '\'', '<', '>', '&']) {
                    return Err(minijinja::Error::new(
                        minijinja::ErrorKind::InvalidOperation,
                        format!("link {kind}: «{url}» needs escaping"),
                    ));
                }
                Ok(minijinja::Value::from_safe_string(url))
            },
        );
        for (name, source) in TEMPLATES.iter().chain(extra) {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name} does not compile: {e}"));
        }
        Self { env }
    }

    pub fn render(&self, name: &str, ctx: minijinja::Value) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(ctx)
    }

    /// Renders `name` with `body`, HTML rendered before (a cached catalog body), where the
    /// template says `{{ body }}`. The body is copied once into the page, as bytes: handing
    /// 35 kB to the template as text meant checking and copying it, a third of a cached page.
    pub fn render_around(
        &self,
        name: &str,
        ctx: minijinja::Value,
        body: &[u8],
    ) -> Result<bytes::Bytes, minijinja::Error> {
        const MARK: &str = "\u{0}body\u{0}";
        let ctx =
            minijinja::context! { body => minijinja::Value::from_safe_string(MARK.into()), ..ctx };
        let page = self.render(name, ctx)?;
        let (head, tail) = page.split_once(MARK).ok_or_else(|| {
            minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!("{name} does not show its body"),
            )
        })?;
        let mut out = Vec::with_capacity(page.len() - MARK.len() + body.len());
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(tail.as_bytes());
        Ok(out.into())
    }
}

/// `132000` → `132 000` (a no-break space between groups, as Russian typography has it).
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(d);
    }
    if n < 0 {
        out.insert(0, '−');
    }
    out
}

/// A static page's way back to the top of the copy (`root` in its context).
fn root(state: &minijinja::State) -> String {
    state
        .lookup("root")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

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

#[cfg(test)]
mod tests {
    use super::group_thousands;

    #[test]
    fn groups_digits() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(5000), "5\u{a0}000");
        assert_eq!(group_thousands(-1234567), "−1\u{a0}234\u{a0}567");
    }
}
