//! `zone_of_region`, `language_of_region` and `parse_zone`.

use chrono_tz::Tz;
use scrm_locale::{language_of_region, parse_zone, zone_of_region, LocaleError};

#[test]
fn the_four_launch_markets() {
    assert_eq!(zone_of_region("HK"), Some(Tz::Asia__Hong_Kong));
    assert_eq!(zone_of_region("TW"), Some(Tz::Asia__Taipei));
    assert_eq!(zone_of_region("BR"), Some(Tz::America__Sao_Paulo));
    assert_eq!(zone_of_region("FR"), Some(Tz::Europe__Paris));
}

#[test]
fn multi_zone_countries_use_their_business_capital() {
    assert_eq!(zone_of_region("US"), Some(Tz::America__New_York));
    assert_eq!(zone_of_region("CA"), Some(Tz::America__Toronto));
    assert_eq!(zone_of_region("AU"), Some(Tz::Australia__Sydney));
    assert_eq!(zone_of_region("RU"), Some(Tz::Europe__Moscow));
    assert_eq!(zone_of_region("ID"), Some(Tz::Asia__Jakarta));
    assert_eq!(zone_of_region("MX"), Some(Tz::America__Mexico_City));
    assert_eq!(zone_of_region("CN"), Some(Tz::Asia__Shanghai));
}

#[test]
fn unknown_regions() {
    for code in ["ZZ", "", "H", "HKG", "XX", "12"] {
        assert_eq!(zone_of_region(code), None, "{code:?}");
    }
}

#[test]
fn lenient_input() {
    assert_eq!(zone_of_region("hk"), Some(Tz::Asia__Hong_Kong));
    assert_eq!(zone_of_region(" fr "), Some(Tz::Europe__Paris));
    assert_eq!(zone_of_region("UK"), Some(Tz::Europe__London));
    assert_eq!(zone_of_region("uk"), zone_of_region("GB"));
}

#[test]
fn required_coverage() {
    let required = [
        // East Asia
        "CN", "HK", "MO", "TW", "JP", "KR", "MN", // Southeast Asia
        "SG", "MY", "TH", "VN", "PH", "ID", "KH", "LA", "MM", "BN", "TL", // South Asia
        "IN", "PK", "BD", "LK", "NP", "BT", "MV", // Latin America
        "MX", "GT", "SV", "HN", "NI", "CR", "PA", "CU", "DO", "PR", "BR", "AR", "CL", "CO", "PE",
        "VE", "EC", "BO", "PY", "UY", // EU
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
        "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
        // Others named in the brief
        "US", "CA", "AU", "GB", "AE", "SA", "ZA", "NG", "EG", "TR", "RU",
    ];
    assert!(required.len() >= 60);
    for code in required {
        assert!(zone_of_region(code).is_some(), "{code} has no zone");
    }
}

#[test]
fn languages() {
    let cases = [
        ("HK", "zh_HK"),
        ("MO", "zh_HK"),
        ("TW", "zh_TW"),
        ("CN", "zh_CN"),
        ("BR", "pt_BR"),
        ("PT", "pt_PT"),
        ("FR", "fr"),
        ("BE", "fr"),
        ("LU", "fr"),
        ("US", "en"),
        ("GB", "en"),
        ("AU", "en"),
        ("SG", "en"),
        ("IN", "en"),
        ("ES", "es"),
        ("MX", "es"),
        ("AR", "es"),
        ("CO", "es"),
        ("CL", "es"),
        ("DE", "en"),
        ("JP", "en"),
        ("ZZ", "en"),
        ("", "en"),
        ("hk", "zh_HK"),
    ];
    for (region, lang) in cases {
        assert_eq!(language_of_region(region), lang, "{region:?}");
    }
}

#[test]
fn parse_known_zones() {
    assert_eq!(parse_zone("Asia/Hong_Kong"), Ok(Tz::Asia__Hong_Kong));
    assert_eq!(parse_zone("America/Sao_Paulo"), Ok(Tz::America__Sao_Paulo));
    assert_eq!(parse_zone("UTC"), Ok(Tz::UTC));
    assert_eq!(parse_zone("  Europe/Paris\n"), Ok(Tz::Europe__Paris));
    // Case-insensitive fallback and legacy aliases.
    assert_eq!(parse_zone("asia/hong_kong"), Ok(Tz::Asia__Hong_Kong));
    assert_eq!(parse_zone("EUROPE/PARIS"), Ok(Tz::Europe__Paris));
    assert_eq!(parse_zone("US/Eastern"), Ok(Tz::US__Eastern));
}

#[test]
fn parse_unknown_zone_names_the_input() {
    for bad in ["Asia/HongKong", "Mars/Olympus", "", "HK", "+08:00"] {
        let err = parse_zone(bad).unwrap_err();
        assert_eq!(
            err,
            LocaleError::UnknownZone {
                input: bad.to_owned()
            }
        );
        let msg = err.to_string();
        assert!(msg.contains(&format!("\"{bad}\"")), "{msg}");
    }
}

#[test]
fn every_region_zone_round_trips_through_its_name() {
    for code in ["HK", "TW", "BR", "FR", "US", "IN", "NP", "AU", "NZ", "ZA"] {
        let tz = zone_of_region(code).unwrap();
        assert_eq!(parse_zone(tz.name()), Ok(tz), "{code}");
    }
}
