//! The mock's HTTP handlers.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::validate::validate_send;
use super::{Planned, RecordedSend, RejectedSend, Shared};

type St = State<Arc<Shared>>;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/{version}/{phone}/messages", post(send))
        .route("/{version}/{id}", get(lookup))
        .route("/media-download/{id}", get(download))
        .with_state(shared)
}

/// Meta's title for the codes the mock is asked to answer with.
fn title(code: i64) -> &'static str {
    match code {
        100 => "Invalid parameter",
        190 => "Access token has expired",
        130429 => "Rate limit hit",
        131000 => "Something went wrong",
        131016 => "Service unavailable",
        131026 => "Message undeliverable",
        131047 => "Re-engagement message",
        131049 => "This message was not delivered to maintain healthy ecosystem engagement.",
        131056 => "(Business Account, Consumer Account) pair rate limit hit",
        _ => "Error",
    }
}

fn status_for(code: i64) -> StatusCode {
    match code {
        130429 => StatusCode::TOO_MANY_REQUESTS,
        190 => StatusCode::UNAUTHORIZED,
        131000 => StatusCode::INTERNAL_SERVER_ERROR,
        131016 => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// Meta's error JSON.
fn meta_error(status: StatusCode, code: i64, details: &str, trace: u64) -> Response {
    let title = title(code);
    let body = json!({"error": {
        "message": format!("(#{code}) {title}"),
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details},
        "fbtrace_id": format!("MOCK{trace:012}"),
    }});
    (status, Json(body)).into_response()
}

/// Waits out the programmed delay, then checks the bearer token.
async fn gate(shared: &Shared, headers: &HeaderMap) -> Result<(), Response> {
    let delay = shared.lock().delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let want = format!("Bearer {}", shared.options.token);
    let got = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if got == Some(want.as_str()) {
        Ok(())
    } else {
        let trace = shared.lock().next_id;
        Err(meta_error(
            StatusCode::UNAUTHORIZED,
            190,
            "Invalid OAuth access token - Cannot parse access token",
            trace,
        ))
    }
}

fn bad_path(what: &str, trace: u64) -> Response {
    meta_error(StatusCode::BAD_REQUEST, 100, what, trace)
}

async fn send(
    State(shared): St,
    Path((version, phone)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = gate(&shared, &headers).await {
        return refused;
    }
    let at = Instant::now();
    let mut inner = shared.lock();
    inner.next_id += 1;
    let id = inner.next_id;
    let opts = &shared.options;
    if version != opts.api_version || phone != opts.phone_number_id {
        return bad_path("unknown API version or phone number id", id);
    }
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    let checked = match &json {
        Some(v) => validate_send(v),
        None => Err("request body is not valid JSON".to_owned()),
    };
    let planned = match &checked {
        Ok(to) => inner
            .failing_recipients
            .get(to)
            .map(|code| Planned::Meta(*code))
            .or_else(|| inner.planned.pop_front()),
        Err(_) => None,
    };
    let (to, failure) = match (checked, planned) {
        (Err(details), _) => (None, Some((StatusCode::BAD_REQUEST, Some(100), details))),
        (Ok(to), Some(Planned::Meta(code))) => {
            let details = format!("mock: programmed failure {code}");
            (Some(to), Some((status_for(code), Some(code), details)))
        }
        (Ok(to), Some(Planned::Status(status))) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            (
                Some(to),
                Some((status, None, "mock: bare HTTP failure".to_owned())),
            )
        }
        (Ok(to), None) => (Some(to), None),
    };
    if let Some((status, code, details)) = failure {
        inner.rejected.push(RejectedSend {
            to,
            body: json,
            status: status.as_u16(),
            code,
            details: details.clone(),
            at,
        });
        return match code {
            Some(code) => meta_error(status, code, &details, id),
            None => (status, "upstream unavailable").into_response(),
        };
    }
    let (to, body) = match (to, json) {
        (Some(to), Some(body)) => (to, body),
        // Validation passed, so both are present.
        _ => return bad_path("request body is not valid JSON", id),
    };
    let wamid = format!("wamid.MOCK{id:016X}");
    let contact = if body.get("recipient").is_some() {
        json!({"input": to, "user_id": to})
    } else {
        json!({"input": to, "wa_id": to})
    };
    inner.accepted.push(RecordedSend { to, body, at });
    Json(json!({
        "messaging_product": "whatsapp",
        "contacts": [contact],
        "messages": [{"id": wamid}],
    }))
    .into_response()
}

async fn lookup(
    State(shared): St,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = gate(&shared, &headers).await {
        return refused;
    }
    let inner = shared.lock();
    if version != shared.options.api_version {
        return bad_path("unknown API version", inner.next_id);
    }
    if id == shared.options.phone_number_id {
        return Json(json!({"id": id})).into_response();
    }
    match inner.media.get(&id) {
        Some(media) => Json(json!({
            "messaging_product": "whatsapp",
            "url": format!("{}/media-download/{id}", shared.url),
            "mime_type": media.mime_type,
            "sha256": media.sha256,
            // A string, as in Meta's reference.
            "file_size": media.bytes.len().to_string(),
            "id": id,
        }))
        .into_response(),
        None => bad_path(
            &format!("Unsupported get request. Object with ID '{id}' does not exist"),
            inner.next_id,
        ),
    }
}

async fn download(State(shared): St, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if let Err(refused) = gate(&shared, &headers).await {
        return refused;
    }
    let inner = shared.lock();
    match inner.media.get(&id) {
        Some(media) => (
            [(header::CONTENT_TYPE, media.mime_type.clone())],
            media.bytes.clone(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such media").into_response(),
    }
}
