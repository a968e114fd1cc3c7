//! `scrm-locale` holds the locale-dependent, pure logic of scrm, the WhatsApp
//! social-CRM stream processor: which time zone and template language a
//! customer's region implies, when a local wall-clock time next comes round
//! (to send marketing at a "best hour"), whether an instant falls in a shop's
//! quiet hours and when they end, which local calendar day an instant is on
//! (for "per day" limits), how to say "3 days ago" in the customer's language,
//! which store is nearest to a shared location, and what first name to greet
//! a customer with. Every function is deterministic and free of I/O: no
//! function reads the system clock or the host's zone database — instants are
//! passed in as UTC epoch milliseconds (`i64`) and zone rules come from the
//! tz database compiled into `chrono-tz`.
//!
//! # Modules
//!
//! * [`zone`] — region (ISO 3166-1 alpha-2) → IANA zone and default WhatsApp
//!   template language; parsing IANA zone names.
//! * [`clock`] — local-time arithmetic: [`LocalTime`], weekday parsing,
//!   [`next_local`], [`quiet_until`], [`local_day`], [`start_of_local_day`],
//!   with one documented rule for DST gaps and repeated hours.
//! * [`relative`] — [`relative_date`]: "3 days ago" in English, French,
//!   Portuguese, Spanish and Chinese (Cantonese, traditional, simplified).
//! * [`stores`] — [`Store`], haversine [`distance_km`], [`nearest_store`],
//!   [`validate_store`].
//! * [`names`] — [`first_name`] from a free-text WhatsApp profile name.
//! * [`error`] — [`LocaleError`], whose messages name the offending input.
//!
//! Everything is re-exported at the crate root.
//!
//! # Example
//!
//! ```
//! use scrm_locale::{
//!     language_of_region, next_local, quiet_until, relative_date, zone_of_region, LocalTime,
//! };
//!
//! // A shop in Hong Kong: 2024-06-05 (a Wednesday) 23:30 local = 15:30 UTC.
//! let tz = zone_of_region("HK").unwrap();
//! let now_ms = 1_717_601_400_000;
//! assert_eq!(language_of_region("HK"), "zh_HK");
//!
//! // Quiet from 21:00 to 09:00: sending is allowed again at 09:00 local (01:00 UTC).
//! let from: LocalTime = "21:00".parse().unwrap();
//! let to: LocalTime = "09:00".parse().unwrap();
//! assert_eq!(quiet_until(now_ms, tz, from, to), Some(1_717_635_600_000));
//!
//! // The next 14:00 local (06:00 UTC the next day).
//! let best = next_local(now_ms, tz, None, "14:00".parse().unwrap());
//! assert_eq!(best, 1_717_653_600_000);
//!
//! assert_eq!(relative_date(now_ms - 3 * 86_400_000, now_ms, "zh_HK"), "3日前");
//! ```
//!
//! # Decisions worth knowing
//!
//! * Region → zone is one zone per country (the most populous / business
//!   capital area for multi-zone countries): an approximation.
//! * A skipped local time (DST gap) means the first instant after the gap; a
//!   repeated local time means its earlier instant (see [`clock`]).
//! * Instants beyond about ±126 000 years are clamped, so no input panics.

#![warn(missing_docs)]

pub mod clock;
pub mod error;
mod local_time;
pub mod names;
pub mod relative;
pub mod stores;
pub mod zone;

pub use clock::{
    local_day, next_local, parse_weekday, quiet_until, start_of_local_day, LocalTime,
    MAX_SUPPORTED_MS, MIN_SUPPORTED_MS,
};
pub use error::LocaleError;
pub use names::first_name;
pub use relative::relative_date;
pub use stores::{distance_km, nearest_store, validate_store, Store, EARTH_RADIUS_KM};
pub use zone::{language_of_region, parse_zone, zone_of_region};

/// Re-exported so callers can name zones and weekdays without adding
/// `chrono`/`chrono-tz` themselves at a mismatching version.
pub use chrono::Weekday;
/// The IANA time-zone type used throughout the API.
pub use chrono_tz::Tz;

#[cfg(test)]
mod tests {
    use super::*;

    /// The crate-level example, step by step, so a failure points at a line.
    #[test]
    fn example_values() {
        let tz = zone_of_region("HK").unwrap();
        let now_ms = 1_717_601_400_000; // 2024-06-05T15:30Z = 23:30 HKT, Wednesday
        assert_eq!(local_day(now_ms, tz), local_day(now_ms, Tz::UTC));
        let from = LocalTime {
            hour: 21,
            minute: 0,
        };
        let to = LocalTime { hour: 9, minute: 0 };
        assert_eq!(quiet_until(now_ms, tz, from, to), Some(1_717_635_600_000));
        let at = LocalTime {
            hour: 14,
            minute: 0,
        };
        assert_eq!(next_local(now_ms, tz, None, at), 1_717_653_600_000);
        assert_eq!(
            next_local(now_ms, tz, Some(Weekday::Thu), at),
            1_717_653_600_000
        );
    }

    #[test]
    fn root_reexports_are_the_module_items() {
        let f: fn(&str) -> Option<Tz> = zone_of_region;
        assert_eq!(f("TW"), zone::zone_of_region("TW"));
        assert_eq!(parse_zone("Europe/Paris"), Ok(Tz::Europe__Paris));
        assert_eq!(first_name("Ana"), names::first_name("Ana"));
    }
}
