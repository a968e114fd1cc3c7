//! The event-time merge of a partition's inputs, as a pure decision: given what each input
//! has buffered and where it stands against its high watermark, which record goes next?
//!
//! No I/O and no clock reads: the caller passes the heads, positions and watermarks it
//! knows, the wall-clock time and a monotonic time, and acts on the [`Choice`]. The
//! partition task uses it live; a replay tool can run the same rule over recorded inputs
//! and get the same order.
//!
//! The rule: the next record is the earliest head among the inputs (ties by input index,
//! then offset). An input with nothing buffered whose log holds more (position < high
//! watermark) holds the others back, since it may hold an earlier record. In live mode, a
//! head later than the wall clock minus `grace` also waits — at most `grace`, counted on
//! the monotonic clock — while some input is silent, so a record a little late on another
//! input is still applied in order.

/// The first buffered record of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    pub timestamp_ms: i64,
    pub offset: u64,
}

/// What the merge knows of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputView {
    /// The first buffered record; `None` when nothing is buffered.
    pub head: Option<Head>,
    /// The next offset the reader will fetch.
    pub position: u64,
    /// The log's high watermark as last seen.
    pub high_watermark: u64,
}

impl InputView {
    /// Nothing buffered, but the log holds more.
    fn behind(&self) -> bool {
        self.head.is_none() && self.position < self.high_watermark
    }
}

/// How the merge tells time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeMode {
    /// Event time only: the order depends on the inputs alone.
    Event,
    /// A head later than the wall clock minus `grace_ms` waits for it, at most `grace_ms`.
    Live { grace_ms: i64 },
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Apply the head of input `i`.
    Next(usize),
    /// Input `i` has records in its log not fetched yet; nothing may go before them.
    Behind(usize),
    /// The earliest head waits for the wall clock (live mode) until the monotonic time
    /// `until_mono_ms` at the latest.
    Hold { until_mono_ms: u64 },
    /// Nothing is buffered.
    Empty,
}

/// The merge's memory between calls: which head is being held since when.
#[derive(Debug, Clone)]
pub struct Merge {
    mode: MergeMode,
    held: Option<(i64, u64)>,
}

impl Merge {
    pub fn new(mode: MergeMode) -> Self {
        Self { mode, held: None }
    }

    /// Chooses among `inputs` at wall-clock time `wall_ms` and monotonic time `mono_ms`.
    pub fn choose(&mut self, inputs: &[InputView], wall_ms: i64, mono_ms: u64) -> Choice {
        let Some(best) = earliest(inputs) else {
            return Choice::Empty;
        };
        if let Some(i) = inputs.iter().position(InputView::behind) {
            return Choice::Behind(i);
        }
        let best_ts = inputs[best].head.expect("earliest has a head").timestamp_ms;
        if let MergeMode::Live { grace_ms } = self.mode {
            let silent = inputs.iter().any(|i| i.head.is_none());
            if silent && best_ts > wall_ms.saturating_sub(grace_ms) {
                let since = match self.held {
                    Some((ts, since)) if ts == best_ts => since,
                    _ => {
                        self.held = Some((best_ts, mono_ms));
                        mono_ms
                    }
                };
                let until = since.saturating_add(u64::try_from(grace_ms).unwrap_or(0));
                if mono_ms < until {
                    return Choice::Hold {
                        until_mono_ms: until,
                    };
                }
            }
        }
        self.held = None;
        Choice::Next(best)
    }
}

/// The input with the earliest head (ties by index, then offset).
pub fn earliest(inputs: &[InputView]) -> Option<usize> {
    inputs
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.head.map(|h| ((h.timestamp_ms, i, h.offset), i)))
        .min()
        .map(|(_, i)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(ts: i64, offset: u64) -> InputView {
        InputView {
            head: Some(Head {
                timestamp_ms: ts,
                offset,
            }),
            position: offset + 1,
            high_watermark: offset + 1,
        }
    }

    fn silent(position: u64, high: u64) -> InputView {
        InputView {
            head: None,
            position,
            high_watermark: high,
        }
    }

    #[test]
    fn the_earliest_head_goes_first_ties_by_input() {
        let mut m = Merge::new(MergeMode::Event);
        assert_eq!(
            m.choose(&[with(5, 0), with(3, 9), with(4, 1)], 0, 0),
            Choice::Next(1)
        );
        assert_eq!(m.choose(&[with(3, 0), with(3, 9)], 0, 0), Choice::Next(0));
        assert_eq!(m.choose(&[silent(0, 0), silent(4, 4)], 0, 0), Choice::Empty);
    }

    #[test]
    fn an_input_behind_its_watermark_holds_the_others_back() {
        let mut m = Merge::new(MergeMode::Event);
        assert_eq!(
            m.choose(&[with(1, 0), silent(2, 5)], 0, 0),
            Choice::Behind(1)
        );
        // At its end, it holds nothing back.
        assert_eq!(m.choose(&[with(1, 0), silent(5, 5)], 0, 0), Choice::Next(0));
    }

    #[test]
    fn event_mode_ignores_both_clocks() {
        let inputs = [with(1_000, 0), silent(3, 3)];
        let mut m = Merge::new(MergeMode::Event);
        for (wall, mono) in [(0, 0), (i64::MIN, 7), (i64::MAX, u64::MAX)] {
            assert_eq!(m.choose(&inputs, wall, mono), Choice::Next(0));
        }
    }

    #[test]
    fn live_mode_holds_a_fresh_head_for_grace_at_most() {
        let mut m = Merge::new(MergeMode::Live { grace_ms: 2_000 });
        let inputs = [with(10_000, 0), silent(3, 3)];
        // The wall clock has not passed the head by `grace`: hold, counting from now.
        assert_eq!(
            m.choose(&inputs, 9_000, 100),
            Choice::Hold {
                until_mono_ms: 2_100
            }
        );
        assert_eq!(
            m.choose(&inputs, 9_000, 2_099),
            Choice::Hold {
                until_mono_ms: 2_100
            }
        );
        // Held long enough (clock skew): it goes.
        assert_eq!(m.choose(&inputs, 9_000, 2_100), Choice::Next(0));
        // Once the wall clock is past it, it goes at once.
        let mut m = Merge::new(MergeMode::Live { grace_ms: 2_000 });
        assert_eq!(m.choose(&inputs, 12_000, 0), Choice::Next(0));
        // With no input silent, nothing can arrive earlier: no hold.
        let mut m = Merge::new(MergeMode::Live { grace_ms: 2_000 });
        assert_eq!(
            m.choose(&[with(10_000, 0), with(10_001, 0)], 0, 0),
            Choice::Next(0)
        );
    }

    #[test]
    fn a_new_head_restarts_the_hold() {
        let mut m = Merge::new(MergeMode::Live { grace_ms: 1_000 });
        let a = [with(10_000, 0), silent(0, 0)];
        let b = [with(9_999, 1), silent(0, 0)];
        assert_eq!(
            m.choose(&a, 0, 0),
            Choice::Hold {
                until_mono_ms: 1_000
            }
        );
        assert_eq!(
            m.choose(&b, 0, 900),
            Choice::Hold {
                until_mono_ms: 1_900
            }
        );
    }
}
