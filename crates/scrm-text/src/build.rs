//! Validates the specs and compiles every intent phrase and lexicon entry into one table of
//! unique normalized patterns, each knowing all its uses, and one Aho-Corasick automaton
//! over them.
//!
//! A pattern is stored once however many intents, languages and lexicon lists name it; at
//! analysis time one automaton pass finds every occurrence of every pattern and the uses
//! decide what each occurrence means. The automaton uses standard (overlapping) semantics:
//! every occurrence of every pattern is reported, so a phrase that fails the word-boundary
//! check can never hide a shorter one that passes, and a message mentions every intent any
//! of its phrases reveals. Sentiment then picks the longest non-overlapping lexicon hits
//! itself (see the `sentiment` module).

use std::collections::{BTreeSet, HashMap};

use aho_corasick::{AhoCorasick, MatchKind};

use crate::error::{check_lang, TextError};
use crate::normalize::{core_span, is_cjk, is_word_char, normalize};
use crate::sentiment::NEUTRAL_FORMULAS;
use crate::{IntentSpec, Lang, Lexicon, MatchMode, SentimentSpec};

/// What a lexicon entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Positive,
    Negative,
    Negator,
    Intensifier,
    /// A built-in neutral formula (`good morning`, `不好意思`): shadows the words inside it.
    Neutral,
}

impl Role {
    fn list_name(self) -> &'static str {
        match self {
            Role::Positive => "positive",
            Role::Negative => "negative",
            Role::Negator => "negators",
            Role::Intensifier => "intensifiers",
            Role::Neutral => "neutral formulas",
        }
    }
}

/// One intent that a pattern reveals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IntentUse {
    /// Index into the intent ids.
    pub(crate) intent: usize,
    /// Whole-message phrase: the occurrence must cover the message's trimmed core.
    pub(crate) whole: bool,
}

/// A unique normalized pattern and everything it means.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pattern {
    /// Starts with a word character: the character before a match must not be one.
    pub(crate) left_boundary: bool,
    /// Ends with a word character: the character after a match must not be one.
    pub(crate) right_boundary: bool,
    /// Contains a CJK character: as a negator or intensifier it reaches characters, not
    /// tokens.
    pub(crate) cjk: bool,
    /// Has no letter at all (emoji, emoticons): language-independent.
    pub(crate) letterless: bool,
    /// The one language this pattern is evidence for, if it belongs to exactly one and has
    /// letters.
    pub(crate) evidence: Option<usize>,
    /// One of the built-in neutral formulas of the sentiment heuristic.
    pub(crate) neutral: bool,
    /// A positive or negative entry that starts with a negator of its own lexicon (`pas
    /// mal`, `não recebi`, `冇問題`): it carries its negation, so an earlier negator does not
    /// flip it again (`ce n'est pas mal` stays positive).
    pub(crate) self_negated: bool,
    pub(crate) intents: Vec<IntentUse>,
    /// Lexicon roles by language index, in language priority order.
    pub(crate) roles: Vec<(usize, Role)>,
}

/// The compiled form of the specs.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub(crate) intent_ids: Vec<String>,
    /// Languages in tie-break priority order: zh, pt, fr, en, then the others by code.
    pub(crate) langs: Vec<Lang>,
    pub(crate) patterns: Vec<Pattern>,
    pub(crate) automaton: AhoCorasick,
}

/// Tie-break priority of a language: lower wins.
fn priority(lang: &str) -> (u8, &str) {
    let rank = match lang {
        "zh" => 0,
        "pt" => 1,
        "fr" => 2,
        "en" => 3,
        _ => 4,
    };
    (rank, lang)
}

#[derive(Default)]
struct Builder {
    index: HashMap<String, usize>,
    texts: Vec<String>,
    patterns: Vec<Pattern>,
    /// Every language that names each pattern.
    langs: Vec<BTreeSet<usize>>,
}

impl Builder {
    /// The id of the pattern `text`, created if new, noting that `lang` names it.
    fn pattern(&mut self, text: String, lang: usize) -> usize {
        let id = self.intern(text);
        self.langs[id].insert(lang);
        id
    }

    fn intern(&mut self, text: String) -> usize {
        match self.index.get(&text) {
            Some(&id) => id,
            None => {
                let id = self.texts.len();
                self.patterns.push(Pattern {
                    left_boundary: text.chars().next().is_some_and(is_word_char),
                    right_boundary: text.chars().next_back().is_some_and(is_word_char),
                    cjk: text.chars().any(is_cjk),
                    letterless: !text.chars().any(char::is_alphabetic),
                    ..Pattern::default()
                });
                self.langs.push(BTreeSet::new());
                self.index.insert(text.clone(), id);
                self.texts.push(text);
                id
            }
        }
    }
}

/// Validates `intents` and `sentiment` and compiles them.
pub(crate) fn compile(
    intents: &[IntentSpec],
    sentiment: &SentimentSpec,
) -> Result<Compiled, TextError> {
    let intent_ids = check_ids(intents)?;
    let langs = collect_langs(intents, sentiment)?;
    let lang_index: HashMap<&str, usize> = langs
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let mut b = Builder::default();
    for (intent, spec) in intents.iter().enumerate() {
        let whole = spec.mode == MatchMode::WholeMessage;
        let mut any = false;
        for (lang, phrases) in &spec.phrases {
            for (index, phrase) in phrases.iter().enumerate() {
                let text = intent_phrase(spec, lang, index, phrase)?;
                let id = b.pattern(text, lang_index[lang.as_str()]);
                let used = IntentUse { intent, whole };
                if !b.patterns[id].intents.contains(&used) {
                    b.patterns[id].intents.push(used);
                }
                any = true;
            }
        }
        if !any {
            return Err(TextError::IntentWithoutPhrases {
                intent: spec.id.clone(),
            });
        }
    }
    for (lang, lexicon) in &sentiment.lexicons {
        add_lexicon(&mut b, lang, lang_index[lang.as_str()], lexicon)?;
    }
    mark_self_negated(&mut b);
    if !sentiment.lexicons.is_empty() {
        for formula in NEUTRAL_FORMULAS {
            let id = b.intern(normalize(formula));
            b.patterns[id].neutral = true;
        }
    }
    for (pattern, langs) in b.patterns.iter_mut().zip(&b.langs) {
        pattern.roles.sort_by_key(|(lang, _)| *lang);
        if langs.len() == 1 && !pattern.letterless {
            pattern.evidence = langs.first().copied();
        }
    }
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(&b.texts)
        .map_err(|e| TextError::Automaton {
            reason: e.to_string(),
        })?;
    Ok(Compiled {
        intent_ids,
        langs,
        patterns: b.patterns,
        automaton,
    })
}

fn check_ids(intents: &[IntentSpec]) -> Result<Vec<String>, TextError> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (index, spec) in intents.iter().enumerate() {
        if spec.id.trim().is_empty() {
            return Err(TextError::EmptyIntentId { index });
        }
        if let Some(&first) = seen.get(spec.id.as_str()) {
            return Err(TextError::DuplicateIntent {
                intent: spec.id.clone(),
                first,
                second: index,
            });
        }
        seen.insert(&spec.id, index);
    }
    Ok(intents.iter().map(|s| s.id.clone()).collect())
}

fn collect_langs(
    intents: &[IntentSpec],
    sentiment: &SentimentSpec,
) -> Result<Vec<Lang>, TextError> {
    let mut langs = BTreeSet::new();
    for spec in intents {
        for lang in spec.phrases.keys() {
            check_lang(|| format!("intent `{}`", spec.id), lang)?;
            langs.insert(lang.as_str());
        }
    }
    for lang in sentiment.lexicons.keys() {
        check_lang(|| "sentiment lexicons".to_owned(), lang)?;
        langs.insert(lang.as_str());
    }
    let mut langs: Vec<&str> = langs.into_iter().collect();
    langs.sort_by_key(|l| priority(l));
    Ok(langs.into_iter().map(str::to_owned).collect())
}

/// The normalized pattern of one intent phrase (the trimmed core for whole-message intents).
fn intent_phrase(
    spec: &IntentSpec,
    lang: &str,
    index: usize,
    phrase: &str,
) -> Result<String, TextError> {
    if phrase.is_empty() {
        return Err(TextError::EmptyPhrase {
            intent: spec.id.clone(),
            lang: lang.to_owned(),
            index,
        });
    }
    let text = normalize(phrase);
    if text.is_empty() {
        return Err(TextError::PhraseNormalizesToNothing {
            intent: spec.id.clone(),
            lang: lang.to_owned(),
            index,
            phrase: phrase.to_owned(),
        });
    }
    if spec.mode == MatchMode::Contains {
        return Ok(text);
    }
    let (start, end) = core_span(&text);
    if start == end {
        return Err(TextError::WholeMessagePhraseWithoutText {
            intent: spec.id.clone(),
            lang: lang.to_owned(),
            index,
            phrase: phrase.to_owned(),
        });
    }
    Ok(text[start..end].to_owned())
}

/// Sets [`Pattern::self_negated`] on polar entries that begin with a negator of the same
/// language, followed by a word boundary unless the negator is CJK or ends in a non-word
/// character (`n'`).
fn mark_self_negated(b: &mut Builder) {
    let negators: Vec<(usize, &str)> = b
        .patterns
        .iter()
        .zip(&b.texts)
        .flat_map(|(p, text)| {
            p.roles
                .iter()
                .filter(|(_, role)| *role == Role::Negator)
                .map(move |(lang, _)| (*lang, text.as_str()))
        })
        .collect();
    for (pattern, text) in b.patterns.iter_mut().zip(&b.texts) {
        pattern.self_negated = pattern.roles.iter().any(|&(lang, role)| {
            matches!(role, Role::Positive | Role::Negative)
                && negators.iter().any(|&(l, negator)| {
                    l == lang
                        && text.len() > negator.len()
                        && text.starts_with(negator)
                        && (negator
                            .chars()
                            .next_back()
                            .is_some_and(|c| !is_word_char(c))
                            || !text[negator.len()..].starts_with(is_word_char))
                })
        });
    }
}

fn add_lexicon(b: &mut Builder, lang: &str, li: usize, lexicon: &Lexicon) -> Result<(), TextError> {
    let lists = [
        (Role::Positive, &lexicon.positive),
        (Role::Negative, &lexicon.negative),
        (Role::Negator, &lexicon.negators),
        (Role::Intensifier, &lexicon.intensifiers),
    ];
    for (role, entries) in lists {
        for (index, entry) in entries.iter().enumerate() {
            let list = role.list_name();
            if entry.is_empty() {
                return Err(TextError::EmptyLexiconEntry {
                    lang: lang.to_owned(),
                    list,
                    index,
                });
            }
            let text = normalize(entry);
            if text.is_empty() {
                return Err(TextError::LexiconEntryNormalizesToNothing {
                    lang: lang.to_owned(),
                    list,
                    index,
                    entry: entry.clone(),
                });
            }
            let id = b.pattern(text, li);
            let roles = &mut b.patterns[id].roles;
            match roles.iter().find(|(l, _)| *l == li) {
                None => roles.push((li, role)),
                Some((_, same)) if *same == role => {}
                Some((_, other)) => {
                    return Err(TextError::ConflictingLexiconEntry {
                        lang: lang.to_owned(),
                        entry: b.texts[id].clone(),
                        first: other.list_name(),
                        second: list,
                    })
                }
            }
        }
    }
    Ok(())
}
