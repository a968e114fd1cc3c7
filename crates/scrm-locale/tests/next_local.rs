//! `next_local`: ordinary weeks, weekdays, and DST changes in Europe/Paris,
//! America/New_York and (historical) America/Sao_Paulo.

use chrono::{NaiveDate, TimeZone, Weekday};
use chrono_tz::Tz;
use scrm_locale::{next_local, LocalTime};

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

const PARIS: Tz = Tz::Europe__Paris;
const NYC: Tz = Tz::America__New_York;
const SAO_PAULO: Tz = Tz::America__Sao_Paulo;
const HK: Tz = Tz::Asia__Hong_Kong;

// --- an ordinary week (Hong Kong has no DST) --------------------------------

#[test]
fn later_today() {
    // Mon 2024-06-03 10:00 HKT = 02:00Z → 14:00 HKT the same day = 06:00Z.
    let r = next_local(utc(2024, 6, 3, 2, 0), HK, None, t("14:00"));
    assert_eq!(r, utc(2024, 6, 3, 6, 0));
}

#[test]
fn tomorrow_when_already_past() {
    // Mon 10:00 HKT asking for 09:00 → Tue 09:00 HKT = 01:00Z.
    let r = next_local(utc(2024, 6, 3, 2, 0), HK, None, t("9:00"));
    assert_eq!(r, utc(2024, 6, 4, 1, 0));
}

#[test]
fn exactly_now_is_returned() {
    let at = utc(2024, 6, 3, 6, 0); // 14:00 HKT
    assert_eq!(next_local(at, HK, None, t("14:00")), at);
    assert_eq!(next_local(at + 1, HK, None, t("14:00")), at + DAY);
    assert_eq!(next_local(at, HK, Some(Weekday::Mon), t("14:00")), at);
}

#[test]
fn each_weekday_of_an_ordinary_week() {
    // From Mon 2024-06-03 10:00 HKT, 09:00 on each weekday.
    let after = utc(2024, 6, 3, 2, 0);
    let cases = [
        (Weekday::Tue, utc(2024, 6, 4, 1, 0)),
        (Weekday::Wed, utc(2024, 6, 5, 1, 0)),
        (Weekday::Thu, utc(2024, 6, 6, 1, 0)),
        (Weekday::Fri, utc(2024, 6, 7, 1, 0)),
        (Weekday::Sat, utc(2024, 6, 8, 1, 0)),
        (Weekday::Sun, utc(2024, 6, 9, 1, 0)),
        (Weekday::Mon, utc(2024, 6, 10, 1, 0)),
    ];
    for (day, expected) in cases {
        assert_eq!(
            next_local(after, HK, Some(day), t("09:00")),
            expected,
            "{day}"
        );
    }
}

#[test]
fn wednesday_14_from_wednesday_15_is_next_week() {
    // Wed 2024-06-05 15:00 CEST = 13:00Z → Wed 2024-06-12 14:00 CEST = 12:00Z.
    let r = next_local(
        utc(2024, 6, 5, 13, 0),
        PARIS,
        Some(Weekday::Wed),
        t("14:00"),
    );
    assert_eq!(r, utc(2024, 6, 12, 12, 0));
    assert_eq!(wall_str(r, PARIS), "2024-06-12 14:00");
}

#[test]
fn wednesday_14_from_wednesday_13_is_same_day() {
    let r = next_local(
        utc(2024, 6, 5, 11, 0),
        PARIS,
        Some(Weekday::Wed),
        t("14:00"),
    );
    assert_eq!(r, utc(2024, 6, 5, 12, 0));
}

#[test]
fn sub_second_inputs() {
    let at = utc(2024, 6, 5, 12, 0);
    assert_eq!(next_local(at - 1, PARIS, None, t("14:00")), at);
    assert_eq!(next_local(at + 1, PARIS, None, t("14:00")), at + DAY);
}

// --- Europe/Paris, 2024 -------------------------------------------------------
// Spring: Sun 2024-03-31 02:00 CET → 03:00 CEST (at 01:00Z); 02:00–02:59 skipped.
// Autumn: Sun 2024-10-27 03:00 CEST → 02:00 CET (at 01:00Z); 02:00–02:59 twice.

#[test]
fn paris_gap_maps_to_end_of_gap() {
    let after = utc(2024, 3, 30, 12, 0);
    let r = next_local(after, PARIS, None, t("02:30"));
    assert_eq!(r, utc(2024, 3, 31, 1, 0));
    assert_eq!(wall_str(r, PARIS), "2024-03-31 03:00");
    // 02:00 (start of the gap) and 03:00 (its end) are the same instant.
    assert_eq!(next_local(after, PARIS, None, t("02:00")), r);
    assert_eq!(next_local(after, PARIS, None, t("03:00")), r);
    // Just before the gap is still CET.
    assert_eq!(
        next_local(after, PARIS, None, t("01:59")),
        utc(2024, 3, 31, 0, 59)
    );
}

#[test]
fn paris_daily_across_spring_forward() {
    // Sat 09:00 CET = 08:00Z; the next 09:00 is Sun 09:00 CEST = 07:00Z, 23 h later.
    let sat = utc(2024, 3, 30, 8, 0);
    let sun = next_local(sat + 1, PARIS, None, t("09:00"));
    assert_eq!(sun, utc(2024, 3, 31, 7, 0));
    assert_eq!(sun - sat, 23 * HOUR);
}

#[test]
fn paris_weekly_sunday_across_spring_forward() {
    let r = next_local(
        utc(2024, 3, 25, 0, 0),
        PARIS,
        Some(Weekday::Sun),
        t("02:30"),
    );
    assert_eq!(r, utc(2024, 3, 31, 1, 0));
    let next = next_local(r + 1, PARIS, Some(Weekday::Sun), t("02:30"));
    assert_eq!(next, utc(2024, 4, 7, 0, 30));
    assert_eq!(wall_str(next, PARIS), "2024-04-07 02:30");
}

#[test]
fn paris_repeated_hour_maps_to_earlier_instant() {
    let r = next_local(utc(2024, 10, 26, 12, 0), PARIS, None, t("02:30"));
    assert_eq!(r, utc(2024, 10, 27, 0, 30)); // 02:30 CEST, not 02:30 CET (01:30Z)
    assert_eq!(wall_str(r, PARIS), "2024-10-27 02:30");
}

#[test]
fn paris_second_occurrence_is_never_returned() {
    // Right after the first 02:30 the next answer is the following night.
    let first = utc(2024, 10, 27, 0, 30);
    let r = next_local(first + 1, PARIS, None, t("02:30"));
    assert_eq!(r, utc(2024, 10, 28, 1, 30));
    // Even from inside the repeated hour, between the two 02:30s.
    let r = next_local(utc(2024, 10, 27, 1, 10), PARIS, None, t("02:30"));
    assert_eq!(r, utc(2024, 10, 28, 1, 30));
}

#[test]
fn paris_daily_across_fall_back() {
    let sat = utc(2024, 10, 26, 7, 0); // 09:00 CEST
    let sun = next_local(sat + 1, PARIS, None, t("09:00"));
    assert_eq!(sun, utc(2024, 10, 27, 8, 0)); // 09:00 CET
    assert_eq!(sun - sat, 25 * HOUR);
}

// --- America/New_York, 2024 ---------------------------------------------------
// Spring: Sun 2024-03-10 02:00 EST → 03:00 EDT (07:00Z). Autumn: Sun 2024-11-03
// 02:00 EDT → 01:00 EST (06:00Z); 01:00–01:59 twice.

#[test]
fn new_york_gap_and_repeat() {
    let r = next_local(utc(2024, 3, 9, 12, 0), NYC, None, t("02:15"));
    assert_eq!(r, utc(2024, 3, 10, 7, 0));
    assert_eq!(wall_str(r, NYC), "2024-03-10 03:00");
    let r = next_local(utc(2024, 11, 2, 12, 0), NYC, None, t("01:30"));
    assert_eq!(r, utc(2024, 11, 3, 5, 30)); // 01:30 EDT
}

#[test]
fn new_york_best_hour_keeps_wall_time() {
    let mut at = utc(2024, 3, 8, 15, 0); // Fri 10:00 EST
    let mut seen = Vec::new();
    for _ in 0..4 {
        at = next_local(at + 1, NYC, None, t("10:00"));
        seen.push(wall_str(at, NYC));
    }
    assert_eq!(
        seen,
        [
            "2024-03-09 10:00",
            "2024-03-10 10:00",
            "2024-03-11 10:00",
            "2024-03-12 10:00"
        ]
    );
    assert_eq!(
        next_local(utc(2024, 3, 9, 16, 0), NYC, None, t("10:00")),
        utc(2024, 3, 10, 14, 0)
    );
}

// --- America/Sao_Paulo, historical DST (abolished in 2019) --------------------
// Sun 2018-11-04 00:00 -03 → 01:00 -02 (03:00Z): midnight itself skipped.
// Sun 2019-02-17 00:00 -02 → Sat 23:00 -03 (02:00Z): 23:00–23:59 on the 16th twice.

#[test]
fn sao_paulo_midnight_gap() {
    let r = next_local(utc(2018, 11, 3, 12, 0), SAO_PAULO, None, t("00:30"));
    assert_eq!(r, utc(2018, 11, 4, 3, 0));
    assert_eq!(wall_str(r, SAO_PAULO), "2018-11-04 01:00");
    let r = next_local(
        utc(2018, 11, 3, 12, 0),
        SAO_PAULO,
        Some(Weekday::Sun),
        t("00:00"),
    );
    assert_eq!(r, utc(2018, 11, 4, 3, 0));
}

#[test]
fn sao_paulo_repeated_hour_before_midnight() {
    let r = next_local(utc(2019, 2, 16, 12, 0), SAO_PAULO, None, t("23:30"));
    assert_eq!(r, utc(2019, 2, 17, 1, 30)); // 23:30 -02, the earlier one
    let next = next_local(r + 1, SAO_PAULO, None, t("23:30"));
    assert_eq!(next, utc(2019, 2, 18, 2, 30)); // Sunday 23:30 -03
}

#[test]
fn sao_paulo_today_has_no_dst() {
    let r = next_local(utc(2024, 11, 3, 12, 0), SAO_PAULO, None, t("00:30"));
    assert_eq!(r, utc(2024, 11, 4, 3, 30));
}
