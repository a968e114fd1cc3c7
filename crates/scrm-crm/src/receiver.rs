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

use crate::webhook::{CaseData, DealData, Message, NoteData, TaskData};

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
    /// By deal key, with the message time of the values held.
    pub deals: BTreeMap<String, (DealData, String)>,
    /// By case key.
    pub cases: BTreeMap<String, CaseData>,
    /// Customers erased, with the reason given.
    pub erased: BTreeMap<String, String>,
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
    let kind = message.kind.as_str();
    let parts = [
        data.fields.is_some(),
        data.task.is_some(),
        data.note.is_some(),
        data.deal.is_some(),
        data.case.is_some(),
        data.deleted.is_some(),
    ];
    let expected = match kind {
        "contact.upserted" => 0,
        "task.created" => 1,
        "note.added" => 2,
        "deal.upserted" => 3,
        "case.created" => 4,
        "contact.deleted" => 5,
        other => return Err(format!("unknown type {other:?}")),
    };
    if parts
        .iter()
        .enumerate()
        .any(|(i, &set)| set != (i == expected))
    {
        return Err(format!("type {kind:?} with the wrong data"));
    }
    if let Some(fields) = data.fields {
        let contact = held.contacts.entry(data.customer.clone()).or_default();
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
    if let Some(task) = data.task {
        if task.subject.trim().is_empty() {
            return Err("task.subject is empty".into());
        }
        held.tasks.insert(data.command_id.clone(), task);
    }
    if let Some(note) = data.note {
        held.notes.insert(data.command_id.clone(), note);
    }
    if let Some(deal) = data.deal {
        if deal.deal_key.is_empty() || deal.sku.is_empty() {
            return Err("deal.deal_key and deal.sku are required".into());
        }
        let newer = held
            .deals
            .get(&deal.deal_key)
            .is_none_or(|(_, at)| *at <= message.timestamp);
        if newer {
            held.deals
                .insert(deal.deal_key.clone(), (deal, message.timestamp.clone()));
        }
    }
    if let Some(case) = data.case {
        if case.case_key.is_empty() {
            return Err("case.case_key is required".into());
        }
        held.cases.insert(case.case_key.clone(), case);
    }
    if let Some(deleted) = data.deleted {
        held.contacts.remove(&data.customer);
        let own = format!("{}/", data.customer);
        held.deals.retain(|k, _| !k.starts_with(&own));
        held.cases.retain(|k, _| !k.starts_with(&own));
        held.erased.insert(data.customer.clone(), deleted.reason);
    }
    held.applied.push(data.command_id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use scrm_events::output::{CrmCommand, CrmOp};

    use super::*;
    use crate::FieldMapping;

    fn message(id: &str, at_ms: i64, operation: CrmOp) -> Message {
        let command = CrmCommand {
            command_id: id.into(),
            customer: "+5511987654321".into(),
            occurred_at_ms: at_ms,
            source: "test".into(),
            rule_id: None,
            operation,
        };
        Message::of(&command, &FieldMapping::default())
    }

    fn deal(stage: &str) -> CrmOp {
        CrmOp::UpsertDeal {
            deal_key: "+5511987654321/APL-IP15PM".into(),
            sku: "APL-IP15PM".into(),
            title: "iPhone 15 Pro Max — Ana".into(),
            stage: stage.into(),
            amount_minor: None,
            currency: None,
        }
    }

    #[test]
    fn deals_keep_the_newest_stage_and_an_erasure_removes_the_customer() {
        let mut held = Held::default();
        apply(&mut held, message("d2", 20, deal("won"))).unwrap();
        apply(&mut held, message("d1", 10, deal("open"))).unwrap();
        assert_eq!(held.deals["+5511987654321/APL-IP15PM"].0.stage, "won");
        let case = CrmOp::CreateCase {
            case_key: "+5511987654321/e9".into(),
            kind: "quote".into(),
            subject: "Quote request from Ana".into(),
            body: None,
        };
        apply(&mut held, message("c1", 30, case)).unwrap();
        let upsert = CrmOp::UpsertContact {
            fields: BTreeMap::from([("name".into(), Some("Ana".into()))]),
        };
        apply(&mut held, message("u1", 30, upsert)).unwrap();
        assert_eq!(held.cases.len(), 1);
        let forget = CrmOp::DeleteContact {
            reason: "erasure request".into(),
        };
        apply(&mut held, message("x1", 40, forget)).unwrap();
        assert!(held.contacts.is_empty() && held.deals.is_empty() && held.cases.is_empty());
        assert_eq!(held.erased["+5511987654321"], "erasure request");
    }

    #[test]
    fn a_message_with_the_data_of_another_type_is_refused() {
        let mut wrong = message("d1", 10, deal("open"));
        wrong.kind = "case.created".into();
        let e = apply(&mut Held::default(), wrong).unwrap_err();
        assert!(e.contains("wrong data"), "{e}");
        let mut unknown = message("d1", 10, deal("open"));
        unknown.kind = "deal.deleted".into();
        let e = apply(&mut Held::default(), unknown).unwrap_err();
        assert!(e.contains("unknown type"), "{e}");
    }
}
