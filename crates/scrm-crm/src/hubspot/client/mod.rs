//! The sink's requests to HubSpot, and what each answer means for each record of it.
//!
//! One batch is one [`Run`]: once a request ends it (no answer, 408, 429, 5xx, a refused
//! token, a pause), nothing more is sent in that batch and every step not yet done fails
//! with that [`Stop`]. A refusal of one request (another 4xx) concerns only its records:
//! those HubSpot names are dead and the rest are sent again without them; when it names
//! none, each record is sent alone, so one bad record does not take 99 good ones with it.

mod erase;

use std::collections::{BTreeMap, VecDeque};

use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use scrm_config::Secret;
use scrm_sink::{retriable_status, retry_after_ms, Cx, Failure, Outcome};
use serde::de::DeserializeOwned;

use crate::hubspot::api::{
    associate_path, upsert_path, ApiError, AssociateBatch, AssociatePair, AssociationResult,
    BatchResponse, BatchUpsert, Object, ObjectId, StandardError, UpsertInput, UpsertResult,
    BATCH_LIMIT,
};
use crate::hubspot::budget::{Budget, Gate, Limits};
use crate::hubspot::metrics::HubspotMetrics;

type Properties = BTreeMap<String, String>;

/// The connection to one HubSpot account.
pub(crate) struct Client {
    http: reqwest::Client,
    base: String,
    token: Secret,
    limits: Limits,
    metrics: HubspotMetrics,
    auth_retry_ms: i64,
    /// HubSpot refused the token the last time (it is logged once, not per batch).
    token_refused: bool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("budget", &self.limits.budget())
            .finish_non_exhaustive()
    }
}

/// Why a step of a command did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fail {
    /// Refused for good, in HubSpot's words.
    Dead(String),
    /// Worth another try after the worker's backoff.
    Retry(String),
    /// The batch stopped before or at this step.
    Stop(Stop),
}

/// What ends a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stop {
    /// 408, 429, 5xx.
    Http {
        status: u16,
        retry_after: Option<String>,
        reason: String,
    },
    /// HubSpot refused the token (401).
    Token { reason: String },
    /// No answer.
    Transport(String),
    /// Not before `at_ms` (the daily reserve, a 429's `Retry-After` still running).
    Until { at_ms: i64, reason: String },
    /// The worker is stopping.
    Cancelled,
}

/// What one request came to.
enum Reply {
    Ok {
        status: u16,
        body: String,
    },
    /// This request refused (a 4xx other than 401, 408 and 429).
    Refused {
        status: u16,
        error: Option<ApiError>,
        reason: String,
    },
    Stop(Stop),
}

impl Client {
    pub(crate) fn new(
        http: reqwest::Client,
        base: String,
        token: Secret,
        limits: Limits,
        metrics: HubspotMetrics,
        auth_retry_ms: i64,
    ) -> Self {
        Client {
            http,
            base,
            token,
            limits,
            metrics,
            auth_retry_ms,
            token_refused: false,
        }
    }

    pub(crate) fn budget(&self) -> Budget {
        self.limits.budget()
    }

    async fn send(&mut self, label: &str, path: &str, body: Option<String>, cx: &Cx<'_>) -> Reply {
        if cx.is_cancelled() {
            return Reply::Stop(Stop::Cancelled);
        }
        match self.limits.before(cx).await {
            Gate::Go => {}
            Gate::Hold { until_ms, reason } => {
                return Reply::Stop(Stop::Until {
                    at_ms: until_ms,
                    reason,
                })
            }
            Gate::Cancelled => return Reply::Stop(Stop::Cancelled),
        }
        let url = format!("{}{path}", self.base);
        let request = match body {
            Some(body) => self
                .http
                .post(url)
                .header(CONTENT_TYPE, "application/json")
                .body(body),
            None => self.http.get(url),
        };
        let sent = request.bearer_auth(self.token.expose()).send().await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                self.metrics.request(label, "transport");
                tracing::warn!(path, error = %e, "HubSpot did not answer; retrying");
                return Reply::Stop(Stop::Transport(e.to_string()));
            }
        };
        let now = cx.now_ms();
        let status = response.status().as_u16();
        self.limits.after(response.headers(), now);
        self.metrics.request(label, &status.to_string());
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = match response.text().await {
            Ok(t) => t,
            // The answer broke off: whether it was applied is unknown, and sending it
            // again is harmless.
            Err(e) => return Reply::Stop(Stop::Transport(e.to_string())),
        };
        let error = serde_json::from_str::<ApiError>(&text).ok();
        let message = error
            .as_ref()
            .map_or_else(|| text.trim().to_owned(), |e| e.message.clone());
        let reason = format!("http {status}: {}", crate::cut_reason(&message));
        match status {
            200..=299 => {
                if std::mem::take(&mut self.token_refused) {
                    tracing::info!("HubSpot takes the token again");
                }
                Reply::Ok { status, body: text }
            }
            401 => {
                if !std::mem::replace(&mut self.token_refused, true) {
                    tracing::error!(
                        %reason,
                        retry_in_ms = self.auth_retry_ms,
                        "HubSpot refused the private app token: set a valid one (SCRM_CRM_HUBSPOT_TOKEN or crm.hubspot.token_file) and restart the sink; commands wait meanwhile"
                    );
                }
                self.metrics.waited("token", self.auth_retry_ms);
                Reply::Stop(Stop::Token { reason })
            }
            429 if error.as_ref().and_then(|e| e.policy_name.as_deref()) == Some("DAILY") => {
                self.limits.daily_exhausted(now);
                let at_ms = self.limits.paused_until().unwrap_or(now);
                Reply::Stop(Stop::Until { at_ms, reason })
            }
            _ if retriable_status(status) => {
                if let Some(at) = retry_after
                    .as_deref()
                    .and_then(|v| retry_after_ms(v, now))
                    .filter(|_| status == 429)
                {
                    self.limits.hold(at, now);
                }
                Reply::Stop(Stop::Http {
                    status,
                    retry_after,
                    reason,
                })
            }
            _ => Reply::Refused {
                status,
                error,
                reason,
            },
        }
    }
}

/// One batch's requests.
pub(crate) struct Run<'a, 'c> {
    client: &'a mut Client,
    cx: &'a Cx<'c>,
    stop: Option<Stop>,
}

impl<'a, 'c> Run<'a, 'c> {
    pub(crate) fn new(client: &'a mut Client, cx: &'a Cx<'c>) -> Self {
        Run {
            client,
            cx,
            stop: None,
        }
    }

    /// What `fail` means for a command on its attempt number `attempt`.
    pub(crate) fn outcome(&self, fail: &Fail, attempt: u32) -> Outcome {
        let cx = self.cx;
        let now = cx.now_ms();
        match fail {
            Fail::Dead(reason) => Outcome::dead(reason.clone()),
            Fail::Retry(reason) => Outcome::retry_at(cx.retry.next_at(attempt, now), reason),
            Fail::Stop(Stop::Http {
                status,
                retry_after,
                reason,
            }) => {
                let failure = Failure::Http {
                    status: *status,
                    retry_after: retry_after.as_deref(),
                };
                match cx.retry.outcome(failure, attempt, now) {
                    Outcome::RetryAt { at_ms, .. } => Outcome::retry_at(at_ms, reason),
                    _ => Outcome::dead(reason.clone()),
                }
            }
            Fail::Stop(Stop::Token { reason }) => {
                Outcome::retry_at(now.saturating_add(self.client.auth_retry_ms), reason)
            }
            Fail::Stop(Stop::Transport(reason)) => Outcome::retry_at(
                cx.retry.next_at(attempt, now),
                format!("transport: {reason}"),
            ),
            Fail::Stop(Stop::Until { at_ms, reason }) => Outcome::retry_at(*at_ms, reason),
            Fail::Stop(Stop::Cancelled) => Outcome::retry_at(now, "not sent: stopping"),
        }
    }

    async fn post(&mut self, label: &str, path: &str, body: String) -> Reply {
        self.send(label, path, Some(body)).await
    }

    async fn send(&mut self, label: &str, path: &str, body: Option<String>) -> Reply {
        if let Some(stop) = &self.stop {
            return Reply::Stop(stop.clone());
        }
        let reply = self.client.send(label, path, body, self.cx).await;
        if let Reply::Stop(stop) = &reply {
            self.stop = Some(stop.clone());
        }
        reply
    }

    /// Upserts `(key, properties)` records of `object` on its unique property; each
    /// answered with HubSpot's id of the record.
    pub(crate) async fn upsert(
        &mut self,
        object: Object,
        inputs: Vec<(String, Properties)>,
    ) -> Vec<Result<String, Fail>> {
        let keys: Vec<String> = inputs.iter().map(|(k, _)| k.clone()).collect();
        let body = |part: &[usize]| {
            let inputs = part
                .iter()
                .map(|&i| UpsertInput {
                    id_property: object.id_property().to_owned(),
                    id: inputs[i].0.clone(),
                    properties: inputs[i].1.clone(),
                    object_write_trace_id: Some(inputs[i].0.clone()),
                })
                .collect();
            serde_json::to_string(&BatchUpsert { inputs }).expect("an upsert serializes")
        };
        let read = |r: UpsertResult| {
            let key = r
                .object_write_trace_id
                .clone()
                .or_else(|| r.properties.get(object.id_property()).cloned().flatten())?;
            Some((key, r.id))
        };
        self.batch(object.path(), &upsert_path(object), &keys, body, read)
            .await
    }

    /// Associates each `(record id, contact id)` of `from` records with HubSpot's default
    /// association.
    pub(crate) async fn associate(
        &mut self,
        from: Object,
        pairs: Vec<(String, String)>,
    ) -> Vec<Result<(), Fail>> {
        let keys: Vec<String> = pairs.iter().map(|(from, _)| from.clone()).collect();
        let body = |part: &[usize]| {
            let inputs = part
                .iter()
                .map(|&i| AssociatePair {
                    from: ObjectId {
                        id: pairs[i].0.clone(),
                    },
                    to: ObjectId {
                        id: pairs[i].1.clone(),
                    },
                })
                .collect();
            serde_json::to_string(&AssociateBatch { inputs }).expect("an association serializes")
        };
        let read = |r: AssociationResult| Some((r.from.id, ()));
        self.batch("associations", &associate_path(from), &keys, body, read)
            .await
    }

    /// One batch call over `keys` (at most [`BATCH_LIMIT`] a request), each key answered
    /// from the results (`read` gives a result's key and value) or the errors that name it.
    async fn batch<T: DeserializeOwned, V: Clone>(
        &mut self,
        label: &str,
        path: &str,
        keys: &[String],
        body: impl Fn(&[usize]) -> String,
        read: impl Fn(T) -> Option<(String, V)>,
    ) -> Vec<Result<V, Fail>> {
        let mut out: Vec<Option<Result<V, Fail>>> = keys.iter().map(|_| None).collect();
        let all: Vec<usize> = (0..keys.len()).collect();
        let mut parts: VecDeque<Vec<usize>> =
            all.chunks(BATCH_LIMIT).map(<[usize]>::to_vec).collect();
        while let Some(part) = parts.pop_front() {
            let position: BTreeMap<&str, usize> =
                part.iter().map(|&i| (keys[i].as_str(), i)).collect();
            match self.post(label, path, body(&part)).await {
                Reply::Stop(stop) => {
                    for &i in &part {
                        out[i] = Some(Err(Fail::Stop(stop.clone())));
                    }
                }
                Reply::Refused {
                    status,
                    error,
                    reason,
                } => {
                    let named: Vec<usize> = error
                        .iter()
                        .flat_map(|e| e.context.values().flatten())
                        .filter_map(|id| position.get(id.as_str()).copied())
                        .collect();
                    if !named.is_empty() {
                        for &i in &named {
                            out[i] = Some(Err(Fail::Dead(reason.clone())));
                        }
                        let rest: Vec<usize> = part
                            .iter()
                            .copied()
                            .filter(|i| !named.contains(i))
                            .collect();
                        if !rest.is_empty() {
                            parts.push_back(rest);
                        }
                    } else if status == 400 && part.len() > 1 {
                        // One bad record can make HubSpot refuse the whole batch without
                        // saying which: alone, each finds out.
                        parts.extend(part.iter().map(|&i| vec![i]));
                    } else {
                        for &i in &part {
                            out[i] = Some(Err(Fail::Dead(reason.clone())));
                        }
                    }
                }
                Reply::Ok { status, body } => {
                    match serde_json::from_str::<BatchResponse<T>>(&body) {
                        Err(e) => {
                            let reason = format!("http {status}: an answer scrm cannot read: {e}");
                            for &i in &part {
                                out[i] = Some(Err(Fail::Retry(reason.clone())));
                            }
                        }
                        Ok(answer) => {
                            for (key, value) in answer.results.into_iter().filter_map(&read) {
                                if let Some(&i) = position.get(key.as_str()) {
                                    out[i] = Some(Ok(value));
                                }
                            }
                            for error in &answer.errors {
                                let fail = per_record(error);
                                for id in error.context.values().flatten() {
                                    if let Some(&i) = position.get(id.as_str()) {
                                        if out[i].is_none() {
                                            out[i] = Some(Err(fail.clone()));
                                        }
                                    }
                                }
                            }
                            for &i in &part {
                                if out[i].is_none() {
                                    out[i] = Some(Err(Fail::Retry(format!(
                                        "http {status}: HubSpot said nothing of it"
                                    ))));
                                }
                            }
                        }
                    }
                }
            }
        }
        out.into_iter()
            .map(|o| o.unwrap_or_else(|| Err(Fail::Retry("not sent".into()))))
            .collect()
    }
}

/// A record's error in a 207: a rate limit is retried, anything else (a validation error,
/// a missing object, a conflict) would be refused again.
fn per_record(error: &StandardError) -> Fail {
    let reason = format!("{}: {}", error.category, crate::cut_reason(&error.message));
    if error.category == "RATE_LIMITS" {
        Fail::Retry(reason)
    } else {
        Fail::Dead(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_records_error_is_dead_unless_it_is_a_rate_limit() {
        let error = |category: &str| StandardError {
            status: "error".into(),
            category: category.into(),
            message: "Email address mei@ is invalid".into(),
            context: BTreeMap::new(),
            errors: Vec::new(),
            sub_category: None,
        };
        assert_eq!(
            per_record(&error("VALIDATION_ERROR")),
            Fail::Dead("VALIDATION_ERROR: Email address mei@ is invalid".into())
        );
        assert!(matches!(per_record(&error("RATE_LIMITS")), Fail::Retry(_)));
        let long = "é".repeat(400);
        assert!(
            crate::cut_reason(&long).len() <= crate::REASON_BYTES
                && crate::cut_reason(&long).starts_with('é')
        );
    }
}
