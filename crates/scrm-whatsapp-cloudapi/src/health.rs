//! Which Cloud API endpoint to use: the primary, or the backup while the primary is
//! slow or failing.
//!
//! [`EndpointHealth`] is a pure state machine fed with probe results of the primary;
//! [`run_prober`] is the thin async loop that feeds it. The machine needs
//! [`SWITCH_AFTER`] consecutive bad probes to leave the primary and as many consecutive
//! good ones to come back, so one slow answer or one lucky fast one does not flap.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::client::CloudClient;

/// A probe slower than this counts as bad unless configured otherwise.
pub const DEFAULT_SLOW_PROBE: Duration = Duration::from_millis(1500);
/// Consecutive bad (good) probes that make the primary unhealthy (healthy again).
pub const SWITCH_AFTER: u32 = 3;

/// Health of the primary endpoint and the base URL calls should use now.
///
/// Shared between the prober and the senders (wrap it in an `Arc`); every method
/// takes `&self`.
#[derive(Debug)]
pub struct EndpointHealth {
    primary: String,
    backup: Option<String>,
    slow: Duration,
    on_backup: AtomicBool,
    switches: AtomicU64,
    streaks: Mutex<Streaks>,
}

#[derive(Debug, Default)]
struct Streaks {
    primary_healthy: bool,
    /// Consecutive probes contradicting the current verdict.
    against: u32,
}

impl EndpointHealth {
    /// Starts on a primary presumed healthy. Trailing slashes are dropped from both URLs.
    pub fn new(primary: impl Into<String>, backup: Option<String>) -> Self {
        let trim = |s: String| s.trim_end_matches('/').to_owned();
        Self {
            primary: trim(primary.into()),
            backup: backup.map(trim),
            slow: DEFAULT_SLOW_PROBE,
            on_backup: AtomicBool::new(false),
            switches: AtomicU64::new(0),
            streaks: Mutex::new(Streaks {
                primary_healthy: true,
                against: 0,
            }),
        }
    }

    /// The same, with probes slower than `threshold` counting as bad.
    pub fn with_threshold(mut self, threshold: Duration) -> Self {
        self.slow = threshold;
        self
    }

    /// Records one probe of the primary: how long it took and whether it answered
    /// correctly. A failed probe is bad whatever its latency.
    pub fn record(&self, latency: Duration, ok: bool) {
        let good = ok && latency <= self.slow;
        // A panic elsewhere cannot leave two counters inconsistent: keep going.
        let mut s = self.streaks.lock().unwrap_or_else(PoisonError::into_inner);
        if good == s.primary_healthy {
            s.against = 0;
            return;
        }
        s.against += 1;
        if s.against < SWITCH_AFTER {
            return;
        }
        s.against = 0;
        s.primary_healthy = good;
        let want_backup = !good && self.backup.is_some();
        if self.on_backup.swap(want_backup, Ordering::AcqRel) != want_backup {
            self.switches.fetch_add(1, Ordering::Relaxed);
        }
        if good {
            tracing::info!(primary = %self.primary, "cloud api primary endpoint healthy again");
        } else {
            tracing::warn!(
                primary = %self.primary,
                backup = self.backup.as_deref().unwrap_or("none"),
                "cloud api primary endpoint unhealthy after {SWITCH_AFTER} bad probes"
            );
        }
    }

    /// The base URL to use now, without a trailing slash.
    pub fn current(&self) -> &str {
        match (&self.backup, self.is_on_backup()) {
            (Some(backup), true) => backup,
            _ => &self.primary,
        }
    }

    /// The primary base URL, which the prober always probes.
    pub fn primary(&self) -> &str {
        &self.primary
    }

    /// Whether calls currently go to the backup.
    pub fn is_on_backup(&self) -> bool {
        self.on_backup.load(Ordering::Acquire)
    }

    /// Whether the primary is considered healthy (also tracked without a backup).
    pub fn primary_healthy(&self) -> bool {
        self.streaks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .primary_healthy
    }

    /// How many times the current endpoint changed.
    pub fn switches(&self) -> u64 {
        self.switches.load(Ordering::Relaxed)
    }
}

/// Probes the primary of `client.health()` every `interval` until `shutdown` completes.
///
/// The first probe goes out at once. A probe that fails is recorded as bad with the
/// time it took; its error is logged at debug level.
pub async fn run_prober(
    client: &CloudClient,
    interval: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let health = client.health();
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = ticker.tick() => {}
        }
        let started = tokio::time::Instant::now();
        let outcome = tokio::select! {
            () = &mut shutdown => return,
            r = client.probe() => r,
        };
        match outcome {
            Ok(latency) => health.record(latency, true),
            Err(e) => {
                tracing::debug!(error = %e, "cloud api probe failed");
                health.record(started.elapsed(), false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SLOW: Duration = Duration::from_secs(2);
    const FAST: Duration = Duration::from_millis(100);

    fn with_backup() -> EndpointHealth {
        EndpointHealth::new("https://primary/", Some("https://backup".into()))
    }

    #[test]
    fn two_slow_then_fast_does_not_switch() {
        let h = with_backup();
        for latency in [SLOW, SLOW, FAST, SLOW, SLOW] {
            h.record(latency, true);
        }
        assert_eq!(h.current(), "https://primary");
        assert!(!h.is_on_backup());
        assert_eq!(h.switches(), 0);
    }

    #[test]
    fn three_bad_switch_and_three_good_switch_back() {
        let h = with_backup();
        h.record(SLOW, true);
        h.record(FAST, false);
        h.record(SLOW, true);
        assert!(h.is_on_backup());
        assert_eq!(h.current(), "https://backup");
        assert!(!h.primary_healthy());
        // Good, good, bad resets the recovery count.
        for (latency, ok) in [(FAST, true), (FAST, true), (FAST, false)] {
            h.record(latency, ok);
        }
        assert!(h.is_on_backup());
        for _ in 0..3 {
            h.record(FAST, true);
        }
        assert_eq!(h.current(), "https://primary");
        assert!(h.primary_healthy());
        assert_eq!(h.switches(), 2);
    }

    #[test]
    fn without_backup_stays_on_primary_but_reports_unhealthy() {
        let h = EndpointHealth::new("https://primary", None);
        for _ in 0..5 {
            h.record(SLOW, true);
        }
        assert_eq!(h.current(), "https://primary");
        assert!(!h.is_on_backup());
        assert!(!h.primary_healthy());
        assert_eq!(h.switches(), 0);
    }

    #[test]
    fn threshold_is_configurable() {
        let h = with_backup().with_threshold(Duration::from_millis(50));
        for _ in 0..3 {
            h.record(FAST, true);
        }
        assert!(h.is_on_backup());
    }
}
