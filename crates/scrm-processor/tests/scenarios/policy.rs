//! The policy gate in the processor: opt-out, the template and marketing limits, the
//! daily tier limit with its warning, and a reloaded pack over kept state.

use std::sync::Arc;

use scrm_rules::RulePack;
use scrm_schema::TopicKind;

use crate::harness::*;

#[test]
fn opt_out_suppresses_marketing_but_not_service_replies() {
    let mut s = Scenario::new();
    s.says(ANA, T0, "PARAR")
        .clicks(ANA, T0 + HOUR, "SKU-1")
        .says(ANA, T0 + 3 * DAY + 2 * HOUR, "cadê meu pedido?")
        .run();
    let t = s.triggers(ANA);
    assert_eq!(t.len(), 2, "{t:#?}");
    assert_eq!(
        (t[0].rule.as_str(), t[0].decision.as_str()),
        ("click_no_order", "SUPPRESS")
    );
    assert_eq!(t[0].reasons, ["opted_out"]);
    assert_eq!(
        (t[1].rule.as_str(), t[1].decision.as_str()),
        ("where_is_my_order_unknown", "ALLOW")
    );
    assert!(s.state(ANA).opted_out_at_ms.is_some());
}

#[test]
fn one_template_a_day_without_opt_in_and_one_marketing_message_a_week() {
    let mut s = Scenario::new();
    // Both waits end at T0 + 73 h: the click's (3 days) and the quiz's (48 h).
    s.clicks(LEA, T0 + HOUR, "SKU-1")
        .answers_quiz(LEA, T0 + 25 * HOUR)
        .time_passes_to(T0 + 4 * DAY)
        .run();
    let t = s.triggers(LEA);
    assert_eq!(t.len(), 2, "{t:#?}");
    // 03:00 UTC is 04:00 in Paris: quiet hours until 09:00 there.
    assert_eq!(
        (t[0].rule.as_str(), t[0].decision.as_str()),
        ("click_no_order", "DEFER")
    );
    assert_eq!(t[0].reasons, ["quiet_hours"]);
    assert_eq!(
        (t[1].rule.as_str(), t[1].decision.as_str()),
        ("quiz", "SUPPRESS")
    );
    assert_eq!(
        t[1].reasons,
        ["template_daily_limit", "marketing_weekly_limit"]
    );

    // Opted in (CRM field): the daily template limit no longer applies; the weekly
    // marketing limit still does.
    let mut s = Scenario::new();
    s.crm_sets(LEA, T0, "whatsapp_opt_in", "true")
        .clicks(LEA, T0 + HOUR, "SKU-1")
        .answers_quiz(LEA, T0 + 25 * HOUR)
        .time_passes_to(T0 + 4 * DAY)
        .run();
    let t = s.triggers(LEA);
    assert_eq!(t[1].reasons, ["marketing_weekly_limit"]);
}

#[test]
fn the_daily_tier_limit_of_unique_customers_is_never_exceeded_and_warns_at_80_percent() {
    let pack = scrm_rules::DEFAULT_PACK.replace(
        "daily_unique_customers = 1000",
        "daily_unique_customers = 2",
    );
    let pack = RulePack::parse(&pack, "tier.toml").unwrap();
    let mut s = Scenario::with_pack(pack, 1);
    for (i, c) in [MEI, ANA, LEA].into_iter().enumerate() {
        s.clicks(c, T0 + i as i64 * MIN, "SKU-1");
    }
    s.time_passes_to(T0 + 4 * DAY).run();
    let verdicts: Vec<(String, Vec<String>)> = [MEI, ANA, LEA]
        .into_iter()
        .flat_map(|c| s.triggers(c))
        .map(|t| (t.decision, t.reasons))
        .collect();
    let sent = verdicts.iter().filter(|(d, _)| d != "SUPPRESS").count();
    assert_eq!(sent, 2, "{verdicts:#?}");
    let suppressed: Vec<_> = verdicts.iter().filter(|(d, _)| d == "SUPPRESS").collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0].1, ["tier_limit"]);
    let warnings: Vec<_> = s
        .outputs(TopicKind::Alerts)
        .into_iter()
        .filter(|a| a["kind"] == "tier_limit_near")
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(warnings[0]["details"]["used"], "2");
}

#[test]
fn a_reloaded_pack_runs_over_the_kept_state() {
    let mut s = Scenario::new();
    s.says(LEA, T0, "code promo ?")
        .says(LEA, T0 + MIN, "code promo ??")
        .run();
    assert!(!s.state(LEA).tags.contains("price_sensitive"));
    // The new pack tags after more than 2 requests; the count so far is kept.
    let stricter = scrm_rules::DEFAULT_PACK.replace(
        "{ total = \"discount\", more_than = 3 }",
        "{ total = \"discount\", more_than = 2 }",
    );
    let pack = RulePack::parse(&stricter, "stricter.toml").unwrap();
    s.says(LEA, T0 + 2 * MIN, "code promo ???")
        .run_with(Arc::new(pack));
    assert!(s.state(LEA).tags.contains("price_sensitive"));
    assert_eq!(s.state(LEA).keywords["discount"], 3);
}
