//! The template engine: minijinja templates compiled into the binary from
//! `platform/templates/` (pages and mails), with the filters and functions they share, and
//! the static files they link to (`assets`). Used by the pages, by mail and by `sitegen`.

pub mod assets;

use minijinja::Environment;

use crate::domain::group_thousands;

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates!(
    "layout.html",
    "error.html",
    "region_home.html",
    "_home_lists.html",
    "_coordinator.html",
    "_contact.html",
    "region_list.html",
    "_filters.html",
    "catalog.html",
    "map.html",
    "catalog_body.html",
    "_program_card.html",
    "_pager.html",
    "map_body.html",
    "program.html",
    "_review.html",
    "_stars.html",
    "program_reviews.html",
    "review_form.html",
    "moderation_reviews.html",
    "provider_reviews.html",
    "favourite.html",
    "cabinet_favourites.html",
    "cabinet_timetable.html",
    "organization.html",
    "_form.html",
    "_certificate.html",
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
    "_place_fields.html",
    "provider_profile.html",
    "provider_place.html",
    "provider_programs.html",
    "provider_new_year.html",
    "provider_sheets.html",
    "provider_program.html",
    "_diff.html",
    "_history.html",
    "moderation.html",
    "moderation_item.html",
    "mail/program_decision.txt",
    "mail/program_decision.html",
    "provider_groups.html",
    "provider_program_groups.html",
    "provider_group.html",
    "provider_teachers.html",
    "provider_staff.html",
    "provider_tokens.html",
    "admin_organizations.html",
    "admin_audit.html",
    "admin_child_views.html",
    "admin_programs.html",
    "admin_exports.html",
    "admin_organization.html",
    "admin_staff.html",
    "admin_settings.html",
    "admin_settings_form.html",
    "admin_dictionaries.html",
    "org_staff.html",
    "_cover_form.html",
    "provider_cover.html",
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
    "help.html",
    "provider_certificates.html",
    "provider_certificate.html",
    "_visitor_fields.html",
    "provider_visitors.html",
    "provider_visitor.html",
    "provider_visitor_found.html",
    "provider_visitor_child.html",
    "visitor_print.html",
    "mail/visitor_welcome.txt",
    "mail/visitor_welcome.html",
    "mail/desk_sign_in.txt",
    "mail/desk_sign_in.html",
    "municipal.html",
    "statistics.html",
    "_bar_chart.html",
    "mail/certificate_confirmed.txt",
    "mail/certificate_confirmed.html",
    "mail/certificate_rejected.txt",
    "mail/certificate_rejected.html",
    "apply.html",
    "withdraw_confirm.html",
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
    "mail/application_new.txt",
    "mail/application_new.html",
    "mail/application_digest.txt",
    "mail/application_digest.html",
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
                "media" => format!("/media/{arg_enc}"),
                "direction" => format!("/programs?direction={arg_enc}"),
                "municipality" => format!("/programs?municipality={arg_enc}"),
                "apply" => format!("/apply/{arg_enc}"),
                "reviews" => format!("/programs/{arg_enc}/reviews"),
                "review" => format!("/programs/{arg_enc}/review"),
                "favourite" => format!("/programs/{arg_enc}/favourite"),
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
                "media" => format!("{root}media/{arg_enc}"),
                "direction" => format!("{root}directions/{arg_enc}/index.html"),
                "municipality" => format!("{root}municipalities/{arg_enc}/index.html"),
                "apply" => format!("{host}/apply/{arg_enc}"),
                "reviews" => format!("{host}/programs/{arg_enc}/reviews"),
                "review" => format!("{host}/programs/{arg_enc}/review"),
                "favourite" => format!("{host}/programs/{arg_enc}/favourite"),
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
        // `{{ n | plural("программа", "программы", "программ") }}`: «12 программ».
        env.add_filter(
            "plural",
            |n: i64, one: String, few: String, many: String| {
                let word = crate::domain::plural(n.unsigned_abs(), &one, &few, &many);
                format!("{} {word}", group_thousands(n))
            },
        );
        // A phone as people read it and as phones dial it: `+7 (4812) 36-03-23` linked to
        // `tel:+74812360323`; anything that is not a phone stays the text it was.
        env.add_filter("tel", |raw: String| {
            match crate::domain::Phone::parse(&raw) {
                Ok(p) => minijinja::Value::from_safe_string(format!(
                    "<a href=\"tel:{}\">{}</a>",
                    p.as_e164(),
                    p.display()
                )),
                Err(_) => minijinja::Value::from(raw),
            }
        });
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
