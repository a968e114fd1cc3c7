//! The WhatsApp sender: automation triggers in, Cloud API messages out. It is a
//! [`Destination`] of the delivery worker (`scrm-sink`), which follows the triggers topic,
//! drops ids it has handled before (a re-run of the processor emits the same ids), keeps
//! waiting triggers in its ledger's schedule and writes each batch's results in one synced
//! write. What stays here is WhatsApp's part. For each trigger:
//! - SUPPRESS verdicts are audit records only and are skipped;
//! - `not_before` (best hour, quiet hours) makes it wait in the schedule, not in the
//!   partition's queue, so one deferred trigger holds up nothing else;
//! - it is judged again against the customer's current state ([`scrm_rules::recheck`]): an
//!   opt-out or a human agent since then skips it, a closed window turns a text into its
//!   fallback template;
//! - it is sent within the number's throughput limit and the Cloud API's answer is
//!   handled ([`call`]): 131047 → the fallback template, 130429 → back off, 131026 →
//!   terminal, 131049 → again in 24 h, 131056 → later for that customer only;
//! - the result (an `OutboundMessage` with the wamid, or a `MessageNotSent`) becomes a
//!   conversation event, owed to the log in the same write as the trigger's completion.

mod call;
pub mod states;
pub mod trigger;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use scrm_events::NotSentOutcome;
use scrm_ingest::Ingest;
use scrm_log::{EventLog, Record, StoredRecord};
use scrm_rules::{Message, RulePack};
use scrm_schema::{Codec, KnownSchema};
use scrm_sink::{
    Cx, Delivery, Destination, Outcome as Answer, RetryPolicy, Route, SinkError, Worker,
    WorkerOptions, WorkerParts,
};
use scrm_time::SharedClock;
use scrm_whatsapp_cloudapi::{CloudClient, PairPacing, Throttle};
use serde_json::json;

use crate::metrics::Metrics;
pub use call::Outcome;
pub use states::{CustomerStates, HttpStates};
pub use trigger::{Decision, StoredMessage, Trigger};

/// The sink name of the sender's metrics and dead letters.
pub const SINK: &str = "whatsapp";

/// The sender's settings.
#[derive(Debug, Clone)]
pub struct SenderOptions {
    pub triggers_topic: String,
    pub partitions: u32,
    /// What an empty template parameter is sent as (the Cloud API refuses empty ones; a
    /// first name may be unknown).
    pub empty_parameter: String,
    /// Attempts of a transient failure retried after a backoff before the trigger waits
    /// [`Self::retry_later`].
    pub transient_attempts: u32,
    /// Backoff between retries of 130429 and transient failures: (base, cap).
    pub backoff: (Duration, Duration),
    /// How long a trigger waits after the retries of a transient failure ran out.
    pub retry_later: Duration,
    /// How long an idle read of the triggers topic waits for new triggers.
    pub poll_wait: Duration,
    /// Triggers per batch (one ledger write each).
    pub max_batch: usize,
}

impl SenderOptions {
    pub fn new(triggers_topic: String, partitions: u32) -> Self {
        SenderOptions {
            triggers_topic,
            partitions,
            empty_parameter: "🙂".into(),
            transient_attempts: 5,
            backoff: (Duration::from_secs(1), Duration::from_secs(60)),
            retry_later: Duration::from_secs(300),
            poll_wait: Duration::from_millis(200),
            max_batch: 64,
        }
    }
}

/// The sender: the WhatsApp destination of a delivery worker.
pub struct Sender {
    pub(crate) client: CloudClient,
    pub(crate) throttle: Throttle,
    pub(crate) pacing: PairPacing,
    pub(crate) states: Arc<dyn CustomerStates>,
    pub(crate) pack: Arc<RulePack>,
    codec: Arc<Codec>,
    triggers_schema: &'static KnownSchema,
    conversation: Ingest,
    pub(crate) options: SenderOptions,
    metrics: Metrics,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Everything the sender's worker is made of.
pub struct SenderParts {
    pub log: Arc<dyn EventLog>,
    /// The worker's ledger directory.
    pub ledger_dir: PathBuf,
    pub client: CloudClient,
    /// The number's throughput limit, on `clock`.
    pub throttle: Throttle,
    pub states: Arc<dyn CustomerStates>,
    pub pack: Arc<RulePack>,
    pub codec: Arc<Codec>,
    pub triggers_schema: &'static KnownSchema,
    pub conversation: Ingest,
    pub dlq: Ingest,
    pub options: SenderOptions,
    pub metrics: Metrics,
    /// The one clock of the worker, the pacing and the backoff.
    pub clock: SharedClock,
}

impl std::fmt::Debug for SenderParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SenderParts")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Sender {
    /// The sender's delivery worker (opens its ledger).
    pub fn worker(parts: SenderParts) -> Result<Worker<Sender>, SinkError> {
        let (base, cap) = parts.options.backoff;
        let options = WorkerOptions {
            max_batch: parts.options.max_batch,
            poll_wait_ms: millis(parts.options.poll_wait),
            // The sender never gives a trigger up to the dead letters: failures that last
            // are retried every `retry_later`, final ones are recorded as events.
            retry: RetryPolicy {
                base_ms: millis(base),
                cap_ms: millis(cap),
                max_attempts: None,
            },
            ..WorkerOptions::default()
        };
        let sender = Sender {
            client: parts.client,
            throttle: parts.throttle,
            pacing: PairPacing::new(parts.clock.clone()),
            states: parts.states,
            pack: parts.pack,
            codec: parts.codec,
            triggers_schema: parts.triggers_schema,
            conversation: parts.conversation,
            metrics: parts.metrics.clone(),
            options: parts.options.clone(),
        };
        Worker::new(WorkerParts {
            destination: sender,
            log: parts.log,
            ledger_dir: parts.ledger_dir,
            topic: parts.options.triggers_topic.clone(),
            partitions: parts.options.partitions,
            dlq: parts.dlq,
            clock: parts.clock,
            metrics: parts.metrics.sink.clone(),
            options,
        })
    }

    fn event(&self, record: Result<Record, String>) -> Vec<(String, Record)> {
        match record {
            Ok(record) => vec![(self.conversation.topic().to_owned(), record)],
            // Only a bug can make our own event invalid; say so loudly, keep sending.
            Err(e) => {
                tracing::error!(error = %e, "the sender's conversation event is invalid");
                Vec::new()
            }
        }
    }

    /// What the worker records for `outcome`.
    fn settle(&self, trigger: &Trigger, outcome: Outcome, now: i64) -> Answer {
        match outcome {
            Outcome::Sent {
                wamid,
                message,
                fallback,
            } => {
                let events = self.event(self.outbound_event(trigger, &wamid, &message, now));
                let label = if fallback {
                    "fallback_template"
                } else {
                    "sent"
                };
                Metrics::outcome(&self.metrics.sender_results, label);
                Answer::Done {
                    events,
                    note: wamid,
                }
            }
            Outcome::NotSent {
                outcome,
                reasons,
                code,
                title,
                retry_at_ms,
            } => {
                let events = self.event(self.not_sent_event(
                    trigger,
                    outcome,
                    &reasons,
                    code,
                    title.as_deref(),
                    retry_at_ms,
                    now,
                ));
                match (outcome, retry_at_ms) {
                    (NotSentOutcome::RetryLater, Some(at)) => {
                        Metrics::outcome(&self.metrics.sender_results, "retry_later");
                        Answer::RetryAt {
                            at_ms: at,
                            reason: reasons.join(","),
                            events,
                        }
                    }
                    (NotSentOutcome::Skipped, _) => {
                        Metrics::outcome(&self.metrics.sender_results, "skipped");
                        Answer::Done {
                            events,
                            note: "skipped".into(),
                        }
                    }
                    _ => {
                        Metrics::outcome(&self.metrics.sender_results, "failed");
                        Answer::Done {
                            events,
                            note: "failed".into(),
                        }
                    }
                }
            }
            Outcome::Wait { until_ms, reason } => {
                tracing::debug!(trigger = %trigger.trigger_id, until_ms, reason, "trigger waits");
                Metrics::outcome(&self.metrics.sender_results, "waiting");
                Answer::retry_at(until_ms, reason)
            }
        }
    }

    fn outbound_event(
        &self,
        trigger: &Trigger,
        wamid: &str,
        message: &Message,
        now: i64,
    ) -> Result<Record, String> {
        let (kind, template, language, category, body) = match message {
            Message::Template {
                name,
                language,
                category,
                ..
            } => (
                "TEMPLATE",
                Some(name.as_str()),
                Some(language.as_str()),
                category.symbol(),
                None,
            ),
            Message::FreeForm { text, .. } => {
                ("FREE_FORM", None, None, "SERVICE", Some(text.as_str()))
            }
        };
        let json = json!({
            "event_id": format!("sent:{}", trigger.trigger_id),
            "customer": trigger.customer,
            "occurred_at": now,
            "source": "scrm-sender",
            "payload": {"OutboundMessage": {
                "wamid": wamid,
                "trigger_id": trigger.trigger_id,
                "kind": kind,
                "template_name": template,
                "language": language,
                "category": category,
                "body": body,
                "sent_by": "AUTOMATION",
                "agent_id": null,
            }},
        });
        self.conversation.json(&json).map_err(|e| e.to_string())
    }

    #[allow(clippy::too_many_arguments)]
    fn not_sent_event(
        &self,
        trigger: &Trigger,
        outcome: NotSentOutcome,
        reasons: &[String],
        code: Option<i64>,
        title: Option<&str>,
        retry_at_ms: Option<i64>,
        now: i64,
    ) -> Result<Record, String> {
        let template = match &trigger.message {
            StoredMessage::Template { name, .. } => Some(name.as_str()),
            StoredMessage::FreeForm { .. } => None,
        };
        let json = json!({
            "event_id": format!("not-sent:{}:{}", trigger.trigger_id, trigger.attempts),
            "customer": trigger.customer,
            "occurred_at": now,
            "source": "scrm-sender",
            "payload": {"MessageNotSent": {
                "trigger_id": trigger.trigger_id,
                "rule_id": trigger.rule_id,
                "template_name": template,
                "outcome": outcome.symbol(),
                "reasons": reasons,
                "error_code": code.and_then(|c| i32::try_from(c).ok()),
                "error_title": title,
                "retry_at": retry_at_ms,
            }},
        });
        self.conversation.json(&json).map_err(|e| e.to_string())
    }
}

impl Destination for Sender {
    type Item = Trigger;

    fn name(&self) -> &str {
        SINK
    }

    fn route(&self, record: &StoredRecord) -> Route<Trigger> {
        let trigger = self
            .codec
            .decode(&record.value, self.triggers_schema)
            .map_err(|e| e.to_string())
            .and_then(|v| Trigger::from_avro(&v));
        match trigger {
            Err(reason) => Route::Dead {
                kind: "DECODE",
                reason,
            },
            Ok(t) if t.decision == Decision::Suppress => {
                Metrics::outcome(&self.metrics.sender_results, "suppressed");
                Route::Skip {
                    reason: "suppressed",
                }
            }
            Ok(t) => Route::Deliver {
                id: t.trigger_id.clone(),
                item: t,
            },
        }
    }

    async fn deliver(&mut self, batch: Vec<Delivery<Trigger>>, cx: Cx<'_>) -> Vec<Answer> {
        let mut answers = Vec::with_capacity(batch.len());
        for delivery in batch {
            if cx.is_cancelled() {
                // Stopping: what was not tried goes again at once after the restart.
                answers.push(Answer::retry_at(cx.now_ms(), "shutdown"));
                continue;
            }
            let mut trigger = delivery.item;
            trigger.attempts = delivery.attempt;
            let outcome = self.attempt(&trigger, &cx).await;
            answers.push(self.settle(&trigger, outcome, cx.now_ms()));
        }
        answers
    }
}
