//! The envelope every input event shares (id, customer, event time, producer) and the
//! payload union of the four topics, with the entry point that decodes them.

use apache_avro::types::Value;
use serde::{Deserialize, Serialize};

use crate::behavior::{AddToCart, LinkClick, ProductView, QuizAnswer, StoreVisit};
use crate::conversation::{
    AgentHandoff, BusinessCapabilityUpdate, DeliveryStatus, InboundMessage, MediaStored,
    MessageNotSent, OutboundMessage,
};
use crate::crm::CrmFieldsChanged;
use crate::decode::{key, string, timestamp, Fields};
use crate::transaction::{OrderDelivered, OrderPaid, OrderPlaced, OrderReturned, OrderShipped};
use crate::{behavior, conversation, crm, transaction, EventError, InputTopic};

/// One event of an input topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Unique per event from its producer; consumers drop repeats. Never empty.
    pub event_id: String,
    /// Customer key: E.164 number or BSUID. Never empty.
    pub customer: String,
    /// Event time (`occurred_at`): when it happened at the source, UTC milliseconds.
    pub occurred_at_ms: i64,
    /// Producer of the event (whatsapp-webhook, shop, crm:hubspot, scrm-demo...).
    pub source: String,
    /// What happened.
    pub payload: Payload,
}

/// What happened: one variant per payload record of the four input schemas. Serialized
/// with the variant's [`kind`](Payload::kind) as tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Payload {
    /// `ConversationEvent`: a message the customer sent.
    #[serde(rename = "inbound_message")]
    Inbound(InboundMessage),
    /// `ConversationEvent`: a message the business sent.
    #[serde(rename = "outbound_message")]
    Outbound(OutboundMessage),
    /// `ConversationEvent`: a delivery status of an outbound message.
    #[serde(rename = "delivery_status")]
    Status(DeliveryStatus),
    /// `ConversationEvent`: the conversation moved between automation and an agent.
    #[serde(rename = "agent_handoff")]
    Handoff(AgentHandoff),
    /// `ConversationEvent`: the WhatsApp sender did not send a trigger.
    #[serde(rename = "message_not_sent")]
    NotSent(MessageNotSent),
    /// `ConversationEvent`: scrm keeps a copy of an inbound message's media.
    #[serde(rename = "media_stored")]
    MediaStored(MediaStored),
    /// `ConversationEvent`: Meta changed the business's messaging limit (business-wide).
    #[serde(rename = "business_capability_update")]
    Capability(BusinessCapabilityUpdate),
    /// `BehaviorEvent`: a link opened.
    #[serde(rename = "link_click")]
    LinkClick(LinkClick),
    /// `BehaviorEvent`: a product page viewed.
    #[serde(rename = "product_view")]
    ProductView(ProductView),
    /// `BehaviorEvent`: a product put in the cart.
    #[serde(rename = "add_to_cart")]
    AddToCart(AddToCart),
    /// `BehaviorEvent`: a quiz question answered.
    #[serde(rename = "quiz_answer")]
    QuizAnswer(QuizAnswer),
    /// `BehaviorEvent`: a physical store visited.
    #[serde(rename = "store_visit")]
    StoreVisit(StoreVisit),
    /// `TransactionEvent`: a new order.
    #[serde(rename = "order_placed")]
    OrderPlaced(OrderPlaced),
    /// `TransactionEvent`: payment received.
    #[serde(rename = "order_paid")]
    OrderPaid(OrderPaid),
    /// `TransactionEvent`: handed to a carrier.
    #[serde(rename = "order_shipped")]
    OrderShipped(OrderShipped),
    /// `TransactionEvent`: delivered.
    #[serde(rename = "order_delivered")]
    OrderDelivered(OrderDelivered),
    /// `TransactionEvent`: items came back.
    #[serde(rename = "order_returned")]
    OrderReturned(OrderReturned),
    /// `CrmUpdateEvent`: fields of a CRM record changed.
    #[serde(rename = "crm_fields_changed")]
    CrmFieldsChanged(CrmFieldsChanged),
}

impl Event {
    /// Decodes a value of `topic`'s current schema, as `scrm_schema::Codec` returns it.
    ///
    /// Fails, naming the field, on anything that is not a valid event of that topic
    /// (wrong types, missing fields, unknown union branches or enum symbols, an empty
    /// `event_id` or `customer`); never panics.
    pub fn from_avro(topic: InputTopic, value: &Value) -> Result<Event, EventError> {
        let mut r = Fields::of(value)?;
        Ok(Event {
            event_id: r.get("event_id", key)?,
            customer: r.get("customer", key)?,
            occurred_at_ms: r.get("occurred_at", timestamp)?,
            source: r.get("source", string)?,
            payload: r.get("payload", |v| match topic {
                InputTopic::Conversation => conversation::payload(v),
                InputTopic::Behavior => behavior::payload(v),
                InputTopic::Transaction => transaction::payload(v),
                InputTopic::CrmUpdates => crm::payload(v),
            })?,
        })
    }

    /// The payload's stable snake_case name, for metrics: see [`Payload::kind`].
    pub fn kind(&self) -> &'static str {
        self.payload.kind()
    }

    /// The topic the event belongs on.
    pub fn topic(&self) -> InputTopic {
        self.payload.topic()
    }
}

impl Payload {
    /// Every [`kind`](Payload::kind), in declaration order (conversation, behavior,
    /// transaction, CRM).
    pub const KINDS: [&'static str; 18] = [
        "inbound_message",
        "outbound_message",
        "delivery_status",
        "agent_handoff",
        "message_not_sent",
        "media_stored",
        "business_capability_update",
        "link_click",
        "product_view",
        "add_to_cart",
        "quiz_answer",
        "store_visit",
        "order_placed",
        "order_paid",
        "order_shipped",
        "order_delivered",
        "order_returned",
        "crm_fields_changed",
    ];

    /// Stable snake_case name of the payload type, used in metrics and as the serde tag:
    /// one of [`Payload::KINDS`].
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::Inbound(_) => "inbound_message",
            Payload::Outbound(_) => "outbound_message",
            Payload::Status(_) => "delivery_status",
            Payload::Handoff(_) => "agent_handoff",
            Payload::NotSent(_) => "message_not_sent",
            Payload::MediaStored(_) => "media_stored",
            Payload::Capability(_) => "business_capability_update",
            Payload::LinkClick(_) => "link_click",
            Payload::ProductView(_) => "product_view",
            Payload::AddToCart(_) => "add_to_cart",
            Payload::QuizAnswer(_) => "quiz_answer",
            Payload::StoreVisit(_) => "store_visit",
            Payload::OrderPlaced(_) => "order_placed",
            Payload::OrderPaid(_) => "order_paid",
            Payload::OrderShipped(_) => "order_shipped",
            Payload::OrderDelivered(_) => "order_delivered",
            Payload::OrderReturned(_) => "order_returned",
            Payload::CrmFieldsChanged(_) => "crm_fields_changed",
        }
    }

    /// The topic whose schema has this payload.
    pub fn topic(&self) -> InputTopic {
        match self {
            Payload::Inbound(_)
            | Payload::Outbound(_)
            | Payload::Status(_)
            | Payload::Handoff(_)
            | Payload::NotSent(_)
            | Payload::MediaStored(_)
            | Payload::Capability(_) => InputTopic::Conversation,
            Payload::LinkClick(_)
            | Payload::ProductView(_)
            | Payload::AddToCart(_)
            | Payload::QuizAnswer(_)
            | Payload::StoreVisit(_) => InputTopic::Behavior,
            Payload::OrderPlaced(_)
            | Payload::OrderPaid(_)
            | Payload::OrderShipped(_)
            | Payload::OrderDelivered(_)
            | Payload::OrderReturned(_) => InputTopic::Transaction,
            Payload::CrmFieldsChanged(_) => InputTopic::CrmUpdates,
        }
    }

    /// The inbound message, if this is one.
    pub fn as_inbound(&self) -> Option<&InboundMessage> {
        match self {
            Payload::Inbound(m) => Some(m),
            _ => None,
        }
    }

    /// The order id of a transaction payload.
    pub fn order_id(&self) -> Option<&str> {
        match self {
            Payload::OrderPlaced(p) => Some(&p.order_id),
            Payload::OrderPaid(p) => Some(&p.order_id),
            Payload::OrderShipped(p) => Some(&p.order_id),
            Payload::OrderDelivered(p) => Some(&p.order_id),
            Payload::OrderReturned(p) => Some(&p.order_id),
            _ => None,
        }
    }
}
