//! The CRM commands that follow from state alone, whatever the rules say: the contact's
//! fields kept in sync, a deal when a message shows purchase intent for a catalogued
//! product (won when the product is ordered), a service case for a message of a case
//! intent (a quote request, a complaint), and a note for each media file the customer sent.
//!
//! The contact is a projection of the customer's state ([`contact_fields`]). After every
//! event, timer and scheduled run the processor compares it with what the CRMs were last
//! asked to hold ([`CustomerState::crm`]) and sends only the fields that differ, so a
//! replay or a restart sends nothing twice and a field that changes back is sent again.
//! Rules add fields of their own with `crm_upsert` (a list name, a flag); those are sent
//! as the rule asks and not tracked here.

use std::collections::BTreeMap;

use scrm_events::{Event, Payload};
use scrm_schema::json::format_millis;
use scrm_state::{CustomerState, DealSync};
use scrm_text::Catalogue;

use crate::condition::is_opted_in;
use crate::effects::CrmOp;
use crate::fold::counters;

const DAY: i64 = 86_400_000;

/// What the processor keeps in the CRMs on its own (the pack's `[crm]` and `[[catalogue]]`).
#[derive(Debug, Clone)]
pub struct CrmSettings {
    /// Keep the contact's fields in sync from state.
    pub contact: bool,
    /// The window of `inquiry_frequency` (30 days): inbound messages counted.
    pub inquiry_window_ms: i64,
    /// Intents that show purchase intent: with a catalogued product named, a deal.
    pub deal_intents: Vec<String>,
    /// Case kind → the intent that opens one (`complaint` → `complaint`).
    pub cases: BTreeMap<String, String>,
    /// A note on the contact for each media file the customer sends, with its link.
    pub media_notes: bool,
    /// The products messages are searched for.
    pub catalogue: Catalogue,
    /// The contact field carrying WhatsApp consent (the policy's `opt_in_field`).
    pub opt_in_field: String,
}

impl Default for CrmSettings {
    fn default() -> Self {
        CrmSettings {
            contact: true,
            inquiry_window_ms: 30 * DAY,
            deal_intents: vec!["product_inquiry".to_owned()],
            cases: BTreeMap::from([("complaint".to_owned(), "complaint".to_owned())]),
            media_notes: true,
            catalogue: Catalogue::default(),
            opt_in_field: "whatsapp_opt_in".to_owned(),
        }
    }
}

/// The value a contact field gets from state, by field name; absent fields are not known.
///
/// - `phone`: the E.164 number (the key, or the number linked to a BSUID);
/// - `whatsapp_id`: the BSUID, when known;
/// - `name`: the WhatsApp profile name;
/// - `lead_source`: always `WhatsApp`;
/// - `language`: the customer's language code;
/// - `last_interaction`: the latest inbound message, RFC 3339 UTC with milliseconds;
/// - `inquiry_frequency`: inbound messages in the inquiry window (30 days);
/// - `activity_score`: 0–100, see [`activity_score`];
/// - `segment`, `priority` (`normal` until a rule sets another), `tags` (sorted, `;`
///   between, as multi-select fields in HubSpot, Salesforce and Zoho take them);
/// - the opt-in field (`whatsapp_opt_in`): `true` or `false`.
pub fn contact_fields<'s>(
    state: &CustomerState,
    now_ms: i64,
    settings: &'s CrmSettings,
) -> Vec<(&'s str, String)> {
    let mut fields = Vec::with_capacity(12);
    let key = state.customer.as_str();
    let linked = state.linked_id.as_deref();
    let (phone, bsuid) = if key.starts_with('+') {
        (Some(key), linked)
    } else {
        (linked.filter(|l| l.starts_with('+')), Some(key))
    };
    if let Some(phone) = phone {
        fields.push(("phone", phone.to_owned()));
    }
    if let Some(bsuid) = bsuid {
        fields.push(("whatsapp_id", bsuid.to_owned()));
    }
    if let Some(name) = state
        .profile_name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        fields.push(("name", name.trim().to_owned()));
    }
    fields.push(("lead_source", "WhatsApp".to_owned()));
    if let Some(language) = &state.language {
        fields.push(("language", language.clone()));
    }
    if let Some(at) = state.last_inbound_ms {
        fields.push(("last_interaction", format_millis(at)));
    }
    let inquiries = inquiries(state, now_ms, settings);
    fields.push(("inquiry_frequency", inquiries.to_string()));
    fields.push((
        "activity_score",
        activity_score(inquiries, state.last_inbound_ms, now_ms).to_string(),
    ));
    fields.push(("segment", state.segment.clone().unwrap_or_default()));
    fields.push((
        "priority",
        state
            .priority
            .clone()
            .unwrap_or_else(|| "normal".to_owned()),
    ));
    let tags: Vec<&str> = state.tags.iter().map(String::as_str).collect();
    fields.push(("tags", tags.join(";")));
    fields.push((&settings.opt_in_field, is_opted_in(state).to_string()));
    fields
}

/// Inbound messages in the inquiry window.
fn inquiries(state: &CustomerState, now_ms: i64, settings: &CrmSettings) -> u64 {
    state
        .counters
        .get(counters::INBOUND)
        .map_or(0, |c| c.count_within(settings.inquiry_window_ms, now_ms))
}

/// How active the customer is, 0–100: 70 points for frequency (inbound messages in the
/// inquiry window, full at 10 — the top of the seeds' "5–10 a month" band of customers who
/// convert three times better) and 30 for recency (full when the customer wrote in the last
/// 7 days, falling linearly to none at 60 days, when the `lost` rule gives up on them).
pub fn activity_score(inquiries: u64, last_inbound_ms: Option<i64>, now_ms: i64) -> u32 {
    let frequency = inquiries.min(10) as f64 / 10.0;
    let recency = last_inbound_ms.map_or(0.0, |at| {
        let days = (now_ms - at).max(0) as f64 / DAY as f64;
        if days <= 7.0 {
            1.0
        } else {
            ((60.0 - days) / 53.0).clamp(0.0, 1.0)
        }
    });
    (70.0 * frequency + 30.0 * recency).round() as u32
}

/// The contact fields that differ from what the CRMs were last asked to hold, as an
/// upsert; remembers them in `state.crm` as sent. `None` when nothing changed or contact
/// sync is off.
pub fn contact_update(
    state: &mut CustomerState,
    now_ms: i64,
    settings: &CrmSettings,
) -> Option<CrmOp> {
    if !settings.contact {
        return None;
    }
    let mut changed = BTreeMap::new();
    for (name, value) in contact_fields(state, now_ms, settings) {
        match state.crm.contact.get_mut(name) {
            Some(sent) if *sent == value => {}
            Some(sent) => {
                changed.insert(name.to_owned(), Some(value.clone()));
                *sent = value;
            }
            // A field never sent that is empty has nothing to say yet.
            None if value.is_empty() => {}
            None => {
                changed.insert(name.to_owned(), Some(value.clone()));
                state.crm.contact.insert(name.to_owned(), value);
            }
        }
    }
    // An empty value clears the field in the CRM.
    for value in changed.values_mut() {
        if value.as_deref() == Some("") {
            *value = None;
        }
    }
    (!changed.is_empty()).then_some(CrmOp::UpsertContact { fields: changed })
}

/// The deals, cases and notes `event` calls for, after it was folded into `state` (whose
/// `last_inbound_keywords` are then the message's intents); deals opened and won are
/// remembered in `state.crm`.
pub fn event_commands(
    state: &mut CustomerState,
    event: &Event,
    settings: &CrmSettings,
) -> Vec<CrmOp> {
    let mut ops = Vec::new();
    match &event.payload {
        Payload::Inbound(m) => {
            let intents = &state.last_inbound_keywords;
            let text = m.text().unwrap_or_default();
            if !settings.catalogue.is_empty()
                && settings.deal_intents.iter().any(|i| intents.contains(i))
            {
                for product in settings.catalogue.find(text) {
                    let deal = state.crm.deals.get(&product.sku);
                    if deal.is_some_and(|d| d.stage == "open") {
                        continue;
                    }
                    let seq = deal.map_or(1, |d| d.seq + 1);
                    state.crm.deals.insert(
                        product.sku.clone(),
                        DealSync {
                            seq,
                            stage: "open".to_owned(),
                            opened_ms: event.occurred_at_ms,
                        },
                    );
                    ops.push(CrmOp::UpsertDeal {
                        deal_key: deal_key(&state.customer, &product.sku, seq),
                        sku: product.sku.clone(),
                        title: deal_title(&product.name, state),
                        stage: "open".to_owned(),
                        amount_minor: None,
                        currency: None,
                    });
                }
            }
            for (kind, intent) in &settings.cases {
                if intents.contains(intent) {
                    ops.push(CrmOp::CreateCase {
                        case_key: format!("{}/{}", state.customer, event.event_id),
                        kind: kind.clone(),
                        subject: format!("{} from {}", case_title(kind), who(state)),
                        body: (!text.is_empty()).then(|| text.to_owned()),
                    });
                }
            }
        }
        Payload::OrderPlaced(order) => {
            for line in &order.lines {
                let Some(deal) = state.crm.deals.get_mut(&line.sku) else {
                    continue;
                };
                if deal.stage != "open" {
                    continue;
                }
                deal.stage = "won".to_owned();
                let seq = deal.seq;
                let name = settings
                    .catalogue
                    .product(&line.sku)
                    .map(|p| p.name.clone())
                    .or_else(|| line.name.clone())
                    .unwrap_or_else(|| line.sku.clone());
                ops.push(CrmOp::UpsertDeal {
                    deal_key: deal_key(&state.customer, &line.sku, seq),
                    sku: line.sku.clone(),
                    title: deal_title(&name, state),
                    stage: "won".to_owned(),
                    amount_minor: Some(
                        line.unit_price_minor
                            .saturating_mul(i64::from(line.quantity.max(1))),
                    ),
                    currency: Some(order.currency.clone()),
                });
            }
        }
        Payload::MediaStored(media) if settings.media_notes => {
            ops.push(CrmOp::AddNote {
                body: format!(
                    "{} sent a file on WhatsApp ({}, {} KB)",
                    who(state),
                    media.mime_type,
                    (media.size_bytes + 1023) / 1024
                ),
                media_url: Some(media.stored_url.clone()),
            });
        }
        _ => {}
    }
    ops
}

/// The key of the customer's `seq`th deal for `sku`: `customer/sku`, then `customer/sku/2`.
pub fn deal_key(customer: &str, sku: &str, seq: u32) -> String {
    if seq <= 1 {
        format!("{customer}/{sku}")
    } else {
        format!("{customer}/{sku}/{seq}")
    }
}

fn deal_title(product: &str, state: &CustomerState) -> String {
    format!("{product} — {}", who(state))
}

fn case_title(kind: &str) -> String {
    match kind {
        "quote" => "Quote request".to_owned(),
        "complaint" => "Complaint".to_owned(),
        other => {
            let mut c = other.chars();
            c.next()
                .map(|f| {
                    f.to_uppercase()
                        .chain(c)
                        .collect::<String>()
                        .replace('_', " ")
                })
                .unwrap_or_default()
        }
    }
}

/// The customer as a person reads them: the profile name, else the key.
fn who(state: &CustomerState) -> &str {
    state
        .profile_name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(&state.customer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_weighs_frequency_and_recency() {
        let now = 100 * DAY;
        assert_eq!(activity_score(0, None, now), 0);
        assert_eq!(activity_score(10, Some(now), now), 100);
        assert_eq!(activity_score(25, Some(now - DAY), now), 100);
        assert_eq!(activity_score(5, Some(now - 3 * DAY), now), 65);
        assert_eq!(activity_score(1, Some(now - 60 * DAY), now), 7);
        // Recency halves about a month in.
        assert_eq!(activity_score(0, Some(now - 33 * DAY - DAY / 2), now), 15);
    }

    #[test]
    fn only_changed_fields_are_sent_and_an_emptied_one_is_cleared() {
        let settings = CrmSettings::default();
        let mut state = CustomerState::new("+85291234567", 0);
        state.profile_name = Some("Chan Tai Man".into());
        state.tags.insert("vip".into());
        let Some(CrmOp::UpsertContact { fields }) = contact_update(&mut state, 0, &settings) else {
            panic!("the first update sends the contact")
        };
        assert_eq!(fields["phone"].as_deref(), Some("+85291234567"));
        assert_eq!(fields["lead_source"].as_deref(), Some("WhatsApp"));
        assert_eq!(fields["tags"].as_deref(), Some("vip"));
        assert_eq!(fields["priority"].as_deref(), Some("normal"));
        assert_eq!(fields["whatsapp_opt_in"].as_deref(), Some("false"));
        assert!(!fields.contains_key("segment"), "empty and never sent");
        assert_eq!(contact_update(&mut state, 0, &settings), None);

        state.tags.clear();
        state.tags.extend(["b".to_owned(), "a".to_owned()]);
        state.priority = Some("high".into());
        let Some(CrmOp::UpsertContact { fields }) = contact_update(&mut state, 0, &settings) else {
            panic!()
        };
        assert_eq!(fields.len(), 2, "{fields:?}");
        assert_eq!(fields["tags"].as_deref(), Some("a;b"));
        state.tags.clear();
        let Some(CrmOp::UpsertContact { fields }) = contact_update(&mut state, 0, &settings) else {
            panic!()
        };
        assert_eq!(fields, BTreeMap::from([("tags".to_owned(), None)]));
    }

    #[test]
    fn a_bsuid_customer_sends_the_linked_number_as_phone() {
        let mut state = CustomerState::new("HK.1234567890", 0);
        state.linked_id = Some("+85291234567".into());
        let settings = CrmSettings::default();
        let fields: BTreeMap<_, _> = contact_fields(&state, 0, &settings).into_iter().collect();
        assert_eq!(fields["phone"], "+85291234567");
        assert_eq!(fields["whatsapp_id"], "HK.1234567890");
    }
}
