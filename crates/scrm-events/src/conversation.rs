//! `scrm.conversation.v1` (`conversation_event.avsc`): WhatsApp messages in and out,
//! delivery statuses and agent hand-offs.

use serde::{Deserialize, Serialize};

use crate::content::Content;
use crate::decode::{avro_enum, enumeration, int, string, Decoded, Fields, RecordUnion};
use crate::event::Payload;

avro_enum! {
    /// Free-form text (only inside the 24-hour window) or an approved template
    /// (`OutboundKind`).
    OutboundKind = "OutboundKind" {
        FreeForm = "FREE_FORM",
        Template = "TEMPLATE",
    }
}

avro_enum! {
    /// WhatsApp pricing category (`MessageCategory`).
    MessageCategory = "MessageCategory" {
        Marketing = "MARKETING",
        Utility = "UTILITY",
        Authentication = "AUTHENTICATION",
        Service = "SERVICE",
        Unknown = "UNKNOWN",
    }
}

avro_enum! {
    /// Who sent an outbound message (`Sender`).
    Sender = "Sender" {
        Automation = "AUTOMATION",
        Agent = "AGENT",
    }
}

avro_enum! {
    /// WhatsApp delivery status (`DeliveryState`). Variants are in schema order, which is
    /// not a precedence: `Failed` can follow any of the others.
    DeliveryState = "DeliveryState" {
        Sent = "SENT",
        Delivered = "DELIVERED",
        Read = "READ",
        Failed = "FAILED",
    }
}

avro_enum! {
    /// Where the conversation went (`HandoffDirection`).
    HandoffDirection = "HandoffDirection" {
        ToAgent = "TO_AGENT",
        ToAutomation = "TO_AUTOMATION",
    }
}

/// A message the customer sent to the business (`InboundMessage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// WhatsApp message id.
    pub wamid: String,
    /// Phone-number id of the business number that received it.
    pub business_number: Option<String>,
    /// contacts[].profile.name from the webhook.
    pub profile_name: Option<String>,
    /// E.164 number when known; equals the customer unless the customer is a BSUID.
    pub phone: Option<String>,
    /// Business-scoped user id when present; links the BSUID to the number.
    pub bsuid: Option<String>,
    /// The message this one replies to, if any.
    pub context_wamid: Option<String>,
    /// The message body, by WhatsApp message type.
    pub content: Content,
}

impl InboundMessage {
    /// The text a person typed, for keyword matching: the text body, a media caption, the
    /// interactive title chosen or the text sent with an order.
    pub fn text(&self) -> Option<&str> {
        self.content.text()
    }
}

/// A message the business sent: an automation or a human agent (`OutboundMessage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundMessage {
    /// WhatsApp message id once the Cloud API accepted it.
    pub wamid: Option<String>,
    /// The automation trigger that caused it, if automated.
    pub trigger_id: Option<String>,
    /// Free-form or template.
    pub kind: OutboundKind,
    /// Approved template name when kind is `Template`.
    pub template_name: Option<String>,
    /// BCP 47 language of the message (en, fr, pt_BR, zh_HK...).
    pub language: Option<String>,
    /// WhatsApp pricing category.
    pub category: Option<MessageCategory>,
    /// Rendered text, when known.
    pub body: Option<String>,
    /// Who sent it.
    pub sent_by: Sender,
    /// The agent, when sent by an agent.
    pub agent_id: Option<String>,
}

/// A `statuses[]` entry: sent, delivered, read or failed (`DeliveryStatus`). Arrives out of
/// order; consumers apply it monotonically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryStatus {
    /// The outbound message the status is about.
    pub wamid: String,
    /// WhatsApp status.
    pub status: DeliveryState,
    /// errors[].code when failed (131047, 131026, 131049...).
    pub error_code: Option<i32>,
    /// errors[].title when failed.
    pub error_title: Option<String>,
    /// pricing.category (marketing, utility, service...).
    pub pricing_category: Option<String>,
    /// conversation.id of the billing conversation.
    pub conversation_id: Option<String>,
}

/// The conversation moved between the automation and a human agent (`AgentHandoff`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentHandoff {
    /// Where the conversation went.
    pub direction: HandoffDirection,
    /// The agent who took over or released it.
    pub agent_id: Option<String>,
    /// Why, e.g. the customer asked for a human.
    pub reason: Option<String>,
}

/// The branches of `ConversationEvent.payload`, in the order of the current schema.
pub(crate) static UNION: RecordUnion = RecordUnion {
    names: &[
        "InboundMessage",
        "OutboundMessage",
        "DeliveryStatus",
        "AgentHandoff",
    ],
    fields: &[
        &[
            "wamid",
            "business_number",
            "profile_name",
            "phone",
            "bsuid",
            "context_wamid",
            "content",
        ],
        &[
            "wamid",
            "trigger_id",
            "kind",
            "template_name",
            "language",
            "category",
            "body",
            "sent_by",
            "agent_id",
        ],
        &[
            "wamid",
            "status",
            "error_code",
            "error_title",
            "pricing_category",
            "conversation_id",
        ],
        &["direction", "agent_id", "reason"],
    ],
};

/// Decodes `ConversationEvent.payload`.
pub(crate) fn payload(value: &apache_avro::types::Value) -> Decoded<Payload> {
    UNION.decode(value, |branch, mut r| {
        Ok(match branch {
            0 => Payload::Inbound(inbound(&mut r)?),
            1 => Payload::Outbound(outbound(&mut r)?),
            2 => Payload::Status(status(&mut r)?),
            _ => Payload::Handoff(handoff(&mut r)?),
        })
    })
}

fn inbound(r: &mut Fields<'_>) -> Decoded<InboundMessage> {
    Ok(InboundMessage {
        wamid: r.get("wamid", string)?,
        business_number: r.opt("business_number", string)?,
        profile_name: r.opt("profile_name", string)?,
        phone: r.opt("phone", string)?,
        bsuid: r.opt("bsuid", string)?,
        context_wamid: r.opt("context_wamid", string)?,
        content: r.get("content", Content::from_avro)?,
    })
}

fn outbound(r: &mut Fields<'_>) -> Decoded<OutboundMessage> {
    Ok(OutboundMessage {
        wamid: r.opt("wamid", string)?,
        trigger_id: r.opt("trigger_id", string)?,
        kind: r.get("kind", enumeration)?,
        template_name: r.opt("template_name", string)?,
        language: r.opt("language", string)?,
        category: r.opt("category", enumeration)?,
        body: r.opt("body", string)?,
        sent_by: r.get("sent_by", enumeration)?,
        agent_id: r.opt("agent_id", string)?,
    })
}

fn status(r: &mut Fields<'_>) -> Decoded<DeliveryStatus> {
    Ok(DeliveryStatus {
        wamid: r.get("wamid", string)?,
        status: r.get("status", enumeration)?,
        error_code: r.opt("error_code", int)?,
        error_title: r.opt("error_title", string)?,
        pricing_category: r.opt("pricing_category", string)?,
        conversation_id: r.opt("conversation_id", string)?,
    })
}

fn handoff(r: &mut Fields<'_>) -> Decoded<AgentHandoff> {
    Ok(AgentHandoff {
        direction: r.get("direction", enumeration)?,
        agent_id: r.opt("agent_id", string)?,
        reason: r.opt("reason", string)?,
    })
}
