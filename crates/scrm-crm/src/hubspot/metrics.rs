//! What the HubSpot sink reads of its budget and how long it waited, as Prometheus
//! families (`scrm_hubspot_*`). The delivery worker's own `scrm_sink_*{sink="hubspot"}`
//! count the records; these say why they were slow. Names are constants so docs/crm.md
//! and dashboards agree with the code.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Requests left today for the whole HubSpot account (`X-HubSpot-RateLimit-Daily-Remaining`).
pub const DAILY_REMAINING: &str = "scrm_hubspot_daily_remaining";
/// The account's daily request limit (`X-HubSpot-RateLimit-Daily`).
pub const DAILY_LIMIT: &str = "scrm_hubspot_daily_limit";
/// Requests left in the current interval (`X-HubSpot-RateLimit-Remaining`).
pub const INTERVAL_REMAINING: &str = "scrm_hubspot_interval_remaining";
/// 1 while deliveries are paused because the daily budget is down to its reserve.
pub const PAUSED: &str = "scrm_hubspot_paused";
/// Waits, by reason: `interval` (the interval's requests used up), `retry_after` (a 429),
/// `daily_reserve` (paused until the daily limit resets), `token` (HubSpot refused it).
pub const WAITS: &str = "scrm_hubspot_waits";
/// Seconds waited or scheduled to wait, by the same reasons.
pub const WAIT_SECONDS: &str = "scrm_hubspot_wait_seconds";
/// Requests to HubSpot, by object (`contacts`, `deals`, …, `associations`, `gdpr`) and
/// HTTP status (`transport` when there was no answer).
pub const REQUESTS: &str = "scrm_hubspot_requests";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WaitLabel {
    pub reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabel {
    pub object: String,
    pub status: String,
}

/// The families; clones share them.
#[derive(Debug, Clone, Default)]
pub struct HubspotMetrics {
    pub daily_remaining: Gauge,
    pub daily_limit: Gauge,
    pub interval_remaining: Gauge,
    pub paused: Gauge,
    pub waits: Family<WaitLabel, Counter>,
    pub wait_seconds: Family<WaitLabel, Counter<f64, AtomicU64>>,
    pub requests: Family<RequestLabel, Counter>,
}

impl HubspotMetrics {
    /// Registers the families in `registry`.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            DAILY_REMAINING,
            "Requests left today for the HubSpot account, as HubSpot last said",
            self.daily_remaining.clone(),
        );
        registry.register(
            DAILY_LIMIT,
            "The HubSpot account's daily request limit",
            self.daily_limit.clone(),
        );
        registry.register(
            INTERVAL_REMAINING,
            "Requests left in HubSpot's current rate-limit interval",
            self.interval_remaining.clone(),
        );
        registry.register(
            PAUSED,
            "1 while the HubSpot sink leaves the daily reserve to other apps",
            self.paused.clone(),
        );
        registry.register(
            WAITS,
            "Waits of the HubSpot sink, by reason",
            self.waits.clone(),
        );
        registry.register(
            WAIT_SECONDS,
            "Seconds the HubSpot sink waited or scheduled to wait, by reason",
            self.wait_seconds.clone(),
        );
        registry.register(
            REQUESTS,
            "Requests to HubSpot, by object and status",
            self.requests.clone(),
        );
    }

    pub(crate) fn waited(&self, reason: &str, ms: i64) {
        let label = WaitLabel {
            reason: reason.to_owned(),
        };
        self.waits.get_or_create(&label).inc();
        self.wait_seconds
            .get_or_create(&label)
            .inc_by(ms.max(0) as f64 / 1_000.0);
    }

    /// Waits counted for `reason`.
    pub fn waits(&self, reason: &str) -> u64 {
        self.waits
            .get_or_create(&WaitLabel {
                reason: reason.to_owned(),
            })
            .get()
    }

    /// Seconds counted for `reason`.
    pub fn wait_seconds(&self, reason: &str) -> f64 {
        self.wait_seconds
            .get_or_create(&WaitLabel {
                reason: reason.to_owned(),
            })
            .get()
    }

    pub(crate) fn request(&self, object: &str, status: &str) {
        self.requests
            .get_or_create(&RequestLabel {
                object: object.to_owned(),
                status: status.to_owned(),
            })
            .inc();
    }
}
