//! The web layer's errors and the one place where any error becomes a response: an HTML
//! page in Russian for the site, a JSON body for `/api`.

use poem::error::{MethodNotAllowedError, NotFoundError};
use poem::http::StatusCode;
use poem::web::Json;
use poem::{IntoResponse, Response};
use poem_openapi::Object;
use serde::Serialize;

use crate::regions::Site;
use crate::State;

use super::layout::Layout;
use super::site::Origin;
use super::visitor::Visitor;
use crate::catalog::CatalogError;
use crate::db::DbError;
use crate::service_error::{Outage, RetryAfter, ServiceError, Store};

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Forbidden => WebError::Forbidden,
            ServiceError::NotFound => WebError::NotFound,
            ServiceError::Internal(e) => WebError::Internal(e),
            ServiceError::Refused(m) => WebError::Refused(m),
            ServiceError::TooMany(r) => WebError::TooMany(r),
            ServiceError::Unavailable(o) => WebError::Unavailable(o),
            other @ (ServiceError::BadCredentials | ServiceError::BadLink) => {
                WebError::BadRequest(other.to_string())
            }
            ServiceError::Invalid(errors) => WebError::BadRequest(
                errors
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("Такого региона на платформе нет")]
    UnknownHost,
    #[error("Этот адрес работает только на сайте региона")]
    NotARegion,
    #[error("Страница не найдена")]
    NotFound,
    #[error("Войдите, чтобы продолжить")]
    LoginRequired,
    #[error("Недостаточно прав для просмотра этой страницы")]
    Forbidden,
    /// Forbidden, with the reason for the person.
    #[error("{0}")]
    ForbiddenBecause(String),
    #[error(
        "Форма устарела или отправлена не с этого сайта. Обновите страницу и отправьте её ещё раз."
    )]
    Csrf,
    #[error("Слишком много попыток. Повторите {}", .0.in_words())]
    TooMany(RetryAfter),
    /// One address has its share of expensive requests running (`in_flight`).
    #[error(
        "Слишком много одновременных запросов с вашего адреса. Повторите {}",
        .0.in_words()
    )]
    TooManyAtOnce(RetryAfter),
    /// The body is longer than the route's limit, in bytes (`body_limit`).
    #[error(
        "Слишком большой запрос: можно отправить не больше {}",
        super::body_limit::size_in_words(*.0)
    )]
    PayloadTooLarge(usize),
    #[error("{0}")]
    BadRequest(String),
    /// Refused by the rules (the message says why).
    #[error("{0}")]
    Refused(String),
    /// The method is not one the path takes; the methods it takes, for `Allow`.
    #[error("Метод не поддерживается")]
    MethodNotAllowed(String),
    /// A store the request needs did not answer: 503 with `Retry-After`.
    #[error("{}", .0.message())]
    Unavailable(Outage),
    #[error("Внутренняя ошибка сервера")]
    Internal(#[from] anyhow::Error),
}

impl From<DbError> for WebError {
    fn from(e: DbError) -> Self {
        ServiceError::from(e).into()
    }
}

/// A page that fails to render is a bug of ours.
impl From<minijinja::Error> for WebError {
    fn from(e: minijinja::Error) -> Self {
        WebError::Internal(e.into())
    }
}

impl From<CatalogError> for WebError {
    fn from(e: CatalogError) -> Self {
        ServiceError::from(e).into()
    }
}

impl WebError {
    /// An internal error whose cause is the database being unreachable is an outage: 503,
    /// not 500. Pages that put a `DbError` into `anyhow` lose nothing by it.
    pub fn classified(self) -> Self {
        match self {
            WebError::Internal(e) if crate::db::unavailable_in(&e) => {
                WebError::Unavailable(Outage::new(Store::Database, e))
            }
            other => other,
        }
    }
}

impl WebError {
    /// The stable code of the API's error body, whoever writes it.
    pub fn code(&self) -> &'static str {
        match self {
            WebError::UnknownHost => "unknown_host",
            WebError::NotARegion => "not_a_region",
            WebError::NotFound => "not_found",
            WebError::LoginRequired => "login_required",
            WebError::Forbidden | WebError::ForbiddenBecause(_) => "forbidden",
            WebError::Csrf => "csrf",
            WebError::TooMany(_) | WebError::TooManyAtOnce(_) => "too_many_requests",
            WebError::PayloadTooLarge(_) => "payload_too_large",
            WebError::BadRequest(_) => "bad_request",
            WebError::Refused(_) => "refused",
            WebError::MethodNotAllowed(_) => "method_not_allowed",
            WebError::Unavailable(_) => "unavailable",
            WebError::Internal(_) => "internal",
        }
    }
}

impl poem::error::ResponseError for WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::UnknownHost | WebError::NotARegion | WebError::NotFound => {
                StatusCode::NOT_FOUND
            }
            WebError::LoginRequired => StatusCode::UNAUTHORIZED,
            WebError::Forbidden | WebError::ForbiddenBecause(_) | WebError::Csrf => {
                StatusCode::FORBIDDEN
            }
            WebError::TooMany(_) | WebError::TooManyAtOnce(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Refused(_) => StatusCode::CONFLICT,
            WebError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The body of every API failure, whoever answers (a handler, the host middleware, poem's
/// own parsing): `{"error": {"code", "message", "field"?}}`.
#[derive(Debug, Clone, Serialize, Object)]
pub struct ApiError {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct ErrorDetail {
    /// A stable code for programs: `invalid_field`, `not_found`, `csrf`, …
    pub code: String,
    /// For people, in Russian.
    pub message: String,
    /// The field or parameter at fault, when there is one.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code: code.to_owned(),
                message: message.into(),
                field: None,
            },
        }
    }

    /// Refused fields: every message, and the first field named.
    pub fn fields<'a>(code: &str, errors: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut first = None;
        let message = errors
            .into_iter()
            .map(|(field, message)| {
                first.get_or_insert(field);
                format!("{field}: {message}")
            })
            .collect::<Vec<_>>()
            .join("; ");
        let mut error = Self::new(code, message);
        error.error.field = first.map(str::to_owned);
        error
    }
}

/// The code of a failure that has no error of ours behind it (poem's routing and parsing).
fn code_of_status(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_field",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}

/// Renders any error of a handler (ours, poem's routing, poem-openapi's parsing).
pub fn respond(
    state: &State,
    site: &Site,
    origin: &Origin,
    visitor: &Visitor,
    json: bool,
    err: poem::Error,
) -> Response {
    let err = match err.downcast::<WebError>() {
        Ok(e) => poem::Error::from(e.classified()),
        Err(err) => err,
    };
    let status = err.status();
    let retry_after = match err.downcast_ref::<WebError>() {
        Some(WebError::TooMany(r) | WebError::TooManyAtOnce(r)) => Some(r.seconds()),
        Some(WebError::Unavailable(o)) => Some(o.retry_after().seconds()),
        _ => None,
    };
    let allow = match err.downcast_ref::<WebError>() {
        Some(WebError::MethodNotAllowed(allow)) if !allow.is_empty() => Some(allow.clone()),
        _ => None,
    };
    // A page that needs a login sends the browser to the login form and back.
    if !json
        && matches!(
            err.downcast_ref::<WebError>(),
            Some(WebError::LoginRequired)
        )
    {
        let next = origin.path_and_query.clone();
        let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
        return poem::web::Redirect::see_other(format!("/login?{query}")).into_response();
    }
    // A query or path parameter poem-openapi could not parse names itself.
    let field = err
        .downcast_ref::<poem_openapi::error::ParseParamError>()
        .map(|p| p.name.to_owned());
    let (code, message) = if let Some(e) = err.downcast_ref::<WebError>() {
        (e.code(), e.to_string())
    } else if field.is_some() {
        ("invalid_parameter", err.to_string())
    } else if err.is::<NotFoundError>() {
        ("not_found", WebError::NotFound.to_string())
    } else if err.is::<MethodNotAllowedError>() {
        ("method_not_allowed", "Метод не поддерживается".to_owned())
    } else if status.is_server_error() {
        (
            "internal",
            WebError::Internal(anyhow::anyhow!("")).to_string(),
        )
    } else {
        // poem-openapi's messages for malformed requests (they name the parameter).
        (code_of_status(status), err.to_string())
    };
    // The log line carries the cause, the whole chain: the visitor's message does not.
    match err.downcast_ref::<WebError>() {
        Some(WebError::Unavailable(o)) => {
            tracing::warn!(store = ?o.store, cause = format!("{:#}", o.cause), "store unreachable: 503");
        }
        Some(WebError::Internal(e)) => {
            tracing::error!(error = format!("{e:#}"), "handler failed");
        }
        _ if status.is_server_error() => tracing::error!(error = %err, "handler failed"),
        _ => {}
    }
    if json {
        let mut body = ApiError::new(code, message);
        body.error.field = field;
        let mut response = Json(body).with_status(status).into_response();
        if let Some(s) = retry_after {
            response.headers_mut().insert("retry-after", s.into());
        }
        if let Some(value) = allow.and_then(|a| a.parse().ok()) {
            response.headers_mut().insert("allow", value);
        }
        return response;
    }
    let layout = Layout::new(site, origin, Some(visitor));
    let html = state.templates.render(
        "error.html",
        minijinja::context! {
            layout,
            status => status.as_u16(),
            message,
            unknown_host => code == "unknown_host",
        },
    );
    match html {
        Ok(html) => {
            let mut response = poem::web::Html(html).with_status(status).into_response();
            if let Some(s) = retry_after {
                response.headers_mut().insert("retry-after", s.into());
            }
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            (status, message).into_response()
        }
    }
}
