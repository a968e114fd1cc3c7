//! A strict local HubSpot: what the tests (and the demo) point the HubSpot sink at, since
//! HubSpot's cloud cannot run here. A real HTTP server on 127.0.0.1 implementing the
//! documented subset of HubSpot's API the sink calls, refusing what HubSpot refuses, in
//! HubSpot's error shapes:
//!
//! - `Authorization: Bearer <token>` on every request (401 without, with another token, or
//!   once the token is expired);
//! - only the sink's paths: `POST /crm/v3/objects/{object}/batch/{upsert,read,archive}`,
//!   `POST /crm/v3/objects/contacts/gdpr-delete`,
//!   `POST /crm/v4/associations/{object}/contacts/batch/associate/default`,
//!   `GET /crm/v4/objects/contacts/{id}/associations/{object}` (404 otherwise);
//! - `Content-Type: application/json` (415), bodies of HubSpot's shape with no unknown
//!   field (400), at most 100 inputs (400), `idProperty` a unique property of the object,
//!   no id twice in a batch; per record ([`store`]): properties that exist with values of
//!   their type, `hs_timestamp` on notes and tasks, stages of the pipeline;
//! - the rate-limit headers on every answer, its daily budget and interval limit counted
//!   (429 past them).
//!
//! It keeps what HubSpot would hold ([`Held`]), and answers faults on demand
//! ([`HubspotServer::fail_next`]), including a 500 after applying the request.

mod answer;
pub mod schema;
pub mod store;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use scrm_time::{SharedClock, SystemClock};
use tokio::task::JoinHandle;

use crate::hubspot::api::{headers as rl, Object};
use answer::{fault_answer, rate_limited, refusal, route, Answer};
pub use schema::{Kind, Schema};
use store::api_error;
pub use store::{Association, Record, Store};

/// What the server holds and has seen.
#[derive(Debug, Clone)]
pub struct Held {
    pub store: Store,
    /// Every request, in arrival order.
    pub requests: Vec<Request>,
}

impl Held {
    /// A record by its unique key (customer key, deal key, case key, command id).
    pub fn by_key(&self, object: Object, key: &str) -> Option<&Record> {
        self.store.find(object, object.id_property(), key)
    }

    /// The records of `object` held.
    pub fn all(&self, object: Object) -> Vec<&Record> {
        self.store
            .records
            .get(&object)
            .map(|t| t.values().collect())
            .unwrap_or_default()
    }

    /// The contact ids record `id` of `from` is associated with, with the type ids.
    pub fn contacts_of(&self, from: Object, id: &str) -> Vec<(String, u32)> {
        self.store
            .associations
            .iter()
            .filter(|a| a.from == from && a.from_id == id)
            .map(|a| (a.contact_id.clone(), a.type_id))
            .collect()
    }

    /// Requests to paths ending with `suffix`.
    pub fn calls(&self, suffix: &str) -> Vec<&Request> {
        self.requests
            .iter()
            .filter(|r| r.path.ends_with(suffix))
            .collect()
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// The body, as sent.
    pub body: String,
}

/// An answer given instead of (or after) handling a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub status: u16,
    /// `Retry-After`, in seconds.
    pub retry_after: Option<u64>,
    /// Apply the request first, then answer the fault (the answer is lost, the write not).
    pub apply_first: bool,
    /// The error's `message` (a default one for the status when none).
    pub message: Option<String>,
}

impl Fault {
    pub fn status(status: u16) -> Fault {
        Fault {
            status,
            retry_after: None,
            apply_first: false,
            message: None,
        }
    }

    /// A refusal with HubSpot's `message`.
    pub fn refused(status: u16, message: &str) -> Fault {
        Fault {
            message: Some(message.to_owned()),
            ..Fault::status(status)
        }
    }

    /// 429 for HubSpot's ten-second limit, with `Retry-After`.
    pub fn rate_limited(retry_after_s: u64) -> Fault {
        Fault {
            retry_after: Some(retry_after_s),
            ..Fault::status(429)
        }
    }

    /// The request is applied, and the answer is `status` anyway.
    pub fn after_applying(status: u16) -> Fault {
        Fault {
            apply_first: true,
            ..Fault::status(status)
        }
    }
}

struct Account {
    token: String,
    expired: bool,
    store: Store,
    requests: Vec<Request>,
    /// The next requests' answers: a fault, or none (answered as usual).
    faults: VecDeque<Option<Fault>>,
    /// Faults for the next request to a path ending so, before the others.
    aimed: Vec<(String, Fault)>,
    daily: u64,
    daily_remaining: u64,
    interval_max: u64,
    interval_ms: i64,
    /// The current interval's start and its requests.
    window: (i64, u64),
    correlation: u64,
}

struct Shared {
    clock: SharedClock,
    account: Mutex<Account>,
}

/// A running local HubSpot; dropping it stops the server.
pub struct HubspotServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for HubspotServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubspotServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for HubspotServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl HubspotServer {
    /// Starts on 127.0.0.1 (a free port) on the current runtime, taking `token` as its
    /// private app's token, on the system clock.
    pub async fn start(token: &str) -> std::io::Result<HubspotServer> {
        Self::start_with_clock(token, SystemClock::shared()).await
    }

    /// Starts with `clock` counting its intervals (a test's manual clock).
    pub async fn start_with_clock(
        token: &str,
        clock: SharedClock,
    ) -> std::io::Result<HubspotServer> {
        let shared = Arc::new(Shared {
            clock,
            account: Mutex::new(Account {
                token: token.to_owned(),
                expired: false,
                store: Store::default(),
                requests: Vec::new(),
                faults: VecDeque::new(),
                aimed: Vec::new(),
                daily: 250_000,
                daily_remaining: 250_000,
                interval_max: 100,
                interval_ms: 10_000,
                window: (i64::MIN, 0),
                correlation: 0,
            }),
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "the local HubSpot stopped");
            }
        });
        Ok(HubspotServer { addr, shared, task })
    }

    /// The address to configure as `crm.hubspot.url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A copy of what it holds and has seen.
    pub fn held(&self) -> Held {
        let a = self.shared.account.lock();
        Held {
            store: a.store.clone(),
            requests: a.requests.clone(),
        }
    }

    /// Answers the next `times` requests (after authentication) with `fault`.
    pub fn fail_next(&self, fault: Fault, times: usize) {
        let mut a = self.shared.account.lock();
        a.faults.extend(std::iter::repeat_n(Some(fault), times));
    }

    /// Answers the next `passing` requests as usual and the one after them with `fault`.
    pub fn fail_after(&self, passing: usize, fault: Fault) {
        let mut a = self.shared.account.lock();
        a.faults.extend(std::iter::repeat_n(None, passing));
        a.faults.push_back(Some(fault));
    }

    /// Answers the next request to a path ending with `suffix` with `fault`, whatever
    /// comes before it.
    pub fn fail_on(&self, suffix: &str, fault: Fault) {
        let mut a = self.shared.account.lock();
        a.aimed.push((suffix.to_owned(), fault));
    }

    /// The token stops working (401 `EXPIRED_AUTHENTICATION`).
    pub fn expire_token(&self) {
        self.shared.account.lock().expired = true;
    }

    /// A new token is the app's (the old one stops working).
    pub fn set_token(&self, token: &str) {
        let mut a = self.shared.account.lock();
        a.token = token.to_owned();
        a.expired = false;
    }

    /// Requests left today (the daily limit stays).
    pub fn daily_remaining(&self, n: u64) {
        self.shared.account.lock().daily_remaining = n;
    }

    /// The daily limit, with all of it left (a new day).
    pub fn reset_daily(&self) {
        let mut a = self.shared.account.lock();
        a.daily_remaining = a.daily;
    }

    /// At most `max` requests per `interval_ms`.
    pub fn interval_limit(&self, max: u64, interval_ms: i64) {
        let mut a = self.shared.account.lock();
        (a.interval_max, a.interval_ms) = (max, interval_ms);
    }

    /// Defines a custom property (a rule's own contact field, say).
    pub fn define_property(&self, object: Object, name: &str, kind: Kind) {
        self.shared
            .account
            .lock()
            .store
            .schema
            .define(object, name, kind);
    }
}

impl Account {
    fn authenticate(&self, headers: &HeaderMap) -> Result<(), Answer> {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let (message, category) = match given {
            None => (
                "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                "INVALID_AUTHENTICATION",
            ),
            Some(t) if t != self.token => (
                "The access token provided is invalid or was revoked.",
                "INVALID_AUTHENTICATION",
            ),
            Some(_) if self.expired => (
                "The OAuth token used to make this call expired 1 minute(s) ago.",
                "EXPIRED_AUTHENTICATION",
            ),
            Some(_) => return Ok(()),
        };
        Err(refusal((401, api_error(message, category))))
    }

    /// Counts a request against the day and the interval.
    fn spend(&mut self, now_ms: i64) -> Result<(), Answer> {
        if self.daily_remaining == 0 {
            return Err(rate_limited("DAILY", "You have reached your daily limit."));
        }
        self.daily_remaining -= 1;
        if now_ms >= self.window.0.saturating_add(self.interval_ms) {
            self.window = (now_ms, 0);
        }
        self.window.1 += 1;
        if self.window.1 > self.interval_max {
            return Err(rate_limited(
                "TEN_SECONDLY_ROLLING",
                "You have reached your ten_secondly_rolling limit.",
            ));
        }
        Ok(())
    }

    fn take_fault(&mut self, path: &str) -> Option<Fault> {
        match self
            .aimed
            .iter()
            .position(|(suffix, _)| path.ends_with(suffix.as_str()))
        {
            Some(at) => Some(self.aimed.remove(at).1),
            None => self.faults.pop_front().flatten(),
        }
    }

    fn rate_headers(&self) -> [(&'static str, String); 5] {
        let remaining = self.interval_max.saturating_sub(self.window.1);
        [
            (rl::DAILY, self.daily.to_string()),
            (rl::DAILY_REMAINING, self.daily_remaining.to_string()),
            (rl::MAX, self.interval_max.to_string()),
            (rl::REMAINING, remaining.to_string()),
            (rl::INTERVAL_MS, self.interval_ms.to_string()),
        ]
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = shared.clock.now_ms();
    let mut a = shared.account.lock();
    let mut retry_after = None;
    let (status, mut text) = match a.authenticate(&headers) {
        Err(answer) => answer,
        Ok(()) => match a.spend(now) {
            Err(answer) => answer,
            Ok(()) => {
                let json = headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("application/json"));
                match route(&method, uri.path()) {
                    None => refusal((
                        404,
                        api_error(
                            format!("No route for {method} {}", uri.path()),
                            "OBJECT_NOT_FOUND",
                        ),
                    )),
                    Some(_) if method == Method::POST && !json => refusal((
                        415,
                        api_error(
                            "Unsupported Media Type: send application/json",
                            "VALIDATION_ERROR",
                        ),
                    )),
                    Some(route) => match a.take_fault(uri.path()) {
                        Some(fault) => {
                            if fault.apply_first {
                                a.dispatch(route, &body, now);
                            }
                            retry_after = fault.retry_after;
                            fault_answer(&fault)
                        }
                        None => a.dispatch(route, &body, now),
                    },
                }
            }
        },
    };
    a.correlation += 1;
    if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&text) {
        if let Some(obj) = v
            .as_object_mut()
            .filter(|o| o.contains_key("correlationId"))
        {
            obj.insert(
                "correlationId".into(),
                format!("00000000-0000-4000-8000-{:012}", a.correlation).into(),
            );
            text = v.to_string();
        }
    }
    a.requests.push(Request {
        method: method.to_string(),
        path: uri.path().to_owned(),
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        text,
    )
        .into_response();
    let h = response.headers_mut();
    if status != 204 {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=utf-8"),
        );
    }
    for (name, value) in a.rate_headers() {
        if let Ok(value) = HeaderValue::from_str(&value) {
            h.insert(name, value);
        }
    }
    if let Some(after) = retry_after {
        h.insert(header::RETRY_AFTER, HeaderValue::from(after));
    }
    response
}
