//! `business_capability_update` changes: Meta changed what the business may do, above all
//! its messaging limit (unique customers per 24 hours outside the service window), which
//! the policy gate must respect. One `BusinessCapabilityUpdate` event per change, under the
//! customer key `@business` and flagged `broadcast`: it concerns every customer, so the
//! gateway writes a copy to every partition.
//!
//! Limits come as numbers, numeric strings or tier names (`TIER_2K`), and `-1` or
//! `TIER_UNLIMITED` mean unlimited, which the schema writes as null.
//! `max_daily_conversations_per_business` is read first; the deprecated
//! `max_daily_conversation_per_phone` is the fallback.

use serde_json::{json, Map, Value};

use crate::parse::{envelope, Mapped, MappedKind, BUSINESS_KEY};
use crate::read::{clip, integer, member, req_id, seconds_to_millis, ParseError, Path, Read};

/// Where the messaging limit may be, newest name first.
const DAILY_LIMIT_KEYS: [&str; 2] = [
    "max_daily_conversations_per_business",
    "max_daily_conversation_per_phone",
];

/// The event of a `business_capability_update` change with `value`, in `entry` (at
/// `entry_path`); `received_at_ms` stands in for a missing `entry.time`.
pub(crate) fn capability(
    entry: &Map<String, Value>,
    entry_path: &Path<'_>,
    value: &Map<String, Value>,
    value_path: &Path<'_>,
    received_at_ms: i64,
) -> Read<Mapped> {
    let waba_id = req_id(entry, "id", entry_path)?;
    let time_at = entry_path.key("time");
    let (stamp, occurred_at_ms, time_at) = match member(entry, "time") {
        Some(time) => (
            integer(time, &time_at)?,
            seconds_to_millis(time, &time_at)?,
            time_at.to_string(),
        ),
        None => (received_at_ms, received_at_ms, String::new()),
    };
    let daily = DAILY_LIMIT_KEYS
        .iter()
        .find_map(|key| member(value, key).map(|v| (v, value_path.key(key))));
    let max_daily_conversations = match daily {
        Some((limit, at)) => daily_limit(limit, &at)?,
        None => None,
    };
    let phone_limit = |key: &str| -> Read<Option<i32>> {
        let at = value_path.key(key);
        match member(value, key) {
            Some(limit) => phone_numbers(limit, &at),
            None => Ok(None),
        }
    };
    let payload = json!({"BusinessCapabilityUpdate": {
        "waba_id": waba_id,
        "max_daily_conversations": max_daily_conversations,
        "max_phone_numbers_per_waba": phone_limit("max_phone_numbers_per_waba")?,
        "max_phone_numbers_per_business": phone_limit("max_phone_numbers_per_business")?,
    }});
    let event_id = format!("capability:{waba_id}:{stamp}");
    Ok(Mapped {
        json: envelope(&event_id, BUSINESS_KEY, occurred_at_ms, payload),
        customer: BUSINESS_KEY.to_owned(),
        event_id,
        occurred_at_ms,
        broadcast: true,
        kind: MappedKind::Capability,
        time_at,
    })
}

/// A messaging limit: `None` for unlimited.
fn daily_limit(limit: &Value, path: &Path<'_>) -> Read<Option<i64>> {
    if let Some(tier) = limit
        .as_str()
        .map(str::trim)
        .and_then(|s| s.strip_prefix("TIER_"))
    {
        return tier_limit(tier).ok_or_else(|| {
            ParseError::at(
                path,
                format!("`TIER_{}` is not a messaging limit tier", clip(tier)),
            )
        });
    }
    match integer(limit, path)? {
        -1 => Ok(None),
        n if n >= 0 => Ok(Some(n)),
        n => Err(ParseError::at(
            path,
            format!("{n} is not a messaging limit (-1 means unlimited)"),
        )),
    }
}

/// `UNLIMITED`, `250`, `2K`, `100K`, `1M` as a tier limit.
fn tier_limit(tier: &str) -> Option<Option<i64>> {
    if tier.eq_ignore_ascii_case("UNLIMITED") {
        return Some(None);
    }
    let (digits, scale) = match tier.strip_suffix(['K', 'k']) {
        Some(digits) => (digits, 1_000),
        None => match tier.strip_suffix(['M', 'm']) {
            Some(digits) => (digits, 1_000_000),
            None => (tier, 1),
        },
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok()?.checked_mul(scale).map(Some)
}

/// A phone-number limit: an Avro `int`, `None` for -1.
fn phone_numbers(limit: &Value, path: &Path<'_>) -> Read<Option<i32>> {
    match integer(limit, path)? {
        -1 => Ok(None),
        n => i32::try_from(n)
            .ok()
            .filter(|n| *n >= 0)
            .map(Some)
            .ok_or_else(|| ParseError::at(path, format!("{n} is not a phone-number limit"))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn limit(value: Value) -> Result<Option<i64>, String> {
        daily_limit(&value, &Path::ROOT).map_err(|e| e.reason)
    }

    #[test]
    fn reads_numbers_strings_and_tiers() {
        assert_eq!(limit(json!(2000)), Ok(Some(2000)));
        assert_eq!(limit(json!("10000")), Ok(Some(10_000)));
        assert_eq!(limit(json!(-1)), Ok(None));
        assert_eq!(limit(json!("-1")), Ok(None));
        assert_eq!(limit(json!("TIER_250")), Ok(Some(250)));
        assert_eq!(limit(json!("TIER_2K")), Ok(Some(2000)));
        assert_eq!(limit(json!("TIER_100K")), Ok(Some(100_000)));
        assert_eq!(limit(json!("TIER_UNLIMITED")), Ok(None));
        assert!(limit(json!("TIER_")).is_err());
        assert!(limit(json!("TIER_LOTS")).is_err());
        assert!(limit(json!("TIER_99999999999999999999K")).is_err());
        assert!(limit(json!(-5)).is_err());
        assert!(limit(json!(2.5)).is_err());
        assert!(limit(json!([])).is_err());
    }

    #[test]
    fn phone_number_limits_fit_an_int() {
        let root = Path::ROOT;
        assert_eq!(phone_numbers(&json!(2), &root), Ok(Some(2)));
        assert_eq!(phone_numbers(&json!("20"), &root), Ok(Some(20)));
        assert_eq!(phone_numbers(&json!(-1), &root), Ok(None));
        assert!(phone_numbers(&json!(1_i64 << 33), &root).is_err());
        assert!(phone_numbers(&json!(-2), &root).is_err());
    }

    #[test]
    fn falls_back_to_the_receive_time_and_the_deprecated_field() {
        let entry = json!({"id": "102290129340398"});
        let value = json!({"max_daily_conversation_per_phone": "TIER_10K"});
        let (Some(entry), Some(value)) = (entry.as_object(), value.as_object()) else {
            panic!("objects");
        };
        let mapped = capability(entry, &Path::ROOT, value, &Path::ROOT, 1_780_000_000_123);
        let Ok(mapped) = mapped else {
            panic!("{mapped:?}");
        };
        assert_eq!(mapped.event_id, "capability:102290129340398:1780000000123");
        assert_eq!(mapped.occurred_at_ms, 1_780_000_000_123);
        assert_eq!(
            mapped.json["payload"]["BusinessCapabilityUpdate"]["max_daily_conversations"],
            json!(10_000)
        );
    }
}
