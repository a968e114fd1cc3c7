//! Wall-clock values: [`LocalTime`] (an `HH:MM` time of day with no date and
//! no zone) and weekday parsing. Re-exported from [`crate::clock`].

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveTime, Weekday};

use crate::error::LocaleError;

/// A wall-clock time of day, `00:00..=23:59`, in whatever zone it is used with.
///
/// Parse it from `"14:00"` or `"9:05"`; it displays as `"14:00"` / `"09:05"`.
/// The fields are public (and serde deserialises them without checks), so a
/// value like `25:70` can be built by hand: every function of this crate reads
/// such a value **clamped** to `23:59` instead of failing. Use
/// [`LocalTime::new`] to reject it instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LocalTime {
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
}

impl LocalTime {
    /// Midnight, `00:00`.
    pub const MIDNIGHT: LocalTime = LocalTime { hour: 0, minute: 0 };

    /// A checked constructor.
    ///
    /// # Errors
    ///
    /// [`LocaleError::InvalidLocalTime`] when `hour > 23` or `minute > 59`.
    pub fn new(hour: u8, minute: u8) -> Result<Self, LocaleError> {
        let value = LocalTime { hour, minute };
        check_range(&value.to_string(), hour, minute)?;
        Ok(value)
    }

    /// The same time with out-of-range fields clamped (`hour ≤ 23`, `minute ≤ 59`).
    pub fn clamped(self) -> Self {
        LocalTime {
            hour: self.hour.min(23),
            minute: self.minute.min(59),
        }
    }

    /// As a chrono [`NaiveTime`] (seconds = 0), after [`clamping`](Self::clamped).
    pub fn to_naive_time(self) -> NaiveTime {
        let c = self.clamped();
        NaiveTime::from_hms_opt(u32::from(c.hour), u32::from(c.minute), 0).unwrap_or(NaiveTime::MIN)
    }

    /// Minutes since midnight, `0..=1439` (after clamping).
    pub fn minutes_of_day(self) -> u16 {
        let c = self.clamped();
        u16::from(c.hour) * 60 + u16::from(c.minute)
    }
}

fn check_range(input: &str, hour: u8, minute: u8) -> Result<(), LocaleError> {
    if hour > 23 {
        return Err(LocaleError::local_time(
            input,
            format!("hour {hour} is not 0–23"),
        ));
    }
    if minute > 59 {
        return Err(LocaleError::local_time(
            input,
            format!("minute {minute} is not 0–59"),
        ));
    }
    Ok(())
}

impl FromStr for LocalTime {
    type Err = LocaleError;

    /// Parses `H:MM` or `HH:MM` (surrounding whitespace ignored): one or two
    /// ASCII digits for the hour, exactly two for the minute.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let expected = || LocaleError::local_time(s, "expected HH:MM, e.g. \"14:00\" or \"9:05\"");
        let (h, m) = text.split_once(':').ok_or_else(expected)?;
        let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(h) || !all_digits(m) || h.len() > 2 || m.len() != 2 {
            return Err(expected());
        }
        // At most two ASCII digits each, so these cannot overflow a u8.
        let hour: u8 = h.parse().map_err(|_| expected())?;
        let minute: u8 = m.parse().map_err(|_| expected())?;
        check_range(s, hour, minute)?;
        Ok(LocalTime { hour, minute })
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// Parses a weekday from its three-letter abbreviation (`"mon"` … `"sun"`) or
/// its full English name (`"monday"` … `"sunday"`), ignoring ASCII case and
/// surrounding whitespace.
///
/// # Errors
///
/// [`LocaleError::UnknownWeekday`] naming the input for anything else.
pub fn parse_weekday(s: &str) -> Result<Weekday, LocaleError> {
    let lower = s.trim().to_ascii_lowercase();
    let day = match lower.as_str() {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tuesday" => Weekday::Tue,
        "wed" | "wednesday" => Weekday::Wed,
        "thu" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        "sat" | "saturday" => Weekday::Sat,
        "sun" | "sunday" => Weekday::Sun,
        _ => {
            return Err(LocaleError::UnknownWeekday {
                input: s.to_owned(),
            })
        }
    };
    Ok(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(input: &str) -> String {
        match input.parse::<LocalTime>() {
            Err(LocaleError::InvalidLocalTime { reason, .. }) => reason,
            other => panic!("{input:?} parsed as {other:?}"),
        }
    }

    #[test]
    fn parses_and_displays() {
        let t: LocalTime = "14:00".parse().unwrap();
        assert_eq!(
            t,
            LocalTime {
                hour: 14,
                minute: 0
            }
        );
        assert_eq!(t.to_string(), "14:00");
        let t: LocalTime = " 9:05 ".parse().unwrap();
        assert_eq!(t, LocalTime { hour: 9, minute: 5 });
        assert_eq!(t.to_string(), "09:05");
        assert_eq!("23:59".parse::<LocalTime>().unwrap().minutes_of_day(), 1439);
        assert_eq!("00:00".parse::<LocalTime>().unwrap(), LocalTime::MIDNIGHT);
    }

    #[test]
    fn range_errors_say_what_is_wrong() {
        assert_eq!(reason("25:00"), "hour 25 is not 0–23");
        assert_eq!(reason("24:00"), "hour 24 is not 0–23");
        assert_eq!(reason("12:60"), "minute 60 is not 0–59");
        let e = "25:00".parse::<LocalTime>().unwrap_err();
        assert!(e.to_string().contains("\"25:00\""), "{e}");
    }

    #[test]
    fn shape_errors_expect_hh_mm() {
        for bad in [
            "",
            "14",
            "14:0",
            "14:000",
            "123:00",
            "-1:00",
            "+9:00",
            "a:bc",
            "14:00:00",
            "１４:００",
        ] {
            assert!(reason(bad).starts_with("expected HH:MM"), "{bad:?}");
        }
    }

    #[test]
    fn checked_constructor_and_clamping() {
        assert!(LocalTime::new(23, 59).is_ok());
        assert!(LocalTime::new(24, 0).is_err());
        assert!(LocalTime::new(0, 60).is_err());
        let wild = LocalTime {
            hour: 25,
            minute: 70,
        };
        assert_eq!(
            wild.clamped(),
            LocalTime {
                hour: 23,
                minute: 59
            }
        );
        assert_eq!(
            wild.to_naive_time(),
            NaiveTime::from_hms_opt(23, 59, 0).unwrap()
        );
    }

    #[test]
    fn weekdays() {
        assert_eq!(parse_weekday("wed").unwrap(), Weekday::Wed);
        assert_eq!(parse_weekday("Wednesday").unwrap(), Weekday::Wed);
        assert_eq!(parse_weekday(" SUN ").unwrap(), Weekday::Sun);
        assert_eq!(parse_weekday("thursday").unwrap(), Weekday::Thu);
        let e = parse_weekday("funday").unwrap_err();
        assert_eq!(
            e,
            LocaleError::UnknownWeekday {
                input: "funday".into()
            }
        );
        assert!(parse_weekday("we").is_err());
        assert!(parse_weekday("").is_err());
    }
}
