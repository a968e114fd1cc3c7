use std::sync::Arc;
use std::time::Duration;

use axum::routing::post;
use axum::Router;
use prometheus_client::registry::Registry;
use reqwest::StatusCode;
use scrm_http::{ApiState, Health, Secret};

use crate::support::{client, TestServer, TIMEOUT};

fn app() -> Router {
    ApiState::new(Health::new(), Arc::new(Registry::default()))
        .with_token(Some(Secret::new("t")))
        .router()
}

#[tokio::test]
async fn cancelling_the_token_stops_serve() {
    let mut server = TestServer::start(app()).await;
    // An idle keep-alive connection must not hold shutdown open.
    let client = client();
    let response = client.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let task = server.task.take().unwrap();
    assert!(!task.is_finished());
    server.shutdown.cancel();
    let result = tokio::time::timeout(TIMEOUT, task)
        .await
        .expect("serve did not return after cancellation")
        .expect("serve panicked");
    result.expect("serve failed");

    // The listener is gone: new connections are refused.
    let refused = reqwest::Client::new()
        .get(server.url("/healthz"))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(refused.is_err(), "server still answering: {refused:?}");
}

#[tokio::test]
async fn serve_keeps_running_until_cancelled() {
    let mut server = TestServer::start(app()).await;
    let task = server.task.take().unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!task.is_finished(), "serve returned without cancellation");
    server.shutdown.cancel();
    tokio::time::timeout(TIMEOUT, task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn extra_routes_merge_without_inheriting_auth() {
    let webhook = Router::new().route("/webhook", post(|body: String| async move { body }));
    let server = TestServer::start(app().merge(webhook)).await;

    let response = client()
        .post(server.url("/webhook"))
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "hello");

    // The built-in routes are still there, and the customer API still guarded.
    let response = client().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = client()
        .get(server.url("/customers/+85291234567"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let response = client().get(server.url("/nowhere")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
