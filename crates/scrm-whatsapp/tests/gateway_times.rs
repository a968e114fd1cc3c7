//! The gateway's time check, on a clock the test sets: a webhook dated in seconds near the
//! clock goes through; one whose timestamp is in milliseconds, or a day ahead, is answered
//! 400 and kept in the dead-letter topic with the field at fault.

mod common;

use std::time::Duration;

use common::{post, signed, Edge, APP_SECRET, VERIFY_TOKEN};
use scrm_config::Secret;
use scrm_schema::TopicKind;
use scrm_time::{ManualClock, TimeBounds};
use scrm_whatsapp::gateway::seen::Seen;
use scrm_whatsapp::{Appender, Gateway, GatewayOptions, Metrics};
use scrm_whatsapp_webhook::fixtures;
use tokio_util::sync::CancellationToken;

/// The text fixture is dated 1780041600 (Unix seconds).
const FIXTURE_S: i64 = 1_780_041_600;

async fn serve(edge: &Edge, clock: &ManualClock) -> (String, CancellationToken) {
    let seen = Seen::open(&edge.dir.path().join("seen"), Duration::from_secs(3600)).unwrap();
    let router = Gateway::new(
        GatewayOptions {
            path: "/webhook".into(),
            verify_token: Secret::new(VERIFY_TOKEN),
            app_secret: Secret::new(APP_SECRET),
            body_limit_bytes: 1 << 20,
            partitions: edge.partitions,
        },
        edge.ingest(TopicKind::Conversation)
            .with_time_bounds(TimeBounds::default(), clock.shared()),
        edge.ingest(TopicKind::Dlq),
        seen,
        Appender::start(edge.log.clone(), 64),
        Metrics::default(),
    )
    .router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    tokio::spawn(scrm_http::serve(listener, router, shutdown.clone()));
    (url, shutdown)
}

fn text_dated(timestamp: &str, wamid: &str) -> String {
    let text = fixtures::get("text").unwrap();
    let mut body: serde_json::Value = serde_json::from_str(text).unwrap();
    let message = &mut body["entry"][0]["changes"][0]["value"]["messages"][0];
    assert_eq!(message["timestamp"], FIXTURE_S.to_string());
    message["timestamp"] = serde_json::json!(timestamp);
    message["id"] = serde_json::json!(wamid);
    body.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn times_are_read_against_the_gateways_clock() {
    let edge = Edge::new(2);
    let clock = ManualClock::new(FIXTURE_S * 1_000 + 1_000);
    let (url, _stop) = serve(&edge, &clock).await;
    let http = reqwest::Client::new();
    let send = |body: String| {
        let (http, url) = (http.clone(), url.clone());
        async move { post(&http, &url, body.as_bytes(), signed(body.as_bytes())).await }
    };

    let (status, text) = send(text_dated(&FIXTURE_S.to_string(), "wamid.OK")).await;
    assert_eq!(status, 200, "{text}");

    let (status, text) = send(text_dated(&(FIXTURE_S * 1_000).to_string(), "wamid.MS")).await;
    assert_eq!(status, 400, "{text}");
    assert!(
        text.contains("entry[0].changes[0].value.messages[0].timestamp: "),
        "{text}"
    );
    assert!(text.contains("looks like milliseconds"), "{text}");

    let tomorrow = (FIXTURE_S + 86_400).to_string();
    let (status, text) = send(text_dated(&tomorrow, "wamid.TOMORROW")).await;
    assert_eq!(status, 400, "a day ahead of the clock: {text}");
    // The same body once the clock has moved on is believed.
    clock.advance(Duration::from_secs(86_400));
    let (status, text) = send(text_dated(&tomorrow, "wamid.TOMORROW")).await;
    assert_eq!(status, 200, "{text}");

    let ids: Vec<String> = edge.events().iter().map(|e| e.event_id.clone()).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&"wamid.OK".to_owned()) && ids.contains(&"wamid.TOMORROW".to_owned()));
    assert_eq!(edge.records(TopicKind::Dlq).len(), 2);
}
