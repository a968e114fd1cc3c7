//! The WhatsApp sender: automation triggers in, Cloud API messages out.
//!
//! It follows the triggers topic (every partition, from its [`Ledger`]'s offsets) and for
//! each trigger:
//! - drops ids it has handled before (a re-run of the processor emits the same ids), and
//!   SUPPRESS verdicts, which are audit records only;
//! - waits for `not_before` (best hour, quiet hours) in its ledger's schedule, not in the
//!   partition's queue, so one deferred trigger holds up nothing else;
//! - judges it again against the customer's current state ([`scrm_rules::recheck`]): an
//!   opt-out or a human agent since then skips it, a closed window turns a text into its
//!   fallback template;
//! - sends it within the number's throughput limit and handles the Cloud API's answer
//!   ([`call`]): 131047 → the fallback template, 130429 → back off, 131026 → terminal,
//!   131049 → again in 24 h, 131056 → later for that customer only;
//! - records the result (an `OutboundMessage` with the wamid, or a `MessageNotSent`) as a
//!   conversation event, so state and analytics see it. The event is written to the ledger
//!   in the same synced batch as the trigger's completion and appended from there, so a
//!   crash loses neither and a restart sends nothing twice.

mod call;
pub mod states;
pub mod trigger;

use std::sync::Arc;
use std::time::Duration;

use scrm_cloudapi::{Backoff, CloudClient, PairPacing, Throttle, TokioClock};
use scrm_events::NotSentOutcome;
use scrm_ingest::{Ingest, Refused};
use scrm_log::{EventLog, Record, StoredRecord};
use scrm_rules::{Message, RulePack};
use scrm_schema::{Codec, KnownSchema};
use serde_json::json;

use crate::follow::{Follower, WorkerError};
use crate::ledger::{Ledger, LedgerBatch};
use crate::metrics::Metrics;
pub use call::Outcome;
pub use states::{CustomerStates, HttpStates};
pub use trigger::{Decision, StoredMessage, Trigger};

/// The sender's settings.
#[derive(Debug, Clone)]
pub struct SenderOptions {
    pub triggers_topic: String,
    pub partitions: u32,
    /// What an empty template parameter is sent as (the Cloud API refuses empty ones; a
    /// first name may be unknown).
    pub empty_parameter: String,
    /// Retries of a transient failure before the trigger waits [`Self::retry_later`].
    pub transient_attempts: u32,
    /// Backoff between retries of 130429 and transient failures: (base, cap).
    pub backoff: (Duration, Duration),
    /// How long a trigger waits after the retries of a transient failure ran out.
    pub retry_later: Duration,
    /// How long an idle poll waits for new triggers.
    pub poll_wait: Duration,
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
        }
    }
}

/// Milliseconds since the epoch; a function so tests can set the time.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The sender, run on a thread of its own.
pub struct Sender {
    log: Arc<dyn EventLog>,
    ledger: Arc<Ledger>,
    follower: Follower,
    pub(crate) client: CloudClient,
    pub(crate) throttle: Throttle<TokioClock>,
    pub(crate) pacing: PairPacing<TokioClock>,
    pub(crate) backoff: Backoff,
    pub(crate) states: Arc<dyn CustomerStates>,
    pub(crate) pack: Arc<RulePack>,
    codec: Arc<Codec>,
    triggers_schema: &'static KnownSchema,
    conversation: Ingest,
    dlq: Ingest,
    pub(crate) options: SenderOptions,
    metrics: Metrics,
    pub(crate) now: Clock,
    pub(crate) runtime: tokio::runtime::Handle,
    /// When the scheduled-work gauge was last set.
    gauged: Option<std::time::Instant>,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Everything a [`Sender`] is made of.
pub struct SenderParts {
    pub log: Arc<dyn EventLog>,
    pub ledger: Ledger,
    pub client: CloudClient,
    pub throttle: Throttle<TokioClock>,
    pub states: Arc<dyn CustomerStates>,
    pub pack: Arc<RulePack>,
    pub codec: Arc<Codec>,
    pub triggers_schema: &'static KnownSchema,
    pub conversation: Ingest,
    pub dlq: Ingest,
    pub options: SenderOptions,
    pub metrics: Metrics,
    pub now: Clock,
    pub runtime: tokio::runtime::Handle,
}

impl std::fmt::Debug for SenderParts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SenderParts")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Sender {
    pub fn new(parts: SenderParts) -> Result<Self, WorkerError> {
        let follower = Follower::start(
            &parts.log,
            &parts.ledger,
            &parts.options.triggers_topic,
            parts.options.partitions,
        )?;
        let (base, cap) = parts.options.backoff;
        Ok(Sender {
            log: parts.log,
            ledger: Arc::new(parts.ledger),
            follower,
            client: parts.client,
            throttle: parts.throttle,
            pacing: PairPacing::new(TokioClock::new()),
            backoff: Backoff::new().with_bounds(base, cap),
            states: parts.states,
            pack: parts.pack,
            codec: parts.codec,
            triggers_schema: parts.triggers_schema,
            conversation: parts.conversation,
            dlq: parts.dlq,
            options: parts.options,
            metrics: parts.metrics,
            now: parts.now,
            runtime: parts.runtime,
            gauged: None,
        })
    }

    /// Sends until `stop` says so; returns on a failure of the ledger or the log.
    pub fn run(&mut self, stop: &dyn Fn() -> bool) -> Result<(), WorkerError> {
        while !stop() {
            self.step()?;
        }
        self.flush_owed()
    }

    /// One round: what is due from the schedule, then one batch of new triggers. Returns
    /// how many triggers it handled.
    pub fn step(&mut self) -> Result<usize, WorkerError> {
        self.flush_owed()?;
        let mut handled = 0;
        let now = (self.now)();
        let ledger = self.ledger.clone();
        for due in ledger.due(now, 64)? {
            let mut batch = ledger.batch();
            batch.remove(&due.key);
            match serde_json::from_slice::<Trigger>(&due.payload) {
                Ok(mut trigger) => {
                    let outcome = self.attempt(&trigger);
                    self.settle(&mut batch, &mut trigger, outcome)?;
                }
                Err(e) => {
                    tracing::error!(id = %due.id, error = %e, "unreadable scheduled trigger dropped")
                }
            }
            ledger.write(batch)?;
            handled += 1;
        }
        let records = self.follower.poll(64, self.options.poll_wait)?;
        let topic = self.follower.topic().to_owned();
        for record in &records {
            let mut batch = ledger.batch();
            batch.offset(&topic, record.partition, record.offset + 1);
            self.take(&mut batch, record)?;
            ledger.write(batch)?;
            handled += 1;
        }
        // Counting walks the schedule: every few seconds is enough for a gauge.
        if self
            .gauged
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(5))
        {
            self.metrics
                .sender_scheduled
                .set(self.ledger.waiting()? as i64);
            self.gauged = Some(std::time::Instant::now());
        }
        self.flush_owed()?;
        Ok(handled)
    }

    /// A new trigger from the topic.
    fn take(
        &mut self,
        batch: &mut LedgerBatch<'_>,
        record: &StoredRecord,
    ) -> Result<(), WorkerError> {
        let trigger = self
            .codec
            .decode(&record.value, self.triggers_schema)
            .map_err(|e| e.to_string())
            .and_then(|v| Trigger::from_avro(&v));
        let mut trigger = match trigger {
            Ok(t) => t,
            Err(reason) => {
                tracing::warn!(partition = record.partition, offset = record.offset, %reason, "unreadable trigger to the dead-letter topic");
                let letter = scrm_ingest::dead_letter(
                    &self.dlq,
                    &Refused {
                        source: "sender",
                        topic: Some(self.follower.topic()),
                        kind: "DECODE",
                        reason: &reason,
                        bytes: &record.value,
                        at_ms: (self.now)(),
                    },
                );
                if let Ok(letter) = letter {
                    batch.owe(self.dlq.topic(), &letter);
                }
                return Ok(());
            }
        };
        if self.ledger.done(&trigger.trigger_id)?.is_some() {
            Metrics::outcome(&self.metrics.sender_results, "duplicate");
            return Ok(());
        }
        if trigger.decision == Decision::Suppress {
            batch.done(&trigger.trigger_id, "suppressed");
            Metrics::outcome(&self.metrics.sender_results, "suppressed");
            return Ok(());
        }
        let outcome = self.attempt(&trigger);
        self.settle(batch, &mut trigger, outcome)
    }

    /// Writes what became of `trigger` into `batch`.
    fn settle(
        &mut self,
        batch: &mut LedgerBatch<'_>,
        trigger: &mut Trigger,
        outcome: Outcome,
    ) -> Result<(), WorkerError> {
        let now = (self.now)();
        let id = trigger.trigger_id.clone();
        match outcome {
            Outcome::Sent {
                wamid,
                message,
                fallback,
            } => {
                batch.done(&id, &wamid);
                let record = self.outbound_event(trigger, &wamid, &message, now);
                self.owe(batch, record);
                let label = if fallback {
                    "fallback_template"
                } else {
                    "sent"
                };
                Metrics::outcome(&self.metrics.sender_results, label);
            }
            Outcome::NotSent {
                outcome,
                reasons,
                code,
                title,
                retry_at_ms,
            } => {
                let record = self.not_sent_event(
                    trigger,
                    outcome,
                    &reasons,
                    code,
                    title.as_deref(),
                    retry_at_ms,
                    now,
                );
                self.owe(batch, record);
                match (outcome, retry_at_ms) {
                    (NotSentOutcome::RetryLater, Some(at)) => {
                        trigger.attempts += 1;
                        batch.done(&id, "scheduled");
                        batch.schedule(
                            at,
                            &id,
                            &serde_json::to_vec(trigger).expect("triggers serialize"),
                        );
                        Metrics::outcome(&self.metrics.sender_results, "retry_later");
                    }
                    (NotSentOutcome::Skipped, _) => {
                        batch.done(&id, "skipped");
                        Metrics::outcome(&self.metrics.sender_results, "skipped");
                    }
                    _ => {
                        batch.done(&id, "failed");
                        Metrics::outcome(&self.metrics.sender_results, "failed");
                    }
                }
            }
            Outcome::Wait { until_ms, reason } => {
                tracing::debug!(trigger = %id, until_ms, reason, "trigger waits");
                trigger.attempts += 1;
                batch.done(&id, "scheduled");
                batch.schedule(
                    until_ms,
                    &id,
                    &serde_json::to_vec(trigger).expect("triggers serialize"),
                );
                Metrics::outcome(&self.metrics.sender_results, "waiting");
            }
        }
        Ok(())
    }

    fn owe(&self, batch: &mut LedgerBatch<'_>, record: Result<Record, String>) {
        match record {
            Ok(record) => {
                batch.owe(self.conversation.topic(), &record);
            }
            // Only a bug can make our own event invalid; say so loudly, keep sending.
            Err(e) => tracing::error!(error = %e, "the sender's conversation event is invalid"),
        }
    }

    fn flush_owed(&mut self) -> Result<(), WorkerError> {
        self.ledger
            .flush(self.log.as_ref())
            .map_err(|(topic, error)| WorkerError::Append { topic, error })
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
