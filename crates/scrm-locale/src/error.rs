//! The single error type of the crate.
//!
//! Every variant carries the offending input so that a message shown to an
//! operator (for example when a shop's configuration is rejected) says both
//! *what* was given and *why* it is not acceptable, without the caller having
//! to add context.

/// Everything that can go wrong when parsing or validating locale data.
///
/// Messages name the input and say plainly what is wrong, e.g.
/// `invalid local time "25:00": hour 25 is not 0–23`.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum LocaleError {
    /// An IANA time-zone name that is not in the bundled tz database.
    #[error("unknown time zone \"{input}\": expected an IANA name such as \"Asia/Hong_Kong\"")]
    UnknownZone {
        /// The name as given (before trimming).
        input: String,
    },

    /// A wall-clock time that is not of the form `H:MM`/`HH:MM` or is out of range.
    #[error("invalid local time \"{input}\": {reason}")]
    InvalidLocalTime {
        /// The text as given.
        input: String,
        /// What is wrong, e.g. `hour 25 is not 0–23` or `expected HH:MM`.
        reason: String,
    },

    /// A weekday name that is neither a three-letter abbreviation nor a full
    /// English day name.
    #[error("unknown weekday \"{input}\": expected mon..sun or a full English day name such as \"wednesday\"")]
    UnknownWeekday {
        /// The text as given.
        input: String,
    },

    /// A store whose latitude or longitude is not a usable coordinate.
    #[error("store \"{store_id}\": {field} {value} is not valid ({expected})")]
    InvalidCoordinate {
        /// The `id` of the offending store.
        store_id: String,
        /// `"lat"` or `"lon"`.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// The accepted range in words.
        expected: &'static str,
    },
}

impl LocaleError {
    /// Builds an [`LocaleError::InvalidLocalTime`] from the input and a reason.
    pub(crate) fn local_time(input: &str, reason: impl Into<String>) -> Self {
        Self::InvalidLocalTime {
            input: input.to_owned(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LocaleError;

    #[test]
    fn unknown_zone_names_input() {
        let e = LocaleError::UnknownZone {
            input: "Asia/HongKong".into(),
        };
        let msg = e.to_string();
        assert!(msg.contains("\"Asia/HongKong\""), "{msg}");
        assert!(msg.contains("Asia/Hong_Kong"), "{msg}");
    }

    #[test]
    fn local_time_message_has_reason() {
        let e = LocaleError::local_time("25:00", "hour 25 is not 0–23");
        assert_eq!(
            e.to_string(),
            "invalid local time \"25:00\": hour 25 is not 0–23"
        );
    }

    #[test]
    fn weekday_message_names_input() {
        let e = LocaleError::UnknownWeekday {
            input: "funday".into(),
        };
        assert!(e.to_string().starts_with("unknown weekday \"funday\""));
    }

    #[test]
    fn coordinate_message_names_store_and_field() {
        let e = LocaleError::InvalidCoordinate {
            store_id: "hk-central".into(),
            field: "lat",
            value: 91.5,
            expected: "a finite number from -90 to 90",
        };
        assert_eq!(
            e.to_string(),
            "store \"hk-central\": lat 91.5 is not valid (a finite number from -90 to 90)"
        );
    }

    #[test]
    fn errors_compare_by_value() {
        let a = LocaleError::UnknownZone { input: "X".into() };
        assert_eq!(a.clone(), a);
        assert_ne!(a, LocaleError::UnknownWeekday { input: "X".into() });
    }
}
