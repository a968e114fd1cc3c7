//! Every way the specs can be wrong, with the message a rule-pack author would see.

use std::collections::BTreeMap;

use scrm_text::{Analyzer, IntentSpec, Lexicon, MatchMode, SentimentSpec, TextError};

fn intent(id: &str, mode: MatchMode, lang: &str, phrases: &[&str]) -> IntentSpec {
    IntentSpec {
        id: id.to_owned(),
        mode,
        phrases: BTreeMap::from([(
            lang.to_owned(),
            phrases.iter().map(|p| (*p).to_owned()).collect(),
        )]),
    }
}

fn lexicon(lang: &str, lexicon: Lexicon) -> SentimentSpec {
    SentimentSpec {
        lexicons: BTreeMap::from([(lang.to_owned(), lexicon)]),
    }
}

fn build_err(intents: &[IntentSpec], sentiment: &SentimentSpec) -> TextError {
    Analyzer::new(intents, sentiment).expect_err("the specs should be refused")
}

#[test]
fn empty_phrase() {
    let err = build_err(
        &[intent(
            "discount",
            MatchMode::Contains,
            "fr",
            &["code promo", "", "réduction"],
        )],
        &SentimentSpec::default(),
    );
    assert_eq!(
        err,
        TextError::EmptyPhrase {
            intent: "discount".into(),
            lang: "fr".into(),
            index: 1
        }
    );
    assert_eq!(
        err.to_string(),
        "intent `discount`, language `fr`, phrase #1 is empty"
    );
}

#[test]
fn phrase_that_normalizes_to_nothing() {
    for blank in ["   ", "\u{200B}", "\u{3000}\t"] {
        let err = build_err(
            &[intent(
                "human",
                MatchMode::Contains,
                "pt",
                &["atendente", blank],
            )],
            &SentimentSpec::default(),
        );
        assert_eq!(
            err,
            TextError::PhraseNormalizesToNothing {
                intent: "human".into(),
                lang: "pt".into(),
                index: 1,
                phrase: blank.into()
            }
        );
        let message = err.to_string();
        assert!(
            message.starts_with("intent `human`, language `pt`, phrase #1 ("),
            "{message}"
        );
        assert!(message.contains("normalizes to nothing"), "{message}");
    }
}

#[test]
fn whole_message_phrase_without_letters() {
    let err = build_err(
        &[intent(
            "opt_out",
            MatchMode::WholeMessage,
            "en",
            &["stop", "🛑!"],
        )],
        &SentimentSpec::default(),
    );
    assert_eq!(
        err,
        TextError::WholeMessagePhraseWithoutText {
            intent: "opt_out".into(),
            lang: "en".into(),
            index: 1,
            phrase: "🛑!".into()
        }
    );
    assert!(
        err.to_string().contains("has no letters or digits"),
        "{err}"
    );
    // The same phrase is fine where it may occur inside a message.
    assert!(Analyzer::new(
        &[intent("alarm", MatchMode::Contains, "en", &["🛑"])],
        &SentimentSpec::default()
    )
    .is_ok());
}

#[test]
fn invalid_language_codes() {
    for bad in ["pt_BR", "PT", "e", "engl", "zh-Hant", ""] {
        let err = build_err(
            &[intent("discount", MatchMode::Contains, bad, &["promo"])],
            &SentimentSpec::default(),
        );
        assert_eq!(
            err,
            TextError::BadLanguage {
                owner: "intent `discount`".into(),
                lang: bad.into()
            },
            "{bad:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "intent `discount`: `{bad}` is not a valid language code; use 2 or 3 lowercase ASCII letters such as \"en\", \"pt\" or \"zh\" (no region suffix)"
            )
        );
    }
    let err = build_err(&[], &lexicon("pt-BR", Lexicon::default()));
    assert_eq!(
        err,
        TextError::BadLanguage {
            owner: "sentiment lexicons".into(),
            lang: "pt-BR".into()
        }
    );
    assert!(err
        .to_string()
        .starts_with("sentiment lexicons: `pt-BR` is not a valid language code"));
}

#[test]
fn duplicate_intent_ids() {
    let err = build_err(
        &[
            intent("discount", MatchMode::Contains, "en", &["promo"]),
            intent("human", MatchMode::Contains, "en", &["agent please"]),
            intent("discount", MatchMode::Contains, "fr", &["réduction"]),
        ],
        &SentimentSpec::default(),
    );
    assert_eq!(
        err,
        TextError::DuplicateIntent {
            intent: "discount".into(),
            first: 0,
            second: 2
        }
    );
    assert_eq!(
        err.to_string(),
        "intent `discount` is defined twice (intents #0 and #2); intent ids must be unique"
    );
}

#[test]
fn empty_id_and_intent_without_phrases() {
    let err = build_err(
        &[intent(" ", MatchMode::Contains, "en", &["promo"])],
        &SentimentSpec::default(),
    );
    assert_eq!(err, TextError::EmptyIntentId { index: 0 });
    assert!(err.to_string().starts_with("intent #0 has an empty id"));

    let err = build_err(
        &[intent("silent", MatchMode::Contains, "en", &[])],
        &SentimentSpec::default(),
    );
    assert_eq!(
        err,
        TextError::IntentWithoutPhrases {
            intent: "silent".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "intent `silent` has no phrases in any language, so it could never match"
    );
}

#[test]
fn lexicon_entries() {
    let err = build_err(
        &[],
        &lexicon(
            "fr",
            Lexicon {
                positive: vec!["bien".into()],
                negative: vec!["nul".into(), "".into()],
                ..Lexicon::default()
            },
        ),
    );
    assert_eq!(
        err,
        TextError::EmptyLexiconEntry {
            lang: "fr".into(),
            list: "negative",
            index: 1
        }
    );
    assert_eq!(
        err.to_string(),
        "sentiment lexicon `fr`, negative entry #1 is empty"
    );

    let err = build_err(
        &[],
        &lexicon(
            "en",
            Lexicon {
                intensifiers: vec![" \t ".into()],
                ..Lexicon::default()
            },
        ),
    );
    assert_eq!(
        err,
        TextError::LexiconEntryNormalizesToNothing {
            lang: "en".into(),
            list: "intensifiers",
            index: 0,
            entry: " \t ".into()
        }
    );
    assert!(err.to_string().starts_with(
        "sentiment lexicon `en`, intensifiers entry #0 (\" \\t \") normalizes to nothing"
    ));

    let err = build_err(
        &[],
        &lexicon(
            "pt",
            Lexicon {
                positive: vec!["Caro".into()],
                negative: vec!["caro".into()],
                ..Lexicon::default()
            },
        ),
    );
    assert_eq!(
        err,
        TextError::ConflictingLexiconEntry {
            lang: "pt".into(),
            entry: "caro".into(),
            first: "positive",
            second: "negative"
        }
    );
    assert!(
        err.to_string()
            .contains("\"caro\" is listed both as positive and as negative"),
        "{err}"
    );
}

#[test]
fn duplicates_that_are_not_errors() {
    // The same phrase twice, in two spellings, in two intents and as a lexicon word in two
    // languages: all merged silently.
    let intents = [
        intent(
            "discount",
            MatchMode::Contains,
            "fr",
            &["réduction", "REDUCTION", "réduction"],
        ),
        intent("price_talk", MatchMode::Contains, "fr", &["réduction"]),
    ];
    let sentiment = SentimentSpec {
        lexicons: BTreeMap::from([
            (
                "en".into(),
                Lexicon {
                    positive: vec!["top".into(), "top".into()],
                    ..Lexicon::default()
                },
            ),
            (
                "fr".into(),
                Lexicon {
                    positive: vec!["top".into()],
                    ..Lexicon::default()
                },
            ),
        ]),
    };
    let analyzer = Analyzer::new(&intents, &sentiment).unwrap();
    let a = analyzer.analyze("Une réduction ? top");
    assert_eq!(a.intents.len(), 2);
    assert_eq!(a.sentiment, Some(0.75));
}
