//! docs/configuration.md is the reference of the file: its example must be a file scrm
//! accepts, and it must name every key the sections have.

use std::collections::BTreeSet;
use std::path::Path;

use scrm_app::Config;

/// The example file in the reference, with `# key = value` lines (documented but off by
/// default) switched on.
fn documented() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/configuration.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let block = text
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/configuration.md has a toml example");
    block
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest)
                if rest
                    .split_once(" = ")
                    .is_some_and(|(k, _)| !k.contains(' ')) =>
            {
                rest
            }
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_documented_example_is_a_valid_file() {
    let config: Config =
        scrm_config::parse_str(&documented(), Path::new("docs/configuration.md")).unwrap();
    config.validate().unwrap();
}

#[test]
fn every_key_is_documented() {
    let example: toml::Table = documented().parse().unwrap();
    let mut shown = BTreeSet::new();
    for (section, table) in &example {
        for key in table.as_table().expect("a section").keys() {
            shown.insert(format!("{section}.{key}"));
        }
    }
    let defaults = serde_json::to_value(Config::default()).unwrap();
    let mut missing = Vec::new();
    for (section, table) in defaults.as_object().unwrap() {
        for key in table.as_object().expect("a section").keys() {
            let name = format!("{section}.{key}");
            if !shown.contains(&name) {
                missing.push(name);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not in docs/configuration.md: {missing:?}"
    );
}
