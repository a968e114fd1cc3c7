//! Who the customers are: region, language, first name and a WhatsApp number
//! that libphonenumber accepts as a mobile of that region.

use std::collections::HashSet;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A customer of the simulated shops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// Customer key: the WhatsApp number in E.164 (`+85291234567`).
    pub key: String,
    /// Region code: "HK", "TW", "BR" or "FR".
    pub region: &'static str,
    /// Language the customer writes in: "zh-Hant", "en", "pt" or "fr".
    pub language: &'static str,
    /// First name as the shop's CRM knows it.
    pub first_name: String,
    /// Offset of the customer's local time from UTC, in minutes (no DST: the
    /// default period is in winter and HK, TW and BR have none).
    pub utc_offset_minutes: i32,
}

impl Customer {
    pub(crate) fn region_kind(&self) -> Region {
        match self.region {
            "HK" => Region::Hk,
            "TW" => Region::Tw,
            "BR" => Region::Br,
            _ => Region::Fr,
        }
    }

    /// Language variant of the texts: HK Chinese is written Cantonese, which
    /// differs from Taiwan's Mandarin ("有冇折扣?" vs "有折扣嗎?").
    pub(crate) fn lang(&self) -> Lang {
        match (self.region, self.language) {
            ("HK", "zh-Hant") => Lang::ZhHk,
            ("TW", _) => Lang::ZhTw,
            (_, "pt") => Lang::Pt,
            (_, "fr") => Lang::Fr,
            _ => Lang::En,
        }
    }

    /// Digits of the number without '+', as they appear in wamids (wa_id).
    pub(crate) fn wa_id(&self) -> &str {
        self.key.trim_start_matches('+')
    }
}

/// The four markets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Region {
    Hk,
    Tw,
    Br,
    Fr,
}

impl Region {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Region::Hk => "HK",
            Region::Tw => "TW",
            Region::Br => "BR",
            Region::Fr => "FR",
        }
    }

    pub(crate) fn utc_offset_minutes(self) -> i32 {
        match self {
            Region::Hk | Region::Tw => 480,
            Region::Br => -180,
            Region::Fr => 60,
        }
    }

    /// Lower-case code used in ids, URLs and agent names.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Region::Hk => "hk",
            Region::Tw => "tw",
            Region::Br => "br",
            Region::Fr => "fr",
        }
    }
}

/// Text variant: a language, with Chinese split by region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    ZhHk,
    ZhTw,
    En,
    Pt,
    Fr,
}

impl Lang {
    /// Language code as WhatsApp templates use it.
    pub(crate) fn template_code(self) -> &'static str {
        match self {
            Lang::ZhHk => "zh_HK",
            Lang::ZhTw => "zh_TW",
            Lang::En => "en",
            Lang::Pt => "pt_BR",
            Lang::Fr => "fr",
        }
    }
}

/// Brazilian area codes (DDD) of big cities: São Paulo, Campinas, Rio,
/// Belo Horizonte, Curitiba, Florianópolis, Porto Alegre, Brasília,
/// Goiânia, Salvador, Recife, Fortaleza, Belém, Manaus...
pub(crate) const BR_AREA_CODES: [&str; 20] = [
    "11", "12", "13", "19", "21", "24", "27", "31", "41", "47", "48", "51", "61", "62", "71", "81",
    "85", "91", "92", "98",
];

// HK people often go by an English name even when writing Chinese.
const HK_ZH_NAMES: [&str; 16] = [
    "嘉欣", "志明", "詠詩", "家樂", "凱琳", "俊傑", "曉彤", "子軒", "Kelvin", "Winnie", "Ivy",
    "Jason", "Karen", "Kenneth", "Cherry", "Ken",
];
const HK_EN_NAMES: [&str; 12] = [
    "Kelvin", "Winnie", "Ivy", "Jason", "Karen", "Kenneth", "Cherry", "Mandy", "Alex", "Jacky",
    "Fiona", "Eric",
];
const TW_NAMES: [&str; 14] = [
    "怡君", "家豪", "雅婷", "冠宇", "佳穎", "承恩", "宜蓁", "柏翰", "詩涵", "宇軒", "欣怡", "俊宏",
    "Amy", "Kevin",
];
const BR_NAMES: [&str; 16] = [
    "Ana", "João", "Mariana", "Lucas", "Juliana", "Gabriel", "Fernanda", "Rafael", "Beatriz",
    "Thiago", "Camila", "Matheus", "Larissa", "Pedro", "Letícia", "Bruno",
];
const FR_NAMES: [&str; 14] = [
    "Camille", "Léa", "Hugo", "Chloé", "Lucas", "Manon", "Louis", "Inès", "Jules", "Sarah",
    "Thomas", "Emma", "Nicolas", "Julie",
];

/// Makes `count` customers with distinct numbers, always the same for a seed.
pub(crate) fn make_customers(rng: &mut ChaCha8Rng, count: usize) -> Vec<Customer> {
    let mut seen = HashSet::with_capacity(count);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let c = make_customer(rng);
        // Redraw on the rare collision so keys stay unique; the draw sequence
        // is still a function of the seed alone.
        if seen.insert(c.key.clone()) {
            out.push(c);
        }
    }
    out
}

fn make_customer(rng: &mut ChaCha8Rng) -> Customer {
    let r = rng.gen_range(0..100);
    let region = match r {
        0..=34 => Region::Hk,
        35..=59 => Region::Tw,
        60..=84 => Region::Br,
        _ => Region::Fr,
    };
    let (language, names): (&'static str, &[&str]) = match region {
        Region::Hk if rng.gen_bool(0.25) => ("en", &HK_EN_NAMES),
        Region::Hk => ("zh-Hant", &HK_ZH_NAMES),
        Region::Tw => ("zh-Hant", &TW_NAMES),
        Region::Br => ("pt", &BR_NAMES),
        Region::Fr => ("fr", &FR_NAMES),
    };
    let first_name = names[rng.gen_range(0..names.len())].to_string();
    Customer {
        key: mobile_number(rng, region),
        region: region.code(),
        language,
        first_name,
        utc_offset_minutes: region.utc_offset_minutes(),
    }
}

/// A first name typical of `region`, e.g. for a shared contact card.
pub(crate) fn random_first_name(rng: &mut ChaCha8Rng, region: Region) -> &'static str {
    let names: &[&'static str] = match region {
        Region::Hk => &HK_EN_NAMES,
        Region::Tw => &TW_NAMES,
        Region::Br => &BR_NAMES,
        Region::Fr => &FR_NAMES,
    };
    names[rng.gen_range(0..names.len())]
}

fn digits(rng: &mut ChaCha8Rng, out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(char::from(b'0' + rng.gen_range(0..10u8)));
    }
}

fn pick_digit(rng: &mut ChaCha8Rng, set: &[u8]) -> char {
    char::from(b'0' + set[rng.gen_range(0..set.len())])
}

/// A mobile number inside ranges libphonenumber's metadata lists as mobile
/// for the region, so downstream validation never rejects demo data.
pub(crate) fn mobile_number(rng: &mut ChaCha8Rng, region: Region) -> String {
    let mut s = String::with_capacity(14);
    match region {
        Region::Hk => {
            s.push_str("+852");
            // 9[467]xxxxxx, 6[13459]xxxxxx, 5[1-4][0-46-9]xxxxx.
            match rng.gen_range(0..100) {
                0..=49 => {
                    s.push('9');
                    s.push(pick_digit(rng, &[4, 6, 7]));
                    digits(rng, &mut s, 6);
                }
                50..=84 => {
                    s.push('6');
                    s.push(pick_digit(rng, &[1, 3, 4, 5, 9]));
                    digits(rng, &mut s, 6);
                }
                _ => {
                    s.push('5');
                    s.push(pick_digit(rng, &[1, 2, 3, 4]));
                    s.push(pick_digit(rng, &[0, 1, 2, 3, 4, 6, 7, 8, 9]));
                    digits(rng, &mut s, 5);
                }
            }
        }
        Region::Tw => {
            s.push_str("+8869");
            s.push(pick_digit(rng, &[0, 1, 2, 3, 4, 5, 6, 7, 8]));
            digits(rng, &mut s, 7);
        }
        Region::Br => {
            s.push_str("+55");
            s.push_str(BR_AREA_CODES[rng.gen_range(0..BR_AREA_CODES.len())]);
            s.push('9');
            s.push(pick_digit(rng, &[6, 7, 8, 9]));
            digits(rng, &mut s, 7);
        }
        Region::Fr => {
            s.push_str("+33");
            if rng.gen_bool(0.8) {
                s.push('6');
                s.push(pick_digit(rng, &[0, 1, 2, 4, 5, 6, 7, 8]));
            } else {
                s.push('7');
                s.push(pick_digit(rng, &[3, 4, 5, 6, 7, 8]));
            }
            digits(rng, &mut s, 7);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn numbers_have_national_lengths() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for region in [Region::Hk, Region::Tw, Region::Br, Region::Fr] {
            for _ in 0..200 {
                let n = mobile_number(&mut rng, region);
                let len = match region {
                    Region::Hk => 4 + 8,
                    Region::Tw => 4 + 9,
                    Region::Br => 3 + 11,
                    Region::Fr => 3 + 9,
                };
                assert_eq!(n.len(), len, "{n}");
                assert!(n[1..].bytes().all(|b| b.is_ascii_digit()), "{n}");
            }
        }
    }

    #[test]
    fn keys_are_unique() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let cs = make_customers(&mut rng, 5_000);
        let keys: HashSet<_> = cs.iter().map(|c| &c.key).collect();
        assert_eq!(keys.len(), cs.len());
    }

    #[test]
    fn lang_follows_region() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for c in make_customers(&mut rng, 500) {
            let ok = matches!(
                (c.region, c.language, c.lang()),
                ("HK", "zh-Hant", Lang::ZhHk)
                    | ("HK", "en", Lang::En)
                    | ("TW", "zh-Hant", Lang::ZhTw)
                    | ("BR", "pt", Lang::Pt)
                    | ("FR", "fr", Lang::Fr)
            );
            assert!(ok, "{c:?}");
        }
    }
}
