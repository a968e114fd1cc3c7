//! Lenient normalization of whatever identifies a customer in an event.

use std::fmt::Write;

use phonenumber::country::Source;
use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
use phonenumber::{ParseError, PhoneNumber};

use crate::{CustomerKey, IdentityError, InvalidReason, Region};

/// Normalizes a phone number or BSUID into a [`CustomerKey`].
///
/// Surrounding whitespace is ignored. Numbers written with `+` or the `00`
/// international prefix are read by their own country code; anything else
/// is read as a national number of `default_region` (so `0912 345 678`
/// with `TW` becomes `+886912345678`). The result must be a valid number per
/// libphonenumber's metadata, not merely plausible-looking.
///
/// Inputs shaped like a Meta BSUID (`US.13491208655302741918`), or carrying
/// an explicit `bsuid:` prefix, become [`CustomerKey::Bsuid`].
///
/// # Errors
///
/// [`IdentityError::Empty`] for blank input, [`IdentityError::InvalidNumber`]
/// for something that starts like a phone number but is not a valid one,
/// [`IdentityError::InvalidBsuid`] for a `bsuid:` prefix followed by junk, and
/// [`IdentityError::Unrecognized`] for everything else.
pub fn normalize(input: &str, default_region: Region) -> Result<CustomerKey, IdentityError> {
    classify(input, Some(default_region))
}

/// Shared by [`normalize`] and [`crate::parse_key`]; without a default
/// region only international forms can be phone numbers.
pub(crate) fn classify(
    input: &str,
    default_region: Option<Region>,
) -> Result<CustomerKey, IdentityError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(IdentityError::Empty);
    }
    if let Some(rest) = strip_bsuid_prefix(s) {
        let rest = rest.trim_start();
        return if is_bsuid(rest) {
            Ok(CustomerKey::Bsuid(rest.to_owned()))
        } else {
            Err(IdentityError::InvalidBsuid {
                input: input.to_owned(),
            })
        };
    }
    if is_bsuid(s) {
        return Ok(CustomerKey::Bsuid(s.to_owned()));
    }
    // Only text that *starts* like a phone number is judged as one, so that
    // "9123 456x" gets a precise reason while "john@example.com" does not
    // get a lecture on phone number lengths.
    let international = s.starts_with('+') || s.starts_with("00");
    let starts_like_phone =
        international || s.starts_with(|c: char| c.is_ascii_digit() || c == '(');
    match default_region {
        Some(region) if starts_like_phone => parse_phone(input, s, region, international),
        None if international => parse_phone_international(input, s),
        _ => Err(IdentityError::Unrecognized {
            input: input.to_owned(),
        }),
    }
}

/// Case-insensitive `bsuid:` prefix, for callers that know what they hold.
fn strip_bsuid_prefix(s: &str) -> Option<&str> {
    const PREFIX: &str = "bsuid:";
    let head = s.get(..PREFIX.len())?;
    head.eq_ignore_ascii_case(PREFIX)
        .then(|| &s[PREFIX.len()..])
}

/// `^[A-Z]{2}\.[A-Za-z0-9]{6,128}$`, hand-rolled because it runs per event
/// and a regex dependency would buy nothing here.
pub(crate) fn is_bsuid(s: &str) -> bool {
    match s.as_bytes() {
        [a, b, b'.', rest @ ..] => {
            a.is_ascii_uppercase()
                && b.is_ascii_uppercase()
                && (6..=128).contains(&rest.len())
                && rest.iter().all(u8::is_ascii_alphanumeric)
        }
        _ => false,
    }
}

fn parse_phone(
    input: &str,
    s: &str,
    region: Region,
    international: bool,
) -> Result<CustomerKey, IdentityError> {
    // For international input the default region is irrelevant, and naming
    // it in an error would mislead.
    let blame = if international { None } else { Some(region) };
    check_characters(input, s, blame)?;
    if s.starts_with('+') {
        return parse_plus(input, s);
    }
    if s.starts_with("00") {
        // "00" is the ITU-recommended international prefix and what people
        // type, but libphonenumber only honours a region's own IDD, and for
        // some regions mis-reads it (with HK metadata "00852..." loses the
        // "8" to the IDD "008"). Read it as "+" first; the region's own
        // reading is only a fallback, and its error would be the less
        // helpful one because the user most likely meant international.
        let as_plus = parse_with_plus(input, s);
        if as_plus.is_err() {
            if let Ok(key) = parse_national(input, s, region) {
                return Ok(key);
            }
        }
        return as_plus;
    }
    parse_national(input, s, region)
}

fn parse_phone_international(input: &str, s: &str) -> Result<CustomerKey, IdentityError> {
    check_characters(input, s, None)?;
    if s.starts_with('+') {
        parse_plus(input, s)
    } else {
        parse_with_plus(input, s)
    }
}

/// Parses input that has no `+` with the default region's rules.
fn parse_national(input: &str, s: &str, region: Region) -> Result<CustomerKey, IdentityError> {
    match phonenumber::parse(Some(region.id()), s) {
        Ok(number) if number.code().source() == Source::Idd => match after_idd(s, region) {
            Some(plus) => parse_plus(input, &plus),
            None => validated(input, &number, Some(region)),
        },
        Ok(number) if number.code().source() == Source::Number => {
            // phonenumber 0.3 strips the region's calling code from the front
            // of *any* national number (its length check reads the empty
            // general descriptor), so Brazilian area code 55 typed nationally
            // loses two digits. Like libphonenumber, prefer keeping the
            // digits when that reading is valid.
            let mut kept = format!("+{}", region.calling_code());
            kept.extend(s.chars().filter(char::is_ascii_digit));
            parse_plus(input, &kept).or_else(|_| validated(input, &number, Some(region)))
        }
        Ok(number) => validated(input, &number, Some(region)),
        Err(err) => Err(invalid(input, Some(region), reason_for_parse_error(&err))),
    }
}

/// Replaces a region-specific dial-out prefix ("011" in the US) with "+".
///
/// Needed because phonenumber 0.3 applies the default region's national
/// prefix rules to the number *after* the country code: with region US,
/// "011 55 11 98765 4321" would lose the "1" of the Brazilian area code
/// (US trunk prefix) and become a different number.
fn after_idd(s: &str, region: Region) -> Option<String> {
    let idd = region.metadata()?.international_prefix()?;
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let found = idd.find(&digits)?;
    (found.start() == 0).then(|| format!("+{}", &digits[found.end()..]))
}

/// Parses "00..." input as if the "00" were a "+".
fn parse_with_plus(input: &str, s: &str) -> Result<CustomerKey, IdentityError> {
    let mut plus = String::with_capacity(s.len());
    plus.push('+');
    plus.push_str(&s[2..]);
    parse_plus(input, &plus)
}

/// Parses "+..." without a region: phonenumber 0.3 would otherwise apply
/// the *default* region's national prefix rules after the country code (with
/// FR, "+39 06 1234 5678" loses the Italian leading zero).
fn parse_plus(input: &str, plus: &str) -> Result<CustomerKey, IdentityError> {
    match phonenumber::parse(None, plus) {
        Ok(number) => validated(input, &number, None),
        Err(err) => Err(invalid(input, None, reason_for_parse_error(&err))),
    }
}

/// Rejects characters libphonenumber would otherwise tolerate: it maps
/// letters to keypad digits and drops trailing text as an extension, both of
/// which would turn typos into a different customer's key.
fn check_characters(input: &str, s: &str, region: Option<Region>) -> Result<(), IdentityError> {
    let bad = s.char_indices().find(|&(i, c)| {
        !(c.is_ascii_digit()
            || matches!(c, ' ' | '\u{a0}' | '-' | '.' | '(' | ')' | '/')
            || (c == '+' && i == 0))
    });
    match bad {
        Some((_, c)) => Err(invalid(
            input,
            region,
            InvalidReason::UnexpectedCharacter(c),
        )),
        None => Ok(()),
    }
}

/// Checks validity of a parsed number and renders it as E.164.
fn validated(
    input: &str,
    number: &PhoneNumber,
    default_region: Option<Region>,
) -> Result<CustomerKey, IdentityError> {
    let code = number.code().value();
    // E.164 is at most 16 bytes with the '+'. Writing into a `String` cannot
    // fail, so the `fmt::Result`s are safe to ignore.
    let mut e164 = String::with_capacity(16);
    let _ = write!(e164, "+{code}");
    let code_end = e164.len();
    let _ = write!(e164, "{}", number.national());
    if phonenumber::is_valid(number) {
        return Ok(CustomerKey::Phone(e164));
    }
    let national = &e164[code_end..];
    // Blame the region the number was actually read in: the default one for
    // national input, the country code's region otherwise.
    let region = match (number.code().source(), default_region) {
        (Source::Default, Some(region)) => Some(region),
        _ => Region::for_number(code, national),
    };
    let meta = region
        .and_then(Region::metadata)
        .or_else(|| DATABASE.by_code(&code)?.into_iter().next());
    let reason = match meta {
        Some(meta) => reason_for_length(meta, national.len()),
        None => InvalidReason::InvalidCountryCode,
    };
    Err(invalid(input, region, reason))
}

/// Explains an invalid number by its length.
///
/// Lengths come from the fixed-line and mobile descriptors (the kinds of
/// number a WhatsApp user has), so "12345" is "too short" in HK even though
/// HK premium-rate numbers can have five digits. Other descriptors are only a
/// fallback; the general descriptor cannot be used because its possible
/// lengths are empty in phonenumber 0.3's bundled metadata.
fn reason_for_length(meta: &Metadata, len: usize) -> InvalidReason {
    let len = u16::try_from(len).unwrap_or(u16::MAX);
    let d = meta.descriptors();
    let mut bounds = length_bounds([d.fixed_line(), d.mobile()].into_iter().flatten(), len);
    if bounds.is_none() {
        bounds = length_bounds(crate::region::number_descriptors(meta), len);
    }
    match bounds {
        None => InvalidReason::UnknownRange,
        Some((min, _, _)) if len < min => InvalidReason::TooShort,
        Some((_, max, _)) if len > max => InvalidReason::TooLong,
        Some((_, _, false)) => InvalidReason::InvalidLength,
        Some((_, _, true)) => InvalidReason::UnknownRange,
    }
}

/// Shortest and longest possible length over `descs`, and whether `len` is
/// one of them; `None` if the descriptors list no lengths at all.
fn length_bounds<'a>(
    descs: impl Iterator<Item = &'a Descriptor>,
    len: u16,
) -> Option<(u16, u16, bool)> {
    let mut bounds: Option<(u16, u16, bool)> = None;
    for &l in descs.flat_map(Descriptor::possible_length) {
        let (min, max, possible) = bounds.get_or_insert((l, l, false));
        *min = (*min).min(l);
        *max = (*max).max(l);
        *possible |= l == len;
    }
    bounds
}

fn reason_for_parse_error(err: &ParseError) -> InvalidReason {
    match err {
        ParseError::NoNumber => InvalidReason::NotANumber,
        ParseError::InvalidCountryCode => InvalidReason::InvalidCountryCode,
        ParseError::TooShortAfterIdd | ParseError::TooShortNsn => InvalidReason::TooShort,
        ParseError::TooLong => InvalidReason::TooLong,
        // Only overflow can make the all-digit national number unparsable.
        ParseError::MalformedInteger(_) => InvalidReason::TooLong,
    }
}

fn invalid(input: &str, region: Option<Region>, reason: InvalidReason) -> IdentityError {
    IdentityError::InvalidNumber {
        input: input.to_owned(),
        region,
        reason,
    }
}
