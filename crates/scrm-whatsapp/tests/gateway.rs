//! The webhook gateway over real HTTP on 127.0.0.1, a real embedded log, and the real
//! processor carrying its events into customer state.

mod common;

use common::{post, signed, Edge, APP_SECRET, VERIFY_TOKEN};
use scrm_events::{Content, DeliveryState, Payload};
use scrm_schema::TopicKind;
use scrm_state::MessageStatus;
use scrm_whatsapp_webhook::fixtures;

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_round_trips_into_the_log_and_the_processors_state() {
    let mut edge = Edge::new(3);
    let (url, _stop) = edge.serve_gateway(3 << 20).await;
    let http = client();
    // Fixtures share some ids (a status in two bodies): each id is appended once, a
    // business-wide event once per partition.
    let mut expected = std::collections::BTreeMap::new();
    for (name, body) in fixtures::ALL {
        let parsed = scrm_whatsapp_webhook::parse(body.as_bytes(), 0).unwrap();
        for e in &parsed.events {
            expected.insert(e.event_id.clone(), if e.broadcast { 3 } else { 1 });
        }
        let (status, text) = post(&http, &url, body.as_bytes(), signed(body.as_bytes())).await;
        assert_eq!(status, 200, "{name}: {text}");
    }
    let events = edge.events();
    assert_eq!(events.len(), expected.values().sum::<usize>());
    let kinds: std::collections::BTreeSet<&str> = events.iter().map(|e| e.kind()).collect();
    for kind in [
        "inbound_message",
        "delivery_status",
        "business_capability_update",
    ] {
        assert!(kinds.contains(kind), "{kind} missing: {kinds:?}");
    }
    let contents: std::collections::BTreeSet<&str> = events
        .iter()
        .filter_map(|e| e.payload.as_inbound().map(|m| m.content.kind()))
        .collect();
    assert!(contents.len() >= 8, "{contents:?}");
    assert!(edge.records(TopicKind::Dlq).is_empty());

    edge.process();
    // A text in Cantonese from Hong Kong: inbound time, profile name, language.
    let text = events
        .iter()
        .find(|e| {
            matches!(
                e.payload.as_inbound().map(|m| &m.content),
                Some(Content::Text { .. })
            )
        })
        .unwrap();
    let state = edge.state(&text.customer);
    assert_eq!(state.last_inbound_ms, Some(text.occurred_at_ms));
    assert!(state.profile_name.is_some());
    // A shared location lands in state.
    let location = events
        .iter()
        .find(|e| {
            matches!(
                e.payload.as_inbound().map(|m| &m.content),
                Some(Content::Location { .. })
            )
        })
        .unwrap();
    assert!(edge.state(&location.customer).location.is_some());
    // A failed status with its error code is on the message's trail.
    let failed = events
        .iter()
        .find(|e| matches!(&e.payload, Payload::Status(s) if s.status == DeliveryState::Failed))
        .unwrap();
    let Payload::Status(status) = &failed.payload else {
        unreachable!()
    };
    let trail = edge.state(&failed.customer).messages;
    let message = trail.iter().find(|m| m.wamid == status.wamid).unwrap();
    assert_eq!(message.status, MessageStatus::Failed);
    assert_eq!(message.error_code, status.error_code);
    // The messaging limit reached every partition.
    for p in 0..3 {
        let limit = edge
            .meta(p)
            .messaging_limit
            .expect("messaging limit on every partition");
        assert!(!limit.waba_id.is_empty());
    }
}

fn status_body(wamid: &str, status: &str, ts: i64, errors: bool) -> String {
    let errors = if errors {
        r#","errors":[{"code":131026,"title":"Message undeliverable"}]"#
    } else {
        ""
    };
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"85230012345","phone_number_id":"106540352242922"}},"statuses":[{{"id":"{wamid}","status":"{status}","timestamp":"{ts}","recipient_id":"85291234567"{errors}}}]}}}}]}}]}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_count_once_and_out_of_order_statuses_end_right() {
    let mut edge = Edge::new(2);
    let (url, _stop) = edge.serve_gateway(1 << 20).await;
    let http = client();
    let text = fixtures::get("text").unwrap().as_bytes();
    for _ in 0..3 {
        let (status, body) = post(&http, &url, text, signed(text)).await;
        assert_eq!(status, 200, "{body}");
    }
    // Meta's retries of the same delivery, concurrently.
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (http, url) = (http.clone(), url.clone());
            tokio::spawn(async move { post(&http, &url, text, signed(text)).await.0 })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    assert_eq!(edge.events().len(), 1, "one event for seven deliveries");

    // Read before delivered; delivered arriving twice; failed after delivered.
    let a = "wamid.HBgLODUyOTEyMzQ1NjcVAgARGBJBQUFBQUFBQUFBQUFBQUFBAA==";
    let b = "wamid.HBgLODUyOTEyMzQ1NjcVAgARGBJCQkJCQkJCQkJCQkJCQkJCAA==";
    for body in [
        status_body(a, "sent", 1_780_000_000, false),
        status_body(a, "read", 1_780_000_060, false),
        status_body(a, "delivered", 1_780_000_030, false),
        status_body(a, "delivered", 1_780_000_030, false),
        status_body(b, "sent", 1_780_000_000, false),
        status_body(b, "delivered", 1_780_000_010, false),
        status_body(b, "failed", 1_780_000_020, true),
        status_body(b, "read", 1_780_000_030, false),
    ] {
        let (status, text) = post(&http, &url, body.as_bytes(), signed(body.as_bytes())).await;
        assert_eq!(status, 200, "{text}");
    }
    let statuses = edge
        .events()
        .iter()
        .filter(|e| e.kind() == "delivery_status")
        .count();
    assert_eq!(statuses, 7, "the repeated delivered status counts once");
    edge.process();
    let trail = edge.state("+85291234567").messages;
    let status_of = |w: &str| trail.iter().find(|m| m.wamid == w).unwrap().status;
    assert_eq!(status_of(a), MessageStatus::Read);
    assert_eq!(status_of(b), MessageStatus::Failed);
    assert_eq!(
        trail.iter().find(|m| m.wamid == b).unwrap().error_code,
        Some(131026)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_or_badly_signed_posts_get_401_and_nothing_is_written() {
    let edge = Edge::new(1);
    let (url, _stop) = edge.serve_gateway(1 << 20).await;
    let http = client();
    let body = fixtures::get("text").unwrap().as_bytes();
    let mut tampered = body.to_vec();
    let at = tampered.iter().position(|b| *b == b'1').unwrap();
    tampered[at] = b'2';
    let good = scrm_whatsapp_webhook::sign(APP_SECRET.as_bytes(), body);
    let cases: Vec<(&str, Vec<u8>, Option<String>)> = vec![
        ("missing", body.to_vec(), None),
        (
            "wrong secret",
            body.to_vec(),
            Some(scrm_whatsapp_webhook::sign(b"another-secret", body)),
        ),
        ("tampered body", tampered, Some(good.clone())),
        (
            "wrong prefix",
            body.to_vec(),
            Some(good.replacen("sha256=", "sha1=", 1)),
        ),
        ("not hex", body.to_vec(), Some("sha256=zz".into())),
    ];
    for (name, body, signature) in cases {
        let (status, text) = post(&http, &url, &body, signature).await;
        assert_eq!(status, 401, "{name}: {text}");
    }
    assert!(edge.records(TopicKind::Conversation).is_empty());
    assert!(edge.records(TopicKind::Dlq).is_empty());
    // The same body, rightly signed, goes through.
    assert_eq!(post(&http, &url, body, signed(body)).await.0, 200);
    assert_eq!(edge.records(TopicKind::Conversation).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_get_400_and_go_to_the_dead_letter_topic_whole() {
    let edge = Edge::new(1);
    let (url, _stop) = edge.serve_gateway(64 << 10).await;
    let http = client();
    let cases: [&[u8]; 3] = [
        b"{not json",
        br#"{"object":"page","entry":[]}"#,
        br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"from":"85291234567","timestamp":"1780000000","type":"text","text":{"body":"hi"}}]}}]}]}"#,
    ];
    for body in cases {
        let (status, text) = post(&http, &url, body, signed(body)).await;
        assert_eq!(status, 400, "{text}");
        assert!(text.contains("error"), "{text}");
    }
    let letters = edge.records(TopicKind::Dlq);
    assert_eq!(letters.len(), 3);
    let schema = scrm_schema::Catalog::embedded()
        .current("scrm.dlq.DeadLetter")
        .unwrap();
    let value = edge.codec.decode(&letters[2].value, schema).unwrap();
    let Some(apache_avro::types::Value::Bytes(original)) =
        scrm_schema::record_field(&value, "original_value")
    else {
        panic!("{value:?}")
    };
    assert_eq!(original.as_slice(), cases[2]);
    let reason = letters[2]
        .headers
        .iter()
        .find(|(k, _)| k == "scrm.error.reason")
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .unwrap();
    assert!(reason.contains("messages[0].id"), "{reason}");
    assert!(edge.records(TopicKind::Conversation).is_empty());

    // Over the body limit: 413, nothing written.
    let big = vec![b' '; 65 << 10];
    assert_eq!(post(&http, &url, &big, signed(&big)).await.0, 413);
    assert_eq!(edge.records(TopicKind::Dlq).len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subscription_handshake_echoes_the_challenge_only_for_the_right_token() {
    let edge = Edge::new(1);
    let (url, _stop) = edge.serve_gateway(1 << 20).await;
    let http = client();
    let ok = http
        .get(format!(
            "{url}?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    for query in [
        "hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1",
        "hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1",
        "hub.mode=subscribe&hub.verify_token=verify-me",
    ] {
        let refused = http.get(format!("{url}?{query}")).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 403, "{query}");
    }
}
