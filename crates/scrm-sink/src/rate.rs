//! A destination's own rate limit: at most N calls per second, on the worker's clock.
//!
//! A governor GCRA limiter with a burst of N, read through scrm's one clock, so a test
//! moves it with a `ManualClock` and shutdown ends a wait for it at once.

use std::num::NonZeroU32;

use governor::clock::Clock as _;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use scrm_time::governor::{wait_ms, GovernorClock};
use scrm_time::{SharedClock, Wait};
use tokio_util::sync::CancellationToken;

/// Calls per second to one destination.
pub struct RateLimit {
    limiter: RateLimiter<NotKeyed, InMemoryState, GovernorClock, NoOpMiddleware<Nanos>>,
    clock: GovernorClock,
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit").finish_non_exhaustive()
    }
}

impl RateLimit {
    pub fn per_second(calls: NonZeroU32, clock: SharedClock) -> Self {
        let clock = GovernorClock(clock);
        RateLimit {
            limiter: RateLimiter::direct_with_clock(Quota::per_second(calls), clock.clone()),
            clock,
        }
    }

    /// Waits for a slot and takes it; [`Wait::Cancelled`] (no slot) on shutdown.
    pub async fn acquire(&self, cancel: &CancellationToken) -> Wait {
        loop {
            match self.limiter.check() {
                Ok(()) => return Wait::Elapsed,
                Err(not_until) => {
                    let wait = wait_ms(not_until.wait_time_from(self.clock.now()));
                    if self.clock.clock().wait(wait, cancel).await == Wait::Cancelled {
                        return Wait::Cancelled;
                    }
                }
            }
        }
    }
}
