//! Sliding-window counters over event time, kept as fixed-width time buckets.
//!
//! A counter holds at most `horizon / bucket` buckets, however many events it counts, so a
//! customer's state stays small. Counts are exact to the bucket: "in the last 7 days" with
//! hourly buckets counts from the start of the hour 7 days ago. Events arriving late but
//! inside the horizon land in their own bucket; older ones are dropped.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowCounter {
    bucket_ms: i64,
    horizon_ms: i64,
    /// (bucket start, count), oldest first, no two with the same start.
    buckets: Vec<(i64, u32)>,
}

impl WindowCounter {
    /// A counter answering questions up to `horizon_ms` back, in buckets of `bucket_ms`.
    pub fn new(bucket_ms: i64, horizon_ms: i64) -> Self {
        assert!(bucket_ms > 0 && horizon_ms >= bucket_ms, "bad window shape");
        Self {
            bucket_ms,
            horizon_ms,
            buckets: Vec::new(),
        }
    }

    pub fn bucket_ms(&self) -> i64 {
        self.bucket_ms
    }

    pub fn horizon_ms(&self) -> i64 {
        self.horizon_ms
    }

    fn start_of(&self, at_ms: i64) -> i64 {
        at_ms.div_euclid(self.bucket_ms) * self.bucket_ms
    }

    /// Counts `n` at `at_ms`; `now_ms` (stream time) decides what has left the horizon.
    pub fn add(&mut self, at_ms: i64, n: u32, now_ms: i64) {
        self.expire(now_ms);
        let start = self.start_of(at_ms);
        if start + self.bucket_ms <= now_ms - self.horizon_ms {
            return;
        }
        match self.buckets.binary_search_by_key(&start, |b| b.0) {
            Ok(i) => self.buckets[i].1 = self.buckets[i].1.saturating_add(n),
            Err(i) => self.buckets.insert(i, (start, n)),
        }
    }

    /// Drops buckets wholly older than the horizon.
    pub fn expire(&mut self, now_ms: i64) {
        let oldest = now_ms - self.horizon_ms;
        let keep_from = self
            .buckets
            .partition_point(|&(start, _)| start + self.bucket_ms <= oldest);
        if keep_from > 0 {
            self.buckets.drain(..keep_from);
        }
    }

    /// Events counted in `[now - window, now]`, to the bucket.
    pub fn count_within(&self, window_ms: i64, now_ms: i64) -> u64 {
        let from = self.start_of(now_ms - window_ms.min(self.horizon_ms));
        self.buckets
            .iter()
            .filter(|&&(start, _)| start >= from && start <= now_ms)
            .map(|&(_, n)| u64::from(n))
            .sum()
    }

    /// Events counted in `[from, to)`, bucket-aligned.
    pub fn count_between(&self, from_ms: i64, to_ms: i64) -> u64 {
        let from = self.start_of(from_ms);
        self.buckets
            .iter()
            .filter(|&&(start, _)| start >= from && start < to_ms)
            .map(|&(_, n)| u64::from(n))
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    pub fn buckets(&self) -> &[(i64, u32)] {
        &self.buckets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;
    const D: i64 = 24 * H;

    #[test]
    fn counts_inside_the_window_only() {
        let mut c = WindowCounter::new(H, 30 * D);
        let t0 = 1_000 * D;
        c.add(t0, 1, t0);
        c.add(t0 + 2 * D, 2, t0 + 2 * D);
        c.add(t0 + 8 * D, 4, t0 + 8 * D);
        assert_eq!(c.count_within(7 * D, t0 + 8 * D), 6);
        assert_eq!(c.count_within(30 * D, t0 + 8 * D), 7);
        assert_eq!(c.count_between(t0, t0 + 3 * D), 3);
    }

    #[test]
    fn stays_bounded_and_drops_expired_buckets() {
        let mut c = WindowCounter::new(H, 2 * D);
        for i in 0..10_000 {
            c.add(i * 600_000, 1, i * 600_000);
        }
        assert!(c.buckets().len() <= 49, "{}", c.buckets().len());
        let now = 9_999 * 600_000;
        // From the start of the previous hour: 6 events in it, 4 so far in this one.
        assert_eq!(c.count_within(H, now), 6 + 4);
    }

    #[test]
    fn late_events_land_in_their_bucket_and_too_late_ones_are_dropped() {
        let mut c = WindowCounter::new(H, D);
        let now = 100 * D;
        c.add(now, 1, now);
        c.add(now - 5 * H, 1, now);
        c.add(now - 2 * D, 1, now);
        assert_eq!(c.buckets().len(), 2);
        assert_eq!(c.buckets()[0].0, now - 5 * H);
    }
}
