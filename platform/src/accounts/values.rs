//! The values an account is made of, each built only by parsing: a message in Russian
//! names what is wrong, and the form shows it next to the field.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::Phone;

/// Who an account is. Every role but the operator belongs to one region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A parent, or a child of 14+ registered alone.
    Parent,
    /// Staff of one organization.
    Provider,
    /// Administrator of one municipality.
    Municipal,
    /// Administrator of the region.
    Regional,
    /// Runs the platform: every region, on the base domain only.
    Operator,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Parent,
        Role::Provider,
        Role::Municipal,
        Role::Regional,
        Role::Operator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Parent => "parent",
            Role::Provider => "provider",
            Role::Municipal => "municipal",
            Role::Regional => "regional",
            Role::Operator => "operator",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| {
                format!("роль «{raw}» неизвестна; допустимы: parent, provider, municipal, regional, operator")
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Parent => "Родитель",
            Role::Provider => "Сотрудник организации",
            Role::Municipal => "Муниципальный администратор",
            Role::Regional => "Региональный администратор",
            Role::Operator => "Оператор платформы",
        }
    }

    /// The cabinet this role works in.
    pub fn home(self) -> &'static str {
        match self {
            Role::Parent => "/cabinet",
            Role::Provider => "/provider",
            Role::Municipal => "/municipal",
            Role::Regional => "/admin",
            Role::Operator => "/operator",
        }
    }
}

/// How an organization's staff member hears of new applications, as each chooses in the
/// profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ApplicationMail {
    /// A mail for each new application (the default).
    Each,
    /// One digest an hour with every application filed in it.
    Hourly,
    /// No mail: the staff member looks in the cabinet.
    Off,
}

impl ApplicationMail {
    pub const ALL: [ApplicationMail; 3] = [
        ApplicationMail::Each,
        ApplicationMail::Hourly,
        ApplicationMail::Off,
    ];

    /// As stored and posted.
    pub fn code(self) -> &'static str {
        match self {
            ApplicationMail::Each => "each",
            ApplicationMail::Hourly => "hourly",
            ApplicationMail::Off => "off",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|m| m.code() == raw.trim())
            .ok_or_else(|| "выберите, как сообщать о новых заявках".to_owned())
    }

    /// As stored; a code this build does not know is taken as the default.
    pub fn stored(code: &str) -> Self {
        Self::parse(code).unwrap_or(ApplicationMail::Each)
    }

    pub fn label(self) -> &'static str {
        match self {
            ApplicationMail::Each => "Письмо о каждой новой заявке",
            ApplicationMail::Hourly => "Одно письмо в час со всеми новыми заявками",
            ApplicationMail::Off => "Не присылать: я смотрю заявки в кабинете",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A password as typed, checked against the rules; never stored, only hashed.
pub struct Password(String);

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// The 20 000 most common passwords (Django's list, after Royce Williams), those of 8+
/// characters, plus common Russian ones: refusing them stops most guessing.
static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| COMMON_PASSWORDS.lines().map(str::trim).collect());

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if chars == 0 {
            return Err("придумайте пароль".into());
        }
        if chars < Self::MIN {
            return Err(format!(
                "пароль слишком короткий: нужно не меньше {} символов",
                Self::MIN
            ));
        }
        if chars > Self::MAX {
            return Err(format!(
                "пароль слишком длинный: не больше {} символов",
                Self::MAX
            ));
        }
        if raw.chars().any(char::is_control) {
            return Err("пароль содержит недопустимые символы".into());
        }
        if COMMON.contains(raw.to_lowercase().as_str()) {
            return Err(
                "этот пароль слишком распространён, его легко подобрать; придумайте другой".into(),
            );
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A surname, given name or patronymic: letters (Cyrillic or Latin), spaces, hyphens and
/// apostrophes, at most 60 characters. Leading and inner runs of spaces are tidied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str, what: &str) -> Result<Self, String> {
        let tidy = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if tidy.is_empty() {
            return Err(format!("укажите {what}"));
        }
        if tidy.chars().count() > 60 {
            return Err(format!("{what}: не больше 60 символов"));
        }
        let ok = tidy
            .chars()
            .all(|c| c.is_alphabetic() || " -'’.".contains(c))
            && tidy.chars().next().is_some_and(char::is_alphabetic);
        if !ok {
            return Err(format!("{what}: только буквы, пробел и дефис"));
        }
        Ok(Self(tidy))
    }

    /// An optional name: empty input is `None`.
    pub fn parse_optional(raw: &str, what: &str) -> Result<Option<Self>, String> {
        if raw.trim().is_empty() {
            Ok(None)
        } else {
            Self::parse(raw, what).map(Some)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mobile number: a `Phone` whose national part starts with 9.
pub fn parse_mobile(raw: &str) -> Result<Phone, String> {
    let phone = Phone::parse(raw)?;
    if !phone.as_e164().starts_with("+79") {
        return Err("укажите номер мобильного телефона: +7 (9XX) XXX-XX-XX".into());
    }
    Ok(phone)
}

/// A date of birth: `ДД.ММ.ГГГГ` (as people type it) or `ГГГГ-ММ-ДД` (as date inputs send
/// it), not in the future, not before 1900.
pub fn parse_birth_date(raw: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("укажите дату рождения".into());
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d.%m.%Y"))
        .map_err(|_| format!("«{raw}»: укажите дату в формате ДД.ММ.ГГГГ"))?;
    if date > today {
        return Err("дата рождения не может быть в будущем".into());
    }
    if date.year() < 1900 {
        return Err("проверьте год рождения".into());
    }
    Ok(date)
}

/// Full years between `born` and `today`.
pub fn age_on(born: NaiveDate, today: NaiveDate) -> u32 {
    let mut years = today.year() - born.year();
    if (today.month(), today.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "male" | "м" | "М" => Ok(Sex::Male),
            "female" | "ж" | "Ж" => Ok(Sex::Female),
            "" => Err("укажите пол".into()),
            other => Err(format!("пол «{other}» не распознан")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "мужской",
            Sex::Female => "женский",
        }
    }
}

/// СНИЛС: 11 digits, the last two a checksum of the first nine (as the Pension Fund
/// defines it). Stored as digits, shown as `123-456-789 64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snils(String);

impl Snils {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let allowed = raw.chars().all(|c| c.is_ascii_digit() || " -".contains(c));
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        if !allowed || digits.len() != 11 {
            return Err("СНИЛС: 11 цифр в формате XXX-XXX-XXX YY".into());
        }
        let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        let sum: u32 = d[..9]
            .iter()
            .zip((1..=9).rev())
            .map(|(digit, weight)| digit * weight)
            .sum();
        let expected = match sum {
            0..=99 => sum,
            100 | 101 => 0,
            _ => match sum % 101 {
                100 => 0,
                r => r,
            },
        };
        if expected != d[9] * 10 + d[10] {
            return Err("СНИЛС: контрольное число не сходится, проверьте номер".into());
        }
        Ok(Self(digits))
    }

    pub fn parse_optional(raw: &str) -> Result<Option<Self>, String> {
        if raw.trim().is_empty() {
            Ok(None)
        } else {
            Self::parse(raw).map(Some)
        }
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    pub fn display(&self) -> String {
        let d = &self.0;
        format!("{}-{}-{} {}", &d[0..3], &d[3..6], &d[6..9], &d[9..11])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snils_checksum() {
        assert_eq!(
            Snils::parse("112-233-445 95").unwrap().digits(),
            "11223344595"
        );
        assert!(Snils::parse("112-233-445 96").is_err());
        assert!(Snils::parse("1122334459").is_err());
        assert_eq!(
            Snils::parse("11223344595").unwrap().display(),
            "112-233-445 95"
        );
    }

    #[test]
    fn passwords() {
        assert!(Password::parse("короткий").is_ok());
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse("password1").is_err());
        assert!(Password::parse("Qwertyuiop").is_err());
        assert!(Password::parse("йцукенгш").is_err());
        assert!(Password::parse(&"a".repeat(129)).is_err());
        assert!(Password::parse("Смоленск-лето-2026").is_ok());
    }

    #[test]
    fn ages() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(age_on(d("2012-05-10"), d("2026-05-09")), 13);
        assert_eq!(age_on(d("2012-05-10"), d("2026-05-10")), 14);
        assert!(parse_birth_date("31.02.2010", d("2026-01-01")).is_err());
        assert_eq!(
            parse_birth_date("10.05.2012", d("2026-01-01")).unwrap(),
            d("2012-05-10")
        );
    }

    #[test]
    fn names_and_phones() {
        assert_eq!(
            PersonName::parse("  Салтыков-Щедрин ", "фамилию")
                .unwrap()
                .as_str(),
            "Салтыков-Щедрин"
        );
        assert!(PersonName::parse("Иван1", "имя").is_err());
        assert!(parse_mobile("8 (912) 345-67-89").is_ok());
        assert!(parse_mobile("8 (4812) 38-00-00").is_err());
    }
}
