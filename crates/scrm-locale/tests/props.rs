//! Property tests over many zones, years 1900–2100 and all wall times.

use chrono::{Datelike, LocalResult, NaiveDateTime, NaiveTime, TimeZone, Timelike, Weekday};
use chrono_tz::Tz;
use proptest::prelude::*;
use scrm_locale::{
    distance_km, first_name, local_day, next_local, quiet_until, relative_date, start_of_local_day,
    LocalTime,
};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Local wall-clock time of an instant in `tz`.
fn wall(ms: i64, tz: Tz) -> NaiveDateTime {
    tz.timestamp_millis_opt(ms).unwrap().naive_local()
}

/// Zones with DST (both hemispheres, 30-minute DST, midnight transitions,
/// historical double summer time) and without, and odd offsets.
const ZONES: [Tz; 14] = [
    Tz::Europe__Paris,
    Tz::America__Sao_Paulo,
    Tz::America__New_York,
    Tz::Asia__Hong_Kong,
    Tz::Asia__Taipei,
    Tz::Europe__London,
    Tz::Australia__Sydney,
    Tz::Australia__Lord_Howe,
    Tz::America__Santiago,
    Tz::Asia__Kolkata,
    Tz::Asia__Kathmandu,
    Tz::Asia__Tehran,
    Tz::Pacific__Chatham,
    Tz::UTC,
];

const Y1900: i64 = -2_208_988_800_000;
const Y2100: i64 = 4_102_444_800_000;

fn zone() -> impl Strategy<Value = Tz> {
    prop::sample::select(&ZONES[..])
}

fn local_time() -> impl Strategy<Value = LocalTime> {
    (0u8..24, 0u8..60).prop_map(|(hour, minute)| LocalTime { hour, minute })
}

fn weekday() -> impl Strategy<Value = Option<Weekday>> {
    prop::option::of((0u8..7).prop_map(|n| Weekday::try_from(n).unwrap()))
}

/// `true` when `at` on `date` or the day before falls in a gap of `tz` — the
/// only way the result of `next_local` can show another wall time.
fn in_gap(tz: Tz, r: i64, at: LocalTime, weekday: Option<Weekday>) -> bool {
    let date = wall(r, tz).date();
    [date, date.pred_opt().unwrap()].into_iter().any(|d| {
        weekday.is_none_or(|w| d.weekday() == w)
            && matches!(
                tz.from_local_datetime(&d.and_time(at.to_naive_time())),
                LocalResult::None
            )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn next_local_is_soon_and_on_time(
        after in Y1900..Y2100, tz in zone(), at in local_time(), wd in weekday(),
    ) {
        let r = next_local(after, tz, wd, at);
        prop_assert!(r >= after);
        let limit = if wd.is_some() { 8 * DAY } else { DAY + 2 * HOUR };
        prop_assert!(r < after + limit, "r - after = {} h", (r - after) / HOUR);
        let shown = wall(r, tz);
        let on_time = shown.time() == at.to_naive_time() && wd.is_none_or(|w| shown.weekday() == w);
        prop_assert!(on_time || in_gap(tz, r, at, wd), "shows {shown} for {at}");
        // The result is stable: asking again from it gives it back.
        prop_assert_eq!(next_local(r, tz, wd, at), r);
    }

    #[test]
    fn quiet_until_is_after_and_within_a_day(
        at_ms in Y1900..Y2100, tz in zone(), from in local_time(), to in local_time(),
    ) {
        let now = wall(at_ms, tz).time();
        let (f, t) = (from.to_naive_time(), to.to_naive_time());
        let inside = if f < t { now >= f && now < t } else if f > t { now >= f || now < t } else { false };
        match quiet_until(at_ms, tz, from, to) {
            Some(end) => {
                prop_assert!(inside, "{now} not in {from}–{to} but got Some");
                prop_assert!(end > at_ms);
                prop_assert!(end <= at_ms + DAY + HOUR, "end - at = {} min", (end - at_ms) / 60_000);
                // At the end the clock shows `to`, unless `to` was skipped by a gap.
                let shown = wall(end, tz);
                let skipped = matches!(
                    tz.from_local_datetime(&shown.date().and_time(t)),
                    LocalResult::None
                ) || matches!(
                    tz.from_local_datetime(&shown.date().pred_opt().unwrap().and_time(t)),
                    LocalResult::None
                );
                prop_assert!(shown.time() == t || skipped, "ends at {shown} for {to}");
            }
            None => prop_assert!(!inside, "{now} in {from}–{to} but got None"),
        }
    }

    #[test]
    fn start_of_local_day_is_consistent(at_ms in Y1900..Y2100, tz in zone()) {
        let start = start_of_local_day(at_ms, tz);
        prop_assert!(start <= at_ms);
        prop_assert!(at_ms - start < DAY + 2 * HOUR);
        prop_assert_eq!(local_day(start, tz), local_day(at_ms, tz));
        prop_assert_eq!(local_day(start - 1, tz), local_day(at_ms, tz) - 1);
        prop_assert_eq!(start_of_local_day(start, tz), start);
    }

    #[test]
    fn relative_date_never_panics(then in any::<i64>(), now in any::<i64>(), lang in "[a-zA-Z_-]{0,8}") {
        for l in ["en", "fr", "pt", "pt_BR", "zh", "zh_HK", "zh_TW", "es", lang.as_str()] {
            prop_assert!(!relative_date(then, now, l).is_empty());
        }
    }

    #[test]
    fn extreme_instants_never_panic(ms in any::<i64>(), tz in zone(), at in local_time(), wd in weekday()) {
        let _ = next_local(ms, tz, wd, at);
        let _ = quiet_until(ms, tz, at, LocalTime { hour: 7, minute: 0 });
        let _ = local_day(ms, tz);
        let _ = start_of_local_day(ms, tz);
    }

    #[test]
    fn local_time_round_trips(at in local_time()) {
        let text = at.to_string();
        prop_assert_eq!(text.parse::<LocalTime>().unwrap(), at);
        let t = NaiveTime::from_hms_opt(u32::from(at.hour), u32::from(at.minute), 0).unwrap();
        prop_assert_eq!(at.to_naive_time().hour(), t.hour());
    }

    #[test]
    fn distance_is_a_metric(
        a in (-90.0f64..=90.0, -180.0f64..=180.0),
        b in (-90.0f64..=90.0, -180.0f64..=180.0),
        c in (-90.0f64..=90.0, -180.0f64..=180.0),
    ) {
        let ab = distance_km(a.0, a.1, b.0, b.1);
        let ba = distance_km(b.0, b.1, a.0, a.1);
        let bc = distance_km(b.0, b.1, c.0, c.1);
        let ac = distance_km(a.0, a.1, c.0, c.1);
        prop_assert!((0.0..=20_015.1).contains(&ab));
        prop_assert!((ab - ba).abs() < 1e-6);
        prop_assert!(ac <= ab + bc + 1e-6);
    }

    #[test]
    fn first_name_is_a_single_word_with_a_letter(s in "\\PC{0,40}") {
        if let Some(n) = first_name(&s) {
            prop_assert!(!n.is_empty());
            prop_assert!(!n.chars().any(char::is_whitespace));
            prop_assert!(n.chars().any(char::is_alphabetic));
        }
    }
}
