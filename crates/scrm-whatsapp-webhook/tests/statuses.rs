//! Delivery statuses and capability updates map to events scrm accepts, with the ids that
//! make Meta's retries dedupe.

mod common;

use common::{capability, events, only_event, parse_fixture, status, RECEIVED_AT_MS};
use scrm_events::{DeliveryState, DeliveryStatus};
use scrm_whatsapp_webhook::{fixtures, parse, MappedKind, BUSINESS_KEY};

#[test]
fn sent_with_its_trigger_and_pricing() {
    let event = only_event("status_sent");
    let wamid = "wamid.HBgLODUyOTEyMzQ1NjcVAgASGBRBREExNjUzRDMxMjk5NkVBMTRFNgA=";
    assert_eq!(event.event_id, format!("{wamid}:sent:1780042500"));
    assert_eq!(event.customer, "+85291234567");
    assert_eq!(event.occurred_at_ms, 1_780_042_500_000);
    assert_eq!(
        status(&event),
        &DeliveryStatus {
            wamid: wamid.into(),
            status: DeliveryState::Sent,
            error_code: None,
            error_title: None,
            pricing_category: Some("marketing".into()),
            conversation_id: Some("d54849e0b4742fbb32b68284da396296".into()),
            trigger_id: Some("trg-01JW3Z8K3Q-cart-reminder".into()),
        }
    );
}

#[test]
fn the_event_is_a_scrm_produce_line() {
    let parsed = parse_fixture("status_sent");
    assert_eq!(
        parsed.events[0].json,
        serde_json::json!({
            "event_id": "wamid.HBgLODUyOTEyMzQ1NjcVAgASGBRBREExNjUzRDMxMjk5NkVBMTRFNgA=:sent:1780042500",
            "customer": "+85291234567",
            "occurred_at": 1_780_042_500_000_i64,
            "source": "whatsapp-webhook",
            "payload": {"DeliveryStatus": {
                "wamid": "wamid.HBgLODUyOTEyMzQ1NjcVAgASGBRBREExNjUzRDMxMjk5NkVBMTRFNgA=",
                "status": "SENT",
                "error_code": null,
                "error_title": null,
                "pricing_category": "marketing",
                "conversation_id": "d54849e0b4742fbb32b68284da396296",
                "trigger_id": "trg-01JW3Z8K3Q-cart-reminder",
            }},
        })
    );
}

#[test]
fn delivered_and_read() {
    let delivered = only_event("status_delivered");
    assert_eq!(delivered.customer, "+886912345678");
    assert_eq!(status(&delivered).status, DeliveryState::Delivered);
    assert_eq!(
        status(&delivered).pricing_category.as_deref(),
        Some("utility")
    );
    assert!(delivered.event_id.ends_with(":delivered:1780042505"));

    let read = only_event("status_read");
    assert_eq!(read.customer, "+33612345678");
    assert_eq!(status(&read).status, DeliveryState::Read);
    assert_eq!(
        status(&read).wamid,
        "wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQ3MDQwQzhGRDQ0QjBGMzVEMkY2QgA="
    );
    assert_eq!(status(&read).trigger_id, None);
}

#[test]
fn failed_with_the_cloud_api_error() {
    let event = only_event("status_failed");
    assert_eq!(event.customer, "+5511987654321");
    assert_eq!(
        status(&event),
        &DeliveryStatus {
            wamid: "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFEU4NzA1NjExOTA0MDUxQUQ2NzU1AA==".into(),
            status: DeliveryState::Failed,
            error_code: Some(131_026),
            error_title: Some("Message undeliverable".into()),
            pricing_category: None,
            conversation_id: None,
            trigger_id: Some("trg-01JW3Z9B7M-back-in-stock".into()),
        }
    );
    // Without a title, the message stands in.
    let body = fixtures::get("status_failed").unwrap_or_default().replacen(
        "\"title\": \"Message undeliverable\",",
        "",
        1,
    );
    let event = common::validate(&parse(body.as_bytes(), 0).expect("parses").events[0]);
    assert_eq!(
        status(&event).error_title.as_deref(),
        Some("Message undeliverable")
    );
}

#[test]
fn a_batch_of_statuses_keeps_each_and_skips_what_scrm_does_not_track() {
    let parsed = parse_fixture("statuses_batch");
    assert_eq!(parsed.ignored, ["statuses[3].status=played"]);
    let events = events("statuses_batch");
    let summary: Vec<_> = events
        .iter()
        .map(|e| (e.customer.as_str(), status(e).status, e.occurred_at_ms))
        .collect();
    assert_eq!(
        summary,
        [
            ("+85291234567", DeliveryState::Delivered, 1_780_042_680_000),
            ("+85291234567", DeliveryState::Read, 1_780_042_740_000),
            // Sent to a user who hides their number: only recipient_user_id.
            (
                "HK.8830571946023417",
                DeliveryState::Delivered,
                1_780_042_750_000
            ),
        ]
    );
    // Same message, two statuses: two events, one conversation.
    assert_ne!(events[0].event_id, events[1].event_id);
    assert_eq!(status(&events[0]).wamid, status(&events[1]).wamid);
    assert_eq!(
        status(&events[0]).conversation_id,
        status(&events[1]).conversation_id
    );
}

#[test]
fn a_retried_status_has_the_same_event_id() {
    let body = fixtures::get("status_sent").unwrap_or_default().as_bytes();
    let first = parse(body, RECEIVED_AT_MS).expect("parses");
    let retry = parse(body, RECEIVED_AT_MS + 60_000).expect("parses");
    assert_eq!(first.events[0].event_id, retry.events[0].event_id);
    assert_eq!(first.events, retry.events);
}

#[test]
fn the_messaging_limit_is_broadcast_to_every_customer() {
    let parsed = parse_fixture("business_capability_update");
    let mapped = &parsed.events[0];
    assert_eq!(mapped.kind, MappedKind::Capability);
    assert_eq!(mapped.kind.as_str(), "capability");
    assert!(mapped.broadcast);
    let event = common::validate(mapped);
    assert_eq!(event.customer, BUSINESS_KEY);
    assert_eq!(event.event_id, "capability:102290129340398:1780043400");
    assert_eq!(event.occurred_at_ms, 1_780_043_400_000);
    let update = capability(&event);
    assert_eq!(update.waba_id, "102290129340398");
    assert_eq!(update.max_daily_conversations, Some(10_000));
    assert_eq!(update.max_phone_numbers_per_waba, Some(25));
    assert_eq!(update.max_phone_numbers_per_business, Some(20));
}

#[test]
fn unlimited_tiers_and_a_missing_time() {
    let body = r#"{"object": "whatsapp_business_account", "entry": [{"id": "102290129340398",
        "changes": [{"field": "business_capability_update", "value": {
            "max_daily_conversation_per_phone": "TIER_UNLIMITED",
            "max_daily_conversations_per_business": -1,
            "max_phone_numbers_per_waba": "2"}}]}]}"#;
    let parsed = parse(body.as_bytes(), RECEIVED_AT_MS).expect("parses");
    let event = common::validate(&parsed.events[0]);
    assert_eq!(event.occurred_at_ms, RECEIVED_AT_MS);
    assert_eq!(
        event.event_id,
        format!("capability:102290129340398:{RECEIVED_AT_MS}")
    );
    let update = capability(&event);
    assert_eq!(update.max_daily_conversations, None);
    assert_eq!(update.max_phone_numbers_per_waba, Some(2));
    assert_eq!(update.max_phone_numbers_per_business, None);

    let tiered = body
        .replace("\"max_daily_conversations_per_business\": -1,", "")
        .replace("TIER_UNLIMITED", "TIER_2K");
    let parsed = parse(tiered.as_bytes(), RECEIVED_AT_MS).expect("parses");
    let event = common::validate(&parsed.events[0]);
    assert_eq!(capability(&event).max_daily_conversations, Some(2000));
}

#[test]
fn other_change_fields_are_ignored_by_name() {
    let body = r#"{"object": "whatsapp_business_account", "entry": [{"id": "1", "time": 1780043400,
        "changes": [
            {"field": "phone_number_quality_update", "value": {"event": "FLAGGED", "current_limit": "TIER_2K"}},
            {"field": "account_alerts", "value": {"entity_type": "WABA"}},
            {"field": "messages", "value": {"messaging_product": "whatsapp", "metadata": {}}}
        ]}]}"#;
    let parsed = parse(body.as_bytes(), 0).expect("parses");
    assert!(parsed.events.is_empty());
    assert_eq!(
        parsed.ignored,
        ["phone_number_quality_update", "account_alerts"]
    );
}
