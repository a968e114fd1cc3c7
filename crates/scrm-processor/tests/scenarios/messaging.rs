//! Rules that answer the customer: store inquiries, where is my order, hand-off.

use scrm_events::output::{Decision, Trigger};
use scrm_schema::TopicKind;
use serde_json::json;

use crate::harness::*;

#[test]
fn store_inquiry_tags_answers_with_the_nearest_store_and_sends_a_coupon_without_a_visit() {
    let mut s = Scenario::new();
    // Mei shares a location near Mong Kok, then asks where the shop is.
    s.shares_location(MEI, T0, 22.3180, 114.1700)
        .says(MEI, T0 + MIN, "請問你哋門市喺邊?")
        // Léa asks in English and visits within the week.
        .says(LEA, T0, "Where is your store address?")
        .visits_store(LEA, T0 + 2 * DAY)
        .time_passes_to(T0 + 7 * DAY + HOUR)
        .run();
    assert!(tags(&s, MEI).contains(&"store_search".to_owned()));
    let t = s.triggers(MEI);
    assert_eq!(t.len(), 2, "{t:#?}");
    assert_eq!(
        (t[0].rule.as_str(), t[0].decision.as_str()),
        ("store_search", "ALLOW")
    );
    assert!(
        t[0].text()
            .unwrap()
            .starts_with("最近嘅門市：Mong Kok，688 Nathan Road"),
        "{:?}",
        t[0].text()
    );
    assert_eq!(t[1].rule, "store_no_visit");
    assert_eq!(t[1].template(), Some("store_coupon"));
    assert_eq!(t[1].language(), Some("zh_HK"));
    let vars = t[1].variables();
    assert_eq!(
        (vars[0].as_str(), vars[1].as_str(), vars[3].as_str()),
        ("陳美美", "$15", "Mong Kok")
    );

    let t = s.triggers(LEA);
    assert_eq!(t.len(), 1, "Léa visited, no coupon: {t:#?}");
    assert_eq!(t[0].rule, "store_search");
    assert!(t[0]
        .text()
        .unwrap()
        .starts_with("Our nearest store: Causeway Bay"));
}

#[test]
fn where_is_my_order_replies_with_the_latest_orders_status_in_the_customers_language() {
    let mut s = Scenario::new();
    s.orders(ANA, T0, "A-1")
        .ships(ANA, T0 + DAY, "A-1")
        .says(ANA, T0 + 2 * DAY, "Oi, cadê meu pedido?")
        .orders(LEA, T0, "L-7")
        .says(LEA, T0 + 3 * DAY, "Bonjour, où en est ma commande ?")
        .says(MEI, T0, "我張單去到邊?")
        .run();
    let t = s.triggers(ANA);
    assert_eq!(t.len(), 1, "{t:#?}");
    assert_eq!(t[0].rule, "where_is_my_order");
    assert_eq!(
        t[0].text(),
        Some("Ana, seu pedido A-1 está shipped: SF Express SF123456789 https://sf.example/SF123456789")
    );
    let t = s.triggers(LEA);
    assert_eq!(t[0].rule, "where_is_my_order_pending");
    assert!(
        t[0].text()
            .unwrap()
            .contains("votre commande L-7 passée il y a 3 jours"),
        "{:?}",
        t[0].text()
    );
    let t = s.triggers(MEI);
    assert_eq!(t[0].rule, "where_is_my_order_unknown");
    assert!(t[0].text().unwrap().contains("訂單編號"));
}

#[test]
fn handoff_pauses_every_automation_for_12_hours() {
    let mut s = Scenario::new();
    s.says(ANA, T0, "Quero falar com um atendente")
        .says(ANA, T0 + HOUR, "Cadê meu pedido?")
        .says(ANA, T0 + 13 * HOUR, "Cadê meu pedido??")
        .run();
    let t = s.triggers(ANA);
    assert_eq!(t.len(), 2, "{t:#?}");
    assert_eq!(t[0].decision, "SUPPRESS");
    assert_eq!(t[0].reasons, ["paused"]);
    assert_eq!(
        (t[1].rule.as_str(), t[1].decision.as_str()),
        ("where_is_my_order_unknown", "ALLOW")
    );
    let crm = s.crm_by(ANA, "handoff_request");
    assert_eq!(crm.len(), 1);
    assert_eq!(crm[0]["CreateTask"]["priority"], "high");
    assert_eq!(
        crm[0]["CreateTask"]["subject"],
        "Ana Souza asked to talk to a person"
    );

    // An agent replying is a hand-off too (English customer).
    let mut s = Scenario::new();
    s.says(LEA, T0, "hi")
        .agent_replies(LEA, T0 + 5 * MIN, "agent-1")
        .says(LEA, T0 + 2 * HOUR, "where is my order?")
        .run();
    let t = s.triggers(LEA);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].decision, "SUPPRESS");
    assert!(
        t[0].reasons.contains(&"handoff_pause".to_owned()),
        "{:?}",
        t[0].reasons
    );
    assert!(tags(&s, LEA).contains(&"handoff".to_owned()));

    // Handed back to automation: messages flow again at once.
    s.handoff(LEA, T0 + 3 * HOUR, false)
        .says(LEA, T0 + 3 * HOUR + MIN, "my order?")
        .run();
    let t = s.triggers(LEA);
    assert_eq!(t.len(), 2);
    assert_eq!(t[1].decision, "ALLOW");
    assert!(!tags(&s, LEA).contains(&"handoff".to_owned()));
    let _ = json!(null);
}

#[test]
fn a_trigger_says_whether_it_answers_a_message_the_customer_just_sent() {
    let mut s = Scenario::new();
    s.shares_location(MEI, T0, 22.3180, 114.1700)
        .says(MEI, T0 + MIN, "請問你哋門市喺邊?")
        .time_passes_to(T0 + 7 * DAY + HOUR)
        .run();
    let triggers: Vec<Trigger> = s.records(TopicKind::Triggers);
    let of = |rule: &str| {
        triggers
            .iter()
            .find(|t| t.customer == MEI && t.rule_id == rule)
            .unwrap_or_else(|| panic!("no {rule} trigger: {triggers:#?}"))
    };
    let answer = of("store_search");
    assert!(answer.in_reply, "the answer to her question: {answer:#?}");
    assert_eq!(answer.decision, Decision::Allow);
    let coupon = of("store_no_visit");
    assert!(
        !coupon.in_reply,
        "a week later, business-initiated: {coupon:#?}"
    );
}
