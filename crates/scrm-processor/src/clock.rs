//! The processor tells wall-clock time through `scrm_time`'s one [`Clock`] (live mode's idle
//! time, the plausibility of event times). Re-exported so callers of the processor need not
//! name scrm-time.

pub use scrm_time::{Clock, ManualClock, SharedClock, SystemClock};
