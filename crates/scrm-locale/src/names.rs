//! A first name for greetings ("Hi {first_name}") from a WhatsApp profile
//! name, which is free text chosen by the customer: it may carry emoji,
//! punctuation, a full name in any order, or no name at all.
//!
//! Rules, in order:
//!
//! 1. Split on Unicode whitespace (including the ideographic space U+3000).
//! 2. Trim each token of leading and trailing characters that are not
//!    letters or digits (emoji, punctuation, ZWJ, variation selectors), but
//!    keep combining marks that follow the last letter (a decomposed "José",
//!    a Thai tone mark).
//!    Inner punctuation stays: `Jean-Pierre`, `O'Brien`.
//! 3. Drop tokens with no letter at all (emoji, `+852`, `2024`).
//! 4. If the first remaining token is written in **Han** characters, return
//!    it joined with the Han tokens that directly follow it: `陳大文` →
//!    `陳大文`, `陳 大文` → `陳大文`. Chinese convention is to address
//!    people by their full name (surname first), so "Hi 陳大文" is natural
//!    while the surname or given name alone is not.
//! 5. Otherwise return the first token with its case as typed (`maria silva`
//!    → `maria`).
//!
//! Known limitation: a Hong Kong romanised name such as `Chan Tai Man`
//! puts the surname first, but nothing in the text says so (compare `Peter
//! Chan`), so it yields `Chan`. Callers that greet with a name should keep
//! the greeting polite when it is a surname.

/// The name to greet a customer with, from their WhatsApp profile name;
/// `None` when it contains no letters (empty, emoji only, a phone number).
///
/// See the [module docs](self) for the rules.
///
/// ```
/// use scrm_locale::first_name;
/// assert_eq!(first_name("  😊 Ana ").as_deref(), Some("Ana"));
/// assert_eq!(first_name("陳大文").as_deref(), Some("陳大文"));
/// assert_eq!(first_name("🙂"), None);
/// ```
pub fn first_name(profile_name: &str) -> Option<String> {
    let mut tokens = profile_name
        .split_whitespace()
        .map(trim_token)
        .filter(|t| t.chars().any(char::is_alphabetic));
    let first = tokens.next()?;
    if !is_han(first) {
        return Some(first.to_owned());
    }
    let mut name = first.to_owned();
    for token in tokens.take_while(|t| is_han(t)) {
        name.push_str(token);
    }
    Some(name)
}

/// Strips non-alphanumeric characters from both ends of a token, keeping
/// combining marks attached to the last letter.
fn trim_token(token: &str) -> &str {
    let Some(start) = token.find(char::is_alphanumeric) else {
        return "";
    };
    let token = &token[start..];
    let Some((last, c)) = token
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_alphanumeric())
    else {
        return "";
    };
    let mut end = last + c.len_utf8();
    for c in token[end..].chars() {
        if !is_combining_mark(c) {
            break;
        }
        end += c.len_utf8();
    }
    &token[..end]
}

/// Combining marks that can follow the last letter of a word: Latin-style
/// diacritics, and the vowel, tone and other signs of Cyrillic, Hebrew,
/// Arabic, Indic, Thai, Lao and kana. (Rust's `is_alphanumeric` already
/// counts many vowel signs as letters, but not all marks.) Deliberately
/// excludes the marks used with symbols — the keycap U+20E3 — and variation
/// selectors, which belong to emoji.
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0591}'..='\u{05C7}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{0900}'..='\u{0963}'
        | '\u{0966}'..='\u{0DFF}'
        | '\u{0E31}'
        | '\u{0E34}'..='\u{0E3A}'
        | '\u{0E47}'..='\u{0E4E}'
        | '\u{0EB1}'
        | '\u{0EB4}'..='\u{0EBC}'
        | '\u{0EC8}'..='\u{0ECE}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{3099}'..='\u{309A}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// A Han ideograph (CJK Unified Ideographs and extensions, compatibility
/// ideographs, and the iteration/zero marks 々 〇).
fn is_han_char(c: char) -> bool {
    matches!(c,
        '\u{3005}'
        | '\u{3007}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2EBEF}'
        | '\u{2F800}'..='\u{2FA1F}'
        | '\u{30000}'..='\u{323AF}')
}

/// A token whose letters are all Han (digits and inner punctuation ignored).
fn is_han(token: &str) -> bool {
    let mut letters = token.chars().filter(|c| c.is_alphabetic()).peekable();
    letters.peek().is_some() && letters.all(is_han_char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_emoji_and_punctuation() {
        assert_eq!(trim_token("😊"), "");
        assert_eq!(trim_token("(Ana),"), "Ana");
        assert_eq!(trim_token("Ana❤️"), "Ana");
        assert_eq!(trim_token("Ana1\u{FE0F}\u{20E3}"), "Ana1");
        assert_eq!(trim_token("👨\u{200D}👩\u{200D}👧Bea"), "Bea");
        assert_eq!(trim_token("Jose\u{0301}!"), "Jose\u{0301}");
        assert_eq!(trim_token("Jean-Pierre"), "Jean-Pierre");
    }

    #[test]
    fn han_detection() {
        assert!(is_han("陳大文"));
        assert!(is_han("𠮷野"));
        assert!(!is_han("Chan"));
        assert!(!is_han("陳Peter"));
        assert!(!is_han("123"));
        // Kana are not Han: Japanese names are treated like any spaced name.
        assert!(!is_han("さくら"));
    }

    #[test]
    fn han_tokens_are_joined() {
        assert_eq!(first_name("陳 大文").as_deref(), Some("陳大文"));
        assert_eq!(first_name("陳\u{3000}大文").as_deref(), Some("陳大文"));
        assert_eq!(first_name("陳大文 Peter").as_deref(), Some("陳大文"));
        assert_eq!(first_name("Peter 陳").as_deref(), Some("Peter"));
    }

    #[test]
    fn no_letters_means_none() {
        assert_eq!(first_name(""), None);
        assert_eq!(first_name("   "), None);
        assert_eq!(first_name("+852 9123 4567"), None);
        assert_eq!(first_name("🙂 ✨ 🎉"), None);
    }
}
