//! The CRM commands that follow from state, whatever the rules say: the contact's fields
//! (only those that changed), deals for catalogued products, service cases and media notes.

use serde_json::{json, Value as Json};

use crate::harness::*;

#[test]
fn the_first_message_sends_the_contact_and_later_ones_only_what_changed() {
    let mut s = Scenario::new();
    s.says(ANA, T0, "Oi, bom dia!")
        .says(ANA, T0 + HOUR, "Vocês entregam em Campinas?")
        .run();
    let updates = s.contact_updates(ANA);
    assert_eq!(updates.len(), 2, "{updates:#?}");
    let first = &updates[0];
    assert_eq!(first["phone"], ANA);
    assert_eq!(first["name"], "Ana Souza");
    assert_eq!(first["lead_source"], "WhatsApp");
    assert_eq!(first["language"], "pt_BR");
    assert_eq!(first["last_interaction"], "2026-11-04T02:00:00.000Z");
    assert_eq!(first["inquiry_frequency"], "1");
    assert_eq!(first["activity_score"], "37");
    assert_eq!(first["priority"], "normal");
    assert_eq!(first["whatsapp_opt_in"], "false");
    assert!(
        !first.contains_key("segment") && !first.contains_key("tags"),
        "empty fields never sent are left out: {first:?}"
    );
    let second: Vec<&str> = updates[1].keys().map(String::as_str).collect();
    assert_eq!(
        second,
        ["activity_score", "inquiry_frequency", "last_interaction"],
        "only what changed"
    );
    assert_eq!(updates[1]["inquiry_frequency"], "2");
    // Ids come from the cause: the input record and the command's place.
    let ids: Vec<String> = s.synced(ANA).into_iter().map(|(id, _)| id).collect();
    assert_eq!(
        ids,
        [
            "crm@scrm.conversation.v1/0/0#0",
            "crm@scrm.conversation.v1/0/1#0"
        ]
    );
}

#[test]
fn a_rule_changing_tags_and_consent_reaches_the_contact() {
    let mut s = Scenario::new();
    s.says(LEA, T0, "Bonjour, je voudrais parler à quelqu'un svp")
        .says(LEA, T0 + HOUR, "STOP")
        .run();
    let contact = s.contact(LEA);
    assert_eq!(contact["tags"], "handoff");
    assert_eq!(contact["whatsapp_opt_in"], "false");
    let opted_in = s.contact_updates(LEA);
    assert!(
        opted_in
            .iter()
            .all(|u| u.get("whatsapp_opt_in") != Some(&json!("true"))),
        "{opted_in:#?}"
    );
    s.says(LEA, T0 + 2 * HOUR, "START").run();
    assert_eq!(s.contact(LEA)["whatsapp_opt_in"], "true");
}

#[test]
fn purchase_intent_for_a_catalogued_product_opens_one_deal_that_an_order_wins() {
    let mut s = Scenario::new();
    s.says(ANA, T0, "Quanto custa o iPhone 15 PM?")
        .says(ANA, T0 + HOUR, "o iphone15 pro max ainda tem em estoque?")
        .says(ANA, T0 + 2 * HOUR, "Vocês abrem sábado?")
        .buys(ANA, T0 + DAY, "o-1", "APL-IP15PM", 1, 899_900)
        .run();
    let deals = s.synced_ops(ANA, "UpsertDeal");
    assert_eq!(deals.len(), 2, "one deal, opened then won: {deals:#?}");
    assert_eq!(
        deals[0],
        json!({"deal_key": "+5511987654321/APL-IP15PM", "sku": "APL-IP15PM",
            "title": "iPhone 15 Pro Max — Ana Souza", "stage": "open",
            "amount_minor": null, "currency": null})
    );
    assert_eq!(deals[1]["deal_key"], deals[0]["deal_key"]);
    assert_eq!(deals[1]["stage"], "won");
    assert_eq!(deals[1]["amount_minor"], 899_900);
    assert_eq!(deals[1]["currency"], "BRL");

    // Asking again after buying is a new deal.
    s.says(ANA, T0 + 30 * DAY, "quero comprar outro iPhone 15 Pro Max")
        .run();
    let deals = s.synced_ops(ANA, "UpsertDeal");
    assert_eq!(deals.len(), 3);
    assert_eq!(deals[2]["deal_key"], "+5511987654321/APL-IP15PM/2");
    assert_eq!(deals[2]["stage"], "open");
}

#[test]
fn a_product_named_without_purchase_intent_is_no_deal() {
    let mut s = Scenario::new();
    s.says(MEI, T0, "我部iPhone 15 Pro Max壞咗")
        .says(MEI, T0 + HOUR, "the linen shirt was great, thanks")
        .buys(MEI, T0 + DAY, "o-2", "FSH-TSH-001", 2, 39_900)
        .run();
    assert!(s.synced_ops(MEI, "UpsertDeal").is_empty());
}

#[test]
fn deals_are_found_in_the_four_languages() {
    let mut s = Scenario::new();
    s.says(MEI, T0, "維他命C精華幾多錢？")
        .says(LEA, T0, "c'est combien la robe fleurie ?")
        .says(ANA, T0, "qual o preço do protetor solar FPS 50?")
        .run();
    let sku = |c: &str| {
        s.synced_ops(c, "UpsertDeal")
            .iter()
            .map(|d| d["sku"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(sku(MEI), ["SKN-SER-030"]);
    assert_eq!(sku(LEA), ["FSH-DRS-014"]);
    assert_eq!(sku(ANA), ["SKN-SPF-050"]);
}

#[test]
fn quote_requests_and_complaints_open_service_cases() {
    let mut s = Scenario::new();
    s.says(
        LEA,
        T0,
        "Bonjour, pouvez-vous me faire un devis pour 40 sacs cabas ?",
    )
    .says(
        ANA,
        T0,
        "Péssimo atendimento, meu pedido veio quebrado, quero reclamar",
    )
    .says(MEI, T0, "多謝晒")
    .run();
    let cases = s.synced_ops(LEA, "CreateCase");
    assert_eq!(cases.len(), 1, "{cases:#?}");
    assert_eq!(cases[0]["kind"], "quote");
    assert_eq!(cases[0]["subject"], "Quote request from Léa Martin");
    assert_eq!(cases[0]["case_key"], "+33612345678/e1");
    assert_eq!(
        cases[0]["body"],
        "Bonjour, pouvez-vous me faire un devis pour 40 sacs cabas ?"
    );
    let cases = s.synced_ops(ANA, "CreateCase");
    assert_eq!(cases.len(), 1, "{cases:#?}");
    assert_eq!(cases[0]["kind"], "complaint");
    assert!(s.synced_ops(MEI, "CreateCase").is_empty());
}

#[test]
fn media_the_customer_sent_becomes_a_note_with_its_link() {
    let mut s = Scenario::new();
    s.says(MEI, T0, "睇下呢張相")
        .media_stored(MEI, T0 + MIN, "https://media.example/m1.jpg")
        .run();
    let notes = s.synced_ops(MEI, "AddNote");
    assert_eq!(
        notes,
        [
            json!({"body": "陳美美 sent a file on WhatsApp (image/jpeg, 200 KB)",
            "media_url": "https://media.example/m1.jpg"})
        ]
    );
}

#[test]
fn a_replay_of_the_same_input_sends_the_same_commands() {
    let run = || {
        let mut s = Scenario::new();
        s.says(ANA, T0, "Quanto custa o iPhone 15 PM?")
            .says(LEA, T0 + HOUR, "un devis svp")
            .buys(ANA, T0 + DAY, "o-1", "APL-IP15PM", 1, 899_900)
            .time_passes_to(T0 + 3 * DAY)
            .run();
        [ANA, LEA].map(|c| s.synced(c))
    };
    let first = run();
    assert!(first.iter().all(|c| !c.is_empty()));
    assert_eq!(first, run());
}

#[test]
fn contact_sync_can_be_turned_off_in_the_pack() {
    let text = scrm_rules::DEFAULT_PACK.replace("contact = true", "contact = false");
    let pack = scrm_rules::RulePack::parse(&text, "no-contact.toml").unwrap();
    let mut s = Scenario::with_pack(pack, 1);
    s.says(ANA, T0, "Oi").run();
    assert!(s.contact_updates(ANA).is_empty());
    assert_eq!(s.contact(ANA), serde_json::Map::<String, Json>::new());
}

#[test]
fn our_own_values_echoing_back_from_the_crm_are_not_edits() {
    let mut s = Scenario::new();
    s.says(ANA, T0, "Oi").run();
    assert_eq!(s.contact(ANA)["whatsapp_opt_in"], "false");
    // The CRM reports the fields scrm wrote: an echo, so no opt-out is recorded.
    s.crm_sets(ANA, T0 + MIN, "whatsapp_opt_in", "false")
        .crm_sets(ANA, T0 + MIN, "priority", "normal")
        .run();
    let ana = s.state(ANA);
    assert_eq!(ana.opted_out_at_ms, None, "an echo is not an opt-out");
    assert_eq!(ana.priority, None);
    let before = s.contact_updates(ANA).len();
    s.crm_sets(ANA, T0 + 2 * MIN, "whatsapp_opt_in", "true")
        .run();
    assert!(scrm_rules::is_opted_in(&s.state(ANA)), "a real edit counts");
    // The contact now says so too; and that value echoing back changes nothing.
    let updates = s.contact_updates(ANA);
    assert_eq!(updates.len(), before + 1);
    assert_eq!(updates[before]["whatsapp_opt_in"], "true");
    s.crm_sets(ANA, T0 + 3 * MIN, "whatsapp_opt_in", "true")
        .run();
    assert_eq!(s.contact_updates(ANA).len(), before + 1);
}

#[test]
fn a_priority_set_in_the_crm_is_taken_and_not_sent_back_over() {
    let mut s = Scenario::new();
    s.says(LEA, T0, "Bonjour").run();
    s.crm_sets(LEA, T0 + MIN, "priority", "high")
        .says(LEA, T0 + HOUR, "Vous êtes ouverts dimanche ?")
        .run();
    assert_eq!(s.state(LEA).priority.as_deref(), Some("high"));
    assert_eq!(s.contact(LEA)["priority"], "high");
}
