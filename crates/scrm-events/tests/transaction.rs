//! Every payload type of `transaction_event.avsc`, built as JSON, turned into an Avro value
//! by scrm-schema, decoded directly and after the codec, every field checked.

mod common;

use common::{assert_envelope, decode, envelope, T0};
use scrm_events::*;
use serde_json::json;

fn payload(json: serde_json::Value, kind: &str) -> Payload {
    let event = decode(InputTopic::Transaction, &envelope(json));
    assert_envelope(&event);
    assert_eq!(event.kind(), kind);
    assert_eq!(event.topic(), InputTopic::Transaction);
    assert!(event.payload.order_id().is_some());
    event.payload
}

#[test]
fn order_placed_with_every_field() {
    let p = payload(
        json!({"OrderPlaced": {
            "order_id": "HK-1001",
            "lines": [
                {"sku": "SKU-1", "name": "Lip balm", "quantity": 2, "unit_price_minor": 8900},
                {"sku": "SKU-2", "quantity": 1, "unit_price_minor": 25000},
            ],
            "total_minor": 40800, "currency": "HKD", "payment_method": "FPS", "discount_code": "WA10",
        }}),
        "order_placed",
    );
    assert_eq!(
        p,
        Payload::OrderPlaced(OrderPlaced {
            order_id: "HK-1001".into(),
            lines: vec![
                OrderLine {
                    sku: "SKU-1".into(),
                    name: Some("Lip balm".into()),
                    quantity: 2,
                    unit_price_minor: 8900,
                },
                OrderLine {
                    sku: "SKU-2".into(),
                    name: None,
                    quantity: 1,
                    unit_price_minor: 25_000,
                },
            ],
            total_minor: 40_800,
            currency: "HKD".into(),
            payment_method: PaymentMethod::Fps,
            discount_code: Some("WA10".into()),
        })
    );
    assert_eq!(p.order_id(), Some("HK-1001"));
}

#[test]
fn order_placed_without_lines_or_code() {
    let p = payload(
        json!({"OrderPlaced": {"order_id": "o", "lines": [], "total_minor": 0, "currency": "BRL", "payment_method": "PIX"}}),
        "order_placed",
    );
    assert_eq!(
        p,
        Payload::OrderPlaced(OrderPlaced {
            order_id: "o".into(),
            lines: vec![],
            total_minor: 0,
            currency: "BRL".into(),
            payment_method: PaymentMethod::Pix,
            discount_code: None,
        })
    );
}

#[test]
fn order_paid_with_every_payment_method() {
    let methods = [
        PaymentMethod::Card,
        PaymentMethod::CashOnDelivery,
        PaymentMethod::BankTransfer,
        PaymentMethod::Wallet,
        PaymentMethod::Pix,
        PaymentMethod::Fps,
        PaymentMethod::Other,
    ];
    assert_eq!(PaymentMethod::SYMBOLS.len(), methods.len());
    for (symbol, method) in PaymentMethod::SYMBOLS.iter().zip(methods) {
        let p = payload(
            json!({"OrderPaid": {"order_id": "FR-7", "amount_minor": 12990, "currency": "EUR", "payment_method": symbol}}),
            "order_paid",
        );
        assert_eq!(
            p,
            Payload::OrderPaid(OrderPaid {
                order_id: "FR-7".into(),
                amount_minor: 12_990,
                currency: "EUR".into(),
                payment_method: method,
            })
        );
        assert_eq!(PaymentMethod::from_symbol(symbol), Some(method));
    }
}

#[test]
fn order_shipped() {
    let p = payload(
        json!({"OrderShipped": {
            "order_id": "BR-3", "carrier": "Correios", "tracking_number": "QB123456789BR",
            "tracking_url": "https://rastreamento.correios.example/QB123456789BR",
            "eta": T0 + 172_800_000,
        }}),
        "order_shipped",
    );
    assert_eq!(
        p,
        Payload::OrderShipped(OrderShipped {
            order_id: "BR-3".into(),
            carrier: "Correios".into(),
            tracking_number: "QB123456789BR".into(),
            tracking_url: Some("https://rastreamento.correios.example/QB123456789BR".into()),
            eta_ms: Some(T0 + 172_800_000),
        })
    );
    let p = payload(
        json!({"OrderShipped": {"order_id": "BR-4", "carrier": "Loggi", "tracking_number": "L1", "eta": "2026-11-04T14:05:00.123Z"}}),
        "order_shipped",
    );
    assert_eq!(
        p,
        Payload::OrderShipped(OrderShipped {
            order_id: "BR-4".into(),
            carrier: "Loggi".into(),
            tracking_number: "L1".into(),
            tracking_url: None,
            eta_ms: Some(T0 + 172_800_000),
        })
    );
}

#[test]
fn order_delivered() {
    let p = payload(
        json!({"OrderDelivered": {"order_id": "TW-9"}}),
        "order_delivered",
    );
    assert_eq!(
        p,
        Payload::OrderDelivered(OrderDelivered {
            order_id: "TW-9".into()
        })
    );
}

#[test]
fn order_returned() {
    let p = payload(
        json!({"OrderReturned": {"order_id": "FR-8", "skus": ["SKU-1", "SKU-1", "SKU-5"], "reason": "trop petit", "refund_minor": 3980}}),
        "order_returned",
    );
    assert_eq!(
        p,
        Payload::OrderReturned(OrderReturned {
            order_id: "FR-8".into(),
            skus: vec!["SKU-1".into(), "SKU-1".into(), "SKU-5".into()],
            reason: Some("trop petit".into()),
            refund_minor: Some(3980),
        })
    );
    let p = payload(
        json!({"OrderReturned": {"order_id": "FR-9", "skus": []}}),
        "order_returned",
    );
    assert_eq!(
        p,
        Payload::OrderReturned(OrderReturned {
            order_id: "FR-9".into(),
            skus: vec![],
            reason: None,
            refund_minor: None,
        })
    );
}
