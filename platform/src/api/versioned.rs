//! The reply of calls that hand out a version (`ETag`) and honour `If-Match`: the catalog
//! sync. Its errors are `Reply`'s, converted one for one, so each layer's error is still
//! mapped to HTTP in one place; it adds 201 and 412.

use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::ApiResponse;

use crate::service_error::ServiceError;
use crate::web::{ApiError, WebError};

use super::reply::{error, Reply};

#[derive(ApiResponse)]
pub enum Versioned<T: ToJSON + Send + Sync> {
    /// Found, updated or unchanged; `ETag` is the version to send as `If-Match`.
    #[oai(status = 200)]
    Ok(Json<T>, #[oai(header = "ETag")] String),
    /// Created under the id; `ETag` is its version.
    #[oai(status = 201)]
    Created(Json<T>, #[oai(header = "ETag")] String),
    /// A field is invalid (`field` names it).
    #[oai(status = 400)]
    Invalid(Json<ApiError>),
    /// Not logged in, or the token is unknown or revoked.
    #[oai(status = 401)]
    Unauthorized(Json<ApiError>),
    /// Not the organization's staff, or the CSRF token is missing or wrong.
    #[oai(status = 403)]
    Forbidden(Json<ApiError>),
    #[oai(status = 404)]
    NotFound(Json<ApiError>),
    /// Refused by the rules (a program on moderation is not edited); `message` says why.
    #[oai(status = 409)]
    Conflict(Json<ApiError>),
    /// `If-Match` names another version: it was changed since it was read (or nothing is
    /// there yet). Read it again; `ETag` is the current version, when there is one.
    #[oai(status = 412)]
    Stale(Json<ApiError>, #[oai(header = "ETag")] Option<String>),
    /// The body is not JSON (`Content-Type: application/json` is expected).
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ApiError>),
    /// Too many attempts: `Retry-After` says when to try again.
    #[oai(status = 429)]
    TooMany(Json<ApiError>, #[oai(header = "Retry-After")] u64),
    #[oai(status = 500)]
    Internal(Json<ApiError>),
    /// The database did not answer; nothing was changed. `Retry-After` says when to try
    /// again.
    #[oai(status = 503)]
    Unavailable(Json<ApiError>, #[oai(header = "Retry-After")] u64),
}

/// An `ETag` value: the version, quoted (a strong tag).
pub fn etag(version: &str) -> String {
    format!("\"{version}\"")
}

impl<T: ToJSON + Send + Sync> Versioned<T> {
    /// 412 with the current version.
    pub fn stale(current: Option<String>) -> Self {
        Self::Stale(
            error(
                "stale",
                "Данные изменились с тех пор, как вы их получили: запросите их заново и \
                 повторите изменение.",
            ),
            current.as_deref().map(etag),
        )
    }
}

impl<T: ToJSON + Send + Sync> From<Reply<T>> for Versioned<T> {
    fn from(r: Reply<T>) -> Self {
        match r {
            // A value always comes with its version, so a bare one is not converted.
            Reply::Ok(_) => Self::Internal(error("internal", "Внутренняя ошибка сервера")),
            Reply::Internal(e) => Self::Internal(e),
            Reply::Invalid(e) => Self::Invalid(e),
            Reply::Unauthorized(e) => Self::Unauthorized(e),
            Reply::Forbidden(e) => Self::Forbidden(e),
            Reply::NotFound(e) => Self::NotFound(e),
            Reply::Conflict(e) => Self::Conflict(e),
            Reply::TooMany(e, s) => Self::TooMany(e, s),
            Reply::UnsupportedMediaType(e) => Self::UnsupportedMediaType(e),
            Reply::Unavailable(e, s) => Self::Unavailable(e, s),
        }
    }
}

impl<T: ToJSON + Send + Sync> From<ServiceError> for Versioned<T> {
    fn from(e: ServiceError) -> Self {
        Reply::<T>::from(e).into()
    }
}

impl<T: ToJSON + Send + Sync> From<WebError> for Versioned<T> {
    fn from(e: WebError) -> Self {
        Reply::<T>::from(e).into()
    }
}
