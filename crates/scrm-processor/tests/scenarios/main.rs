//! The default rule pack, rule by rule, through the real processor on the embedded log:
//! a sequence of events (in English, French, Portuguese and Cantonese) → exactly the
//! expected triggers with the gate's verdicts, tags, CRM commands and alerts.

mod crm;
mod harness;
mod messaging;
mod operations;
mod policy;

use harness::*;
use serde_json::{json, Value as Json};

#[test]
fn high_intent_more_than_three_inquiries_in_a_week_tag_and_a_discount_code() {
    let mut s = Scenario::new();
    s.says(ANA, T0, "Oi! Quanto custa esse vestido?")
        .says(ANA, T0 + DAY, "Tem em estoque no azul?")
        .says(ANA, T0 + 2 * DAY, "Quais cores vocês têm?")
        .run();
    assert!(
        s.triggers(ANA).is_empty(),
        "3 inquiries are not more than 3"
    );
    s.says(ANA, T0 + 3 * DAY, "E qual o preço do modelo longo?")
        .says(ANA, T0 + 4 * DAY, "Quanto custa o frete?")
        .run();
    let t = s.triggers(ANA);
    assert_eq!(t.len(), 1, "once per 7 days: {t:#?}");
    assert_eq!(
        (t[0].rule.as_str(), t[0].decision.as_str()),
        ("high_intent", "ALLOW")
    );
    assert_eq!(t[0].template(), Some("discount_code"));
    assert_eq!(t[0].language(), Some("pt_BR"));
    let vars = t[0].variables();
    assert_eq!(&vars[..2], ["Ana", "10%"]);
    assert!(vars[2].starts_with("HI") && vars[2].len() == 8, "{vars:?}");
    assert_eq!(t[0].occurred_at, T0 + 3 * DAY);
    assert_eq!(tags(&s, ANA), ["high_intent"]);
    assert!(s.crm(ANA).is_empty());
}

#[test]
fn potential_one_or_two_interactions_in_30_days_get_a_weekly_follow_up_task() {
    let mut s = Scenario::new();
    s.says(LEA, T0, "Bonjour, vous livrez à Lyon ?")
        // Mei is busier: 3 interactions, not "potential".
        .says(MEI, T0, "你好")
        .says(MEI, T0 + HOUR, "有冇其他顏色?")
        .views(MEI, T0 + 2 * HOUR, "SKU-9")
        // Monday 2026-11-09 10:00 in Hong Kong is 02:00 UTC.
        .time_passes_to(T0 + 5 * DAY + MIN)
        .run();
    let crm = s.crm(LEA);
    assert_eq!(crm.len(), 1, "{crm:#?}");
    assert_eq!(crm[0].0, "potential");
    let task = &crm[0].1["CreateTask"];
    assert_eq!(
        task["subject"],
        "Weekly follow-up: Léa Martin is a potential customer"
    );
    assert_eq!(
        millis(task["due_at"].as_str().unwrap()),
        T0 + 5 * DAY + 2 * DAY
    );
    assert_eq!(task["priority"], "normal");
    assert_eq!(tags(&s, LEA), ["potential"]);
    assert!(s.crm(MEI).is_empty());
}

#[test]
fn lost_after_60_silent_days_and_back_when_the_customer_writes_again() {
    let mut s = Scenario::new();
    s.says(MEI, T0, "唔該晒")
        .time_passes_to(T0 + 59 * DAY)
        .run();
    assert!(s.crm_by(MEI, "lost").is_empty());
    s.time_passes_to(T0 + 61 * DAY).run();
    let mei = s.state(MEI);
    assert!(mei.tags.contains("lost"));
    assert_eq!(mei.segment.as_deref(), Some("low_priority"));
    assert_eq!(mei.priority.as_deref(), Some("low"));
    assert_eq!(
        s.crm_by(MEI, "lost"),
        [json!({"UpsertContact": {"fields": {"list": "low_priority"}}})]
    );
    // Priority, segment and tag reach the CRM with the contact's other fields.
    let lost = s.contact_updates(MEI).pop().unwrap();
    assert_eq!(lost["priority"], "low");
    assert_eq!(lost["segment"], "low_priority");
    assert!(
        lost["tags"]
            .as_str()
            .unwrap()
            .split(';')
            .any(|t| t == "lost"),
        "{lost:?}"
    );
    assert!(s.triggers(MEI).is_empty(), "lost sends nothing");

    s.says(MEI, T0 + 62 * DAY, "我返嚟喇").run();
    let mei = s.state(MEI);
    assert!(!mei.tags.contains("lost"));
    assert_eq!(mei.segment, None);
    assert_eq!(mei.priority.as_deref(), Some("normal"));
    assert_eq!(
        s.crm_by(MEI, "lost_return"),
        [json!({"UpsertContact": {"fields": {"list": null}}})]
    );
    let back = s.contact_updates(MEI).pop().unwrap();
    assert_eq!(back["priority"], "normal");
    assert_eq!(back["segment"], Json::Null, "cleared");
    assert!(
        !back["tags"].as_str().unwrap_or("").contains("lost"),
        "{back:?}"
    );
    assert_eq!(s.crm_by(MEI, "lost").len(), 1, "lost once");
}

#[test]
fn price_sensitive_after_more_than_three_discount_requests_in_any_language() {
    let mut s = Scenario::new();
    s.says(LEA, T0, "Vous avez un code promo ?")
        .says(LEA, T0 + HOUR, "Une réduction possible ?")
        .says(LEA, T0 + 2 * HOUR, "Et pour le black friday, des soldes ?")
        .run();
    assert!(tags(&s, LEA).is_empty());
    s.says(LEA, T0 + 3 * HOUR, "Toujours pas de code promo ?")
        .says(LEA, T0 + 4 * HOUR, "un coupon peut-être ?")
        .run();
    assert_eq!(tags(&s, LEA), ["price_sensitive"]);
    let crm = s.crm(LEA);
    assert_eq!(crm.len(), 1, "tagged once: {crm:#?}");
    assert_eq!(
        crm[0],
        (
            "price_sensitive".to_owned(),
            json!({"UpsertContact": {"fields": {"price_sensitive": "true"}}})
        )
    );
    assert!(s.triggers(LEA).is_empty());
}

#[test]
fn too_expensive_twice_in_a_row_explains_the_instalment_plan() {
    let mut s = Scenario::new();
    s.says(MEI, T0, "太貴喇")
        .says(MEI, T0 + MIN, "好靚，不過真係太貴")
        .says(ANA, T0, "Achei muito caro")
        .says(ANA, T0 + MIN, "Vocês entregam em Niterói?")
        .says(ANA, T0 + 2 * MIN, "Muito caro mesmo")
        .run();
    let t = s.triggers(MEI);
    assert_eq!(t.len(), 1, "{t:#?}");
    assert_eq!(
        (t[0].rule.as_str(), t[0].decision.as_str()),
        ("too_expensive", "ALLOW")
    );
    let text = t[0].text().unwrap();
    assert!(text.starts_with("陳美美，可以分3期免息付款"), "{text}");
    assert!(
        s.triggers(ANA).is_empty(),
        "Ana's complaints about the price were not consecutive"
    );
}

#[test]
fn click_without_an_order_in_promotion_season_gets_a_code_after_three_days() {
    let mut s = Scenario::new();
    s.clicks(ANA, T0, "SKU-1")
        .clicks(LEA, T0, "SKU-2")
        .orders(LEA, T0 + DAY, "L-1")
        .time_passes_to(T0 + 3 * DAY + HOUR)
        .run();
    let t = s.triggers(ANA);
    assert_eq!(t.len(), 1, "{t:#?}");
    assert_eq!(t[0].rule, "click_no_order");
    assert_eq!(t[0].template(), Some("discount_code"));
    assert_eq!(t[0].occurred_at, T0 + 3 * DAY);
    // 02:00 UTC is 23:00 in São Paulo: quiet hours until 09:00 there (12:00 UTC).
    assert_eq!(t[0].decision, "DEFER");
    assert_eq!(t[0].reasons, ["quiet_hours"]);
    assert_eq!(t[0].not_before, Some(T0 + 3 * DAY + 10 * HOUR));
    assert!(s.triggers(LEA).is_empty(), "Léa ordered");

    // Out of season (February), a click starts nothing.
    let mut off = Scenario::new();
    let feb = T0 + 100 * DAY;
    off.clicks(ANA, feb, "SKU-1")
        .time_passes_to(feb + 4 * DAY)
        .run();
    assert!(off.triggers(ANA).is_empty());
}

#[test]
fn quiz_without_a_purchase_in_48_hours_gets_a_sample_request_link() {
    let mut s = Scenario::new();
    s.answers_quiz(LEA, T0)
        .answers_quiz(MEI, T0)
        .orders(MEI, T0 + DAY, "M-1")
        .time_passes_to(T0 + 49 * HOUR)
        .run();
    let t = s.triggers(LEA);
    assert_eq!(t.len(), 1, "{t:#?}");
    assert_eq!(t[0].rule, "quiz");
    assert_eq!(t[0].template(), Some("sample_request"));
    assert_eq!(t[0].language(), Some("fr"), "a French number");
    // Léa never wrote, so no WhatsApp profile name is known.
    assert_eq!(t[0].variables()[0], "");
    assert!(t[0].variables()[1].starts_with("SP"));
    assert!(s.triggers(MEI).is_empty());
}
