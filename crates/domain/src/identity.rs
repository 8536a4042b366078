//! Identity numbers with their national checksums, and masking of personal data.
//!
//! `CreditCode` (GB 32100 统一社会信用代码) and `IdCardNumber` (GB 11643 公民身份号码)
//! can only be built through `parse`, so holding one means its checksum is right.

use serde::{Serialize, Serializer};
use std::fmt;

/// The characters of a unified social credit code, each valued by its index.
const CREDIT_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// Why an identity number was refused; the web layer turns it into a Chinese message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("length must be 18")]
    Length,
    #[error("contains a character that is not allowed")]
    Character,
    #[error("the birth date is not a real date")]
    BirthDate,
    #[error("the check character does not match")]
    Checksum,
}

impl IdentityError {
    /// A Chinese explanation, naming what is wrong.
    pub fn message(self, label: &str) -> String {
        match self {
            Self::Length => format!("{label}应为18位"),
            Self::Character => format!("{label}含有不允许的字符"),
            Self::BirthDate => format!("{label}中的出生日期无效"),
            Self::Checksum => format!("{label}校验位不正确"),
        }
    }
}

/// A unified social credit code (统一社会信用代码) whose GB 32100 check character is right.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String);

impl CreditCode {
    /// Parses a code; lower-case letters are accepted and upper-cased.
    pub fn parse(raw: &str) -> Result<Self, IdentityError> {
        let code = raw.trim().to_ascii_uppercase();
        if code.chars().count() != 18 {
            return Err(IdentityError::Length);
        }
        let bytes = code.as_bytes();
        let mut sum = 0u32;
        for (i, b) in bytes[..17].iter().enumerate() {
            let v = credit_value(*b).ok_or(IdentityError::Character)?;
            sum += v * CREDIT_WEIGHTS[i];
        }
        let check = credit_value(bytes[17]).ok_or(IdentityError::Character)?;
        if check != credit_check_value(sum) {
            return Err(IdentityError::Checksum);
        }
        Ok(Self(code))
    }

    /// Completes the first 17 characters with their check character.
    /// Used to make demo and test codes; returns `None` on a bad character.
    pub fn complete(first17: &str) -> Option<Self> {
        let bytes = first17.as_bytes();
        if bytes.len() != 17 {
            return None;
        }
        let mut sum = 0u32;
        for (i, b) in bytes.iter().enumerate() {
            sum += credit_value(*b)? * CREDIT_WEIGHTS[i];
        }
        let check = CREDIT_ALPHABET[credit_check_value(sum) as usize] as char;
        Some(Self(format!("{first17}{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn credit_value(b: u8) -> Option<u32> {
    CREDIT_ALPHABET
        .iter()
        .position(|c| *c == b)
        .map(|p| p as u32)
}

fn credit_check_value(sum: u32) -> u32 {
    let c = 31 - sum % 31;
    if c == 31 { 0 } else { c }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for CreditCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// A resident identity card number (公民身份号码) valid per GB 11643.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdCardNumber(String);

impl IdCardNumber {
    pub fn parse(raw: &str) -> Result<Self, IdentityError> {
        let id = raw.trim().to_ascii_uppercase();
        if id.chars().count() != 18 {
            return Err(IdentityError::Length);
        }
        let bytes = id.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err(IdentityError::Character);
        }
        if !(bytes[17].is_ascii_digit() || bytes[17] == b'X') {
            return Err(IdentityError::Character);
        }
        let birth = &id[6..14];
        if chrono::NaiveDate::parse_from_str(birth, "%Y%m%d").is_err() {
            return Err(IdentityError::BirthDate);
        }
        let sum: u32 = bytes[..17]
            .iter()
            .zip(ID_WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        if ID_CHECK[(sum % 11) as usize] != bytes[17] {
            return Err(IdentityError::Checksum);
        }
        Ok(Self(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Completes 17 digits with their check character. Used to make demo
    /// and test numbers; `None` when they are not digits or not a date.
    pub fn complete(first17: &str) -> Option<Self> {
        let bytes = first17.as_bytes();
        if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let sum: u32 = bytes
            .iter()
            .zip(ID_WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        let check = ID_CHECK[(sum % 11) as usize] as char;
        Self::parse(&format!("{first17}{check}")).ok()
    }

    /// The birth date encoded in positions 7–14.
    pub fn birth_date(&self) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("checked in parse")
    }

    /// Odd sequence digit means male.
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }

    /// `110101********4514`: safe for lists and logs.
    pub fn masked(&self) -> String {
        mask_middle(&self.0, 6, 4)
    }
}

/// Debug never shows the whole number, so a stray `{:?}` cannot leak it into a log.
impl fmt::Debug for IdCardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdCardNumber({})", self.masked())
    }
}

/// Keeps `head` leading and `tail` trailing characters and stars the rest.
pub fn mask_middle(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// Masks a mobile or fixed phone number: `138****5678`, `0471****8617`.
pub fn mask_phone(phone: &str) -> String {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if digits >= 11 {
        mask_middle(phone.trim(), 3, 4)
    } else {
        mask_middle(phone.trim(), 2.min(phone.len() / 3), 2)
    }
}

/// A Chinese name shown to the public: the family name and stars (`张**`).
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        n => {
            let mut s = chars[0].to_string();
            s.push_str(&"*".repeat(n - 1));
            s
        }
    }
}

/// Checks a service phone number as printed in guides: digits, `-`, spaces and
/// parentheses, 3 to 20 characters ("12345", "0471-6218617", "(0471) 6218617").
pub fn is_service_phone(raw: &str) -> bool {
    let t = raw.trim();
    let len = t.chars().count();
    (3..=20).contains(&len)
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')' | '（' | '）' | '转'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn domain_examples_of_id_numbers_are_valid() {
        for id in ["11010519491231002X", "110101199003074514"] {
            assert!(IdCardNumber::parse(id).is_ok(), "{id}");
        }
        let id = IdCardNumber::parse("11010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(
            id.birth_date(),
            chrono::NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert!(!id.is_male());
        assert!(IdCardNumber::parse("110101199003074514").unwrap().is_male());
    }

    #[test]
    fn bad_id_numbers_say_why() {
        assert_eq!(
            IdCardNumber::parse("110101199003074515"),
            Err(IdentityError::Checksum)
        );
        assert_eq!(
            IdCardNumber::parse("11010119900307451"),
            Err(IdentityError::Length)
        );
        assert_eq!(
            IdCardNumber::parse("11010119900230451X"),
            Err(IdentityError::BirthDate)
        );
        assert_eq!(
            IdCardNumber::parse("1101011990030745A4"),
            Err(IdentityError::Character)
        );
    }

    #[test]
    fn completed_id_numbers_parse() {
        let id = IdCardNumber::complete("11010119900307451").unwrap();
        assert_eq!(id.as_str(), "110101199003074514");
        assert!(IdCardNumber::complete("11010119901307451").is_none());
    }

    #[test]
    fn id_debug_and_mask_hide_the_middle() {
        let id = IdCardNumber::parse("110101199003074514").unwrap();
        assert_eq!(id.masked(), "110101********4514");
        assert!(!format!("{id:?}").contains("19900307"));
    }

    #[test]
    fn credit_codes_follow_gb32100() {
        // A widely published real code (国家市场监督管理总局's example pattern).
        let made = CreditCode::complete("91350100M000100Y4").unwrap();
        assert!(CreditCode::parse(made.as_str()).is_ok());
        let mut wrong = made.as_str().to_string();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '0' { '1' } else { '0' });
        assert_eq!(CreditCode::parse(&wrong), Err(IdentityError::Checksum));
        assert_eq!(
            CreditCode::parse("91350100M000100YI4"),
            Err(IdentityError::Character)
        );
        assert_eq!(CreditCode::parse("123"), Err(IdentityError::Length));
        assert!(CreditCode::parse(&made.as_str().to_lowercase()).is_ok());
    }

    #[test]
    fn masks() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李"), "*");
        assert!(is_service_phone("0471-6218617"));
        assert!(is_service_phone("12345"));
        assert!(!is_service_phone("call me"));
    }

    proptest! {
        #[test]
        fn every_completed_credit_code_parses(body in "[0-9A-HJ-NP-RTUWXY]{17}") {
            let code = CreditCode::complete(&body).unwrap();
            prop_assert!(CreditCode::parse(code.as_str()).is_ok());
        }

        #[test]
        fn changing_one_character_breaks_a_credit_code(body in "[0-9A-HJ-NP-RTUWXY]{17}", pos in 0usize..17, delta in 1u32..31) {
            let code = CreditCode::complete(&body).unwrap();
            let mut bytes = code.as_str().as_bytes().to_vec();
            let v = credit_value(bytes[pos]).unwrap();
            bytes[pos] = CREDIT_ALPHABET[((v + delta) % 31) as usize];
            let changed = String::from_utf8(bytes).unwrap();
            // Weights are all coprime to 31, so any single substitution changes the sum mod 31.
            prop_assert_eq!(CreditCode::parse(&changed), Err(IdentityError::Checksum));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,24}") {
            let _ = IdCardNumber::parse(&s);
            let _ = CreditCode::parse(&s);
        }
    }
}
