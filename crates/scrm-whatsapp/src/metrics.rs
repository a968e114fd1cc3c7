//! Metrics of the WhatsApp edge, registered in the process's Prometheus registry. Names are
//! constants so docs/operations.md and dashboards agree with the code.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

pub const GATEWAY_REQUESTS: &str = "scrm_gateway_requests";
pub const GATEWAY_EVENTS: &str = "scrm_gateway_events";
pub const GATEWAY_DUPLICATES: &str = "scrm_gateway_duplicates";
pub const GATEWAY_IGNORED: &str = "scrm_gateway_ignored";
pub const GATEWAY_SECONDS: &str = "scrm_gateway_request_seconds";
pub const SENDER_RESULTS: &str = "scrm_sender_results";
pub const SENDER_ENDPOINT_BACKUP: &str = "scrm_sender_on_backup_endpoint";
pub const MEDIA_STORED: &str = "scrm_media_stored";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    pub kind: String,
}

/// Counters of the gateway, the sender and the media fetcher.
#[derive(Debug, Clone)]
pub struct Metrics {
    /// Webhook posts by answer: ok, unauthorized, bad_request, unavailable.
    pub requests: Family<OutcomeLabel, Counter>,
    /// Events appended, by kind (message, status, capability).
    pub events: Family<KindLabel, Counter>,
    /// Events dropped because they were appended before (Meta's retries).
    pub duplicates: Counter,
    /// Webhook changes scrm does not map, by field.
    pub ignored: Family<KindLabel, Counter>,
    /// Time from receiving a post to answering it.
    pub request_seconds: Histogram,
    /// Triggers by what the sender did: sent, fallback_template, skipped, failed,
    /// retry_later, waiting, suppressed. Repeated ids are the worker's
    /// (`scrm_sink_records{sink="whatsapp",outcome="duplicate"}`).
    pub sender_results: Family<OutcomeLabel, Counter>,
    /// 1 while the sender uses the backup Graph API endpoint.
    pub on_backup: Gauge,
    /// Media copies stored, by whether they were re-encoded (stored, reencoded, failed).
    pub media: Family<OutcomeLabel, Counter>,
    /// The delivery workers of the sender and the media fetcher (`scrm_sink_*`; the
    /// waiting triggers are `scrm_sink_waiting{sink="whatsapp"}`).
    pub sink: scrm_sink::Metrics,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            requests: Family::default(),
            events: Family::default(),
            duplicates: Counter::default(),
            ignored: Family::default(),
            request_seconds: Histogram::new(exponential_buckets(0.0005, 2.0, 14)),
            sender_results: Family::default(),
            on_backup: Gauge::default(),
            media: Family::default(),
            sink: scrm_sink::Metrics::default(),
        }
    }
}

impl Metrics {
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            GATEWAY_REQUESTS,
            "Webhook posts by answer",
            self.requests.clone(),
        );
        registry.register(
            GATEWAY_EVENTS,
            "Events the gateway appended, by kind",
            self.events.clone(),
        );
        registry.register(
            GATEWAY_DUPLICATES,
            "Webhook events dropped as already appended (Meta's retries)",
            self.duplicates.clone(),
        );
        registry.register(
            GATEWAY_IGNORED,
            "Webhook changes scrm does not map, by field",
            self.ignored.clone(),
        );
        registry.register(
            GATEWAY_SECONDS,
            "Time from receiving a webhook post to answering it",
            self.request_seconds.clone(),
        );
        registry.register(
            SENDER_RESULTS,
            "Triggers by what the WhatsApp sender did with them",
            self.sender_results.clone(),
        );
        registry.register(
            SENDER_ENDPOINT_BACKUP,
            "1 while the sender uses the backup Graph API endpoint",
            self.on_backup.clone(),
        );
        registry.register(
            MEDIA_STORED,
            "Inbound media copies, by outcome",
            self.media.clone(),
        );
        self.sink.register(registry);
    }

    pub fn outcome(family: &Family<OutcomeLabel, Counter>, outcome: &str) {
        family
            .get_or_create(&OutcomeLabel {
                outcome: outcome.to_owned(),
            })
            .inc();
    }
}
