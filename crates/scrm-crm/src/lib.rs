//! The CRM sinks: each a [`scrm_sink::Destination`] that applies the commands of
//! `scrm.crm-commands.v1` to one outside system. What a sink adds to the shared delivery
//! worker is its system's mapping, requests and answers; the ledger, retries, rate limit,
//! dead letters and shutdown are the worker's.
//!
//! - [`mapping`]: the field mapping of one destination (renames, fields not synced,
//!   defaults for empty values), from configuration.
//! - [`fold`]: within a batch, a customer's contact upserts become one, last value wins.
//! - [`webhook`]: JSON for any other system, signed the Standard Webhooks way.
//! - [`receiver`]: a strict local receiver of those webhooks, for tests and the demo.
//! - [`hubspot`]: HubSpot through a private app: batch upserts on scrm's unique
//!   properties, associations, GDPR deletes, HubSpot's rate limits and daily budget; and
//!   [`hubspot::server`], a strict local HubSpot for tests and the demo.
//! - [`config`]: the `[crm]` section.

pub mod config;
pub mod fold;
pub mod hubspot;
pub mod mapping;
pub mod receiver;
pub mod webhook;

pub use config::{CrmConfig, HubspotConfig, WebhookConfig};
pub use hubspot::{HubspotMetrics, HubspotParts, HubspotSink};
pub use mapping::FieldMapping;
pub use webhook::{WebhookParts, WebhookSink};

use scrm_events::output::CrmCommand;
use scrm_log::StoredRecord;
use scrm_schema::{Codec, KnownSchema};
use scrm_sink::Route;

/// The most of a CRM's answer kept as a dead letter's reason.
pub const REASON_BYTES: usize = 500;

/// A record of `scrm.crm-commands.v1` as every sink routes it: its command, delivered
/// under the command id, or a dead letter when it does not decode.
pub fn route_command(
    codec: &Codec,
    schema: &'static KnownSchema,
    record: &StoredRecord,
) -> Route<CrmCommand> {
    let command = codec
        .decode(&record.value, schema)
        .map_err(|e| e.to_string())
        .and_then(|v| CrmCommand::from_avro(&v).map_err(|e| e.to_string()));
    match command {
        Ok(c) => Route::Deliver {
            id: c.command_id.clone(),
            item: c,
        },
        Err(reason) => Route::Dead {
            kind: "DECODE",
            reason,
        },
    }
}

/// `text`, trimmed and cut to [`REASON_BYTES`] on a character: what a dead letter keeps of
/// a CRM's answer.
pub fn cut_reason(text: &str) -> &str {
    let text = text.trim();
    let mut end = text.len().min(REASON_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The CRM sinks there are, by the name `scrm sink --crm` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SinkKind {
    Webhook,
    Hubspot,
}

impl SinkKind {
    pub const ALL: [SinkKind; 2] = [SinkKind::Webhook, SinkKind::Hubspot];

    /// The name on the command line, in metrics and in the ledger's folder.
    pub fn name(self) -> &'static str {
        match self {
            SinkKind::Webhook => webhook::SINK,
            SinkKind::Hubspot => hubspot::SINK,
        }
    }

    /// What to set for it to run.
    pub fn needs(self) -> &'static str {
        match self {
            SinkKind::Webhook => "the webhook sink needs its address and signing secret: set SCRM_CRM_WEBHOOK_URL (or crm.webhook.url) and SCRM_CRM_WEBHOOK_SECRET (or crm.webhook.secret_file)",
            SinkKind::Hubspot => "the HubSpot sink needs a private app's access token: set SCRM_CRM_HUBSPOT_TOKEN (or crm.hubspot.token_file); docs/crm.md says how to create the app",
        }
    }

    /// How logs and errors call it.
    pub fn what(self) -> &'static str {
        match self {
            SinkKind::Webhook => "the CRM webhook sink",
            SinkKind::Hubspot => "the HubSpot CRM sink",
        }
    }
}
