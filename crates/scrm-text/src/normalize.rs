//! The one normalization applied to phrases, lexicon words and messages, and the character
//! classes the matcher uses.
//!
//! [`normalize()`] runs these steps, in this order:
//! 1. drops invisible format characters (zero-width space, word joiner, BOM, soft hyphen,
//!    bidi marks, emoji variation selectors U+FE0E/U+FE0F — so `❤️` becomes `❤`) and maps
//!    curly and typographic single quotes (`’ ‘ ‚ ‛ ′ ʼ ´` and the backtick) to ASCII `'`,
//!    curly double quotes (`“ ” „ ‟ ″`) to ASCII `"`;
//! 2. NFKC: fullwidth letters, digits and punctuation become ASCII (`ＳＴＯＰ！` → `STOP!`),
//!    ligatures and other compatibility forms are expanded, CJK compatibility ideographs
//!    become their unified forms, no-break spaces become spaces;
//! 3. full lower case with [`str::to_lowercase`] — Unicode lower case, not case folding, so
//!    `ẞ` becomes `ß` but `ß` is not turned into `ss`, and `Σ` becomes `ς` at a word's end;
//! 4. NFD, then every combining mark U+0300–U+036F is dropped (the accents of Latin letters
//!    — `réduction` = `reduction`, `endereço` = `endereco`, `não` = `nao` — and, from the
//!    same block, Greek and Cyrillic accents); other marks stay, and NFC recomposes what is
//!    left so kana with dakuten and Hangul syllables come back whole;
//! 5. step 1's quote mapping again (NFKC can produce a backtick), whitespace runs collapsed
//!    to one ASCII space, and the result trimmed.
//!
//! Chinese characters pass through unchanged. The function is idempotent.

use unicode_normalization::UnicodeNormalization;

/// Normalizes `text` for matching; see the module documentation for the exact steps.
///
/// ```
/// assert_eq!(scrm_text::normalize("  Réduction\u{3000}ＳＴＯＰ  C’est  "), "reduction stop c'est");
/// assert_eq!(scrm_text::normalize("NÃO quero"), "nao quero");
/// assert_eq!(scrm_text::normalize("幾多錢？"), "幾多錢?");
/// ```
pub fn normalize(text: &str) -> String {
    if text.is_ascii() {
        return finish(text.chars().map(|c| c.to_ascii_lowercase()));
    }
    let prepared: String = text
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(map_quote)
        .nfkc()
        .collect();
    let lowered = prepared.to_lowercase();
    finish(
        lowered
            .chars()
            .nfd()
            .filter(|c| !is_latin_diacritic(*c))
            .nfc(),
    )
}

/// Step 5: quote mapping, whitespace collapsing and trimming.
fn finish(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    let mut pending_space = false;
    for c in chars {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if is_invisible(c) {
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(map_quote(c));
    }
    out
}

/// Format characters that are invisible in a chat bubble and only get in the way of
/// matching. The zero-width joiner stays: it is part of emoji sequences.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{200B}'
            | '\u{200C}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FE0E}'
            | '\u{FE0F}'
            | '\u{FEFF}'
    )
}

fn map_quote(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{2035}'
        | '\u{02BC}' | '\u{00B4}' | '`' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
        c => c,
    }
}

/// Combining Diacritical Marks, the block that holds the accents of Latin letters.
fn is_latin_diacritic(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Han ideographs (unified, extensions and compatibility blocks, radicals).
pub(crate) fn is_han(c: char) -> bool {
    matches!(
        c,
        '\u{2E80}'..='\u{2FDF}'
            | '\u{3005}'
            | '\u{3007}'
            | '\u{3021}'..='\u{3029}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{20000}'..='\u{323AF}'
    )
}

/// Scripts written without spaces between words: Han, kana and bopomofo. Word boundaries
/// are not checked next to these characters, and negation reaches a number of characters
/// rather than tokens after a CJK negator.
pub(crate) fn is_cjk(c: char) -> bool {
    is_han(c)
        || matches!(
            c,
            '\u{3040}'..='\u{30FF}' | '\u{3100}'..='\u{312F}' | '\u{31A0}'..='\u{31FF}'
                | '\u{FF66}'..='\u{FF9F}'
        )
}

/// A letter or digit of a script that separates words with spaces: the characters that must
/// not touch a Latin-script phrase on either side.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

/// Punctuation that ends a clause; negators and intensifiers do not reach across it.
pub(crate) fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '¡'
            | '¿'
            | '。'
            | '、'
            | '，'
            | '！'
            | '？'
            | '；'
            | '：'
            | '…'
            | '~'
            | '\n'
    )
}

/// The byte span of `text` left once every leading and trailing character that is not a
/// letter or digit (whitespace, punctuation, quotes, emoji…) is trimmed; empty when nothing
/// is left. [`crate::MatchMode::WholeMessage`] phrases must cover exactly this span.
pub(crate) fn core_span(text: &str) -> (usize, usize) {
    let start = text
        .char_indices()
        .find(|(_, c)| c.is_alphanumeric())
        .map_or(text.len(), |(i, _)| i);
    let end = text
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_alphanumeric())
        .map_or(start, |(i, c)| i + c.len_utf8());
    (start, end.max(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_fast_path_agrees_with_the_full_path() {
        for s in ["  Hello   World ", "`quoted` text", "STOP", "a\tb\nc", ""] {
            let full: String = {
                let prepared: String = s.chars().map(map_quote).nfkc().collect();
                finish(
                    prepared
                        .to_lowercase()
                        .chars()
                        .nfd()
                        .filter(|c| !is_latin_diacritic(*c))
                        .nfc(),
                )
            };
            assert_eq!(normalize(s), full, "{s:?}");
        }
    }

    #[test]
    fn strips_latin_accents_and_keeps_han_and_kana() {
        assert_eq!(normalize("ÉCHANGÉ façon Ação"), "echange facon acao");
        assert_eq!(normalize("門市喺邊？"), "門市喺邊?");
        assert_eq!(normalize("ガギグ"), "ガギグ");
        assert_eq!(normalize("한국어"), "한국어");
    }

    #[test]
    fn invisible_characters_and_variation_selectors_go() {
        assert_eq!(normalize("sto\u{200B}p ❤\u{FE0F}"), "stop ❤");
        assert_eq!(normalize("\u{FEFF}oi"), "oi");
    }

    #[test]
    fn core_span_trims_punctuation_and_emoji() {
        let t = normalize("  «STOP»!! 🙏 ");
        let (s, e) = core_span(&t);
        assert_eq!(&t[s..e], "stop");
        for nothing in ["!!! 🙏", "🙏", "", "  "] {
            let (s, e) = core_span(nothing);
            assert_eq!(s, e, "{nothing:?}");
        }
    }

    #[test]
    fn character_classes() {
        assert!(is_han('貴') && is_cjk('貴') && !is_word_char('貴'));
        assert!(is_cjk('か') && !is_han('か'));
        assert!(is_word_char('é') && is_word_char('7') && !is_word_char('\''));
        assert!(is_clause_break('。') && is_clause_break(',') && !is_clause_break(' '));
    }
}
