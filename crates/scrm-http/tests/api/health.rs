use std::sync::Arc;

use prometheus_client::registry::Registry;
use reqwest::StatusCode;
use scrm_http::{ApiState, Health};
use serde_json::Value;

use crate::support::{client, TestServer};

async fn server(health: &Health) -> TestServer {
    TestServer::start(ApiState::new(health.clone(), Arc::new(Registry::default())).router()).await
}

async fn readyz(server: &TestServer) -> (StatusCode, Value) {
    let response = client().get(server.url("/readyz")).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn healthz_is_ok_even_when_not_ready() {
    let health = Health::new();
    let _stuck = health.component("processor");
    let server = server(&health).await;

    let response = client().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn readyz_waits_for_every_component() {
    let health = Health::new();
    let processor = health.component("processor");
    let gateway = health.component("gateway");
    let server = server(&health).await;

    processor.set_ready(false, "restoring state: 40%");
    let (status, body) = readyz(&server).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["ready"], false);
    assert_eq!(
        body["not_ready"],
        serde_json::json!(["gateway", "processor"])
    );
    assert_eq!(body["components"]["processor"]["ready"], false);
    assert_eq!(
        body["components"]["processor"]["detail"],
        "restoring state: 40%"
    );
    assert_eq!(body["components"]["gateway"]["detail"], "starting");

    // One ready is not enough.
    gateway.set_ready(true, "listening");
    let (status, body) = readyz(&server).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["not_ready"], serde_json::json!(["processor"]));
    assert_eq!(body["components"]["gateway"]["ready"], true);

    processor.set_ready(true, "caught up");
    let (status, body) = readyz(&server).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["ready"], true);
    assert_eq!(body["not_ready"], serde_json::json!([]));
    assert_eq!(body["components"]["processor"]["detail"], "caught up");
    assert_eq!(body["components"]["gateway"]["ready"], true);
}

#[tokio::test]
async fn process_switch_overrides_components() {
    let health = Health::new();
    health.component("processor").set_ready(true, "");
    let server = server(&health).await;
    assert_eq!(readyz(&server).await.0, StatusCode::OK);

    health.set_not_ready("shutting down");
    let (status, body) = readyz(&server).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["not_ready"], serde_json::json!(["process"]));
    assert_eq!(body["components"]["process"]["detail"], "shutting down");

    health.set_ready(true);
    assert_eq!(readyz(&server).await.0, StatusCode::OK);
}
