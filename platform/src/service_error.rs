//! The error of the capability services that apply rules (certificates, applications):
//! a refusal with its reason, invalid fields, no right, nothing there, or a failure.
//! Mapped to pages in `web::error` and to API replies in `accounts::api`.

use crate::db::DbError;
use crate::domain::FieldError;
use crate::mail::MailError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Not allowed by the rules, with the reason for the person.
    #[error("{0}")]
    Refused(String),
    #[error("Проверьте правильность заполнения полей")]
    Invalid(Vec<FieldError>),
    #[error("Недостаточно прав для этого действия")]
    Forbidden,
    #[error("Не найдено")]
    NotFound,
    #[error("Внутренняя ошибка сервера")]
    Internal(#[from] anyhow::Error),
}

impl From<DbError> for ServiceError {
    fn from(e: DbError) -> Self {
        ServiceError::Internal(e.into())
    }
}

impl From<MailError> for ServiceError {
    fn from(e: MailError) -> Self {
        ServiceError::Internal(e.into())
    }
}
