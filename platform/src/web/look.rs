//! «Версия для слабовидящих» (ГОСТ Р 52872-2019): large type, a black-on-white or a
//! white-on-black scheme, no images. Chosen in the header on any page, kept in a cookie
//! (a display preference, not an account's: it works logged out, on every page).

use poem::http::header;
use poem::web::{Query, Redirect};
use poem::{handler, IntoResponse, Response};
use serde::Deserialize;

/// How the pages look to this browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Look {
    #[default]
    Usual,
    /// Large type, black on white, no images.
    Light,
    /// Large type, white on black, no images.
    Dark,
}

/// The cookie that keeps the choice.
pub const COOKIE: &str = "look";

impl Look {
    pub fn code(self) -> &'static str {
        match self {
            Look::Usual => "usual",
            Look::Light => "light",
            Look::Dark => "dark",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Look::Usual, Look::Light, Look::Dark]
            .into_iter()
            .find(|l| l.code() == raw)
    }

    /// The choice in a request's `Cookie` header; the usual look without one.
    pub fn of_cookies(header: &str) -> Self {
        crate::accounts::sessions::read_cookie(header, COOKIE)
            .and_then(Self::parse)
            .unwrap_or_default()
    }

    /// The classes of the page's `<html>`: what the stylesheet keys the look on.
    pub fn classes(self) -> &'static str {
        match self {
            Look::Usual => "",
            Look::Light => "a11y",
            Look::Dark => "a11y a11y-dark",
        }
    }
}

#[derive(Deserialize)]
pub struct LookQuery {
    #[serde(default)]
    set: String,
    #[serde(default)]
    back: String,
}

/// Where to go back to: a path of this site, never another site's address. Only the
/// characters a path and query of ours are made of (percent-encoded otherwise): browsers
/// drop tabs and newlines from a `Location` and read `\` as `/`, so `/\t/evil.example`
/// would lead away.
fn back_path(raw: &str) -> &str {
    let safe = |c: char| c.is_ascii_alphanumeric() || "/_.~%?=&-+,:;@!".contains(c);
    let local = raw.starts_with('/') && !raw.starts_with("//") && raw.chars().all(safe);
    if local {
        raw
    } else {
        "/"
    }
}

/// `/look?set=light|dark|usual&back=/path`: keeps the choice for a year and goes back to the
/// page it was made on. An unknown choice changes nothing.
#[handler]
pub async fn choose(Query(q): Query<LookQuery>) -> Response {
    let mut response = Redirect::see_other(back_path(&q.back)).into_response();
    if let Some(look) = Look::parse(&q.set) {
        let cookie = match look {
            Look::Usual => format!("{COOKIE}=; Path=/; Max-Age=0; SameSite=Lax"),
            _ => format!(
                "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                look.code()
            ),
        };
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_chooses_the_look() {
        assert_eq!(Look::of_cookies("a=b; look=dark"), Look::Dark);
        assert_eq!(Look::of_cookies("look=light"), Look::Light);
        assert_eq!(Look::of_cookies("look=purple"), Look::Usual);
        assert_eq!(Look::of_cookies(""), Look::Usual);
    }

    #[test]
    fn only_a_path_of_this_site_is_gone_back_to() {
        assert_eq!(
            back_path("/programs?q=%D1%88&page=2"),
            "/programs?q=%D1%88&page=2"
        );
        for outside in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "/\t/evil.example",
            "/\n/evil.example",
            "",
        ] {
            assert_eq!(back_path(outside), "/", "{outside}");
        }
    }
}
