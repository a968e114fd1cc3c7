//! What every test here checks about a mapped event: that scrm itself accepts it. The
//! event's JSON goes through the same path as a `scrm produce` line
//! (`scrm_schema::json::json_to_avro` with the current `ConversationEvent` schema), then
//! through the processor's decoder (`scrm_events::Event::from_avro`), and the typed event
//! must agree with the key fields the gateway reads from [`Mapped`].

#![allow(dead_code)] // each test crate uses its own part of this module

use std::sync::OnceLock;

use scrm_events::{
    BusinessCapabilityUpdate, Content, DeliveryStatus, Event, InboundMessage, InputTopic, Payload,
};
use scrm_schema::json::{json_to_avro, Names};
use scrm_schema::{Catalog, Schema};
use scrm_whatsapp_webhook::{fixtures, parse, Mapped, MappedKind, Parsed, BUSINESS_KEY, SOURCE};

/// Receive time handed to `parse` in tests: 2026-05-29T09:00:00.123Z.
pub(crate) const RECEIVED_AT_MS: i64 = 1_780_045_200_123;

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<&'static Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        &Catalog::embedded()
            .current("scrm.conversation.ConversationEvent")
            .expect("the embedded catalog has ConversationEvent")
            .schema
    })
}

/// The mapped event as scrm decodes it, or why scrm would reject it.
pub(crate) fn try_validate(mapped: &Mapped) -> Result<Event, String> {
    let schema = schema();
    let names = Names::of(schema);
    let value = json_to_avro(schema, &names, &mapped.json).map_err(|e| e.to_string())?;
    let event = Event::from_avro(InputTopic::Conversation, &value).map_err(|e| e.to_string())?;
    let agrees = event.event_id == mapped.event_id
        && event.customer == mapped.customer
        && event.occurred_at_ms == mapped.occurred_at_ms
        && event.source == SOURCE
        && mapped.broadcast == (mapped.customer == BUSINESS_KEY)
        && matches!(
            (&event.payload, mapped.kind),
            (Payload::Inbound(_), MappedKind::Message)
                | (Payload::Status(_), MappedKind::Status)
                | (Payload::Capability(_), MappedKind::Capability)
        );
    if agrees {
        Ok(event)
    } else {
        Err(format!(
            "key fields disagree with the record: {mapped:?} vs {event:?}"
        ))
    }
}

/// The mapped event as scrm decodes it; fails the test if scrm would reject it.
pub(crate) fn validate(mapped: &Mapped) -> Event {
    try_validate(mapped).unwrap_or_else(|e| panic!("invalid event {}: {e}", mapped.json))
}

/// The fixture `name`, parsed.
pub(crate) fn parse_fixture(name: &str) -> Parsed {
    let body = fixtures::get(name).unwrap_or_else(|| panic!("no fixture {name}"));
    parse(body.as_bytes(), RECEIVED_AT_MS).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// The events of fixture `name`, validated.
pub(crate) fn events(name: &str) -> Vec<Event> {
    parse_fixture(name).events.iter().map(validate).collect()
}

/// The one event of fixture `name`, validated.
pub(crate) fn only_event(name: &str) -> Event {
    let mut events = events(name);
    assert_eq!(events.len(), 1, "fixture {name} should map to one event");
    events.remove(0)
}

/// The inbound message of an event.
pub(crate) fn inbound(event: &Event) -> &InboundMessage {
    match &event.payload {
        Payload::Inbound(message) => message,
        other => panic!("expected an inbound message, found {other:?}"),
    }
}

/// The content of the one inbound message of fixture `name`, with the event.
pub(crate) fn content_of(name: &str) -> (Event, Content) {
    let event = only_event(name);
    let content = inbound(&event).content.clone();
    (event, content)
}

/// The delivery status of an event.
pub(crate) fn status(event: &Event) -> &DeliveryStatus {
    match &event.payload {
        Payload::Status(status) => status,
        other => panic!("expected a delivery status, found {other:?}"),
    }
}

/// The capability update of an event.
pub(crate) fn capability(event: &Event) -> &BusinessCapabilityUpdate {
    match &event.payload {
        Payload::Capability(update) => update,
        other => panic!("expected a capability update, found {other:?}"),
    }
}
