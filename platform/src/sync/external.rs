//! An organization's own id of a program or a group.

use crate::domain::FieldError;

/// The organization's id of a program or group (1С's code, its CRM's key, a GUID): 1–100
/// characters, no control characters, no spaces around it, no `/` (it is a path segment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalId(String);

impl ExternalId {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let bad = |m: &str| Err(FieldError::new("external_id", m));
        if raw.is_empty() {
            return bad("укажите идентификатор из вашей системы");
        }
        if raw.chars().count() > 100 {
            return bad("идентификатор длиннее 100 символов");
        }
        if raw.trim() != raw {
            return bad("идентификатор не должен начинаться или кончаться пробелом");
        }
        if raw.chars().any(|c| c.is_control() || c == '/') {
            return bad("в идентификаторе не может быть управляющих символов и «/»");
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What an external id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Program,
    Group,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Program => "program",
            Self::Group => "group",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_other_systems_are_taken_and_bad_ones_named() {
        for ok in [
            "ПР-000123",
            "6f1c0e3a-9b1d-4c57-8f7e-2d0b8a1c9e44",
            "a b",
            "1",
        ] {
            assert_eq!(ExternalId::parse(ok).unwrap().as_str(), ok);
        }
        for bad in ["", " x", "x ", "a/b", "a\u{0}b", &"я".repeat(101)] {
            let e = ExternalId::parse(bad).unwrap_err();
            assert_eq!(e.field, "external_id", "{bad:?}");
        }
    }
}
