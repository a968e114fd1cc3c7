//! Durations as a rule pack writes them: `90s`, `6min`, `12h`, `7d`, `2w`.

/// Milliseconds of a duration string, or what is wrong with it. Months and years are not
/// accepted: they have no fixed length; write `30d` or `365d`.
pub(crate) fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(|| {
        format!("duration {s:?} has no unit; write e.g. 90s, 6min, 12h, 7d or 2w")
    })?;
    let (digits, unit) = s.split_at(split);
    let n: i64 = digits
        .parse()
        .map_err(|_| format!("duration {s:?} does not start with a number"))?;
    let unit_ms: i64 = match unit.trim() {
        "s" => 1_000,
        "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        "m" => {
            return Err(format!(
            "duration {s:?}: `m` is ambiguous; write `min` for minutes or days (`30d`) for a month"
        ))
        }
        other => {
            return Err(format!(
                "duration {s:?} has unknown unit {other:?}; use s, min, h, d or w"
            ))
        }
    };
    n.checked_mul(unit_ms)
        .ok_or_else(|| format!("duration {s:?} is too long"))
}

/// A duration for people: the largest unit that divides it.
pub fn format_duration(ms: i64) -> String {
    const UNITS: [(i64, &str); 5] = [
        (7 * 86_400_000, "w"),
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "min"),
        (1_000, "s"),
    ];
    for (unit, name) in UNITS {
        if ms != 0 && ms % unit == 0 {
            return format!("{}{name}", ms / unit);
        }
    }
    format!("{ms}ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit_and_refuses_ambiguity() {
        assert_eq!(parse_duration("90s"), Ok(90_000));
        assert_eq!(parse_duration("6min"), Ok(360_000));
        assert_eq!(parse_duration("12h"), Ok(43_200_000));
        assert_eq!(parse_duration("7d"), Ok(604_800_000));
        assert_eq!(parse_duration("2w"), Ok(1_209_600_000));
        assert!(parse_duration("6m").unwrap_err().contains("ambiguous"));
        assert!(parse_duration("7").unwrap_err().contains("no unit"));
        assert!(parse_duration("d").unwrap_err().contains("number"));
        assert!(parse_duration("3 weeks")
            .unwrap_err()
            .contains("unknown unit"));
        assert_eq!(format_duration(604_800_000), "1w");
        assert_eq!(format_duration(360_000), "6min");
    }
}
