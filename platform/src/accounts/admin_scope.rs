//! Whose data an administrator works with: the regional admin the whole region, a municipal
//! admin one municipality. Every admin page and export asks this once and passes it down to
//! the queries, so the rule lives in one place.

use crate::service_error::ServiceError;

use super::sessions::Viewer;
use super::values::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminScope {
    Region,
    Municipality(String),
}

impl AdminScope {
    /// The scope of `viewer` in the cabinet `role` works in (`/admin` for `Regional`,
    /// `/municipal` for `Municipal`); anyone else — another role, a municipal admin on an
    /// `/admin` path — is refused.
    pub fn of(viewer: &Viewer, role: Role) -> Result<Self, ServiceError> {
        match (viewer.user.role, role) {
            (Role::Regional, Role::Regional) => Ok(Self::Region),
            (Role::Municipal, Role::Municipal) => viewer
                .user
                .admin_municipality()
                .map(|m| Self::Municipality(m.to_owned()))
                .ok_or(ServiceError::Forbidden),
            _ => Err(ServiceError::Forbidden),
        }
    }

    /// The municipality the data is limited to, none for the whole region.
    pub fn municipality(&self) -> Option<&str> {
        match self {
            Self::Region => None,
            Self::Municipality(m) => Some(m),
        }
    }

    /// Whether data of `municipality` is within the scope.
    pub fn covers(&self, municipality: &str) -> bool {
        self.municipality().is_none_or(|m| m == municipality)
    }

    /// The cabinet's root path: `/admin` or `/municipal`.
    pub fn home(&self) -> &'static str {
        match self {
            Self::Region => "/admin",
            Self::Municipality(_) => "/municipal",
        }
    }

    /// How the scope is written in the audit log's detail of an export.
    pub fn describe(&self) -> String {
        match self {
            Self::Region => "регион".into(),
            Self::Municipality(m) => format!("муниципалитет {m}"),
        }
    }
}
