//! Slowing down after the Cloud API says "too fast".
//!
//! [`PairPacing`] handles 131056 (pair rate limit: too many messages from one business
//! number to one user in a short time): that user gets nothing more until a per-user
//! backoff has passed, 6 s doubling up to 1 min, reset by a successful send.
//! [`Backoff`] is the retry delay after 130429 or a transient failure: exponential with
//! full jitter, seedable so tests are repeatable.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use scrm_time::SharedClock;

/// First pause for a recipient after a 131056.
pub const PAIR_BACKOFF_START: Duration = Duration::from_secs(6);
/// Longest pause for a recipient after repeated 131056s.
pub const PAIR_BACKOFF_MAX: Duration = Duration::from_secs(60);

/// Past this many tracked recipients, entries idle for longer than [`PAIR_BACKOFF_MAX`]
/// are forgotten, so the map cannot grow without bound.
const PRUNE_ABOVE: usize = 10_000;

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Per-recipient pauses after pair-rate-limit errors (131056), on scrm's one clock.
pub struct PairPacing {
    clock: SharedClock,
    paused: Mutex<HashMap<String, Pause>>,
}

#[derive(Debug, Clone, Copy)]
struct Pause {
    until_ms: i64,
    backoff: Duration,
}

impl std::fmt::Debug for PairPacing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairPacing")
            .field("paused", &self.lock().len())
            .finish_non_exhaustive()
    }
}

impl PairPacing {
    /// No recipient paused.
    pub fn new(clock: SharedClock) -> Self {
        Self {
            clock,
            paused: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pause>> {
        self.paused.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a 131056 for `recipient`: pauses it for 6 s, or twice its last pause (at
    /// most 1 min) if it was paused before without a success since. Returns the pause.
    pub fn record_pair_limited(&self, recipient: &str) -> Duration {
        let now = self.clock.now_ms();
        let mut paused = self.lock();
        if paused.len() > PRUNE_ABOVE {
            let idle = ms(PAIR_BACKOFF_MAX);
            paused.retain(|_, p| now.saturating_sub(p.until_ms) < idle);
        }
        let backoff = match paused.get(recipient) {
            Some(p) => (p.backoff * 2).min(PAIR_BACKOFF_MAX),
            None => PAIR_BACKOFF_START,
        };
        let until_ms = now.saturating_add(ms(backoff));
        paused.insert(recipient.to_owned(), Pause { until_ms, backoff });
        backoff
    }

    /// Records a successful send to `recipient`, which resets its backoff.
    pub fn record_success(&self, recipient: &str) {
        self.lock().remove(recipient);
    }

    /// When (clock milliseconds) `recipient` may be sent to again; `None` if it may be now.
    pub fn ready_at(&self, recipient: &str) -> Option<i64> {
        let now = self.clock.now_ms();
        self.lock()
            .get(recipient)
            .map(|p| p.until_ms)
            .filter(|until| *until > now)
    }

    /// Whether `recipient` may be sent to now.
    ///
    /// # Errors
    ///
    /// How long to wait before it may.
    pub fn check(&self, recipient: &str) -> Result<(), Duration> {
        match self.ready_at(recipient) {
            None => Ok(()),
            Some(until) => {
                let wait = until.saturating_sub(self.clock.now_ms()).max(0);
                Err(Duration::from_millis(u64::try_from(wait).unwrap_or(0)))
            }
        }
    }
}

/// Retry delays: exponential with full jitter (a uniform draw between zero and
/// `min(cap, base * 2^attempt)`), which spreads retries of many senders apart.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    rng: StdRng,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

impl Backoff {
    /// Base 1 s, cap 60 s, seeded from the OS.
    pub fn new() -> Self {
        Self::with_rng(StdRng::from_entropy())
    }

    /// Base 1 s, cap 60 s, with a fixed seed: the same delays every run.
    pub fn seeded(seed: u64) -> Self {
        Self::with_rng(StdRng::seed_from_u64(seed))
    }

    fn with_rng(rng: StdRng) -> Self {
        Self {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(60),
            rng,
        }
    }

    /// The same with another base and cap.
    pub fn with_bounds(mut self, base: Duration, cap: Duration) -> Self {
        self.base = base;
        self.cap = cap;
        self
    }

    /// Upper bound of the delay before retry number `attempt` (0 for the first retry).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// The delay before retry number `attempt` (0 for the first retry).
    pub fn delay(&mut self, attempt: u32) -> Duration {
        let ceiling = u64::try_from(self.ceiling(attempt).as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(self.rng.gen_range(0..=ceiling))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scrm_time::ManualClock;

    #[test]
    fn pair_backoff_doubles_caps_and_resets() {
        let clock = ManualClock::new(0);
        let p = PairPacing::new(clock.shared());
        let who = "85291234567";
        assert_eq!(p.ready_at(who), None);
        let pauses: Vec<u64> = (0..6)
            .map(|_| p.record_pair_limited(who).as_secs())
            .collect();
        assert_eq!(pauses, [6, 12, 24, 48, 60, 60]);
        assert_eq!(p.check(who), Err(Duration::from_secs(60)));
        assert!(p.check("85290000000").is_ok(), "others are not paused");

        clock.advance(Duration::from_secs(59));
        assert_eq!(p.check(who), Err(Duration::from_secs(1)));
        clock.advance(Duration::from_secs(1));
        assert_eq!(p.ready_at(who), None);

        // Still remembered: the next 131056 keeps the long pause until a success.
        assert_eq!(p.record_pair_limited(who), PAIR_BACKOFF_MAX);
        p.record_success(who);
        assert!(p.check(who).is_ok());
        assert_eq!(p.record_pair_limited(who), PAIR_BACKOFF_START);
        let at = p.ready_at(who).expect("paused");
        assert_eq!(at, 66_000);
    }

    #[test]
    fn backoff_is_bounded_and_seeded() {
        let mut a = Backoff::seeded(7);
        let mut b = Backoff::seeded(7);
        for attempt in 0..40 {
            let d = a.delay(attempt);
            assert_eq!(d, b.delay(attempt), "same seed, same delays");
            assert!(d <= a.ceiling(attempt));
            assert!(d <= Duration::from_secs(60));
        }
        assert_eq!(a.ceiling(0), Duration::from_secs(1));
        assert_eq!(a.ceiling(3), Duration::from_secs(8));
        assert_eq!(a.ceiling(6), Duration::from_secs(60));
        assert_eq!(a.ceiling(u32::MAX), Duration::from_secs(60));
        // Full jitter: draws spread over the whole range, not just near the ceiling.
        let draws: Vec<Duration> = (0..200).map(|_| a.delay(10)).collect();
        assert!(draws.iter().any(|d| *d < Duration::from_secs(15)));
        assert!(draws.iter().any(|d| *d > Duration::from_secs(45)));
    }
}
