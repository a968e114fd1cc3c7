//! Default region used to read phone numbers written without a country code.

use std::fmt;
use std::str::FromStr;

use phonenumber::country::Id;
use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::IdentityError;

/// A two-letter ISO 3166 region (CLDR id) that libphonenumber has metadata
/// for, e.g. `HK`, `TW`, `BR`, `FR`.
///
/// Parsing is case-insensitive; display and serde use the upper-case code.
/// Wraps [`phonenumber::country::Id`] so that only regions with numbering
/// metadata can exist: a region that parsed is guaranteed usable by
/// [`normalize`](crate::normalize).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region(Id);

impl Region {
    /// Hong Kong.
    pub const HK: Region = Region(Id::HK);
    /// Taiwan.
    pub const TW: Region = Region(Id::TW);
    /// Brazil.
    pub const BR: Region = Region(Id::BR);
    /// France.
    pub const FR: Region = Region(Id::FR);
    /// United States.
    pub const US: Region = Region(Id::US);

    /// The upper-case two-letter code, e.g. `"HK"`.
    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }

    /// The underlying `phonenumber` country id.
    pub fn id(self) -> Id {
        self.0
    }

    /// Wraps a `phonenumber` country id, or `None` if the metadata bundled
    /// with `phonenumber` has no numbering plan for it.
    pub fn from_id(id: Id) -> Option<Region> {
        DATABASE.by_id(id.as_ref()).map(|_| Region(id))
    }

    /// The international calling code of the region, e.g. `852` for `HK`.
    pub fn calling_code(self) -> u16 {
        self.metadata().map_or(0, Metadata::country_code)
    }

    /// Metadata of the region. Always `Some` for regions built through the
    /// public constructors; the `Option` only avoids a panic path.
    pub(crate) fn metadata(self) -> Option<&'static Metadata> {
        DATABASE.by_id(self.0.as_ref())
    }

    /// Maps a libphonenumber region id (`"HK"`, or `"001"` for
    /// non-geographic codes such as +800) to a region.
    pub(crate) fn from_metadata_id(id: &str) -> Option<Region> {
        id.parse::<Id>().ok().map(Region)
    }

    /// The region a number belongs to, given its calling code and national
    /// significant number (with any leading zeros, as in E.164).
    ///
    /// Reimplements libphonenumber's `getRegionCodeForNumber` because
    /// phonenumber 0.3's `PhoneNumber::country().id()` drops the national
    /// number's leading zeros before matching, and so returns `None` for
    /// every Italian landline (+39 06...).
    pub(crate) fn for_number(code: u16, national: &str) -> Option<Region> {
        let regions = DATABASE.region(&code)?;
        if let [only] = regions.as_slice() {
            return Region::from_metadata_id(only);
        }
        // Codes shared by several regions (+1, +7, +39, +44, ...) are told
        // apart by leading digits or by which region's number ranges match;
        // the metadata lists the main region first, as libphonenumber expects.
        regions.into_iter().find_map(|id| {
            let meta = DATABASE.by_id(id)?;
            let matches = match meta.leading_digits() {
                Some(leading) => leading.find(national).is_some_and(|m| m.start() == 0),
                None => {
                    meta.descriptors().general().is_match(national)
                        && number_descriptors(meta).any(|d| d.is_match(national))
                }
            };
            matches.then(|| Region::from_metadata_id(id)).flatten()
        })
    }
}

/// Descriptors of the concrete number types of a region (fixed line, mobile,
/// toll free, ...): a number is valid when it matches one of them.
pub(crate) fn number_descriptors(meta: &Metadata) -> impl Iterator<Item = &Descriptor> {
    let d = meta.descriptors();
    [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ]
    .into_iter()
    .flatten()
}

impl FromStr for Region {
    type Err = IdentityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || IdentityError::InvalidRegion {
            input: s.to_owned(),
        };
        let code = s.trim().as_bytes();
        let [a, b] = code else {
            return Err(invalid());
        };
        if !a.is_ascii_alphabetic() || !b.is_ascii_alphabetic() {
            return Err(invalid());
        }
        // Upper-case on the stack: `Id::from_str` is case-sensitive and this
        // avoids allocating for a two-byte string.
        let upper = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
        let upper = std::str::from_utf8(&upper).map_err(|_| invalid())?;
        let id = upper.parse::<Id>().map_err(|_| invalid())?;
        Region::from_id(id).ok_or_else(invalid)
    }
}

impl TryFrom<&str> for Region {
    type Error = IdentityError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Region> for Id {
    fn from(region: Region) -> Id {
        region.0
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Region {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        // A visitor instead of deserializing a `String` first: config files
        // are parsed once, but this keeps borrowed input allocation-free.
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Region;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a two-letter region code such as \"HK\"")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Region, E> {
                v.parse().map_err(E::custom)
            }
        }

        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_insensitively() {
        for (input, expected) in [
            ("HK", Region::HK),
            ("hk", Region::HK),
            ("Tw", Region::TW),
            ("bR", Region::BR),
            (" FR ", Region::FR),
        ] {
            assert_eq!(input.parse::<Region>(), Ok(expected), "{input}");
        }
    }

    #[test]
    fn display_is_upper_case_code() {
        assert_eq!(
            "br".parse::<Region>().map(|r| r.to_string()),
            Ok("BR".into())
        );
        assert_eq!(Region::HK.as_str(), "HK");
    }

    #[test]
    fn rejects_bad_codes_naming_the_value() {
        for bad in ["", "H", "HKG", "ZZ", "1A", "H1", "852", "香港", "é"] {
            let err = bad.parse::<Region>().expect_err(bad);
            assert_eq!(
                err,
                IdentityError::InvalidRegion {
                    input: bad.to_owned()
                }
            );
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn calling_codes() {
        assert_eq!(Region::HK.calling_code(), 852);
        assert_eq!(Region::TW.calling_code(), 886);
        assert_eq!(Region::BR.calling_code(), 55);
        assert_eq!(Region::FR.calling_code(), 33);
        assert_eq!(Region::US.calling_code(), 1);
    }

    #[test]
    fn constants_have_metadata() {
        for region in [Region::HK, Region::TW, Region::BR, Region::FR, Region::US] {
            assert!(region.metadata().is_some(), "{region}");
        }
    }

    #[test]
    fn serde_uses_code_string() {
        assert_eq!(
            serde_json::to_string(&Region::TW).ok(),
            Some("\"TW\"".into())
        );
        let back: Region = serde_json::from_str("\"tw\"").expect("deserialize");
        assert_eq!(back, Region::TW);
        let err = serde_json::from_str::<Region>("\"XX\"").expect_err("XX is not a region");
        assert!(err.to_string().contains("\"XX\""), "{err}");
        assert!(serde_json::from_str::<Region>("852").is_err());
    }
}
