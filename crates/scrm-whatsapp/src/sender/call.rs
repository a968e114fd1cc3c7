//! One attempt at a trigger: the recheck, the call, and what the Cloud API's answer means.

use std::time::Duration;

use scrm_events::NotSentOutcome;
use scrm_rules::recheck::{fallback, recheck, Recheck, RecheckCx};
use scrm_rules::Message;
use scrm_sink::Cx;
use scrm_state::CustomerState;
use scrm_time::Wait;
use scrm_whatsapp_cloudapi::{ErrorClass, OutgoingMessage, SendError};

use super::{Sender, Trigger};

const DAY_MS: i64 = 86_400_000;

/// What became of an attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The Cloud API took it.
    Sent {
        wamid: String,
        /// What was sent (the fallback template when the window had closed).
        message: Message,
        fallback: bool,
    },
    /// Not sent: skipped by the recheck, refused for good, or to be retried at
    /// `retry_at_ms` (Meta's marketing cap).
    NotSent {
        outcome: NotSentOutcome,
        reasons: Vec<String>,
        code: Option<i64>,
        title: Option<String>,
        retry_at_ms: Option<i64>,
    },
    /// Try again at `until_ms`, silently: not before its time, quiet hours, the pair rate
    /// limit, a backoff after 130429 or a transient failure, or a shutdown.
    Wait { until_ms: i64, reason: &'static str },
}

fn failed(reason: &str, error: &SendError) -> Outcome {
    Outcome::NotSent {
        outcome: NotSentOutcome::Failed,
        reasons: vec![reason.to_owned()],
        code: error.code(),
        title: Some(error.to_string()),
        retry_at_ms: None,
    }
}

impl Sender {
    fn recheck_cx(&self) -> RecheckCx<'_> {
        RecheckCx {
            settings: &self.pack.policy,
            business_zone: self.pack.business.time_zone,
            templates: &self.pack.templates,
        }
    }

    /// Judges `trigger` against the customer's current state and sends it if it may go.
    pub(crate) async fn attempt(&mut self, trigger: &Trigger, cx: &Cx<'_>) -> Outcome {
        let now = cx.now_ms();
        if let Some(at) = trigger.not_before_ms.filter(|at| *at > now) {
            return Outcome::Wait {
                until_ms: at,
                reason: "not_before",
            };
        }
        if let Err(wait) = self.pacing.check(&trigger.customer) {
            return Outcome::Wait {
                until_ms: now + wait.as_millis() as i64,
                reason: "pair_rate_limit",
            };
        }
        // The lookup blocks (an HTTP call, or the processor's RocksDB): off the runtime.
        let lookup = {
            let states = self.states.clone();
            let customer = trigger.customer.clone();
            tokio::task::spawn_blocking(move || states.get(&customer))
                .await
                .unwrap_or_else(|e| Err(e.to_string()))
        };
        let state = match lookup {
            Ok(state) => state,
            Err(e) => {
                tracing::warn!(error = %e, "customer state unavailable; the trigger waits");
                return Outcome::Wait {
                    until_ms: now + 30_000,
                    reason: "state_unavailable",
                };
            }
        };
        let message = trigger.message.clone();
        match recheck(
            &self.recheck_cx(),
            state.as_ref(),
            &message,
            trigger.in_reply(),
            now,
        ) {
            Recheck::Skip(reasons) => Outcome::NotSent {
                outcome: NotSentOutcome::Skipped,
                reasons: reasons.into_iter().map(str::to_owned).collect(),
                code: None,
                title: None,
                retry_at_ms: None,
            },
            Recheck::Wait { until_ms, reason } => Outcome::Wait { until_ms, reason },
            Recheck::Send(to_send) => {
                let fallback = to_send != message;
                self.call(trigger, to_send, fallback, state.as_ref(), cx)
                    .await
            }
        }
    }

    fn outgoing(&self, trigger: &Trigger, message: &Message) -> OutgoingMessage {
        let outgoing = match message {
            Message::Template {
                name,
                language,
                variables,
                ..
            } => {
                let params = variables
                    .iter()
                    .map(|v| {
                        if v.trim().is_empty() {
                            self.options.empty_parameter.clone()
                        } else {
                            v.clone()
                        }
                    })
                    .collect();
                OutgoingMessage::template(&trigger.customer, name, language, params)
            }
            Message::FreeForm { text, .. } => OutgoingMessage::text(&trigger.customer, text),
        };
        outgoing.with_callback_data(&trigger.trigger_id)
    }

    /// Calls the Cloud API until it answers something final for this attempt.
    async fn call(
        &mut self,
        trigger: &Trigger,
        mut message: Message,
        mut fell_back: bool,
        state: Option<&CustomerState>,
        cx: &Cx<'_>,
    ) -> Outcome {
        loop {
            let outgoing = self.outgoing(trigger, &message);
            if self.throttle.until_ready(cx.cancel).await == Wait::Cancelled {
                return Outcome::Wait {
                    until_ms: cx.now_ms(),
                    reason: "shutdown",
                };
            }
            let result = self.client.send(&outgoing).await;
            let error = match result {
                Ok(sent) => {
                    self.pacing.record_success(&trigger.customer);
                    return Outcome::Sent {
                        wamid: sent.wamid,
                        message,
                        fallback: fell_back,
                    };
                }
                Err(error) => error,
            };
            let now = cx.now_ms();
            tracing::info!(trigger = %trigger.trigger_id, class = ?error.class(), error = %error, "send failed");
            match error.class() {
                ErrorClass::OutsideWindow => {
                    let template = match (&message, state) {
                        (
                            Message::FreeForm {
                                fallback_template, ..
                            },
                            Some(state),
                        ) => fallback(&self.recheck_cx(), state, fallback_template),
                        _ => None,
                    };
                    match template {
                        Some(template) => {
                            message = template;
                            fell_back = true;
                        }
                        None => return failed("outside_window", &error),
                    }
                }
                ErrorClass::Undeliverable => return failed("undeliverable", &error),
                ErrorClass::Invalid => return failed("invalid", &error),
                ErrorClass::MarketingCap => {
                    return Outcome::NotSent {
                        outcome: NotSentOutcome::RetryLater,
                        reasons: vec!["marketing_cap".into()],
                        code: error.code(),
                        title: Some(error.to_string()),
                        retry_at_ms: Some(now + DAY_MS),
                    }
                }
                ErrorClass::PairRateLimit => {
                    let wait = self.pacing.record_pair_limited(&trigger.customer);
                    return Outcome::Wait {
                        until_ms: now + wait.as_millis() as i64,
                        reason: "pair_rate_limit",
                    };
                }
                // The backoff is a wait in the worker's schedule, on its clock: it holds up
                // no other trigger and ends at once on shutdown.
                ErrorClass::RateLimited | ErrorClass::Transient => {
                    if trigger.attempts >= self.options.transient_attempts {
                        return Outcome::Wait {
                            until_ms: now + self.options.retry_later.as_millis() as i64,
                            reason: "retries_exhausted",
                        };
                    }
                    return Outcome::Wait {
                        until_ms: cx.retry.next_at(trigger.attempts, now),
                        reason: "backoff",
                    };
                }
                ErrorClass::Auth => {
                    tracing::error!(error = %error, "the Cloud API refuses the sender's credentials; check the access token");
                    return Outcome::Wait {
                        until_ms: now + Duration::from_secs(60).as_millis() as i64,
                        reason: "auth",
                    };
                }
            }
        }
    }
}
