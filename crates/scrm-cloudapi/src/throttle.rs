//! Throughput limit of one business phone number: at most N messages per second.
//!
//! The Cloud API's default throughput is 80 messages per second per business number
//! (error 130429 beyond it). [`Throttle`] is a governor GCRA limiter with a burst of N,
//! so a full second's worth may go at once and then one every 1/N s. The clock is a
//! parameter: [`TokioClock`] in production, which follows tokio's clock and so also
//! `tokio::time::pause()`, or governor's `FakeRelativeClock` in unit tests.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

/// The Cloud API's default throughput per business number, in messages per second.
pub const DEFAULT_PER_SECOND: NonZeroU32 = match NonZeroU32::new(80) {
    Some(n) => n,
    None => panic!("80 is not zero"),
};

/// A governor clock on tokio's time: instants are nanoseconds since the clock was made.
///
/// Under `tokio::time::pause()` it stands still until tokio's time advances, so code
/// that sleeps for a [`Throttle`]'s wait is testable without waiting.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    start: tokio::time::Instant,
}

impl TokioClock {
    /// A clock starting now.
    pub fn new() -> Self {
        Self {
            start: tokio::time::Instant::now(),
        }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TokioClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        let since = self.start.elapsed().as_nanos();
        // 584 years of uptime saturate rather than wrap.
        Nanos::new(u64::try_from(since).unwrap_or(u64::MAX))
    }
}

/// Messages-per-second limit of one business number.
pub struct Throttle<C: Clock = TokioClock> {
    limiter: RateLimiter<NotKeyed, InMemoryState, C, NoOpMiddleware<C::Instant>>,
    clock: C,
    per_second: NonZeroU32,
}

impl<C: Clock> std::fmt::Debug for Throttle<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("per_second", &self.per_second)
            .finish_non_exhaustive()
    }
}

impl<C: Clock + Clone> Throttle<C> {
    /// A limiter letting `per_second` messages through per second, with a burst of as
    /// many.
    pub fn new(per_second: NonZeroU32, clock: C) -> Self {
        Self {
            limiter: RateLimiter::direct_with_clock(Quota::per_second(per_second), clock.clone()),
            clock,
            per_second,
        }
    }
}

impl<C: Clock> Throttle<C> {
    /// The configured rate.
    pub fn per_second(&self) -> NonZeroU32 {
        self.per_second
    }

    /// Takes one message slot now, or says how long to wait for the next one.
    ///
    /// # Errors
    ///
    /// The wait until a slot frees up; no slot was taken.
    pub fn check(&self) -> Result<(), Duration> {
        self.limiter
            .check()
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Waits (with tokio's timer) until a slot is free and takes it.
    ///
    /// Only useful with a clock that moves while tokio sleeps, such as [`TokioClock`];
    /// with a `FakeRelativeClock` nobody advances, it would wait forever.
    pub async fn until_ready(&self) {
        loop {
            match self.check() {
                Ok(()) => return,
                // A zero wait would spin; governor's resolution is 1 ns.
                Err(wait) => tokio::time::sleep(wait.max(Duration::from_nanos(1))).await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    #[test]
    fn burst_of_n_then_one_per_interval() {
        let clock = FakeRelativeClock::default();
        let n = 80;
        let t = Throttle::new(NonZeroU32::new(n).expect("nonzero"), clock.clone());
        for i in 0..n {
            assert_eq!(t.check(), Ok(()), "send {i} of the burst");
        }
        let wait = t.check().expect_err("burst exhausted");
        let slot = Duration::from_secs(1) / n;
        assert!(wait > Duration::ZERO && wait <= slot, "wait {wait:?}");
        clock.advance(slot);
        assert_eq!(t.check(), Ok(()));
        assert!(t.check().is_err());
    }

    #[test]
    fn a_quiet_second_refills_the_burst() {
        let clock = FakeRelativeClock::default();
        let t = Throttle::new(NonZeroU32::new(5).expect("nonzero"), clock.clone());
        for _ in 0..5 {
            t.check().expect("burst");
        }
        assert!(t.check().is_err());
        clock.advance(Duration::from_secs(1));
        for _ in 0..5 {
            t.check().expect("refilled");
        }
        assert!(t.check().is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn until_ready_sleeps_on_tokio_time() {
        let t = Throttle::new(NonZeroU32::new(10).expect("nonzero"), TokioClock::new());
        let start = tokio::time::Instant::now();
        for _ in 0..15 {
            t.until_ready().await;
        }
        // Paused time only moves by the sleeps: 5 slots of 100 ms after the burst.
        assert_eq!(start.elapsed(), Duration::from_millis(500));
        assert_eq!(DEFAULT_PER_SECOND.get(), 80);
    }
}
