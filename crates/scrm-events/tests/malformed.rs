//! Values that are not valid events give errors naming the field at fault; values that are
//! valid but not in the exact resolved form (other union index, bare values, shuffled
//! fields) still decode.

mod common;

use apache_avro::types::Value;
use common::{at_path, envelope, error_after, record_at, value_of, T0};
use scrm_events::*;
use serde_json::json;

fn inbound_json() -> serde_json::Value {
    envelope(json!({"InboundMessage": {
        "wamid": "wamid.A", "phone": "+85291234567",
        "content": {"TextContent": {"body": "hi"}},
    }}))
}

fn outbound_json() -> serde_json::Value {
    envelope(json!({"OutboundMessage": {"kind": "FREE_FORM", "sent_by": "AGENT"}}))
}

fn placed_json() -> serde_json::Value {
    envelope(json!({"OrderPlaced": {
        "order_id": "o", "total_minor": 1, "currency": "HKD", "payment_method": "CARD",
        "lines": [{"sku": "a", "quantity": 1, "unit_price_minor": 1}, {"sku": "b", "quantity": 2, "unit_price_minor": 2}],
    }}))
}

fn crm_json() -> serde_json::Value {
    envelope(
        json!({"CrmFieldsChanged": {"crm": "c", "object_type": "t", "object_id": "i", "modified_at": 0, "fields": {"email": "a@b"}}}),
    )
}

const CONV: InputTopic = InputTopic::Conversation;

fn err(topic: InputTopic, json: serde_json::Value, damage: impl FnOnce(&mut Value)) -> String {
    error_after(topic, &json, damage).to_string()
}

#[test]
fn envelope_problems() {
    assert_eq!(
        Event::from_avro(CONV, &Value::Null)
            .unwrap_err()
            .to_string(),
        "(record): expected record, found Null"
    );
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            record_at(v, &[]).retain(|(n, _)| n != "occurred_at");
        }),
        "occurred_at: missing"
    );
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            *at_path(v, &["occurred_at"]) = Value::String("yesterday".into())
        }),
        "occurred_at: expected timestamp-millis, found String"
    );
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            *at_path(v, &["customer"]) = Value::String(String::new())
        }),
        "customer: must not be empty"
    );
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            *at_path(v, &["event_id"]) = Value::Null
        }),
        "event_id: expected string, found Null"
    );
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            *at_path(v, &["payload"]) = Value::String("x".into())
        }),
        "payload: expected union of records, found String"
    );
}

#[test]
fn payload_field_problems_name_the_branch() {
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            *at_path(v, &["payload", "content", "body"]) = Value::Null
        }),
        "payload.InboundMessage.content.TextContent.body: expected string, found Null"
    );
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            record_at(v, &["payload"]).retain(|(n, _)| n != "wamid");
        }),
        "payload.InboundMessage.wamid: missing"
    );
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            *at_path(v, &["payload"]) = Value::Union(0, Box::new(Value::Null))
        }),
        "payload.InboundMessage: expected record, found Null"
    );
    assert_eq!(
        err(InputTopic::Transaction, placed_json(), |v| {
            let Value::Array(lines) = at_path(v, &["payload", "lines"]) else {
                panic!()
            };
            *at_path(&mut lines[1], &["quantity"]) = Value::Long(5_000_000_000);
        }),
        "payload.OrderPlaced.lines[1].quantity: 5000000000 does not fit in a 32-bit int"
    );
    assert_eq!(
        err(InputTopic::Transaction, placed_json(), |v| {
            let Value::Array(lines) = at_path(v, &["payload", "lines"]) else {
                panic!()
            };
            lines[0] = Value::String("a".into());
        }),
        "payload.OrderPlaced.lines[0]: expected record, found String"
    );
    assert_eq!(
        err(InputTopic::CrmUpdates, crm_json(), |v| {
            let Value::Map(m) = at_path(v, &["payload", "fields"]) else {
                panic!()
            };
            m.insert("email".into(), Value::Union(1, Box::new(Value::Int(3))));
        }),
        "payload.CrmFieldsChanged.fields.email: expected string, found Int"
    );
    assert_eq!(
        err(InputTopic::CrmUpdates, crm_json(), |v| {
            *at_path(v, &["payload", "fields"]) = Value::Array(vec![])
        }),
        "payload.CrmFieldsChanged.fields: expected map, found Array"
    );
}

#[test]
fn wrong_union_index() {
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            *at_path(v, &["payload"]) =
                Value::Union(9, Box::new(Value::Record(vec![("x".into(), Value::Null)])))
        }),
        "payload: no branch of InboundMessage, OutboundMessage, DeliveryStatus, AgentHandoff, \
         MessageNotSent, MediaStored, BusinessCapabilityUpdate fits a record with fields (x) at union index 9"
    );
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            *at_path(v, &["payload"]) = Value::Union(9, Box::new(Value::Null))
        }),
        "payload: union index 9 is out of range for branches InboundMessage, OutboundMessage, \
         DeliveryStatus, AgentHandoff, MessageNotSent, MediaStored, BusinessCapabilityUpdate"
    );
    // An index out of range with a record that is no branch at all.
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            *at_path(v, &["payload", "content"]) = Value::Union(8, Box::new(Value::Record(vec![])))
        }),
        "payload.InboundMessage.content: no branch of TextContent, MediaContent, LocationContent, \
         InteractiveReply, Reaction, ContactsContent, OrderContent, UnsupportedContent fits a \
         record with fields () at union index 8"
    );
    // An index in range, a record that fits no branch exactly: the indexed branch reports
    // the field that does not fit.
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            *at_path(v, &["payload", "content"]) = Value::Union(
                4,
                Box::new(Value::Record(vec![("message_wamid".into(), Value::Int(1))])),
            )
        }),
        "payload.InboundMessage.content.Reaction.message_wamid: expected string, found Int"
    );
    // A record with exactly another branch's fields is read as that branch, whatever the
    // index says.
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            *at_path(v, &["payload", "content"]) = Value::Union(
                4,
                Box::new(Value::Record(vec![("body".into(), Value::Int(1))])),
            )
        }),
        "payload.InboundMessage.content.TextContent.body: expected string, found Int"
    );
}

#[test]
fn mislabelled_union_index_is_read_by_fields() {
    let good = Event::from_avro(CONV, &value_of(CONV, &inbound_json())).unwrap();
    for index in [1, 3, 77] {
        let mut v = value_of(CONV, &inbound_json());
        if let Value::Union(i, _) = at_path(&mut v, &["payload"]) {
            *i = index;
        }
        if let Value::Union(i, _) = at_path(&mut v, &["payload", "content"]) {
            *i = index;
        }
        assert_eq!(Event::from_avro(CONV, &v).unwrap(), good);
    }
    // A bare record, no union around it.
    let mut v = value_of(CONV, &inbound_json());
    let payload = at_path(&mut v, &["payload"]);
    let inner = std::mem::replace(common::unwrap_union(payload), Value::Null);
    *payload = inner;
    assert_eq!(Event::from_avro(CONV, &v).unwrap(), good);
}

#[test]
fn enum_problems() {
    assert_eq!(
        err(CONV, outbound_json(), |v| {
            *at_path(v, &["payload", "sent_by"]) = Value::Enum(5, "BOT".into())
        }),
        "payload.OutboundMessage.sent_by: `BOT` (index 5) is not a symbol of Sender: AUTOMATION, AGENT"
    );
    assert_eq!(
        err(CONV, outbound_json(), |v| {
            *at_path(v, &["payload", "kind"]) = Value::Int(0)
        }),
        "payload.OutboundMessage.kind: expected enum OutboundKind, found Int"
    );
    assert_eq!(
        err(CONV, outbound_json(), |v| {
            *at_path(v, &["payload", "sent_by"]) = Value::String("BOT".into())
        }),
        "payload.OutboundMessage.sent_by: `BOT` is not a symbol of Sender: AUTOMATION, AGENT"
    );
    // The symbol decides when the index disagrees; a plain string symbol is read too.
    let mut v = value_of(CONV, &outbound_json());
    *at_path(&mut v, &["payload", "sent_by"]) = Value::Enum(0, "AGENT".into());
    *at_path(&mut v, &["payload", "kind"]) = Value::String("TEMPLATE".into());
    let Payload::Outbound(out) = Event::from_avro(CONV, &v).unwrap().payload else {
        panic!()
    };
    assert_eq!(
        (out.sent_by, out.kind),
        (Sender::Agent, OutboundKind::Template)
    );
}

#[test]
fn nullable_problems() {
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            *at_path(v, &["payload", "phone"]) = Value::Union(1, Box::new(Value::Null))
        }),
        "payload.InboundMessage.phone: expected string, found Null"
    );
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            *at_path(v, &["payload", "bsuid"]) =
                Value::Union(0, Box::new(Value::String("x".into())))
        }),
        "payload.InboundMessage.bsuid: expected null, found String"
    );
    assert_eq!(
        err(CONV, inbound_json(), |v| {
            *at_path(v, &["payload", "bsuid"]) = Value::Union(2, Box::new(Value::Null))
        }),
        "payload.InboundMessage.bsuid: union index 2 is out of range for branches null, value"
    );
}

#[test]
fn lenient_forms_decode() {
    let mut v = value_of(CONV, &inbound_json());
    // Bare values for nullable fields, a left-out nullable field, Long for a timestamp.
    *at_path(&mut v, &["payload", "profile_name"]) = Value::String("Mei".into());
    *at_path(&mut v, &["payload", "bsuid"]) = Value::Null;
    record_at(&mut v, &["payload"]).retain(|(n, _)| n != "phone");
    *at_path(&mut v, &["occurred_at"]) = Value::Long(T0);
    let event = Event::from_avro(CONV, &v).unwrap();
    let msg = event.payload.as_inbound().unwrap();
    assert_eq!(msg.profile_name.as_deref(), Some("Mei"));
    assert_eq!(msg.phone, None);
    assert_eq!(msg.bsuid, None);
    assert_eq!(event.occurred_at_ms, T0);

    // Int for a long, Long for an int, Float for a double.
    let mut v = value_of(InputTopic::Transaction, &placed_json());
    *at_path(&mut v, &["payload", "total_minor"]) = Value::Int(7);
    if let Value::Array(lines) = at_path(&mut v, &["payload", "lines"]) {
        *at_path(&mut lines[0], &["quantity"]) = Value::Long(3);
    }
    let Payload::OrderPlaced(p) = Event::from_avro(InputTopic::Transaction, &v)
        .unwrap()
        .payload
    else {
        panic!()
    };
    assert_eq!((p.total_minor, p.lines[0].quantity), (7, 3));

    let json = envelope(
        json!({"InboundMessage": {"wamid": "w", "content": {"LocationContent": {"latitude": 1.5, "longitude": 2.0}}}}),
    );
    let mut v = value_of(CONV, &json);
    *at_path(&mut v, &["payload", "content", "latitude"]) = Value::Float(0.5);
    let event = Event::from_avro(CONV, &v).unwrap();
    assert!(matches!(
        event.payload.as_inbound().unwrap().content,
        Content::Location { latitude, longitude, .. } if latitude == 0.5 && longitude == 2.0
    ));
}

#[test]
fn fields_are_found_by_name_in_any_order() {
    for (topic, json) in [
        (CONV, inbound_json()),
        (CONV, outbound_json()),
        (InputTopic::Transaction, placed_json()),
        (InputTopic::CrmUpdates, crm_json()),
    ] {
        let v = value_of(topic, &json);
        let good = Event::from_avro(topic, &v).unwrap();
        let mut reversed = v.clone();
        reverse_records(&mut reversed);
        assert_ne!(reversed, v);
        assert_eq!(Event::from_avro(topic, &reversed).unwrap(), good);
    }
}

fn reverse_records(v: &mut Value) {
    match v {
        Value::Record(fields) => {
            fields.reverse();
            fields.iter_mut().for_each(|(_, f)| reverse_records(f));
        }
        Value::Union(_, inner) => reverse_records(inner),
        Value::Array(items) => items.iter_mut().for_each(reverse_records),
        Value::Map(m) => m.values_mut().for_each(reverse_records),
        _ => {}
    }
}
