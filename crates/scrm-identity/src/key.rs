//! The customer key as stored on the wire and in state stores.

use std::fmt;
use std::str::FromStr;

use phonenumber::metadata::DATABASE;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::normalize::{classify, is_bsuid};
use crate::{IdentityError, Region};

/// Identifies one customer.
///
/// Build keys with [`normalize`](crate::normalize) (from user input) or
/// [`parse_key`] (from the wire); both guarantee the canonical forms below.
/// The variants are public for pattern matching, and a key constructed by
/// hand is only as canonical as its author made it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CustomerKey {
    /// A WhatsApp number in E.164 form, e.g. `+85291234567`.
    Phone(String),
    /// A Meta business-scoped user id, e.g. `US.13491208655302741918`, for
    /// users who hide their phone number.
    Bsuid(String),
}

impl CustomerKey {
    /// The key string as stored on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Phone(s) | Self::Bsuid(s) => s,
        }
    }

    /// Whether the key is a phone number (and not a BSUID).
    pub fn is_phone(&self) -> bool {
        matches!(self, Self::Phone(_))
    }

    /// A rendering safe for logs.
    ///
    /// Phone keys keep the `+`, the country calling code and the last two
    /// digits (`+852******67`); when the national number has four digits or
    /// fewer, all of it is masked, since two digits would then be half the
    /// number. BSUIDs keep at most their first four characters and never more
    /// than half of them (`US.1*******************`). The length is kept so
    /// that masked keys still line up in logs.
    pub fn mask(&self) -> String {
        match self {
            Self::Phone(s) => mask_phone(s),
            Self::Bsuid(s) => mask_bsuid(s),
        }
    }

    /// The region of a phone key, derived from libphonenumber metadata, e.g.
    /// `HK` for `+85291234567` and `CA` for `+16135550123`.
    ///
    /// `None` for BSUIDs (Meta does not document their prefix as the user's
    /// country) and for non-geographic numbers such as `+800`.
    pub fn region(&self) -> Option<Region> {
        match self {
            Self::Phone(s) => {
                let (code, national) = split_e164(s)?;
                Region::for_number(code, national)
            }
            Self::Bsuid(_) => None,
        }
    }
}

/// Parses a key as it appears on the wire: canonical E.164 (`+85291234567`)
/// or a bare BSUID (`US.13491208655302741918`).
///
/// Unlike [`normalize`](crate::normalize) this accepts only canonical forms,
/// because two spellings of one key would split one customer's state in two.
///
/// # Errors
///
/// [`IdentityError::NotCanonical`] (naming the canonical form) for keys such
/// as `+852 9123 4567`, `00852...` or `bsuid:US.1349...`;
/// [`IdentityError::InvalidNumber`] for `+` followed by an invalid number;
/// [`IdentityError::Empty`] and [`IdentityError::Unrecognized`] otherwise.
pub fn parse_key(s: &str) -> Result<CustomerKey, IdentityError> {
    if is_bsuid(s) {
        return Ok(CustomerKey::Bsuid(s.to_owned()));
    }
    // Whatever a lenient reading makes of the input is correct if it equals
    // the input, and otherwise names the canonical form for the error.
    let key = classify(s, None)?;
    if key.as_str() == s {
        Ok(key)
    } else {
        Err(IdentityError::NotCanonical {
            input: s.to_owned(),
            canonical: key.as_str().to_owned(),
        })
    }
}

impl FromStr for CustomerKey {
    type Err = IdentityError;

    /// Same as [`parse_key`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_key(s)
    }
}

impl fmt::Display for CustomerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CustomerKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CustomerKey {
    /// Deserializes with [`parse_key`], so non-canonical stored keys fail
    /// loudly instead of being silently re-keyed.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl serde::de::Visitor<'_> for Visitor {
            type Value = CustomerKey;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an E.164 phone number or a BSUID")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<CustomerKey, E> {
                parse_key(v).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(Visitor)
    }
}

/// Splits `+<code><national>` into its parts. Calling codes are prefix-free
/// (ITU E.164), so the first 1-3 digit prefix that is assigned is the code.
fn split_e164(s: &str) -> Option<(u16, &str)> {
    let digits = s.strip_prefix('+')?;
    (1..=3).find_map(|len| {
        let code = digits.get(..len)?.parse::<u16>().ok()?;
        DATABASE.region(&code)?;
        Some((code, &digits[len..]))
    })
}

/// A customer key string fit for logs, whatever it holds: the one masking of scrm.
///
/// A phone key (`+…`) and a BSUID are masked as [`CustomerKey::mask`] does; anything else
/// (a key from a URL or a request that is not canonical) reveals nothing but its length.
///
/// ```
/// use scrm_identity::mask_key;
///
/// assert_eq!(mask_key("+85291234567"), "+852******67");
/// assert_eq!(mask_key("US.13491208655302741918"), "US.1*******************");
/// assert_eq!(mask_key("9123 4567"), "*********");
/// ```
pub fn mask_key(key: &str) -> String {
    let digits = key.strip_prefix('+').unwrap_or("");
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        mask_phone(key)
    } else if is_bsuid(key) {
        mask_bsuid(key)
    } else {
        mask_chars(key, 0, 0)
    }
}

fn mask_bsuid(s: &str) -> String {
    let keep = (s.chars().count() / 2).min(4);
    mask_chars(s, keep, 0)
}

fn mask_phone(s: &str) -> String {
    let Some((_, national)) = split_e164(s) else {
        // Not E.164 (hand-built key): reveal nothing but the length.
        return mask_chars(s, 0, 0);
    };
    let code_len = s.len() - national.len();
    let tail = if national.chars().count() > 4 { 2 } else { 0 };
    mask_chars(s, code_len, tail)
}

/// Keeps `head` leading and `tail` trailing characters, stars in between.
fn mask_chars(s: &str, head: usize, tail: usize) -> String {
    let count = s.chars().count();
    let tail_start = count.saturating_sub(tail).max(head);
    s.chars()
        .enumerate()
        .map(|(i, c)| if i < head || i >= tail_start { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(s: &str) -> CustomerKey {
        CustomerKey::Phone(s.to_owned())
    }

    #[test]
    fn as_str_display_and_kind() {
        let key = phone("+85291234567");
        assert_eq!(key.as_str(), "+85291234567");
        assert_eq!(key.to_string(), "+85291234567");
        assert!(key.is_phone());
        let bsuid = CustomerKey::Bsuid("US.13491208655302741918".into());
        assert_eq!(bsuid.to_string(), "US.13491208655302741918");
        assert!(!bsuid.is_phone());
    }

    #[test]
    fn masks_phone_keeping_code_and_last_two() {
        assert_eq!(phone("+85291234567").mask(), "+852******67");
        assert_eq!(phone("+886912345678").mask(), "+886*******78");
        assert_eq!(phone("+5511987654321").mask(), "+55*********21");
        assert_eq!(phone("+33612345678").mask(), "+33*******78");
        assert_eq!(phone("+16502530000").mask(), "+1********00");
    }

    #[test]
    fn masks_short_or_odd_phone_keys_fully() {
        // Niue numbers have 4 digits: showing 2 would reveal half.
        assert_eq!(phone("+6831234").mask(), "+683****");
        assert_eq!(phone("+9991234567").mask(), "***********");
        assert_eq!(phone("85291234567").mask(), "***********");
        assert_eq!(phone("").mask(), "");
    }

    #[test]
    fn masks_any_key_string() {
        for key in ["+85291234567", "+33612345678", "US.13491208655302741918"] {
            let parsed = parse_key(key).unwrap();
            assert_eq!(mask_key(key), parsed.mask(), "{key}");
        }
        assert_eq!(mask_key("+6831234"), "+683****");
        assert_eq!(mask_key("+9991234567"), "***********");
        assert_eq!(mask_key(""), "");
        assert_eq!(mask_key("abc"), "***");
        assert_eq!(mask_key("ääääääääää"), "**********");
        assert_eq!(mask_key("+852 9123 4567"), "**************");
    }

    #[test]
    fn masking_never_reveals_the_middle_of_a_number() {
        let masked = mask_key("+5511987654321");
        assert_eq!(masked, "+55*********21");
        assert!(!masked.contains("98765"));
    }

    #[test]
    fn masks_bsuid_keeping_short_prefix() {
        let key = CustomerKey::Bsuid("US.13491208655302741918".into());
        assert_eq!(key.mask(), "US.1*******************");
        assert_eq!(CustomerKey::Bsuid("abc".into()).mask(), "a**");
        assert_eq!(CustomerKey::Bsuid("ab".into()).mask(), "a*");
        assert_eq!(CustomerKey::Bsuid("a".into()).mask(), "*");
    }

    #[test]
    fn region_of_phone_keys() {
        let region = |s: &str| phone(s).region();
        assert_eq!(region("+85291234567"), Some(Region::HK));
        assert_eq!(region("+886912345678"), Some(Region::TW));
        assert_eq!(region("+5511987654321"), Some(Region::BR));
        assert_eq!(region("+33612345678"), Some(Region::FR));
        assert_eq!(region("+16502530000"), Some(Region::US));
        assert_eq!(
            region("+16135550123").map(|r| r.to_string()),
            Some("CA".into())
        );
        // Leading-zero national number: phonenumber's own lookup gets None.
        assert_eq!(
            region("+390612345678").map(|r| r.to_string()),
            Some("IT".into())
        );
        assert_eq!(region("+80012345678"), None);
        assert_eq!(region("85291234567"), None);
        assert_eq!(
            CustomerKey::Bsuid("US.13491208655302741918".into()).region(),
            None
        );
    }

    #[test]
    fn split_e164_finds_prefix_free_code() {
        assert_eq!(split_e164("+85291234567"), Some((852, "91234567")));
        assert_eq!(split_e164("+16502530000"), Some((1, "6502530000")));
        assert_eq!(split_e164("+5511987654321"), Some((55, "11987654321")));
        assert_eq!(split_e164("+999"), None);
        assert_eq!(split_e164("852"), None);
    }

    #[test]
    fn serde_round_trips_as_plain_string() {
        let key = phone("+85291234567");
        let json = serde_json::to_string(&key).expect("serialize");
        assert_eq!(json, "\"+85291234567\"");
        assert_eq!(serde_json::from_str::<CustomerKey>(&json).ok(), Some(key));
        let err = serde_json::from_str::<CustomerKey>("\"+852 9123 4567\"")
            .expect_err("non-canonical key");
        assert!(err.to_string().contains("+85291234567"), "{err}");
    }
}
