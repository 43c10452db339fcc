//! What every page handler shares: rendering a template into a response (with the
//! anonymous visitor's CSRF cookie), a message page, field errors for a form, the sender
//! of mails caused by a request, and the CSRF field of a form that has nothing else.

use poem::http::{header, StatusCode};
use poem::web::Html;
use poem::{IntoResponse, Response};
use serde::Deserialize;

use crate::domain::FieldError;
use crate::mail::Sender;
use crate::regions::Site;

use super::{Layout, Origin, State, Visitor, WebError};

pub type PageResult = Result<Response, WebError>;

/// Renders a page; an anonymous visitor without a CSRF cookie gets one with it.
pub fn render(
    state: &State,
    visitor: &Visitor,
    template: &str,
    ctx: minijinja::Value,
    status: StatusCode,
) -> PageResult {
    let html = state.templates.render(template, ctx)?;
    let mut response = Html(html).with_status(status).into_response();
    if let Some(cookie) = visitor.csrf_cookie() {
        append_cookie(&mut response, &cookie);
    }
    Ok(response)
}

pub fn append_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// A page of a few paragraphs and an optional button.
pub fn message(
    state: &State,
    visitor: &Visitor,
    layout: Layout,
    title: &str,
    paragraphs: &[String],
    link: Option<(&str, &str)>,
) -> PageResult {
    render(
        state,
        visitor,
        "message.html",
        minijinja::context! {
            layout, title, paragraphs,
            link_url => link.map(|l| l.0), link_text => link.map(|l| l.1),
        },
        StatusCode::OK,
    )
}

/// Each wrong field's messages (joined when it has several), by field name, in the order the
/// rules checked them — the form's order, which the error summary lists them in.
pub fn errors_map(errors: &[FieldError]) -> minijinja::Value {
    let mut fields: Vec<(&'static str, String)> = Vec::new();
    for e in errors {
        match fields.iter_mut().find(|(field, _)| *field == e.field) {
            Some((_, message)) => {
                message.push_str("; ");
                message.push_str(&e.message);
            }
            None => fields.push((e.field, e.message.clone())),
        }
    }
    minijinja::Value::from_iter(fields)
}

/// Whom the mails caused by this request are from: the region, or the platform on the apex.
pub fn sender(state: &State, site: &Site, origin: &Origin) -> Result<Sender, WebError> {
    match site {
        Site::Region(t) => Ok(t.sender(&origin.site_url())),
        Site::Apex => Ok(Sender::platform(
            &state.settings.base_domain,
            &origin.site_url(),
        )),
        Site::Unknown => Err(WebError::UnknownHost),
    }
}

#[derive(Deserialize)]
/// A form whose only field is its CSRF token (a button).
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}
