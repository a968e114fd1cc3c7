//! Finds what a message is about, in every configured language.
//!
//! A keyword id (`discount`, `too_expensive`, …) has phrases in several languages; a
//! message mentions the id when its lower-cased text contains one of them. One Aho-Corasick
//! automaton matches all phrases in one pass. The default catalog covers the languages of
//! the shops scrm serves first (Cantonese and Mandarin in traditional characters, English,
//! Portuguese, French); the rule pack can replace it.

use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, MatchKind};

/// Keyword ids of the default catalog.
pub const DISCOUNT: &str = "discount";
pub const TOO_EXPENSIVE: &str = "too_expensive";
pub const PRODUCT_INQUIRY: &str = "product_inquiry";
pub const STORE_ADDRESS: &str = "store_address";
pub const WHERE_IS_MY_ORDER: &str = "where_is_my_order";
pub const HUMAN: &str = "human";
pub const COMPLAINT: &str = "complaint";

#[rustfmt::skip]
const DEFAULT: &[(&str, &[&str])] = &[
    (DISCOUNT, &["discount", "promo", "coupon", "desconto", "cupom", "réduction", "reduction", "code promo", "折扣", "優惠", "优惠"]),
    (TOO_EXPENSIVE, &["too expensive", "pricey", "muito caro", "achei caro", "trop cher", "un peu cher", "太貴", "太贵", "好貴", "有點貴"]),
    (PRODUCT_INQUIRY, &["how much", "price", "in stock", "colours", "colors", "size", "quanto custa", "quanto tá", "estoque", "cores", "tamanho", "combien", "prix", "en stock", "couleurs", "taille", "幾錢", "幾多錢", "多少錢", "價格", "有冇貨", "還有貨", "顏色", "碼", "尺寸"]),
    (STORE_ADDRESS, &["store address", "your shop", "physical store", "endereço da loja", "loja física", "onde fica a loja", "adresse du magasin", "boutique physique", "où se trouve la boutique", "門市", "分店", "店面", "舖"]),
    (WHERE_IS_MY_ORDER, &["my order", "my parcel", "shipped yet", "meu pacote", "meu pedido", "rastreio", "mon colis", "ma commande", "包裹", "訂單", "張單", "到貨", "我嘅貨"]),
    (HUMAN, &["talk to a human", "real person", "agent please", "atendente", "falar com uma pessoa", "humain", "conseiller", "真人"]),
    (COMPLAINT, &["damaged", "disappointed", "wrong colour", "haven't received", "defeito", "insatisfeit", "cor errada", "nada do meu pedido", "abîmé", "déçu", "pas la bonne couleur", "toujours rien reçu", "爛咗", "失望", "寄錯", "瑕疵", "還沒收到", "未收到"]),
];

/// Whole-message opt-out words (compared after trimming, case-insensitively).
const STOP_WORDS: &[&str] = &[
    "stop",
    "stop pub",
    "unsubscribe",
    "parar",
    "sair",
    "arrêt",
    "取消訂閱",
];

#[derive(Debug, Clone)]
pub struct Keywords {
    automaton: AhoCorasick,
    /// Keyword id of each pattern.
    ids: Vec<&'static str>,
    stop_words: Vec<String>,
}

impl Default for Keywords {
    fn default() -> Self {
        Self::new(DEFAULT, STOP_WORDS)
    }
}

impl Keywords {
    pub fn new(catalog: &[(&'static str, &[&str])], stop_words: &[&str]) -> Self {
        let mut patterns = Vec::new();
        let mut ids = Vec::new();
        for (id, phrases) in catalog {
            for phrase in *phrases {
                patterns.push(phrase.to_lowercase());
                ids.push(*id);
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .expect("keyword phrases form a valid automaton");
        Self {
            automaton,
            ids,
            stop_words: stop_words.iter().map(|w| w.to_lowercase()).collect(),
        }
    }

    /// The keyword ids `text` mentions.
    pub fn find(&self, text: &str) -> BTreeSet<String> {
        let lower = text.to_lowercase();
        self.automaton
            .find_overlapping_iter(&lower)
            .map(|m| self.ids[m.pattern().as_usize()].to_owned())
            .collect()
    }

    /// Whether the whole message is an opt-out ("STOP").
    pub fn is_stop(&self, text: &str) -> bool {
        let trimmed = text.trim().trim_end_matches(['.', '!']).to_lowercase();
        self.stop_words.contains(&trimmed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keywords_in_every_language() {
        let k = Keywords::default();
        let ids = |t: &str| k.find(t).into_iter().collect::<Vec<_>>();
        assert_eq!(ids("Is there any DISCOUNT?"), vec![DISCOUNT]);
        assert_eq!(ids("tem cupom de desconto?"), vec![DISCOUNT]);
        assert_eq!(ids("Y a-t-il une réduction ?"), vec![DISCOUNT]);
        assert_eq!(ids("而家有冇優惠呀?"), vec![DISCOUNT]);
        assert_eq!(ids("Tá muito caro 😕"), vec![TOO_EXPENSIVE]);
        assert_eq!(ids("Où est mon colis ?"), vec![WHERE_IS_MY_ORDER]);
        assert_eq!(ids("請問{p}的價格是?"), vec![PRODUCT_INQUIRY]);
        assert_eq!(ids("Obrigada!"), Vec::<String>::new());
        assert!(k.is_stop(" STOP "));
        assert!(k.is_stop("Parar"));
        assert!(!k.is_stop("please don't stop sending offers"));
    }
}
