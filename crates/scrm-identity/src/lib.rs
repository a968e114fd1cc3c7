//! Customer identity for scrm.
//!
//! Every event is attributed to a customer by a [`CustomerKey`]. The primary
//! key is the customer's WhatsApp number in E.164 form (`+85291234567`),
//! normalized with the [`phonenumber`] crate (a libphonenumber port) so that
//! `9123 4567` typed in Hong Kong, `+852 9123 4567` and `00852 91234567` all
//! land on the same key. Inputs without a country code are interpreted in a
//! configured default [`Region`]. Users who hide their number are identified
//! by Meta's business-scoped user id (BSUID, the `user_id` field of a webhook,
//! e.g. `US.13491208655302741918`), which is accepted as an alternative key.
//!
//! Two entry points exist because the two directions have different trust:
//! [`normalize`] is lenient and accepts whatever a human or an upstream system
//! typed, while [`parse_key`] only accepts keys already in canonical wire form,
//! so a key that was stored un-normalized is caught instead of silently
//! splitting one customer into two.
//!
//! ```
//! use scrm_identity::{normalize, parse_key, Region};
//!
//! let hk: Region = "hk".parse()?;
//! let key = normalize("9123 4567", hk)?;
//! assert_eq!(key.as_str(), "+85291234567");
//! assert_eq!(key.mask(), "+852******67");
//! assert_eq!(parse_key("+85291234567")?, key);
//! # Ok::<(), scrm_identity::IdentityError>(())
//! ```

pub mod config;
mod key;
mod normalize;
mod region;

use std::fmt;

pub use config::IdentityConfig;
pub use key::{mask_key, parse_key, CustomerKey};
pub use normalize::normalize;
pub use region::Region;

/// Why a phone number was rejected.
///
/// Kept as a small `Copy` enum rather than a string so that callers can
/// count rejections by cause without parsing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InvalidReason {
    /// Fewer digits than any number of the region can have.
    TooShort,
    /// More digits than any number of the region can have.
    TooLong,
    /// A digit count between the shortest and the longest, but one the
    /// region does not use.
    InvalidLength,
    /// The length is plausible but the digits are not in any allocated range.
    UnknownRange,
    /// The international calling code is not assigned.
    InvalidCountryCode,
    /// The input contains no usable digits.
    NotANumber,
    /// The input contains a character that has no place in a phone number
    /// (letters would otherwise be read as vanity digits, `1-800-FLOWERS`).
    UnexpectedCharacter(char),
}

impl fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort => f.write_str("too short"),
            Self::TooLong => f.write_str("too long"),
            Self::InvalidLength => f.write_str("invalid length"),
            Self::UnknownRange => f.write_str("not in any allocated number range"),
            Self::InvalidCountryCode => f.write_str("invalid country code"),
            Self::NotANumber => f.write_str("not a number"),
            Self::UnexpectedCharacter(c) => write!(f, "unexpected character {c:?}"),
        }
    }
}

/// Errors from parsing regions and customer keys.
///
/// Every message quotes the offending input so that a log line on its own is
/// enough to see what was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The input was empty or only whitespace.
    #[error("customer identifier is empty")]
    Empty,

    /// The input looks like a phone number but is not a valid one.
    #[error(
        "{input:?} is not a valid phone number{} ({reason})",
        RegionSuffix(*.region)
    )]
    InvalidNumber {
        /// The input as given.
        input: String,
        /// The region the number was checked against: the default region for
        /// national input, the region of the country code for international
        /// input, `None` when that could not be determined.
        region: Option<Region>,
        /// What is wrong with it.
        reason: InvalidReason,
    },

    /// The input carried an explicit `bsuid:` prefix but what follows is not
    /// shaped like a BSUID.
    #[error(
        "{input:?} is not a valid BSUID (expected a two-letter country code, a dot and \
         6 to 128 letters or digits, e.g. \"US.13491208655302741918\")"
    )]
    InvalidBsuid {
        /// The input as given.
        input: String,
    },

    /// The input is neither a phone number nor a BSUID.
    #[error("{input:?} is neither an E.164 phone number nor a BSUID")]
    Unrecognized {
        /// The input as given.
        input: String,
    },

    /// A wire key denotes a valid customer but is not written canonically;
    /// accepting it would create a second key for the same customer.
    #[error("{input:?} is not a canonical customer key; expected {canonical:?}")]
    NotCanonical {
        /// The input as given.
        input: String,
        /// The canonical form of the same key.
        canonical: String,
    },

    /// A region code that is not a known two-letter ISO 3166 code.
    #[error("{input:?} is not a known two-letter region code (e.g. \"HK\", \"BR\")")]
    InvalidRegion {
        /// The input as given.
        input: String,
    },
}

/// Renders " for region XX" only when a region is known, so messages about
/// numbers with an unknown country code don't blame the default region.
struct RegionSuffix(Option<Region>);

impl fmt::Display for RegionSuffix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(region) => write!(f, " for region {region}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_number_message_names_input_region_and_reason() {
        let err = IdentityError::InvalidNumber {
            input: "12345".into(),
            region: Some(Region::HK),
            reason: InvalidReason::TooShort,
        };
        assert_eq!(
            err.to_string(),
            r#""12345" is not a valid phone number for region HK (too short)"#
        );
    }

    #[test]
    fn invalid_number_message_without_region() {
        let err = IdentityError::InvalidNumber {
            input: "+999 1234".into(),
            region: None,
            reason: InvalidReason::InvalidCountryCode,
        };
        assert_eq!(
            err.to_string(),
            r#""+999 1234" is not a valid phone number (invalid country code)"#
        );
    }

    #[test]
    fn unexpected_character_reason_quotes_the_character() {
        assert_eq!(
            InvalidReason::UnexpectedCharacter('a').to_string(),
            "unexpected character 'a'"
        );
    }

    #[test]
    fn error_is_send_sync_static() {
        fn assert_bounds<T: std::error::Error + Send + Sync + 'static>() {}
        assert_bounds::<IdentityError>();
    }
}
