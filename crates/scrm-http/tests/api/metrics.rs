use std::sync::Arc;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::registry::Registry;
use reqwest::header::CONTENT_TYPE;
use reqwest::StatusCode;
use scrm_http::{ApiState, Health, OPENMETRICS_CONTENT_TYPE};

use crate::support::{client, TestServer};

#[tokio::test]
async fn metrics_exposes_registered_counter() {
    let mut registry = Registry::default();
    let events: Counter = Counter::default();
    registry.register(
        "scrm_test_events",
        "Events seen by the test",
        events.clone(),
    );
    let server = TestServer::start(ApiState::new(Health::new(), Arc::new(registry)).router()).await;

    events.inc_by(41);
    events.inc();
    let response = client().get(server.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[CONTENT_TYPE],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert_eq!(OPENMETRICS_CONTENT_TYPE, response.headers()[CONTENT_TYPE]);
    let body = response.text().await.unwrap();
    assert!(
        body.lines().any(|line| line == "scrm_test_events_total 42"),
        "{body}"
    );
    assert!(
        body.contains("# HELP scrm_test_events Events seen by the test."),
        "{body}"
    );
    assert!(body.ends_with("# EOF\n"), "{body}");

    // Values are read at scrape time, not captured when the server started.
    events.inc();
    let body = client()
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.lines().any(|line| line == "scrm_test_events_total 43"),
        "{body}"
    );
}
