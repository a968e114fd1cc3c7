//! The times of a webhook body, checked before they are believed.
//!
//! Meta dates messages and statuses in Unix seconds, as a string. A sender (a proxy, a
//! replay tool, a test harness) that writes milliseconds there makes a message of the year
//! 57 000, which would move its partition's stream time and expire every other customer of
//! it. [`check_times`] reads each mapped event's time against the time the body was
//! received with the gateway's [`TimeBounds`], and fails the body with a [`ParseError`]
//! naming the field (`entry[0].changes[0].value.messages[0].timestamp`) and the likely unit
//! mistake, so the gateway keeps it as a dead letter like any body it cannot map.

use scrm_time::{format_ms, TimeBounds, TimeError};

use crate::parse::Parsed;
use crate::read::ParseError;

/// Fails on the first event of `parsed` whose time is outside `bounds` as read at
/// `received_at_ms` (UTC milliseconds). Events dated by their receipt are not checked.
pub fn check_times(
    parsed: &Parsed,
    received_at_ms: i64,
    bounds: &TimeBounds,
) -> Result<(), ParseError> {
    for event in &parsed.events {
        if event.time_at.is_empty() {
            continue;
        }
        if let Err(e) = bounds.check(event.occurred_at_ms, received_at_ms) {
            return Err(ParseError {
                path: event.time_at.clone(),
                reason: reason(event.occurred_at_ms / 1_000, received_at_ms, &e),
            });
        }
    }
    Ok(())
}

/// The reason in the units of the field: Unix seconds.
fn reason(seconds: i64, received_at_ms: i64, e: &TimeError) -> String {
    let detail = match e {
        TimeError::Ahead {
            at, ahead, allowed, ..
        } => format!(
            "{at}, {ahead} ahead of the time received ({}); at most {allowed} is allowed",
            format_ms(received_at_ms)
        ),
        TimeError::TooEarly { at, earliest, .. } => {
            format!("{at}, before {earliest}, the earliest time accepted")
        }
    };
    let now_s = received_at_ms / 1_000;
    let near = |t: i64| now_s > 0 && t > now_s / 10 && t < now_s.saturating_mul(10);
    let hint = if near(seconds / 1_000) {
        " (it looks like milliseconds; Meta sends Unix seconds)"
    } else if near(seconds / 1_000_000) {
        " (it looks like microseconds; Meta sends Unix seconds)"
    } else {
        ""
    };
    format!("{seconds} as Unix seconds is {detail}{hint}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    const RECEIVED: i64 = 1_780_041_601_000;

    fn text(timestamp: &str) -> String {
        format!(
            r#"{{"object": "whatsapp_business_account", "entry": [{{"id": "1", "changes": [{{"field": "messages",
              "value": {{"messaging_product": "whatsapp",
                "metadata": {{"display_phone_number": "85230012345", "phone_number_id": "1"}},
                "messages": [{{"from": "85291234567", "id": "wamid.A", "timestamp": "{timestamp}",
                  "type": "text", "text": {{"body": "hi"}}}}]}}}}]}}]}}"#
        )
    }

    fn check(timestamp: &str) -> Result<(), ParseError> {
        let parsed = parse(text(timestamp).as_bytes(), RECEIVED).expect("parses");
        check_times(&parsed, RECEIVED, &TimeBounds::default())
    }

    #[test]
    fn seconds_near_the_time_received_are_believed() {
        assert_eq!(check("1780041600"), Ok(()));
        assert_eq!(check("1779000000"), Ok(()));
    }

    #[test]
    fn milliseconds_in_the_seconds_field_are_refused_naming_the_field() {
        let e = check("1780041600000").unwrap_err();
        assert_eq!(e.path, "entry[0].changes[0].value.messages[0].timestamp");
        assert!(e.reason.contains("looks like milliseconds"), "{e}");
        assert!(e.reason.contains("ahead of the time received"), "{e}");
        let micros = check("1780041600000000").unwrap_err();
        assert!(
            micros.reason.contains("looks like microseconds"),
            "{micros}"
        );
    }

    #[test]
    fn a_clock_a_day_ahead_or_a_time_before_2009_is_refused() {
        let ahead = check(&(RECEIVED / 1_000 + 86_400).to_string()).unwrap_err();
        assert!(ahead.reason.contains("1 day ahead"), "{ahead}");
        assert!(!ahead.reason.contains("looks like"), "{ahead}");
        let early = check("1780041").unwrap_err();
        assert!(early.reason.contains("before 2009-01-01"), "{early}");
    }
}
