use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use prometheus_client::registry::Registry;
use reqwest::header::{AUTHORIZATION, CACHE_CONTROL, WWW_AUTHENTICATE};
use reqwest::StatusCode;
use scrm_http::{ApiState, CustomerLookup, Health, LookupError, Secret};
use serde_json::{json, Value};

use crate::support::{client, TestServer};

const TOKEN: &str = "test-token-0123456789";
const PHONE: &str = "+85291234567";

/// An in-memory store that records the keys it was asked for, and fails on demand for
/// keys with a known prefix.
#[derive(Default)]
struct FakeStore {
    customers: HashMap<String, Value>,
    asked: Mutex<Vec<String>>,
}

impl FakeStore {
    fn with_customer(key: &str, state: Value) -> Self {
        let mut store = Self::default();
        store.customers.insert(key.to_owned(), state);
        store
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl CustomerLookup for FakeStore {
    fn lookup(&self, key: &str) -> Result<Option<Value>, LookupError> {
        self.asked.lock().unwrap().push(key.to_owned());
        if key.starts_with("bad") {
            return Err(LookupError::BadKey("not a phone number or BSUID".into()));
        }
        if key.starts_with("restoring") {
            return Err(LookupError::NotReady("state store restoring".into()));
        }
        if key.starts_with("broken") {
            return Err(LookupError::Internal("rocksdb: IO error: disk full".into()));
        }
        if key.starts_with("panic") {
            panic!("lookup exploded");
        }
        Ok(self.customers.get(key).cloned())
    }
}

fn state() -> Value {
    json!({ "key": PHONE, "stage": "lead", "messages_7d": 3 })
}

async fn server(store: Option<Arc<FakeStore>>, token: Option<&str>) -> TestServer {
    let mut api = ApiState::new(Health::new(), Arc::new(Registry::default()))
        .with_token(token.map(Secret::new));
    if let Some(store) = store {
        api = api.with_customers(store);
    }
    TestServer::start(api.router()).await
}

async fn get(server: &TestServer, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = client().get(server.url(path));
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    request.send().await.unwrap()
}

async fn error_of(response: reqwest::Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["error"].as_str().expect("JSON error body").to_owned()
}

#[tokio::test]
async fn rejects_missing_and_wrong_tokens() {
    let store = Arc::new(FakeStore::with_customer(PHONE, state()));
    let server = server(Some(store.clone()), Some(TOKEN)).await;
    let path = format!("/customers/{PHONE}");

    let missing = get(&server, &path, None).await;
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    let challenge = missing.headers()[WWW_AUTHENTICATE].to_str().unwrap();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert!(!error_of(missing).await.is_empty());

    for wrong in ["nope", "test-token-012345678", "test-token-01234567890"] {
        let response = get(&server, &path, Some(wrong)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{wrong}");
        let challenge = response.headers()[WWW_AUTHENTICATE].to_str().unwrap();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        assert!(challenge.contains("invalid_token"), "{challenge}");
    }

    // Right token, wrong scheme.
    let basic = client()
        .get(server.url(&path))
        .header(AUTHORIZATION, format!("Basic {TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);

    assert!(store.asked().is_empty(), "lookup ran without auth");
}

#[tokio::test]
async fn serves_state_with_the_right_token() {
    let store = Arc::new(FakeStore::with_customer(PHONE, state()));
    let server = server(Some(store.clone()), Some(TOKEN)).await;

    let response = get(&server, &format!("/customers/{PHONE}"), Some(TOKEN)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    assert_eq!(response.json::<Value>().await.unwrap(), state());
    assert_eq!(store.asked(), [PHONE]);
}

#[tokio::test]
async fn decodes_the_key_and_keeps_literal_plus() {
    let store = Arc::new(FakeStore::with_customer(PHONE, state()));
    let server = server(Some(store.clone()), Some(TOKEN)).await;

    for path in ["/customers/%2B85291234567", "/customers/+85291234567"] {
        let response = get(&server, path, Some(TOKEN)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.json::<Value>().await.unwrap(), state(), "{path}");
    }
    let response = get(&server, "/customers/US.1%203", Some(TOKEN)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(store.asked(), [PHONE, PHONE, "US.1 3"]);

    // Not UTF-8 after decoding: refused before the store sees it.
    let response = get(&server, "/customers/%FF%FE", Some(TOKEN)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(!error_of(response).await.is_empty());
    assert_eq!(store.asked().len(), 3);
}

#[tokio::test]
async fn unknown_customer_is_404() {
    let server = server(Some(Arc::new(FakeStore::default())), Some(TOKEN)).await;
    let response = get(&server, "/customers/+85200000000", Some(TOKEN)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_of(response).await, "unknown customer");
}

#[tokio::test]
async fn lookup_errors_map_to_statuses() {
    let server = server(Some(Arc::new(FakeStore::default())), Some(TOKEN)).await;

    let response = get(&server, "/customers/bad-key", Some(TOKEN)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(response).await, "not a phone number or BSUID");

    let response = get(&server, "/customers/restoring-1", Some(TOKEN)).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_of(response).await, "state store restoring");

    // Internal details stay in the log.
    let response = get(&server, "/customers/broken-1", Some(TOKEN)).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let message = error_of(response).await;
    assert!(!message.contains("rocksdb"), "{message}");

    // A panicking store costs one request, not the server.
    let response = get(&server, "/customers/panic-1", Some(TOKEN)).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let response = get(&server, "/customers/+85200000000", Some(TOKEN)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn no_token_configured_disables_the_api() {
    for token in [None, Some("")] {
        let store = Arc::new(FakeStore::with_customer(PHONE, state()));
        let server = server(Some(store.clone()), token).await;

        for presented in [None, Some(""), Some("anything")] {
            let response = get(&server, &format!("/customers/{PHONE}"), presented).await;
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
            let message = error_of(response).await;
            assert!(message.contains("token not configured"), "{message}");
        }
        assert!(
            store.asked().is_empty(),
            "served customer data without a token"
        );
    }
}

#[tokio::test]
async fn no_lookup_is_503_after_auth() {
    let server = server(None, Some(TOKEN)).await;
    let response = get(&server, &format!("/customers/{PHONE}"), None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = get(&server, &format!("/customers/{PHONE}"), Some(TOKEN)).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}
