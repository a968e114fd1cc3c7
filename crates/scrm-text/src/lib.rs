//! What an inbound customer message is about, which language it is in, and how the customer
//! feels — for the short, emoji-laden, often accent-less chat texts that shops in Hong Kong,
//! Taiwan, Brazil and France receive on WhatsApp.
//!
//! An [`Analyzer`] is built once from intent phrase lists ([`IntentSpec`]) and sentiment
//! lexicons ([`SentimentSpec`]), then shared by any number of threads; [`Analyzer::analyze`]
//! turns a message into an [`Analysis`]: the set of intent ids it mentions, a guess of its
//! language and a heuristic sentiment score. [`default_intents`] and [`default_sentiment`]
//! cover English (`en`), French (`fr`), Brazilian Portuguese (`pt`) and Traditional Chinese
//! (`zh`: Hong Kong Cantonese and Taiwanese Mandarin, with Simplified variants of the key
//! phrases). The crate does no I/O.
//!
//! The modules, in the order a message meets them (the public ones carry the reference
//! documentation of their rules):
//! - [`mod@normalize`] — the one [`normalize()`] function applied to phrases at build time
//!   and to messages at analysis time (NFKC, lower case, no Latin diacritics, ASCII
//!   apostrophes, collapsed whitespace), plus the character classes the matcher relies on.
//! - `build` — validates the specs ([`TextError`] says what is wrong and where) and compiles
//!   every phrase and lexicon entry into one table of unique patterns and one Aho-Corasick
//!   automaton.
//! - `analyzer` — the [`Analyzer`]: runs the automaton over a normalized message, applies
//!   the word-boundary and whole-message rules, collects intents and guesses the language.
//! - [`sentiment`] — the lexicon heuristic (negation, intensifiers, A-not-A questions,
//!   neutral formulas) that turns lexicon hits into a score.
//! - [`defaults`] — the built-in phrase lists and lexicons, and the choices behind them.
//! - [`catalogue`] — the products a message names, through the aliases customers write.
//!
//! What a caller should know in short: intents are a set (a message can ask for a discount
//! and say it is too expensive at once); `opt_out`/`opt_in` match only when the whole
//! message, trimmed of punctuation, quotes and emoji at both ends, is one of their phrases
//! (`" STOP!! 🙏"` opts out, `"don't stop"` does not); emoji count for sentiment in every
//! language but are no evidence of a language; a message with no lexicon hit has no
//! sentiment (`None`), not a neutral 0.5; and the analysis depends only on the normalized
//! text, so it is deterministic and can be recomputed during a replay.
//!
//! ```
//! let analyzer = scrm_text::Analyzer::new(
//!     &scrm_text::default_intents(),
//!     &scrm_text::default_sentiment(),
//! )?;
//! let analysis = analyzer.analyze("Tem desconto? Achei muito caro 😕");
//! assert!(analysis.intents.contains("discount"));
//! assert!(analysis.intents.contains("too_expensive"));
//! assert_eq!(analysis.language.as_deref(), Some("pt"));
//! assert!(analysis.sentiment.unwrap() < 0.5);
//! # Ok::<(), scrm_text::TextError>(())
//! ```

#![warn(missing_docs)]

mod analyzer;
mod build;
pub mod catalogue;
pub mod defaults;
mod error;
pub mod normalize;
pub mod sentiment;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use analyzer::Analyzer;
pub use catalogue::{Catalogue, Product};
pub use defaults::{default_intents, default_sentiment};
pub use error::TextError;
pub use normalize::normalize;

/// A language of the phrase lists and lexicons: a plain code of 2–3 lowercase ASCII letters
/// such as `"en"`, `"fr"`, `"pt"` or `"zh"` (no region suffix: `"pt_BR"` is rejected).
pub type Lang = String;

/// How an intent's phrases are compared with a message.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMode {
    /// The phrase occurs anywhere in the normalized message. A phrase that begins (ends) with
    /// a letter or digit of a spaced script (Latin, Greek, Cyrillic…) must not be preceded
    /// (followed) by such a character, so `stop` does not match `nonstop` and `prix` does not
    /// match `prixe`. Chinese characters, kana and punctuation count as boundaries, so `size`
    /// matches in `揀邊個size` and `m碼` in `有冇m碼`. Chinese phrases match anywhere.
    Contains,
    /// The whole message is the phrase, once both are normalized and have lost any leading
    /// and trailing characters that are not letters or digits (whitespace, punctuation,
    /// quotes, emoji): `" STOP!! 🙏"` equals `stop`, `"I don't want to stop"` does not.
    WholeMessage,
}

/// One intent: an id and the phrases that reveal it, per language.
///
/// Phrases may be written in any case, with or without accents, in fullwidth or halfwidth
/// forms: they go through [`normalize()`] like the messages do. A message matches the intent
/// when it matches any phrase of any language.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IntentSpec {
    /// Unique, non-empty id reported in [`Analysis::intents`] (the defaults use snake_case).
    pub id: String,
    /// How the phrases are compared with a message.
    pub mode: MatchMode,
    /// Phrases per language; the languages also feed the language guess.
    pub phrases: BTreeMap<Lang, Vec<String>>,
}

/// Sentiment lexicons per language.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SentimentSpec {
    /// One lexicon per language.
    #[serde(default)]
    pub lexicons: BTreeMap<Lang, Lexicon>,
}

/// The words of one language that carry or modify sentiment. Entries are matched like
/// [`MatchMode::Contains`] phrases (same normalization, same word-boundary rule) and may be
/// multi-word phrases; where entries overlap in a message the leftmost wins, and of those
/// starting at the same place the longest, so a phrase such as `pas mal` (positive) takes
/// precedence over the negator `pas` and the word `mal`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    /// Words and phrases that count +1.
    #[serde(default)]
    pub positive: Vec<String>,
    /// Words and phrases that count −1.
    #[serde(default)]
    pub negative: Vec<String>,
    /// Words that flip the polarity of the next positive/negative hit when it starts within
    /// the 3 tokens (Latin script) or 2 characters (CJK) after the negator.
    #[serde(default)]
    pub negators: Vec<String>,
    /// Words that weight the next positive/negative hit ×1.5, with the same reach as
    /// negators.
    #[serde(default)]
    pub intensifiers: Vec<String>,
}

/// What [`Analyzer::analyze`] found in one message.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Analysis {
    /// Ids of the intents the message matched.
    pub intents: BTreeSet<String>,
    /// Best guess of the message's language: the language whose phrases and lexicon words
    /// matched the most distinct stretches of the message (overlapping matches of one
    /// language, like `what size` and `size`, count once; ties go to `zh`, `pt`, `fr`, `en`,
    /// then other codes alphabetically).
    /// Only hits that point to a single language count: emoji and words listed under several
    /// languages (`stop`, `promo`, `super`) are no evidence. With no evidence, a message with
    /// any Han character is `zh`; otherwise `None`.
    pub language: Option<Lang>,
    /// Heuristic sentiment in [0, 1], 0.5 neutral; `None` when no positive or negative
    /// lexicon entry matched (negators and intensifiers alone give no score).
    pub sentiment: Option<f32>,
}
