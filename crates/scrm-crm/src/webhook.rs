//! The webhook sink: each CRM command as a JSON message to one address, signed the
//! [Standard Webhooks](https://www.standardwebhooks.com) way, for any system scrm has no
//! sink of its own for (an ERP, a helpdesk, a spreadsheet automation).
//!
//! Each request carries `webhook-id` (the command id: the same on every retry, so the
//! receiver can drop repeats), `webhook-timestamp` (seconds, when it was sent) and
//! `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under the
//! secret's key). The body is a [`Message`]. A 2xx answer is done; 408, 429 and 5xx and no
//! answer are retried with the worker's backoff (`Retry-After` honoured); any other answer
//! is final, and the command goes to the dead-letter topic with the receiver's own words.
//!
//! A batch's contact upserts are folded per customer first ([`crate::fold`]); the
//! messages of a batch go out `concurrency` at a time.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use scrm_events::output::{CrmCommand, CrmOp};
use scrm_log::StoredRecord;
use scrm_schema::json::format_millis;
use scrm_schema::{Codec, KnownSchema};
use scrm_sink::{Cx, Delivery, Destination, Failure, Outcome, RateLimit, Route};
use scrm_time::{SharedClock, Wait};
use serde::{Deserialize, Serialize};
use standardwebhooks::{
    Webhook, HEADER_WEBHOOK_ID, HEADER_WEBHOOK_SIGNATURE, HEADER_WEBHOOK_TIMESTAMP,
};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::config::WebhookConfig;
use crate::fold::{fold, Group};
use crate::mapping::FieldMapping;

/// The sink name of the metrics and dead letters.
pub const SINK: &str = "webhook";

/// The body of one webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// `contact.upserted`, `task.created`, `note.added`, `deal.upserted`, `case.created`
    /// or `contact.deleted`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The command's event time, RFC 3339 with milliseconds: the modification time a
    /// receiver compares with what it holds (the newer value wins).
    pub timestamp: String,
    pub data: MessageData,
}

/// What a message is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageData {
    pub command_id: String,
    /// The customer key: an E.164 number or a BSUID.
    pub customer: String,
    pub source: String,
    pub rule_id: Option<String>,
    /// `contact.upserted`: the changed fields as the mapping names them; `null` clears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, Option<String>>>,
    /// `task.created`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskData>,
    /// `note.added`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<NoteData>,
    /// `deal.upserted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal: Option<DealData>,
    /// `case.created`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<CaseData>,
    /// `contact.deleted`: why (an erasure request); the receiver erases the contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<DeletedData>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealData {
    /// The deal's stable key: the upsert key.
    pub deal_key: String,
    pub sku: String,
    pub title: String,
    /// open or won.
    pub stage: String,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseData {
    pub case_key: String,
    /// quote or complaint.
    pub kind: String,
    pub subject: String,
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeletedData {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskData {
    pub subject: String,
    pub body: Option<String>,
    /// RFC 3339.
    pub due_at: Option<String>,
    /// high, normal or low.
    pub priority: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteData {
    pub body: String,
    pub media_url: Option<String>,
}

impl Message {
    /// The message of `command`, its contact fields mapped by `mapping`.
    pub fn of(command: &CrmCommand, mapping: &FieldMapping) -> Message {
        let mut data = MessageData {
            command_id: command.command_id.clone(),
            customer: command.customer.clone(),
            source: command.source.clone(),
            rule_id: command.rule_id.clone(),
            fields: None,
            task: None,
            note: None,
            deal: None,
            case: None,
            deleted: None,
        };
        let kind = match &command.operation {
            CrmOp::UpsertContact { fields } => {
                data.fields = Some(mapping.apply(fields));
                "contact.upserted"
            }
            CrmOp::CreateTask {
                subject,
                body,
                due_at_ms,
                priority,
            } => {
                data.task = Some(TaskData {
                    subject: subject.clone(),
                    body: body.clone(),
                    due_at: due_at_ms.map(format_millis),
                    priority: priority.clone(),
                });
                "task.created"
            }
            CrmOp::AddNote { body, media_url } => {
                data.note = Some(NoteData {
                    body: body.clone(),
                    media_url: media_url.clone(),
                });
                "note.added"
            }
            CrmOp::UpsertDeal {
                deal_key,
                sku,
                title,
                stage,
                amount_minor,
                currency,
            } => {
                data.deal = Some(DealData {
                    deal_key: deal_key.clone(),
                    sku: sku.clone(),
                    title: title.clone(),
                    stage: stage.clone(),
                    amount_minor: *amount_minor,
                    currency: currency.clone(),
                });
                "deal.upserted"
            }
            CrmOp::CreateCase {
                case_key,
                kind,
                subject,
                body,
            } => {
                data.case = Some(CaseData {
                    case_key: case_key.clone(),
                    kind: kind.clone(),
                    subject: subject.clone(),
                    body: body.clone(),
                });
                "case.created"
            }
            CrmOp::DeleteContact { reason } => {
                data.deleted = Some(DeletedData {
                    reason: reason.clone(),
                });
                "contact.deleted"
            }
        };
        Message {
            kind: kind.to_owned(),
            timestamp: format_millis(command.occurred_at_ms),
            data,
        }
    }
}

/// Everything the webhook sink is made of.
#[derive(Debug)]
pub struct WebhookParts {
    pub config: WebhookConfig,
    pub codec: Arc<Codec>,
    /// The current `CrmCommand` schema.
    pub commands_schema: &'static KnownSchema,
    pub clock: SharedClock,
}

/// Why a webhook sink cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("crm.webhook.url is not set")]
    NoUrl,
    #[error("crm.webhook: no signing secret (SCRM_CRM_WEBHOOK_SECRET or crm.webhook.secret_file)")]
    NoSecret,
    #[error("crm.webhook: the signing secret is not a Standard Webhooks secret: {0}")]
    Secret(String),
    #[error("crm.webhook: the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

/// The webhook destination.
pub struct WebhookSink {
    http: reqwest::Client,
    url: String,
    signer: Arc<Webhook>,
    mapping: FieldMapping,
    concurrency: usize,
    rate: Option<RateLimit>,
    codec: Arc<Codec>,
    commands_schema: &'static KnownSchema,
}

impl std::fmt::Debug for WebhookSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSink")
            .field("url", &self.url)
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

/// What became of one request.
enum Answer {
    Status {
        status: u16,
        retry_after: Option<String>,
        body: String,
    },
    Transport(String),
}

impl WebhookSink {
    pub fn new(parts: WebhookParts) -> Result<WebhookSink, WebhookError> {
        let config = parts.config;
        let url = config.url.clone().ok_or(WebhookError::NoUrl)?;
        let secret = config.secret().ok_or(WebhookError::NoSecret)?;
        crate::config::check_secret(secret.expose()).map_err(WebhookError::Secret)?;
        let signer = Webhook::new(secret.expose().trim())
            .map_err(|e| WebhookError::Secret(e.to_string()))?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout())
            .connect_timeout(config.timeout().min(Duration::from_secs(5)))
            .user_agent(concat!("scrm/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(WebhookSink {
            http,
            url,
            signer: Arc::new(signer),
            mapping: config.mapping,
            concurrency: config.concurrency.max(1),
            rate: config
                .requests_per_second
                .map(|n| RateLimit::per_second(n, parts.clock.clone())),
            codec: parts.codec,
            commands_schema: parts.commands_schema,
        })
    }

    /// The signed request of one group, sent.
    fn send(
        &self,
        group: &Group,
        now_ms: i64,
    ) -> impl std::future::Future<Output = Answer> + Send + 'static {
        let message = Message::of(&group.command, &self.mapping);
        let body = serde_json::to_string(&message).expect("a message serializes");
        let id = group.command.command_id.clone();
        let timestamp = now_ms.div_euclid(1_000);
        let signature = self.signer.sign(&id, timestamp, body.as_bytes());
        let request = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(HEADER_WEBHOOK_ID, id)
            .header(HEADER_WEBHOOK_TIMESTAMP, timestamp.to_string())
            .body(body);
        async move {
            let signature = match signature {
                Ok(s) => s,
                Err(e) => return Answer::Transport(format!("signing: {e}")),
            };
            match request
                .header(HEADER_WEBHOOK_SIGNATURE, signature)
                .send()
                .await
            {
                Err(e) => Answer::Transport(e.to_string()),
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let body = if response.status().is_success() {
                        String::new()
                    } else {
                        response.text().await.unwrap_or_default()
                    };
                    Answer::Status {
                        status,
                        retry_after,
                        body,
                    }
                }
            }
        }
    }

    fn outcome(answer: Answer, attempt: u32, cx: &Cx<'_>) -> Outcome {
        let now = cx.now_ms();
        match answer {
            Answer::Status { status, .. } if (200..300).contains(&status) => {
                Outcome::done(format!("http {status}"))
            }
            Answer::Status {
                status,
                retry_after,
                body,
            } => match cx.retry.outcome(
                Failure::Http {
                    status,
                    retry_after: retry_after.as_deref(),
                },
                attempt,
                now,
            ) {
                Outcome::Dead { reason } => {
                    tracing::warn!(status, "the webhook receiver refused a command");
                    Outcome::dead(with_body(reason, &body))
                }
                other => other,
            },
            Answer::Transport(reason) => {
                tracing::warn!(%reason, "the webhook receiver did not answer; retrying");
                cx.retry.outcome(Failure::Transport, attempt, now)
            }
        }
    }
}

/// `reason` and, when there is one, the receiver's answer, cut to
/// [`crate::REASON_BYTES`].
fn with_body(reason: String, body: &str) -> String {
    match crate::cut_reason(body) {
        "" => reason,
        body => format!("{reason}: {body}"),
    }
}

impl Destination for WebhookSink {
    type Item = CrmCommand;

    fn name(&self) -> &str {
        SINK
    }

    fn route(&self, record: &StoredRecord) -> Route<CrmCommand> {
        crate::route_command(&self.codec, self.commands_schema, record)
    }

    async fn deliver(&mut self, batch: Vec<Delivery<CrmCommand>>, cx: Cx<'_>) -> Vec<Outcome> {
        let commands: Vec<CrmCommand> = batch.iter().map(|d| d.item.clone()).collect();
        let groups = fold(&commands);
        let in_flight = Arc::new(Semaphore::new(self.concurrency));
        let mut requests = JoinSet::new();
        for (g, group) in groups.iter().enumerate() {
            if let Some(rate) = &self.rate {
                if rate.acquire(cx.cancel).await == Wait::Cancelled {
                    break;
                }
            }
            if cx.is_cancelled() {
                break;
            }
            let Ok(permit) = in_flight.clone().acquire_owned().await else {
                break;
            };
            let request = self.send(group, cx.now_ms());
            requests.spawn(async move {
                let answer = request.await;
                drop(permit);
                (g, answer)
            });
        }
        let mut answers: Vec<Option<Answer>> = groups.iter().map(|_| None).collect();
        while let Some(joined) = requests.join_next().await {
            if let Ok((g, answer)) = joined {
                answers[g] = Some(answer);
            }
        }
        let mut outcomes: Vec<Option<Outcome>> = batch.iter().map(|_| None).collect();
        for (group, answer) in groups.iter().zip(answers) {
            let attempt = group
                .members
                .iter()
                .map(|&i| batch[i].attempt)
                .max()
                .unwrap_or(0);
            let outcome = match answer {
                Some(answer) => Self::outcome(answer, attempt, &cx),
                // Not sent: stopping, or the request's task failed. Again at once.
                None => Outcome::retry_at(cx.now_ms(), "not sent"),
            };
            for &i in &group.members {
                outcomes[i] = Some(outcome.clone());
            }
        }
        outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Outcome::retry_at(cx.now_ms(), "not sent")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_maps_its_fields_and_dates_in_format_millis() {
        let command = CrmCommand {
            command_id: "c1".into(),
            customer: "+85291234567".into(),
            occurred_at_ms: 1_795_046_400_123,
            source: "scrm-processor".into(),
            rule_id: Some("vip".into()),
            operation: CrmOp::UpsertContact {
                fields: BTreeMap::from([("level".into(), None)]),
            },
        };
        let m = Message::of(&command, &FieldMapping::default());
        assert_eq!(m.kind, "contact.upserted");
        assert_eq!(m.timestamp, "2026-11-19T00:00:00.123Z");
        assert_eq!(
            m.data.fields.as_ref().unwrap()["level"].as_deref(),
            Some("New Customer")
        );
        let json = serde_json::to_string(&m).unwrap();
        assert!(
            !json.contains("\"task\"") && !json.contains("\"note\""),
            "{json}"
        );
        let back: Message = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn a_refusal_keeps_the_receivers_words_cut_on_a_character() {
        assert_eq!(with_body("http 400".into(), "  "), "http 400");
        let long = "é".repeat(400);
        let r = with_body("http 400".into(), &long);
        assert!(r.starts_with("http 400: é") && r.len() <= 8 + 2 + crate::REASON_BYTES);
    }
}
