//! The WhatsApp policy gate: every message a rule wants to send passes here first.
//!
//! The gate decides, from the customer's state and the partition's daily count, whether the
//! message is sent now (ALLOW), later (DEFER, with the time: best hour for marketing, end
//! of quiet hours), or never (SUPPRESS, with every reason). What it lets through is
//! remembered in the customer's [`PolicyState`] at the time it will be sent, so the limits
//! hold for deferred messages too. The limits (DESIGN.md, "Rules and the WhatsApp policy
//! gate"):
//!
//! - free-form text only inside the customer-service window (24 h after the customer's
//!   last inbound message); outside it the text's fallback template, or nothing;
//! - a customer who has not opted in gets at most one template per 24 h;
//! - the same template at most 5 times per customer in 30 days;
//! - marketing at most once in 7 days, at the best hour (Wednesday 14:00 in the
//!   customer's time zone) when the rule asks for it; never after an opt-out;
//! - the same notification type at least 6 h apart;
//! - nothing for 12 h after a human agent stepped in (or while a rule's pause lasts);
//! - nothing business-initiated during quiet hours in the customer's time zone (replies to a
//!   message the customer just sent are not held back);
//! - at most the business's daily limit of unique customers messaged outside the window
//!   (Meta's messaging tier), with a warning at 80% of it. A partition owns an equal share
//!   of the limit, so the sum over partitions never exceeds it.

use std::collections::BTreeMap;

use scrm_locale::{LocalTime, Tz, Weekday};
use scrm_state::{CustomerState, PolicySend, TierUsage};

use crate::effects::{Message, TemplateCategory};

const DAY: i64 = 86_400_000;

/// The gate's settings; every number is a setting of the rule pack's `[policy]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySettings {
    pub service_window_ms: i64,
    pub not_opted_in_template_gap_ms: i64,
    pub same_template_per_month: u32,
    pub marketing_gap_ms: i64,
    pub best_hour: (Weekday, LocalTime),
    pub notification_spacing_ms: i64,
    pub handoff_pause_ms: i64,
    /// Local [from, to); `None` for no quiet hours.
    pub quiet_hours: Option<(LocalTime, LocalTime)>,
    /// Unique customers per day outside the window; `None` when unlimited.
    pub daily_unique_customers: Option<u64>,
    /// Share of the daily limit at which a warning is raised.
    pub tier_warning_at: f64,
    /// CRM field whose "true"/"false" records the customer's opt-in.
    pub opt_in_field: String,
}

impl Default for PolicySettings {
    fn default() -> Self {
        PolicySettings {
            service_window_ms: DAY,
            not_opted_in_template_gap_ms: DAY,
            same_template_per_month: 5,
            marketing_gap_ms: 7 * DAY,
            best_hour: (
                Weekday::Wed,
                LocalTime {
                    hour: 14,
                    minute: 0,
                },
            ),
            notification_spacing_ms: 6 * 3_600_000,
            handoff_pause_ms: 12 * 3_600_000,
            quiet_hours: Some((
                LocalTime {
                    hour: 21,
                    minute: 0,
                },
                LocalTime { hour: 9, minute: 0 },
            )),
            daily_unique_customers: Some(1_000),
            tier_warning_at: 0.8,
            opt_in_field: "whatsapp_opt_in".to_owned(),
        }
    }
}

/// The gate's decision is the trigger record's: one type from the gate to the sender.
pub use scrm_events::output::Decision;

/// Reasons, as they appear in triggers and metrics.
pub mod reasons {
    pub const OUTSIDE_WINDOW: &str = "outside_window";
    pub const FALLBACK_TEMPLATE: &str = "fallback_template";
    pub const TEMPLATE_DAILY_LIMIT: &str = "template_daily_limit";
    pub const SAME_TEMPLATE_MONTHLY_LIMIT: &str = "same_template_monthly_limit";
    pub const MARKETING_WEEKLY_LIMIT: &str = "marketing_weekly_limit";
    pub const BEST_HOUR: &str = "best_hour";
    pub const NOTIFICATION_SPACING: &str = "notification_spacing";
    pub const HANDOFF_PAUSE: &str = "handoff_pause";
    pub const PAUSED: &str = "paused";
    pub const OPTED_OUT: &str = "opted_out";
    pub const QUIET_HOURS: &str = "quiet_hours";
    pub const TIER_LIMIT: &str = "tier_limit";
}

/// What a rule asked to send.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub message: &'a Message,
    pub notification: &'a str,
    pub best_hour: bool,
    /// Caused by a message the customer just sent (not held back by quiet hours).
    pub in_reply: bool,
    pub now_ms: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub decision: Decision,
    pub reasons: Vec<String>,
    /// When to send, for DEFER.
    pub not_before_ms: Option<i64>,
    /// The message to send: the request's, or its fallback template outside the window.
    pub message: Message,
    /// Raised when this message took the day's count to the warning level: (used, share).
    pub tier_warning: Option<(u64, u64)>,
    /// The request's [`in_reply`](Request::in_reply), carried into the trigger so the
    /// sender's recheck treats the message as the gate did.
    pub in_reply: bool,
}

/// The gate of one partition.
#[derive(Debug, Clone)]
pub struct Gate<'a> {
    pub settings: &'a PolicySettings,
    pub business_zone: Tz,
    /// Category of each declared template, for fallbacks.
    pub templates: &'a BTreeMap<String, TemplateCategory>,
    /// This partition's share of the daily limit; `None` when unlimited.
    pub tier_share: Option<u64>,
}

/// A partition's share of a daily limit: equal shares, the remainder to the first
/// partitions, so the shares add up to the limit exactly.
pub fn tier_share(limit: u64, partitions: u32, partition: u32) -> u64 {
    let p = u64::from(partitions.max(1));
    limit / p + u64::from(u64::from(partition) < limit % p)
}

/// The customer's time zone: known, else the number's region's, else the business's.
pub fn customer_zone(state: &CustomerState, business: Tz) -> Tz {
    state
        .time_zone
        .as_deref()
        .and_then(|z| scrm_locale::parse_zone(z).ok())
        .or_else(|| {
            let key = scrm_identity::parse_key(&state.customer).ok()?;
            scrm_locale::zone_of_region(key.region()?.as_str())
        })
        .unwrap_or(business)
}

/// Whether the customer-service window is open at `at_ms`.
pub fn window_open(state: &CustomerState, settings: &PolicySettings, at_ms: i64) -> bool {
    state
        .last_inbound_ms
        .is_some_and(|t| t <= at_ms && at_ms < t + settings.service_window_ms)
}

impl Gate<'_> {
    /// Decides on `request` and, unless it is suppressed, remembers it in `state` and
    /// counts it in `tier`.
    pub fn decide(
        &self,
        state: &mut CustomerState,
        tier: &mut TierUsage,
        request: &Request<'_>,
    ) -> Verdict {
        let s = self.settings;
        let now = request.now_ms;
        let mut suppress: Vec<&'static str> = Vec::new();
        let mut defer: Vec<&'static str> = Vec::new();
        let mut message = request.message.clone();

        suppress.extend(paused(state, s, now));

        // When it would be sent.
        let zone = customer_zone(state, self.business_zone);
        let mut at = now;
        if request.best_hour && is_marketing(&message) {
            let (day, time) = s.best_hour;
            let best = scrm_locale::next_local(now, zone, Some(day), time);
            if best > at {
                at = best;
                defer.push(reasons::BEST_HOUR);
            }
        }
        if !request.in_reply {
            if let Some((from, to)) = s.quiet_hours {
                if let Some(end) = scrm_locale::quiet_until(at, zone, from, to) {
                    at = end;
                    defer.push(reasons::QUIET_HOURS);
                }
            }
        }

        let open = window_open(state, s, at);
        if let Message::FreeForm {
            fallback_template, ..
        } = &message
        {
            if !open {
                match fallback_template
                    .as_ref()
                    .and_then(|t| self.templates.get(t).map(|c| (t, *c)))
                {
                    Some((name, category)) => {
                        message = Message::Template {
                            name: name.clone(),
                            language: state.language.clone().unwrap_or_else(|| "en".into()),
                            category,
                            variables: Vec::new(),
                        };
                        defer.push(reasons::FALLBACK_TEMPLATE);
                    }
                    None => suppress.push(reasons::OUTSIDE_WINDOW),
                }
            }
        }

        let sends = &state.policy.sends;
        let near = |gap: i64| move |p: &&PolicySend| (p.at_ms - at).abs() < gap;
        if let Message::Template { name, .. } = &message {
            if !crate::condition::is_opted_in(state)
                && sends
                    .iter()
                    .filter(|p| p.template.is_some())
                    .any(|p| near(s.not_opted_in_template_gap_ms)(&p))
            {
                suppress.push(reasons::TEMPLATE_DAILY_LIMIT);
            }
            let same = sends
                .iter()
                .filter(|p| p.template.as_deref() == Some(name.as_str()))
                .filter(near(30 * DAY))
                .count();
            if same >= s.same_template_per_month as usize {
                suppress.push(reasons::SAME_TEMPLATE_MONTHLY_LIMIT);
            }
        }
        if is_marketing(&message) {
            if state.opted_out_at_ms.is_some() && !crate::condition::is_opted_in(state) {
                suppress.push(reasons::OPTED_OUT);
            }
            if sends
                .iter()
                .filter(|p| p.marketing)
                .any(|p| near(s.marketing_gap_ms)(&p))
            {
                suppress.push(reasons::MARKETING_WEEKLY_LIMIT);
            }
        }
        if sends
            .iter()
            .filter(|p| p.notification == request.notification)
            .any(|p| near(s.notification_spacing_ms)(&p))
        {
            suppress.push(reasons::NOTIFICATION_SPACING);
        }

        // The daily limit of unique customers, for messages outside the window.
        let business_initiated = !open && matches!(message, Message::Template { .. });
        let day = scrm_locale::local_day(at, self.business_zone);
        let mut count_day = false;
        if business_initiated && state.policy.tier_day != Some(day) {
            if let Some(share) = self.tier_share {
                if tier.used.get(&day).copied().unwrap_or(0) >= share {
                    suppress.push(reasons::TIER_LIMIT);
                }
            }
            count_day = true;
        }

        if !suppress.is_empty() {
            return Verdict {
                decision: Decision::Suppress,
                reasons: suppress.into_iter().map(str::to_owned).collect(),
                not_before_ms: None,
                message,
                tier_warning: None,
                in_reply: request.in_reply,
            };
        }

        let mut tier_warning = None;
        if count_day {
            // Relative to today: a message deferred to a later day must not drop today's count.
            tier.prune(scrm_locale::local_day(now, self.business_zone));
            let used = tier.used.entry(day).or_insert(0);
            *used += 1;
            let used = *used;
            state.policy.tier_day = Some(day);
            if let Some(share) = self.tier_share {
                let level = (share as f64 * s.tier_warning_at).ceil() as u64;
                if used >= level && !tier.warned.contains(&day) {
                    tier.warned.insert(day);
                    tier_warning = Some((used, share));
                }
            }
        }
        state.policy.record(
            PolicySend {
                at_ms: at,
                template: match &message {
                    Message::Template { name, .. } => Some(name.clone()),
                    Message::FreeForm { .. } => None,
                },
                marketing: is_marketing(&message),
                notification: request.notification.to_owned(),
            },
            now - 31 * DAY,
        );
        let deferred = at > now;
        Verdict {
            decision: if deferred {
                Decision::Defer
            } else {
                Decision::Allow
            },
            reasons: defer.into_iter().map(str::to_owned).collect(),
            not_before_ms: deferred.then_some(at),
            message,
            tier_warning,
            in_reply: request.in_reply,
        }
    }
}

/// Why automations are paused for the customer at `now`: a rule's pause, or a human
/// agent who stepped in less than the hand-off pause ago (and has not handed back).
pub(crate) fn paused(
    state: &CustomerState,
    s: &PolicySettings,
    now: i64,
) -> impl Iterator<Item = &'static str> {
    let rule = state.paused_until_ms.is_some_and(|p| p > now);
    let handoff = state.handoff_ms.is_some_and(|h| {
        let resumed = state.resumed_ms.is_some_and(|r| r > h);
        !resumed && h <= now && now < h + s.handoff_pause_ms
    });
    [
        rule.then_some(reasons::PAUSED),
        handoff.then_some(reasons::HANDOFF_PAUSE),
    ]
    .into_iter()
    .flatten()
}

pub(crate) fn is_marketing(message: &Message) -> bool {
    matches!(
        message,
        Message::Template {
            category: TemplateCategory::Marketing,
            ..
        }
    )
}
