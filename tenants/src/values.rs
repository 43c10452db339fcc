//! Domain values with rules. Each can only be built by parsing, so an invalid one never
//! travels further than the edge that received it. Messages are Russian: they reach users.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::host::Host;

/// A URL-safe identifier: `smolensk`, `gagarinsky`. Lower-case latin, digits and inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok_chars = raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if raw.is_empty() || raw.len() > 40 {
            return Err("должен быть длиной от 1 до 40 символов".into());
        }
        if !ok_chars || raw.starts_with('-') || raw.ends_with('-') || raw.contains("--") {
            return Err(format!(
                "«{raw}»: допустимы только строчные латинские буквы, цифры и дефис между ними"
            ));
        }
        if !raw.as_bytes()[0].is_ascii_lowercase() {
            return Err(format!("«{raw}»: должен начинаться с латинской буквы"));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Slug {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(value: Slug) -> Self {
        value.0
    }
}

/// An e-mail address. The local part is kept as typed, the domain is lower-cased and may be
/// internationalized (`support@p67.навигатор.дети`); `ascii()` gives the form SMTP needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email {
    local: String,
    domain: Host,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("укажите адрес электронной почты".into());
        }
        if raw.len() > 254 {
            return Err("адрес электронной почты слишком длинный".into());
        }
        let invalid = || format!("«{raw}» не похож на адрес электронной почты");
        let (local, domain) = raw.rsplit_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        if !local_ok {
            return Err(invalid());
        }
        let domain = Host::parse(domain).map_err(|_| invalid())?;
        if !domain.as_ascii().contains('.') {
            return Err(invalid());
        }
        Ok(Self {
            local: local.to_owned(),
            domain,
        })
    }

    /// The address with a punycode domain, for SMTP envelopes.
    pub fn ascii(&self) -> String {
        format!("{}@{}", self.local, self.domain.as_ascii())
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.to_string()
    }
}

/// A Russian phone number, normalized to `+7XXXXXXXXXX`. Accepts the ways people write it:
/// `8 (4812) 38-00-00`, `+7 481 238 00 00`, `74812380000`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("укажите номер телефона".into());
        }
        let allowed = raw
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c));
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let national = match (digits.len(), digits.as_bytes().first()) {
            (11, Some(b'7' | b'8')) => &digits[1..],
            (10, Some(_)) if !raw.starts_with('+') => &digits[..],
            _ => "",
        };
        if !allowed || national.is_empty() || raw[1..].contains('+') {
            return Err(format!(
                "«{raw}»: укажите номер в формате +7 (XXX) XXX-XX-XX"
            ));
        }
        Ok(Self(format!("+7{national}")))
    }

    /// `+74812380000`.
    pub fn as_e164(&self) -> &str {
        &self.0
    }

    /// `+7 (481) 238-00-00`, the way the number is shown on pages.
    pub fn display(&self) -> String {
        let d = &self.0[2..];
        format!("+7 ({}) {}-{}-{}", &d[0..3], &d[3..6], &d[6..8], &d[8..10])
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl TryFrom<String> for Phone {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

/// A point on the map in decimal degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    pub fn new(lat: f64, lon: f64) -> Result<Self, String> {
        if !(-90.0..=90.0).contains(&lat) || lat.is_nan() {
            return Err(format!("широта {lat} вне диапазона −90…90"));
        }
        if !(-180.0..=180.0).contains(&lon) || lon.is_nan() {
            return Err(format!("долгота {lon} вне диапазона −180…180"));
        }
        Ok(Self { lat, lon })
    }
}

/// A CSS colour written as `#rrggbb`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Color(String);

impl Color {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let hex = raw.strip_prefix('#').unwrap_or("");
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("«{raw}»: укажите цвет в виде #rrggbb"));
        }
        Ok(Self(format!("#{}", hex.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Color {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Color> for String {
    fn from(value: Color) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_rules() {
        assert!(Slug::parse("smolensk").is_ok());
        assert!(Slug::parse("holm-zhirkovsky").is_ok());
        for bad in [
            "",
            "Smolensk",
            "-a",
            "a-",
            "a--b",
            "1abc",
            "смоленск",
            "a b",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn phone_is_normalized() {
        for raw in [
            "+7 (4812) 38-00-00",
            "8 4812 380000",
            "74812380000",
            "4812380000",
        ] {
            assert_eq!(
                Phone::parse(raw).unwrap().as_e164(),
                "+74812380000",
                "{raw}"
            );
        }
        assert_eq!(
            Phone::parse("84812380000").unwrap().display(),
            "+7 (481) 238-00-00"
        );
        for bad in [
            "",
            "12345",
            "+1 202 555 0100",
            "+7 (4812) 38-00-0x",
            "++74812380000",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn email_rules() {
        let e = Email::parse(" Mama@Example.RU ").unwrap();
        assert_eq!(e.to_string(), "Mama@example.ru");
        let idn = Email::parse("support@p67.навигатор.дети").unwrap();
        assert_eq!(idn.ascii(), "support@p67.xn--80aafey1amqq.xn--d1acj3b");
        for bad in [
            "",
            "a",
            "a@",
            "@b.ru",
            "a@b",
            "a..b@c.ru",
            "a b@c.ru",
            "a@b..ru",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn colors() {
        assert_eq!(Color::parse("#1D4F91").unwrap().as_str(), "#1d4f91");
        assert!(Color::parse("1d4f91").is_err());
        assert!(Color::parse("#12345").is_err());
    }
}
