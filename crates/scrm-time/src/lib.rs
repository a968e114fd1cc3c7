//! Time for scrm, in one place.
//!
//! - [`clock`]: the one [`Clock`] every part reads the wall clock through — the processor's
//!   live mode, the delivery workers, the sender's pacing and backoff. Production uses
//!   [`SystemClock`]; tests use [`ManualClock`] and move time by hand, and a wait on a
//!   manual clock ends as soon as the test moves the clock past its deadline, so no test
//!   sleeps to wait out a window. Waits also end on cancellation.
//! - `governor` (feature `governor`): governor's rate limiters on that same clock.
//! - [`plausible`]: event times come from outside (producers, the webhook, the shop's order
//!   service) and are not trusted: [`TimeBounds`] refuses a time too far ahead of the wall
//!   clock or before any plausible date, naming the likely unit mistake (seconds or
//!   microseconds for milliseconds), so one bad clock cannot move a partition's stream
//!   time and expire everyone else.

pub mod clock;
#[cfg(feature = "governor")]
pub mod governor;
pub mod plausible;

pub use clock::{Clock, ManualClock, SharedClock, SystemClock, Wait};
pub use plausible::{format_ms, TimeBounds, TimeError};
