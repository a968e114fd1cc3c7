//! governor's clock on scrm's [`Clock`]: rate limiters (the sender's throughput per
//! number, a sink's calls per second) read the same time as everything else, so a test's
//! [`crate::ManualClock`] moves them too and nothing keeps a second notion of time.

use std::time::Duration;

use ::governor::nanos::Nanos;

use crate::SharedClock;

/// A governor clock reading a [`SharedClock`]. Instants are nanoseconds since the Unix
/// epoch at millisecond resolution (scrm's clock is in milliseconds); a time before the
/// epoch reads as the epoch.
#[derive(Debug, Clone)]
pub struct GovernorClock(pub SharedClock);

impl GovernorClock {
    /// The scrm clock behind it.
    pub fn clock(&self) -> &SharedClock {
        &self.0
    }
}

impl ::governor::clock::Clock for GovernorClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        let ms = u64::try_from(self.0.now_ms()).unwrap_or(0);
        Nanos::new(ms.saturating_mul(1_000_000))
    }
}

/// A wait governor asks for, rounded up to whole milliseconds and at least one, so a
/// waiter on a millisecond clock neither wakes too early nor spins on a zero wait.
pub fn wait_ms(wait: Duration) -> Duration {
    let ms = wait.as_nanos().div_ceil(1_000_000).max(1);
    Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ManualClock;
    use ::governor::{Quota, RateLimiter};
    use std::num::NonZeroU32;

    #[test]
    fn a_limiter_on_a_manual_clock_refills_only_when_the_clock_moves() {
        let clock = ManualClock::new(5_000);
        let limiter = RateLimiter::direct_with_clock(
            Quota::per_second(NonZeroU32::new(2).unwrap()),
            GovernorClock(clock.shared()),
        );
        assert!(limiter.check().is_ok());
        assert!(limiter.check().is_ok());
        let refused = limiter.check().unwrap_err();
        let wait = refused.wait_time_from(::governor::clock::Clock::now(&GovernorClock(
            clock.shared(),
        )));
        assert_eq!(wait_ms(wait), Duration::from_millis(500));
        clock.advance(Duration::from_millis(499));
        assert!(limiter.check().is_err());
        clock.advance(Duration::from_millis(1));
        assert!(limiter.check().is_ok());
        assert_eq!(wait_ms(Duration::from_nanos(1)), Duration::from_millis(1));
        assert_eq!(
            wait_ms(Duration::from_micros(12_500)),
            Duration::from_millis(13)
        );
    }
}
