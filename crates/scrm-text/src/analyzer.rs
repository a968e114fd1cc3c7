//! The [`Analyzer`]: one automaton pass over a normalized message, then intents, language
//! and sentiment from the hits.
//!
//! Per message: [`crate::normalize()`] the text; run the automaton in overlapping mode, which
//! reports every occurrence of every pattern; drop occurrences that touch a word character
//! on a side where the pattern starts or ends with one (the word-boundary rule of
//! [`crate::MatchMode::Contains`]); keep whole-message uses only when the occurrence covers
//! exactly the message's trimmed core. Kept occurrences of patterns that belong to a single
//! language and have letters are that language's evidence; each distinct stretch of text
//! they cover is one vote (`what size` and the `size` inside it are one). Lexicon occurrences go to
//! the sentiment heuristic with the guessed language, which decides which language's role a
//! word has when lexicons disagree.

use std::fmt;
use std::sync::Arc;

use crate::build::{compile, Compiled, Pattern};
use crate::normalize::{core_span, is_han, is_word_char, normalize};
use crate::sentiment::{self, Hit};
use crate::{Analysis, IntentSpec, SentimentSpec, TextError};

/// Finds intents, language and sentiment in messages. Built once from the specs, then cheap
/// to clone (the compiled tables are shared) and safe to use from many threads at once.
///
/// All intent phrases and lexicon entries, normalized, form one Aho-Corasick automaton,
/// searched once per message in overlapping mode: every occurrence of every pattern is
/// reported, so a longer phrase that fails the word-boundary check cannot hide a shorter
/// one that passes, and a message mentions every intent any of its phrases reveals
/// (`有冇平啲?太貴喇` is both `discount` and `too_expensive`). Occurrences that break the
/// word-boundary rule of [`crate::MatchMode::Contains`] are dropped; whole-message phrases
/// count only when they cover the message's trimmed core. The sentiment heuristic then
/// keeps the longest non-overlapping lexicon hits (see [`crate::sentiment`]). With the
/// defaults, building takes a few milliseconds and analyzing a 200-character message a few
/// microseconds (release build).
#[derive(Clone)]
pub struct Analyzer {
    inner: Arc<Compiled>,
}

impl fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Analyzer")
            .field("intents", &self.inner.intent_ids)
            .field("languages", &self.inner.langs)
            .field("patterns", &self.inner.patterns.len())
            .finish()
    }
}

impl Analyzer {
    /// Validates and compiles `intents` and `sentiment`.
    ///
    /// Every phrase and lexicon entry is normalized with [`crate::normalize()`]; duplicates
    /// (within a list, or written differently but equal once normalized) are merged. The
    /// same phrase may serve several intents and languages. Fails on an empty or duplicate
    /// intent id, an intent without phrases, a language key that is not 2–3 lowercase ASCII
    /// letters, an empty phrase or entry, one that normalizes to nothing, a whole-message
    /// phrase without any letter or digit, or an entry listed in two roles of one lexicon.
    pub fn new(intents: &[IntentSpec], sentiment: &SentimentSpec) -> Result<Analyzer, TextError> {
        Ok(Analyzer {
            inner: Arc::new(compile(intents, sentiment)?),
        })
    }

    /// The intent ids, in the order of the specs given to [`Analyzer::new`].
    pub fn intent_ids(&self) -> impl Iterator<Item = &str> {
        self.inner.intent_ids.iter().map(String::as_str)
    }

    /// Analyzes one message. Never fails and never panics; the result depends on the text
    /// only, so the same text always gives the same analysis.
    pub fn analyze(&self, text: &str) -> Analysis {
        let c = &*self.inner;
        let norm = normalize(text);
        let core = core_span(&norm);
        let mut matched = vec![false; c.intent_ids.len()];
        let mut evidence = Vec::new();
        let mut lexicon_hits = Vec::new();
        for m in c.automaton.find_overlapping_iter(&norm) {
            let id = m.pattern().as_usize();
            let pattern = &c.patterns[id];
            let (start, end) = (m.start(), m.end());
            if !at_word_boundaries(&norm, start, end, pattern) {
                continue;
            }
            let whole = (start, end) == core;
            let mut effective = false;
            for used in &pattern.intents {
                if !used.whole || whole {
                    matched[used.intent] = true;
                    effective = true;
                }
            }
            if !pattern.roles.is_empty() || pattern.neutral {
                lexicon_hits.push(Hit {
                    start,
                    end,
                    pattern: id,
                });
                effective = true;
            }
            if let (true, Some(lang)) = (effective, pattern.evidence) {
                evidence.push((lang, start, end));
            }
        }
        let guessed = most_voted(&stretch_votes(evidence, c.langs.len()));
        let language = match guessed {
            Some(i) => Some(c.langs[i].clone()),
            None if norm.chars().any(is_han) => Some("zh".to_owned()),
            None => None,
        };
        let sentiment_lang = guessed.or_else(|| {
            language
                .as_ref()
                .and_then(|l| c.langs.iter().position(|x| x == l))
        });
        Analysis {
            intents: c
                .intent_ids
                .iter()
                .zip(&matched)
                .filter(|(_, hit)| **hit)
                .map(|(id, _)| id.clone())
                .collect(),
            language,
            sentiment: sentiment::score(&norm, lexicon_hits, &c.patterns, sentiment_lang),
        }
    }
}

/// The word-boundary rule: a pattern that starts (ends) with a word character must not be
/// preceded (followed) by one.
fn at_word_boundaries(text: &str, start: usize, end: usize, pattern: &Pattern) -> bool {
    let before_ok =
        !pattern.left_boundary || !text[..start].chars().next_back().is_some_and(is_word_char);
    let after_ok = !pattern.right_boundary || !text[end..].chars().next().is_some_and(is_word_char);
    before_ok && after_ok
}

/// Votes per language: the number of distinct stretches of text its hits cover, so
/// overlapping hits of one language (`what size` and `size`) are one vote.
fn stretch_votes(mut spans: Vec<(usize, usize, usize)>, langs: usize) -> Vec<u32> {
    spans.sort_unstable();
    let mut votes = vec![0; langs];
    let mut current: Option<(usize, usize)> = None;
    for (lang, start, end) in spans {
        match current {
            Some((l, e)) if l == lang && start < e => current = Some((l, e.max(end))),
            _ => {
                votes[lang] += 1;
                current = Some((lang, end));
            }
        }
    }
    votes
}

/// The language index with the most votes; languages are in priority order, so the first
/// maximum wins ties. `None` without any vote.
fn most_voted(votes: &[u32]) -> Option<usize> {
    let mut best: Option<(usize, u32)> = None;
    for (i, &v) in votes.iter().enumerate() {
        if v > 0 && best.is_none_or(|(_, b)| v > b) {
            best = Some((i, v));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_go_to_the_first_language_in_priority_order() {
        assert_eq!(most_voted(&[]), None);
        assert_eq!(most_voted(&[0, 0, 0]), None);
        assert_eq!(most_voted(&[1, 1, 0]), Some(0));
        assert_eq!(most_voted(&[0, 2, 2, 1]), Some(1));
        assert_eq!(most_voted(&[0, 1, 2, 3]), Some(3));
    }

    #[test]
    fn overlapping_hits_of_one_language_are_one_vote() {
        assert_eq!(stretch_votes(vec![], 2), vec![0, 0]);
        let spans = vec![(1, 5, 9), (1, 0, 9), (0, 0, 4), (1, 12, 15), (1, 9, 11)];
        assert_eq!(stretch_votes(spans, 2), vec![1, 3]);
    }

    #[test]
    fn word_boundaries_only_where_the_pattern_has_a_word_edge() {
        let latin = Pattern {
            left_boundary: true,
            right_boundary: true,
            ..Pattern::default()
        };
        assert!(at_word_boundaries("stop", 0, 4, &latin));
        assert!(!at_word_boundaries("nonstop", 3, 7, &latin));
        assert!(!at_word_boundaries("stopped", 0, 4, &latin));
        assert!(at_word_boundaries("'stop'", 1, 5, &latin));
        let text = "揀邊個size?";
        let start = text.find("size").unwrap();
        assert!(at_word_boundaries(text, start, start + 4, &latin));
        let cjk = Pattern::default();
        assert!(at_word_boundaries("ab", 1, 1, &cjk));
    }

    #[test]
    fn analyzer_is_send_sync_and_debug_is_short() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Analyzer>();
        let a = Analyzer::new(&crate::default_intents(), &crate::default_sentiment()).unwrap();
        let debug = format!("{a:?}");
        assert!(debug.len() < 400, "{debug}");
        assert!(debug.contains("product_inquiry"));
    }
}
