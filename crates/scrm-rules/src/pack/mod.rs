//! The rule pack: rules as data, in TOML, checked when loaded (docs/rules.md).
//!
//! [`RulePack::parse`] reads the file in two steps. Serde reads its shape (`format`), so an
//! unknown field or a wrong type is reported at its line by the TOML reader. Then every
//! section is checked for meaning (`rules` for the rules, below for the rest): unknown
//! intents, templates, event kinds or variables, impossible windows and bounds. All the
//! problems found are reported together, each with file:line:column.

mod conditions;
mod duration;
mod error;
mod format;
mod read;
mod rules;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub use duration::format_duration;
pub use error::{PackError, PackProblem};

use crate::crm::CrmSettings;
use crate::effects::TemplateCategory;
use crate::fold::{counters, FoldSettings};
use crate::policy::PolicySettings;
use crate::rule::{Business, Rule};
use error::Problems;
use format::PackFile;

/// The default pack: every rule of DESIGN.md's table, every number a setting.
pub const DEFAULT_PACK: &str = include_str!("../../packs/default.toml");

/// The rules in force, with everything they need: the fold's settings, the intents and
/// sentiment lexicons, the policy gate's settings and the business.
#[derive(Debug, Clone)]
pub struct RulePack {
    pub name: String,
    pub description: Option<String>,
    /// Where it was loaded from.
    pub file: String,
    pub fold: FoldSettings,
    pub analyzer: scrm_text::Analyzer,
    pub policy: PolicySettings,
    pub business: Business,
    /// Declared templates and their categories.
    pub templates: BTreeMap<String, TemplateCategory>,
    /// Enabled rules, in file order (the order their effects apply).
    pub rules: Vec<Rule>,
    /// The CRM commands that follow from state: contact sync, deals, cases, media notes.
    pub crm: CrmSettings,
}

impl RulePack {
    /// The default pack.
    pub fn default_pack() -> RulePack {
        RulePack::parse(DEFAULT_PACK, "default.toml").expect("the default pack is valid")
    }

    /// Reads and checks the pack at `path`.
    pub fn load(path: &Path) -> Result<RulePack, PackError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            PackError::single(&file, 0, 0, format!("cannot read the rule pack: {e}"))
        })?;
        RulePack::parse(&text, &file)
    }

    /// Checks the pack `text`, naming `file` in errors.
    pub fn parse(text: &str, file: &str) -> Result<RulePack, PackError> {
        let raw: PackFile = toml::from_str(text).map_err(|e| error::from_toml(file, text, &e))?;
        let mut problems = Problems::new(text);
        let pack = build(&raw, file, &mut problems);
        match pack {
            Some(pack) if problems.is_empty() => Ok(pack),
            _ => Err(problems.into_error(file)),
        }
    }

    /// The rule owning the timer `name`.
    pub fn timer_owner(&self, name: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == name && r.waits())
    }

    /// Rules that run on a schedule.
    pub fn scheduled(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(|r| r.schedule().is_some())
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

fn duration_or(
    value: &Option<toml::Spanned<String>>,
    default_ms: i64,
    problems: &mut Problems<'_>,
) -> i64 {
    match value {
        None => default_ms,
        Some(s) => match duration::parse_duration(s.get_ref()) {
            Ok(ms) if ms > 0 => ms,
            Ok(_) => {
                problems.at(
                    s.span().start,
                    format!("duration {:?} must be longer than zero", s.get_ref()),
                );
                default_ms
            }
            Err(e) => {
                problems.at(s.span().start, e);
                default_ms
            }
        },
    }
}

fn build(raw: &PackFile, file: &str, problems: &mut Problems<'_>) -> Option<RulePack> {
    let time_zone = match scrm_locale::parse_zone(raw.pack.time_zone.get_ref()) {
        Ok(tz) => Some(tz),
        Err(e) => {
            problems.at(
                raw.pack.time_zone.span().start,
                format!("[pack] time_zone: {e}"),
            );
            None
        }
    };

    let mut fold = FoldSettings::default();
    fold.retention_ms = duration_or(&raw.state.retention, fold.retention_ms, problems);
    fold.order_horizon_ms = duration_or(&raw.state.order_horizon, fold.order_horizon_ms, problems);
    fold.dedup_ids = raw.state.dedup_ids.unwrap_or(fold.dedup_ids);
    fold.dedup_horizon_ms = duration_or(&raw.state.dedup_horizon, fold.dedup_horizon_ms, problems);
    if fold.order_horizon_ms > fold.retention_ms {
        if let Some(s) = &raw.state.order_horizon {
            problems.at(
                s.span().start,
                "impossible window: orders cannot be kept longer than the state (retention)",
            );
        }
    }

    let policy = policy(&raw.policy, problems);
    fold.opt_in_field = policy.opt_in_field.clone();

    let mut stores = Vec::new();
    let mut store_ids = BTreeSet::new();
    for s in &raw.stores {
        let store = scrm_locale::Store {
            id: s.id.get_ref().clone(),
            name: s.name.clone(),
            address: s.address.clone(),
            lat: s.lat,
            lon: s.lon,
        };
        if let Err(e) = scrm_locale::validate_store(&store) {
            problems.at(s.id.span().start, format!("[[stores]]: {e}"));
        }
        if !store_ids.insert(store.id.clone()) {
            problems.at(
                s.id.span().start,
                format!("[[stores]]: store id {:?} appears twice", store.id),
            );
        }
        stores.push(store);
    }

    let mut seasons = BTreeMap::new();
    for (name, ranges) in &raw.seasons {
        let mut parsed = Vec::new();
        for range in ranges {
            let [from, to] = range.get_ref();
            match (month_day(from), month_day(to)) {
                (Ok(f), Ok(t)) => parsed.push((f.0 * 100 + f.1, t.0 * 100 + t.1)),
                (Err(e), _) | (_, Err(e)) => {
                    problems.at(range.span().start, format!("[seasons] {name}: {e}"))
                }
            }
        }
        seasons.insert(name.clone(), parsed);
    }

    let mut templates = BTreeMap::new();
    for (name, t) in &raw.templates {
        let entry = t.get_ref();
        let category = match entry.category.as_str() {
            "marketing" => TemplateCategory::Marketing,
            "utility" => TemplateCategory::Utility,
            "authentication" => TemplateCategory::Authentication,
            other => {
                problems.at(t.span().start, format!("[templates.{name}] category {other:?}: use marketing, utility or authentication"));
                TemplateCategory::Utility
            }
        };
        if entry.languages.is_empty() {
            problems.at(
                t.span().start,
                format!("[templates.{name}] needs the languages it is approved in"),
            );
        }
        templates.insert(
            name.clone(),
            (category, entry.languages.clone(), entry.variables),
        );
    }

    let analyzer = analyzer(raw, problems);
    let intents: BTreeSet<String> = analyzer
        .as_ref()
        .map(|a| a.intent_ids().map(str::to_owned).collect())
        .unwrap_or_default();

    let mut cx = rules::RuleCx {
        intents,
        templates: &templates,
        seasons: &seasons,
        retention_ms: fold.retention_ms,
        counters: BTreeMap::new(),
    };
    let mut ids = BTreeMap::new();
    let mut compiled = Vec::new();
    for entry in &raw.rules {
        let id = entry.get_ref().id.get_ref().clone();
        if let Some(first) = ids.insert(id.clone(), entry.span().start) {
            let line = error::position(problems.text(), first).0;
            problems.at(
                entry.get_ref().id.span().start,
                format!("rule id {id:?} is already used by the rule at line {line}"),
            );
        }
        if let Some(rule) = rules::rule(entry, &mut cx, problems) {
            if entry.get_ref().enabled {
                compiled.push(rule);
            }
        }
    }
    fold.counters = cx.counters;
    let crm = crm(
        raw,
        &intents_known(&analyzer),
        &policy.opt_in_field,
        problems,
    );
    if crm.contact {
        // inquiry_frequency counts inbound messages over the inquiry window.
        let horizon = fold
            .counters
            .entry(counters::INBOUND.to_owned())
            .or_insert(0);
        *horizon = (*horizon).max(crm.inquiry_window_ms);
    }

    Some(RulePack {
        name: raw.pack.name.clone(),
        description: raw.pack.description.clone(),
        file: file.to_owned(),
        fold,
        analyzer: analyzer?,
        policy,
        business: Business {
            time_zone: time_zone?,
            default_language: raw.pack.default_language.get_ref().clone(),
            stores,
        },
        templates: templates.into_iter().map(|(k, v)| (k, v.0)).collect(),
        rules: compiled,
        crm,
    })
}

fn intents_known(analyzer: &Option<scrm_text::Analyzer>) -> BTreeSet<String> {
    analyzer
        .as_ref()
        .map(|a| a.intent_ids().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// `[crm]` and `[[catalogue]]`, checked: durations, intents the analyzer knows, a
/// catalogue with unique SKUs and aliases.
fn crm(
    raw: &PackFile,
    intents: &BTreeSet<String>,
    opt_in_field: &str,
    problems: &mut Problems<'_>,
) -> CrmSettings {
    let d = CrmSettings::default();
    let section = &raw.crm;
    let known = |intent: &toml::Spanned<String>, what: &str, problems: &mut Problems<'_>| {
        let ok = intents.contains(intent.get_ref());
        if !ok {
            problems.at(
                intent.span().start,
                format!(
                    "[crm] {what}: unknown intent {:?} (known: {})",
                    intent.get_ref(),
                    intents.iter().cloned().collect::<Vec<_>>().join(", ")
                ),
            );
        }
        ok
    };
    let deal_intents = match &section.deal_intents {
        None => d.deal_intents.clone(),
        Some(list) => list
            .iter()
            .filter(|i| known(i, "deal_intents", problems))
            .map(|i| i.get_ref().clone())
            .collect(),
    };
    let cases = match &section.cases {
        None => d.cases.clone(),
        Some(map) => map
            .iter()
            .filter(|(_, i)| known(i, "cases", problems))
            .map(|(kind, i)| (kind.clone(), i.get_ref().clone()))
            .collect(),
    };
    let products: Vec<scrm_text::Product> =
        raw.catalogue.iter().map(|p| p.get_ref().clone()).collect();
    let catalogue = match scrm_text::Catalogue::new(products) {
        Ok(c) => c,
        Err(e) => {
            let at = raw.catalogue.first().map_or(0, |p| p.span().start);
            problems.at(at, e.to_string());
            scrm_text::Catalogue::default()
        }
    };
    CrmSettings {
        contact: section.contact.unwrap_or(d.contact),
        inquiry_window_ms: duration_or(&section.inquiry_window, d.inquiry_window_ms, problems),
        deal_intents,
        cases,
        media_notes: section.media_notes.unwrap_or(d.media_notes),
        catalogue,
        opt_in_field: opt_in_field.to_owned(),
    }
}

fn month_day(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("{s:?} is not a month-day like \"11-01\"");
    let (m, d) = s.split_once('-').ok_or_else(bad)?;
    let (m, d): (u32, u32) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    Ok((m, d))
}

fn policy(raw: &format::PolicySection, problems: &mut Problems<'_>) -> PolicySettings {
    let d = PolicySettings::default();
    let mut p = PolicySettings {
        service_window_ms: duration_or(&raw.service_window, d.service_window_ms, problems),
        not_opted_in_template_gap_ms: duration_or(
            &raw.not_opted_in_template_gap,
            d.not_opted_in_template_gap_ms,
            problems,
        ),
        same_template_per_month: raw
            .same_template_per_month
            .unwrap_or(d.same_template_per_month),
        marketing_gap_ms: duration_or(&raw.marketing_gap, d.marketing_gap_ms, problems),
        notification_spacing_ms: duration_or(
            &raw.notification_spacing,
            d.notification_spacing_ms,
            problems,
        ),
        handoff_pause_ms: duration_or(&raw.handoff_pause, d.handoff_pause_ms, problems),
        opt_in_field: raw.opt_in_field.clone().unwrap_or(d.opt_in_field.clone()),
        ..d
    };
    if let Some(b) = &raw.best_hour {
        let e = b.get_ref();
        match (
            scrm_locale::parse_weekday(&e.day),
            e.at.parse::<scrm_locale::LocalTime>(),
        ) {
            (Ok(day), Ok(at)) => p.best_hour = (day, at),
            (Err(e), _) => problems.at(b.span().start, format!("[policy] best_hour: {e}")),
            (_, Err(e)) => problems.at(b.span().start, format!("[policy] best_hour: {e}")),
        }
    }
    if let Some(q) = &raw.quiet_hours {
        let e = q.get_ref();
        match (
            e.from.parse::<scrm_locale::LocalTime>(),
            e.to.parse::<scrm_locale::LocalTime>(),
        ) {
            (Ok(from), Ok(to)) => p.quiet_hours = (from != to).then_some((from, to)),
            (Err(e), _) | (_, Err(e)) => {
                problems.at(q.span().start, format!("[policy] quiet_hours: {e}"))
            }
        }
    }
    if let Some(limit) = &raw.daily_unique_customers {
        match limit.get_ref() {
            toml::Value::Integer(n) if *n > 0 => p.daily_unique_customers = Some(*n as u64),
            toml::Value::String(s) if s == "unlimited" => p.daily_unique_customers = None,
            other => problems.at(limit.span().start, format!(
                "[policy] daily_unique_customers = {other}: use Meta's tier (250, 2000, 10000, 100000) or \"unlimited\""
            )),
        }
    }
    if let Some(w) = &raw.tier_warning_at {
        if *w.get_ref() > 0.0 && *w.get_ref() <= 1.0 {
            p.tier_warning_at = *w.get_ref();
        } else {
            problems.at(w.span().start, "[policy] tier_warning_at is a share of the limit, above 0 and at most 1 (0.8 = 80%)");
        }
    }
    if p.same_template_per_month == 0 {
        problems.at(0, "[policy] same_template_per_month must be at least 1");
    }
    p
}

fn analyzer(raw: &PackFile, problems: &mut Problems<'_>) -> Option<scrm_text::Analyzer> {
    let mut intents = if raw.pack.builtin_lexicon {
        scrm_text::default_intents()
    } else {
        Vec::new()
    };
    for (id, entry) in &raw.intents {
        let e = entry.get_ref();
        let mut phrases = BTreeMap::new();
        for (lang, value) in &e.phrases {
            let list = value.as_array().and_then(|items| {
                items
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
            });
            match list {
                Some(list) => {
                    phrases.insert(lang.clone(), list);
                }
                None => problems.at(
                    entry.span().start,
                    format!(
                        "[intents.{id}] {lang}: expected a list of phrases for language {lang:?} (the other key is `match`)"
                    ),
                ),
            }
        }
        let spec = scrm_text::IntentSpec {
            id: id.clone(),
            mode: e.mode.clone().unwrap_or(scrm_text::MatchMode::Contains),
            phrases,
        };
        match intents.iter_mut().find(|i| i.id == *id) {
            Some(slot) => *slot = spec,
            None => intents.push(spec),
        }
    }
    let mut sentiment = if raw.pack.builtin_lexicon {
        scrm_text::default_sentiment()
    } else {
        scrm_text::SentimentSpec::default()
    };
    for (lang, entry) in &raw.sentiment {
        let e = entry.get_ref();
        sentiment.lexicons.insert(
            lang.clone(),
            scrm_text::Lexicon {
                positive: e.positive.clone(),
                negative: e.negative.clone(),
                negators: e.negators.clone(),
                intensifiers: e.intensifiers.clone(),
            },
        );
    }
    match scrm_text::Analyzer::new(&intents, &sentiment) {
        Ok(a) => Some(a),
        Err(e) => {
            // Point at the intent or lexicon the error is about, when it is in the file.
            let at = raw
                .intents
                .iter()
                .find(|(id, _)| e.to_string().contains(id.as_str()))
                .map(|(_, s)| s.span().start)
                .or_else(|| {
                    raw.sentiment
                        .iter()
                        .find(|(l, _)| e.to_string().contains(l.as_str()))
                        .map(|(_, s)| s.span().start)
                })
                .unwrap_or(0);
            problems.at(at, format!("intents: {e}"));
            None
        }
    }
}
