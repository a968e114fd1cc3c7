//! "3 days ago"-style phrases in the customer's language.
//!
//! The elapsed time is cut into buckets that do not depend on any calendar
//! or zone (so "yesterday" means 24–48 hours ago, not "the previous local
//! date"):
//!
//! | elapsed            | bucket                                   |
//! |--------------------|------------------------------------------|
//! | < 1 min, or future | just now                                 |
//! | 1–59 min           | n minutes                                |
//! | 1–23 h             | n hours                                  |
//! | 24 h – < 48 h      | yesterday                                |
//! | 2–6 days           | n days                                   |
//! | 7–29 days          | n weeks, n = days / 7 (1–4)               |
//! | 30–364 days        | n months, n = days / 30, at most 11       |
//! | ≥ 365 days         | n years, n = days / 365                   |
//!
//! All counts are rounded down.

/// Milliseconds per minute, hour and day.
const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bucket {
    JustNow,
    Yesterday,
    Count(i64, Unit),
}

fn bucket(then_ms: i64, now_ms: i64) -> Bucket {
    let elapsed = now_ms.saturating_sub(then_ms);
    if elapsed < MINUTE_MS {
        return Bucket::JustNow;
    }
    if elapsed < HOUR_MS {
        return Bucket::Count(elapsed / MINUTE_MS, Unit::Minute);
    }
    if elapsed < DAY_MS {
        return Bucket::Count(elapsed / HOUR_MS, Unit::Hour);
    }
    if elapsed < 2 * DAY_MS {
        return Bucket::Yesterday;
    }
    let days = elapsed / DAY_MS;
    match days {
        ..=6 => Bucket::Count(days, Unit::Day),
        7..=29 => Bucket::Count(days / 7, Unit::Week),
        30..=364 => Bucket::Count((days / 30).min(11), Unit::Month),
        _ => Bucket::Count(days / 365, Unit::Year),
    }
}

/// The words of one language. A count reads `{prefix}{n}{sep}{unit}{suffix}`.
#[derive(Debug)]
struct Words {
    just_now: &'static str,
    yesterday: &'static str,
    prefix: &'static str,
    sep: &'static str,
    suffix: &'static str,
    /// (singular, plural) for minute, hour, day, week, month, year.
    units: [(&'static str, &'static str); 6],
}

impl Words {
    fn unit(&self, unit: Unit, n: i64) -> &'static str {
        let (one, many) = self.units[unit as usize];
        if n == 1 {
            one
        } else {
            many
        }
    }
}

static EN: Words = Words {
    just_now: "just now",
    yesterday: "yesterday",
    prefix: "",
    sep: " ",
    suffix: " ago",
    units: [
        ("minute", "minutes"),
        ("hour", "hours"),
        ("day", "days"),
        ("week", "weeks"),
        ("month", "months"),
        ("year", "years"),
    ],
};

static FR: Words = Words {
    just_now: "à l'instant",
    yesterday: "hier",
    prefix: "il y a ",
    sep: " ",
    suffix: "",
    units: [
        ("minute", "minutes"),
        ("heure", "heures"),
        ("jour", "jours"),
        ("semaine", "semaines"),
        ("mois", "mois"),
        ("an", "ans"),
    ],
};

static PT: Words = Words {
    just_now: "agora mesmo",
    yesterday: "ontem",
    prefix: "há ",
    sep: " ",
    suffix: "",
    units: [
        ("minuto", "minutos"),
        ("hora", "horas"),
        ("dia", "dias"),
        ("semana", "semanas"),
        ("mês", "meses"),
        ("ano", "anos"),
    ],
};

static ES: Words = Words {
    just_now: "ahora mismo",
    yesterday: "ayer",
    prefix: "hace ",
    sep: " ",
    suffix: "",
    units: [
        ("minuto", "minutos"),
        ("hora", "horas"),
        ("día", "días"),
        ("semana", "semanas"),
        ("mes", "meses"),
        ("año", "años"),
    ],
};

/// Written Cantonese (Hong Kong, Macau).
static ZH_HK: Words = Words {
    just_now: "啱啱",
    yesterday: "尋日",
    prefix: "",
    sep: "",
    suffix: "前",
    units: [
        ("分鐘", "分鐘"),
        ("小時", "小時"),
        ("日", "日"),
        ("星期", "星期"),
        ("個月", "個月"),
        ("年", "年"),
    ],
};

/// Standard written Chinese, traditional characters (Taiwan; bare `zh`).
static ZH_HANT: Words = Words {
    just_now: "剛剛",
    yesterday: "昨天",
    prefix: "",
    sep: "",
    suffix: "前",
    units: [
        ("分鐘", "分鐘"),
        ("小時", "小時"),
        ("天", "天"),
        ("週", "週"),
        ("個月", "個月"),
        ("年", "年"),
    ],
};

/// Standard written Chinese, simplified characters (mainland, Singapore).
static ZH_HANS: Words = Words {
    just_now: "刚刚",
    yesterday: "昨天",
    prefix: "",
    sep: "",
    suffix: "前",
    units: [
        ("分钟", "分钟"),
        ("小时", "小时"),
        ("天", "天"),
        ("周", "周"),
        ("个月", "个月"),
        ("年", "年"),
    ],
};

/// Picks the word table for a language tag; `-` and `_` are both accepted as
/// separators and case is ignored.
fn words_for(lang: &str) -> &'static Words {
    let norm = lang.trim().to_ascii_lowercase().replace('-', "_");
    let mut parts = norm.split('_');
    let primary = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    let has = |tags: &[&str]| rest.iter().any(|p| tags.contains(p));
    match primary {
        "fr" => &FR,
        "pt" => &PT,
        "es" => &ES,
        "yue" => &ZH_HK,
        "zh" if has(&["hk", "mo"]) => &ZH_HK,
        "zh" if has(&["cn", "sg", "hans"]) => &ZH_HANS,
        "zh" => &ZH_HANT,
        _ => &EN,
    }
}

/// How long ago `then_ms` was, seen at `now_ms`, as a short phrase in `lang`.
///
/// Languages (case-insensitive, `_` or `-`): `en`; `fr`; `pt`, `pt_BR`,
/// `pt_PT` (same words); `es` and any `es_*`; `zh_HK`/`zh_MO`/`yue` (written
/// Cantonese: `啱啱`, `尋日`, `3日前`); `zh_TW` and bare `zh` (traditional:
/// `剛剛`, `昨天`, `3天前`); `zh_CN`/`zh_SG`/`zh_Hans` (simplified: `刚刚`,
/// `3天前`, `1周前`). Anything else is English.
///
/// Buckets are described in the [module docs](self). Instants in the future
/// (`then_ms > now_ms`) read as "just now". Never panics: the difference is
/// computed with saturating arithmetic.
///
/// ```
/// use scrm_locale::relative_date;
/// let day = 86_400_000;
/// assert_eq!(relative_date(0, 3 * day, "en"), "3 days ago");
/// assert_eq!(relative_date(0, 3 * day, "fr"), "il y a 3 jours");
/// assert_eq!(relative_date(0, 3 * day, "zh_HK"), "3日前");
/// ```
pub fn relative_date(then_ms: i64, now_ms: i64, lang: &str) -> String {
    let words = words_for(lang);
    match bucket(then_ms, now_ms) {
        Bucket::JustNow => words.just_now.to_owned(),
        Bucket::Yesterday => words.yesterday.to_owned(),
        Bucket::Count(n, unit) => format!(
            "{}{n}{}{}{}",
            words.prefix,
            words.sep,
            words.unit(unit, n),
            words.suffix
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_edges() {
        assert_eq!(bucket(0, MINUTE_MS - 1), Bucket::JustNow);
        assert_eq!(bucket(0, MINUTE_MS), Bucket::Count(1, Unit::Minute));
        assert_eq!(bucket(0, HOUR_MS - 1), Bucket::Count(59, Unit::Minute));
        assert_eq!(bucket(0, DAY_MS - 1), Bucket::Count(23, Unit::Hour));
        assert_eq!(bucket(0, 2 * DAY_MS - 1), Bucket::Yesterday);
        assert_eq!(bucket(0, 7 * DAY_MS - 1), Bucket::Count(6, Unit::Day));
        assert_eq!(bucket(0, 30 * DAY_MS - 1), Bucket::Count(4, Unit::Week));
        assert_eq!(bucket(0, 364 * DAY_MS), Bucket::Count(11, Unit::Month));
        assert_eq!(bucket(0, 365 * DAY_MS), Bucket::Count(1, Unit::Year));
        assert_eq!(bucket(i64::MAX, i64::MIN), Bucket::JustNow);
        assert!(matches!(
            bucket(i64::MIN, i64::MAX),
            Bucket::Count(_, Unit::Year)
        ));
    }

    #[test]
    fn language_tags() {
        assert!(std::ptr::eq(words_for("pt-BR"), &PT));
        assert!(std::ptr::eq(words_for("ZH-hk"), &ZH_HK));
        assert!(std::ptr::eq(words_for("zh_Hant_HK"), &ZH_HK));
        assert!(std::ptr::eq(words_for("zh_CN"), &ZH_HANS));
        assert!(std::ptr::eq(words_for("zh"), &ZH_HANT));
        assert!(std::ptr::eq(words_for("de"), &EN));
        assert!(std::ptr::eq(words_for(""), &EN));
    }
}
