//! Domain values with rules, each built only by parsing. The ones a region's config uses
//! live in the `tenants` crate and are re-exported here, so there is one `Email`.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use tenants::{Color, Email, Host, LatLon, Phone, Slug};

/// An amount of money in kopecks. Never a float.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_kopecks(kopecks: i64) -> Self {
        Self(kopecks)
    }

    pub fn from_rub(rub: i64) -> Self {
        Self(rub * 100)
    }

    pub fn kopecks(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Money {
    /// `1 500 ₽`, `1 500,50 ₽`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rub = group_thousands(self.0 / 100);
        match (self.0 % 100).abs() {
            0 => write!(f, "{rub}\u{a0}₽"),
            kop => write!(f, "{rub},{kop:02}\u{a0}₽"),
        }
    }
}

/// An age range in whole years, both ends included: 5–18.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeRange {
    min: u8,
    max: u8,
}

/// Ages the catalog knows: supplementary education is for children of 3 to 18.
pub const MIN_AGE: u8 = 3;
pub const MAX_AGE: u8 = 18;

impl AgeRange {
    pub fn new(min: u8, max: u8) -> Result<Self, String> {
        if !(MIN_AGE..=MAX_AGE).contains(&min) || !(MIN_AGE..=MAX_AGE).contains(&max) {
            return Err(format!("возраст должен быть от {MIN_AGE} до {MAX_AGE} лет"));
        }
        if min > max {
            return Err(format!("возраст «от» ({min}) больше возраста «до» ({max})"));
        }
        Ok(Self { min, max })
    }

    pub fn min(self) -> u8 {
        self.min
    }

    pub fn max(self) -> u8 {
        self.max
    }

    pub fn contains(self, age: u8) -> bool {
        (self.min..=self.max).contains(&age)
    }
}

impl fmt::Display for AgeRange {
    /// `5–9 лет`, `7–11 лет`, `10–14 лет`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}–{} {}",
            self.min,
            self.max,
            years_word(self.max.into())
        )
    }
}

/// The Russian plural of a count: `plural(n, "программа", "программы", "программ")`.
pub fn plural<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    match (n % 10, n % 100) {
        (_, 11..=14) => many,
        (1, _) => one,
        (2..=4, _) => few,
        _ => many,
    }
}

/// «год», «года», «лет» for a number of years.
pub fn years_word(n: u64) -> &'static str {
    plural(n, "год", "года", "лет")
}

/// `132000` → `132 000` (a no-break space between groups, as Russian typography has it).
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(d);
    }
    if n < 0 {
        out.insert(0, '−');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_digits() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(5000), "5\u{a0}000");
        assert_eq!(group_thousands(-1234567), "−1\u{a0}234\u{a0}567");
    }

    #[test]
    fn money_displays_in_roubles() {
        assert_eq!(Money::from_rub(1500).to_string(), "1\u{a0}500\u{a0}₽");
        assert_eq!(
            Money::from_kopecks(150_050).to_string(),
            "1\u{a0}500,50\u{a0}₽"
        );
        assert_eq!(Money::ZERO.to_string(), "0\u{a0}₽");
    }

    #[test]
    fn ages() {
        assert_eq!(AgeRange::new(5, 9).unwrap().to_string(), "5–9 лет");
        assert_eq!(AgeRange::new(7, 11).unwrap().to_string(), "7–11 лет");
        assert!(AgeRange::new(9, 5).is_err());
        assert!(AgeRange::new(2, 5).is_err());
        assert!(AgeRange::new(5, 19).is_err());
    }

    #[test]
    fn russian_plurals() {
        let p = |n| plural(n, "программа", "программы", "программ");
        assert_eq!(
            [p(1), p(2), p(5), p(11), p(21), p(104), p(112)],
            [
                "программа",
                "программы",
                "программ",
                "программ",
                "программа",
                "программы",
                "программ"
            ]
        );
    }
}

/// Free text from a person (a comment, a reason): at most `max` characters, no control
/// characters but line breaks (PostgreSQL refuses NUL; the rest only breaks pages and mail).
pub fn plain_text(raw: &str, max: usize) -> Result<&str, String> {
    if raw
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("текст содержит недопустимые символы".into());
    }
    if raw.chars().count() > max {
        return Err(format!("не больше {max} символов"));
    }
    Ok(raw)
}

/// What is wrong with one field of a form or request, named as the form names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// The version of a thing as the API hands it out (`ETag`, `If-Match`): a digest of every
/// field, so it changes whenever anything does, whoever wrote it (staff, a moderator, an
/// enrollment), with no counter to keep in step on every write. A release that changes the
/// fields changes the versions once; a client holding an old one is told to read again.
pub fn version_of(value: &impl fmt::Debug) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{value:?}"));
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}
