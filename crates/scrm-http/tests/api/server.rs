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

#[tokio::test(start_paused = true)]
async fn a_half_sent_request_holds_shutdown_up_only_for_the_drain_grace() {
    use tokio::io::AsyncWriteExt as _;

    let entered = Arc::new(tokio::sync::Notify::new());
    let signal = entered.clone();
    let slow = Router::new().route(
        "/slow",
        post(move |body: axum::body::Body| {
            let signal = signal.clone();
            async move {
                signal.notify_one();
                let _ = axum::body::to_bytes(body, usize::MAX).await;
                "done"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(scrm_http::serve(
        listener,
        app().merge(slow),
        shutdown.clone(),
    ));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"POST /slow HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\nhalf of it")
        .await
        .unwrap();
    entered.notified().await;

    // The clock is paused: it moves only to the next timer once everything waits.
    let asked = tokio::time::Instant::now();
    shutdown.cancel();
    task.await.unwrap().unwrap();
    let waited = asked.elapsed();
    assert!(
        waited >= scrm_http::DRAIN_GRACE && waited < scrm_http::REQUEST_TIMEOUT,
        "serve returned after {waited:?}"
    );
    drop(stream);
}
