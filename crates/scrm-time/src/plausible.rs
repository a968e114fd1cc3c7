//! Event times from outside are checked before they are trusted.
//!
//! A producer with a bad clock, or one that writes seconds or microseconds where the
//! schema says milliseconds, must not move a partition's stream time: every other customer
//! of that partition would be expired as idle, and timers would fire months early. So every
//! door (`scrm produce`, the gateway, the ingest library) and the processor again check an
//! event's `occurred_at` against the wall clock: not more than [`TimeBounds::max_ahead`]
//! ahead of it, not before [`TimeBounds::earliest_ms`].

use chrono::{DateTime, SecondsFormat};
use serde::{Deserialize, Serialize};

/// 2009-01-01T00:00:00Z, before WhatsApp existed: nothing real happened earlier. A time
/// in seconds read as milliseconds lands in January 1970, far below it.
pub const DEFAULT_EARLIEST_MS: i64 = 1_230_768_000_000;

/// Ten minutes: generous for clock drift between hosts, far too little for a unit mistake.
pub const DEFAULT_MAX_AHEAD_MS: i64 = 10 * 60 * 1_000;

/// The range of event times that are believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeBounds {
    /// How far ahead of the wall clock an event time may be (milliseconds). Default 10
    /// minutes.
    pub max_ahead_ms: i64,
    /// The earliest event time accepted (milliseconds since the epoch). Default
    /// 2009-01-01T00:00:00Z.
    pub earliest_ms: i64,
}

impl Default for TimeBounds {
    fn default() -> Self {
        TimeBounds {
            max_ahead_ms: DEFAULT_MAX_AHEAD_MS,
            earliest_ms: DEFAULT_EARLIEST_MS,
        }
    }
}

/// `[time_bounds]`: the event times believed from outside, by every door (`scrm produce`,
/// `scrm demo`, the webhook gateway) and again by the processor. Env: `SCRM_MAX_AHEAD_MS`.
impl scrm_config::Section for TimeBounds {
    const NAME: &'static str = "time_bounds";

    fn apply_env(&mut self, env: &scrm_config::Env) -> Result<(), scrm_config::ConfigError> {
        env.parse("SCRM_MAX_AHEAD_MS", &mut self.max_ahead_ms)
    }

    fn validate(&self) -> Result<(), scrm_config::ConfigError> {
        if self.max_ahead_ms < 0 {
            return Err(scrm_config::ConfigError::invalid(
                "time_bounds.max_ahead_ms",
                "must not be negative",
            ));
        }
        Ok(())
    }
}

/// An event time that is not believed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("occurred_at {at} is {ahead} ahead of the wall clock ({now}); at most {allowed} is allowed{hint}")]
    Ahead {
        at: String,
        now: String,
        ahead: String,
        allowed: String,
        hint: &'static str,
    },
    #[error("occurred_at {at} is before {earliest}, the earliest time accepted{hint}")]
    TooEarly {
        at: String,
        earliest: String,
        hint: &'static str,
    },
}

impl TimeBounds {
    /// Checks `occurred_at_ms` against the wall clock `now_ms`.
    pub fn check(&self, occurred_at_ms: i64, now_ms: i64) -> Result<(), TimeError> {
        let limit = now_ms.saturating_add(self.max_ahead_ms);
        if occurred_at_ms > limit {
            return Err(TimeError::Ahead {
                at: format_ms(occurred_at_ms),
                now: format_ms(now_ms),
                ahead: human(occurred_at_ms.saturating_sub(now_ms)),
                allowed: human(self.max_ahead_ms),
                hint: unit_hint(occurred_at_ms, now_ms),
            });
        }
        if occurred_at_ms < self.earliest_ms {
            return Err(TimeError::TooEarly {
                at: format_ms(occurred_at_ms),
                earliest: format_ms(self.earliest_ms),
                hint: unit_hint(occurred_at_ms, now_ms),
            });
        }
        Ok(())
    }
}

/// Names the likely unit mistake when a time is a factor of 1 000 off.
fn unit_hint(at_ms: i64, now_ms: i64) -> &'static str {
    let near = |t: i64| now_ms > 0 && t > now_ms / 10 && t < now_ms.saturating_mul(10);
    if near(at_ms / 1_000) {
        " (it looks like microseconds; occurred_at is in milliseconds since the epoch)"
    } else if near(at_ms.saturating_mul(1_000)) {
        " (it looks like seconds; occurred_at is in milliseconds since the epoch)"
    } else {
        ""
    }
}

/// An instant as RFC 3339 (UTC), or the raw number when chrono cannot show it.
pub fn format_ms(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).map_or_else(
        || format!("{ms} ms"),
        |t| t.to_rfc3339_opts(SecondsFormat::Millis, true),
    )
}

/// A span of milliseconds, roughly, in the largest fitting unit.
fn human(ms: i64) -> String {
    const UNITS: [(i64, &str); 5] = [
        (365 * 86_400_000, "years"),
        (86_400_000, "days"),
        (3_600_000, "hours"),
        (60_000, "minutes"),
        (1_000, "seconds"),
    ];
    for (size, name) in UNITS {
        if ms >= size {
            let n = ms / size;
            return format!(
                "{n} {}",
                if n == 1 {
                    &name[..name.len() - 1]
                } else {
                    name
                }
            );
        }
    }
    format!("{ms} ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_796_000_000_000; // 2026-11-29

    #[test]
    fn times_near_the_wall_clock_and_in_the_past_are_believed() {
        let b = TimeBounds::default();
        assert!(b.check(NOW, NOW).is_ok());
        assert!(b.check(NOW + 9 * 60_000, NOW).is_ok());
        assert!(b.check(NOW - 400 * 86_400_000, NOW).is_ok());
    }

    #[test]
    fn a_year_ahead_is_refused_with_how_far() {
        let e = TimeBounds::default()
            .check(NOW + 365 * 86_400_000, NOW)
            .unwrap_err();
        let text = e.to_string();
        assert!(text.contains("1 year ahead"), "{text}");
        assert!(text.contains("at most 10 minutes"), "{text}");
    }

    #[test]
    fn microseconds_and_seconds_are_named() {
        let b = TimeBounds::default();
        let micros = b.check(NOW * 1_000, NOW).unwrap_err().to_string();
        assert!(micros.contains("looks like microseconds"), "{micros}");
        let seconds = b.check(NOW / 1_000, NOW).unwrap_err().to_string();
        assert!(seconds.contains("looks like seconds"), "{seconds}");
        assert!(seconds.contains("1970-01-21"), "{seconds}");
    }

    #[test]
    fn extreme_values_do_not_panic() {
        let b = TimeBounds::default();
        assert!(b.check(i64::MAX, NOW).is_err());
        assert!(b.check(i64::MIN, NOW).is_err());
        assert!(b.check(0, i64::MAX).is_err());
    }
}
