//! The built-in intents and sentiment lexicons for `en`, `fr`, `pt` (Brazilian usage) and
//! `zh` (Hong Kong Cantonese and Taiwanese Mandarin in Traditional characters, plus the
//! Simplified forms of the key phrases, since customers mix them).
//!
//! Phrases are written the way customers type them; case, accents and fullwidth forms do
//! not matter because everything is normalized (so `cadê meu pedido` also catches `CADE MEU
//! PEDIDO`). Latin-script phrases obey the word-boundary rule, so plural and feminine forms
//! are listed explicitly. The lists favour precision: a bare word goes in only when it
//! almost always means the intent in a shop chat (`desconto`, `rastreio`, `門市`); anything
//! more general is written as a phrase (`do you have it`, not `do you have`).
//!
//! Known overlaps, kept on purpose: a shipping-fee question (`how much is shipping?`,
//! `運費幾錢?`) is a `product_inquiry`, since it asks a price and there is no shipping intent;
//! `wrong size` is both `complaint` and `size_question`; `prix trop cher` is both
//! `product_inquiry` (it names the price) and `too_expensive`. Opt-out and opt-in are
//! whole-message intents: `STOP` opts out, `please don't stop the offers` does not. `cancel`
//! and `cancelar` alone are not opt-outs (in a shop chat they usually mean an order), and
//! `yes` is not an opt-in.

mod consent;
mod lexicons;
mod service;
mod shop;

use std::collections::BTreeMap;

use crate::{IntentSpec, Lexicon, MatchMode, SentimentSpec};

/// One intent's phrases in the four default languages.
struct Phrases {
    en: &'static [&'static str],
    fr: &'static [&'static str],
    pt: &'static [&'static str],
    zh: &'static [&'static str],
}

impl Phrases {
    fn spec(&self, id: &str, mode: MatchMode) -> IntentSpec {
        let list = |p: &[&str]| p.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        IntentSpec {
            id: id.to_owned(),
            mode,
            phrases: BTreeMap::from([
                ("en".to_owned(), list(self.en)),
                ("fr".to_owned(), list(self.fr)),
                ("pt".to_owned(), list(self.pt)),
                ("zh".to_owned(), list(self.zh)),
            ]),
        }
    }
}

/// The default intents, in this order: `product_inquiry`, `discount`, `too_expensive`,
/// `store_address`, `order_status`, `human`, `complaint`, `size_question` (all
/// [`MatchMode::Contains`]), then `opt_out` and `opt_in` ([`MatchMode::WholeMessage`]).
pub fn default_intents() -> Vec<IntentSpec> {
    use MatchMode::{Contains, WholeMessage};
    vec![
        shop::PRODUCT_INQUIRY.spec("product_inquiry", Contains),
        shop::DISCOUNT.spec("discount", Contains),
        shop::TOO_EXPENSIVE.spec("too_expensive", Contains),
        service::STORE_ADDRESS.spec("store_address", Contains),
        service::ORDER_STATUS.spec("order_status", Contains),
        service::HUMAN.spec("human", Contains),
        service::COMPLAINT.spec("complaint", Contains),
        shop::SIZE_QUESTION.spec("size_question", Contains),
        consent::OPT_OUT.spec("opt_out", WholeMessage),
        consent::OPT_IN.spec("opt_in", WholeMessage),
    ]
}

/// One language's lexicon lists.
struct Words {
    positive: &'static [&'static str],
    negative: &'static [&'static str],
    negators: &'static [&'static str],
    intensifiers: &'static [&'static str],
}

/// Emoji and emoticons that read as pleased, in every language. 😂 is here: in shop chats it
/// is laughter, not distress.
#[rustfmt::skip]
const EMOJI_POSITIVE: &[&str] = &[
    "😍", "🥰", "😘", "😊", "☺", "🙂", "😀", "😃", "😄", "😁", "😆", "😂", "🤣", "😉", "🤩", "😻",
    "👍", "👌", "👏", "🙌", "🙏", "💪", "🤝", "❤", "♥", "💕", "💖", "💗", "💓", "💞", "💯", "🔥",
    "🎉", "🥳", "✅", ":)", ":-)", ":d", ";)", "<3",
];

/// Emoji and emoticons that read as displeased, in every language.
#[rustfmt::skip]
const EMOJI_NEGATIVE: &[&str] = &[
    "😡", "😠", "🤬", "😤", "👎", "😞", "😔", "😟", "😕", "🙁", "☹", "😣", "😖", "😫", "😩", "😢",
    "😭", "😒", "🙄", "😑", "🤮", "🤢", "💔", "😰", "😱", ":(", ":-(", ":'(",
];

/// The default sentiment lexicons for `en`, `fr`, `pt` and `zh`. The emoji and emoticons
/// are language-independent and appear in every lexicon; having no letters, they are no
/// evidence for the language guess.
pub fn default_sentiment() -> SentimentSpec {
    let lexicon = |w: &Words| {
        let list = |p: &[&str]| p.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Lexicon {
            positive: list(w.positive)
                .into_iter()
                .chain(list(EMOJI_POSITIVE))
                .collect(),
            negative: list(w.negative)
                .into_iter()
                .chain(list(EMOJI_NEGATIVE))
                .collect(),
            negators: list(w.negators),
            intensifiers: list(w.intensifiers),
        }
    };
    SentimentSpec {
        lexicons: BTreeMap::from([
            ("en".to_owned(), lexicon(&lexicons::EN)),
            ("fr".to_owned(), lexicon(&lexicons::FR)),
            ("pt".to_owned(), lexicon(&lexicons::PT)),
            ("zh".to_owned(), lexicon(&lexicons::ZH)),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize;
    use std::collections::HashSet;

    #[test]
    fn ids_and_modes_are_as_documented() {
        let ids: Vec<_> = default_intents()
            .into_iter()
            .map(|s| (s.id, s.mode))
            .collect();
        let expected = [
            "product_inquiry",
            "discount",
            "too_expensive",
            "store_address",
            "order_status",
            "human",
            "complaint",
            "size_question",
            "opt_out",
            "opt_in",
        ];
        assert_eq!(
            ids.iter().map(|(i, _)| i.as_str()).collect::<Vec<_>>(),
            expected
        );
        assert!(ids[..8].iter().all(|(_, m)| *m == MatchMode::Contains));
        assert!(ids[8..].iter().all(|(_, m)| *m == MatchMode::WholeMessage));
    }

    #[test]
    fn every_list_is_substantial_and_free_of_normalized_duplicates() {
        let mut problems = Vec::new();
        for spec in default_intents() {
            for (lang, phrases) in &spec.phrases {
                if phrases.len() < 8 {
                    problems.push(format!("{} {lang}: only {}", spec.id, phrases.len()));
                }
                let mut seen = HashSet::new();
                for p in phrases {
                    if !seen.insert(normalize(p)) {
                        problems.push(format!("{} {lang}: duplicate {p:?}", spec.id));
                    }
                }
            }
        }
        for (lang, lex) in default_sentiment().lexicons {
            if lex.positive.len() - EMOJI_POSITIVE.len() < 40 {
                problems.push(format!("{lang}: few positive"));
            }
            if lex.negative.len() - EMOJI_NEGATIVE.len() < 40 {
                problems.push(format!("{lang}: few negative"));
            }
            let mut seen = HashSet::new();
            let all = lex
                .positive
                .iter()
                .chain(&lex.negative)
                .chain(&lex.negators);
            for w in all.chain(&lex.intensifiers) {
                if !seen.insert(normalize(w)) {
                    problems.push(format!("{lang}: duplicate {w:?}"));
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
