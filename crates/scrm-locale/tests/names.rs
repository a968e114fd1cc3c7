//! `first_name` on the kinds of WhatsApp profile names shops actually see.

use scrm_locale::first_name;

#[track_caller]
fn check(profile_name: &str, expected: Option<&str>) {
    assert_eq!(
        first_name(profile_name).as_deref(),
        expected,
        "{profile_name:?}"
    );
}

#[test]
fn latin_full_names() {
    check("Maria Silva", Some("Maria"));
    check("maria silva", Some("maria"));
    check("MARIA SILVA", Some("MARIA"));
    check("Jean-Pierre Dupont", Some("Jean-Pierre"));
    check("O'Brien Sean", Some("O'Brien"));
    check("Ana", Some("Ana"));
}

#[test]
fn emoji_and_spaces_are_trimmed() {
    check("  😊 Ana ", Some("Ana"));
    check("Ana😊", Some("Ana"));
    check("✨Bea✨ Costa", Some("Bea"));
    check("🇧🇷 João Pedro 🇧🇷", Some("João"));
    check("\tLuc\n", Some("Luc"));
    check("~Chloé~", Some("Chloé"));
}

#[test]
fn punctuation_around_the_name() {
    check("\"Maria\" Silva", Some("Maria"));
    check("(Ana)", Some("Ana"));
    check("Ana, Lisboa", Some("Ana"));
    check("- Pedro -", Some("Pedro"));
}

#[test]
fn accents_are_kept() {
    check("Nguyễn Văn An", Some("Nguyễn"));
    check("Zoë Martin", Some("Zoë"));
    // Decomposed (NFD) accent after the last letter.
    check("Jose\u{301} Silva", Some("Jose\u{301}"));
}

#[test]
fn han_names_are_kept_whole() {
    check("陳大文", Some("陳大文"));
    check("🌸陳大文🌸", Some("陳大文"));
    check("陳 大文", Some("陳大文"));
    check("林美玲 Mei", Some("林美玲"));
}

#[test]
fn hong_kong_romanisation_takes_first_token() {
    // Surname first; documented limitation.
    check("Chan Tai Man", Some("Chan"));
    check("Peter Chan", Some("Peter"));
}

#[test]
fn other_scripts() {
    check("Иван Петров", Some("Иван"));
    check("محمد علي", Some("محمد"));
    check("김민준", Some("김민준"));
}

#[test]
fn no_name() {
    check("", None);
    check("   ", None);
    check("🙂", None);
    check("🙂 🙃", None);
    check("...", None);
    check("+55 11 91234-5678", None);
}

#[test]
fn skips_leading_non_name_tokens() {
    check("🙂 1987 Carla", Some("Carla"));
    check("- Ana", Some("Ana"));
}

#[test]
fn marks_after_the_last_letter_are_kept() {
    // Thai tone mark (U+0E48) ends "แม่"; a Devanagari vowel sign ends "प्रिया".
    check("แม่ มณี", Some("แม่"));
    check("สมชาย ใจดี", Some("สมชาย"));
    check("प्रिया सिंह", Some("प्रिया"));
    check("राहुल 🙏", Some("राहुल"));
    // …but a keycap or variation selector after a letter is emoji, not a mark.
    check("Ana❤️ Souza", Some("Ana"));
}

#[test]
fn compound_given_names_keep_only_the_first_word() {
    // No way to tell "María José" (one given name) from "María Pérez".
    check("María José Pérez", Some("María"));
    check("Maria da Silva", Some("Maria"));
}
