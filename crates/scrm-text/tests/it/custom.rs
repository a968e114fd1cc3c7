//! The matching rules on small hand-written specs, and the API's guarantees.

use std::collections::BTreeMap;

use proptest::prelude::*;
use scrm_text::{Analyzer, IntentSpec, Lexicon, MatchMode, SentimentSpec};
use serde::de::{value::Error as DeError, Deserialize, IntoDeserializer};

fn spec(id: &str, mode: MatchMode, phrases: &[(&str, &[&str])]) -> IntentSpec {
    IntentSpec {
        id: id.to_owned(),
        mode,
        phrases: phrases
            .iter()
            .map(|(lang, list)| {
                (
                    (*lang).to_owned(),
                    list.iter().map(|p| (*p).to_owned()).collect(),
                )
            })
            .collect(),
    }
}

fn ids(analyzer: &Analyzer, text: &str) -> Vec<String> {
    analyzer.analyze(text).intents.into_iter().collect()
}

#[test]
fn intent_ids_keep_spec_order() {
    let a = Analyzer::new(
        &[
            spec("zeta", MatchMode::Contains, &[("en", &["z"])]),
            spec("alpha", MatchMode::Contains, &[("en", &["a"])]),
            spec("mid", MatchMode::WholeMessage, &[("en", &["m"])]),
        ],
        &SentimentSpec::default(),
    )
    .unwrap();
    assert_eq!(a.intent_ids().collect::<Vec<_>>(), ["zeta", "alpha", "mid"]);
    let defaults = crate::analyzer().intent_ids().collect::<Vec<_>>();
    assert_eq!(
        defaults,
        [
            "product_inquiry",
            "discount",
            "too_expensive",
            "store_address",
            "order_status",
            "human",
            "complaint",
            "size_question",
            "opt_out",
            "opt_in"
        ]
    );
}

#[test]
fn configured_phrases_are_normalized_like_messages() {
    let a = Analyzer::new(
        &[spec(
            "address",
            MatchMode::Contains,
            &[("pt", &["ENDEREÇO da Loja"]), ("fr", &["Où  se trouve"])],
        )],
        &SentimentSpec::default(),
    )
    .unwrap();
    for text in [
        "qual o endereco da loja?",
        "ENDEREÇO DA LOJA",
        "ｅｎｄｅｒｅｃｏ ｄａ ｌｏｊａ",
        "ou se trouve la boutique",
    ] {
        assert_eq!(ids(&a, text), ["address"], "{text:?}");
    }
}

#[test]
fn latin_phrases_respect_word_boundaries_and_cjk_phrases_do_not_need_them() {
    let a = Analyzer::new(
        &[
            spec(
                "price",
                MatchMode::Contains,
                &[("en", &["price"]), ("fr", &["prix"])],
            ),
            spec("stop", MatchMode::Contains, &[("en", &["stop"])]),
            spec(
                "size",
                MatchMode::Contains,
                &[("zh", &["m碼", "碼數"]), ("en", &["size"])],
            ),
            spec("cjk", MatchMode::Contains, &[("zh", &["幾錢"])]),
        ],
        &SentimentSpec::default(),
    )
    .unwrap();
    assert!(ids(&a, "priceless").is_empty());
    assert!(ids(&a, "prixe").is_empty());
    assert!(ids(&a, "nonstop").is_empty());
    assert!(ids(&a, "stopped").is_empty());
    assert_eq!(ids(&a, "price?"), ["price"]);
    assert_eq!(ids(&a, "(prix)"), ["price"]);
    assert_eq!(ids(&a, "don't stop"), ["stop"]);
    assert_eq!(ids(&a, "l'prix"), ["price"], "an apostrophe is a boundary");
    assert_eq!(
        ids(&a, "有冇M碼"),
        ["size"],
        "Han next to a Latin letter is a boundary"
    );
    assert_eq!(ids(&a, "揀邊個size?"), ["size"]);
    assert!(ids(&a, "xm碼").is_empty(), "but a Latin letter is not");
    assert_eq!(
        ids(&a, "件衫幾錢呀"),
        ["cjk"],
        "CJK phrases match inside a run of Han"
    );
}

#[test]
fn whole_message_trims_punctuation_emoji_and_quotes_at_both_ends() {
    let a = Analyzer::new(
        &[
            spec(
                "opt_out",
                MatchMode::WholeMessage,
                &[("en", &["Stop!", "stop pub"]), ("zh", &["退訂"])],
            ),
            spec("mentions_stop", MatchMode::Contains, &[("en", &["stop"])]),
        ],
        &SentimentSpec::default(),
    )
    .unwrap();
    for text in [
        "stop",
        "STOP",
        " Stop!!! ",
        "«stop»",
        "stop 🙏🙏",
        "...stop?",
        "ＳＴＯＰ。",
        "Stop   pub",
        "退訂！",
    ] {
        assert!(a.analyze(text).intents.contains("opt_out"), "{text:?}");
    }
    for text in [
        "stop now",
        "please stop",
        "stop stop",
        "stopp",
        "I don't want to stop",
        "退訂咗未",
    ] {
        assert!(!a.analyze(text).intents.contains("opt_out"), "{text:?}");
    }
    assert_eq!(ids(&a, "please stop"), ["mentions_stop"]);
    assert_eq!(ids(&a, "STOP"), ["mentions_stop", "opt_out"]);
}

#[test]
fn empty_specs_give_empty_analyses() {
    let a = Analyzer::new(&[], &SentimentSpec::default()).unwrap();
    assert_eq!(a.intent_ids().count(), 0);
    let r = a.analyze("how much? 幾錢");
    assert!(r.intents.is_empty());
    assert_eq!(r.language.as_deref(), Some("zh"));
    assert_eq!(r.sentiment, None);
    assert_eq!(a.analyze("hello"), scrm_text::Analysis::default());
}

#[test]
fn languages_beyond_the_defaults_are_allowed_and_rank_after_them() {
    let a = Analyzer::new(
        &[spec(
            "discount",
            MatchMode::Contains,
            &[("es", &["descuento"]), ("yue", &["有冇折"])],
        )],
        &SentimentSpec {
            lexicons: BTreeMap::from([(
                "es".to_owned(),
                Lexicon {
                    positive: vec!["genial".into()],
                    negators: vec!["no".into()],
                    ..Lexicon::default()
                },
            )]),
        },
    )
    .unwrap();
    let r = a.analyze("¿hay descuento? no es genial");
    assert_eq!(r.language.as_deref(), Some("es"));
    assert_eq!(r.sentiment, Some(0.25));
    assert_eq!(a.analyze("有冇折").language.as_deref(), Some("yue"));
}

#[test]
fn negators_of_another_language_do_not_flip() {
    let sentiment = SentimentSpec {
        lexicons: BTreeMap::from([
            (
                "en".to_owned(),
                Lexicon {
                    positive: vec!["fine".into()],
                    negators: vec!["no".into()],
                    ..Lexicon::default()
                },
            ),
            (
                "pt".to_owned(),
                Lexicon {
                    positive: vec!["gostei".into()],
                    negators: vec!["não".into()],
                    ..Lexicon::default()
                },
            ),
        ]),
    };
    let a = Analyzer::new(&[], &sentiment).unwrap();
    // Portuguese "no" means "in the": the English negator must not flip "gostei".
    assert_eq!(
        a.analyze("gostei, chegou no prazo, gostei").sentiment,
        Some(0.5 + 0.5 * 2.0 / 3.0)
    );
    assert_eq!(a.analyze("no gostei").language.as_deref(), Some("pt"));
    assert!(a.analyze("no gostei").sentiment.unwrap() > 0.5);
    assert!(a.analyze("no fine").sentiment.unwrap() < 0.5);
}

#[test]
fn match_mode_uses_snake_case_names() {
    let parse = |s: &str| MatchMode::deserialize(IntoDeserializer::<DeError>::into_deserializer(s));
    assert_eq!(parse("contains"), Ok(MatchMode::Contains));
    assert_eq!(parse("whole_message"), Ok(MatchMode::WholeMessage));
    assert!(parse("WholeMessage").is_err());
}

#[test]
fn one_analyzer_serves_many_threads_with_the_same_answers() {
    let analyzer = crate::analyzer().clone();
    let texts = [
        "幾多錢呀",
        "tem desconto?",
        "Où est mon colis ?",
        "STOP",
        "The item arrived damaged 😡",
    ];
    let expected: Vec<_> = texts.iter().map(|t| analyzer.analyze(t)).collect();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..50 {
                    for (t, want) in texts.iter().zip(&expected) {
                        assert_eq!(&analyzer.analyze(t), want);
                    }
                }
            });
        }
    });
}

/// Chat-like text: words of the four languages, emoji, punctuation, odd spaces and
/// combining marks, mixed with anything at all.
pub(crate) fn chatty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("não ".to_owned()),
        Just("pas ".to_owned()),
        Just("muito caro".to_owned()),
        Just("唔".to_owned()),
        Just("有冇".to_owned()),
        Just("好".to_owned()),
        Just("滿意".to_owned()),
        Just("stop".to_owned()),
        Just(" very good ".to_owned()),
        Just("😡".to_owned()),
        Just("👍🏻".to_owned()),
        Just("\u{0301}".to_owned()),
        Just("\u{200B}".to_owned()),
        Just("，".to_owned()),
        Just("ＳＴＯＰ".to_owned()),
        any::<String>(),
        "\\PC{0,8}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn analyze_never_panics_stays_in_range_and_is_deterministic(
        text in prop_oneof![any::<String>(), chatty()]
    ) {
        let analyzer = crate::analyzer();
        let first = analyzer.analyze(&text);
        if let Some(s) = first.sentiment {
            prop_assert!((0.0..=1.0).contains(&s), "{s}");
        }
        prop_assert_eq!(&analyzer.analyze(&text), &first);
        prop_assert_eq!(&analyzer.clone().analyze(&text), &first);
    }
}
