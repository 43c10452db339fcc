//! The numbers that identify an organization in the state registers: ИНН (taxpayer number)
//! and ОГРН / ОГРНИП (registration number), each checked with its official check digits.
//! Built only by parsing; the message names what is wrong.

use std::fmt;

/// Digits of `raw` with spaces and hyphens between them dropped, or the message.
fn digits(raw: &str, what: &str) -> Result<Vec<u32>, String> {
    let kept: String = raw
        .trim()
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .collect();
    if kept.is_empty() {
        return Err(format!("укажите {what}"));
    }
    kept.chars()
        .map(|c| c.to_digit(10).filter(|_| c.is_ascii_digit()))
        .collect::<Option<Vec<u32>>>()
        .ok_or_else(|| format!("{what} состоит только из цифр"))
}

fn weighted(digits: &[u32], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11 % 10
}

/// ИНН: 10 digits for a legal entity, 12 for an individual entrepreneur (ИП).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inn(String);

impl Inn {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let d = digits(raw, "ИНН")?;
        let ok = match d.len() {
            10 => weighted(&d[..9], &[2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[9],
            12 => {
                weighted(&d[..10], &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[10]
                    && weighted(&d[..11], &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == d[11]
            }
            n => {
                return Err(format!(
                    "ИНН состоит из 10 цифр (организация) или 12 цифр (ИП), а здесь {n}"
                ))
            }
        };
        if !ok {
            return Err("ИНН указан с ошибкой: не сходится контрольная цифра".to_owned());
        }
        Ok(Self(
            d.iter()
                .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
                .collect(),
        ))
    }

    /// An individual entrepreneur's (12 digits).
    pub fn of_entrepreneur(&self) -> bool {
        self.0.len() == 12
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Inn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// ОГРН (13 digits, a legal entity) or ОГРНИП (15 digits, an individual entrepreneur).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ogrn(String);

impl Ogrn {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let d = digits(raw, "ОГРН")?;
        let text: String = d
            .iter()
            .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
            .collect();
        let (modulus, first) = match d.len() {
            13 => (11, "ОГРН организации начинается с 1 или 5"),
            15 => (13, "ОГРНИП начинается с 3"),
            n => {
                return Err(format!(
                    "ОГРН состоит из 13 цифр (организация) или ОГРНИП из 15 цифр (ИП), а здесь {n}"
                ))
            }
        };
        let starts_right = match d.len() {
            13 => d[0] == 1 || d[0] == 5,
            _ => d[0] == 3,
        };
        if !starts_right {
            return Err(first.to_owned());
        }
        // The number without its last digit fits in u64 (14 digits at most).
        let body: u64 = text[..text.len() - 1]
            .parse()
            .map_err(|_| first.to_owned())?;
        if (body % modulus % 10) as u32 != d[d.len() - 1] {
            let what = if d.len() == 13 {
                "ОГРН"
            } else {
                "ОГРНИП"
            };
            return Err(format!(
                "{what} указан с ошибкой: не сходится контрольная цифра"
            ));
        }
        Ok(Self(text))
    }

    /// An individual entrepreneur's ОГРНИП (15 digits).
    pub fn of_entrepreneur(&self) -> bool {
        self.0.len() == 15
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Ogrn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every single-digit change of `valid` that `parse` must refuse.
    fn typos(valid: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (i, c) in valid.char_indices() {
            let d = c.to_digit(10).unwrap();
            for other in 0..10 {
                if other != d {
                    let mut s = valid.to_owned();
                    s.replace_range(i..i + 1, &other.to_string());
                    out.push(s);
                }
            }
        }
        out
    }

    #[test]
    fn inn_of_organizations_and_entrepreneurs() {
        // ПАО Сбербанк; an ИП's 12-digit number.
        assert_eq!(Inn::parse("7707083893").unwrap().as_str(), "7707083893");
        assert!(!Inn::parse("7707083893").unwrap().of_entrepreneur());
        assert!(Inn::parse("500100732259").unwrap().of_entrepreneur());
        assert_eq!(Inn::parse(" 7707 083-893 ").unwrap().as_str(), "7707083893");
        // The last digit (the check digit) mistyped: always caught.
        for bad in ["7707083890", "7707083894", "500100732250", "500100732258"] {
            let e = Inn::parse(bad).unwrap_err();
            assert!(e.contains("контрольная цифра"), "{bad}: {e}");
        }
        // Any one digit mistyped in a 12-digit number is caught by its two check digits;
        // in a 10-digit number most are (weights 10 and mod 11 let a few through).
        let caught = typos("7707083893")
            .iter()
            .filter(|t| Inn::parse(t).is_err())
            .count();
        assert!(caught >= 72, "{caught} of 90");
        for t in typos("500100732259") {
            assert!(Inn::parse(&t).is_err(), "{t}");
        }
        assert!(Inn::parse("").unwrap_err().contains("укажите ИНН"));
        assert!(Inn::parse("77070838931")
            .unwrap_err()
            .contains("а здесь 11"));
        assert!(Inn::parse("77070838a3")
            .unwrap_err()
            .contains("только из цифр"));
    }

    #[test]
    fn ogrn_and_ogrnip() {
        // ПАО Сбербанк; an ИП's ОГРНИП.
        assert_eq!(
            Ogrn::parse("1027700132195").unwrap().as_str(),
            "1027700132195"
        );
        assert!(Ogrn::parse("304500116000157").unwrap().of_entrepreneur());
        // mod 11 (mod 13) then mod 10 folds 10 (10, 11, 12) onto 0 (0, 1, 2), so a few
        // typos of the body pass; a typo of the check digit never does.
        for valid in ["1027700132195", "304500116000157"] {
            let all = typos(valid);
            let caught = all.iter().filter(|t| Ogrn::parse(t).is_err()).count();
            assert!(
                caught * 10 >= all.len() * 8,
                "{valid}: {caught} of {}",
                all.len()
            );
            for t in &all[all.len() - 9..] {
                assert!(Ogrn::parse(t).is_err(), "{t}");
            }
        }
        assert!(Ogrn::parse("1027700132194")
            .unwrap_err()
            .contains("ОГРН указан с ошибкой"));
        assert!(Ogrn::parse("304500116000150")
            .unwrap_err()
            .contains("ОГРНИП указан с ошибкой"));
        assert!(Ogrn::parse("2027700132195")
            .unwrap_err()
            .contains("начинается с 1 или 5"));
        assert!(Ogrn::parse("12345").unwrap_err().contains("а здесь 5"));
    }
}
