//! When to try a failed delivery again, and when to give up.
//!
//! HTTP 408, 429 and 5xx, and transport failures (connection refused, timeout) are
//! retried with exponential backoff and full jitter (a uniform draw between zero and
//! `min(cap, base * 2^attempt)`, so many workers do not retry in step); other 4xx are
//! not: the same request would be refused again. A `Retry-After` header (seconds or an
//! HTTP date) is honoured: the next attempt is not before it. After `max_attempts`
//! attempts a record is dead (to the dead-letter topic).

use std::num::NonZeroU32;
use std::time::Duration;

use rand::Rng;
use serde::Deserialize;

use crate::destination::Outcome;

/// What went wrong with a call to the outside system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure<'a> {
    /// An HTTP answer that is not a success, with its `Retry-After` header if any.
    Http {
        status: u16,
        retry_after: Option<&'a str>,
    },
    /// No answer: connection refused or reset, timeout.
    Transport,
}

/// The retry rule of one worker.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicy {
    /// First backoff ceiling, in milliseconds.
    pub base_ms: u64,
    /// Largest backoff, in milliseconds.
    pub cap_ms: u64,
    /// Attempts after which a record is dead; none: never give up (the record keeps
    /// waiting, e.g. a WhatsApp message whose number is throttled).
    pub max_attempts: Option<NonZeroU32>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base_ms: 1_000,
            cap_ms: 60_000,
            max_attempts: NonZeroU32::new(8),
        }
    }
}

/// Whether an HTTP status is worth retrying: 408, 429 and 5xx.
pub fn retriable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// When `Retry-After` allows the next attempt, in clock milliseconds: a number of
/// seconds from `now_ms`, or an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`).
pub fn retry_after_ms(value: &str, now_ms: i64) -> Option<i64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        let ms = i64::try_from(seconds.saturating_mul(1_000)).unwrap_or(i64::MAX);
        return Some(now_ms.saturating_add(ms));
    }
    chrono::DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|at| at.timestamp_millis())
}

impl RetryPolicy {
    /// Upper bound of the backoff before retry number `attempt` (0 for the first).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u64.checked_shl(attempt.min(63)).unwrap_or(u64::MAX);
        Duration::from_millis(self.base_ms.saturating_mul(factor).min(self.cap_ms))
    }

    /// The jittered backoff before retry number `attempt`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = u64::try_from(self.ceiling(attempt).as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::thread_rng().gen_range(0..=ceiling))
    }

    /// When retry number `attempt` may go, `now_ms` being now.
    pub fn next_at(&self, attempt: u32, now_ms: i64) -> i64 {
        let ms = i64::try_from(self.backoff(attempt).as_millis()).unwrap_or(i64::MAX);
        now_ms.saturating_add(ms)
    }

    /// What a failed call means for a record on its attempt number `attempt`: a retry
    /// (not before `Retry-After`), or dead. The worker applies [`Self::gives_up`].
    pub fn outcome(&self, failure: Failure<'_>, attempt: u32, now_ms: i64) -> Outcome {
        match failure {
            Failure::Transport => Outcome::retry_at(self.next_at(attempt, now_ms), "transport"),
            Failure::Http {
                status,
                retry_after,
            } if retriable_status(status) => {
                let at = retry_after
                    .and_then(|v| retry_after_ms(v, now_ms))
                    .map_or_else(|| self.next_at(attempt, now_ms), |at| at.max(now_ms));
                Outcome::retry_at(at, format!("http {status}"))
            }
            Failure::Http { status, .. } => Outcome::dead(format!("http {status}")),
        }
    }

    /// Whether a record that has been attempted `attempts` times is given up.
    pub fn gives_up(&self, attempts: u32) -> bool {
        self.max_attempts.is_some_and(|max| attempts >= max.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_retried_and_what_is_not() {
        for status in [408, 429, 500, 502, 503, 599] {
            assert!(retriable_status(status), "{status}");
        }
        for status in [400, 401, 403, 404, 409, 422, 200, 301] {
            assert!(!retriable_status(status), "{status}");
        }
        let p = RetryPolicy::default();
        let now = 1_000_000;
        assert!(matches!(
            p.outcome(Failure::Http { status: 422, retry_after: None }, 0, now),
            Outcome::Dead { reason } if reason == "http 422"
        ));
        match p.outcome(Failure::Transport, 2, now) {
            Outcome::RetryAt { at_ms, .. } => assert!((now..=now + 4_000).contains(&at_ms)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date_is_honoured() {
        let p = RetryPolicy::default();
        let now = 1_792_000_000_000;
        let at = |v| match p.outcome(
            Failure::Http {
                status: 429,
                retry_after: Some(v),
            },
            0,
            now,
        ) {
            Outcome::RetryAt { at_ms, .. } => at_ms,
            other => panic!("{other:?}"),
        };
        assert_eq!(at("120"), now + 120_000);
        let date = chrono::DateTime::from_timestamp_millis(now + 90_000)
            .unwrap()
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        assert_eq!(at(&date), now + 90_000);
        // A date in the past means now; garbage means the backoff.
        assert_eq!(at("Thu, 01 Jan 1970 00:00:00 GMT"), now);
        assert!((now..=now + 1_000).contains(&at("soon")));
    }

    #[test]
    fn backoff_is_bounded_and_jittered_and_attempts_run_out() {
        let p = RetryPolicy {
            base_ms: 1_000,
            cap_ms: 60_000,
            max_attempts: NonZeroU32::new(3),
        };
        assert_eq!(p.ceiling(0), Duration::from_secs(1));
        assert_eq!(p.ceiling(3), Duration::from_secs(8));
        assert_eq!(p.ceiling(6), Duration::from_secs(60));
        assert_eq!(p.ceiling(u32::MAX), Duration::from_secs(60));
        let draws: Vec<Duration> = (0..200).map(|_| p.backoff(10)).collect();
        assert!(draws.iter().all(|d| *d <= Duration::from_secs(60)));
        assert!(draws.iter().any(|d| *d < Duration::from_secs(15)));
        assert!(draws.iter().any(|d| *d > Duration::from_secs(45)));
        assert!(!p.gives_up(2));
        assert!(p.gives_up(3));
        let never = RetryPolicy {
            max_attempts: None,
            ..p
        };
        assert!(!never.gives_up(u32::MAX));
    }
}
