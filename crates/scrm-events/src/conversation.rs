//! `scrm.conversation.v1` (`conversation_event.avsc`): WhatsApp messages in and out,
//! delivery statuses, agent hand-offs, what the sender did not send, stored media and the
//! business's messaging limit.

use serde::{Deserialize, Serialize};

use crate::content::Content;
use crate::decode::{
    array, avro_enum, boolean, enumeration, int, long, string, timestamp, Decoded, Fields,
    RecordUnion,
};
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
    /// Why the sender did not send a trigger (`NotSentOutcome`).
    NotSentOutcome = "NotSentOutcome" {
        Skipped = "SKIPPED",
        Failed = "FAILED",
        RetryLater = "RETRY_LATER",
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
    /// The automation trigger of the message (biz_opaque_callback_data), when known.
    pub trigger_id: Option<String>,
}

impl DeliveryState {
    /// Precedence of the monotonic status machine: a status only replaces a lower one.
    /// `Failed` is terminal and outranks everything; `Read` implies delivery, so it
    /// outranks `Delivered` whatever order the updates arrive in.
    pub fn rank(self) -> u8 {
        match self {
            DeliveryState::Sent => 1,
            DeliveryState::Delivered => 2,
            DeliveryState::Read => 3,
            DeliveryState::Failed => 4,
        }
    }
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

/// The sender did not send an automation trigger (`MessageNotSent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageNotSent {
    /// The automation trigger.
    pub trigger_id: String,
    /// Rule of the rule pack that fired.
    pub rule_id: String,
    /// The template it would have sent; `None` for free-form text.
    pub template_name: Option<String>,
    /// Skipped by the gate, failed for good, or to be retried.
    pub outcome: NotSentOutcome,
    /// Gate reasons or the error class.
    pub reasons: Vec<String>,
    /// The Cloud API error code, when the API answered one.
    pub error_code: Option<i32>,
    /// The Cloud API error message.
    pub error_title: Option<String>,
    /// When it is tried again, for `RetryLater`.
    pub retry_at_ms: Option<i64>,
}

/// scrm keeps a copy of an inbound message's media (`MediaStored`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaStored {
    /// The inbound message that carried the media.
    pub wamid: String,
    /// Graph API media id.
    pub media_id: String,
    /// Where scrm keeps its copy.
    pub stored_url: String,
    /// MIME type of the stored copy.
    pub mime_type: String,
    /// Size of the stored copy.
    pub size_bytes: i64,
    /// SHA-256 of the stored copy, hex.
    pub sha256: String,
    /// Whether the image was re-encoded to fit 5 MB.
    pub reencoded: bool,
}

/// Meta changed the business's messaging limit (`BusinessCapabilityUpdate`). Business-wide:
/// one copy goes to every partition under [`BUSINESS_KEY`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessCapabilityUpdate {
    /// WhatsApp Business Account id.
    pub waba_id: String,
    /// Unique customers per 24 h outside the service window; `None` when unlimited.
    pub max_daily_conversations: Option<i64>,
    /// Phone numbers the account may register.
    pub max_phone_numbers_per_waba: Option<i32>,
    /// Phone numbers the business portfolio may register.
    pub max_phone_numbers_per_business: Option<i32>,
}

/// The customer key of business-wide events. No E.164 number or BSUID starts with `@`.
pub const BUSINESS_KEY: &str = "@business";

/// The branches of `ConversationEvent.payload`, in the order of the current schema.
pub(crate) static UNION: RecordUnion = RecordUnion {
    names: &[
        "InboundMessage",
        "OutboundMessage",
        "DeliveryStatus",
        "AgentHandoff",
        "MessageNotSent",
        "MediaStored",
        "BusinessCapabilityUpdate",
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
            "trigger_id",
        ],
        &["direction", "agent_id", "reason"],
        &[
            "trigger_id",
            "rule_id",
            "template_name",
            "outcome",
            "reasons",
            "error_code",
            "error_title",
            "retry_at",
        ],
        &[
            "wamid",
            "media_id",
            "stored_url",
            "mime_type",
            "size_bytes",
            "sha256",
            "reencoded",
        ],
        &[
            "waba_id",
            "max_daily_conversations",
            "max_phone_numbers_per_waba",
            "max_phone_numbers_per_business",
        ],
    ],
};

/// Decodes `ConversationEvent.payload`.
pub(crate) fn payload(value: &apache_avro::types::Value) -> Decoded<Payload> {
    UNION.decode(value, |branch, mut r| {
        Ok(match branch {
            0 => Payload::Inbound(inbound(&mut r)?),
            1 => Payload::Outbound(outbound(&mut r)?),
            2 => Payload::Status(status(&mut r)?),
            3 => Payload::Handoff(handoff(&mut r)?),
            4 => Payload::NotSent(not_sent(&mut r)?),
            5 => Payload::MediaStored(media_stored(&mut r)?),
            _ => Payload::Capability(capability(&mut r)?),
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
        trigger_id: r.opt("trigger_id", string)?,
    })
}

fn handoff(r: &mut Fields<'_>) -> Decoded<AgentHandoff> {
    Ok(AgentHandoff {
        direction: r.get("direction", enumeration)?,
        agent_id: r.opt("agent_id", string)?,
        reason: r.opt("reason", string)?,
    })
}

fn not_sent(r: &mut Fields<'_>) -> Decoded<MessageNotSent> {
    Ok(MessageNotSent {
        trigger_id: r.get("trigger_id", string)?,
        rule_id: r.get("rule_id", string)?,
        template_name: r.opt("template_name", string)?,
        outcome: r.get("outcome", enumeration)?,
        reasons: r.get("reasons", |v| array(v, string))?,
        error_code: r.opt("error_code", int)?,
        error_title: r.opt("error_title", string)?,
        retry_at_ms: r.opt("retry_at", timestamp)?,
    })
}

fn media_stored(r: &mut Fields<'_>) -> Decoded<MediaStored> {
    Ok(MediaStored {
        wamid: r.get("wamid", string)?,
        media_id: r.get("media_id", string)?,
        stored_url: r.get("stored_url", string)?,
        mime_type: r.get("mime_type", string)?,
        size_bytes: r.get("size_bytes", long)?,
        sha256: r.get("sha256", string)?,
        reencoded: r.get("reencoded", boolean)?,
    })
}

fn capability(r: &mut Fields<'_>) -> Decoded<BusinessCapabilityUpdate> {
    Ok(BusinessCapabilityUpdate {
        waba_id: r.get("waba_id", string)?,
        max_daily_conversations: r.opt("max_daily_conversations", long)?,
        max_phone_numbers_per_waba: r.opt("max_phone_numbers_per_waba", int)?,
        max_phone_numbers_per_business: r.opt("max_phone_numbers_per_business", int)?,
    })
}
