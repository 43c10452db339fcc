//! The one error of the capability cores: a refusal with its reason, invalid fields, a wrong
//! password, a stale link, too many attempts, no right, nothing there, or a failure.
//! Mapped to pages in `web::error` and to API replies in `api::reply`.

use std::time::Duration;

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
    #[error("Неверный адрес электронной почты или пароль")]
    BadCredentials,
    #[error("Ссылка недействительна: она устарела или уже использована. Запросите новое письмо.")]
    BadLink,
    #[error("Слишком много попыток. Повторите {}", .0.in_words())]
    TooMany(RetryAfter),
    #[error("Недостаточно прав для этого действия")]
    Forbidden,
    #[error("Не найдено")]
    NotFound,
    /// A store the request needs did not answer; nothing was changed.
    #[error("{}", .0.message())]
    Unavailable(Outage),
    #[error("Внутренняя ошибка сервера")]
    Internal(#[from] anyhow::Error),
}

impl From<DbError> for ServiceError {
    fn from(e: DbError) -> Self {
        if e.is_unavailable() {
            ServiceError::Unavailable(Outage::new(Store::Database, e))
        } else {
            ServiceError::Internal(e.into())
        }
    }
}

/// Which store did not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// Where sessions and the login counters live (Redis): nobody can log in or be
    /// recognized.
    Sessions,
    Database,
}

/// A store that did not answer, and why (for the log line of the request; the visitor
/// sees only the message).
#[derive(Debug)]
pub struct Outage {
    pub store: Store,
    pub cause: anyhow::Error,
}

impl Outage {
    pub fn new(store: Store, cause: impl Into<anyhow::Error>) -> Self {
        Self {
            store,
            cause: cause.into(),
        }
    }

    /// What the page says. A write under way when the database went is rolled back with
    /// its transaction, so the message may promise that nothing was saved.
    pub fn message(&self) -> &'static str {
        match self.store {
            Store::Sessions => "Вход временно недоступен, попробуйте через минуту",
            Store::Database => {
                "Сервис временно недоступен, попробуйте через минуту. \
                 Если вы отправляли форму, данные не сохранены: отправьте её ещё раз."
            }
        }
    }

    /// `Retry-After`: the minute the message speaks of.
    pub fn retry_after(&self) -> RetryAfter {
        RetryAfter(Duration::from_secs(60))
    }
}

/// A file store that failed is a failure of ours: the upload can be sent again.
impl From<crate::storage::StorageError> for ServiceError {
    fn from(e: crate::storage::StorageError) -> Self {
        ServiceError::Internal(e.into())
    }
}

impl From<MailError> for ServiceError {
    fn from(e: MailError) -> Self {
        match e {
            // The outbox row is written in the change's transaction: the database's outage.
            MailError::Db(e) => e.into(),
            other => ServiceError::Internal(other.into()),
        }
    }
}

/// The cores ask the cache strictly (`try_get`, `try_set`, `incr`) only for what lives
/// nowhere else: sessions and the login counters. Their store being away is that outage.
impl From<crate::cache::CacheError> for ServiceError {
    fn from(e: crate::cache::CacheError) -> Self {
        ServiceError::Unavailable(Outage::new(Store::Sessions, e))
    }
}

impl From<RetryAfter> for ServiceError {
    fn from(r: RetryAfter) -> Self {
        ServiceError::TooMany(r)
    }
}

impl ServiceError {
    /// One invalid field.
    pub fn field(field: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Invalid(vec![FieldError::new(field, message)])
    }
}

/// Over the limit: when the window ends.
#[derive(Debug, Clone, Copy)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds, rounded up (the `Retry-After` header).
    pub fn seconds(self) -> u64 {
        self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0)
    }

    /// «через 14 мин.», «через 40 с»: what the page says.
    pub fn in_words(self) -> String {
        let s = self.seconds();
        if s >= 60 {
            format!("через {} мин.", s.div_ceil(60))
        } else {
            format!("через {s} с")
        }
    }
}

/// Collects field errors while parsing a form, so every wrong field is reported at once.
#[derive(Default)]
pub struct FieldCheck(pub Vec<FieldError>);

impl FieldCheck {
    pub fn field<T>(&mut self, name: &'static str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.0.push(FieldError::new(name, message));
                None
            }
        }
    }

    pub fn done(self) -> Result<(), ServiceError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(self.0))
        }
    }
}
