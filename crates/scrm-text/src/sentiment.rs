//! The sentiment heuristic: lexicon hits, negation, intensifiers, one score.
//!
//! This is a lexicon heuristic in the spirit of VADER, not a model; it is meant to rank
//! short chat messages well enough to notice an unhappy customer, and it is wrong on sarcasm,
//! irony and anything subtle.
//!
//! Lexicons are configured with [`crate::SentimentSpec`]; the score is reported in
//! [`crate::Analysis::sentiment`]. Per message:
//!
//! 1. **Hits.** Lexicon entries are found by the same automaton pass and word-boundary rule
//!    as intent phrases. Where hits overlap, the leftmost wins, and of those starting at
//!    the same place the longest (leftmost-longest, as in regex engines), so a listed
//!    phrase beats the words it starts with: `pas mal` (positive) beats the negator `pas`
//!    and the word `mal`; `唔該` (thanks) beats the negator `唔`; `不錯` (not bad) beats `不`.
//!    A few built-in neutral formulas ([`NEUTRAL_FORMULAS`]: greetings such as `good
//!    morning`, `bom dia`, `tudo bem`, and polite `不好意思`, `你好`, `好的`) take part in
//!    this and then count for nothing, so `bom dia` is not praise and `不好意思` is not
//!    `不好`. An entry that a lexicon lists keeps its listed role.
//! 2. **Whose word.** An entry can be listed under several languages. If it has a role in
//!    the message's guessed language, that role is used. Otherwise a positive or negative
//!    entry of another language still counts (people mix languages: `好正 thanks`), but a
//!    negator or intensifier of another language is ignored, so a word that negates in one
//!    language cannot flip a message written in another. Emoji and emoticons have no letters
//!    and are language-independent; the defaults list them in every lexicon.
//! 3. **Negation.** A negator flips the polarity of the next positive/negative hit if that
//!    hit starts within the 3 tokens after a Latin-script negator (`not that good`: one token
//!    in between) or within the 2 characters after a CJK one (`唔滿意`, `不太滿意`). Tokens
//!    are runs of letters and digits, each CJK character counting as one. Several negators
//!    before one hit flip it once (`je ne suis pas content`; Portuguese and French double
//!    negatives are emphatic, not cancelling). Neither negators nor intensifiers reach across
//!    clause punctuation (`. , ; : ! ? 。 、 …`). A CJK negator between two equal characters
//!    (`好唔好`, `滿唔滿意`, `有沒有`) or `冇`/`沒`/`無` right after `有` forms an A-not-A
//!    question: it negates nothing, and the polar hit it reaches is a question, not an
//!    opinion, so it is not counted; likewise a listed entry that starts with such a
//!    negator (`有冇問題`: is there any problem?). An entry that itself starts with a negator
//!    of its lexicon (`pas mal`, `pas reçu`, `não recebi`, `冇問題`) already carries its
//!    negation: an earlier negator does not flip it again, so the French `ne … pas` pair
//!    works (`ce n'est pas mal` is positive, `je n'ai pas reçu` negative).
//! 4. **Intensifiers** (`very`, `très`, `muito`, `好`, `很`, `超`) weight the next hit ×1.5
//!    with the same reach; several multiply. Contrast words (`but`, `mais`, `mas`, `但`,
//!    `不過`) are listed as intensifiers in the defaults: as in VADER, the clause after a
//!    contrast carries the speaker's point (`good but expensive` leans negative).
//! 5. **Score.** With `pos` and `neg` the summed weights of positive and negative hits
//!    (after flips), `score = 0.5 + 0.5 · (pos − neg) / (pos + neg + 1)`, clamped to
//!    [0, 1]: one positive word gives 0.75, `very good` 0.8, `not good` 0.25, and more hits
//!    push towards the ends. No positive or negative hit: `None`.

use std::cmp::Reverse;

use crate::build::{Pattern, Role};
use crate::normalize::{is_cjk, is_clause_break, is_word_char};

/// How much an intensifier weights the next hit.
const INTENSIFIER_WEIGHT: f32 = 1.5;
/// A Latin-script negator reaches a hit that starts within this many tokens after it.
const LATIN_REACH_TOKENS: usize = 3;
/// A CJK negator reaches a hit that starts within this many characters after it.
const CJK_REACH_CHARS: usize = 2;

/// Greetings and politeness formulas that contain lexicon words but carry no sentiment. They
/// shadow those words (longest match wins) and then count for nothing. Built in rather than
/// configured because [`crate::Lexicon`] has no neutral list; a formula that a lexicon lists
/// with a role keeps that role.
#[rustfmt::skip]
pub const NEUTRAL_FORMULAS: &[&str] = &[
    "good morning", "good afternoon", "good evening", "good night", "good day",
    "bom dia", "boa tarde", "boa noite", "tudo bom", "tudo bem", "de nada",
    "bonne journée", "bonne soirée", "bon après-midi", "bonne nuit", "bon week-end",
    "bonne fin de journée", "de rien",
    "你好", "您好", "不好意思", "好的", "不客氣", "不客气", "唔使客氣", "沒關係", "没关系", "好啦",
];

/// One occurrence of a lexicon pattern, already past the word-boundary check.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) pattern: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Negate,
    Intensify,
    /// An A-not-A question marker: the hit it reaches is not counted.
    Question,
}

#[derive(Debug, Clone, Copy)]
struct Modifier {
    end: usize,
    effect: Effect,
    cjk: bool,
}

/// The sentiment score of `text` from its lexicon `hits`, reading roles in `lang` (the
/// message's language index) first.
pub(crate) fn score(
    text: &str,
    hits: Vec<Hit>,
    patterns: &[Pattern],
    lang: Option<usize>,
) -> Option<f32> {
    let mut resolved: Vec<(Hit, Role)> = hits
        .into_iter()
        .filter_map(|h| resolve(&patterns[h.pattern], lang).map(|r| (h, r)))
        .collect();
    resolved.sort_by_key(|(h, _)| (h.start, Reverse(h.end)));
    let (mut pos, mut neg) = (0.0f32, 0.0f32);
    let mut any = false;
    let mut pending: Vec<Modifier> = Vec::new();
    let mut last_end = 0;
    for (hit, role) in resolved {
        if hit.start < last_end {
            continue;
        }
        last_end = hit.end;
        let cjk = patterns[hit.pattern].cjk;
        let effect = match role {
            Role::Neutral => continue,
            Role::Negator if cjk && is_a_not_a(text, hit.start, hit.end) => Effect::Question,
            Role::Negator => Effect::Negate,
            Role::Intensifier => Effect::Intensify,
            Role::Positive | Role::Negative => {
                let mut weight = 1.0;
                let mut flipped = false;
                let mut question = false;
                for m in pending.drain(..).filter(|m| reaches(text, m, hit.start)) {
                    match m.effect {
                        Effect::Negate => flipped = true,
                        Effect::Intensify => weight *= INTENSIFIER_WEIGHT,
                        Effect::Question => question = true,
                    }
                }
                let pattern = &patterns[hit.pattern];
                flipped &= !pattern.self_negated;
                question |= cjk && starts_a_not_a(text, hit.start);
                if !question {
                    any = true;
                    if (role == Role::Positive) != flipped {
                        pos += weight;
                    } else {
                        neg += weight;
                    }
                }
                continue;
            }
        };
        pending.push(Modifier {
            end: hit.end,
            effect,
            cjk,
        });
    }
    any.then(|| (0.5 + 0.5 * (pos - neg) / (pos + neg + 1.0)).clamp(0.0, 1.0))
}

/// The role `pattern` plays in a message of language `lang`; see step 2 of the module doc.
fn resolve(pattern: &Pattern, lang: Option<usize>) -> Option<Role> {
    if let Some(&(_, role)) = pattern.roles.iter().find(|(l, _)| Some(*l) == lang) {
        return Some(role);
    }
    let Some(&(_, role)) = pattern.roles.first() else {
        return pattern.neutral.then_some(Role::Neutral);
    };
    let polar = matches!(role, Role::Positive | Role::Negative);
    (polar || pattern.letterless || lang.is_none()).then_some(role)
}

/// Whether a modifier ending at `m.end` reaches a hit starting at `start`.
fn reaches(text: &str, m: &Modifier, start: usize) -> bool {
    let Some(gap) = text.get(m.end..start) else {
        return false;
    };
    if gap.chars().any(is_clause_break) {
        return false;
    }
    if m.cjk {
        gap.chars().filter(|c| !c.is_whitespace()).count() < CJK_REACH_CHARS
    } else {
        tokens(gap) < LATIN_REACH_TOKENS
    }
}

/// Runs of word characters, plus one per CJK character.
fn tokens(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for c in text.chars() {
        if is_cjk(c) {
            count += 1;
            in_word = false;
        } else if is_word_char(c) {
            count += usize::from(!in_word);
            in_word = true;
        } else {
            in_word = false;
        }
    }
    count
}

/// Whether a CJK polar entry that starts with a negator character (`冇問題`, `唔錯`) starts
/// an A-not-A question (`有冇問題`, `錯唔錯`).
fn starts_a_not_a(text: &str, start: usize) -> bool {
    text[start..]
        .chars()
        .next()
        .filter(|c| matches!(c, '唔' | '不' | '冇' | '沒' | '没' | '無' | '无'))
        .is_some_and(|c| is_a_not_a(text, start, start + c.len_utf8()))
}

/// A CJK negator that forms an A-not-A question: `X唔X`, `X不X…`, or `有冇` / `有沒(有)`.
fn is_a_not_a(text: &str, start: usize, end: usize) -> bool {
    let Some(before) = text[..start].chars().next_back() else {
        return false;
    };
    if !is_cjk(before) {
        return false;
    }
    let negator = &text[start..end];
    let after = text[end..].chars().next();
    let has_question_pair = negator.chars().count() > 1 && negator.ends_with(before);
    let you_mei = before == '有' && negator.starts_with(['冇', '沒', '没', '無', '无']);
    after == Some(before) || has_question_pair || you_mei
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_counting() {
        assert_eq!(tokens(" "), 0);
        assert_eq!(tokens(" that "), 1);
        assert_eq!(tokens(" l'avez vraiment "), 3);
        assert_eq!(tokens("很"), 1);
        assert_eq!(tokens("ok 好 ok"), 3);
    }

    #[test]
    fn reach_stops_at_clause_punctuation() {
        let latin = Modifier {
            end: 0,
            effect: Effect::Negate,
            cjk: false,
        };
        assert!(reaches(" a b x", &latin, 5));
        assert!(!reaches(" a b c x", &latin, 7));
        assert!(!reaches(". x", &latin, 2));
        let cjk = Modifier { cjk: true, ..latin };
        assert!(reaches("太", &cjk, 3));
        assert!(!reaches("太多", &cjk, 6));
        assert!(!reaches("，", &cjk, 3));
    }

    #[test]
    fn a_not_a_questions() {
        let find = |t: &str, n: &str| {
            let s = t.find(n).unwrap();
            is_a_not_a(t, s, s + n.len())
        };
        assert!(find("好唔好用", "唔"));
        assert!(find("滿唔滿意", "唔"));
        assert!(find("有冇問題", "冇"));
        assert!(find("有沒有喜歡", "沒有"));
        assert!(find("有沒有喜歡", "沒"));
        assert!(!find("唔滿意", "唔"));
        assert!(!find("我不喜歡", "不"));
        assert!(!find("not good", "not"));
    }

    #[test]
    fn score_formula() {
        let s = |pos: f32, neg: f32| 0.5 + 0.5 * (pos - neg) / (pos + neg + 1.0);
        assert_eq!(s(1.0, 0.0), 0.75);
        assert!((s(1.5, 0.0) - 0.8).abs() < 1e-6);
        assert_eq!(s(0.0, 1.0), 0.25);
    }
}
