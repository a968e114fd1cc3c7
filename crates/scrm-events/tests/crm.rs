//! `crm_update_event.avsc`, and storing decoded events with serde.

mod common;

use std::collections::BTreeMap;

use common::{assert_envelope, decode, envelope, T0};
use scrm_events::*;
use serde_json::json;

#[test]
fn crm_fields_changed() {
    let event = decode(
        InputTopic::CrmUpdates,
        &envelope(json!({"CrmFieldsChanged": {
            "crm": "hubspot", "object_type": "contact", "object_id": "501",
            "modified_at": T0 - 1,
            "fields": {"zeta": "z", "email": null, "level": "gold", "Alpha": "a"},
        }})),
    );
    assert_envelope(&event);
    assert_eq!(event.kind(), "crm_fields_changed");
    assert_eq!(event.topic(), InputTopic::CrmUpdates);
    let expected: BTreeMap<String, Option<String>> = [
        ("Alpha", Some("a")),
        ("email", None),
        ("level", Some("gold")),
        ("zeta", Some("z")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.map(str::to_owned)))
    .collect();
    assert_eq!(
        event.payload,
        Payload::CrmFieldsChanged(CrmFieldsChanged {
            crm: "hubspot".into(),
            object_type: "contact".into(),
            object_id: "501".into(),
            modified_at_ms: T0 - 1,
            fields: expected,
        })
    );
    let Payload::CrmFieldsChanged(change) = &event.payload else {
        unreachable!()
    };
    let keys: Vec<&str> = change.fields.keys().map(String::as_str).collect();
    assert_eq!(keys, ["Alpha", "email", "level", "zeta"], "sorted keys");
    assert_eq!(change.field("email"), Some(None));
    assert_eq!(change.cleared().collect::<Vec<_>>(), ["email"]);
}

#[test]
fn crm_change_with_no_fields() {
    let event = decode(
        InputTopic::CrmUpdates,
        &envelope(json!({"CrmFieldsChanged": {
            "crm": "zoho", "object_type": "Leads", "object_id": "z-1",
            "modified_at": "2026-11-02T14:05:00.123Z", "fields": {},
        }})),
    );
    assert_eq!(
        event.payload,
        Payload::CrmFieldsChanged(CrmFieldsChanged {
            crm: "zoho".into(),
            object_type: "Leads".into(),
            object_id: "z-1".into(),
            modified_at_ms: T0,
            fields: BTreeMap::new(),
        })
    );
}

fn sample_events() -> Vec<Event> {
    vec![
        decode(
            InputTopic::Conversation,
            &envelope(
                json!({"InboundMessage": {"wamid": "w", "content": {"LocationContent": {"latitude": -23.5, "longitude": -46.6}}}}),
            ),
        ),
        decode(
            InputTopic::Conversation,
            &envelope(
                json!({"OutboundMessage": {"kind": "TEMPLATE", "category": "UTILITY", "sent_by": "AUTOMATION"}}),
            ),
        ),
        decode(
            InputTopic::Transaction,
            &envelope(
                json!({"OrderPaid": {"order_id": "o", "amount_minor": 1, "currency": "HKD", "payment_method": "CASH_ON_DELIVERY"}}),
            ),
        ),
        decode(
            InputTopic::CrmUpdates,
            &envelope(
                json!({"CrmFieldsChanged": {"crm": "c", "object_type": "t", "object_id": "i", "modified_at": 0, "fields": {"a": null}}}),
            ),
        ),
    ]
}

#[test]
fn events_survive_serde_storage() {
    for event in sample_events() {
        let stored = serde_json::to_string(&event).expect("serialize");
        let back: Event = serde_json::from_str(&stored).expect("deserialize");
        assert_eq!(back, event, "{stored}");
    }
}

#[test]
fn stored_form_uses_kinds_and_symbols() {
    let events = sample_events();
    let json = serde_json::to_value(&events[1]).unwrap();
    assert_eq!(
        json["payload"]["outbound_message"]["category"],
        json!("UTILITY")
    );
    assert_eq!(
        json["payload"]["outbound_message"]["kind"],
        json!("TEMPLATE")
    );
    assert_eq!(json["occurred_at_ms"], json!(T0));
    let json = serde_json::to_value(&events[0]).unwrap();
    assert_eq!(
        json["payload"]["inbound_message"]["content"]["location"]["latitude"],
        json!(-23.5)
    );
    let json = serde_json::to_value(&events[2]).unwrap();
    assert_eq!(
        json["payload"]["order_paid"]["payment_method"],
        json!("CASH_ON_DELIVERY")
    );
    for event in &events {
        let json = serde_json::to_value(event).unwrap();
        let tag = json["payload"].as_object().unwrap().keys().next().unwrap();
        assert_eq!(tag, event.kind());
        assert!(Payload::KINDS.contains(&event.kind()));
    }
}
