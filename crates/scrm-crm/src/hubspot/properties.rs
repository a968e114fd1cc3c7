//! What each command becomes in HubSpot: the properties of the contact, deal, ticket,
//! note or task it writes, and the custom properties that must exist in the account for
//! that (docs/crm.md lists them; the local server defines exactly these).
//!
//! Contact fields go through the sink's [`FieldMapping`]; the default one renames scrm's
//! fields to HubSpot's standard properties where HubSpot has one (`phone`, `firstname` for
//! the WhatsApp profile name, kept whole since profile names do not split reliably into
//! first and last) and to `scrm_`-prefixed custom properties otherwise. A field it does not
//! rename (a rule's own) goes under its own name, which must then exist in HubSpot.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::hubspot::api::Object;
use crate::mapping::FieldMapping;
use scrm_schema::json::format_millis;

/// A property scrm writes that HubSpot does not have by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomProperty {
    pub object: Object,
    pub name: &'static str,
    /// HubSpot's `type` and `fieldType`.
    pub kind: (&'static str, &'static str),
    /// Created with `hasUniqueValue: true`: what the object is upserted on.
    pub unique: bool,
    /// What it holds.
    pub about: &'static str,
}

const fn custom(
    object: Object,
    name: &'static str,
    kind: (&'static str, &'static str),
    about: &'static str,
) -> CustomProperty {
    CustomProperty {
        object,
        name,
        kind,
        unique: false,
        about,
    }
}

const fn unique(object: Object, about: &'static str) -> CustomProperty {
    CustomProperty {
        object,
        name: object.id_property(),
        kind: ("string", "text"),
        unique: true,
        about,
    }
}

const TEXT: (&str, &str) = ("string", "text");
const NUMBER: (&str, &str) = ("number", "number");

/// The custom properties the sink writes with the default mapping.
pub const CUSTOM_PROPERTIES: &[CustomProperty] = &[
    unique(Object::Contacts, "the customer key: E.164 number or BSUID"),
    unique(Object::Deals, "the deal key: customer/SKU"),
    unique(Object::Tickets, "the case key"),
    unique(Object::Notes, "the id of the command that added the note"),
    unique(Object::Tasks, "the id of the command that created the task"),
    custom(
        Object::Contacts,
        "scrm_whatsapp_id",
        TEXT,
        "the WhatsApp business-scoped user id (BSUID)",
    ),
    custom(Object::Contacts, "scrm_lead_source", TEXT, "`WhatsApp`"),
    custom(Object::Contacts, "scrm_language", TEXT, "language code"),
    custom(
        Object::Contacts,
        "scrm_last_interaction",
        ("datetime", "date"),
        "the latest inbound message",
    ),
    custom(
        Object::Contacts,
        "scrm_inquiry_frequency",
        NUMBER,
        "inbound messages in the last 30 days",
    ),
    custom(
        Object::Contacts,
        "scrm_activity_score",
        NUMBER,
        "0–100, frequency and recency",
    ),
    custom(Object::Contacts, "scrm_segment", TEXT, "the rules' segment"),
    custom(
        Object::Contacts,
        "scrm_priority",
        TEXT,
        "high, normal or low",
    ),
    custom(
        Object::Contacts,
        "scrm_tags",
        TEXT,
        "tags, `;` between (a multiple-checkbox property works too once its options exist)",
    ),
    custom(
        Object::Contacts,
        "scrm_whatsapp_opt_in",
        ("bool", "booleancheckbox"),
        "WhatsApp marketing consent, `true` or `false`",
    ),
];

/// The default mapping of contact fields to HubSpot properties.
pub fn default_mapping() -> FieldMapping {
    let rename = [
        ("phone", "phone"),
        ("name", "firstname"),
        ("whatsapp_id", "scrm_whatsapp_id"),
        ("lead_source", "scrm_lead_source"),
        ("language", "scrm_language"),
        ("last_interaction", "scrm_last_interaction"),
        ("inquiry_frequency", "scrm_inquiry_frequency"),
        ("activity_score", "scrm_activity_score"),
        ("segment", "scrm_segment"),
        ("priority", "scrm_priority"),
        ("tags", "scrm_tags"),
        ("whatsapp_opt_in", "scrm_whatsapp_opt_in"),
    ];
    FieldMapping {
        rename: rename
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect(),
        skip: BTreeSet::new(),
        ..FieldMapping::default()
    }
}

/// The HubSpot stage ids of scrm's deal stages.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DealStages {
    /// Purchase intent seen (default `appointmentscheduled`, the first stage of HubSpot's
    /// default sales pipeline).
    pub open: String,
    /// Ordered (default `closedwon`).
    pub won: String,
}

impl Default for DealStages {
    fn default() -> Self {
        DealStages {
            open: "appointmentscheduled".into(),
            won: "closedwon".into(),
        }
    }
}

/// Where deals and tickets go, and how contacts are mapped.
#[derive(Debug, Clone)]
pub struct Settings {
    pub mapping: FieldMapping,
    pub deal_pipeline: String,
    pub deal_stages: DealStages,
    pub ticket_pipeline: String,
    pub ticket_stage: String,
}

type Properties = BTreeMap<String, String>;

/// A contact's properties: mapped, a cleared field as `""` (how HubSpot clears one).
pub fn contact(fields: &BTreeMap<String, Option<String>>, settings: &Settings) -> Properties {
    settings
        .mapping
        .apply(fields)
        .into_iter()
        .map(|(name, value)| (name, value.unwrap_or_default()))
        .collect()
}

/// A deal's properties. `stage` is `open` or `won`; anything else is taken as a HubSpot
/// stage id of the pipeline.
pub fn deal(
    title: &str,
    stage: &str,
    amount_minor: Option<i64>,
    currency: Option<&str>,
    occurred_at_ms: i64,
    settings: &Settings,
) -> Properties {
    let stages = &settings.deal_stages;
    let stage_id = match stage {
        "open" => &stages.open,
        "won" => &stages.won,
        other => other,
    };
    let mut p = Properties::from([
        ("dealname".into(), title.to_owned()),
        ("pipeline".into(), settings.deal_pipeline.clone()),
        ("dealstage".into(), stage_id.to_owned()),
    ]);
    if let Some(minor) = amount_minor {
        p.insert("amount".into(), major_units(minor, currency));
    }
    if let Some(currency) = currency {
        p.insert("deal_currency_code".into(), currency.to_owned());
    }
    if stage == "won" {
        p.insert("closedate".into(), format_millis(occurred_at_ms));
    }
    p
}

/// A ticket's properties: a complaint is high priority, anything else medium.
pub fn ticket(kind: &str, subject: &str, body: Option<&str>, settings: &Settings) -> Properties {
    let priority = if kind == "complaint" {
        "HIGH"
    } else {
        "MEDIUM"
    };
    let mut p = Properties::from([
        ("subject".into(), subject.to_owned()),
        ("hs_pipeline".into(), settings.ticket_pipeline.clone()),
        ("hs_pipeline_stage".into(), settings.ticket_stage.clone()),
        ("hs_ticket_priority".into(), priority.to_owned()),
    ]);
    if let Some(body) = body {
        p.insert("content".into(), body.to_owned());
    }
    p
}

/// A note's properties: the body as HubSpot's rich text, the media link under it.
pub fn note(body: &str, media_url: Option<&str>, occurred_at_ms: i64) -> Properties {
    let mut html = escape(body).replace('\n', "<br>");
    if let Some(url) = media_url {
        let url = escape(url);
        html.push_str(&format!("<br><a href=\"{url}\">{url}</a>"));
    }
    Properties::from([
        ("hs_timestamp".into(), format_millis(occurred_at_ms)),
        ("hs_note_body".into(), html),
    ])
}

/// A task's properties; `hs_timestamp` is its due date (the command's time when none).
pub fn task(
    subject: &str,
    body: Option<&str>,
    due_at_ms: Option<i64>,
    priority: Option<&str>,
    occurred_at_ms: i64,
) -> Properties {
    let priority = match priority {
        Some("high") => "HIGH",
        Some("low") => "LOW",
        _ => "MEDIUM",
    };
    let mut p = Properties::from([
        (
            "hs_timestamp".into(),
            format_millis(due_at_ms.unwrap_or(occurred_at_ms)),
        ),
        ("hs_task_subject".into(), subject.to_owned()),
        ("hs_task_priority".into(), priority.to_owned()),
        ("hs_task_status".into(), "NOT_STARTED".to_owned()),
        ("hs_task_type".into(), "TODO".to_owned()),
    ]);
    if let Some(body) = body {
        p.insert("hs_task_body".into(), body.to_owned());
    }
    p
}

/// Minor units as a decimal in major units, by the currency's ISO 4217 exponent (2 unless
/// the currency has none or three).
pub fn major_units(minor: i64, currency: Option<&str>) -> String {
    let exponent = match currency.map(str::to_ascii_uppercase).as_deref() {
        Some(
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
            | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF",
        ) => 0,
        Some("BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND") => 3,
        _ => 2,
    };
    if exponent == 0 {
        return minor.to_string();
    }
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let unit = 10u64.pow(exponent);
    format!(
        "{sign}{}.{:0width$}",
        abs / unit,
        abs % unit,
        width = exponent as usize
    )
}

/// Text as HTML text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            mapping: default_mapping(),
            deal_pipeline: "default".into(),
            deal_stages: DealStages::default(),
            ticket_pipeline: "0".into(),
            ticket_stage: "1".into(),
        }
    }

    #[test]
    fn contact_fields_take_hubspot_names_and_a_cleared_one_is_empty() {
        let fields = BTreeMap::from([
            ("name".to_owned(), Some("Mei Chan".to_owned())),
            ("phone".to_owned(), Some("+85291234567".to_owned())),
            ("tags".to_owned(), None),
            ("vip_since".to_owned(), Some("2026".to_owned())),
        ]);
        let p = contact(&fields, &settings());
        assert_eq!(p["firstname"], "Mei Chan");
        assert_eq!(p["phone"], "+85291234567");
        assert_eq!(p["scrm_tags"], "");
        assert_eq!(p["vip_since"], "2026", "a rule's own field goes as it is");
        // Every rename goes to a standard property or a documented custom one.
        for target in default_mapping().rename.values() {
            let standard = ["phone", "firstname"].contains(&target.as_str());
            let custom = CUSTOM_PROPERTIES
                .iter()
                .any(|c| c.object == Object::Contacts && c.name == target);
            assert!(standard || custom, "{target}");
        }
        assert!(default_mapping().check().is_ok());
    }

    #[test]
    fn deals_map_their_stage_and_amount() {
        let s = settings();
        let open = deal("iPhone 15", "open", Some(899_900), Some("HKD"), 0, &s);
        assert_eq!(open["dealstage"], "appointmentscheduled");
        assert_eq!(open["amount"], "8999.00");
        assert!(!open.contains_key("closedate"));
        let won = deal("iPhone 15", "won", None, None, 1_795_046_400_123, &s);
        assert_eq!(won["dealstage"], "closedwon");
        assert_eq!(won["closedate"], "2026-11-19T00:00:00.123Z");
        assert_eq!(major_units(1_500, Some("JPY")), "1500");
        assert_eq!(major_units(1_505, Some("KWD")), "1.505");
        assert_eq!(major_units(-5, Some("EUR")), "-0.05");
    }

    #[test]
    fn notes_are_escaped_rich_text_and_tasks_have_hubspots_values() {
        let n = note("a <b> & c\nd", Some("https://m/x?a=1&b=2"), 0);
        assert_eq!(
            n["hs_note_body"],
            "a &lt;b&gt; &amp; c<br>d<br><a href=\"https://m/x?a=1&amp;b=2\">https://m/x?a=1&amp;b=2</a>"
        );
        assert_eq!(n["hs_timestamp"], "1970-01-01T00:00:00.000Z");
        let t = task("Call back", None, Some(86_400_000), Some("high"), 5);
        assert_eq!(t["hs_task_priority"], "HIGH");
        assert_eq!(t["hs_timestamp"], "1970-01-02T00:00:00.000Z");
        assert_eq!(t["hs_task_status"], "NOT_STARTED");
        assert_eq!(
            ticket("complaint", "Broken", None, &settings())["hs_ticket_priority"],
            "HIGH"
        );
    }
}
