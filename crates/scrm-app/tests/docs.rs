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

/// Every secret's variable, so that the example's secret files need not exist and the
/// checks that need a secret run too.
const SECRETS: &[(&str, &str)] = &[
    ("SCRM_API_TOKEN", "api-token"),
    ("SCRM_KAFKA_SASL_PASSWORD", "kafka-password"),
    ("SCRM_SCHEMA_REGISTRY_PASSWORD", "registry-password"),
    ("SCRM_WHATSAPP_VERIFY_TOKEN", "verify"),
    ("SCRM_WHATSAPP_APP_SECRET", "app-secret"),
    ("SCRM_WHATSAPP_ACCESS_TOKEN", "EAAG"),
    ("SCRM_CRM_HUBSPOT_TOKEN", "pat-na1-test"),
    (
        "SCRM_CRM_WEBHOOK_SECRET",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    ),
];

#[test]
fn the_documented_example_is_a_valid_file() {
    let mut config: Config =
        scrm_config::parse_str(&documented(), Path::new("docs/configuration.md")).unwrap();
    config
        .apply_env(&scrm_config::Env::from_pairs(SECRETS))
        .unwrap();
    config.validate().unwrap();
}

/// The dotted names of every key under `value`: a table's keys and, inside a table that
/// has keys, theirs (an empty table or any other value is a key of its own).
fn keys(prefix: &str, value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value.as_object() {
        Some(table) if !table.is_empty() => {
            for (key, value) in table {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                keys(&name, value, out);
            }
        }
        _ => {
            out.insert(prefix.to_owned());
        }
    }
}

#[test]
fn every_key_is_documented() {
    let example: toml::Table = documented().parse().unwrap();
    let mut shown = BTreeSet::new();
    keys("", &serde_json::to_value(&example).unwrap(), &mut shown);
    let mut wanted = BTreeSet::new();
    keys(
        "",
        &serde_json::to_value(Config::default()).unwrap(),
        &mut wanted,
    );
    // A table that is empty by default (a map) is documented by an example entry.
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|w| {
            !shown
                .iter()
                .any(|s| s == *w || s.starts_with(&format!("{w}.")))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "not in docs/configuration.md: {missing:?}"
    );
}
