//! How fast and how much the sink may call HubSpot.
//!
//! Three limits, the tightest wins:
//! - its own rate, `requests_per_second` (governor, through [`RateLimit`]);
//! - HubSpot's interval limit as its headers state it (`X-HubSpot-RateLimit-Max` requests
//!   per `-Interval-Milliseconds`): when `-Remaining` reaches 0, the next request waits a
//!   whole interval from that answer, so it cannot fall in the same one; a 429's
//!   `Retry-After` holds every request until then;
//! - the account's daily budget, shared with every other app of the account: when
//!   `-Daily-Remaining` is down to `daily_reserve_percent` of `-Daily`, the sink pauses until
//!   the limit resets at midnight in the account's time zone, leaving the rest to the other
//!   apps. A paused delivery is retried then, not dead.

use chrono::{Days, TimeZone as _};
use chrono_tz::Tz;
use reqwest::header::HeaderMap;
use scrm_sink::{Cx, RateLimit};
use scrm_time::Wait;

use crate::hubspot::api::headers;
use crate::hubspot::metrics::HubspotMetrics;

/// A minute past midnight: HubSpot's day has surely turned.
const RESET_MARGIN_MS: i64 = 60_000;

/// What HubSpot's rate-limit headers last said, and what the sink made of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Budget {
    pub max: Option<u64>,
    pub remaining: Option<u64>,
    pub interval_ms: Option<u64>,
    pub daily: Option<u64>,
    pub daily_remaining: Option<u64>,
    /// When (on the sink's clock) the answer that said it came.
    pub seen_at_ms: i64,
    /// Paused for the daily reserve until then.
    pub paused_until_ms: Option<i64>,
    /// No request before then (a 429's `Retry-After`).
    pub hold_until_ms: Option<i64>,
}

/// Whether a request may go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Gate {
    Go,
    /// Not before `until_ms`: what remains of the batch waits for it.
    Hold {
        until_ms: i64,
        reason: String,
    },
    Cancelled,
}

/// The sink's limits and what it knows of HubSpot's.
#[derive(Debug)]
pub(crate) struct Limits {
    rate: RateLimit,
    reserve_percent: u8,
    zone: Tz,
    budget: Budget,
    metrics: HubspotMetrics,
}

impl Limits {
    pub(crate) fn new(
        rate: RateLimit,
        reserve_percent: u8,
        zone: Tz,
        metrics: HubspotMetrics,
    ) -> Self {
        Limits {
            rate,
            reserve_percent: reserve_percent.min(100),
            zone,
            budget: Budget::default(),
            metrics,
        }
    }

    pub(crate) fn budget(&self) -> Budget {
        self.budget
    }

    /// Waits for the interval and the rate limit; says when the batch must wait longer.
    pub(crate) async fn before(&mut self, cx: &Cx<'_>) -> Gate {
        let now = cx.now_ms();
        if let Some(until_ms) = self.budget.paused_until_ms {
            if now < until_ms {
                return Gate::Hold {
                    until_ms,
                    reason: format!(
                        "paused: HubSpot's daily budget is down to the {}% left to the account's other apps; again after its reset",
                        self.reserve_percent
                    ),
                };
            }
            // A new day: what was known of the old day's budget says nothing now.
            self.budget.paused_until_ms = None;
            self.budget.daily_remaining = None;
            self.metrics.paused.set(0);
            tracing::info!("the HubSpot daily limit has reset; deliveries resume");
        }
        if let Some(until_ms) = self.budget.hold_until_ms {
            if now < until_ms {
                return Gate::Hold {
                    until_ms,
                    reason: "http 429: not before HubSpot's Retry-After".into(),
                };
            }
            self.budget.hold_until_ms = None;
        }
        if let (Some(0), Some(interval)) = (self.budget.remaining, self.budget.interval_ms) {
            let until = self
                .budget
                .seen_at_ms
                .saturating_add(i64::try_from(interval).unwrap_or(i64::MAX));
            if until > now {
                self.metrics.waited("interval", until - now);
                tracing::debug!(
                    wait_ms = until - now,
                    "HubSpot's interval limit is used up; waiting for the next interval"
                );
                if cx.clock.wait_until(until, cx.cancel).await == Wait::Cancelled {
                    return Gate::Cancelled;
                }
            }
            self.budget.remaining = None;
        }
        if self.rate.acquire(cx.cancel).await == Wait::Cancelled {
            return Gate::Cancelled;
        }
        Gate::Go
    }

    /// Reads an answer's rate-limit headers.
    pub(crate) fn after(&mut self, answer: &HeaderMap, now_ms: i64) {
        let read = |name: &str| {
            answer
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let b = &mut self.budget;
        let interval = (
            read(headers::MAX),
            read(headers::REMAINING),
            read(headers::INTERVAL_MS),
        );
        if interval.1.is_some() {
            (b.max, b.remaining, b.interval_ms) = interval;
            b.seen_at_ms = now_ms;
        }
        if let Some(daily_remaining) = read(headers::DAILY_REMAINING) {
            b.daily_remaining = Some(daily_remaining);
            b.daily = read(headers::DAILY).or(b.daily);
        }
        let gauge = |v: Option<u64>| i64::try_from(v.unwrap_or(0)).unwrap_or(i64::MAX);
        self.metrics.interval_remaining.set(gauge(b.remaining));
        self.metrics.daily_remaining.set(gauge(b.daily_remaining));
        self.metrics.daily_limit.set(gauge(b.daily));
        if let (Some(daily), Some(left)) = (b.daily, b.daily_remaining) {
            let reserve = (daily * u64::from(self.reserve_percent)).div_ceil(100);
            if left <= reserve && b.paused_until_ms.is_none() {
                self.pause(now_ms, &format!("{left} of {daily} requests left today"));
            }
        }
    }

    /// A 429 for the daily limit: paused until it resets.
    pub(crate) fn daily_exhausted(&mut self, now_ms: i64) {
        if self.budget.paused_until_ms.is_none() {
            self.pause(now_ms, "HubSpot answered 429 for the daily limit");
        }
    }

    /// A 429 with `Retry-After`: no request before `until_ms`.
    pub(crate) fn hold(&mut self, until_ms: i64, now_ms: i64) {
        self.metrics.waited("retry_after", until_ms - now_ms);
        self.budget.hold_until_ms = Some(self.budget.hold_until_ms.unwrap_or(0).max(until_ms));
    }

    /// When paused, until when.
    pub(crate) fn paused_until(&self) -> Option<i64> {
        self.budget.paused_until_ms
    }

    fn pause(&mut self, now_ms: i64, why: &str) {
        let until = next_reset(now_ms, self.zone);
        self.budget.paused_until_ms = Some(until);
        self.metrics.paused.set(1);
        self.metrics.waited("daily_reserve", until - now_ms);
        tracing::warn!(
            why,
            reserve_percent = self.reserve_percent,
            resume_at = %scrm_time::format_ms(until),
            "the HubSpot daily budget is down to the reserve left to the account's other apps; the HubSpot sink pauses until the daily limit resets"
        );
    }
}

/// The first moment after `now_ms` when HubSpot's day has turned in `zone`: the next local
/// midnight, and a minute.
pub fn next_reset(now_ms: i64, zone: Tz) -> i64 {
    let now = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
    let local = now.with_timezone(&zone).date_naive();
    let tomorrow = local
        .checked_add_days(Days::new(1))
        .unwrap_or(local)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    // A zone whose midnight falls in a gap (a DST change at 00:00) takes the first moment
    // after it.
    let midnight = zone
        .from_local_datetime(&tomorrow)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(tomorrow + chrono::Duration::hours(1)))
                .earliest()
        })
        .map_or(now_ms + 86_400_000, |at| at.timestamp_millis());
    midnight + RESET_MARGIN_MS
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use reqwest::header::HeaderValue;
    use scrm_sink::RetryPolicy;
    use scrm_time::{Clock, ManualClock};
    use tokio_util::sync::CancellationToken;

    use super::*;

    fn limits(clock: &ManualClock) -> Limits {
        let rate = RateLimit::per_second(NonZeroU32::new(1000).unwrap(), clock.shared());
        Limits::new(rate, 10, Tz::Asia__Hong_Kong, HubspotMetrics::default())
    }

    fn answer(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn the_reset_is_the_next_midnight_of_the_accounts_zone() {
        // 2026-11-19 15:30 UTC is 23:30 in Hong Kong: the reset is half an hour later.
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 19, 15, 30, 0)
            .unwrap()
            .timestamp_millis();
        assert_eq!(
            next_reset(now, Tz::Asia__Hong_Kong),
            now + 30 * 60_000 + RESET_MARGIN_MS
        );
        assert_eq!(
            next_reset(now, Tz::UTC),
            now + 8 * 3_600_000 + 30 * 60_000 + RESET_MARGIN_MS
        );
    }

    #[tokio::test]
    async fn the_daily_reserve_pauses_and_the_reset_resumes() {
        let clock = ManualClock::new(1_795_046_400_000);
        let mut l = limits(&clock);
        let shared = clock.shared();
        let cancel = CancellationToken::new();
        let retry = RetryPolicy::default();
        let cx = Cx {
            clock: &shared,
            cancel: &cancel,
            retry: &retry,
        };
        let now = clock.now_ms();
        l.after(
            &answer(&[
                (headers::DAILY, "250000"),
                (headers::DAILY_REMAINING, "25001"),
            ]),
            now,
        );
        assert_eq!(l.before(&cx).await, Gate::Go, "above the reserve");
        l.after(&answer(&[(headers::DAILY_REMAINING, "25000")]), now);
        let until = l.paused_until().expect("paused at the reserve");
        assert_eq!(until, next_reset(now, Tz::Asia__Hong_Kong));
        assert!(matches!(l.before(&cx).await, Gate::Hold { until_ms, .. } if until_ms == until));
        assert_eq!(l.metrics.paused.get(), 1);
        assert_eq!(l.metrics.waits("daily_reserve"), 1);
        clock.set(until);
        assert_eq!(l.before(&cx).await, Gate::Go);
        assert_eq!(
            l.budget().daily_remaining,
            None,
            "yesterday's count is stale"
        );
        assert_eq!(l.metrics.paused.get(), 0);
    }

    #[tokio::test]
    async fn an_interval_used_up_waits_for_the_next_one() {
        let clock = ManualClock::new(1_000_000);
        let mut l = limits(&clock);
        l.after(
            &answer(&[
                (headers::MAX, "100"),
                (headers::REMAINING, "0"),
                (headers::INTERVAL_MS, "10000"),
            ]),
            clock.now_ms(),
        );
        let shared = clock.shared();
        let cancel = CancellationToken::new();
        let retry = RetryPolicy::default();
        let waiting = {
            let clock = clock.clone();
            tokio::spawn(async move {
                while clock.next_deadline().is_none() {
                    tokio::task::yield_now().await;
                }
                let deadline = clock.next_deadline().unwrap();
                clock.set(deadline);
                deadline
            })
        };
        let cx = Cx {
            clock: &shared,
            cancel: &cancel,
            retry: &retry,
        };
        assert_eq!(l.before(&cx).await, Gate::Go);
        assert_eq!(waiting.await.unwrap(), 1_010_000);
        assert_eq!(l.metrics.waits("interval"), 1);
        assert!((l.metrics.wait_seconds("interval") - 10.0).abs() < 1e-9);
    }
}
