//! Thousands of realistic events from scrm-gen, of every topic and payload type, decode
//! without error through the real codec, and agree with the JSON they came from.

mod common;

use std::collections::BTreeMap;

use scrm_events::{Content, Event, InputTopic, Payload};
use scrm_schema::Codec;
use serde_json::Value as Json;

fn str_of<'j>(json: &'j Json, key: &str) -> Option<&'j str> {
    json.get(key).and_then(Json::as_str)
}

/// The JSON's own view of the text a person typed, to compare with `InboundMessage::text`.
fn typed_text(content: &Json) -> Option<&str> {
    let (branch, body) = content.as_object()?.iter().next()?;
    match branch.as_str() {
        "TextContent" => str_of(body, "body"),
        "MediaContent" => str_of(body, "caption"),
        "InteractiveReply" => str_of(body, "title"),
        "OrderContent" => str_of(body, "text"),
        _ => None,
    }
}

/// Checks what can be checked generically against the generator's JSON.
fn agree(event: &Event, json: &Json) {
    assert_eq!(Some(event.event_id.as_str()), str_of(json, "event_id"));
    assert_eq!(Some(event.customer.as_str()), str_of(json, "customer"));
    assert_eq!(Some(event.source.as_str()), str_of(json, "source"));
    let (branch, body) = json["payload"]
        .as_object()
        .and_then(|o| o.iter().next())
        .expect("one-key payload");
    let snake: String = branch
        .chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let lower = c.to_ascii_lowercase();
            (c.is_ascii_uppercase() && i > 0)
                .then_some('_')
                .into_iter()
                .chain([lower])
        })
        .collect();
    assert_eq!(event.kind(), snake, "payload {branch}");
    match &event.payload {
        Payload::Inbound(msg) => {
            assert_eq!(Some(msg.wamid.as_str()), str_of(body, "wamid"));
            assert_eq!(msg.phone.as_deref(), str_of(body, "phone"));
            assert_eq!(msg.text(), typed_text(&body["content"]));
        }
        Payload::OrderPlaced(order) => {
            let lines = body["lines"].as_array().expect("lines");
            assert_eq!(order.lines.len(), lines.len());
            for (line, json) in order.lines.iter().zip(lines) {
                assert_eq!(Some(line.sku.as_str()), str_of(json, "sku"));
                assert_eq!(Some(i64::from(line.quantity)), json["quantity"].as_i64());
                assert_eq!(
                    Some(line.unit_price_minor),
                    json["unit_price_minor"].as_i64()
                );
            }
            assert_eq!(Some(order.total_minor), body["total_minor"].as_i64());
            assert_eq!(
                Some(order.payment_method.symbol()),
                str_of(body, "payment_method")
            );
        }
        Payload::CrmFieldsChanged(change) => {
            let fields = body["fields"].as_object().expect("fields");
            assert_eq!(change.fields.len(), fields.len());
            for (k, v) in fields {
                assert_eq!(change.fields[k].as_deref(), v.as_str(), "field {k}");
            }
        }
        _ => {}
    }
    if let Some(order_id) = event.payload.order_id() {
        assert_eq!(Some(order_id), str_of(body, "order_id"));
    }
}

#[test]
fn generated_events_decode_and_agree_with_their_json() {
    let codec = Codec::single_object();
    let cfg = scrm_gen::GenConfig {
        seed: 11,
        customers: 300,
        days: 7,
        ..scrm_gen::GenConfig::default()
    };
    let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut contents: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut topics: BTreeMap<InputTopic, usize> = BTreeMap::new();
    let mut count = 0;
    for generated in scrm_gen::Generator::new(cfg) {
        let topic: InputTopic = generated.topic.base_name().parse().expect("input topic");
        assert_eq!(topic.record_name(), generated.topic.schema_name());
        let value = common::value_of(topic, &generated.json);
        let read_back = common::through_codec(&codec, topic, &value);
        let event = Event::from_avro(topic, &read_back)
            .unwrap_or_else(|e| panic!("{e}\n{:#}", generated.json));
        assert_eq!(event.occurred_at_ms, generated.occurred_at_ms);
        assert_eq!(event.customer, generated.customer);
        assert_eq!(event.topic(), topic);
        agree(&event, &generated.json);
        *kinds.entry(event.kind()).or_default() += 1;
        *topics.entry(topic).or_default() += 1;
        if let Payload::Inbound(msg) = &event.payload {
            *contents.entry(msg.content.kind()).or_default() += 1;
            if let Content::Text { body } = &msg.content {
                assert!(!body.is_empty());
            }
        }
        count += 1;
    }
    assert!(count >= 3_000, "only {count} events");
    assert_eq!(topics.len(), 4, "{topics:?}");
    // Every payload type appears at this size; a generator change that drops one shows.
    // Three are written by scrm's own edge (the sender, the media fetcher and the gateway's
    // business-wide update), not by the shops the generator plays.
    let by_scrm = [
        "message_not_sent",
        "media_stored",
        "business_capability_update",
    ];
    for kind in Payload::KINDS.into_iter().filter(|k| !by_scrm.contains(k)) {
        assert!(
            kinds.contains_key(kind),
            "{kind} never generated: {kinds:?}"
        );
    }
    assert!(contents.len() >= 6, "content types seen: {contents:?}");
}
