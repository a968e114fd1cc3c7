//! A mock WhatsApp Cloud API: an axum server on `127.0.0.1:0` for tests and benchmarks.
//!
//! It implements the subset of the Cloud API scrm uses, as documented by Meta:
//!
//! - `POST /{version}/{phone-number-id}/messages` (text and template), validated
//!   strictly: a malformed request gets HTTP 400 with Meta's error JSON, code 100 and a
//!   `details` string naming the problem; a good one gets Meta's success answer with a
//!   fresh `wamid`.
//! - `GET /{version}/{phone-number-id}` (the health probe) → `{"id": …}`.
//! - `GET /{version}/{media-id}` → the media URL lookup, and `GET /media-download/{id}`
//!   → the bytes.
//!
//! Every request needs `Authorization: Bearer <token>`; without it the answer is 401
//! with code 190. Failures and latency are programmable ([`MockCloud::fail_next`],
//! [`MockCloud::fail_recipient`], [`MockCloud::set_delay`]), and accepted and rejected
//! sends are recorded for assertions. The server stops when the [`MockCloud`] is dropped.

mod routes;
mod validate;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

/// What the mock server is configured to accept.
#[derive(Debug, Clone)]
pub struct MockOptions {
    /// The bearer token every request must carry.
    pub token: String,
    /// The API version in paths, e.g. `v21.0`.
    pub api_version: String,
    /// The business phone number id in paths.
    pub phone_number_id: String,
}

impl Default for MockOptions {
    /// Access token `test-token`, version `v21.0`, phone number id `1234567890`.
    fn default() -> Self {
        Self {
            token: "test-token".into(),
            api_version: "v21.0".into(),
            phone_number_id: "1234567890".into(),
        }
    }
}

/// A send the mock accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedSend {
    /// The recipient as sent: `to` digits or the `recipient` BSUID.
    pub to: String,
    /// The whole request body.
    pub body: Value,
    /// When it arrived.
    pub at: Instant,
}

/// A send the mock refused, by validation or by a programmed failure.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedSend {
    /// The recipient, if the request named a valid one.
    pub to: Option<String>,
    /// The request body, if it was JSON.
    pub body: Option<Value>,
    /// HTTP status answered.
    pub status: u16,
    /// Meta error code answered; `None` for a bare HTTP failure.
    pub code: Option<i64>,
    /// The `details` answered.
    pub details: String,
    /// When it arrived.
    pub at: Instant,
}

/// A programmed answer to an otherwise valid send.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Planned {
    /// Meta's error JSON with this code.
    Meta(i64),
    /// This HTTP status with a plain-text body, as a proxy or load balancer answers.
    Status(u16),
}

#[derive(Debug)]
pub(crate) struct MockMedia {
    pub(crate) bytes: Vec<u8>,
    pub(crate) mime_type: String,
    pub(crate) sha256: String,
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    pub(crate) planned: VecDeque<Planned>,
    pub(crate) failing_recipients: HashMap<String, i64>,
    pub(crate) delay: Duration,
    pub(crate) accepted: Vec<RecordedSend>,
    pub(crate) rejected: Vec<RejectedSend>,
    pub(crate) media: HashMap<String, MockMedia>,
    pub(crate) next_id: u64,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) options: MockOptions,
    pub(crate) url: String,
    inner: Mutex<Inner>,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking test thread must not take every later assertion down with it.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running mock Cloud API server; stops on drop.
#[derive(Debug)]
pub struct MockCloud {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl MockCloud {
    /// Binds `127.0.0.1:0` and serves on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// The bind error, if the loopback interface cannot be bound.
    pub async fn start(options: MockOptions) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            options,
            url: format!("http://{addr}"),
            inner: Mutex::new(Inner::default()),
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let app = routes::router(Arc::clone(&shared));
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // Sent or dropped: either way, stop.
                    let _ = stopped.await;
                })
                .await;
            if let Err(e) = served {
                tracing::warn!(error = %e, "mock cloud api server failed");
            }
        });
        Ok(Self {
            shared,
            addr,
            stop: Some(stop),
        })
    }

    /// Base URL, `http://127.0.0.1:PORT`, to use as the client's `base_url`.
    pub fn url(&self) -> &str {
        &self.shared.url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The options it was started with.
    pub fn options(&self) -> &MockOptions {
        &self.shared.options
    }

    /// Answers the next `times` valid sends with Meta error `code`: HTTP 429 for
    /// 130429, 401 for 190, 500 for 131000, 503 for 131016, 400 otherwise.
    pub fn fail_next(&self, code: i64, times: usize) {
        let mut inner = self.shared.lock();
        inner
            .planned
            .extend(std::iter::repeat_n(Planned::Meta(code), times));
    }

    /// Answers the next `times` valid sends with a bare HTTP `status` and a plain-text
    /// body, as a load balancer in front of the API would (e.g. 502, 503).
    pub fn fail_next_status(&self, status: u16, times: usize) {
        let mut inner = self.shared.lock();
        inner
            .planned
            .extend(std::iter::repeat_n(Planned::Status(status), times));
    }

    /// Fails every send to `to` with Meta error `code` until [`clear_failures`].
    /// `to` may be a customer key (`+852…`) or the digits as sent.
    ///
    /// [`clear_failures`]: MockCloud::clear_failures
    pub fn fail_recipient(&self, to: &str, code: i64) {
        let key = to.strip_prefix('+').unwrap_or(to).to_owned();
        self.shared.lock().failing_recipients.insert(key, code);
    }

    /// Drops every programmed failure.
    pub fn clear_failures(&self) {
        let mut inner = self.shared.lock();
        inner.planned.clear();
        inner.failing_recipients.clear();
    }

    /// Delays every answer (sends, probes, media) by `delay`.
    pub fn set_delay(&self, delay: Duration) {
        self.shared.lock().delay = delay;
    }

    /// Accepted sends, oldest first.
    pub fn requests(&self) -> Vec<RecordedSend> {
        self.shared.lock().accepted.clone()
    }

    /// Refused sends, oldest first.
    pub fn rejected(&self) -> Vec<RejectedSend> {
        self.shared.lock().rejected.clone()
    }

    /// Serves `bytes` as media `media_id`, announcing their true SHA-256 (hex) and size.
    pub fn add_media(&self, media_id: &str, bytes: Vec<u8>, mime_type: &str) {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        self.add_media_with_sha256(media_id, bytes, mime_type, &sha256);
    }

    /// Serves `bytes` as media `media_id` but announces `sha256`, e.g. a wrong one.
    pub fn add_media_with_sha256(
        &self,
        media_id: &str,
        bytes: Vec<u8>,
        mime_type: &str,
        sha256: &str,
    ) {
        self.shared.lock().media.insert(
            media_id.to_owned(),
            MockMedia {
                bytes,
                mime_type: mime_type.to_owned(),
                sha256: sha256.to_owned(),
            },
        );
    }
}

impl Drop for MockCloud {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            // The server may already be gone; nothing to do then.
            let _ = stop.send(());
        }
    }
}
