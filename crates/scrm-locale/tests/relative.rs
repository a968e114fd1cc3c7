//! `relative_date`: every bucket in every language, with plural boundaries.

use scrm_locale::relative_date;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

const NOW: i64 = 1_717_601_400_000; // 2024-06-05T15:30Z

/// Elapsed times probing each bucket and each plural boundary, in order.
const ELAPSED: [i64; 24] = [
    0,
    MINUTE - 1,
    MINUTE,
    2 * MINUTE - 1,
    2 * MINUTE,
    3 * MINUTE,
    HOUR - 1,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    DAY - 1,
    DAY,
    2 * DAY - 1,
    2 * DAY,
    3 * DAY,
    7 * DAY - 1,
    7 * DAY,
    14 * DAY,
    30 * DAY - 1,
    30 * DAY,
    60 * DAY,
    365 * DAY - 1,
    365 * DAY,
    730 * DAY,
];

fn check(lang: &str, expected: [&str; 24]) {
    for (elapsed, want) in ELAPSED.iter().zip(expected) {
        assert_eq!(
            relative_date(NOW - elapsed, NOW, lang),
            want,
            "lang {lang}, elapsed {elapsed} ms"
        );
    }
    // Future instants read as "just now".
    assert_eq!(
        relative_date(NOW + DAY, NOW, lang),
        expected[0],
        "{lang} future"
    );
}

#[test]
fn english() {
    check(
        "en",
        [
            "just now",
            "just now",
            "1 minute ago",
            "1 minute ago",
            "2 minutes ago",
            "3 minutes ago",
            "59 minutes ago",
            "1 hour ago",
            "2 hours ago",
            "3 hours ago",
            "23 hours ago",
            "yesterday",
            "yesterday",
            "2 days ago",
            "3 days ago",
            "6 days ago",
            "1 week ago",
            "2 weeks ago",
            "4 weeks ago",
            "1 month ago",
            "2 months ago",
            "11 months ago",
            "1 year ago",
            "2 years ago",
        ],
    );
}

#[test]
fn french() {
    check(
        "fr",
        [
            "à l'instant",
            "à l'instant",
            "il y a 1 minute",
            "il y a 1 minute",
            "il y a 2 minutes",
            "il y a 3 minutes",
            "il y a 59 minutes",
            "il y a 1 heure",
            "il y a 2 heures",
            "il y a 3 heures",
            "il y a 23 heures",
            "hier",
            "hier",
            "il y a 2 jours",
            "il y a 3 jours",
            "il y a 6 jours",
            "il y a 1 semaine",
            "il y a 2 semaines",
            "il y a 4 semaines",
            "il y a 1 mois",
            "il y a 2 mois",
            "il y a 11 mois",
            "il y a 1 an",
            "il y a 2 ans",
        ],
    );
}

#[test]
fn portuguese() {
    let expected = [
        "agora mesmo",
        "agora mesmo",
        "há 1 minuto",
        "há 1 minuto",
        "há 2 minutos",
        "há 3 minutos",
        "há 59 minutos",
        "há 1 hora",
        "há 2 horas",
        "há 3 horas",
        "há 23 horas",
        "ontem",
        "ontem",
        "há 2 dias",
        "há 3 dias",
        "há 6 dias",
        "há 1 semana",
        "há 2 semanas",
        "há 4 semanas",
        "há 1 mês",
        "há 2 meses",
        "há 11 meses",
        "há 1 ano",
        "há 2 anos",
    ];
    check("pt", expected);
    check("pt_BR", expected);
    check("pt-PT", expected);
}

#[test]
fn spanish() {
    check(
        "es",
        [
            "ahora mismo",
            "ahora mismo",
            "hace 1 minuto",
            "hace 1 minuto",
            "hace 2 minutos",
            "hace 3 minutos",
            "hace 59 minutos",
            "hace 1 hora",
            "hace 2 horas",
            "hace 3 horas",
            "hace 23 horas",
            "ayer",
            "ayer",
            "hace 2 días",
            "hace 3 días",
            "hace 6 días",
            "hace 1 semana",
            "hace 2 semanas",
            "hace 4 semanas",
            "hace 1 mes",
            "hace 2 meses",
            "hace 11 meses",
            "hace 1 año",
            "hace 2 años",
        ],
    );
}

#[test]
fn cantonese_hong_kong() {
    let expected = [
        "啱啱",
        "啱啱",
        "1分鐘前",
        "1分鐘前",
        "2分鐘前",
        "3分鐘前",
        "59分鐘前",
        "1小時前",
        "2小時前",
        "3小時前",
        "23小時前",
        "尋日",
        "尋日",
        "2日前",
        "3日前",
        "6日前",
        "1星期前",
        "2星期前",
        "4星期前",
        "1個月前",
        "2個月前",
        "11個月前",
        "1年前",
        "2年前",
    ];
    check("zh_HK", expected);
    check("zh-MO", expected);
}

#[test]
fn traditional_chinese() {
    let expected = [
        "剛剛",
        "剛剛",
        "1分鐘前",
        "1分鐘前",
        "2分鐘前",
        "3分鐘前",
        "59分鐘前",
        "1小時前",
        "2小時前",
        "3小時前",
        "23小時前",
        "昨天",
        "昨天",
        "2天前",
        "3天前",
        "6天前",
        "1週前",
        "2週前",
        "4週前",
        "1個月前",
        "2個月前",
        "11個月前",
        "1年前",
        "2年前",
    ];
    check("zh_TW", expected);
    check("zh", expected);
}

#[test]
fn simplified_chinese() {
    check(
        "zh_CN",
        [
            "刚刚",
            "刚刚",
            "1分钟前",
            "1分钟前",
            "2分钟前",
            "3分钟前",
            "59分钟前",
            "1小时前",
            "2小时前",
            "3小时前",
            "23小时前",
            "昨天",
            "昨天",
            "2天前",
            "3天前",
            "6天前",
            "1周前",
            "2周前",
            "4周前",
            "1个月前",
            "2个月前",
            "11个月前",
            "1年前",
            "2年前",
        ],
    );
}

#[test]
fn unknown_languages_fall_back_to_english() {
    for lang in ["", "de", "ja", "xx_YY", "english", "  "] {
        assert_eq!(
            relative_date(NOW - 3 * DAY, NOW, lang),
            "3 days ago",
            "{lang:?}"
        );
    }
    assert_eq!(relative_date(NOW - 3 * DAY, NOW, "en_GB"), "3 days ago");
    assert_eq!(relative_date(NOW - 3 * DAY, NOW, "FR"), "il y a 3 jours");
}

#[test]
fn months_never_reach_twelve() {
    for days in 330..365 {
        assert_eq!(
            relative_date(NOW - days * DAY, NOW, "en"),
            "11 months ago",
            "{days}"
        );
    }
}

#[test]
fn extreme_inputs() {
    assert_eq!(relative_date(i64::MAX, i64::MIN, "en"), "just now");
    assert_eq!(relative_date(0, 0, "fr"), "à l'instant");
    let far = relative_date(i64::MIN, i64::MAX, "en");
    assert!(far.ends_with(" years ago"), "{far}");
    assert_eq!(
        relative_date(i64::MIN, i64::MAX, "zh_HK"),
        format!("{}年前", i64::MAX / DAY / 365)
    );
}
