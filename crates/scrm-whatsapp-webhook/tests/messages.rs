//! Every inbound-message fixture maps to one `InboundMessage` that scrm accepts, with the
//! fields of the webhook where the schema puts them.

mod common;

use common::{content_of, events, inbound, only_event, parse_fixture, validate};
use scrm_events::{CatalogItem, Content, InteractiveKind, MediaKind, SharedContact};
use scrm_whatsapp_webhook::{fixtures, parse, sign, verify_signature, MappedKind, SignatureError};

const HK_BUSINESS_NUMBER: &str = "106540352242922";

#[test]
fn every_fixture_maps_to_events_scrm_accepts() {
    assert_eq!(fixtures::ALL.len(), 23);
    for (name, _) in fixtures::ALL {
        let parsed = parse_fixture(name);
        assert!(!parsed.events.is_empty(), "{name} maps to no event");
        for mapped in &parsed.events {
            validate(mapped);
        }
    }
}

#[test]
fn every_fixture_verifies_when_signed_and_fails_when_tampered() {
    let secret = b"4f9c2a7e1d8b6053a2c9e7f1b4d6a8c0";
    for (name, body) in fixtures::ALL {
        let header = sign(secret, body.as_bytes());
        assert_eq!(
            verify_signature(secret, Some(&header), body.as_bytes()),
            Ok(()),
            "{name}"
        );
        let mut tampered = body.as_bytes().to_vec();
        let middle = tampered.len() / 2;
        tampered[middle] ^= 0x20;
        assert_eq!(
            verify_signature(secret, Some(&header), &tampered),
            Err(SignatureError::Mismatch),
            "{name}"
        );
    }
}

#[test]
fn text_in_cantonese() {
    let event = only_event("text");
    assert_eq!(
        event.event_id,
        "wamid.HBgLODUyOTEyMzQ1NjcVAgASGBQ2NUU2NTlDNDBGREYxMDk1RDBFNgA="
    );
    assert_eq!(event.customer, "+85291234567");
    assert_eq!(event.occurred_at_ms, 1_780_041_600_000);
    assert_eq!(event.source, "whatsapp-webhook");
    let message = inbound(&event);
    assert_eq!(message.wamid, event.event_id);
    assert_eq!(message.business_number.as_deref(), Some(HK_BUSINESS_NUMBER));
    assert_eq!(message.profile_name.as_deref(), Some("陳大文"));
    assert_eq!(message.phone.as_deref(), Some("+85291234567"));
    assert_eq!(message.bsuid.as_deref(), Some("HK.4419760813562790"));
    assert_eq!(message.context_wamid, None);
    assert_eq!(message.text(), Some("有冇折扣?"));
}

#[test]
fn media_of_every_kind() {
    let cases = [
        (
            "image",
            MediaKind::Image,
            "1284765093318842",
            "image/jpeg",
            Some("這件有M號嗎?"),
            None,
        ),
        (
            "audio",
            MediaKind::Audio,
            "874120563391027",
            "audio/ogg; codecs=opus",
            None,
            None,
        ),
        (
            "video",
            MediaKind::Video,
            "1932058471620093",
            "video/mp4",
            Some("Est-ce que cette robe existe en bleu ?"),
            None,
        ),
        (
            "document",
            MediaKind::Document,
            "660294817735512",
            "application/pdf",
            Some("Segue o comprovante do Pix"),
            Some("comprovante_pagamento.pdf"),
        ),
        (
            "sticker",
            MediaKind::Sticker,
            "1048837265910457",
            "image/webp",
            None,
            None,
        ),
    ];
    for (name, want_kind, want_id, want_mime, want_caption, want_filename) in cases {
        let (_, content) = content_of(name);
        let Content::Media {
            kind,
            media_id,
            mime_type,
            sha256,
            caption,
            filename,
            stored_url,
        } = content
        else {
            panic!("{name}: expected media, found {content:?}");
        };
        assert_eq!(kind, want_kind, "{name}");
        assert_eq!(media_id, want_id, "{name}");
        assert_eq!(mime_type.as_deref(), Some(want_mime), "{name}");
        assert_eq!(
            sha256.map(|s| s.len()),
            Some(44),
            "{name}: base64 of 32 bytes"
        );
        assert_eq!(caption.as_deref(), want_caption, "{name}");
        assert_eq!(filename.as_deref(), want_filename, "{name}");
        assert_eq!(stored_url, None, "{name}: not fetched yet");
    }
    let (event, _) = content_of("audio");
    // The audio fixture is in the pre-BSUID shape: no user_id anywhere.
    assert_eq!(event.customer, "+5511987654321");
    assert_eq!(inbound(&event).bsuid, None);
    assert_eq!(inbound(&event).profile_name.as_deref(), Some("Ana Souza"));
}

#[test]
fn location_in_hong_kong() {
    let (event, content) = content_of("location");
    assert_eq!(event.occurred_at_ms, 1_780_041_960_000);
    assert_eq!(
        content,
        Content::Location {
            latitude: 22.278156,
            longitude: 114.182212,
            name: Some("時代廣場 Times Square".into()),
            address: Some("1 Matheson Street, Causeway Bay, Hong Kong".into()),
        }
    );
}

#[test]
fn shared_contact_card() {
    let (event, content) = content_of("contacts");
    assert_eq!(event.customer, "+33612345678");
    assert_eq!(
        content,
        Content::Contacts {
            contacts: vec![SharedContact {
                name: "Julien Dubois".into(),
                phones: vec!["+33 6 98 76 54 32".into(), "+33 1 42 68 53 00".into()],
            }]
        }
    );
}

#[test]
fn replies_to_buttons_lists_and_template_quick_replies() {
    let (event, content) = content_of("interactive_button_reply");
    assert_eq!(
        content,
        Content::Interactive {
            kind: InteractiveKind::Button,
            reply_id: "size_m".into(),
            title: "M號".into(),
            description: None,
        }
    );
    assert_eq!(event.customer, "+886912345678");
    assert_eq!(
        inbound(&event).context_wamid.as_deref(),
        Some("wamid.HBgMODg2OTEyMzQ1Njc4FQIAEhgUNUVERTNFNjA1NTUxRDgwREY4MTkA")
    );

    let (_, content) = content_of("interactive_list_reply");
    assert_eq!(
        content,
        Content::Interactive {
            kind: InteractiveKind::List,
            reply_id: "store_sp_paulista".into(),
            title: "Loja Paulista".into(),
            description: Some("Av. Paulista, 1000 — São Paulo".into()),
        }
    );

    let (event, content) = content_of("button");
    assert_eq!(
        content,
        Content::Interactive {
            kind: InteractiveKind::Button,
            reply_id: "STOP_PROMOS".into(),
            title: "停止推廣".into(),
            description: None,
        }
    );
    assert_eq!(
        inbound(&event).context_wamid.as_deref(),
        Some("wamid.HBgLODUyOTEyMzQ1NjcVAgASGBQxQkY0QkExMDNBNjRDMDI1QTFCRQA=")
    );
}

#[test]
fn reactions_and_their_removal() {
    let target = "wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQ2N0UwQ0I0OEI4M0YzQzQ0RUVBQQA=";
    let (_, content) = content_of("reaction");
    assert_eq!(
        content,
        Content::Reaction {
            message_wamid: target.into(),
            emoji: Some("\u{2764}\u{fe0f}".into()),
        }
    );
    let (event, content) = content_of("reaction_removed");
    assert_eq!(
        content,
        Content::Reaction {
            message_wamid: target.into(),
            emoji: None,
        }
    );
    assert_eq!(
        event.event_id,
        "wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQwQUNBQjY5NTAwOEQ3OEY3RDE0MwA="
    );

    // An empty emoji is a removal too.
    let body = fixtures::get("reaction")
        .unwrap_or_default()
        .replace("\u{2764}\u{fe0f}", "");
    let parsed = parse(body.as_bytes(), 0).expect("parses");
    let event = validate(&parsed.events[0]);
    assert!(matches!(
        inbound(&event).content,
        Content::Reaction { emoji: None, .. }
    ));
}

#[test]
fn order_prices_in_minor_units() {
    let (event, content) = content_of("order");
    assert_eq!(event.customer, "+5511987654321");
    assert_eq!(
        content,
        Content::Order {
            catalog_id: "1093527361842507".into(),
            items: vec![
                CatalogItem {
                    sku: "TEE-AZUL-M".into(),
                    quantity: 2,
                    unit_price_minor: 8990,
                    currency: "BRL".into(),
                },
                CatalogItem {
                    sku: "BONE-PRETO".into(),
                    quantity: 1,
                    unit_price_minor: 3450,
                    currency: "BRL".into(),
                },
            ],
            text: Some("Vocês têm desconto para duas camisetas?".into()),
        }
    );

    // Yen have no minor unit, dinars three; the same body in other currencies.
    let body = fixtures::get("order").unwrap_or_default();
    let yen = body.replace("\"BRL\"", "\"JPY\"").replace("89.9", "1499.5");
    let kwd = body
        .replace("\"BRL\"", "\"KWD\"")
        .replace("89.9", "12.3456");
    for (body, want) in [(yen, 1500), (kwd, 12_346)] {
        let event = validate(&parse(body.as_bytes(), 0).expect("parses").events[0]);
        let Content::Order { items, .. } = &inbound(&event).content else {
            panic!("expected an order");
        };
        assert_eq!(items[0].unit_price_minor, want);
    }
}

#[test]
fn unsupported_types_are_kept_not_failed() {
    let (event, content) = content_of("unsupported");
    assert_eq!(event.customer, "+886912345678");
    assert_eq!(
        content,
        Content::Unsupported {
            whatsapp_type: "unsupported".into()
        }
    );
    for (kind, extra, want) in [
        (
            "system",
            r#""system": {"body": "changed number"}"#,
            "system",
        ),
        ("request_welcome", r#""x": 1"#, "request_welcome"),
        ("poll_v9", r#""x": 1"#, "poll_v9"),
        (
            "interactive",
            r#""interactive": {"type": "nfm_reply", "nfm_reply": {"response_json": "{}"}}"#,
            "interactive.nfm_reply",
        ),
    ] {
        let body = format!(
            r#"{{"object": "whatsapp_business_account", "entry": [{{"id": "1", "changes": [{{
            "field": "messages", "value": {{"messages": [{{"from": "85291234567",
            "id": "wamid.A", "timestamp": 1780041600, "type": "{kind}", {extra}}}]}}}}]}}]}}"#
        );
        let parsed = parse(body.as_bytes(), 0).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let event = validate(&parsed.events[0]);
        assert_eq!(
            inbound(&event).content,
            Content::Unsupported {
                whatsapp_type: want.into()
            }
        );
        // No contacts in this body: no profile name, and the number alone is the key.
        assert_eq!(inbound(&event).profile_name, None);
        assert_eq!(event.customer, "+85291234567");
    }
}

#[test]
fn a_user_without_a_visible_number_is_keyed_by_bsuid() {
    let event = only_event("bsuid");
    assert_eq!(event.customer, "HK.8830571946023417");
    let message = inbound(&event);
    assert_eq!(message.bsuid.as_deref(), Some("HK.8830571946023417"));
    assert_eq!(message.phone, None);
    assert_eq!(message.profile_name.as_deref(), Some("Kelvin"));
    assert_eq!(message.text(), Some("我想問下幾時到貨?"));
}

#[test]
fn several_entries_and_changes_keep_body_order_and_match_contacts() {
    let parsed = parse_fixture("multi");
    assert_eq!(parsed.ignored, ["message_template_status_update"]);
    let kinds: Vec<_> = parsed.events.iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        [
            MappedKind::Message,
            MappedKind::Message,
            MappedKind::Message,
            MappedKind::Status
        ]
    );
    let events = events("multi");
    let people: Vec<_> = events
        .iter()
        .take(3)
        .map(|e| {
            let m = inbound(e);
            (
                e.customer.as_str(),
                m.profile_name.as_deref(),
                m.business_number.as_deref(),
                m.text(),
            )
        })
        .collect();
    assert_eq!(
        people,
        [
            (
                "+33612345678",
                Some("Camille Martin"),
                Some(HK_BUSINESS_NUMBER),
                Some("Avez-vous une réduction ?")
            ),
            (
                "+5511987654321",
                Some("Ana Souza"),
                Some("118934027765310"),
                Some("Vocês têm desconto?")
            ),
            (
                "+886912345678",
                Some("林怡君"),
                Some("118934027765310"),
                Some("請問有折扣碼嗎?")
            ),
        ]
    );
    assert_eq!(inbound(&events[1]).bsuid, None);
    assert_eq!(
        inbound(&events[2]).bsuid.as_deref(),
        Some("TW.5532008174420913")
    );
}
