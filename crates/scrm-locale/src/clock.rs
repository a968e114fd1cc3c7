//! Local-time arithmetic on UTC epoch milliseconds: the next time a wall
//! clock shows a given time, quiet hours, and local calendar days.
//!
//! # Conventions
//!
//! * Instants are `i64` milliseconds since 1970-01-01T00:00:00Z; nothing here
//!   reads the system clock.
//! * Turning a local wall time into an instant (the only lossy step) follows
//!   one rule everywhere: a wall time **skipped** by a spring-forward gap
//!   becomes the first instant after the gap (the transition instant, when
//!   the clock shows e.g. 03:00); a wall time that is **repeated** by a
//!   fall-back becomes the **earlier** of its two instants — except in
//!   [`quiet_until`], which needs an instant after its input and so takes the
//!   later one when the earlier has already passed.
//! * Inputs outside [`MIN_SUPPORTED_MS`]..=[`MAX_SUPPORTED_MS`] (about
//!   ±126 000 years) are clamped into that range, so no `i64` panics.
//! * Zone rules come from the tz database bundled in `chrono-tz`, which
//!   tabulates transitions up to 2099 (later instants keep the last offset).

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Weekday,
};
use chrono_tz::{GapInfo, Tz};

pub use crate::local_time::{parse_weekday, LocalTime};

/// Smallest instant handled; smaller inputs are clamped to it (≈ year −124 000).
pub const MIN_SUPPORTED_MS: i64 = -4_000_000_000_000_000;
/// Largest instant handled; larger inputs are clamped to it (≈ year 128 000).
pub const MAX_SUPPORTED_MS: i64 = 4_000_000_000_000_000;

/// Days from 0001-01-01 (day 1 in chrono's count) to 1970-01-01.
const UNIX_EPOCH_DAY_FROM_CE: i64 = 719_163;

fn clamp_ms(ms: i64) -> i64 {
    ms.clamp(MIN_SUPPORTED_MS, MAX_SUPPORTED_MS)
}

/// Local wall-clock date and time of an instant (input clamped first).
fn local_naive(ms: i64, tz: Tz) -> NaiveDateTime {
    let utc = DateTime::from_timestamp_millis(clamp_ms(ms)).unwrap_or_default();
    utc.with_timezone(&tz).naive_local()
}

/// All instants (ms, ascending) at which the clock in `tz` shows `local`, or,
/// if `local` is skipped by a gap, the single instant that ends the gap.
fn instants_of(tz: Tz, local: NaiveDateTime) -> (i64, Option<i64>) {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(dt) => (dt.timestamp_millis(), None),
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.timestamp_millis(), b.timestamp_millis());
            (a.min(b), Some(a.max(b)))
        }
        LocalResult::None => (gap_end(tz, local), None),
    }
}

/// The first instant after the gap that skips `local`.
fn gap_end(tz: Tz, local: NaiveDateTime) -> i64 {
    if let Some(end) = GapInfo::new(&local, &tz).and_then(|gap| gap.end) {
        return end.timestamp_millis();
    }
    // Only reachable at the very ends of the zone table: read `local` with
    // the offset in force at the instant that has the same digits in UTC.
    let offset = tz.offset_from_utc_datetime(&local).fix();
    (local - offset).and_utc().timestamp_millis()
}

/// The instant a wall time maps to under the crate-wide rule (gap → end of
/// gap, repeated → earlier).
fn resolve(tz: Tz, local: NaiveDateTime) -> i64 {
    instants_of(tz, local).0
}

/// The first instant `>= after_ms` at which the wall clock in `tz` shows `at`
/// — on a `weekday` when one is given.
///
/// Each local date contributes exactly one candidate instant, resolved as
/// described in the [module docs](self): a time skipped by a spring-forward
/// gap yields the instant the gap ends (Paris, 2024-03-31, `02:30` →
/// 01:00Z, when clocks show 03:00), and a repeated time yields its earlier
/// instant only — the second occurrence of `02:30` on a fall-back night is
/// never returned, so a daily job scheduled from its own previous run does
/// not fire twice that night.
///
/// The result is less than `after_ms + 8 days` with a weekday, or
/// `after_ms + 1 day + 1 hour` (plus any unusual offset jump) without one.
pub fn next_local(after_ms: i64, tz: Tz, weekday: Option<Weekday>, at: LocalTime) -> i64 {
    let after_ms = clamp_ms(after_ms);
    let time = at.to_naive_time();
    // Start one day early: a gap can push the previous date's candidate
    // across midnight into today.
    let today = local_naive(after_ms, tz).date();
    let mut date = today.pred_opt().unwrap_or(today);
    let mut last = after_ms;
    for _ in 0..16 {
        if weekday.is_none_or(|w| date.weekday() == w) {
            last = resolve(tz, date.and_time(time));
            if last >= after_ms {
                return last;
            }
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    // Not reachable for real zones (a candidate is found within 8 dates).
    last.max(after_ms)
}

/// If `at_ms` falls inside the quiet hours `[from, to)` of local time in
/// `tz`, the instant they end; otherwise `None`.
///
/// The range may wrap midnight (`21:00–09:00`: quiet from 21:00 until 09:00
/// the next morning) or not (`12:00–14:00`). `from == to` means there are no
/// quiet hours. The comparison is on the wall clock at `at_ms`, to the
/// millisecond: exactly `from` is inside, exactly `to` is outside.
///
/// The returned instant is the first one after `at_ms` at which the clock
/// shows `to`: if `to` is skipped by a gap, the end of the gap; if `to` is
/// repeated, its earlier instant, or the later one when `at_ms` is already
/// past the earlier (which happens when `at_ms` lies in the repeated hour).
/// It is always `> at_ms` and at most about 25 hours later.
pub fn quiet_until(at_ms: i64, tz: Tz, from: LocalTime, to: LocalTime) -> Option<i64> {
    let (from, to) = (from.to_naive_time(), to.to_naive_time());
    if from == to {
        return None;
    }
    let at_ms = clamp_ms(at_ms);
    let local = local_naive(at_ms, tz);
    let (date, now) = (local.date(), local.time());
    let end_date = if from < to {
        if now >= from && now < to {
            date
        } else {
            return None;
        }
    } else if now >= from {
        date.succ_opt()?
    } else if now < to {
        date
    } else {
        return None;
    };
    let end = match instants_of(tz, end_date.and_time(to)) {
        (first, _) if first > at_ms => first,
        (_, Some(second)) if second > at_ms => second,
        // Defensive: the wall clock cannot show `to` at or before `at_ms`
        // while it shows an earlier time at `at_ms`, for real zone data.
        (first, _) => first.max(at_ms.saturating_add(1)),
    };
    Some(end)
}

/// The local calendar day of an instant, as days since 1970-01-01 (negative
/// before), in `tz`. Two instants are on the same local day in `tz` exactly
/// when this is equal — use it to key "per day" limits in a business's zone.
pub fn local_day(at_ms: i64, tz: Tz) -> i64 {
    day_number(local_naive(at_ms, tz).date())
}

fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - UNIX_EPOCH_DAY_FROM_CE
}

/// The first instant (UTC ms) of the local day containing `at_ms` in `tz`.
///
/// Usually local midnight; on a day whose midnight is skipped by a DST gap
/// (historically `America/Sao_Paulo`) it is the end of the gap (01:00 local),
/// and if midnight is repeated it is the earlier midnight. The result is
/// always `<= at_ms` (after clamping) and on the same [`local_day`].
pub fn start_of_local_day(at_ms: i64, tz: Tz) -> i64 {
    let at_ms = clamp_ms(at_ms);
    let date = local_naive(at_ms, tz).date();
    resolve(tz, date.and_time(LocalTime::MIDNIGHT.to_naive_time())).min(at_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    fn utc_ms(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_opt(h, mi, 0))
            .unwrap()
            .and_utc()
            .timestamp_millis()
    }

    #[test]
    fn resolve_follows_the_rule() {
        let paris = Tz::Europe__Paris;
        let gap = NaiveDate::from_ymd_opt(2024, 3, 31)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(resolve(paris, gap), utc_ms(2024, 3, 31, 1, 0));
        let rep = NaiveDate::from_ymd_opt(2024, 10, 27)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            instants_of(paris, rep),
            (
                utc_ms(2024, 10, 27, 0, 30),
                Some(utc_ms(2024, 10, 27, 1, 30))
            )
        );
    }

    #[test]
    fn day_numbers() {
        assert_eq!(local_day(0, Tz::UTC), 0);
        assert_eq!(local_day(-1, Tz::UTC), -1);
        assert_eq!(local_day(24 * HOUR, Tz::UTC), 1);
        assert_eq!(local_day(16 * HOUR, Tz::Asia__Hong_Kong), 1);
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        for ms in [i64::MIN, i64::MAX, MIN_SUPPORTED_MS, MAX_SUPPORTED_MS] {
            for tz in [
                Tz::UTC,
                Tz::Europe__Paris,
                Tz::Pacific__Kiritimati,
                Tz::Etc__GMTPlus12,
            ] {
                let at = LocalTime { hour: 9, minute: 0 };
                let _ = next_local(ms, tz, Some(Weekday::Wed), at);
                let _ = next_local(ms, tz, None, at);
                let _ = quiet_until(
                    ms,
                    tz,
                    LocalTime {
                        hour: 21,
                        minute: 0,
                    },
                    at,
                );
                let _ = local_day(ms, tz);
                assert!(start_of_local_day(ms, tz) <= clamp_ms(ms));
            }
        }
    }
}
