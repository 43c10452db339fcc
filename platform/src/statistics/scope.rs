//! Who sees which statistics: the regional admin the whole region at `/admin/statistics`,
//! a municipal admin their municipality at `/municipal/statistics`; nobody else anything.

use crate::accounts::sessions::Viewer;
use crate::accounts::values::Role;
use crate::service_error::ServiceError;

/// The cabinet a dashboard is opened from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cabinet {
    Regional,
    Municipal,
}

impl Cabinet {
    pub fn base(self) -> &'static str {
        match self {
            Cabinet::Regional => "/admin/statistics",
            Cabinet::Municipal => "/municipal/statistics",
        }
    }

    pub fn home(self) -> &'static str {
        match self {
            Cabinet::Regional => "/admin",
            Cabinet::Municipal => "/municipal",
        }
    }
}

/// What the figures are limited to: the region, or one municipality of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub municipality: Option<String>,
}

impl Scope {
    /// The viewer's scope in `cabinet`, or `Forbidden`: a municipal admin has no regional
    /// statistics, a regional admin no municipal cabinet, and no other role either.
    pub fn of(viewer: &Viewer, cabinet: Cabinet) -> Result<Self, ServiceError> {
        match (cabinet, viewer.user.role) {
            (Cabinet::Regional, Role::Regional) => Ok(Self { municipality: None }),
            (Cabinet::Municipal, Role::Municipal) => viewer
                .user
                .admin_municipality()
                .map(|m| Self {
                    municipality: Some(m.to_owned()),
                })
                .ok_or(ServiceError::Forbidden),
            _ => Err(ServiceError::Forbidden),
        }
    }
}
