//! Bodies that cannot be mapped fail with the path of the field at fault, so a dead
//! letter says where to look.

use scrm_whatsapp_webhook::{fixtures, parse, ParseError, MAX_EVENTS};
use serde_json::{json, Value};

fn error_of(body: &[u8]) -> ParseError {
    match parse(body, 0) {
        Ok(parsed) => panic!("expected an error, mapped {parsed:?}"),
        Err(e) => e,
    }
}

/// The text fixture with `edit` applied to its first message.
fn text_with(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Vec<u8> {
    let mut body: Value =
        serde_json::from_str(fixtures::get("text").unwrap_or_default()).expect("fixture is JSON");
    let message = body["entry"][0]["changes"][0]["value"]["messages"][0]
        .as_object_mut()
        .expect("a message object");
    edit(message);
    serde_json::to_vec(&body).expect("serializes")
}

const MESSAGE: &str = "entry[0].changes[0].value.messages[0]";

#[test]
fn not_json() {
    let err = error_of(b"{\"object\": \"whatsapp_business_account\", ");
    assert_eq!(err.path, "");
    assert!(err.reason.contains("EOF"), "{err}");
    assert!(err.to_string().starts_with("body: "), "{err}");
    let err = error_of(b"\xff\xfe not utf-8");
    assert_eq!(err.path, "");
    let err = error_of(b"");
    assert_eq!(err.path, "");
}

#[test]
fn wrong_object() {
    let err = error_of(br#"{"object": "page", "entry": []}"#);
    assert_eq!(err.path, "object");
    assert_eq!(
        err.reason,
        "expected `whatsapp_business_account`, found `page`"
    );
    let err = error_of(br#"{"entry": []}"#);
    assert_eq!(err.to_string(), "object: missing");
    let err = error_of(br#"["whatsapp_business_account"]"#);
    assert_eq!(err.to_string(), "body: expected an object, found an array");
}

#[test]
fn entry_and_changes_must_be_arrays_of_field_and_value() {
    let err = error_of(br#"{"object": "whatsapp_business_account", "entry": {}}"#);
    assert_eq!(err.to_string(), "entry: expected an array, found an object");
    let err = error_of(br#"{"object": "whatsapp_business_account", "entry": [{"id": "1"}]}"#);
    assert_eq!(err.to_string(), "entry[0].changes: missing");
    let err = error_of(
        br#"{"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {}}]}]}"#,
    );
    assert_eq!(err.to_string(), "entry[0].changes[0].field: missing");
    let err = error_of(
        br#"{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages"}]}]}"#,
    );
    assert_eq!(err.to_string(), "entry[0].changes[0].value: missing");
    // An empty body of entries is fine: nothing to map.
    let parsed = parse(
        br#"{"object": "whatsapp_business_account", "entry": []}"#,
        0,
    );
    assert_eq!(parsed.map(|p| p.events.len()), Ok(0));
}

#[test]
fn message_without_id() {
    let err = error_of(&text_with(|m| {
        m.remove("id");
    }));
    assert_eq!(err.path, format!("{MESSAGE}.id"));
    assert_eq!(err.reason, "missing");
    let err = error_of(&text_with(|m| {
        m.insert("id".into(), json!(""));
    }));
    assert_eq!(err.to_string(), format!("{MESSAGE}.id: must not be empty"));
}

#[test]
fn timestamp_not_a_number() {
    let err = error_of(&text_with(|m| {
        m.insert("timestamp".into(), json!("yesterday"));
    }));
    assert_eq!(err.path, format!("{MESSAGE}.timestamp"));
    assert_eq!(
        err.reason,
        "expected a whole number, found the string \"yesterday\""
    );
    let err = error_of(&text_with(|m| {
        m.insert("timestamp".into(), json!({"seconds": 1}));
    }));
    assert_eq!(
        err.to_string(),
        format!("{MESSAGE}.timestamp: expected a whole number, found an object")
    );
    let err = error_of(&text_with(|m| {
        m.insert("timestamp".into(), json!(i64::MAX));
    }));
    assert_eq!(err.path, format!("{MESSAGE}.timestamp"));
    // A number is accepted as well as a string.
    let parsed = parse(
        &text_with(|m| {
            m.insert("timestamp".into(), json!(1_780_041_600));
        }),
        0,
    );
    assert_eq!(
        parsed.map(|p| p.events[0].occurred_at_ms),
        Ok(1_780_041_600_000)
    );
}

#[test]
fn type_missing() {
    let err = error_of(&text_with(|m| {
        m.remove("type");
    }));
    assert_eq!(err.to_string(), format!("{MESSAGE}.type: missing"));
}

#[test]
fn no_sender() {
    let anonymous = |m: &mut serde_json::Map<String, Value>| {
        m.remove("from_user_id");
        m.insert("from".into(), json!("+"));
    };
    // The change's only contact still identifies the sender.
    let parsed = parse(&text_with(anonymous), 0).expect("parses");
    assert_eq!(parsed.events[0].customer, "+85291234567");
    // Without it, nothing does.
    let mut body: Value = serde_json::from_slice(&text_with(anonymous)).expect("JSON");
    if let Some(value) = body["entry"][0]["changes"][0]["value"].as_object_mut() {
        value.remove("contacts");
    }
    let err = error_of(&serde_json::to_vec(&body).expect("serializes"));
    assert_eq!(err.path, format!("{MESSAGE}.from"));
    assert!(err.reason.contains("from_user_id"), "{err}");
}

#[test]
fn content_fields_the_schema_requires() {
    let cases = [
        ("text", json!({"body": 42}), ".text.body: expected a string, found a number"),
        ("text", json!("hi"), ".text: expected an object, found a string"),
        ("image", json!({"mime_type": "image/jpeg"}), ".image.id: missing"),
        ("location", json!({"latitude": "north"}), ".location.latitude: expected degrees as a number"),
        ("reaction", json!({"emoji": "👍"}), ".reaction.message_id: missing"),
        (
            "interactive",
            json!({"type": "list_reply", "list_reply": {"id": "row-1"}}),
            ".interactive.list_reply.title: missing",
        ),
        (
            "order",
            json!({"catalog_id": "1", "product_items": [{"product_retailer_id": "A", "quantity": 2, "item_price": "12,50", "currency": "EUR"}]}),
            ".order.product_items[0].item_price: `12,50` is not a price in EUR that fits in minor units",
        ),
        (
            "order",
            json!({"catalog_id": "1", "product_items": [{"product_retailer_id": "A", "quantity": 3_000_000_000_u64, "item_price": 1, "currency": "EUR"}]}),
            ".order.product_items[0].quantity: 3000000000 is out of the 32-bit range",
        ),
    ];
    for (kind, object, want) in cases {
        let err = error_of(&text_with(|m| {
            m.remove("text");
            m.insert("type".into(), json!(kind));
            m.insert(kind.into(), object.clone());
        }));
        assert_eq!(
            err.to_string(),
            format!("{MESSAGE}{want}"),
            "{kind} {object}"
        );
    }
}

#[test]
fn too_many_events() {
    let message = json!({"from": "85291234567", "id": "wamid.A", "timestamp": "1780041600",
        "type": "text", "text": {"body": "hi"}});
    let messages = vec![message; MAX_EVENTS + 1];
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
        {"field": "messages", "value": {"messages": messages}}]}]});
    let body = serde_json::to_vec(&body).expect("serializes");
    let err = error_of(&body);
    assert_eq!(
        err.to_string(),
        format!("entry[0].changes[0].value.messages[{MAX_EVENTS}]: the body maps to more than {MAX_EVENTS} events")
    );
}
