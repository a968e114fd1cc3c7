//! Integration tests of the public API: one test binary, one module per concern.

mod custom;
mod errors;
mod intents_en;
mod intents_fr;
mod intents_pt;
mod intents_zh;
mod language;
mod normalize;
mod sentiment;

use std::sync::OnceLock;

use scrm_text::{default_intents, default_sentiment, Analysis, Analyzer};

/// The analyzer with all defaults, built once for the whole test binary.
pub(crate) fn analyzer() -> &'static Analyzer {
    static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
    ANALYZER.get_or_init(|| Analyzer::new(&default_intents(), &default_sentiment()).unwrap())
}

pub(crate) fn analyze(text: &str) -> Analysis {
    analyzer().analyze(text)
}

/// Asserts that every message mentions `intent`, listing all the misses at once.
pub(crate) fn detects(intent: &str, messages: &[&str]) {
    let misses: Vec<String> = messages
        .iter()
        .map(|m| (m, analyze(m).intents))
        .filter(|(_, found)| !found.contains(intent))
        .map(|(m, found)| format!("{m:?} -> {found:?}"))
        .collect();
    assert!(misses.is_empty(), "not detected as {intent}: {misses:#?}");
}

/// Asserts that no message mentions `intent`.
pub(crate) fn never(intent: &str, messages: &[&str]) {
    let hits: Vec<String> = messages
        .iter()
        .map(|m| (m, analyze(m).intents))
        .filter(|(_, found)| found.contains(intent))
        .map(|(m, found)| format!("{m:?} -> {found:?}"))
        .collect();
    assert!(hits.is_empty(), "wrongly detected as {intent}: {hits:#?}");
}

/// Asserts the exact intent set of each message.
pub(crate) fn exactly(cases: &[(&str, &[&str])]) {
    let wrong: Vec<String> = cases
        .iter()
        .map(|(m, want)| (m, *want, analyze(m).intents))
        .filter(|(_, want, found)| !found.iter().map(String::as_str).eq(want.iter().copied()))
        .map(|(m, want, found)| format!("{m:?}: want {want:?}, found {found:?}"))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}
