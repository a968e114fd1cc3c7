//! Every payload type of `behavior_event.avsc`, built as JSON, turned into an Avro value by
//! scrm-schema, decoded directly and after the codec, every field checked.

mod common;

use common::{assert_envelope, decode, envelope};
use scrm_events::*;
use serde_json::json;

fn payload(json: serde_json::Value, kind: &str) -> Payload {
    let event = decode(InputTopic::Behavior, &envelope(json));
    assert_envelope(&event);
    assert_eq!(event.kind(), kind);
    assert_eq!(event.topic(), InputTopic::Behavior);
    event.payload
}

#[test]
fn link_click_with_every_field() {
    let p = payload(
        json!({"LinkClick": {"url": "https://shop.example/p/SKU-1?utm=wa", "sku": "SKU-1", "campaign": "11.11", "trigger_id": "trg-9"}}),
        "link_click",
    );
    assert_eq!(
        p,
        Payload::LinkClick(LinkClick {
            url: "https://shop.example/p/SKU-1?utm=wa".into(),
            sku: Some("SKU-1".into()),
            campaign: Some("11.11".into()),
            trigger_id: Some("trg-9".into()),
        })
    );
}

#[test]
fn link_click_with_url_only() {
    let p = payload(
        json!({"LinkClick": {"url": "https://shop.example/"}}),
        "link_click",
    );
    assert_eq!(
        p,
        Payload::LinkClick(LinkClick {
            url: "https://shop.example/".into(),
            sku: None,
            campaign: None,
            trigger_id: None,
        })
    );
}

#[test]
fn product_views() {
    let p = payload(
        json!({"ProductView": {"sku": "SKU-2", "product_name": "Sérum", "price_minor": 4990, "currency": "EUR"}}),
        "product_view",
    );
    assert_eq!(
        p,
        Payload::ProductView(ProductView {
            sku: "SKU-2".into(),
            product_name: Some("Sérum".into()),
            price_minor: Some(4990),
            currency: Some("EUR".into()),
        })
    );
    let p = payload(json!({"ProductView": {"sku": "SKU-3"}}), "product_view");
    assert_eq!(
        p,
        Payload::ProductView(ProductView {
            sku: "SKU-3".into(),
            product_name: None,
            price_minor: None,
            currency: None,
        })
    );
}

#[test]
fn add_to_cart() {
    let p = payload(
        json!({"AddToCart": {"sku": "SKU-4", "quantity": 3, "unit_price_minor": 15900, "currency": "TWD"}}),
        "add_to_cart",
    );
    assert_eq!(
        p,
        Payload::AddToCart(AddToCart {
            sku: "SKU-4".into(),
            quantity: 3,
            unit_price_minor: 15_900,
            currency: "TWD".into(),
        })
    );
}

#[test]
fn add_to_cart_extremes() {
    let p = payload(
        json!({"AddToCart": {"sku": "", "quantity": i32::MIN, "unit_price_minor": i64::MAX, "currency": "BRL"}}),
        "add_to_cart",
    );
    assert_eq!(
        p,
        Payload::AddToCart(AddToCart {
            sku: String::new(),
            quantity: i32::MIN,
            unit_price_minor: i64::MAX,
            currency: "BRL".into(),
        })
    );
}

#[test]
fn quiz_answer() {
    let p = payload(
        json!({"QuizAnswer": {"quiz_id": "skin", "question_id": "type", "answer": "peau mixte"}}),
        "quiz_answer",
    );
    assert_eq!(
        p,
        Payload::QuizAnswer(QuizAnswer {
            quiz_id: "skin".into(),
            question_id: "type".into(),
            answer: "peau mixte".into(),
        })
    );
}

#[test]
fn store_visits() {
    let p = payload(
        json!({"StoreVisit": {"store_id": "hk-central", "store_name": "Central"}}),
        "store_visit",
    );
    assert_eq!(
        p,
        Payload::StoreVisit(StoreVisit {
            store_id: "hk-central".into(),
            store_name: Some("Central".into()),
        })
    );
    let p = payload(
        json!({"StoreVisit": {"store_id": "sp-paulista"}}),
        "store_visit",
    );
    assert_eq!(
        p,
        Payload::StoreVisit(StoreVisit {
            store_id: "sp-paulista".into(),
            store_name: None,
        })
    );
}

#[test]
fn a_behavior_value_is_not_a_conversation_event() {
    let value = common::value_of(
        InputTopic::Behavior,
        &envelope(json!({"QuizAnswer": {"quiz_id": "q", "question_id": "k", "answer": "a"}})),
    );
    let err = Event::from_avro(InputTopic::Conversation, &value).unwrap_err();
    assert_eq!(
        err.to_string(),
        "payload: no branch of InboundMessage, OutboundMessage, DeliveryStatus, AgentHandoff, \
         MessageNotSent, MediaStored, BusinessCapabilityUpdate fits a record with fields (quiz_id, question_id, answer) at union index 3"
    );
}
