//! `quiet_until`, `local_day` and `start_of_local_day`.

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use scrm_locale::{local_day, quiet_until, start_of_local_day, LocalTime};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// UTC epoch milliseconds of a UTC calendar time.
fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|date| date.and_hms_opt(h, mi, 0))
        .expect("valid test date")
        .and_utc()
        .timestamp_millis()
}

/// `"YYYY-MM-DD HH:MM"` local wall clock of an instant, for readable asserts.
fn wall_str(ms: i64, tz: Tz) -> String {
    tz.timestamp_millis_opt(ms)
        .unwrap()
        .naive_local()
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn t(s: &str) -> LocalTime {
    s.parse().unwrap()
}

const HK: Tz = Tz::Asia__Hong_Kong;
const PARIS: Tz = Tz::Europe__Paris;
const SAO_PAULO: Tz = Tz::America__Sao_Paulo;

/// HKT is UTC+8 all year: a Hong Kong wall time on 2024-06-05 as UTC ms.
fn hk(day: u32, h: u32, mi: u32) -> i64 {
    utc(2024, 6, day, 0, 0) + i64::from(h) * HOUR + i64::from(mi) * MINUTE - 8 * HOUR
}

// --- wrapping range 21:00–09:00 ------------------------------------------------

#[test]
fn wrapping_evening_ends_next_morning() {
    let end = quiet_until(hk(5, 23, 30), HK, t("21:00"), t("09:00"));
    assert_eq!(end, Some(hk(6, 9, 0)));
}

#[test]
fn wrapping_early_morning_ends_same_morning() {
    let end = quiet_until(hk(5, 2, 0), HK, t("21:00"), t("09:00"));
    assert_eq!(end, Some(hk(5, 9, 0)));
}

#[test]
fn wrapping_boundaries() {
    let (from, to) = (t("21:00"), t("09:00"));
    // At `from`: inside.
    assert_eq!(quiet_until(hk(5, 21, 0), HK, from, to), Some(hk(6, 9, 0)));
    // Just before `from`: outside.
    assert_eq!(quiet_until(hk(5, 21, 0) - 1, HK, from, to), None);
    // Just before `to`: inside, ending 1 ms later.
    assert_eq!(
        quiet_until(hk(5, 9, 0) - 1, HK, from, to),
        Some(hk(5, 9, 0))
    );
    // At `to`: outside.
    assert_eq!(quiet_until(hk(5, 9, 0), HK, from, to), None);
    // Midnight: inside.
    assert_eq!(quiet_until(hk(5, 0, 0), HK, from, to), Some(hk(5, 9, 0)));
    // Midday: outside.
    assert_eq!(quiet_until(hk(5, 12, 0), HK, from, to), None);
}

// --- non-wrapping range 12:00–14:00 -------------------------------------------

#[test]
fn lunch_break() {
    let (from, to) = (t("12:00"), t("14:00"));
    assert_eq!(quiet_until(hk(5, 12, 0), HK, from, to), Some(hk(5, 14, 0)));
    assert_eq!(quiet_until(hk(5, 13, 59), HK, from, to), Some(hk(5, 14, 0)));
    assert_eq!(quiet_until(hk(5, 14, 0), HK, from, to), None);
    assert_eq!(quiet_until(hk(5, 11, 59), HK, from, to), None);
    assert_eq!(quiet_until(hk(5, 23, 0), HK, from, to), None);
    assert_eq!(quiet_until(hk(5, 3, 0), HK, from, to), None);
}

#[test]
fn equal_bounds_mean_no_quiet_hours() {
    for h in 0..24 {
        assert_eq!(quiet_until(hk(5, h, 0), HK, t("09:00"), t("09:00")), None);
    }
}

#[test]
fn whole_day_but_one_minute() {
    let end = quiet_until(hk(5, 9, 0), HK, t("09:00"), t("08:59"));
    assert_eq!(end, Some(hk(6, 8, 59)));
    assert_eq!(quiet_until(hk(5, 8, 59), HK, t("09:00"), t("08:59")), None);
}

// --- DST ----------------------------------------------------------------------

#[test]
fn paris_quiet_night_across_spring_forward() {
    // Sat 2024-03-30 23:00 CET (22:00Z) → Sun 08:00 CEST (06:00Z): 7 h of real time.
    let end = quiet_until(utc(2024, 3, 30, 22, 0), PARIS, t("22:00"), t("08:00")).unwrap();
    assert_eq!(end, utc(2024, 3, 31, 6, 0));
    assert_eq!(wall_str(end, PARIS), "2024-03-31 08:00");
}

#[test]
fn paris_quiet_end_inside_gap_is_end_of_gap() {
    // Quiet 01:00–02:30; 02:30 does not exist on 2024-03-31 → ends at 03:00 CEST.
    let end = quiet_until(utc(2024, 3, 31, 0, 30), PARIS, t("01:00"), t("02:30"));
    assert_eq!(end, Some(utc(2024, 3, 31, 1, 0)));
    // After the gap the clock shows 03:00+, outside.
    assert_eq!(
        quiet_until(utc(2024, 3, 31, 1, 5), PARIS, t("01:00"), t("02:30")),
        None
    );
}

#[test]
fn paris_quiet_end_in_repeated_hour() {
    let (from, to) = (t("21:00"), t("02:30"));
    // First 02:15 (CEST, 00:15Z) → first 02:30 (00:30Z).
    let end = quiet_until(utc(2024, 10, 27, 0, 15), PARIS, from, to);
    assert_eq!(end, Some(utc(2024, 10, 27, 0, 30)));
    // Second 02:15 (CET, 01:15Z): the first 02:30 has passed → second 02:30 (01:30Z).
    let end = quiet_until(utc(2024, 10, 27, 1, 15), PARIS, from, to);
    assert_eq!(end, Some(utc(2024, 10, 27, 1, 30)));
    // Between the two 02:30s the clock shows 02:30–02:59 CEST then 02:00 CET…
    assert_eq!(quiet_until(utc(2024, 10, 27, 0, 45), PARIS, from, to), None);
    assert_eq!(
        quiet_until(utc(2024, 10, 27, 1, 0), PARIS, from, to),
        Some(utc(2024, 10, 27, 1, 30))
    );
}

#[test]
fn paris_quiet_night_across_fall_back() {
    // Sat 2024-10-26 23:00 CEST (21:00Z) → Sun 08:00 CET (07:00Z): 10 h.
    let end = quiet_until(utc(2024, 10, 26, 21, 0), PARIS, t("22:00"), t("08:00")).unwrap();
    assert_eq!(end - utc(2024, 10, 26, 21, 0), 10 * HOUR);
}

// --- local days -----------------------------------------------------------------

#[test]
fn local_day_around_hong_kong_midnight() {
    let d = 19_879; // 2024-06-05 is day 19 879 since 1970-01-01
    let before = utc(2024, 6, 5, 16, 0) - 1; // 23:59:59.999 HKT
    let midnight = utc(2024, 6, 5, 16, 0); // 00:00 HKT on the 6th
    assert_eq!(local_day(before, HK), d);
    assert_eq!(local_day(midnight, HK), d + 1);
    assert_eq!(local_day(before, Tz::UTC), d);
    assert_eq!(local_day(midnight, Tz::UTC), d);
    // 23:30Z on the 4th is already the 5th in Hong Kong.
    assert_eq!(local_day(utc(2024, 6, 4, 23, 30), Tz::UTC), d - 1);
    assert_eq!(local_day(utc(2024, 6, 4, 23, 30), HK), d);
}

#[test]
fn local_day_before_1970() {
    assert_eq!(local_day(-1, Tz::UTC), -1);
    assert_eq!(local_day(-DAY, Tz::UTC), -1);
    assert_eq!(local_day(-DAY - 1, Tz::UTC), -2);
    assert_eq!(local_day(0, HK), 0);
    assert_eq!(local_day(0, Tz::America__New_York), -1);
}

#[test]
fn start_of_day_in_hong_kong() {
    let midnight = utc(2024, 6, 5, 16, 0);
    assert_eq!(start_of_local_day(midnight, HK), midnight);
    assert_eq!(start_of_local_day(midnight + 10 * HOUR, HK), midnight);
    assert_eq!(start_of_local_day(midnight - 1, HK), midnight - DAY);
    assert_eq!(start_of_local_day(midnight, Tz::UTC), utc(2024, 6, 5, 0, 0));
}

#[test]
fn start_of_day_when_midnight_is_skipped() {
    // Sao Paulo 2018-11-04 began at 01:00 -02 (03:00Z).
    let noon = utc(2018, 11, 4, 15, 0);
    let start = start_of_local_day(noon, SAO_PAULO);
    assert_eq!(start, utc(2018, 11, 4, 3, 0));
    assert_eq!(wall_str(start, SAO_PAULO), "2018-11-04 01:00");
    assert_eq!(local_day(start, SAO_PAULO), local_day(noon, SAO_PAULO));
    assert_eq!(
        local_day(start - 1, SAO_PAULO),
        local_day(noon, SAO_PAULO) - 1
    );
}

#[test]
fn day_lengths_follow_dst() {
    let sun = utc(2024, 3, 31, 12, 0);
    let len = start_of_local_day(sun + DAY, PARIS) - start_of_local_day(sun, PARIS);
    assert_eq!(len, 23 * HOUR);
    let sun = utc(2024, 10, 27, 12, 0);
    let len = start_of_local_day(sun + DAY, PARIS) - start_of_local_day(sun, PARIS);
    assert_eq!(len, 25 * HOUR);
}
