//! A rule of the pack, checked and ready to run: when it runs (on events, after a wait, on
//! a schedule), its conditions and its actions. Running a rule is pure: the same state and
//! event give the same effects, which is what makes replays and re-runs after a crash
//! produce the same outputs.

use std::collections::BTreeSet;

use scrm_events::Event;
use scrm_locale::{LocalTime, Store, Tz, Weekday};
use scrm_state::{CustomerState, PartitionStats};

use crate::action::Action;
use crate::condition::{agents_seen, complaint_rate, fired_mark, Condition, Facts};
use crate::effects::Effects;
use crate::event_kind::EventKind;
use crate::text::{RenderCx, Scope};

/// When a scheduled rule runs, in the business's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Weekly on this day; daily when `None`.
    pub weekday: Option<Weekday>,
    pub at: LocalTime,
}

impl Schedule {
    /// The first run after `after_ms`.
    pub fn next_after(&self, after_ms: i64, tz: Tz) -> i64 {
        scrm_locale::next_local(after_ms + 1, tz, self.weekday, self.at)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    /// Runs on each event of these kinds.
    OnEvent { on: BTreeSet<EventKind> },
    /// An `on` event starts a wait; an `unless` event cancels it; when it ends, the rule
    /// fires if `when_due` holds.
    Wait {
        on: BTreeSet<EventKind>,
        wait_ms: i64,
        unless: BTreeSet<EventKind>,
        restart: bool,
        when_due: Vec<Condition>,
    },
    /// Runs at a time of day over every customer, every agent or the business.
    Scheduled { schedule: Schedule, scope: Scope },
}

/// The business around the rules: its time zone, default language and stores.
#[derive(Debug, Clone)]
pub struct Business {
    pub time_zone: Tz,
    pub default_language: String,
    pub stores: Vec<Store>,
}

impl Business {
    /// Month and day of `at_ms` in the business's time zone.
    pub fn month_day(&self, at_ms: i64) -> (u32, u32) {
        use chrono::{Datelike, TimeZone};
        let local = self
            .time_zone
            .timestamp_millis_opt(at_ms)
            .single()
            .unwrap_or_else(|| self.time_zone.timestamp_millis_opt(0).unwrap());
        (local.month(), local.day())
    }

    /// The business's local day number of `at_ms`.
    pub fn day(&self, at_ms: i64) -> i64 {
        scrm_locale::local_day(at_ms, self.time_zone)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Stable id: part of output ids and timer names, so never change it once deployed.
    pub id: String,
    pub description: Option<String>,
    /// Line of the rule in its pack.
    pub line: usize,
    pub kind: RuleKind,
    pub when: Vec<Condition>,
    pub then: Vec<Action>,
    pub once_per_ms: Option<i64>,
}

impl Rule {
    fn facts<'a>(
        &self,
        state: &'a CustomerState,
        event: Option<&'a Event>,
        now_ms: i64,
        business: &Business,
    ) -> Facts<'a> {
        Facts {
            state,
            event,
            now_ms,
            today: business.month_day(now_ms),
        }
    }

    fn cooled(&self, state: &CustomerState, now_ms: i64) -> bool {
        self.once_per_ms.is_none_or(|gap| {
            state
                .marks
                .get(&fired_mark(&self.id))
                .is_none_or(|last| now_ms - last >= gap)
        })
    }

    /// What the rule's texts are filled from at `now_ms`: the business's language and no
    /// customer, agent or rate until the caller sets them.
    fn render_cx<'a>(&'a self, now_ms: i64, business: &'a Business) -> RenderCx<'a> {
        RenderCx {
            state: None,
            now_ms,
            language: &business.default_language,
            stores: &business.stores,
            rule: &self.id,
            code_seed: now_ms,
            agent: None,
            complaint_rate: None,
        }
    }

    fn fire(&self, state: &CustomerState, now_ms: i64, business: &Business, out: &mut Effects) {
        let cx = RenderCx {
            state: Some(state),
            language: state
                .language
                .as_deref()
                .unwrap_or(&business.default_language),
            ..self.render_cx(now_ms, business)
        };
        for action in &self.then {
            action.effects(&cx, &business.default_language, out);
        }
        out.mark(&fired_mark(&self.id), now_ms);
    }

    /// Runs the rule for `event`, already folded into `state`. Its conditions are judged
    /// at the event's time.
    /// `kinds` are the event's kinds ([`EventKind::of`]), worked out once for all rules.
    pub fn on_event(
        &self,
        event: &Event,
        kinds: &[EventKind],
        state: &CustomerState,
        business: &Business,
        out: &mut Effects,
    ) {
        let at = event.occurred_at_ms;
        match &self.kind {
            RuleKind::OnEvent { on } => {
                if kinds.iter().any(|k| on.contains(k))
                    && self.cooled(state, at)
                    && self.holds(&self.when, state, Some(event), at, business)
                {
                    self.fire(state, at, business, out);
                }
            }
            RuleKind::Wait {
                on,
                wait_ms,
                unless,
                restart,
                ..
            } => {
                let pending = state.timers.contains_key(&self.id);
                let cancelled = pending && kinds.iter().any(|k| unless.contains(k));
                if cancelled {
                    out.cancel_timer(&self.id);
                }
                if kinds.iter().any(|k| on.contains(k))
                    && (*restart || !pending || cancelled)
                    && self.holds(&self.when, state, Some(event), at, business)
                {
                    out.set_timer(&self.id, at + wait_ms);
                }
            }
            RuleKind::Scheduled { .. } => {}
        }
    }

    /// Runs the rule when its wait ends at `due_ms`.
    pub fn on_timer(
        &self,
        due_ms: i64,
        state: &CustomerState,
        business: &Business,
        out: &mut Effects,
    ) {
        if let RuleKind::Wait { when_due, .. } = &self.kind {
            if self.cooled(state, due_ms) && self.holds(when_due, state, None, due_ms, business) {
                self.fire(state, due_ms, business, out);
            }
        }
    }

    /// Runs a scheduled rule with scope `customers` for one customer at `due_ms`.
    pub fn on_schedule(
        &self,
        state: &CustomerState,
        due_ms: i64,
        business: &Business,
        out: &mut Effects,
    ) {
        if self.cooled(state, due_ms) && self.holds(&self.when, state, None, due_ms, business) {
            self.fire(state, due_ms, business, out);
        }
    }

    /// Runs a scheduled rule with scope `agents`: effects per agent whose figures hold.
    pub fn on_schedule_agents(
        &self,
        stats: &PartitionStats,
        due_ms: i64,
        business: &Business,
    ) -> Vec<(String, Effects)> {
        let today = business.day(due_ms);
        let days = self.aggregate_days();
        let mut fired = Vec::new();
        for agent in agents_seen(stats, today, days) {
            if self
                .when
                .iter()
                .all(|c| c.holds_for_agent(stats, &agent, today))
            {
                let cx = RenderCx {
                    agent: Some((&agent, stats, today, days)),
                    ..self.render_cx(due_ms, business)
                };
                let mut out = Effects::new();
                for action in &self.then {
                    action.effects(&cx, &business.default_language, &mut out);
                }
                fired.push((agent, out));
            }
        }
        fired
    }

    /// Runs a scheduled rule with scope `business`.
    pub fn on_schedule_business(
        &self,
        stats: &PartitionStats,
        due_ms: i64,
        business: &Business,
        out: &mut Effects,
    ) {
        let today = business.day(due_ms);
        if !self.when.iter().all(|c| c.holds_for_business(stats, today)) {
            return;
        }
        let rate = stats.days.get(&(today - 1)).map(complaint_rate);
        let cx = RenderCx {
            complaint_rate: rate,
            ..self.render_cx(due_ms, business)
        };
        for action in &self.then {
            action.effects(&cx, &business.default_language, out);
        }
    }

    /// Days of aggregates the rule's conditions look at.
    fn aggregate_days(&self) -> i64 {
        fn days(c: &Condition) -> i64 {
            match c {
                Condition::MedianResponse { days, .. } | Condition::ComplaintRate { days, .. } => {
                    *days
                }
                Condition::Not(c) => days(c),
                Condition::Any(cs) => cs.iter().map(days).max().unwrap_or(1),
                _ => 1,
            }
        }
        self.when.iter().map(days).max().unwrap_or(1)
    }

    fn holds(
        &self,
        conditions: &[Condition],
        state: &CustomerState,
        event: Option<&Event>,
        now_ms: i64,
        business: &Business,
    ) -> bool {
        let facts = self.facts(state, event, now_ms, business);
        conditions.iter().all(|c| c.holds(&facts))
    }

    /// The timer this rule sets, if it waits.
    pub fn waits(&self) -> bool {
        matches!(self.kind, RuleKind::Wait { .. })
    }

    pub fn schedule(&self) -> Option<(Schedule, Scope)> {
        match self.kind {
            RuleKind::Scheduled { schedule, scope } => Some((schedule, scope)),
            _ => None,
        }
    }
}
