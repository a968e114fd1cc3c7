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
