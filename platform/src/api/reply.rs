//! The one reply of every API call: the value, or an error with its status, code and
//! message; the conversions from every layer's error; `try_reply!`, the `?` of handlers.

use poem_openapi::param::Header;
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Object};

use crate::accounts::sessions::Viewer;
use crate::service_error::{Outage, ServiceError};
use crate::web::{Visitor, WebError};

use crate::web::ApiError;

/// Every call of the API answers with one of these.
#[derive(ApiResponse)]
pub enum Reply<T: ToJSON + Send + Sync> {
    #[oai(status = 200)]
    Ok(Json<T>),
    /// A field is invalid (`field` names it), or a link is stale.
    #[oai(status = 400)]
    Invalid(Json<ApiError>),
    /// Not logged in, or a wrong e-mail or password.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// The role may not do this, or the CSRF token is missing or wrong.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// Refused by the rules; `message` says why.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// Too many attempts: `Retry-After` says when to try again.
    #[oai(status = 429)]
    TooMany(Json<ApiError>, #[oai(header = "Retry-After")] u64),
    /// The body is not JSON (`Content-Type: application/json` is expected).
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ApiError>),
    #[oai(status = 500)]
    Internal(Json<ApiError>),
    /// The database or the session store did not answer; nothing was changed.
    /// `Retry-After` says when to try again.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] u64),
}

/// 503 for an outage, its cause in the log line.
fn unavailable<T: ToJSON + Send + Sync>(o: &Outage) -> Reply<T> {
    tracing::warn!(store = ?o.store, cause = format!("{:#}", o.cause), "store unreachable: 503");
    Reply::Unavailable(error("unavailable", o.message()), o.retry_after().seconds())
}

pub fn error(code: &str, message: &str) -> Json<ApiError> {
    Json(ApiError::new(code, message))
}

/// The reply to refused fields: every message, and the first field named.
pub fn invalid(errors: &[crate::domain::FieldError]) -> Json<ApiError> {
    Json(ApiError::fields(
        "invalid_field",
        errors.iter().map(|e| (e.field, e.message.as_str())),
    ))
}

/// The reply to refused query parameters (`field` names the first): the code poem-openapi's
/// own parameter errors carry too, so a client tells a bad filter from a bad body the same
/// way on every operation.
pub fn invalid_parameters(errors: &[crate::domain::FieldError]) -> Json<ApiError> {
    Json(ApiError::fields(
        "invalid_parameter",
        errors.iter().map(|e| (e.field, e.message.as_str())),
    ))
}

/// The cores' error as replies.
impl<T: ToJSON + Send + Sync> From<ServiceError> for Reply<T> {
    fn from(e: ServiceError) -> Self {
        let message = e.to_string();
        match e {
            ServiceError::Refused(m) => Reply::Conflict(error("refused", &m)),
            ServiceError::Invalid(errors) => Reply::Invalid(invalid(&errors)),
            ServiceError::BadCredentials => Reply::Unauthorized(error("bad_credentials", &message)),
            ServiceError::BadLink => Reply::Invalid(error("bad_link", &message)),
            ServiceError::TooMany(r) => {
                Reply::TooMany(error("too_many_requests", &message), r.seconds())
            }
            ServiceError::Forbidden => Reply::Forbidden(error("forbidden", &message)),
            ServiceError::NotFound => Reply::NotFound(error("not_found", &message)),
            ServiceError::Unavailable(o) => unavailable(&o),
            ServiceError::Internal(e) => Reply::from(WebError::Internal(e)),
        }
    }
}

impl<T: ToJSON + Send + Sync> From<WebError> for Reply<T> {
    fn from(e: WebError) -> Self {
        let e = e.classified();
        let body = error(e.code(), &e.to_string());
        match e {
            WebError::LoginRequired => Reply::Unauthorized(body),
            WebError::Forbidden | WebError::ForbiddenBecause(_) | WebError::Csrf => {
                Reply::Forbidden(body)
            }
            WebError::TooMany(r) | WebError::TooManyAtOnce(r) => Reply::TooMany(body, r.seconds()),
            WebError::BadRequest(_) => Reply::Invalid(body),
            WebError::Refused(_) => Reply::Conflict(body),
            WebError::UnknownHost | WebError::NotARegion | WebError::NotFound => {
                Reply::NotFound(body)
            }
            // Answered by the router before any handler (with `Allow`), or by the body
            // limit around it, never by one.
            WebError::MethodNotAllowed(_) | WebError::PayloadTooLarge(_) => {
                Reply::Internal(error("internal", "Внутренняя ошибка сервера"))
            }
            WebError::Unavailable(o) => unavailable(&o),
            WebError::Internal(e) => {
                tracing::error!(error = format!("{e:#}"), "API call failed");
                Reply::Internal(body)
            }
        }
    }
}

/// `?` for handlers: any error becomes its reply.
macro_rules! try_reply {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return e.into(),
        }
    };
}
pub(crate) use try_reply;

#[derive(Object)]
pub struct Done {
    pub message: String,
}

pub fn done(message: impl Into<String>) -> Json<Done> {
    Json(Done {
        message: message.into(),
    })
}

/// The viewer of a state-changing call: logged in, with the session's CSRF token.
pub fn writer<'a>(
    visitor: &'a Visitor,
    csrf: &Header<Option<String>>,
) -> Result<&'a Viewer, WebError> {
    let viewer = visitor.require()?;
    visitor.check_csrf(csrf.0.as_deref().unwrap_or_default())?;
    Ok(viewer)
}

/// The viewer of a call that changes the account itself: never through an organization's
/// API token (it acts for the organization, not as the person).
pub fn own_account<'a>(
    visitor: &'a Visitor,
    csrf: &Header<Option<String>>,
) -> Result<&'a Viewer, WebError> {
    if visitor.bearer {
        return Err(WebError::Forbidden);
    }
    writer(visitor, csrf)
}
