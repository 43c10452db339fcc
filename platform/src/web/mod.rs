//! The web kernel: the process state handlers reach, the middlewares every request passes
//! (host → region, request log, the body limit) or an expensive one does (the bound on
//! requests in flight per address), who is asking, the page layout, static assets, and the
//! one place where errors become responses. The routes themselves are in `routes`.

mod allowed;
pub mod assets;
mod body_limit;
mod cabinet;
mod error;
mod in_flight;
mod layout;
pub mod look;
pub mod page;
pub mod pager;
mod request_log;
mod site;
mod state;
mod upload;
mod visitor;

pub use allowed::AllowedMethods;
pub use body_limit::{upload_body, BodyLimit};
pub use cabinet::Cabinet;
pub use error::{ApiError, ErrorDetail, WebError};
pub use in_flight::{expensive, Expensive, InFlight};
pub use layout::{Layout, LayoutUser};
pub use pager::Pager;
pub use request_log::RequestLog;
pub use site::{accounts_tenant, region_of, Origin, Region, SiteResolver};
pub use state::{AppState, State};
pub use upload::{read_upload, Upload};
pub use visitor::Visitor;

/// The status of a form page: 422 when it comes back with field errors.
pub fn form_status<T>(errors: &[T]) -> poem::http::StatusCode {
    if errors.is_empty() {
        poem::http::StatusCode::OK
    } else {
        poem::http::StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// A numeric id from a path; anything else is a page that does not exist.
pub fn path_id(raw: &str) -> Result<i64, WebError> {
    raw.parse().map_err(|_| WebError::NotFound)
}
