//! Certificate numbers: 10 digits — the 2-digit region code, a 7-digit per-region sequence,
//! and a Damm check digit. Damm's quasigroup catches every single-digit typo and every swap
//! of neighbouring digits, which a parent reading the number over the phone makes most.

use std::fmt;

/// The Damm operation table (a totally anti-symmetric quasigroup of order 10).
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

fn damm(digits: &str) -> u8 {
    digits.bytes().fold(0u8, |interim, d| {
        DAMM[interim as usize][(d - b'0') as usize]
    })
}

/// The largest sequence that fits the 7 digits between region code and check digit.
pub const MAX_SEQUENCE: i64 = 9_999_999;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CertificateNumber(String);

impl CertificateNumber {
    /// The number for the `sequence`-th certificate of region `code`.
    pub fn new(code: u8, sequence: i64) -> Option<Self> {
        if !(1..=MAX_SEQUENCE).contains(&sequence) || code > 99 {
            return None;
        }
        let body = format!("{code:02}{sequence:07}");
        let check = damm(&body);
        Some(Self(format!("{body}{check}")))
    }

    /// A number as typed: spaces and dashes are ignored; the check digit must match.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let digits: String = raw.chars().filter(|c| !" -".contains(*c)).collect();
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("номер сертификата — 10 цифр".into());
        }
        if damm(&digits) != 0 {
            return Err("в номере сертификата опечатка: контрольная цифра не сходится".into());
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CertificateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_carry_the_region_and_check() {
        let n = CertificateNumber::new(67, 1).unwrap();
        assert_eq!(n.as_str().len(), 10);
        assert!(n.as_str().starts_with("670000001"));
        assert_eq!(CertificateNumber::parse(n.as_str()).unwrap(), n);
        assert!(CertificateNumber::new(67, 0).is_none());
        assert!(CertificateNumber::new(67, MAX_SEQUENCE + 1).is_none());
    }

    #[test]
    fn every_single_typo_and_neighbour_swap_is_caught() {
        for seq in (1..MAX_SEQUENCE).step_by(99_991).chain([1, 2, 12, 1234567]) {
            let n = CertificateNumber::new(24, seq).unwrap();
            let d: Vec<u8> = n.as_str().bytes().collect();
            for i in 0..10 {
                for c in b'0'..=b'9' {
                    if c != d[i] {
                        let mut t = d.clone();
                        t[i] = c;
                        assert!(CertificateNumber::parse(std::str::from_utf8(&t).unwrap()).is_err());
                    }
                }
                if i < 9 && d[i] != d[i + 1] {
                    let mut t = d.clone();
                    t.swap(i, i + 1);
                    assert!(CertificateNumber::parse(std::str::from_utf8(&t).unwrap()).is_err());
                }
            }
        }
    }
}
