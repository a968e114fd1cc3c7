//! The TOML of a rule pack as written, before it is checked (see docs/rules.md).
//!
//! Tables have `deny_unknown_fields`, so a misspelt key is an error at its line. Conditions
//! and actions are kept as spanned TOML tables and read by [`super::build`], which knows
//! what each kind accepts and says so at the line of the condition or action.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub(crate) type Table = Spanned<toml::Table>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackFile {
    pub(crate) pack: PackSection,
    #[serde(default)]
    pub(crate) state: StateSection,
    #[serde(default)]
    pub(crate) policy: PolicySection,
    #[serde(default)]
    pub(crate) stores: Vec<StoreEntry>,
    #[serde(default)]
    pub(crate) seasons: BTreeMap<String, Vec<Spanned<[String; 2]>>>,
    #[serde(default)]
    pub(crate) templates: BTreeMap<String, Spanned<TemplateEntry>>,
    #[serde(default)]
    pub(crate) intents: BTreeMap<String, Spanned<IntentEntry>>,
    #[serde(default)]
    pub(crate) sentiment: BTreeMap<String, Spanned<LexiconEntry>>,
    #[serde(default, rename = "rule")]
    pub(crate) rules: Vec<Spanned<RuleEntry>>,
    #[serde(default)]
    pub(crate) crm: CrmSection,
    #[serde(default)]
    pub(crate) catalogue: Vec<Spanned<scrm_text::Product>>,
}

/// `[crm]`: what the processor keeps in the CRMs on its own.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CrmSection {
    pub(crate) contact: Option<bool>,
    pub(crate) inquiry_window: Option<Spanned<String>>,
    pub(crate) deal_intents: Option<Vec<Spanned<String>>>,
    pub(crate) cases: Option<BTreeMap<String, Spanned<String>>>,
    pub(crate) media_notes: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackSection {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) description: Option<String>,
    /// The business's IANA time zone: scheduled rules and daily limits follow it.
    pub(crate) time_zone: Spanned<String>,
    /// Language of texts and templates when the customer's is unknown or not provided.
    #[serde(default = "default_language")]
    pub(crate) default_language: Spanned<String>,
    /// Whether the built-in intents and sentiment lexicons are the starting point
    /// (`[intents.*]` and `[sentiment.*]` then add to or replace them by id).
    #[serde(default = "yes")]
    pub(crate) builtin_lexicon: bool,
}

fn default_language() -> Spanned<String> {
    Spanned::new(0..0, "en".to_owned())
}

fn yes() -> bool {
    true
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StateSection {
    pub(crate) retention: Option<Spanned<String>>,
    pub(crate) order_horizon: Option<Spanned<String>>,
    /// Event ids remembered per customer to drop repeats (256).
    pub(crate) dedup_ids: Option<usize>,
    /// How long an event id is remembered (`7d`).
    pub(crate) dedup_horizon: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicySection {
    pub(crate) service_window: Option<Spanned<String>>,
    pub(crate) not_opted_in_template_gap: Option<Spanned<String>>,
    pub(crate) same_template_per_month: Option<u32>,
    pub(crate) marketing_gap: Option<Spanned<String>>,
    pub(crate) best_hour: Option<Spanned<BestHourEntry>>,
    pub(crate) notification_spacing: Option<Spanned<String>>,
    pub(crate) handoff_pause: Option<Spanned<String>>,
    pub(crate) quiet_hours: Option<Spanned<QuietHoursEntry>>,
    pub(crate) daily_unique_customers: Option<Spanned<toml::Value>>,
    pub(crate) tier_warning_at: Option<Spanned<f64>>,
    pub(crate) opt_in_field: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BestHourEntry {
    pub(crate) day: String,
    pub(crate) at: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QuietHoursEntry {
    pub(crate) from: String,
    pub(crate) to: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoreEntry {
    pub(crate) id: Spanned<String>,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) address: String,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateEntry {
    pub(crate) category: String,
    pub(crate) languages: Vec<String>,
    #[serde(default)]
    pub(crate) variables: usize,
}

/// No `deny_unknown_fields`: with `flatten` serde would refuse every key. Any other key is
/// taken for a language code, which the analyzer checks (2–3 lowercase letters).
#[derive(Debug, Deserialize)]
pub(crate) struct IntentEntry {
    #[serde(default, rename = "match")]
    pub(crate) mode: Option<scrm_text::MatchMode>,
    /// Phrases by language code, checked by [`super::build`] (a key that is not a list of
    /// phrases is named there).
    #[serde(flatten)]
    pub(crate) phrases: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LexiconEntry {
    #[serde(default)]
    pub(crate) positive: Vec<String>,
    #[serde(default)]
    pub(crate) negative: Vec<String>,
    #[serde(default)]
    pub(crate) negators: Vec<String>,
    #[serde(default)]
    pub(crate) intensifiers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(crate) fn items(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleEntry {
    pub(crate) id: Spanned<String>,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default = "yes")]
    pub(crate) enabled: bool,
    /// Event kinds that run the rule.
    pub(crate) on: Option<Spanned<OneOrMany>>,
    /// Runs at a time of day in the business's time zone instead.
    pub(crate) schedule: Option<Spanned<ScheduleEntry>>,
    /// Who a scheduled rule looks at: customers (default), agents or business.
    pub(crate) scope: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) when: Vec<Table>,
    /// Waits this long after the event; `then` runs unless an `unless` event came first.
    pub(crate) wait: Option<Spanned<String>>,
    pub(crate) unless: Option<Spanned<OneOrMany>>,
    /// Whether a new `on` event restarts a running wait (default true).
    pub(crate) restart: Option<bool>,
    /// Conditions checked again when the wait ends.
    #[serde(default)]
    pub(crate) when_due: Vec<Table>,
    /// The rule fires at most once in this long per customer.
    pub(crate) once_per: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) then: Vec<Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScheduleEntry {
    /// `day` or `week`.
    pub(crate) every: String,
    /// Weekday for `week` (mon … sun).
    pub(crate) day: Option<String>,
    /// Local time, HH:MM.
    pub(crate) at: String,
}
