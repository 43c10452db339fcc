//! Who sees which statistics: the regional admin the whole region at `/admin/statistics`,
//! a municipal admin their municipality at `/municipal/statistics`; nobody else anything.
//! The scope itself is `accounts::AdminScope`, the one rule of every admin page.

use crate::accounts::values::Role;

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

    /// The role whose cabinet it is (`accounts::AdminScope::of` checks the viewer has it).
    pub fn role(self) -> Role {
        match self {
            Cabinet::Regional => Role::Regional,
            Cabinet::Municipal => Role::Municipal,
        }
    }

    pub fn home(self) -> &'static str {
        match self {
            Cabinet::Regional => "/admin",
            Cabinet::Municipal => "/municipal",
        }
    }
}
