//! Every payload and content type of `conversation_event.avsc`, built as JSON, turned into
//! an Avro value by scrm-schema, decoded directly and after the codec, every field checked.

mod common;

use common::{assert_envelope, decode, envelope, T0, T0_TEXT};
use scrm_events::*;
use serde_json::json;

fn inbound(content: serde_json::Value) -> InboundMessage {
    let event = decode(
        InputTopic::Conversation,
        &envelope(json!({"InboundMessage": {
            "wamid": "wamid.HBgA",
            "business_number": "1098765",
            "profile_name": "Mei",
            "phone": "+85291234567",
            "bsuid": "HK.1234",
            "context_wamid": "wamid.prev",
            "content": content,
        }})),
    );
    assert_envelope(&event);
    assert_eq!(event.kind(), "inbound_message");
    assert_eq!(event.topic(), InputTopic::Conversation);
    let Payload::Inbound(msg) = event.payload else {
        panic!("not inbound: {:?}", event.payload)
    };
    assert_eq!(msg.wamid, "wamid.HBgA");
    assert_eq!(msg.business_number.as_deref(), Some("1098765"));
    assert_eq!(msg.profile_name.as_deref(), Some("Mei"));
    assert_eq!(msg.phone.as_deref(), Some("+85291234567"));
    assert_eq!(msg.bsuid.as_deref(), Some("HK.1234"));
    assert_eq!(msg.context_wamid.as_deref(), Some("wamid.prev"));
    msg
}

#[test]
fn text_message() {
    let msg = inbound(json!({"TextContent": {"body": "有冇折扣?"}}));
    assert_eq!(
        msg.content,
        Content::Text {
            body: "有冇折扣?".into()
        }
    );
    assert_eq!(msg.text(), Some("有冇折扣?"));
    assert_eq!(msg.content.kind(), "text");
}

#[test]
fn media_message_with_every_field() {
    let msg = inbound(json!({"MediaContent": {
        "kind": "DOCUMENT", "media_id": "m-1", "mime_type": "application/pdf",
        "sha256": "abc", "caption": "my receipt", "filename": "r.pdf",
        "stored_url": "https://media.example/r.pdf",
    }}));
    assert_eq!(
        msg.content,
        Content::Media {
            kind: MediaKind::Document,
            media_id: "m-1".into(),
            mime_type: Some("application/pdf".into()),
            sha256: Some("abc".into()),
            caption: Some("my receipt".into()),
            filename: Some("r.pdf".into()),
            stored_url: Some("https://media.example/r.pdf".into()),
        }
    );
    assert_eq!(msg.text(), Some("my receipt"));
}

#[test]
fn media_message_with_nulls_left_out() {
    let msg = inbound(json!({"MediaContent": {"kind": "STICKER", "media_id": "m-2"}}));
    assert_eq!(
        msg.content,
        Content::Media {
            kind: MediaKind::Sticker,
            media_id: "m-2".into(),
            mime_type: None,
            sha256: None,
            caption: None,
            filename: None,
            stored_url: None,
        }
    );
    assert_eq!(msg.text(), None);
    assert_eq!(msg.content.kind(), "media");
}

#[test]
fn every_media_kind() {
    for (symbol, kind) in MediaKind::SYMBOLS.iter().zip([
        MediaKind::Image,
        MediaKind::Audio,
        MediaKind::Video,
        MediaKind::Document,
        MediaKind::Sticker,
        MediaKind::Unknown,
    ]) {
        let msg = inbound(json!({"MediaContent": {"kind": symbol, "media_id": "m"}}));
        assert!(matches!(msg.content, Content::Media { kind: k, .. } if k == kind));
        assert_eq!(kind.symbol(), *symbol);
    }
}

#[test]
fn location_message() {
    let msg = inbound(json!({"LocationContent": {
        "latitude": 22.2819, "longitude": 114.1586, "name": "Central", "address": "Queen's Rd",
    }}));
    assert_eq!(
        msg.content,
        Content::Location {
            latitude: 22.2819,
            longitude: 114.1586,
            name: Some("Central".into()),
            address: Some("Queen's Rd".into()),
        }
    );
    assert_eq!(msg.text(), None);
    assert_eq!(msg.content.kind(), "location");
}

#[test]
fn interactive_replies() {
    let msg = inbound(json!({"InteractiveReply": {
        "kind": "LIST", "reply_id": "size-m", "title": "Size M", "description": "Fits 38-40",
    }}));
    assert_eq!(
        msg.content,
        Content::Interactive {
            kind: InteractiveKind::List,
            reply_id: "size-m".into(),
            title: "Size M".into(),
            description: Some("Fits 38-40".into()),
        }
    );
    assert_eq!(msg.text(), Some("Size M"));
    let msg = inbound(
        json!({"InteractiveReply": {"kind": "BUTTON", "reply_id": "stop", "title": "Stop promotions"}}),
    );
    assert!(matches!(
        &msg.content,
        Content::Interactive {
            kind: InteractiveKind::Button,
            description: None,
            ..
        }
    ));
    assert_eq!(msg.content.kind(), "interactive");
}

#[test]
fn reactions_set_and_removed() {
    let msg = inbound(json!({"Reaction": {"message_wamid": "wamid.out", "emoji": "👍"}}));
    assert_eq!(
        msg.content,
        Content::Reaction {
            message_wamid: "wamid.out".into(),
            emoji: Some("👍".into())
        }
    );
    assert_eq!(msg.text(), None);
    let msg = inbound(json!({"Reaction": {"message_wamid": "wamid.out", "emoji": null}}));
    assert_eq!(
        msg.content,
        Content::Reaction {
            message_wamid: "wamid.out".into(),
            emoji: None
        }
    );
    assert_eq!(msg.content.kind(), "reaction");
}

#[test]
fn shared_contacts() {
    let msg = inbound(json!({"ContactsContent": {"contacts": [
        {"name": "Ana Souza", "phones": ["+5511987654321", "+551133334444"]},
        {"name": "Nobody", "phones": []},
    ]}}));
    assert_eq!(
        msg.content,
        Content::Contacts {
            contacts: vec![
                SharedContact {
                    name: "Ana Souza".into(),
                    phones: vec!["+5511987654321".into(), "+551133334444".into()],
                },
                SharedContact {
                    name: "Nobody".into(),
                    phones: vec![],
                },
            ]
        }
    );
    assert_eq!(msg.text(), None);
    assert_eq!(msg.content.kind(), "contacts");
}

#[test]
fn catalog_order() {
    let msg = inbound(
        json!({"OrderContent": {"catalog_id": "cat-1", "text": "please gift wrap", "items": [
            {"sku": "SKU-1", "quantity": 2, "unit_price_minor": 12900, "currency": "HKD"},
            {"sku": "SKU-2", "quantity": 1, "unit_price_minor": 5000000000_i64, "currency": "HKD"},
        ]}}),
    );
    assert_eq!(
        msg.content,
        Content::Order {
            catalog_id: "cat-1".into(),
            items: vec![
                CatalogItem {
                    sku: "SKU-1".into(),
                    quantity: 2,
                    unit_price_minor: 12900,
                    currency: "HKD".into(),
                },
                CatalogItem {
                    sku: "SKU-2".into(),
                    quantity: 1,
                    unit_price_minor: 5_000_000_000,
                    currency: "HKD".into(),
                },
            ],
            text: Some("please gift wrap".into()),
        }
    );
    assert_eq!(msg.text(), Some("please gift wrap"));
    assert_eq!(msg.content.kind(), "order");
}

#[test]
fn unsupported_type() {
    let msg = inbound(json!({"UnsupportedContent": {"whatsapp_type": "poll"}}));
    assert_eq!(
        msg.content,
        Content::Unsupported {
            whatsapp_type: "poll".into()
        }
    );
    assert_eq!(msg.text(), None);
    assert_eq!(msg.content.kind(), "unsupported");
}

#[test]
fn inbound_with_only_required_fields_and_rfc3339_time() {
    let event = decode(
        InputTopic::Conversation,
        &json!({
            "event_id": "wamid.X", "customer": "HK.bsuid.1", "occurred_at": T0_TEXT, "source": "whatsapp-webhook",
            "payload": {"InboundMessage": {"wamid": "wamid.X", "content": {"TextContent": {"body": "hi"}}}},
        }),
    );
    assert_eq!(
        event,
        Event {
            event_id: "wamid.X".into(),
            customer: "HK.bsuid.1".into(),
            occurred_at_ms: T0,
            source: "whatsapp-webhook".into(),
            payload: Payload::Inbound(InboundMessage {
                wamid: "wamid.X".into(),
                business_number: None,
                profile_name: None,
                phone: None,
                bsuid: None,
                context_wamid: None,
                content: Content::Text { body: "hi".into() },
            }),
        }
    );
}

#[test]
fn outbound_template_by_automation() {
    let event = decode(
        InputTopic::Conversation,
        &envelope(json!({"OutboundMessage": {
            "wamid": "wamid.out", "trigger_id": "trg-1", "kind": "TEMPLATE",
            "template_name": "cart_reminder", "language": "zh_HK", "category": "MARKETING",
            "body": "你的購物車還在等你", "sent_by": "AUTOMATION", "agent_id": null,
        }})),
    );
    assert_envelope(&event);
    assert_eq!(event.kind(), "outbound_message");
    assert_eq!(
        event.payload,
        Payload::Outbound(OutboundMessage {
            wamid: Some("wamid.out".into()),
            trigger_id: Some("trg-1".into()),
            kind: OutboundKind::Template,
            template_name: Some("cart_reminder".into()),
            language: Some("zh_HK".into()),
            category: Some(MessageCategory::Marketing),
            body: Some("你的購物車還在等你".into()),
            sent_by: Sender::Automation,
            agent_id: None,
        })
    );
}

#[test]
fn outbound_free_form_by_agent_and_every_category() {
    for (symbol, category) in MessageCategory::SYMBOLS.iter().zip([
        MessageCategory::Marketing,
        MessageCategory::Utility,
        MessageCategory::Authentication,
        MessageCategory::Service,
        MessageCategory::Unknown,
    ]) {
        let event = decode(
            InputTopic::Conversation,
            &envelope(json!({"OutboundMessage": {
                "kind": "FREE_FORM", "category": symbol, "sent_by": "AGENT", "agent_id": "agent-7",
            }})),
        );
        assert_eq!(
            event.payload,
            Payload::Outbound(OutboundMessage {
                wamid: None,
                trigger_id: None,
                kind: OutboundKind::FreeForm,
                template_name: None,
                language: None,
                category: Some(category),
                body: None,
                sent_by: Sender::Agent,
                agent_id: Some("agent-7".into()),
            })
        );
    }
}

#[test]
fn delivery_statuses() {
    let event = decode(
        InputTopic::Conversation,
        &envelope(json!({"DeliveryStatus": {
            "wamid": "wamid.out", "status": "FAILED", "error_code": 131047,
            "error_title": "Re-engagement message", "pricing_category": "marketing",
            "conversation_id": "conv-1", "trigger_id": "lost@timer/p0/1/+85291234567",
        }})),
    );
    assert_envelope(&event);
    assert_eq!(event.kind(), "delivery_status");
    assert_eq!(
        event.payload,
        Payload::Status(DeliveryStatus {
            wamid: "wamid.out".into(),
            status: DeliveryState::Failed,
            error_code: Some(131_047),
            error_title: Some("Re-engagement message".into()),
            pricing_category: Some("marketing".into()),
            conversation_id: Some("conv-1".into()),
            trigger_id: Some("lost@timer/p0/1/+85291234567".into()),
        })
    );
    for (symbol, state) in ["SENT", "DELIVERED", "READ"].iter().zip([
        DeliveryState::Sent,
        DeliveryState::Delivered,
        DeliveryState::Read,
    ]) {
        let event = decode(
            InputTopic::Conversation,
            &envelope(json!({"DeliveryStatus": {"wamid": "w", "status": symbol}})),
        );
        assert_eq!(
            event.payload,
            Payload::Status(DeliveryStatus {
                wamid: "w".into(),
                status: state,
                error_code: None,
                error_title: None,
                pricing_category: None,
                conversation_id: None,
                trigger_id: None,
            })
        );
    }
}

#[test]
fn agent_handoffs() {
    let event = decode(
        InputTopic::Conversation,
        &envelope(
            json!({"AgentHandoff": {"direction": "TO_AGENT", "agent_id": "agent-7", "reason": "asked for a human"}}),
        ),
    );
    assert_envelope(&event);
    assert_eq!(event.kind(), "agent_handoff");
    assert_eq!(
        event.payload,
        Payload::Handoff(AgentHandoff {
            direction: HandoffDirection::ToAgent,
            agent_id: Some("agent-7".into()),
            reason: Some("asked for a human".into()),
        })
    );
    let event = decode(
        InputTopic::Conversation,
        &envelope(json!({"AgentHandoff": {"direction": "TO_AUTOMATION"}})),
    );
    assert_eq!(
        event.payload,
        Payload::Handoff(AgentHandoff {
            direction: HandoffDirection::ToAutomation,
            agent_id: None,
            reason: None,
        })
    );
}

#[test]
fn messages_not_sent() {
    let event = decode(
        InputTopic::Conversation,
        &envelope(json!({"MessageNotSent": {
            "trigger_id": "t-1", "rule_id": "lost", "template_name": "winback",
            "outcome": "RETRY_LATER", "reasons": ["marketing_cap"], "error_code": 131049,
            "error_title": "Meta chose not to deliver", "retry_at": 1_793_714_700_123_i64,
        }})),
    );
    assert_eq!(event.kind(), "message_not_sent");
    assert_eq!(
        event.payload,
        Payload::NotSent(MessageNotSent {
            trigger_id: "t-1".into(),
            rule_id: "lost".into(),
            template_name: Some("winback".into()),
            outcome: NotSentOutcome::RetryLater,
            reasons: vec!["marketing_cap".into()],
            error_code: Some(131_049),
            error_title: Some("Meta chose not to deliver".into()),
            retry_at_ms: Some(1_793_714_700_123),
        })
    );
}

#[test]
fn stored_media_and_the_messaging_limit() {
    let event = decode(
        InputTopic::Conversation,
        &envelope(json!({"MediaStored": {
            "wamid": "wamid.in", "media_id": "m-1", "stored_url": "file:///var/scrm/media/m-1.jpg",
            "mime_type": "image/jpeg", "size_bytes": 4_000_000, "sha256": "ab", "reencoded": true,
        }})),
    );
    assert_eq!(event.kind(), "media_stored");
    let Payload::MediaStored(media) = &event.payload else {
        panic!("{event:?}")
    };
    assert!(media.reencoded);
    assert_eq!(media.size_bytes, 4_000_000);

    let event = decode(
        InputTopic::Conversation,
        &envelope(json!({"BusinessCapabilityUpdate": {
            "waba_id": "1029384756", "max_daily_conversations": 2000,
        }})),
    );
    assert_eq!(event.kind(), "business_capability_update");
    assert_eq!(
        event.payload,
        Payload::Capability(BusinessCapabilityUpdate {
            waba_id: "1029384756".into(),
            max_daily_conversations: Some(2000),
            max_phone_numbers_per_waba: None,
            max_phone_numbers_per_business: None,
        })
    );
}
