use crate::error::codes;
use crate::DomainError;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::fmt;

/// A person's name as it appears on their ID: 1 to 50 characters, no control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    /// Checks and trims a name.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let name = text.trim();
        if name.is_empty() {
            return Err(DomainError::new("name", codes::EMPTY));
        }
        if name.chars().count() > 50 {
            return Err(DomainError::new("name", codes::TOO_LONG).with("max", 50));
        }
        if name.chars().any(char::is_control) {
            return Err(DomainError::new("name", codes::CONTROL_CHARACTERS));
        }
        Ok(PersonName(name.to_owned()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A resident identity card number (GB 11643-1999): 17 digits and a check
/// character, the birth date inside it.
#[derive(Clone, PartialEq, Eq)]
pub struct NationalId(String);

/// Weights of the GB 11643 checksum, one per leading digit.
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check characters indexed by the weighted sum modulo 11.
const ID_CHECKS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

impl NationalId {
    /// Checks length, digits, the embedded birth date and the check character.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let id = text.trim().to_ascii_uppercase();
        let bytes = id.as_bytes();
        if bytes.len() != 18 {
            return Err(DomainError::new("national_id", codes::NATIONAL_ID_FORM));
        }
        if !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err(DomainError::new("national_id", codes::NATIONAL_ID_FORM));
        }
        if NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").is_err() {
            return Err(DomainError::new("national_id", codes::NATIONAL_ID_BIRTH_DATE));
        }
        if bytes[17] as char != Self::check_char(&id[..17]) {
            return Err(DomainError::new("national_id", codes::NATIONAL_ID_CHECK));
        }
        Ok(NationalId(id))
    }

    /// The check character for 17 leading digits (the caller ensures digits).
    pub fn check_char(first17: &str) -> char {
        let sum: u32 = first17.bytes().zip(ID_WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
        ID_CHECKS[(sum % 11) as usize]
    }

    /// The birth date the number carries.
    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("checked in parse")
    }

    /// The full number. Callers that show it to a person must mask it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The form shown by default: the province and nothing more (see [`mask_national_id`]).
    pub fn masked(&self) -> String {
        mask_national_id(&self.0)
    }
}

impl fmt::Debug for NationalId {
    // Debug output ends up in logs; it must never carry the full number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NationalId({})", self.masked())
    }
}

/// A mainland mobile number: 11 digits starting with 1.
#[derive(Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Checks an 11-digit mobile number; a leading +86 or 86 is dropped.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let t = text.trim();
        let t = t.strip_prefix("+86").or_else(|| t.strip_prefix("86").filter(|r| r.len() == 11)).unwrap_or(t);
        let b = t.as_bytes();
        if b.len() != 11 || !b.iter().all(u8::is_ascii_digit) || b[0] != b'1' || b[1] < b'3' {
            return Err(DomainError::new("phone", codes::PHONE_FORM));
        }
        Ok(Phone(t.to_owned()))
    }

    /// The full number. Callers that show it to a person must mask it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The form shown by default: 138****5678.
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

/// Masks a national ID as `11****************`: the province (two digits)
/// and nothing else, whatever the value's validity. Every other digit would
/// narrow the number: the county code (four more digits) to a few districts,
/// the tail to its sequence and check character, and the eight in the middle
/// are the birth date. What a page shows beside it (gender, the year's age,
/// birthdays by month) then still leaves over 10,000 numbers.
///
/// Masking a masked value again gives the same text, so a copy stored under
/// an older, wider mask is narrowed when read.
pub fn mask_national_id(id: &str) -> String {
    keep_ends(id, 2, 0)
}

/// Masks a phone number as 138****5678, whatever its validity.
pub fn mask_phone(phone: &str) -> String {
    keep_ends(phone, 3, 4)
}

/// Masks a name as 张** (the first character kept), for a name shown to
/// someone other than its owner and their advisor (a friend they referred).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| std::iter::once(first).chain(chars.map(|_| '*')).collect())
}

/// A person's age in the year of `today`, as 今年…岁 counts it: the year
/// minus the birth year. It changes on 1 January, not on the birthday, so
/// watching it day by day does not give the birthday away.
pub fn age_in_year(birth_year: i32, today: NaiveDate) -> i32 {
    today.year() - birth_year
}

fn keep_ends(text: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    chars.iter().enumerate().map(|(i, c)| if i < head || i >= chars.len() - tail { *c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_id_checks_its_check_character() {
        // A valid number built from GB 11643's rules.
        let first = "11010519491231002";
        let id = format!("{first}{}", NationalId::check_char(first));
        let parsed = NationalId::parse(&id).unwrap();
        assert_eq!(parsed.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(parsed.masked(), "11****************");
        let wrong = format!("{first}{}", if id.ends_with('0') { '1' } else { '0' });
        assert!(NationalId::parse(&wrong).is_err());
        assert!(NationalId::parse("11010519491331002X").is_err(), "month 13");
    }

    #[test]
    fn the_mask_keeps_the_province_only_and_narrows_older_masks() {
        assert_eq!(mask_national_id("61011319810326508X"), "61****************");
        assert_eq!(mask_national_id("610113********5085"), "61****************", "an older, wider mask");
        assert_eq!(mask_national_id(&mask_national_id("61011319810326508X")), "61****************");
        assert_eq!(mask_national_id("6"), "*", "too short to keep anything");
    }

    #[test]
    fn the_years_age_changes_on_new_year_not_on_the_birthday() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(age_in_year(1981, day("2026-01-01")), 45);
        assert_eq!(age_in_year(1981, day("2026-12-31")), 45);
        assert_eq!(age_in_year(1981, day("2027-01-01")), 46);
    }

    #[test]
    fn debug_never_shows_the_full_number() {
        let phone = Phone::parse("13812345678").unwrap();
        assert_eq!(phone.masked(), "138****5678");
        assert!(!format!("{phone:?}").contains("12345678"));
        assert_eq!(Phone::parse("+8613812345678").unwrap().expose(), "13812345678");
        assert!(Phone::parse("12812345678").is_err());
        assert!(Phone::parse("1381234567").is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::parse(" 王小明 ").unwrap().as_str(), "王小明");
        assert!(PersonName::parse("  ").is_err());
        assert!(PersonName::parse(&"名".repeat(51)).is_err());
    }
}
