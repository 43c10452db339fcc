//! The web layer's errors and the one place where any error becomes a response: an HTML
//! page in Russian for the site, a JSON body for `/api`.

use poem::error::{MethodNotAllowedError, NotFoundError};
use poem::http::StatusCode;
use poem::web::Json;
use poem::{IntoResponse, Response};
use serde::Serialize;

use crate::regions::Site;
use crate::State;

use super::site::Origin;
use super::templates::Layout;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("Такого региона на платформе нет")]
    UnknownHost,
    #[error("Этот адрес работает только на сайте региона")]
    NotARegion,
    #[error("Страница не найдена")]
    NotFound,
    #[error("Внутренняя ошибка сервера")]
    Internal(#[from] anyhow::Error),
}

impl poem::error::ResponseError for WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::UnknownHost | WebError::NotARegion | WebError::NotFound => {
                StatusCode::NOT_FOUND
            }
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[derive(Serialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize)]
struct ErrorDetail {
    status: u16,
    code: &'static str,
    message: String,
}

/// Renders any error of a handler (ours, poem's routing, poem-openapi's parsing).
pub fn respond(
    state: &State,
    site: &Site,
    origin: &Origin,
    json: bool,
    err: poem::Error,
) -> Response {
    let status = err.status();
    let (code, message) = if let Some(e) = err.downcast_ref::<WebError>() {
        let code = match e {
            WebError::UnknownHost => "unknown_host",
            WebError::NotARegion => "not_a_region",
            WebError::NotFound => "not_found",
            WebError::Internal(_) => "internal",
        };
        (code, e.to_string())
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
        ("bad_request", err.to_string())
    };
    if status.is_server_error() {
        tracing::error!(error = %err, "handler failed");
    }
    if json {
        let body = ErrorBody {
            error: ErrorDetail {
                status: status.as_u16(),
                code,
                message,
            },
        };
        return Json(body).with_status(status).into_response();
    }
    let layout = Layout::new(site, origin);
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
        Ok(html) => poem::web::Html(html).with_status(status).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            (status, message).into_response()
        }
    }
}
