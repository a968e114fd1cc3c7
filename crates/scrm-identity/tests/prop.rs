//! Property tests: every spelling of a valid mobile number maps to one key,
//! keys survive the wire, and masking never leaks more than documented.

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, PhoneNumber, Type};
use proptest::prelude::*;
use proptest::sample::select;
use scrm_identity::{normalize, parse_key, CustomerKey, IdentityError, Region};

/// A valid mobile number of one of the regions under test, as parsed by
/// phonenumber itself (the oracle for the national and international forms).
#[derive(Debug, Clone)]
struct Mobile {
    region: Region,
    number: PhoneNumber,
    e164: String,
}

/// Candidate national significant numbers shaped like mobiles of each
/// region; the filter keeps those libphonenumber says are valid mobiles, so
/// the generator needs no copy of the numbering plans.
fn mobile() -> impl Strategy<Value = Mobile> {
    let hk = ("[569][0-9]{7}", Just(Region::HK));
    let tw = ("9[0-9]{8}", Just(Region::TW));
    let br = ("[1-9][1-9]9[0-9]{8}", Just(Region::BR));
    prop_oneof![hk, tw, br].prop_filter_map("not a valid mobile", |(nsn, region)| {
        let e164 = format!("+{}{}", region.calling_code(), nsn);
        let number = phonenumber::parse(None, &e164).ok()?;
        let is_mobile = matches!(
            number.number_type(&DATABASE),
            Type::Mobile | Type::FixedLineOrMobile
        );
        (number.is_valid() && is_mobile).then_some(Mobile {
            region,
            number,
            e164,
        })
    })
}

/// Re-punctuates a digit string the way people type numbers.
fn punctuate(digits: &str, seps: &[&str]) -> String {
    let mut out = String::with_capacity(digits.len() * 2);
    for (i, c) in digits.chars().enumerate() {
        out.push(c);
        out.push_str(seps[i % seps.len()]);
    }
    out
}

fn region_of(id: Id) -> Region {
    Region::from_id(id).unwrap_or(Region::US)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn national_and_international_forms_agree(
        m in mobile(),
        seps in prop::collection::vec(select(vec!["", " ", "-", ".", "  "]), 1..4),
        other in select(vec![Id::HK, Id::TW, Id::BR, Id::FR, Id::US, Id::IT]),
    ) {
        let national = m.number.format().mode(Mode::National).to_string();
        let international = m.number.format().mode(Mode::International).to_string();
        let national_digits: String = national.chars().filter(char::is_ascii_digit).collect();

        let from_e164 = normalize(&m.e164, m.region);
        prop_assert_eq!(from_e164.as_ref().map(CustomerKey::as_str), Ok(m.e164.as_str()));
        prop_assert_eq!(&normalize(&national, m.region), &from_e164);
        prop_assert_eq!(&normalize(&national_digits, m.region), &from_e164);
        prop_assert_eq!(&normalize(&punctuate(&national_digits, &seps), m.region), &from_e164);
        prop_assert_eq!(&normalize(&international, region_of(other)), &from_e164);
        let idd = format!("00{}", &m.e164[1..]);
        prop_assert_eq!(&normalize(&idd, region_of(other)), &from_e164);
    }

    #[test]
    fn normalized_keys_round_trip_through_parse_key(m in mobile()) {
        let key = normalize(&m.e164, m.region).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(parse_key(key.as_str()), Ok(key.clone()));
        prop_assert_eq!(key.to_string().parse::<CustomerKey>(), Ok(key.clone()));
        prop_assert_eq!(key.region(), Some(m.region));

        let international = m.number.format().mode(Mode::International).to_string();
        prop_assert_eq!(
            parse_key(&international),
            Err(IdentityError::NotCanonical { input: international.clone(), canonical: m.e164.clone() })
        );
    }

    #[test]
    fn mask_reveals_only_calling_code_and_last_two_digits(m in mobile()) {
        let key = CustomerKey::Phone(m.e164.clone());
        let masked = key.mask();
        let code = format!("+{}", m.region.calling_code());
        prop_assert_eq!(masked.len(), m.e164.len());
        prop_assert!(masked.starts_with(&code), "{} lost its code", masked);
        let revealed = masked.chars().filter(char::is_ascii_digit).count();
        prop_assert_eq!(revealed, code.len() - 1 + 2, "{} reveals too much", masked);
        prop_assert_eq!(&masked[masked.len() - 2..], &m.e164[m.e164.len() - 2..]);
    }

    #[test]
    fn bsuids_are_accepted_and_masked(
        cc in "[A-Z]{2}",
        id in "[A-Za-z0-9]{6,128}",
    ) {
        let bsuid = format!("{cc}.{id}");
        let key = normalize(&bsuid, Region::HK);
        prop_assert_eq!(&key, &Ok(CustomerKey::Bsuid(bsuid.clone())));
        prop_assert_eq!(&parse_key(&bsuid), &key);
        let masked = CustomerKey::Bsuid(bsuid.clone()).mask();
        prop_assert_eq!(masked.len(), bsuid.len());
        prop_assert_eq!(&masked[..4], &bsuid[..4]);
        prop_assert!(masked[4..].chars().all(|c| c == '*'));
    }

    #[test]
    fn mask_of_any_valid_number_reveals_at_most_code_and_two_digits(
        input in "\\+[1-9][0-9]{6,14}",
    ) {
        // Unfiltered on purpose: invalid candidates are simply skipped, and
        // the valid ones cover many more numbering plans than HK/TW/BR.
        if let Ok(key) = normalize(&input, Region::HK) {
            let code_len = phonenumber::parse(None, key.as_str())
                .map(|n| n.code().value().to_string().len())
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let masked = key.mask();
            prop_assert_eq!(masked.chars().count(), key.as_str().len());
            let revealed = masked.chars().filter(char::is_ascii_digit).count();
            prop_assert!(revealed <= code_len + 2, "{} reveals too much", masked);
        }
    }

    #[test]
    fn explicit_bsuid_prefix_is_lenient_on_input_strict_on_the_wire(
        prefix in select(vec!["bsuid:", "BSUID:", "Bsuid: ", "bsuid:  "]),
        cc in "[A-Z]{2}",
        id in "[A-Za-z0-9]{6,32}",
    ) {
        let bsuid = format!("{cc}.{id}");
        let input = format!("{prefix}{bsuid}");
        prop_assert_eq!(normalize(&input, Region::TW), Ok(CustomerKey::Bsuid(bsuid.clone())));
        prop_assert_eq!(
            parse_key(&input),
            Err(IdentityError::NotCanonical { input: input.clone(), canonical: bsuid })
        );
    }

    #[test]
    fn arbitrary_input_never_panics_and_ok_keys_are_canonical(
        input in prop_oneof![any::<String>(), "[+0-9 ()./-]{0,24}", "00[0-9 ]{0,20}"],
        region in select(vec![Id::HK, Id::TW, Id::BR, Id::FR, Id::US]),
    ) {
        if let Ok(key) = normalize(&input, region_of(region)) {
            prop_assert_eq!(parse_key(key.as_str()), Ok(key.clone()));
        }
        let _ = parse_key(&input);
    }
}
