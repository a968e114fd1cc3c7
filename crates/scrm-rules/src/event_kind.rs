//! The kinds of event a rule can run on or wait for. Besides one kind per payload, a few
//! finer kinds: `agent_reply` (an outbound message by an agent), `automated_message`,
//! `delivered`, `read`, `failed`, `handoff_to_agent` and `handoff_to_automation`. The
//! business-wide `business_capability_update` is not a kind: no customer rule runs on it.

use scrm_events::{DeliveryState, Event, HandoffDirection, Payload, Sender};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    InboundMessage,
    OutboundMessage,
    AgentReply,
    AutomatedMessage,
    DeliveryStatus,
    Delivered,
    Read,
    Failed,
    AgentHandoff,
    HandoffToAgent,
    HandoffToAutomation,
    LinkClick,
    ProductView,
    AddToCart,
    QuizAnswer,
    StoreVisit,
    OrderPlaced,
    OrderPaid,
    OrderShipped,
    OrderDelivered,
    OrderReturned,
    CrmFieldsChanged,
    MessageNotSent,
    MediaStored,
}

impl EventKind {
    pub const ALL: [EventKind; 24] = [
        EventKind::InboundMessage,
        EventKind::OutboundMessage,
        EventKind::AgentReply,
        EventKind::AutomatedMessage,
        EventKind::DeliveryStatus,
        EventKind::Delivered,
        EventKind::Read,
        EventKind::Failed,
        EventKind::AgentHandoff,
        EventKind::HandoffToAgent,
        EventKind::HandoffToAutomation,
        EventKind::LinkClick,
        EventKind::ProductView,
        EventKind::AddToCart,
        EventKind::QuizAnswer,
        EventKind::StoreVisit,
        EventKind::OrderPlaced,
        EventKind::OrderPaid,
        EventKind::OrderShipped,
        EventKind::OrderDelivered,
        EventKind::OrderReturned,
        EventKind::CrmFieldsChanged,
        EventKind::MessageNotSent,
        EventKind::MediaStored,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EventKind::InboundMessage => "inbound_message",
            EventKind::OutboundMessage => "outbound_message",
            EventKind::AgentReply => "agent_reply",
            EventKind::AutomatedMessage => "automated_message",
            EventKind::DeliveryStatus => "delivery_status",
            EventKind::Delivered => "delivered",
            EventKind::Read => "read",
            EventKind::Failed => "failed",
            EventKind::AgentHandoff => "agent_handoff",
            EventKind::HandoffToAgent => "handoff_to_agent",
            EventKind::HandoffToAutomation => "handoff_to_automation",
            EventKind::LinkClick => "link_click",
            EventKind::ProductView => "product_view",
            EventKind::AddToCart => "add_to_cart",
            EventKind::QuizAnswer => "quiz_answer",
            EventKind::StoreVisit => "store_visit",
            EventKind::OrderPlaced => "order_placed",
            EventKind::OrderPaid => "order_paid",
            EventKind::OrderShipped => "order_shipped",
            EventKind::OrderDelivered => "order_delivered",
            EventKind::OrderReturned => "order_returned",
            EventKind::CrmFieldsChanged => "crm_fields_changed",
            EventKind::MessageNotSent => "message_not_sent",
            EventKind::MediaStored => "media_stored",
        }
    }

    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Every kind `event` is: its payload's kind and the finer kinds that apply.
    pub fn of(event: &Event) -> Vec<EventKind> {
        let mut kinds = Vec::with_capacity(2);
        match &event.payload {
            Payload::Inbound(_) => kinds.push(EventKind::InboundMessage),
            Payload::Outbound(m) => {
                kinds.push(EventKind::OutboundMessage);
                kinds.push(match m.sent_by {
                    Sender::Agent => EventKind::AgentReply,
                    Sender::Automation => EventKind::AutomatedMessage,
                });
            }
            Payload::Status(s) => {
                kinds.push(EventKind::DeliveryStatus);
                match s.status {
                    DeliveryState::Delivered => kinds.push(EventKind::Delivered),
                    DeliveryState::Read => kinds.push(EventKind::Read),
                    DeliveryState::Failed => kinds.push(EventKind::Failed),
                    DeliveryState::Sent => {}
                }
            }
            Payload::Handoff(h) => {
                kinds.push(EventKind::AgentHandoff);
                kinds.push(match h.direction {
                    HandoffDirection::ToAgent => EventKind::HandoffToAgent,
                    HandoffDirection::ToAutomation => EventKind::HandoffToAutomation,
                });
            }
            Payload::LinkClick(_) => kinds.push(EventKind::LinkClick),
            Payload::ProductView(_) => kinds.push(EventKind::ProductView),
            Payload::AddToCart(_) => kinds.push(EventKind::AddToCart),
            Payload::QuizAnswer(_) => kinds.push(EventKind::QuizAnswer),
            Payload::StoreVisit(_) => kinds.push(EventKind::StoreVisit),
            Payload::OrderPlaced(_) => kinds.push(EventKind::OrderPlaced),
            Payload::OrderPaid(_) => kinds.push(EventKind::OrderPaid),
            Payload::OrderShipped(_) => kinds.push(EventKind::OrderShipped),
            Payload::OrderDelivered(_) => kinds.push(EventKind::OrderDelivered),
            Payload::OrderReturned(_) => kinds.push(EventKind::OrderReturned),
            Payload::CrmFieldsChanged(_) => kinds.push(EventKind::CrmFieldsChanged),
            Payload::NotSent(_) => kinds.push(EventKind::MessageNotSent),
            Payload::MediaStored(_) => kinds.push(EventKind::MediaStored),
            // Business-wide: the engine applies it to the partition, never to a customer.
            Payload::Capability(_) => {}
        }
        kinds
    }
}
