//! The administrators' two cabinets share their pages: `/admin/…` is the region's, opened by
//! the regional admin, and `/municipal/…` a municipality's, opened by its admin. One handler
//! serves both paths; this extractor reads which cabinet the path is in and whether the
//! visitor works there, so every admin page gets its scope by the one rule of
//! `accounts::AdminScope` (a municipal admin on an `/admin` path is refused, not narrowed).

use poem::{FromRequest, Request, RequestBody, Result};

use crate::accounts::values::Role;
use crate::accounts::AdminScope;

use super::error::WebError;
use super::visitor::Visitor;

/// The scope of the admin cabinet the request opened.
#[derive(Debug, Clone)]
pub struct Cabinet(pub AdminScope);

/// The role whose cabinet `path` is in.
fn role_of(path: &str) -> Role {
    if path == "/municipal" || path.starts_with("/municipal/") {
        Role::Municipal
    } else {
        Role::Regional
    }
}

impl<'a> FromRequest<'a> for Cabinet {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> Result<Self> {
        let visitor = Visitor::from_request(req, body).await?;
        let viewer = visitor.require()?;
        let scope = AdminScope::of(viewer, role_of(req.uri().path())).map_err(WebError::from)?;
        Ok(Self(scope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_names_the_cabinet() {
        assert_eq!(role_of("/municipal"), Role::Municipal);
        assert_eq!(role_of("/municipal/statistics/demand"), Role::Municipal);
        assert_eq!(role_of("/admin/statistics"), Role::Regional);
        assert_eq!(role_of("/municipality"), Role::Regional);
    }
}
