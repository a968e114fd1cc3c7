//! A strict local receiver of scrm's signed webhooks: what a test (and the demo) posts the
//! webhook sink to, in place of a real system. It is a real HTTP server on 127.0.0.1.
//!
//! It refuses what a careful receiver refuses: a body that is not JSON (415 without the
//! content type, 400 when it does not parse as a [`Message`] or names an unknown type), a
//! missing or wrong signature or a timestamp more than 5 minutes off (401, through the
//! `standardwebhooks` crate's own verification). It accepts a repeated `webhook-id` with
//! 200 and applies it once. It keeps what a CRM would hold: contacts with each field's
//! newest value (an older message never overwrites a newer field), tasks and notes by
//! command id. Faults are answered on demand ([`WebhookReceiver::fail`]).

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use standardwebhooks::{Webhook, HEADER_WEBHOOK_ID};
use tokio::task::JoinHandle;

use crate::webhook::{Message, NoteData, TaskData};

/// A contact as the receiver holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    /// Field → (value, the message time it came with).
    pub fields: BTreeMap<String, (Option<String>, String)>,
}

impl Contact {
    /// A field's value.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).and_then(|(v, _)| v.as_deref())
    }
}

/// What the receiver holds and has seen.
#[derive(Debug, Clone, Default)]
pub struct Held {
    /// By customer key.
    pub contacts: BTreeMap<String, Contact>,
    /// By command id.
    pub tasks: BTreeMap<String, TaskData>,
    pub notes: BTreeMap<String, NoteData>,
    /// Ids applied, in order.
    pub applied: Vec<String>,
    /// Requests with an id already applied (answered 200, not applied again).
    pub repeats: usize,
    /// Every request by id, in arrival order (applied, repeated or refused).
    pub requests: Vec<String>,
    /// Refusals: (status, why).
    pub refused: Vec<(u16, String)>,
}

/// An answer given instead of taking the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: String,
}

impl Fault {
    pub fn status(status: u16) -> Fault {
        Fault {
            status,
            retry_after: None,
            body: String::new(),
        }
    }
}

#[derive(Debug, Default)]
struct Faults {
    /// For the next requests, whoever they are for.
    next: VecDeque<Fault>,
    /// For every request about one customer.
    customers: BTreeMap<String, Fault>,
}

struct Shared {
    signer: Webhook,
    held: Mutex<Held>,
    faults: Mutex<Faults>,
}

/// A running receiver; dropping it stops the server.
pub struct WebhookReceiver {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for WebhookReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookReceiver")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The path the receiver takes webhooks on.
pub const PATH: &str = "/hooks/scrm";

impl WebhookReceiver {
    /// Starts on 127.0.0.1 (a free port) on the current runtime, verifying with `secret`
    /// (`whsec_…`).
    pub async fn start(secret: &str) -> std::io::Result<WebhookReceiver> {
        let signer = Webhook::new(secret)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
        let shared = Arc::new(Shared {
            signer,
            held: Mutex::new(Held::default()),
            faults: Mutex::new(Faults::default()),
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let router = axum::Router::new()
            .route(PATH, axum::routing::post(take))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "the webhook receiver stopped");
            }
        });
        Ok(WebhookReceiver { addr, shared, task })
    }

    /// The address to configure as `crm.webhook.url`.
    pub fn url(&self) -> String {
        format!("http://{}{PATH}", self.addr)
    }

    /// A copy of what it holds.
    pub fn held(&self) -> Held {
        self.shared.held.lock().clone()
    }

    /// Answers the next `times` requests with `fault`.
    pub fn fail_next(&self, fault: Fault, times: usize) {
        let mut faults = self.shared.faults.lock();
        faults.next.extend(std::iter::repeat_n(fault, times));
    }

    /// Answers every request about `customer` with `fault` (a record the receiver can
    /// never take).
    pub fn fail_customer(&self, customer: &str, fault: Fault) {
        self.shared
            .faults
            .lock()
            .customers
            .insert(customer.to_owned(), fault);
    }
}

fn refuse(shared: &Shared, status: StatusCode, why: String) -> Response {
    shared
        .held
        .lock()
        .refused
        .push((status.as_u16(), why.clone()));
    (status, why).into_response()
}

async fn take(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let id = headers
        .get(HEADER_WEBHOOK_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    shared.held.lock().requests.push(id.clone());
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return refuse(
            &shared,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not JSON".into(),
        );
    }
    if let Err(e) = shared.signer.verify(&body, &headers) {
        return refuse(&shared, StatusCode::UNAUTHORIZED, format!("signature: {e}"));
    }
    let message: Message = match serde_json::from_slice(&body) {
        Ok(m) => m,
        Err(e) => return refuse(&shared, StatusCode::BAD_REQUEST, format!("body: {e}")),
    };
    if message.data.command_id != id {
        return refuse(
            &shared,
            StatusCode::BAD_REQUEST,
            "webhook-id is not the command id".into(),
        );
    }
    let fault = {
        let mut faults = shared.faults.lock();
        faults
            .customers
            .get(&message.data.customer)
            .cloned()
            .or_else(|| faults.next.pop_front())
    };
    if let Some(fault) = fault {
        let mut response = (
            StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            fault.body,
        )
            .into_response();
        if let Some(after) = fault.retry_after.and_then(|v| v.parse().ok()) {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, after);
        }
        return response;
    }
    match apply(&mut shared.held.lock(), message) {
        Ok(()) => StatusCode::OK.into_response(),
        Err(why) => refuse(&shared, StatusCode::BAD_REQUEST, why),
    }
}

fn apply(held: &mut Held, message: Message) -> Result<(), String> {
    let data = message.data;
    if held.applied.contains(&data.command_id) {
        held.repeats += 1;
        return Ok(());
    }
    match (message.kind.as_str(), data.fields, data.task, data.note) {
        ("contact.upserted", Some(fields), None, None) => {
            let contact = held.contacts.entry(data.customer).or_default();
            for (name, value) in fields {
                let newer = contact
                    .fields
                    .get(&name)
                    .is_none_or(|(_, at)| *at <= message.timestamp);
                if newer {
                    contact
                        .fields
                        .insert(name, (value, message.timestamp.clone()));
                }
            }
        }
        ("task.created", None, Some(task), None) => {
            if task.subject.trim().is_empty() {
                return Err("task.subject is empty".into());
            }
            held.tasks.insert(data.command_id.clone(), task);
        }
        ("note.added", None, None, Some(note)) => {
            held.notes.insert(data.command_id.clone(), note);
        }
        (kind, ..) => return Err(format!("type {kind:?} with the wrong data")),
    }
    held.applied.push(data.command_id);
    Ok(())
}
