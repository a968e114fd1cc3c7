//! The entry point: a webhook body in, scrm `ConversationEvent`s out.
//!
//! A body is `{"object": "whatsapp_business_account", "entry": [...]}`; each entry (one
//! WhatsApp Business Account) has `changes`, each change a `field` naming what changed and
//! a `value`. `messages` changes carry inbound messages ([`crate::messages`]) and delivery
//! statuses ([`crate::statuses`]); `business_capability_update` changes carry the
//! messaging limit ([`crate::capability`]). Other fields (template reviews, quality
//! updates, account alerts...) are not events of scrm: their names go to
//! [`Parsed::ignored`] so the gateway can count them.
//!
//! The walk is all-or-nothing: one malformed message fails the body with a
//! [`ParseError`] naming its path, so the gateway can keep the raw body as a dead letter
//! and replay it whole once the cause is fixed, instead of half of it landing.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::capability::capability;
use crate::contacts::contacts;
use crate::messages::{business_number, message};
use crate::read::{as_object, member, req_array, req_str, ParseError, Path, Read};
use crate::statuses::{status, Status};

/// The `source` of every event this crate maps.
pub const SOURCE: &str = "whatsapp-webhook";

/// The customer key of business-wide events (`scrm_events::BUSINESS_KEY`).
pub const BUSINESS_KEY: &str = "@business";

/// The most events one body may map to; a body with more fails with a [`ParseError`].
/// Meta batches up to a few hundred; the bound keeps a forged body from costing unbounded
/// memory downstream. `ignored` is capped at the same number, silently.
pub const MAX_EVENTS: usize = 10_000;

/// What a webhook body maps to.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Parsed {
    /// The events, in body order: entries, their changes, and in each `messages` change
    /// the messages before the statuses.
    pub events: Vec<Mapped>,
    /// What was received but not mapped: change fields scrm does not use
    /// (`message_template_status_update`) and skipped statuses of a `messages` change, as
    /// `statuses[<i>].status=<status>` or `statuses[<i>].recipient_type=<type>`. The part
    /// before the first `[` names the kind, for a metric label.
    pub ignored: Vec<String>,
}

/// Which payload an event has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MappedKind {
    /// `InboundMessage`: a message a customer sent.
    Message,
    /// `DeliveryStatus`: a status of a message the business sent.
    Status,
    /// `BusinessCapabilityUpdate`: the business's limits changed.
    Capability,
}

impl MappedKind {
    /// Stable snake_case name, for metric labels: `message`, `status` or `capability`.
    pub fn as_str(self) -> &'static str {
        match self {
            MappedKind::Message => "message",
            MappedKind::Status => "status",
            MappedKind::Capability => "capability",
        }
    }
}

/// One scrm event: the JSON record as `scrm produce` takes it, and its key fields for the
/// gateway (partitioning, dedupe, logs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mapped {
    /// The Kafka key: E.164 number, BSUID, or [`BUSINESS_KEY`].
    pub customer: String,
    /// Unique per event: the wamid for messages, `{wamid}:{status}:{timestamp}` for
    /// statuses, `capability:{waba_id}:{time}` for capability updates.
    pub event_id: String,
    /// Event time, UTC milliseconds.
    pub occurred_at_ms: i64,
    /// Business-wide: the gateway writes a copy to every partition.
    pub broadcast: bool,
    /// Which payload the event has.
    pub kind: MappedKind,
    /// Where in the body its time was read (`entry[0].changes[0].value.messages[0].timestamp`),
    /// empty when the body carries none and the time received stands in.
    pub time_at: String,
    /// The `scrm.conversation.ConversationEvent` record as JSON: `event_id`, `customer`,
    /// `occurred_at` (epoch milliseconds), `source` and `payload` (`{"<Record>": {...}}`).
    pub json: Value,
}

/// The `ConversationEvent` JSON of one event.
pub(crate) fn envelope(
    event_id: &str,
    customer: &str,
    occurred_at_ms: i64,
    payload: Value,
) -> Value {
    json!({
        "event_id": event_id,
        "customer": customer,
        "occurred_at": occurred_at_ms,
        "source": SOURCE,
        "payload": payload,
    })
}

/// Maps a webhook POST body to scrm events. `received_at_ms` (UTC milliseconds) dates
/// events whose body carries no time of its own.
///
/// Check the signature first ([`verify_signature`](crate::verify_signature)): this
/// trusts the body's content, not its shape. Never panics, whatever the bytes.
///
/// ```
/// use scrm_whatsapp_webhook::{parse, MappedKind};
///
/// let body = r#"{"object": "whatsapp_business_account", "entry": [{"id": "102290129340398",
///   "changes": [{"field": "messages", "value": {
///     "messaging_product": "whatsapp",
///     "metadata": {"display_phone_number": "85230012345", "phone_number_id": "106540352242922"},
///     "contacts": [{"profile": {"name": "Camille"}, "wa_id": "33612345678"}],
///     "messages": [{"from": "33612345678", "id": "wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQzQTg5QkM0RjE2QTdEMjk1RTAzNwA=",
///       "timestamp": "1780041600", "type": "text", "text": {"body": "Avez-vous une réduction ?"}}]}}]}]}"#;
/// let parsed = parse(body.as_bytes(), 1_780_041_601_000)?;
/// let event = &parsed.events[0];
/// assert_eq!(event.kind, MappedKind::Message);
/// assert_eq!(event.customer, "+33612345678");
/// assert_eq!(event.occurred_at_ms, 1_780_041_600_000);
/// assert_eq!(
///     event.json["payload"]["InboundMessage"]["content"]["TextContent"]["body"],
///     "Avez-vous une réduction ?"
/// );
/// # Ok::<(), scrm_whatsapp_webhook::ParseError>(())
/// ```
pub fn parse(body: &[u8], received_at_ms: i64) -> Result<Parsed, ParseError> {
    let root: Value = serde_json::from_slice(body).map_err(|e| ParseError {
        path: String::new(),
        reason: e.to_string(),
    })?;
    let path = Path::ROOT;
    let root = as_object(&root, &path)?;
    let object = req_str(root, "object", &path)?;
    if object != "whatsapp_business_account" {
        return Err(ParseError::at(
            &path.key("object"),
            format!(
                "expected `whatsapp_business_account`, found `{}`",
                crate::read::clip(object)
            ),
        ));
    }
    let mut out = Parsed::default();
    let entries_at = path.key("entry");
    for (i, entry) in req_array(root, "entry", &path)?.iter().enumerate() {
        let entry_at = entries_at.index(i);
        let entry = as_object(entry, &entry_at)?;
        let changes_at = entry_at.key("changes");
        for (j, change) in req_array(entry, "changes", &entry_at)?.iter().enumerate() {
            let change_at = changes_at.index(j);
            let change = as_object(change, &change_at)?;
            let field = req_str(change, "field", &change_at)?;
            let value_at = change_at.key("value");
            let value =
                member(change, "value").ok_or_else(|| ParseError::at(&value_at, "missing"))?;
            match field {
                "messages" => messages_change(as_object(value, &value_at)?, &value_at, &mut out)?,
                "business_capability_update" => {
                    let value = as_object(value, &value_at)?;
                    let event = capability(entry, &entry_at, value, &value_at, received_at_ms)?;
                    push(&mut out, event, &change_at)?;
                }
                other => ignore(&mut out, other.to_owned()),
            }
        }
    }
    Ok(out)
}

/// The messages, then the statuses, of one `messages` change.
fn messages_change(value: &Map<String, Value>, path: &Path<'_>, out: &mut Parsed) -> Read<()> {
    let contacts = contacts(value, path)?;
    let business_number = business_number(value, path)?;
    let messages_at = path.key("messages");
    let messages = match member(value, "messages") {
        Some(messages) => crate::read::as_array(messages, &messages_at)?,
        None => &[],
    };
    for (i, msg) in messages.iter().enumerate() {
        let at = messages_at.index(i);
        let event = message(msg, &contacts, business_number, &at)?;
        push(out, event, &at)?;
    }
    let statuses_at = path.key("statuses");
    let statuses = match member(value, "statuses") {
        Some(statuses) => crate::read::as_array(statuses, &statuses_at)?,
        None => &[],
    };
    for (i, entry) in statuses.iter().enumerate() {
        let at = statuses_at.index(i);
        match status(entry, &contacts, &at)? {
            Status::Mapped(event) => push(out, *event, &at)?,
            Status::Skipped(why) => ignore(out, format!("statuses[{i}].{why}")),
        }
    }
    Ok(())
}

fn push(out: &mut Parsed, event: Mapped, path: &Path<'_>) -> Read<()> {
    if out.events.len() >= MAX_EVENTS {
        return Err(ParseError::at(
            path,
            format!("the body maps to more than {MAX_EVENTS} events"),
        ));
    }
    out.events.push(event);
    Ok(())
}

fn ignore(out: &mut Parsed, what: String) {
    if out.ignored.len() < MAX_EVENTS {
        out.ignored.push(what);
    }
}
