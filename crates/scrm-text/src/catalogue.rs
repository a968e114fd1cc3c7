//! Recognising products in messages: a [`Catalogue`] of SKUs, each with the names customers
//! write it under (`"iPhone15 Pro Max"`, `"iphone 15 pro max"`, `"iPhone 15 PM"` →
//! `APL-IP15PM`).
//!
//! Aliases and messages are compared in a *compact* form: [`normalize()`](crate::normalize)
//! (lower case, no accents, fullwidth folded), then every character that is not a letter or
//! a digit dropped, so spacing and punctuation never matter (`iPhone-15 Pro Max!` and
//! `iphone15promax` are the same) and Chinese names work without word boundaries. The
//! longest alias at a position wins, so `iphone 15 pro max` is not also `iphone 15`; an
//! alias that ends (or starts) with a digit does not match inside a longer number, so
//! `iPhone 15` is not found in `iPhone 150`.

use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, MatchKind};
use serde::{Deserialize, Serialize};

use crate::TextError;

/// One product and the names it goes by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// The shop's code (`APL-IP15PM`): what deals and reports carry.
    pub sku: String,
    /// The name a deal is given.
    pub name: String,
    /// How customers write it; the name itself is always an alias too.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// Products, compiled for finding them in messages. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Catalogue {
    products: Vec<Product>,
    /// Pattern index → product index.
    owners: Vec<usize>,
    /// Compact patterns, by pattern index.
    patterns: Vec<String>,
    matcher: Option<AhoCorasick>,
}

impl Default for Catalogue {
    fn default() -> Self {
        Catalogue::new(Vec::new()).expect("an empty catalogue is valid")
    }
}

/// The compact form aliases and messages are compared in.
pub fn compact(text: &str) -> String {
    crate::normalize(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

impl Catalogue {
    /// Checks and compiles `products`: SKUs must be unique and not empty, and no alias may
    /// name two products or be empty once compacted.
    pub fn new(products: Vec<Product>) -> Result<Catalogue, TextError> {
        let mut skus = BTreeSet::new();
        let mut owners: Vec<usize> = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        for (i, product) in products.iter().enumerate() {
            if product.sku.trim().is_empty() {
                return Err(TextError::Catalogue(format!(
                    "product {:?} has an empty sku",
                    product.name
                )));
            }
            if !skus.insert(product.sku.as_str()) {
                return Err(TextError::Catalogue(format!(
                    "sku {:?} is listed twice",
                    product.sku
                )));
            }
            for alias in std::iter::once(&product.name).chain(&product.aliases) {
                let pattern = compact(alias);
                if pattern.is_empty() {
                    return Err(TextError::Catalogue(format!(
                        "sku {:?}: alias {alias:?} has no letters or digits",
                        product.sku
                    )));
                }
                match patterns.iter().position(|p| *p == pattern) {
                    Some(at) if owners[at] != i => {
                        return Err(TextError::Catalogue(format!(
                            "alias {alias:?} names both {:?} and {:?}",
                            products[owners[at]].sku, product.sku
                        )));
                    }
                    Some(_) => {}
                    None => {
                        patterns.push(pattern);
                        owners.push(i);
                    }
                }
            }
        }
        let matcher = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .map_err(|e| TextError::Catalogue(e.to_string()))?,
            )
        };
        Ok(Catalogue {
            products,
            owners,
            patterns,
            matcher,
        })
    }

    /// The products, as given.
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// Whether there are no products.
    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }

    /// The product with this SKU.
    pub fn product(&self, sku: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.sku == sku)
    }

    /// The products `text` names, in the order they first appear, each once.
    pub fn find(&self, text: &str) -> Vec<&Product> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        let text = compact(text);
        let bytes = text.as_bytes();
        let digit_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
        let mut found: Vec<usize> = Vec::new();
        for m in matcher.find_iter(&text) {
            let pattern = self.patterns[m.pattern().as_usize()].as_bytes();
            let cut_number = (pattern.last().is_some_and(u8::is_ascii_digit) && digit_at(m.end()))
                || (pattern.first().is_some_and(u8::is_ascii_digit)
                    && m.start() > 0
                    && digit_at(m.start() - 1));
            let owner = self.owners[m.pattern().as_usize()];
            if !cut_number && !found.contains(&owner) {
                found.push(owner);
            }
        }
        found.into_iter().map(|i| &self.products[i]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        Catalogue::new(vec![
            Product {
                sku: "APL-IP15PM".into(),
                name: "iPhone 15 Pro Max".into(),
                aliases: vec![
                    "iPhone15 Pro Max".into(),
                    "iphone 15 pro max".into(),
                    "iPhone 15 PM".into(),
                    "15PM".into(),
                ],
            },
            Product {
                sku: "APL-IP15".into(),
                name: "iPhone 15".into(),
                aliases: vec!["蘋果15".into()],
            },
            Product {
                sku: "SK-SERUM".into(),
                name: "Sérum Éclat".into(),
                aliases: vec!["精華液".into()],
            },
        ])
        .unwrap()
    }

    fn skus(text: &str) -> Vec<String> {
        catalogue()
            .find(text)
            .into_iter()
            .map(|p| p.sku.clone())
            .collect()
    }

    #[test]
    fn the_seeds_spellings_are_one_sku() {
        for text in [
            "do you have the iPhone15 Pro Max?",
            "iphone 15 pro max price pls",
            "Quanto custa o iPhone 15 PM?",
            "IPHONE-15 PRO-MAX!!",
            "ｉＰｈｏｎｅ１５ Pro Max 有冇貨",
        ] {
            assert_eq!(skus(text), ["APL-IP15PM"], "{text}");
        }
    }

    #[test]
    fn the_longest_name_wins_and_numbers_are_not_cut() {
        assert_eq!(skus("iphone 15 pro max"), ["APL-IP15PM"]);
        assert_eq!(
            skus("iphone 15 or the iphone 15 pro max?"),
            ["APL-IP15", "APL-IP15PM"]
        );
        assert!(skus("iphone 150").is_empty());
        assert!(skus("I have 115PM").is_empty());
        assert!(skus("price of the 15").is_empty());
    }

    #[test]
    fn accents_and_chinese_names_match() {
        assert_eq!(skus("le serum eclat est dispo ?"), ["SK-SERUM"]);
        assert_eq!(skus("你好，精華液幾錢？"), ["SK-SERUM"]);
        assert_eq!(skus("蘋果15有冇現貨"), ["APL-IP15"]);
    }

    #[test]
    fn a_bad_catalogue_is_refused_with_the_reason() {
        let product = |sku: &str, name: &str| Product {
            sku: sku.into(),
            name: name.into(),
            aliases: Vec::new(),
        };
        let e = Catalogue::new(vec![product("A", "Phone"), product("A", "Other")]).unwrap_err();
        assert!(e.to_string().contains("\"A\" is listed twice"), "{e}");
        let e = Catalogue::new(vec![product("A", "Phone X"), product("B", "phone-x")]).unwrap_err();
        assert!(e.to_string().contains("names both \"A\" and \"B\""), "{e}");
        let e = Catalogue::new(vec![product("A", "!!")]).unwrap_err();
        assert!(e.to_string().contains("no letters or digits"), "{e}");
        let e = Catalogue::new(vec![product(" ", "x")]).unwrap_err();
        assert!(e.to_string().contains("empty sku"), "{e}");
    }
}
