//! Throughput limit of one business phone number: at most N messages per second.
//!
//! The Cloud API's default throughput is 80 messages per second per business number
//! (error 130429 beyond it). [`Throttle`] is a governor GCRA limiter with a burst of N,
//! so a full second's worth may go at once and then one every 1/N s. It reads scrm's one
//! clock ([`scrm_time::SharedClock`], through [`GovernorClock`]): the system clock in
//! production, a `ManualClock` in tests, which then move it by hand.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock as _;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use scrm_time::governor::{wait_ms, GovernorClock};
use scrm_time::{SharedClock, Wait};
use tokio_util::sync::CancellationToken;

/// The Cloud API's default throughput per business number, in messages per second.
pub const DEFAULT_PER_SECOND: NonZeroU32 = match NonZeroU32::new(80) {
    Some(n) => n,
    None => panic!("80 is not zero"),
};

/// Messages-per-second limit of one business number.
pub struct Throttle {
    limiter: RateLimiter<NotKeyed, InMemoryState, GovernorClock, NoOpMiddleware<Nanos>>,
    clock: GovernorClock,
    per_second: NonZeroU32,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("per_second", &self.per_second)
            .finish_non_exhaustive()
    }
}

impl Throttle {
    /// A limiter letting `per_second` messages through per second, with a burst of as
    /// many, on `clock`.
    pub fn new(per_second: NonZeroU32, clock: SharedClock) -> Self {
        let clock = GovernorClock(clock);
        Self {
            limiter: RateLimiter::direct_with_clock(Quota::per_second(per_second), clock.clone()),
            clock,
            per_second,
        }
    }

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

    /// Waits on the clock until a slot is free and takes it; a cancellation ends the wait
    /// at once without a slot ([`Wait::Cancelled`]).
    pub async fn until_ready(&self, cancel: &CancellationToken) -> Wait {
        loop {
            match self.check() {
                Ok(()) => return Wait::Elapsed,
                Err(wait) => {
                    if self.clock.clock().wait(wait_ms(wait), cancel).await == Wait::Cancelled {
                        return Wait::Cancelled;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scrm_time::{Clock, ManualClock};

    #[test]
    fn burst_of_n_then_one_per_interval() {
        let clock = ManualClock::new(0);
        let n = 80;
        let t = Throttle::new(NonZeroU32::new(n).expect("nonzero"), clock.shared());
        for i in 0..n {
            assert_eq!(t.check(), Ok(()), "send {i} of the burst");
        }
        let wait = t.check().expect_err("burst exhausted");
        let slot = Duration::from_secs(1) / n;
        assert!(wait > Duration::ZERO && wait <= slot, "wait {wait:?}");
        clock.advance(wait_ms(slot));
        assert_eq!(t.check(), Ok(()));
        assert!(t.check().is_err());
    }

    #[test]
    fn a_quiet_second_refills_the_burst() {
        let clock = ManualClock::new(0);
        let t = Throttle::new(NonZeroU32::new(5).expect("nonzero"), clock.shared());
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

    #[tokio::test]
    async fn until_ready_waits_on_the_clock_and_ends_on_cancellation() {
        let clock = ManualClock::new(0);
        let t = std::sync::Arc::new(Throttle::new(
            NonZeroU32::new(10).expect("nonzero"),
            clock.shared(),
        ));
        let cancel = CancellationToken::new();
        for _ in 0..10 {
            assert_eq!(t.until_ready(&cancel).await, Wait::Elapsed);
        }
        // The 11th waits for the clock: 100 ms after the burst.
        let waiter = {
            let (t, cancel) = (t.clone(), cancel.clone());
            tokio::spawn(async move { t.until_ready(&cancel).await })
        };
        while clock.next_deadline().is_none() {
            tokio::task::yield_now().await;
        }
        assert_eq!(clock.next_deadline(), Some(100));
        clock.set(100);
        assert_eq!(waiter.await.unwrap(), Wait::Elapsed);
        assert_eq!(clock.now_ms(), 100);
        // A wait that cancellation ends takes no slot.
        let waiter = {
            let (t, cancel) = (t.clone(), cancel.clone());
            tokio::spawn(async move { t.until_ready(&cancel).await })
        };
        cancel.cancel();
        assert_eq!(waiter.await.unwrap(), Wait::Cancelled);
        assert_eq!(DEFAULT_PER_SECOND.get(), 80);
    }
}
