//! What can be wrong with the specs an [`crate::Analyzer`] is built from.
//!
//! Every error is a user error in the configuration (intent phrases or sentiment lexicons),
//! found once at build time; analysis itself cannot fail. Messages name the intent (or the
//! lexicon), the language and the 0-based index of the offending entry, and say plainly what
//! is wrong with it, so they can be shown to whoever edits the rule pack.

use thiserror::Error;

/// Why [`crate::Analyzer::new`] refused the specs.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextError {
    /// The product catalogue is not usable (a repeated SKU, an alias of two products, an
    /// alias with no letters or digits).
    #[error("catalogue: {0}")]
    Catalogue(String),
    /// An intent id is empty or blank.
    #[error(
        "intent #{index} has an empty id; give every intent a non-empty id such as \"discount\""
    )]
    EmptyIntentId {
        /// Position of the intent in the list.
        index: usize,
    },
    /// Two intents share an id.
    #[error(
        "intent `{intent}` is defined twice (intents #{first} and #{second}); intent ids must be unique"
    )]
    DuplicateIntent {
        /// The repeated id.
        intent: String,
        /// Position of its first definition.
        first: usize,
        /// Position of the second one.
        second: usize,
    },
    /// An intent has no phrase in any language, so it could never match.
    #[error("intent `{intent}` has no phrases in any language, so it could never match")]
    IntentWithoutPhrases {
        /// The intent id.
        intent: String,
    },
    /// A language key is not a plain 2–3 letter lowercase code.
    #[error(
        "{owner}: `{lang}` is not a valid language code; use 2 or 3 lowercase ASCII letters such as \"en\", \"pt\" or \"zh\" (no region suffix)"
    )]
    BadLanguage {
        /// Where the code was found: "intent `discount`" or "sentiment lexicons".
        owner: String,
        /// The rejected code.
        lang: String,
    },
    /// A phrase is the empty string.
    #[error("intent `{intent}`, language `{lang}`, phrase #{index} is empty")]
    EmptyPhrase {
        /// The intent id.
        intent: String,
        /// The language key.
        lang: String,
        /// Position of the phrase in that language's list.
        index: usize,
    },
    /// A phrase has only whitespace or invisible characters.
    #[error(
        "intent `{intent}`, language `{lang}`, phrase #{index} ({phrase:?}) normalizes to nothing: it has only whitespace or invisible characters"
    )]
    PhraseNormalizesToNothing {
        /// The intent id.
        intent: String,
        /// The language key.
        lang: String,
        /// Position of the phrase in that language's list.
        index: usize,
        /// The phrase as written.
        phrase: String,
    },
    /// A whole-message phrase has no letter or digit, so no trimmed message can equal it.
    #[error(
        "intent `{intent}`, language `{lang}`, phrase #{index} ({phrase:?}) has no letters or digits; whole-message phrases are compared after punctuation, symbols and emoji are trimmed from both ends, so this one could never match"
    )]
    WholeMessagePhraseWithoutText {
        /// The intent id.
        intent: String,
        /// The language key.
        lang: String,
        /// Position of the phrase in that language's list.
        index: usize,
        /// The phrase as written.
        phrase: String,
    },
    /// A lexicon entry is the empty string.
    #[error("sentiment lexicon `{lang}`, {list} entry #{index} is empty")]
    EmptyLexiconEntry {
        /// The language key.
        lang: String,
        /// Which list: "positive", "negative", "negators" or "intensifiers".
        list: &'static str,
        /// Position of the entry in that list.
        index: usize,
    },
    /// A lexicon entry has only whitespace or invisible characters.
    #[error(
        "sentiment lexicon `{lang}`, {list} entry #{index} ({entry:?}) normalizes to nothing: it has only whitespace or invisible characters"
    )]
    LexiconEntryNormalizesToNothing {
        /// The language key.
        lang: String,
        /// Which list: "positive", "negative", "negators" or "intensifiers".
        list: &'static str,
        /// Position of the entry in that list.
        index: usize,
        /// The entry as written.
        entry: String,
    },
    /// The same (normalized) entry is in two lists of one lexicon.
    #[error(
        "sentiment lexicon `{lang}`: {entry:?} is listed both as {first} and as {second} (after normalization); an entry can have only one role per language"
    )]
    ConflictingLexiconEntry {
        /// The language key.
        lang: String,
        /// The normalized entry.
        entry: String,
        /// The list it was first found in.
        first: &'static str,
        /// The list that contradicts it.
        second: &'static str,
    },
    /// The automaton could not be built (far beyond any realistic phrase count).
    #[error("could not compile the phrases into one automaton: {reason}")]
    Automaton {
        /// The matcher's explanation.
        reason: String,
    },
}

/// Checks that `lang` is a plain language code: 2–3 lowercase ASCII letters.
pub(crate) fn check_lang(owner: impl FnOnce() -> String, lang: &str) -> Result<(), TextError> {
    let plain = (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase());
    if plain {
        Ok(())
    } else {
        Err(TextError::BadLanguage {
            owner: owner(),
            lang: lang.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> String {
        "intent `discount`".to_owned()
    }

    #[test]
    fn plain_codes_pass() {
        for ok in ["en", "fr", "pt", "zh", "yue", "haw"] {
            assert_eq!(check_lang(owner, ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_its_owner_named() {
        for bad in ["", "e", "EN", "pt_BR", "pt-BR", "engl", "e1", "zh ", "ç"] {
            let err = check_lang(owner, bad).unwrap_err();
            assert_eq!(
                err,
                TextError::BadLanguage {
                    owner: owner(),
                    lang: bad.to_owned()
                }
            );
            let message = err.to_string();
            assert!(message.starts_with("intent `discount`: `"), "{message}");
            assert!(message.contains("not a valid language code"), "{message}");
        }
    }

    #[test]
    fn messages_name_the_entry() {
        let e = TextError::EmptyPhrase {
            intent: "discount".into(),
            lang: "fr".into(),
            index: 3,
        };
        assert_eq!(
            e.to_string(),
            "intent `discount`, language `fr`, phrase #3 is empty"
        );
        let e = TextError::ConflictingLexiconEntry {
            lang: "pt".into(),
            entry: "caro".into(),
            first: "positive",
            second: "negative",
        };
        assert!(e
            .to_string()
            .contains("\"caro\" is listed both as positive and as negative"));
    }
}
