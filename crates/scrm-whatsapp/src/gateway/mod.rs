//! The webhook gateway: WhatsApp Cloud API webhooks in, events durably in the log out.
//!
//! `GET {path}` answers Meta's subscription handshake. `POST {path}`:
//! 1. checks `X-Hub-Signature-256` over the raw body with the app secret (401, nothing
//!    written, when it is missing or wrong);
//! 2. maps the body with `scrm-whatsapp-webhook` (400 with the reason, and the raw body to the
//!    dead-letter topic, when it is not a webhook scrm understands), and, when the
//!    conversation [`Ingest`] has a time check, refuses the body the same way if a time in
//!    it is not believed (a millisecond timestamp where Meta sends seconds, a clock far
//!    ahead: [`scrm_whatsapp_webhook::check_times`] names the field);
//! 3. drops events already appended (Meta's retries; [`seen`]) and validates the rest
//!    against the conversation schema, normalizing the customer key;
//! 4. appends them through the group-commit [`Appender`] — a business-wide event (Meta's
//!    messaging limit) once to every partition — and answers 200 only once they are
//!    durable. A failed append answers 503 and leaves the ids unclaimed, so Meta's retry
//!    is appended then.
//!
//! The body size is limited (413 beyond it). Nothing in a body can make the handler panic:
//! the parser is fuzzed (scrm-whatsapp-webhook's tests).

pub mod seen;

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use scrm_config::Secret;
use scrm_ingest::{Ingest, Refused};
use serde::Deserialize;
use serde_json::json;

use crate::appender::{Appender, Write};
use crate::metrics::{KindLabel, Metrics};
use seen::Seen;

/// What the gateway needs to know.
#[derive(Debug, Clone)]
pub struct GatewayOptions {
    /// The webhook's path, e.g. `/webhook`.
    pub path: String,
    /// The token Meta echoes in the subscription handshake.
    pub verify_token: Secret,
    /// The app secret the posts are signed with.
    pub app_secret: Secret,
    /// Bodies larger than this are refused with 413.
    pub body_limit_bytes: usize,
    /// Partitions of the conversation topic (business-wide events go to each).
    pub partitions: u32,
}

/// The gateway's shared state.
#[derive(Debug)]
pub struct Gateway {
    options: GatewayOptions,
    conversation: Ingest,
    dlq: Ingest,
    seen: Arc<Seen>,
    appender: Appender,
    metrics: Metrics,
}

impl Gateway {
    /// `conversation` and `dlq` encode for the conversation and dead-letter topics.
    pub fn new(
        options: GatewayOptions,
        conversation: Ingest,
        dlq: Ingest,
        seen: Arc<Seen>,
        appender: Appender,
        metrics: Metrics,
    ) -> Arc<Self> {
        Arc::new(Gateway {
            options,
            conversation,
            dlq,
            seen,
            appender,
            metrics,
        })
    }

    /// The webhook routes, ready to merge into the API router.
    pub fn router(self: Arc<Self>) -> Router {
        let limit = self.options.body_limit_bytes;
        Router::new()
            .route(&self.options.path, get(handshake).post(receive))
            .layer(DefaultBodyLimit::max(limit))
            .with_state(self)
    }

    fn count(&self, outcome: &str, started: Instant) {
        Metrics::outcome(&self.metrics.requests, outcome);
        self.metrics
            .request_seconds
            .observe(started.elapsed().as_secs_f64());
    }

    /// Dead-letters `body` and answers 400 with `reason`; 503 if even that fails.
    async fn refuse(&self, body: &[u8], kind: &str, reason: String, now_ms: i64) -> Response {
        let record = scrm_ingest::dead_letter(
            &self.dlq,
            &Refused {
                source: "gateway",
                topic: Some(self.conversation.topic()),
                kind,
                reason: &reason,
                bytes: body,
                at_ms: now_ms,
            },
        );
        let appended = match record {
            Ok(record) => self
                .appender
                .append(vec![(self.dlq.topic().to_owned(), record)])
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match appended {
            Ok(()) => {
                tracing::warn!(%reason, "webhook refused; body kept in the dead-letter topic");
                error(StatusCode::BAD_REQUEST, &reason)
            }
            Err(e) => {
                tracing::error!(error = %e, %reason, "webhook refused and not dead-lettered");
                error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the dead-letter topic is not writable; retry",
                )
            }
        }
    }
}

fn error(status: StatusCode, reason: &str) -> Response {
    (status, Json(json!({ "error": reason }))).into_response()
}

#[derive(Debug, Deserialize)]
struct Subscribe {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

async fn handshake(State(gw): State<Arc<Gateway>>, Query(q): Query<Subscribe>) -> Response {
    match scrm_whatsapp_webhook::verify_subscription(
        q.mode.as_deref(),
        q.token.as_deref(),
        q.challenge.as_deref(),
        gw.options.verify_token.expose(),
    ) {
        Ok(challenge) => (StatusCode::OK, challenge).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "webhook subscription refused");
            error(StatusCode::FORBIDDEN, &e.to_string())
        }
    }
}

async fn receive(State(gw): State<Arc<Gateway>>, headers: HeaderMap, body: Bytes) -> Response {
    let started = Instant::now();
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    if let Err(e) = scrm_whatsapp_webhook::verify_signature(
        gw.options.app_secret.expose().as_bytes(),
        signature,
        &body,
    ) {
        gw.count("unauthorized", started);
        tracing::warn!(error = %e, "webhook post with a bad signature; nothing written");
        return error(StatusCode::UNAUTHORIZED, &e.to_string());
    }
    let now_ms = gw.conversation.now_ms();
    let parsed = match scrm_whatsapp_webhook::parse(&body, now_ms) {
        Ok(parsed) => parsed,
        Err(e) => {
            let response = gw.refuse(&body, "DECODE", e.to_string(), now_ms).await;
            gw.count("bad_request", started);
            return response;
        }
    };
    if let Some(check) = gw.conversation.time_check() {
        if let Err(e) = scrm_whatsapp_webhook::check_times(&parsed, now_ms, &check.bounds) {
            let response = gw.refuse(&body, "VALIDATION", e.to_string(), now_ms).await;
            gw.count("bad_request", started);
            return response;
        }
    }
    for field in &parsed.ignored {
        gw.metrics
            .ignored
            .get_or_create(&KindLabel {
                kind: field.split('[').next().unwrap_or(field).to_owned(),
            })
            .inc();
    }
    let ids: Vec<&str> = parsed.events.iter().map(|e| e.event_id.as_str()).collect();
    let claim = match gw.seen.claim(&ids) {
        Ok(claim) => claim,
        Err(e) => {
            tracing::error!(error = %e, "the seen-ids store failed");
            gw.count("unavailable", started);
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "dedup store unavailable; retry",
            );
        }
    };
    let topic = gw.conversation.topic().to_owned();
    let mut writes: Vec<Write> = Vec::with_capacity(parsed.events.len());
    let mut kinds = Vec::new();
    let mut problems = Vec::new();
    for (event, fresh) in parsed.events.iter().zip(claim.fresh()) {
        if !fresh {
            gw.metrics.duplicates.inc();
            continue;
        }
        match gw.conversation.json(&event.json) {
            Ok(record) if event.broadcast => {
                for partition in 0..gw.options.partitions {
                    let mut copy = record.clone();
                    copy.partition = Some(partition);
                    writes.push((topic.clone(), copy));
                }
                kinds.push(event.kind);
            }
            Ok(record) => {
                writes.push((topic.clone(), record));
                kinds.push(event.kind);
            }
            Err(e) => problems.push(format!("event {}: {e}", event.event_id)),
        }
    }
    if let Err(e) = gw.appender.append(writes).await {
        // The claim is dropped: Meta's retry will be appended.
        tracing::error!(error = %e, "webhook events not appended; answering 503");
        gw.count("unavailable", started);
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "the log is not writable; retry",
        );
    }
    if let Err(e) = claim.commit() {
        tracing::warn!(error = %e, "seen ids not stored; a retry may be appended again");
    }
    for kind in kinds {
        gw.metrics
            .events
            .get_or_create(&KindLabel {
                kind: kind.as_str().to_owned(),
            })
            .inc();
    }
    if !problems.is_empty() {
        let response = gw
            .refuse(&body, "VALIDATION", problems.join("; "), now_ms)
            .await;
        gw.count("bad_request", started);
        return response;
    }
    gw.count("ok", started);
    (StatusCode::OK, Json(json!({}))).into_response()
}
