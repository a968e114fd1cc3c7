//! Property tests: `parse` never panics, and whatever it maps is an event scrm accepts.
//!
//! Three sources of bodies: (a) arbitrary bytes; (b) arbitrary JSON, both bare and inside
//! a valid `entry[].changes[]` frame so the walk reaches the per-field code, drawn from a
//! vocabulary of the webhook's own keys and values; (c) the fixtures with random
//! mutations: a key deleted, a value replaced by another JSON type, the body cut at a
//! random byte. Cases per property: `PROPTEST_CASES` (default 256), so CI can bound the
//! time.

mod common;

use common::try_validate;
use proptest::prelude::*;
use proptest::sample::Index;
use scrm_whatsapp_webhook::{fixtures, parse, Parsed};
use serde_json::{json, Map, Value};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Every event of an `Ok` must pass the schema and the decoder.
fn check(result: Result<Parsed, scrm_whatsapp_webhook::ParseError>) -> Result<(), TestCaseError> {
    if let Ok(parsed) = result {
        for mapped in &parsed.events {
            if let Err(e) = try_validate(mapped) {
                return Err(TestCaseError::fail(format!(
                    "invalid event {}: {e}",
                    mapped.json
                )));
            }
        }
    }
    Ok(())
}

const KEYS: &[&str] = &[
    "object",
    "entry",
    "id",
    "time",
    "changes",
    "field",
    "value",
    "metadata",
    "phone_number_id",
    "contacts",
    "profile",
    "name",
    "wa_id",
    "user_id",
    "messages",
    "from",
    "from_user_id",
    "timestamp",
    "type",
    "text",
    "body",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "mime_type",
    "sha256",
    "caption",
    "filename",
    "location",
    "latitude",
    "longitude",
    "address",
    "formatted_name",
    "phones",
    "phone",
    "interactive",
    "button_reply",
    "list_reply",
    "title",
    "description",
    "button",
    "payload",
    "reaction",
    "message_id",
    "emoji",
    "order",
    "catalog_id",
    "product_items",
    "product_retailer_id",
    "quantity",
    "item_price",
    "currency",
    "context",
    "statuses",
    "status",
    "recipient_id",
    "recipient_user_id",
    "recipient_type",
    "errors",
    "code",
    "message",
    "pricing",
    "category",
    "conversation",
    "biz_opaque_callback_data",
    "max_daily_conversations_per_business",
    "max_daily_conversation_per_phone",
    "max_phone_numbers_per_waba",
    "max_phone_numbers_per_business",
];

const WORDS: &[&str] = &[
    "whatsapp_business_account",
    "messages",
    "business_capability_update",
    "text",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "location",
    "contacts",
    "interactive",
    "button_reply",
    "list_reply",
    "button",
    "reaction",
    "order",
    "unsupported",
    "system",
    "sent",
    "delivered",
    "read",
    "failed",
    "played",
    "group",
    "individual",
    "1780041600",
    "-1",
    "TIER_2K",
    "TIER_UNLIMITED",
    "TIER_",
    "85291234567",
    "+",
    "HK.4419760813562790",
    "BRL",
    "JPY",
    "KWD",
    "89.9",
    "1e400",
    "-0.5",
    "",
    "有冇折扣?",
    "wamid.HBgL",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1i64..3_000_000_000).prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)), // NaN and infinities become null
        prop::sample::select(WORDS).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|members| {
                Value::Object(
                    members
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

/// JSON pointers of every node below the root, in document order.
fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(members) => {
            for (k, v) in members {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(v, &p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(v, &p, out);
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(Index),
    Replace(Index, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<Index>().prop_map(Mutation::Delete),
        (any::<Index>(), leaf()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        (any::<Index>(), json_value()).prop_map(|(i, v)| Mutation::Replace(i, v)),
    ]
}

fn apply(body: &mut Value, mutation: &Mutation) {
    let mut all = Vec::new();
    pointers(body, "", &mut all);
    if all.is_empty() {
        return;
    }
    match mutation {
        Mutation::Replace(at, new) => replace_at(body, &all[at.index(all.len())], new.clone()),
        Mutation::Delete(at) => delete_at(body, &all[at.index(all.len())]),
    }
}

fn replace_at(body: &mut Value, pointer: &str, new: Value) {
    if let Some(node) = body.pointer_mut(pointer) {
        *node = new;
    }
}

fn delete_at(body: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let key = last.replace("~1", "/").replace("~0", "~");
    match body.pointer_mut(parent) {
        Some(Value::Object(members)) => {
            members.remove(&key);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = key.parse::<usize>() {
                if i < items.len() {
                    items.remove(i);
                }
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes(body in prop::collection::vec(any::<u8>(), 0..2048), at in any::<i64>()) {
        check(parse(&body, at))?;
    }

    #[test]
    fn arbitrary_json(value in json_value()) {
        check(parse(&serde_json::to_vec(&value).unwrap_or_default(), 0))?;
    }

    #[test]
    fn arbitrary_json_in_a_valid_frame(
        field in prop::sample::select(&["messages", "business_capability_update", "other"][..]),
        entry_id in leaf(),
        time in leaf(),
        value in json_value(),
    ) {
        let body = json!({"object": "whatsapp_business_account", "entry": [
            {"id": entry_id, "time": time, "changes": [{"field": field, "value": value}]}]});
        check(parse(&serde_json::to_vec(&body).unwrap_or_default(), 1_780_045_200_123))?;
    }

    #[test]
    fn arbitrary_messages_and_statuses(
        messages in prop::collection::vec(json_value(), 0..4),
        statuses in prop::collection::vec(json_value(), 0..4),
        contacts in json_value(),
    ) {
        let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "1",
            "changes": [{"field": "messages", "value": {
                "contacts": contacts, "messages": messages, "statuses": statuses}}]}]});
        check(parse(&serde_json::to_vec(&body).unwrap_or_default(), 0))?;
    }

    #[test]
    fn mutated_fixtures(
        fixture in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..5),
        cut in prop::option::weighted(0.2, any::<Index>()),
    ) {
        let (_, text) = fixtures::ALL[fixture.index(fixtures::ALL.len())];
        let mut body: Value = serde_json::from_str(text).unwrap_or_default();
        for m in &mutations {
            apply(&mut body, m);
        }
        let mut bytes = serde_json::to_vec(&body).unwrap_or_default();
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        check(parse(&bytes, 1_780_045_200_123))?;
    }
}

/// The mutations above do reach the mapping: most single deletions from a fixture still
/// map, so `check` sees events, not only errors. Every one of them is checked here too,
/// deterministically, with every other JSON type in place of every value.
#[test]
fn every_single_mutation_of_every_fixture() {
    let replacements = [
        json!(null),
        json!(true),
        json!(-1),
        json!(2.5),
        json!(3_000_000_000_i64),
        json!(i64::MAX),
        json!(""),
        json!("x"),
        json!("1780041600"),
        json!([]),
        json!({}),
    ];
    let (mut mapped, mut deletions) = (0, 0);
    for (name, text) in fixtures::ALL {
        let original: Value = serde_json::from_str(text).unwrap_or_default();
        let mut all = Vec::new();
        pointers(&original, "", &mut all);
        for pointer in &all {
            let mut bodies = Vec::new();
            let mut deleted = original.clone();
            delete_at(&mut deleted, pointer);
            bodies.push(deleted);
            for new in &replacements {
                let mut replaced = original.clone();
                replace_at(&mut replaced, pointer, new.clone());
                bodies.push(replaced);
            }
            for (i, body) in bodies.iter().enumerate() {
                let result = parse(&serde_json::to_vec(body).unwrap_or_default(), 0);
                if let Err(e) = check(result.clone()) {
                    panic!("{name} {pointer} mutation {i}: {e}");
                }
                if i == 0 {
                    deletions += 1;
                    mapped += usize::from(result.is_ok_and(|p| !p.events.is_empty()));
                }
            }
        }
    }
    assert!(
        mapped * 2 > deletions,
        "{mapped} of {deletions} deletions mapped"
    );
}
