//! Times on the command line: RFC 3339, a date, or relative to now.

use anyhow::{bail, Context as _};
use chrono::{DateTime, NaiveDate, Utc};

/// Parses `--from`/`--to` values into UTC milliseconds.
pub(crate) fn parse_time(arg: &str, now: DateTime<Utc>) -> anyhow::Result<i64> {
    let s = arg.trim();
    if s == "now" {
        return Ok(now.timestamp_millis());
    }
    if let Some(rel) = s.strip_prefix('-') {
        let (number, unit) =
            rel.split_at(rel.find(|c: char| !c.is_ascii_digit()).unwrap_or(rel.len()));
        let n: i64 = number
            .parse()
            .with_context(|| format!("`{arg}`: expected a number before the unit, as in -7d"))?;
        let ms = match unit {
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 7 * 86_400_000,
            _ => bail!("`{arg}`: unknown unit `{unit}`; use s, m, h, d or w"),
        };
        return Ok(now.timestamp_millis() - n * ms);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
            .timestamp_millis());
    }
    bail!("`{arg}` is not a time: use RFC 3339 (2026-11-21T14:00:00Z), a date (2026-11-21) or relative (-7d, -12h)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let now = DateTime::parse_from_rfc3339("2026-11-21T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            parse_time("2026-11-21T14:00:00+08:00", now).unwrap(),
            1_795_240_800_000
        );
        assert_eq!(
            parse_time("2026-11-21", now).unwrap(),
            now.timestamp_millis() - 12 * 3_600_000
        );
        assert_eq!(
            parse_time("-2h", now).unwrap(),
            now.timestamp_millis() - 7_200_000
        );
        assert!(parse_time("yesterday", now)
            .unwrap_err()
            .to_string()
            .contains("RFC 3339"));
        assert!(parse_time("-3y", now)
            .unwrap_err()
            .to_string()
            .contains("unknown unit"));
    }
}
