//! Regions (ISO 3166-1 alpha-2 country codes) → time zone and default
//! WhatsApp template language, and parsing of IANA zone names.
//!
//! A country is mapped to **one** zone. For countries spanning several zones
//! (BR, US, CA, MX, AU, RU, ID, KZ, CL, CD, …) that is the zone of the most
//! populous / business-capital area — e.g. `BR → America/Sao_Paulo`,
//! `US → America/New_York`, `AU → Australia/Sydney`, `RU → Europe/Moscow`.
//! This is an **approximation**: a customer in Manaus or Los Angeles gets the
//! capital's clock. Callers that know a better zone (a store's own zone, a
//! customer-supplied zone) should prefer it and use [`parse_zone`].

use chrono_tz::Tz;

use crate::error::LocaleError;

/// One row: region code, representative zone, default template language.
type Row = (&'static str, Tz, &'static str);

/// The region table, sorted by nothing in particular; looked up linearly
/// (a few hundred string comparisons at most, no allocation).
const REGIONS: &[Row] = &[
    // East Asia
    ("CN", Tz::Asia__Shanghai, "zh_CN"),
    ("HK", Tz::Asia__Hong_Kong, "zh_HK"),
    ("MO", Tz::Asia__Macau, "zh_HK"),
    ("TW", Tz::Asia__Taipei, "zh_TW"),
    ("JP", Tz::Asia__Tokyo, "en"),
    ("KR", Tz::Asia__Seoul, "en"),
    ("KP", Tz::Asia__Pyongyang, "en"),
    ("MN", Tz::Asia__Ulaanbaatar, "en"),
    // Southeast Asia
    ("SG", Tz::Asia__Singapore, "en"),
    ("MY", Tz::Asia__Kuala_Lumpur, "en"),
    ("TH", Tz::Asia__Bangkok, "en"),
    ("VN", Tz::Asia__Ho_Chi_Minh, "en"),
    ("PH", Tz::Asia__Manila, "en"),
    ("ID", Tz::Asia__Jakarta, "en"),
    ("KH", Tz::Asia__Phnom_Penh, "en"),
    ("LA", Tz::Asia__Vientiane, "en"),
    ("MM", Tz::Asia__Yangon, "en"),
    ("BN", Tz::Asia__Brunei, "en"),
    ("TL", Tz::Asia__Dili, "en"),
    // South and Central Asia
    ("IN", Tz::Asia__Kolkata, "en"),
    ("PK", Tz::Asia__Karachi, "en"),
    ("BD", Tz::Asia__Dhaka, "en"),
    ("LK", Tz::Asia__Colombo, "en"),
    ("NP", Tz::Asia__Kathmandu, "en"),
    ("BT", Tz::Asia__Thimphu, "en"),
    ("MV", Tz::Indian__Maldives, "en"),
    ("AF", Tz::Asia__Kabul, "en"),
    ("KZ", Tz::Asia__Almaty, "en"),
    ("UZ", Tz::Asia__Tashkent, "en"),
    // Middle East and Caucasus
    ("AE", Tz::Asia__Dubai, "en"),
    ("SA", Tz::Asia__Riyadh, "en"),
    ("QA", Tz::Asia__Qatar, "en"),
    ("KW", Tz::Asia__Kuwait, "en"),
    ("BH", Tz::Asia__Bahrain, "en"),
    ("OM", Tz::Asia__Muscat, "en"),
    ("IL", Tz::Asia__Jerusalem, "en"),
    ("JO", Tz::Asia__Amman, "en"),
    ("LB", Tz::Asia__Beirut, "en"),
    ("IR", Tz::Asia__Tehran, "en"),
    ("IQ", Tz::Asia__Baghdad, "en"),
    ("TR", Tz::Europe__Istanbul, "en"),
    ("GE", Tz::Asia__Tbilisi, "en"),
    ("AM", Tz::Asia__Yerevan, "en"),
    ("AZ", Tz::Asia__Baku, "en"),
    // European Union
    ("AT", Tz::Europe__Vienna, "en"),
    ("BE", Tz::Europe__Brussels, "fr"),
    ("BG", Tz::Europe__Sofia, "en"),
    ("HR", Tz::Europe__Zagreb, "en"),
    ("CY", Tz::Asia__Nicosia, "en"),
    ("CZ", Tz::Europe__Prague, "en"),
    ("DK", Tz::Europe__Copenhagen, "en"),
    ("EE", Tz::Europe__Tallinn, "en"),
    ("FI", Tz::Europe__Helsinki, "en"),
    ("FR", Tz::Europe__Paris, "fr"),
    ("DE", Tz::Europe__Berlin, "en"),
    ("GR", Tz::Europe__Athens, "en"),
    ("HU", Tz::Europe__Budapest, "en"),
    ("IE", Tz::Europe__Dublin, "en"),
    ("IT", Tz::Europe__Rome, "en"),
    ("LV", Tz::Europe__Riga, "en"),
    ("LT", Tz::Europe__Vilnius, "en"),
    ("LU", Tz::Europe__Luxembourg, "fr"),
    ("MT", Tz::Europe__Malta, "en"),
    ("NL", Tz::Europe__Amsterdam, "en"),
    ("PL", Tz::Europe__Warsaw, "en"),
    ("PT", Tz::Europe__Lisbon, "pt_PT"),
    ("RO", Tz::Europe__Bucharest, "en"),
    ("SK", Tz::Europe__Bratislava, "en"),
    ("SI", Tz::Europe__Ljubljana, "en"),
    ("ES", Tz::Europe__Madrid, "es"),
    ("SE", Tz::Europe__Stockholm, "en"),
    // Rest of Europe
    ("GB", Tz::Europe__London, "en"),
    ("CH", Tz::Europe__Zurich, "en"),
    ("NO", Tz::Europe__Oslo, "en"),
    ("IS", Tz::Atlantic__Reykjavik, "en"),
    ("MC", Tz::Europe__Monaco, "fr"),
    ("AD", Tz::Europe__Andorra, "es"),
    ("RS", Tz::Europe__Belgrade, "en"),
    ("BA", Tz::Europe__Sarajevo, "en"),
    ("ME", Tz::Europe__Podgorica, "en"),
    ("MK", Tz::Europe__Skopje, "en"),
    ("AL", Tz::Europe__Tirane, "en"),
    ("MD", Tz::Europe__Chisinau, "en"),
    ("UA", Tz::Europe__Kyiv, "en"),
    ("BY", Tz::Europe__Minsk, "en"),
    ("RU", Tz::Europe__Moscow, "en"),
    // North America
    ("US", Tz::America__New_York, "en"),
    ("CA", Tz::America__Toronto, "en"),
    ("MX", Tz::America__Mexico_City, "es"),
    // Central America and the Caribbean
    ("GT", Tz::America__Guatemala, "es"),
    ("SV", Tz::America__El_Salvador, "es"),
    ("HN", Tz::America__Tegucigalpa, "es"),
    ("NI", Tz::America__Managua, "es"),
    ("CR", Tz::America__Costa_Rica, "es"),
    ("PA", Tz::America__Panama, "es"),
    ("CU", Tz::America__Havana, "es"),
    ("DO", Tz::America__Santo_Domingo, "es"),
    ("PR", Tz::America__Puerto_Rico, "es"),
    ("JM", Tz::America__Jamaica, "en"),
    ("HT", Tz::America__PortauPrince, "fr"),
    ("TT", Tz::America__Port_of_Spain, "en"),
    ("BS", Tz::America__Nassau, "en"),
    ("BB", Tz::America__Barbados, "en"),
    // South America
    ("BR", Tz::America__Sao_Paulo, "pt_BR"),
    ("AR", Tz::America__Argentina__Buenos_Aires, "es"),
    ("CL", Tz::America__Santiago, "es"),
    ("CO", Tz::America__Bogota, "es"),
    ("PE", Tz::America__Lima, "es"),
    ("VE", Tz::America__Caracas, "es"),
    ("EC", Tz::America__Guayaquil, "es"),
    ("BO", Tz::America__La_Paz, "es"),
    ("PY", Tz::America__Asuncion, "es"),
    ("UY", Tz::America__Montevideo, "es"),
    ("GY", Tz::America__Guyana, "en"),
    ("SR", Tz::America__Paramaribo, "en"),
    // Oceania
    ("AU", Tz::Australia__Sydney, "en"),
    ("NZ", Tz::Pacific__Auckland, "en"),
    ("FJ", Tz::Pacific__Fiji, "en"),
    ("PG", Tz::Pacific__Port_Moresby, "en"),
    // Africa
    ("ZA", Tz::Africa__Johannesburg, "en"),
    ("NG", Tz::Africa__Lagos, "en"),
    ("EG", Tz::Africa__Cairo, "en"),
    ("KE", Tz::Africa__Nairobi, "en"),
    ("GH", Tz::Africa__Accra, "en"),
    ("ET", Tz::Africa__Addis_Ababa, "en"),
    ("TZ", Tz::Africa__Dar_es_Salaam, "en"),
    ("UG", Tz::Africa__Kampala, "en"),
    ("RW", Tz::Africa__Kigali, "en"),
    ("ZW", Tz::Africa__Harare, "en"),
    ("ZM", Tz::Africa__Lusaka, "en"),
    ("SD", Tz::Africa__Khartoum, "en"),
    ("LY", Tz::Africa__Tripoli, "en"),
    ("MU", Tz::Indian__Mauritius, "en"),
    ("MA", Tz::Africa__Casablanca, "fr"),
    ("DZ", Tz::Africa__Algiers, "fr"),
    ("TN", Tz::Africa__Tunis, "fr"),
    ("SN", Tz::Africa__Dakar, "fr"),
    ("CI", Tz::Africa__Abidjan, "fr"),
    ("CM", Tz::Africa__Douala, "fr"),
    ("CD", Tz::Africa__Kinshasa, "fr"),
    ("AO", Tz::Africa__Luanda, "pt_PT"),
    ("MZ", Tz::Africa__Maputo, "pt_PT"),
    ("CV", Tz::Atlantic__Cape_Verde, "pt_PT"),
    ("GQ", Tz::Africa__Malabo, "es"),
];

/// Normalises a region code: surrounding whitespace removed, ASCII uppercased,
/// and the common non-ISO alias `UK` read as `GB`.
fn find(region: &str) -> Option<&'static Row> {
    let code = region.trim().to_ascii_uppercase();
    let code = if code == "UK" { "GB" } else { code.as_str() };
    REGIONS.iter().find(|(c, _, _)| *c == code)
}

/// IANA time zone of a region given as an ISO 3166-1 alpha-2 code (`"HK"`,
/// `"TW"`, `"BR"`, `"FR"`, `"US"`, …). Lower case and surrounding spaces are
/// tolerated; `"UK"` is read as `"GB"`.
///
/// Multi-zone countries get the zone of their most populous / business-capital
/// area (`BR → America/Sao_Paulo`, `US → America/New_York`,
/// `CA → America/Toronto`, `AU → Australia/Sydney`, `RU → Europe/Moscow`,
/// `ID → Asia/Jakarta`, `MX → America/Mexico_City`). This is an approximation.
///
/// Returns `None` for a code not in the table (about 150 countries are).
pub fn zone_of_region(region: &str) -> Option<Tz> {
    find(region).map(|(_, tz, _)| *tz)
}

/// Default language of a region, as a WhatsApp template language code.
///
/// Only codes this crate can also render with
/// [`relative_date`](crate::relative_date) are produced:
///
/// * `HK`, `MO` → `"zh_HK"`; `TW` → `"zh_TW"`; `CN` → `"zh_CN"`;
/// * `BR` → `"pt_BR"`; `PT` and Lusophone Africa (`AO`, `MZ`, `CV`) → `"pt_PT"`;
/// * `FR`, `BE`, `LU`, `MC`, `HT` and French-using Africa (`MA`, `DZ`, `TN`,
///   `SN`, `CI`, `CM`, `CD`) → `"fr"` (Belgium is bilingual; French is chosen);
/// * Spain and Spanish-speaking Latin America (`ES`, `MX`, `AR`, `CO`, `CL`,
///   `PE`, `VE`, …, `PR`, `GQ`, `AD`) → `"es"`;
/// * every English-speaking country and **any other or unknown region** → `"en"`
///   (e.g. `DE`, `JP` and `ZZ` all give `"en"`).
pub fn language_of_region(region: &str) -> &'static str {
    find(region).map_or("en", |(_, _, lang)| *lang)
}

/// Parses an IANA zone name such as `"Asia/Hong_Kong"`.
///
/// Surrounding whitespace is ignored, and a name that only differs in ASCII
/// case from a known zone (`"asia/hong_kong"`) is accepted. Legacy aliases
/// in the tz database (`"Asia/Saigon"`, `"US/Eastern"`) are accepted too.
///
/// # Errors
///
/// [`LocaleError::UnknownZone`] naming the input when no zone matches.
pub fn parse_zone(name: &str) -> Result<Tz, LocaleError> {
    let trimmed = name.trim();
    if let Ok(tz) = trimmed.parse::<Tz>() {
        return Ok(tz);
    }
    chrono_tz::TZ_VARIANTS
        .iter()
        .copied()
        .find(|tz| !trimmed.is_empty() && tz.name().eq_ignore_ascii_case(trimmed))
        .ok_or_else(|| LocaleError::UnknownZone {
            input: name.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::REGIONS;

    #[test]
    fn table_has_unique_uppercase_codes() {
        for (i, (code, _, _)) in REGIONS.iter().enumerate() {
            assert_eq!(code.len(), 2, "{code}");
            assert!(code.bytes().all(|b| b.is_ascii_uppercase()), "{code}");
            assert!(
                REGIONS[i + 1..].iter().all(|(c, _, _)| c != code),
                "duplicate region {code}"
            );
        }
        assert!(REGIONS.len() >= 60);
    }

    #[test]
    fn table_languages_are_renderable() {
        const KNOWN: [&str; 8] = [
            "en", "fr", "es", "pt_BR", "pt_PT", "zh_HK", "zh_TW", "zh_CN",
        ];
        for (code, _, lang) in REGIONS {
            assert!(KNOWN.contains(lang), "{code} → {lang}");
        }
    }
}
