//! Behaviour of `normalize` and `parse_key` on realistic inputs.

use scrm_identity::{normalize, parse_key, CustomerKey, IdentityError, InvalidReason, Region};

fn ok(input: &str, region: Region) -> String {
    match normalize(input, region) {
        Ok(key) => key.to_string(),
        Err(err) => panic!("normalize({input:?}, {region}) failed: {err}"),
    }
}

fn err(input: &str, region: Region) -> IdentityError {
    match normalize(input, region) {
        Ok(key) => panic!("normalize({input:?}, {region}) unexpectedly gave {key}"),
        Err(err) => err,
    }
}

fn reason(input: &str, region: Region) -> InvalidReason {
    match err(input, region) {
        IdentityError::InvalidNumber { reason, .. } => reason,
        other => panic!("expected InvalidNumber for {input:?}, got {other:?}"),
    }
}

#[test]
fn national_formats_use_default_region() {
    assert_eq!(ok("91234567", Region::HK), "+85291234567");
    assert_eq!(ok("9123 4567", Region::HK), "+85291234567");
    assert_eq!(ok("0912 345 678", Region::TW), "+886912345678");
    assert_eq!(ok("0912-345-678", Region::TW), "+886912345678");
    assert_eq!(ok("(11) 98765-4321", Region::BR), "+5511987654321");
    assert_eq!(ok("11 98765 4321", Region::BR), "+5511987654321");
    assert_eq!(ok("06 12 34 56 78", Region::FR), "+33612345678");
    assert_eq!(ok("06.12.34.56.78", Region::FR), "+33612345678");
}

#[test]
fn international_formats_ignore_default_region() {
    for region in [Region::HK, Region::TW, Region::BR, Region::FR, Region::US] {
        assert_eq!(ok("+852 9123 4567", region), "+85291234567", "{region}");
        assert_eq!(ok("00852 91234567", region), "+85291234567", "{region}");
        assert_eq!(ok("+85291234567", region), "+85291234567", "{region}");
        assert_eq!(ok("+886 912 345 678", region), "+886912345678", "{region}");
        assert_eq!(
            ok("+55 11 98765-4321", region),
            "+5511987654321",
            "{region}"
        );
        assert_eq!(ok("+33 6 12 34 56 78", region), "+33612345678", "{region}");
        assert_eq!(ok("0033 6 12 34 56 78", region), "+33612345678", "{region}");
    }
}

#[test]
fn whitespace_and_punctuation_are_ignored() {
    assert_eq!(ok("  +852-9123-4567 \n", Region::TW), "+85291234567");
    assert_eq!(ok("\t9123\u{a0}4567 ", Region::HK), "+85291234567");
    assert_eq!(ok("+1 (650) 253-0000", Region::HK), "+16502530000");
}

#[test]
fn bracketed_trunk_prefix_after_country_code_is_dropped() {
    // A common European way of writing numbers.
    assert_eq!(ok("+33 (0)6 12 34 56 78", Region::HK), "+33612345678");
    assert_eq!(ok("+44 (0)20 7946 0958", Region::HK), "+442079460958");
}

#[test]
fn region_specific_idd_still_works() {
    // US dial-out prefix 011 is only meaningful with a US default region.
    assert_eq!(ok("011 852 9123 4567", Region::US), "+85291234567");
}

#[test]
fn leading_zero_national_numbers_keep_their_zero() {
    // Italian landlines keep the 0 after the country code.
    assert_eq!(ok("+39 06 1234 5678", Region::HK), "+390612345678");
    // phonenumber alone, given FR, strips it as if it were a French trunk 0.
    assert_eq!(ok("+39 06 1234 5678", Region::FR), "+390612345678");
}

#[test]
fn default_region_trunk_prefix_is_not_applied_abroad() {
    // phonenumber alone, given US, strips the US trunk "1" from area code 11.
    assert_eq!(ok("+55 11 98765-4321", Region::US), "+5511987654321");
    assert_eq!(ok("011 55 11 98765-4321", Region::US), "+5511987654321");
}

#[test]
fn national_number_starting_with_the_calling_code_keeps_it() {
    // Brazilian area code 55 equals Brazil's calling code; phonenumber alone
    // strips it and reports the rest as invalid.
    assert_eq!(ok("(55) 98765-4321", Region::BR), "+5555987654321");
    // A number typed with the calling code but no "+" still works.
    assert_eq!(ok("55 11 98765 4321", Region::BR), "+5511987654321");
    assert_eq!(ok("852 9123 4567", Region::HK), "+85291234567");
}

#[test]
fn too_short_names_input_region_and_reason() {
    let e = err("12345", Region::HK);
    assert_eq!(
        e.to_string(),
        r#""12345" is not a valid phone number for region HK (too short)"#
    );
    assert_eq!(reason("0912 345", Region::TW), InvalidReason::TooShort);
    assert_eq!(reason("+852 9123", Region::TW), InvalidReason::TooShort);
}

#[test]
fn too_long_is_reported() {
    assert_eq!(reason("9123 4567 89", Region::HK), InvalidReason::TooLong);
    assert_eq!(
        reason("+852 9123 4567 8901", Region::FR),
        InvalidReason::TooLong
    );
    assert_eq!(
        reason("1234567890123456789012345", Region::HK),
        InvalidReason::TooLong
    );
}

#[test]
fn right_length_but_unallocated_range_is_reported() {
    // Hong Kong numbers never start with 1.
    let e = err("+852 1234 5678", Region::TW);
    assert_eq!(
        e.to_string(),
        r#""+852 1234 5678" is not a valid phone number for region HK (not in any allocated number range)"#
    );
}

#[test]
fn unknown_country_code_is_reported_without_blaming_default_region() {
    let e = err("+999 1234 5678", Region::HK);
    assert_eq!(
        e.to_string(),
        r#""+999 1234 5678" is not a valid phone number (invalid country code)"#
    );
    assert_eq!(
        reason("00999 1234 5678", Region::HK),
        InvalidReason::InvalidCountryCode
    );
}

#[test]
fn letters_in_a_number_are_rejected_not_read_as_keypad_digits() {
    // phonenumber alone would accept this as +85291232223.
    let e = err("9123abcd", Region::HK);
    assert_eq!(
        e.to_string(),
        r#""9123abcd" is not a valid phone number for region HK (unexpected character 'a')"#
    );
    // Extensions would otherwise be silently dropped.
    assert_eq!(
        reason("+852 9123 4567 ext 5", Region::HK),
        InvalidReason::UnexpectedCharacter('e')
    );
    assert_eq!(
        reason("+852 9123 4567;ext=5", Region::HK),
        InvalidReason::UnexpectedCharacter(';')
    );
}

#[test]
fn non_numbers_are_unrecognized() {
    for input in [
        "abc",
        "john@example.com",
        "US.123",
        "us.13491208655302741918",
        "#123",
    ] {
        let e = err(input, Region::HK);
        assert_eq!(
            e,
            IdentityError::Unrecognized {
                input: input.to_owned()
            }
        );
        assert_eq!(
            e.to_string(),
            format!("{input:?} is neither an E.164 phone number nor a BSUID")
        );
    }
    assert_eq!(reason("+", Region::HK), InvalidReason::NotANumber);
}

#[test]
fn empty_input_has_its_own_error() {
    for input in ["", "   ", "\n\t"] {
        assert_eq!(normalize(input, Region::HK), Err(IdentityError::Empty));
        assert_eq!(parse_key(input), Err(IdentityError::Empty));
    }
}

#[test]
fn bsuids_are_accepted() {
    let bsuid = |s: &str| Ok(CustomerKey::Bsuid(s.to_owned()));
    assert_eq!(
        normalize("US.13491208655302741918", Region::HK),
        bsuid("US.13491208655302741918")
    );
    assert_eq!(normalize(" HK.a1B2c3 ", Region::HK), bsuid("HK.a1B2c3"));
    assert_eq!(
        normalize("bsuid:HK.a1B2c3d4", Region::HK),
        bsuid("HK.a1B2c3d4")
    );
    assert_eq!(
        normalize("BSUID: BR.0000000001", Region::HK),
        bsuid("BR.0000000001")
    );
    let long = format!("US.{}", "x".repeat(128));
    assert_eq!(normalize(&long, Region::HK), bsuid(&long));
    let too_long = format!("US.{}", "x".repeat(129));
    assert!(matches!(
        normalize(&too_long, Region::HK),
        Err(IdentityError::Unrecognized { .. })
    ));
}

#[test]
fn bsuid_prefix_with_junk_is_an_error() {
    let e = normalize("bsuid:+85291234567", Region::HK).expect_err("not a bsuid");
    assert!(matches!(e, IdentityError::InvalidBsuid { .. }), "{e:?}");
    assert!(e
        .to_string()
        .starts_with(r#""bsuid:+85291234567" is not a valid BSUID"#));
    assert!(normalize("bsuid:", Region::HK).is_err());
}

#[test]
fn parse_key_accepts_canonical_keys() {
    for key in [
        "+85291234567",
        "+886912345678",
        "+5511987654321",
        "+33612345678",
    ] {
        let parsed = parse_key(key).expect(key);
        assert!(parsed.is_phone());
        assert_eq!(parsed.as_str(), key);
        assert_eq!(key.parse::<CustomerKey>().as_ref(), Ok(&parsed));
    }
    let bsuid = parse_key("US.13491208655302741918").expect("bsuid");
    assert_eq!(bsuid, CustomerKey::Bsuid("US.13491208655302741918".into()));
}

#[test]
fn parse_key_rejects_non_canonical_forms_naming_the_canonical_one() {
    let e = parse_key("+852 9123 4567").expect_err("spaces");
    assert_eq!(
        e.to_string(),
        r#""+852 9123 4567" is not a canonical customer key; expected "+85291234567""#
    );
    for (input, canonical) in [
        ("00852 91234567", "+85291234567"),
        (" +85291234567", "+85291234567"),
        ("+852-9123-4567", "+85291234567"),
        ("bsuid:US.13491208655302741918", "US.13491208655302741918"),
    ] {
        assert_eq!(
            parse_key(input),
            Err(IdentityError::NotCanonical {
                input: input.to_owned(),
                canonical: canonical.to_owned(),
            })
        );
    }
}

#[test]
fn parse_key_rejects_national_and_invalid_numbers() {
    assert!(matches!(
        parse_key("91234567"),
        Err(IdentityError::Unrecognized { .. })
    ));
    assert_eq!(
        parse_key("+85212345").map_err(|e| e.to_string()),
        Err(r#""+85212345" is not a valid phone number for region HK (too short)"#.into())
    );
    assert!(matches!(
        parse_key("+9991234567"),
        Err(IdentityError::InvalidNumber {
            region: None,
            reason: InvalidReason::InvalidCountryCode,
            ..
        })
    ));
}

#[test]
fn normalized_keys_carry_their_region() {
    let key = normalize("0912 345 678", Region::TW).expect("valid TW");
    assert_eq!(key.region(), Some(Region::TW));
    let key = normalize("+1 613 555 0123", Region::HK).expect("valid CA");
    assert_eq!(key.region().map(|r| r.to_string()), Some("CA".into()));
}
