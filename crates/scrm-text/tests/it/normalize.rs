//! The normalization shared by phrases and messages.

use proptest::prelude::*;
use scrm_text::normalize;

use crate::custom::chatty;

#[test]
fn fullwidth_and_compatibility_forms_become_ascii() {
    assert_eq!(normalize("ＳＴＯＰ！"), "stop!");
    assert_eq!(normalize("Ｍ碼？"), "m碼?");
    assert_eq!(normalize("ﬁne ①"), "fine 1");
    assert_eq!(normalize("a\u{00A0}b\u{202F}?"), "a b ?");
}

#[test]
fn case_is_lowered_fully_but_not_folded() {
    assert_eq!(normalize("QUANTO CUSTA"), "quanto custa");
    assert_eq!(normalize("ΣΟΦΟΣ"), "σοφος");
    assert_eq!(
        normalize("STRAẞE"),
        "straße",
        "ß is lower case already, not folded to ss"
    );
    assert_eq!(normalize("İstanbul"), "istanbul");
}

#[test]
fn latin_diacritics_are_removed() {
    assert_eq!(normalize("réduction"), normalize("reduction"));
    assert_eq!(normalize("endereço"), "endereco");
    assert_eq!(normalize("não"), "nao");
    assert_eq!(
        normalize("Où êtes-vous ? Déçue, abîmé, ÇA"),
        "ou etes-vous ? decue, abime, ca"
    );
    assert_eq!(normalize("e\u{0301}"), "e", "decomposed accents too");
}

#[test]
fn chinese_and_other_scripts_pass_through() {
    assert_eq!(normalize("我張單去到邊"), "我張單去到邊");
    assert_eq!(normalize("多少钱"), "多少钱");
    assert_eq!(normalize("冇咗嘅"), "冇咗嘅");
    assert_eq!(normalize("がぎ 한국"), "がぎ 한국");
}

#[test]
fn quotes_apostrophes_and_whitespace() {
    assert_eq!(normalize("C’est l‘adresse ʼok´"), "c'est l'adresse 'ok'");
    assert_eq!(normalize("“STOP”"), "\"stop\"");
    assert_eq!(normalize("  trop \t\n cher\u{3000} "), "trop cher");
    assert_eq!(normalize("   "), "");
    assert_eq!(normalize(""), "");
}

#[test]
fn invisible_characters_and_emoji_variation_selectors_are_dropped() {
    assert_eq!(normalize("s\u{200B}top"), "stop");
    assert_eq!(normalize("❤️👍🏽"), "❤👍🏽");
    assert_eq!(normalize("\u{FEFF}\u{200E}oi"), "oi");
}

#[test]
fn normalizing_twice_changes_nothing() {
    for s in [
        "Réduction ＳＴＯＰ",
        "ΣΑΣ",
        "İ",
        "ǅ",
        "¨ ´",
        "ﬃ",
        "a\u{1DC0}\u{200B}\u{1DCA}",
        "가\u{0301}",
    ] {
        let once = normalize(s);
        assert_eq!(normalize(&once), once, "{s:?}");
    }
}

#[test]
fn other_compatibility_forms() {
    assert_eq!(normalize("ｶﾀｶﾅ"), "カタカナ", "halfwidth katakana");
    assert_eq!(
        normalize("\u{2F00}\u{F90A}"),
        "一金",
        "Kangxi radical and compatibility ideograph"
    );
    assert_eq!(normalize("Ⅻ ㎏ ™"), "xii kg tm");
    assert_eq!(normalize("２０％ ＯＦＦ"), "20% off");
}

#[test]
fn accents_of_every_latin_language_and_of_greek_go() {
    assert_eq!(normalize("Tiếng Việt"), "tieng viet", "stacked diacritics");
    assert_eq!(normalize("ÅNGSTRÖM Ñandú"), "angstrom nandu");
    assert_eq!(normalize("άέή"), "αεη");
    assert_eq!(
        normalize("Łódź"),
        "łodz",
        "ł is a letter of its own, not an accented l"
    );
}

#[test]
fn emoji_sequences_keep_their_joiners() {
    assert_eq!(normalize("👩\u{200D}💻"), "👩\u{200D}💻");
    assert_eq!(normalize("🇭🇰"), "🇭🇰");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn normalize_is_idempotent(text in prop_oneof![any::<String>(), chatty()]) {
        let once = normalize(&text);
        prop_assert_eq!(normalize(&once), once.clone());
        prop_assert_eq!(once.trim(), once.as_str());
        prop_assert!(!once.contains("  "));
    }

    #[test]
    fn analysis_only_depends_on_the_normalized_text(text in chatty()) {
        let analyzer = crate::analyzer();
        prop_assert_eq!(analyzer.analyze(&text), analyzer.analyze(&normalize(&text)));
    }
}
