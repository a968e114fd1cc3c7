//! Prices of catalog orders: WhatsApp gives `item_price` as a decimal in major units
//! (`89.9` reais); scrm keeps integer minor units (`8990` centavos), as ISO 4217 defines
//! them per currency.
//!
//! The conversion is done on decimal digits, not in floating point: `1.005` dollars is
//! `1.005` here, not `1.00499999…`, so it rounds to 101 cents, half away from zero as
//! accountants expect. A JSON number arrives as `f64`; Rust prints an `f64` as the shortest
//! decimal that reads back to the same value, which is the number as Meta wrote it.

use serde_json::Value;

use crate::read::{type_name, ParseError, Path, Read};

/// Currencies whose minor unit is not the cent (ISO 4217 list one, "minor unit" column):
/// `(code, digits)`. Every other code, including unknown ones, has 2.
const MINOR_DIGITS: &[(&str, u32)] = &[
    ("BHD", 3),
    ("BIF", 0),
    ("CLF", 4),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("PYG", 0),
    ("RWF", 0),
    ("TND", 3),
    ("UGX", 0),
    ("UYI", 0),
    ("UYW", 4),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
];

/// Decimal places of the currency's minor unit (`JPY` 0, `HKD` 2, `KWD` 3), by ISO 4217
/// code in any case; 2 for codes not in the table.
pub fn minor_digits(currency: &str) -> u32 {
    MINOR_DIGITS
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(currency.trim()))
        .map_or(2, |(_, digits)| *digits)
}

/// `price` (a JSON number or a decimal string, major units) in minor units of `currency`.
pub(crate) fn to_minor_units(price: &Value, currency: &str, path: &Path<'_>) -> Read<i64> {
    let text = match price {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        other => {
            return Err(ParseError::at(
                path,
                format!("expected a price, found {}", type_name(other)),
            ))
        }
    };
    decimal_to_minor(&text, minor_digits(currency)).ok_or_else(|| {
        ParseError::at(
            path,
            format!(
                "`{}` is not a price in {currency} that fits in minor units",
                crate::read::clip(&text)
            ),
        )
    })
}

/// A decimal (`-12.345`, `7`, `1e3`) scaled by `10^digits`, rounded half away from zero;
/// `None` if it is not a decimal or the result overflows `i64`.
fn decimal_to_minor(text: &str, digits: u32) -> Option<i64> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    // serde_json prints large or tiny floats with an exponent (`1e21`, `1.5e-7`).
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (
            unsigned.get(..at)?,
            unsigned.get(at + 1..)?.parse::<i32>().ok()?,
        ),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    // In minor units the price is (all its digits read as one integer) × 10^scale.
    let scale = exponent
        .checked_add(i32::try_from(digits).ok()?)?
        .checked_sub(i32::try_from(fraction.len()).ok()?)?;
    let significant = whole
        .bytes()
        .chain(fraction.bytes())
        .map(|b| b.saturating_sub(b'0'));
    let mut kept: i64 = 0;
    let mut round_up = false;
    let all: Vec<u8> = significant.collect();
    // Digits left of the cut are kept; the first digit right of it decides the rounding.
    let cut = i64::try_from(all.len()).ok()? + i64::from(scale);
    for (i, d) in all.iter().enumerate() {
        let i = i64::try_from(i).ok()?;
        if i < cut {
            kept = kept.checked_mul(10)?.checked_add(i64::from(*d))?;
        } else {
            round_up = i == cut && *d >= 5;
            break;
        }
    }
    // A positive scale appends zeros (only while the number is not zero, so `0e999` is 0).
    if scale > 0 && kept != 0 {
        for _ in 0..scale {
            kept = kept.checked_mul(10)?;
        }
    }
    if round_up {
        kept = kept.checked_add(1)?;
    }
    Some(if negative { -kept } else { kept })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn minor(price: Value, currency: &str) -> Option<i64> {
        to_minor_units(&price, currency, &Path::ROOT).ok()
    }

    #[test]
    fn uses_the_iso_4217_minor_unit_of_each_currency() {
        assert_eq!(minor(json!(89.9), "BRL"), Some(8990));
        assert_eq!(minor(json!(188), "HKD"), Some(18800));
        assert_eq!(minor(json!(1500), "JPY"), Some(1500));
        assert_eq!(minor(json!(45000), "krw"), Some(45000));
        assert_eq!(minor(json!(12.5), "KWD"), Some(12500));
        assert_eq!(minor(json!("3.250"), "BHD"), Some(3250));
        assert_eq!(minor(json!("24.99"), "EUR"), Some(2499));
        assert_eq!(minor(json!(19.99), "XYZ"), Some(1999));
    }

    #[test]
    fn rounds_half_away_from_zero_on_decimal_digits() {
        assert_eq!(minor(json!(1.005), "USD"), Some(101));
        assert_eq!(minor(json!(1.004), "USD"), Some(100));
        assert_eq!(minor(json!(0.125), "USD"), Some(13));
        assert_eq!(minor(json!(-0.125), "USD"), Some(-13));
        assert_eq!(minor(json!(1499.5), "JPY"), Some(1500));
        assert_eq!(minor(json!(1499.49), "JPY"), Some(1499));
        assert_eq!(minor(json!("0.0005"), "KWD"), Some(1));
        assert_eq!(minor(json!("0.0004"), "KWD"), Some(0));
        assert_eq!(minor(json!(0.000001), "EUR"), Some(0));
    }

    #[test]
    fn reads_exponents_and_rejects_what_is_not_a_price() {
        assert_eq!(minor(json!(1e3), "EUR"), Some(100_000));
        assert_eq!(minor(json!("1.5e2"), "EUR"), Some(15_000));
        assert_eq!(minor(json!("2.5E-1"), "EUR"), Some(25));
        assert_eq!(minor(json!(".5"), "EUR"), Some(50));
        assert_eq!(minor(json!("0e999999"), "EUR"), Some(0));
        assert_eq!(minor(json!("12,50"), "EUR"), None);
        assert_eq!(minor(json!(""), "EUR"), None);
        assert_eq!(minor(json!("."), "EUR"), None);
        assert_eq!(minor(json!("-"), "EUR"), None);
        assert_eq!(minor(json!("1e"), "EUR"), None);
        assert_eq!(minor(json!(true), "EUR"), None);
        assert_eq!(minor(json!(1e300), "EUR"), None);
        assert_eq!(minor(json!("9".repeat(40)), "EUR"), None);
        assert_eq!(minor(json!("1e2147483647"), "EUR"), None);
    }
}
