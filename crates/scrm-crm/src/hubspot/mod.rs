//! The HubSpot sink: CRM commands applied to a HubSpot account through a private app, by
//! upserts only, never a search followed by a create.
//!
//! A batch becomes a [`plan`]: contacts upserted on `scrm_customer_key` (a customer's
//! upserts in the batch folded into one), then deals on `scrm_deal_key`, tickets on
//! `scrm_case_key`, notes and tasks on `scrm_command_id` (one batch upsert each, at most
//! [`api::BATCH_LIMIT`] inputs), then each of those associated to its contact with the
//! ids HubSpot answered (`…/batch/associate/default`), then the erasures
//! (`gdpr-delete`). Every step is idempotent: a request HubSpot applied but whose answer
//! was lost (a 500 after the write, a sink killed before its ledger write) is sent again
//! and changes nothing, so no contact, deal, ticket, note or task is ever duplicated.
//!
//! HubSpot answers per record (207 with `errors`): a refused record's commands are dead
//! with HubSpot's message, the others are done. 408, 429, 5xx, no answer and a refused
//! token stop the batch: what is not done is retried (the worker's backoff, never before a
//! `Retry-After`; a refused token after `auth_retry_ms`); other refusals are dead with
//! HubSpot's message. [`budget`] keeps the sink within its own rate, HubSpot's interval
//! limit and the daily reserve left to the account's other apps.
//!
//! - [`api`]: HubSpot's wire format.
//! - [`properties`]: what each command writes, the default mapping, the custom properties
//!   the account needs.
//! - [`plan`]: a batch as the work it asks of HubSpot (pure).
//! - [`budget`], [`metrics`]: the limits and what is read of them.
//! - `client`: the requests and what their answers mean per record; the erasure.
//! - [`server`]: a strict local HubSpot for the tests and the demo (its rules in
//!   [`server::schema`], what it holds in [`server::store`]).

pub mod api;
pub mod budget;
mod client;
pub mod metrics;
pub mod plan;
pub mod properties;
pub mod server;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use scrm_config::Secret;
use scrm_events::output::CrmCommand;
use scrm_log::StoredRecord;
use scrm_schema::{Codec, KnownSchema};
use scrm_sink::{Cx, Delivery, Destination, Outcome, RateLimit, Route};
use scrm_time::SharedClock;

use crate::config::HubspotConfig;
use api::Object;
use budget::{Budget, Limits};
use client::{Client, Fail, Run};
pub use metrics::HubspotMetrics;
use plan::{plan, Settled};
use properties::Settings;

/// The sink name of the metrics, the dead letters and the ledger's folder.
pub const SINK: &str = "hubspot";

/// Everything the HubSpot sink is made of.
#[derive(Debug)]
pub struct HubspotParts {
    pub config: HubspotConfig,
    pub codec: Arc<Codec>,
    /// The current `CrmCommand` schema.
    pub commands_schema: &'static KnownSchema,
    pub clock: SharedClock,
    pub metrics: HubspotMetrics,
}

/// Why a HubSpot sink cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum HubspotError {
    #[error(
        "crm.hubspot: no private app token (SCRM_CRM_HUBSPOT_TOKEN or crm.hubspot.token_file)"
    )]
    NoToken,
    #[error("crm.hubspot.time_zone: {0}")]
    TimeZone(String),
    #[error("crm.hubspot.url {url:?}: {reason}")]
    Url { url: String, reason: String },
    #[error("crm.hubspot: the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

/// The HubSpot destination.
pub struct HubspotSink {
    client: Client,
    settings: Settings,
    codec: Arc<Codec>,
    commands_schema: &'static KnownSchema,
}

impl std::fmt::Debug for HubspotSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubspotSink")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl HubspotSink {
    pub fn new(parts: HubspotParts) -> Result<HubspotSink, HubspotError> {
        let config = parts.config;
        let token: Secret = config.token().cloned().ok_or(HubspotError::NoToken)?;
        let zone = config.zone().map_err(HubspotError::TimeZone)?;
        let base = reqwest::Url::parse(&config.url).map_err(|e| HubspotError::Url {
            url: config.url.clone(),
            reason: e.to_string(),
        })?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout())
            .connect_timeout(config.timeout().min(Duration::from_secs(5)))
            .user_agent(concat!("scrm/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let rate = RateLimit::per_second(config.requests_per_second, parts.clock.clone());
        let limits = Limits::new(
            rate,
            config.daily_reserve_percent,
            zone,
            parts.metrics.clone(),
        );
        Ok(HubspotSink {
            client: Client::new(
                http,
                base.as_str().trim_end_matches('/').to_owned(),
                token,
                limits,
                parts.metrics,
                i64::try_from(config.auth_retry_ms).unwrap_or(i64::MAX),
            ),
            settings: Settings {
                mapping: config.mapping,
                deal_pipeline: config.deal_pipeline,
                deal_stages: config.deal_stages,
                ticket_pipeline: config.ticket_pipeline,
                ticket_stage: config.ticket_stage,
            },
            codec: parts.codec,
            commands_schema: parts.commands_schema,
        })
    }

    /// What HubSpot's headers last said of the budget, and the sink's pauses.
    pub fn budget(&self) -> Budget {
        self.client.budget()
    }
}

impl Destination for HubspotSink {
    type Item = CrmCommand;

    fn name(&self) -> &str {
        SINK
    }

    fn route(&self, record: &StoredRecord) -> Route<CrmCommand> {
        crate::route_command(&self.codec, self.commands_schema, record)
    }

    async fn deliver(&mut self, batch: Vec<Delivery<CrmCommand>>, cx: Cx<'_>) -> Vec<Outcome> {
        let commands: Vec<CrmCommand> = batch.iter().map(|d| d.item.clone()).collect();
        let plan = plan(&commands, &self.settings);
        let mut answers = Answers {
            outcomes: batch.iter().map(|_| None).collect(),
            attempts: batch.iter().map(|d| d.attempt).collect(),
        };
        for (i, settled) in &plan.settled {
            let outcome = match settled {
                Settled::Done(note) => Outcome::done(*note),
                Settled::Later(reason) => Outcome::retry_at(cx.now_ms(), *reason),
            };
            answers.outcomes[*i] = Some(outcome);
        }
        let mut run = Run::new(&mut self.client, &cx);

        let inputs: Vec<(String, BTreeMap<String, String>)> = plan
            .contacts
            .iter()
            .map(|(key, work)| (key.clone(), work.properties.clone()))
            .collect();
        let ids = run.upsert(Object::Contacts, inputs).await;
        let contacts: BTreeMap<&str, Result<String, Fail>> =
            plan.contacts.keys().map(String::as_str).zip(ids).collect();
        for (customer, work) in &plan.contacts {
            let step = contacts[customer.as_str()]
                .as_ref()
                .map(|id| format!("contacts/{id}"));
            answers.set(&work.members, step, &run);
        }

        for object in [Object::Deals, Object::Tickets, Object::Notes, Object::Tasks] {
            let mut ready = Vec::new();
            for work in plan.objects.iter().filter(|w| w.object == object) {
                let contact = &contacts[work.customer.as_str()];
                match contact {
                    Ok(contact_id) => ready.push((work, contact_id.clone())),
                    Err(fail) => {
                        // Its contact's own fields were refused: those commands are dead,
                        // this one waits for a batch without them.
                        let own = !plan.contacts[&work.customer].members.is_empty();
                        let fail = match fail {
                            Fail::Dead(reason) if own => {
                                Fail::Retry(format!("its contact was refused: {reason}"))
                            }
                            other => other.clone(),
                        };
                        answers.set(&work.members, Err(&fail), &run);
                    }
                }
            }
            let inputs = ready
                .iter()
                .map(|(w, _)| (w.key.clone(), w.properties.clone()))
                .collect();
            let ids = run.upsert(object, inputs).await;
            let mut pairs = Vec::new();
            let mut linked = Vec::new();
            for ((work, contact_id), id) in ready.into_iter().zip(ids) {
                match id {
                    Ok(id) => {
                        pairs.push((id.clone(), contact_id));
                        linked.push((work, id));
                    }
                    Err(fail) => answers.set(&work.members, Err(&fail), &run),
                }
            }
            let associated = run.associate(object, pairs).await;
            for ((work, id), step) in linked.into_iter().zip(associated) {
                let step = step.as_ref().map(|()| format!("{}/{id}", object.path()));
                answers.set(&work.members, step, &run);
            }
        }

        for erasure in &plan.erasures {
            let erased = run.erase(&erasure.customer).await;
            let step = erased
                .as_ref()
                .map(|held| if *held { "erased" } else { "nothing to erase" }.to_owned());
            answers.set(&erasure.members, step, &run);
        }
        let now = cx.now_ms();
        answers
            .outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Outcome::retry_at(now, "not sent")))
            .collect()
    }
}

/// The outcomes of a batch as they are decided.
struct Answers {
    outcomes: Vec<Option<Outcome>>,
    attempts: Vec<u32>,
}

impl Answers {
    /// Answers `members` (batch positions sharing one step) with its result, done with the
    /// HubSpot record it wrote, or what its failure means at their latest attempt.
    fn set(&mut self, members: &[usize], step: Result<String, &Fail>, run: &Run<'_, '_>) {
        let attempt = members.iter().map(|&i| self.attempts[i]).max().unwrap_or(0);
        let outcome = match step {
            Ok(note) => Outcome::done(format!("hubspot {note}")),
            Err(fail) => run.outcome(fail, attempt),
        };
        for &i in members {
            self.outcomes[i] = Some(outcome.clone());
        }
    }
}
