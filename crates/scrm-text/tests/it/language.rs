//! The language guess.

use crate::analyze;

fn lang(text: &str) -> Option<String> {
    analyze(text).language
}

#[test]
fn each_language_by_its_phrases_and_words() {
    let cases = [
        ("How much is the dress?", "en"),
        ("thank you!", "en"),
        ("C'est combien pour la robe ?", "fr"),
        ("Merci", "fr"),
        ("ou en est ma commande", "fr"),
        ("Quanto custa o vestido?", "pt"),
        ("Obrigada!", "pt"),
        ("cade meu pedido", "pt"),
        ("幾多錢呀", "zh"),
        ("多少钱", "zh"),
        ("我張單去到邊", "zh"),
    ];
    for (text, want) in cases {
        assert_eq!(lang(text).as_deref(), Some(want), "{text:?}");
    }
}

#[test]
fn han_decides_when_nothing_else_does() {
    assert_eq!(lang("你好").as_deref(), Some("zh"));
    assert_eq!(lang("喂你好").as_deref(), Some("zh"));
    assert_eq!(lang("XYZ 型號 123").as_deref(), Some("zh"));
}

#[test]
fn no_signal_means_none() {
    for text in [
        "",
        "   ",
        "Hi",
        "ok",
        "12345",
        "👍",
        "https://example.com",
        "STOP",
        "promo",
        "Bonjour",
    ] {
        assert_eq!(lang(text), None, "{text:?}");
    }
}

#[test]
fn the_most_matched_language_wins() {
    assert_eq!(
        lang("hi 你好 how much is it? thanks").as_deref(),
        Some("en")
    );
    assert_eq!(
        lang("想問下 size chart 有冇M碼? 幾錢?").as_deref(),
        Some("zh")
    );
    assert_eq!(
        lang("obrigada, quanto custa? thanks").as_deref(),
        Some("pt")
    );
}

#[test]
fn overlapping_phrases_of_one_language_count_once() {
    // "what size" and "size" are one stretch of English; "quanto custa" and "obrigada" are
    // two of Portuguese.
    assert_eq!(
        lang("what size? quanto custa? obrigada").as_deref(),
        Some("pt")
    );
}

#[test]
fn ties_follow_the_fixed_order_zh_pt_fr_en() {
    // One stretch each.
    assert_eq!(lang("merci 謝謝").as_deref(), Some("zh"));
    assert_eq!(lang("merci obrigada").as_deref(), Some("pt"));
    assert_eq!(lang("thanks merci").as_deref(), Some("fr"));
}

#[test]
fn typos_missing_accents_capitals_and_fullwidth_keep_their_language() {
    let cases = [
        ("QUANTO CUSTA???", "pt"),
        ("nao recebi meu pedido", "pt"),
        ("vc tem desconto", "pt"),
        ("OU EST MON COLIS", "fr"),
        ("tres decu", "fr"),
        ("cest combien", "fr"),
        ("Ｈｏｗ ｍｕｃｈ？", "en"),
        ("hw much", "en"),
        ("WHERE IS MY ORDER", "en"),
        ("幾錢？", "zh"),
        ("有冇Ｍ碼？", "zh"),
    ];
    for (text, want) in cases {
        assert_eq!(lang(text).as_deref(), Some(want), "{text:?}");
    }
}

#[test]
fn cantonese_taiwanese_and_simplified_are_all_zh() {
    for text in [
        "我張單去咗邊?",
        "有冇得平啲呀",
        "唔該晒",
        "請問門市在哪裡?",
        "我要找真人客服",
        "有优惠吗",
        "我的订单到哪了",
    ] {
        assert_eq!(lang(text).as_deref(), Some("zh"), "{text:?}");
    }
}

#[test]
fn sentiment_words_alone_are_evidence() {
    assert_eq!(lang("adorei!!").as_deref(), Some("pt"));
    assert_eq!(lang("c'est nickel, merci").as_deref(), Some("fr"));
    assert_eq!(lang("awful").as_deref(), Some("en"));
    assert_eq!(lang("好正").as_deref(), Some("zh"));
}

#[test]
fn whole_message_phrases_vote_only_when_they_match() {
    // "sair" is a Portuguese opt-out reply; inside a sentence it is nothing.
    assert_eq!(lang("sair").as_deref(), Some("pt"));
    assert_eq!(lang("sair now please"), None);
}
