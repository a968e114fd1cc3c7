//! A broken rule pack fails to load with file:line:column and a plain explanation; the
//! default pack loads.

use scrm_rules::{RuleKind, RulePack, DEFAULT_PACK};

const HEAD: &str = r#"[pack]
name = "test"
time_zone = "Asia/Hong_Kong"

[templates.discount_code]
category = "marketing"
languages = ["en"]
variables = 1
"#;

/// Loads HEAD + `rules`, expecting failure; returns the error text.
fn broken(rules: &str) -> String {
    let text = format!("{HEAD}{rules}");
    match RulePack::parse(&text, "shop.toml") {
        Ok(_) => panic!("the pack loaded:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// Line of HEAD + `rules` holding `needle`.
fn line_of(rules: &str, needle: &str) -> usize {
    let text = format!("{HEAD}{rules}");
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

fn assert_error(rules: &str, needle: &str, what: &str) {
    let err = broken(rules);
    let line = line_of(rules, needle);
    assert!(
        err.starts_with(&format!("shop.toml:{line}:")),
        "expected line {line}: {err}"
    );
    assert!(err.contains(what), "expected {what:?} in: {err}");
}

#[test]
fn the_default_pack_loads_with_every_rule_of_the_design() {
    let pack = RulePack::default_pack();
    let ids: Vec<&str> = pack.rules.iter().map(|r| r.id.as_str()).collect();
    for id in [
        "high_intent",
        "potential",
        "lost",
        "price_sensitive",
        "too_expensive",
        "click_no_order",
        "store_search",
        "store_no_visit",
        "where_is_my_order",
        "unread",
        "churn_risk",
        "quiz",
        "handoff_request",
        "handoff_agent",
        "agent_slow",
        "complaints",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert!(
        matches!(pack.rule("lost").unwrap().kind, RuleKind::Wait { wait_ms, .. } if wait_ms == 60 * 86_400_000)
    );
    assert_eq!(pack.policy.daily_unique_customers, Some(1000));
    assert_eq!(pack.fold.counters["intent:product_inquiry"], 7 * 86_400_000);
    assert_eq!(pack.fold.counters["interactions"], 30 * 86_400_000);
    assert!(DEFAULT_PACK.contains("more_than = 3"));
}

#[test]
fn an_unknown_field_names_its_line() {
    let rules = "\n[[rule]]\nid = \"x\"\non = \"inbound_message\"\nthen = [{ tag = \"a\" }]\nthreshold = 3\n";
    assert_error(rules, "threshold", "unknown field `threshold`");
}

#[test]
fn a_misspelt_condition_key_names_its_line() {
    let rules = "\n[[rule]]\nid = \"x\"\non = \"inbound_message\"\nwhen = [{ intent = \"discount\", more_then = 3 }]\nthen = [{ tag = \"a\" }]\n";
    assert_error(rules, "more_then", "unknown field `more_then`");
}

#[test]
fn a_wrong_type_names_its_line() {
    let rules = "\n[[rule]]\nid = \"x\"\non = \"inbound_message\"\nonce_per = 7\nthen = [{ tag = \"a\" }]\n";
    assert_error(
        rules,
        "once_per",
        "invalid type: integer `7`, expected a string",
    );
    let rules = "\n[[rule]]\nid = \"x\"\non = \"inbound_message\"\nwhen = [{ count = \"inbound\", within = \"7d\", more_than = \"three\" }]\nthen = [{ tag = \"a\" }]\n";
    assert_error(
        rules,
        "more_than",
        "`more_than` must be a number, found string",
    );
}

#[test]
fn an_unknown_intent_is_refused_with_the_known_ones() {
    let rules = "\n[[rule]]\nid = \"x\"\non = \"inbound_message\"\nwhen = [{ intent = \"discounts\" }]\nthen = [{ tag = \"a\" }]\n";
    assert_error(
        rules,
        "discounts",
        "unknown intent \"discounts\"; the pack's intents are:",
    );
    assert!(broken(rules).contains("discount, "));
}

#[test]
fn impossible_windows_and_bounds_are_refused() {
    let rules = "\n[[rule]]\nid = \"x\"\non = \"inbound_message\"\nwhen = [{ count = \"inbound\", within = \"400d\", more_than = 1 }]\nthen = [{ tag = \"a\" }]\n";
    assert_error(
        rules,
        "400d",
        "impossible window of 400d: state is kept 180d",
    );
    let rules = "\n[[rule]]\nid = \"x\"\non = \"inbound_message\"\nwhen = [{ count = \"inbound\", between = [\"7d\", \"14d\"], at_least = 1 }]\nthen = [{ tag = \"a\" }]\n";
    assert_error(
        rules,
        "between",
        "impossible window: `between` must go from further back to nearer",
    );
    let rules = "\n[[rule]]\nid = \"x\"\non = \"inbound_message\"\nwhen = [{ count = \"inbound\", within = \"7d\", more_than = 5, less_than = 3 }]\nthen = [{ tag = \"a\" }]\n";
    assert_error(rules, "less_than", "impossible bounds");
    let rules =
        "\n[[rule]]\nid = \"x\"\non = \"link_click\"\nwait = \"200d\"\nthen = [{ tag = \"a\" }]\n";
    assert_error(rules, "200d", "impossible wait of 200d");
    let rules =
        "\n[[rule]]\nid = \"x\"\non = \"link_click\"\nwait = \"3m\"\nthen = [{ tag = \"a\" }]\n";
    assert_error(rules, "3m", "`m` is ambiguous");
}

#[test]
fn unknown_templates_variables_events_and_duplicate_ids_are_refused() {
    let rules = "\n[[rule]]\nid = \"x\"\non = \"inbound_message\"\nthen = [{ send_template = \"coupon\" }]\n";
    assert_error(rules, "coupon", "unknown template \"coupon\"");
    let rules = "\n[[rule]]\nid = \"x\"\non = \"inbound_message\"\nthen = [{ send_template = \"discount_code\", variables = [\"{firstname}\"] }]\n";
    assert_error(rules, "firstname", "unknown variable {firstname}");
    let rules = "\n[[rule]]\nid = \"x\"\non = \"message_in\"\nthen = [{ tag = \"a\" }]\n";
    assert_error(rules, "message_in", "unknown event kind \"message_in\"");
    let rules = "\n[[rule]]\nid = \"x\"\non = \"inbound_message\"\nthen = [{ tag = \"a\" }]\n\n[[rule]]\nid = \"x\"\non = \"link_click\"\nthen = [{ tag = \"b\" }]\n";
    let err = broken(rules);
    assert!(
        err.contains("rule id \"x\" is already used by the rule at line"),
        "{err}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let rules = "\n[[rule]]\nid = \"x\"\non = \"inbound_message\"\nwhen = [{ intent = \"nope\" }]\nthen = [{ tag = \"a\" }]\n\n[[rule]]\nid = \"y\"\non = \"inbound_message\"\nwhen = [{ since = \"last_inbound\", more_than = \"60x\" }]\nthen = [{ tag = \"a\" }]\n";
    let err = broken(rules);
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(err.lines().next().unwrap().contains("nope"));
    assert!(err.lines().nth(1).unwrap().contains("unknown unit"));
}

#[test]
fn pack_level_settings_are_checked() {
    let text = DEFAULT_PACK.replace("Asia/Hong_Kong", "Asia/Atlantis");
    let err = RulePack::parse(&text, "p.toml").unwrap_err().to_string();
    assert!(err.contains("time_zone"), "{err}");
    let text = DEFAULT_PACK.replace(
        "daily_unique_customers = 1000",
        "daily_unique_customers = -5",
    );
    let err = RulePack::parse(&text, "p.toml").unwrap_err().to_string();
    assert!(err.contains("Meta's tier"), "{err}");
    let text = DEFAULT_PACK.replace(
        "quiet_hours = { from = \"21:00\"",
        "quiet_hours = { from = \"25:00\"",
    );
    let err = RulePack::parse(&text, "p.toml").unwrap_err().to_string();
    assert!(err.contains("hour 25"), "{err}");
}

#[test]
fn crm_settings_name_known_intents_and_a_sound_catalogue() {
    assert_error(
        "[crm]\ndeal_intents = [\"buy_now\"]\n",
        "buy_now",
        "[crm] deal_intents: unknown intent \"buy_now\"",
    );
    assert_error(
        "[crm]\ncases = { quote = \"quotation\" }\n",
        "quotation",
        "[crm] cases: unknown intent \"quotation\"",
    );
    assert_error(
        "[crm]\ninquiry_window = \"30 days\"\n",
        "30 days",
        "30 days",
    );
    assert_error("[crm]\ndeals = true\n", "deals", "unknown field `deals`");
    assert_error(
        "[[catalogue]]\nsku = \"A\"\nname = \"Phone X\"\n\n[[catalogue]]\nsku = \"B\"\nname = \"phone-x\"\n",
        "[[catalogue]]",
        "alias \"phone-x\" names both \"A\" and \"B\"",
    );
}

#[test]
fn a_pack_adds_an_intent_of_its_own_and_cases_use_it() {
    let text = format!(
        "{HEAD}[intents.warranty]\nen = [\"warranty\", \"guarantee\"]\npt = [\"garantia\"]\n\n[crm]\ncases = {{ warranty = \"warranty\" }}\n"
    );
    let pack = RulePack::parse(&text, "shop.toml").unwrap();
    assert!(pack
        .analyzer
        .analyze("a garantia cobre a tela?")
        .intents
        .contains("warranty"));
    assert_eq!(pack.crm.cases["warranty"], "warranty");
    let err = broken("[intents.warranty]\nen = [\"warranty\"]\nmtach = \"whole_message\"\n");
    assert!(err.contains("mtach"), "a misspelt key is named: {err}");
}
