//! Deterministic generator of realistic customer event streams for scrm, the
//! WhatsApp social-CRM stream processor of small shops in Hong Kong, Taiwan,
//! Brazil and France. `scrm demo` feeds it to the input topics, benchmarks
//! use it for volume and crash tests replay it: the same [`GenConfig`]
//! always yields byte-identical events. Customers have valid mobile numbers
//! of their region, write in Traditional Chinese, English, Portuguese or
//! French, are most active between 14:00 and 16:00 local time, chat with the
//! shop's automation and agents, browse, buy, pay, receive and sometimes
//! return orders; the CRM occasionally changes them. Every event is a
//! `serde_json::Value` in the "produce JSON" form of its Avro schema
//! (`schemas/*.avsc`): unions as one-key objects named after the branch
//! record, timestamps as RFC 3339 strings, money in minor units.
//!
//! Events come out in non-decreasing event time. Memory stays bounded for
//! long runs: each day is only a cheap plan of episodes (a chat, a
//! purchase...) until the stream reaches an episode's start, and orders
//! spanning days wait as one small struct.

mod catalog;
mod chat;
mod config;
mod ctx;
mod day;
mod events;
mod orders;
mod people;
mod phrases;
mod replies;
mod shop;

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use chrono::{DateTime, Datelike};
use serde_json::Value;

pub use config::{GenConfig, GeneratedEvent, Topic};
pub use people::Customer;

use ctx::{rng_for, Ctx, CustomerState};
use day::Episode;
use events::Scheduled;
use orders::OrderFlow;

/// Purposes mixed into random-stream seeds, so streams never coincide.
const STREAM_CUSTOMERS: u64 = 1;
const STREAM_PLAN: u64 = 2;
const STREAM_EXPAND: u64 = 3;
const STREAM_ORDER: u64 = 4;

/// Work waiting in the time-ordered queue.
#[derive(Debug)]
enum Work {
    /// A planned episode not yet expanded. Episodes are expanded one at a
    /// time, when the stream reaches them, so buffered events span minutes
    /// of a customer's life rather than a whole day.
    Episode {
        customer: u32,
        day: u32,
        index: u32,
        episode: Episode,
    },
    /// The next step of an order.
    Order(Box<OrderFlow>),
    /// A finished event.
    Ready(Box<GeneratedEvent>),
}

#[derive(Debug)]
struct Task {
    at: i64,
    /// Insertion order: breaks ties deterministically and keeps causal order
    /// among events sharing a millisecond.
    seq: u64,
    work: Work,
}

impl PartialEq for Task {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Task {}
impl PartialOrd for Task {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Task {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// The event stream of a [`GenConfig`]; iterate it to get events in
/// non-decreasing `occurred_at` order.
///
/// Each queued task only produces events at or after its own time, so
/// popping the earliest task and expanding it in place keeps the output
/// sorted while only the episodes the stream has reached are expanded.
#[derive(Debug)]
pub struct Generator {
    cfg: GenConfig,
    customers: Vec<Customer>,
    states: Vec<CustomerState>,
    queue: BinaryHeap<Reverse<Task>>,
    next_day: u32,
    seq: u64,
    ids_assigned: u64,
    scratch: Vec<Scheduled>,
}

impl Generator {
    /// Creates the customers of `cfg` (cheap: no event is generated yet).
    pub fn new(cfg: GenConfig) -> Self {
        let mut rng = rng_for(&[cfg.seed, STREAM_CUSTOMERS]);
        let customers = people::make_customers(&mut rng, cfg.customers);
        let states = customers
            .iter()
            .map(|_| {
                // A few regulars, many occasional customers; mean 1.
                let activity =
                    catalog::weighted(&mut rng, &[(25u32, 35), (70, 30), (150, 25), (330, 10)]);
                CustomerState::new(f64::from(activity) / 100.0)
            })
            .collect();
        Self {
            cfg,
            customers,
            states,
            queue: BinaryHeap::new(),
            next_day: 0,
            seq: 0,
            ids_assigned: 0,
            scratch: Vec::new(),
        }
    }

    /// The customers, in creation order.
    pub fn customers(&self) -> &[Customer] {
        &self.customers
    }

    /// Roughly how many events the whole stream holds:
    /// customers × days × events per customer per day.
    pub fn estimated_total(&self) -> u64 {
        let total = self.cfg.customers as f64
            * f64::from(self.cfg.days)
            * self.cfg.events_per_customer_per_day;
        total.max(0.0).round() as u64
    }

    fn push(&mut self, at: i64, work: Work) {
        self.seq += 1;
        self.queue.push(Reverse(Task {
            at,
            seq: self.seq,
            work,
        }));
    }

    /// Plans every customer's next day and queues its episodes.
    fn schedule_next_day(&mut self) {
        let day = self.next_day;
        self.next_day += 1;
        let day_start = self.cfg.day_start_ms(day);
        let weekday = DateTime::from_timestamp_millis(day_start)
            .map_or(0, |d| d.weekday().num_days_from_monday() as usize);
        for i in 0..self.customers.len() {
            let mut rng = rng_for(&[self.cfg.seed, STREAM_PLAN, i as u64, u64::from(day)]);
            let plan = day::plan_day(
                &mut rng,
                &self.customers[i],
                &self.states[i],
                day_start,
                weekday,
                self.cfg.events_per_customer_per_day,
            );
            for (index, episode) in plan.into_iter().enumerate() {
                let work = Work::Episode {
                    customer: i as u32,
                    day,
                    index: index as u32,
                    episode,
                };
                self.push(episode.at, work);
            }
        }
    }

    fn expand(&mut self, at: i64, work: Work) {
        let mut out = std::mem::take(&mut self.scratch);
        match work {
            Work::Episode {
                customer,
                day,
                index,
                episode,
            } => {
                let i = customer as usize;
                let mut ctx = Ctx {
                    idx: customer,
                    customer: &self.customers[i],
                    state: &mut self.states[i],
                    rng: rng_for(&[
                        self.cfg.seed,
                        STREAM_EXPAND,
                        u64::from(customer),
                        u64::from(day),
                        u64::from(index),
                    ]),
                    out: &mut out,
                };
                day::expand_episode(&mut ctx, episode);
            }
            Work::Order(flow) => {
                let i = flow.customer as usize;
                let mut ctx = Ctx {
                    idx: flow.customer,
                    customer: &self.customers[i],
                    state: &mut self.states[i],
                    rng: rng_for(&[self.cfg.seed, STREAM_ORDER, flow.seed, flow.step as u64]),
                    out: &mut out,
                };
                flow.advance(&mut ctx, at);
            }
            Work::Ready(_) => unreachable!("ready events are emitted, not expanded"),
        }
        for s in out.drain(..) {
            match s {
                Scheduled::Event(ev) => {
                    debug_assert!(ev.occurred_at_ms >= at, "event before its cause");
                    self.push(ev.occurred_at_ms, Work::Ready(Box::new(ev)));
                }
                Scheduled::Order(due, flow) => {
                    debug_assert!(due >= at, "order step before its cause");
                    self.push(due, Work::Order(flow));
                }
            }
        }
        self.scratch = out;
    }

    /// Gives events without a natural id (wamid, CRM object) a unique one.
    fn finish(&mut self, mut ev: GeneratedEvent) -> GeneratedEvent {
        if let Value::Object(obj) = &mut ev.json {
            if !obj.contains_key("event_id") {
                let id = format!("demo-{}-{}", self.cfg.seed, self.ids_assigned);
                self.ids_assigned += 1;
                obj.insert("event_id".into(), Value::String(id));
            }
        }
        ev
    }
}

impl Iterator for Generator {
    type Item = GeneratedEvent;

    fn next(&mut self) -> Option<GeneratedEvent> {
        loop {
            let head = self.queue.peek().map(|t| t.0.at);
            // A day's tasks all start at or after its 00:00 UTC, so they must
            // be queued before anything at or past that instant comes out.
            if self.next_day < self.cfg.days
                && head.is_none_or(|h| h >= self.cfg.day_start_ms(self.next_day))
            {
                self.schedule_next_day();
                continue;
            }
            let task = self.queue.pop()?.0;
            match task.work {
                Work::Ready(ev) => return Some(self.finish(*ev)),
                work => self.expand(task.at, work),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lazy_expansion_keeps_memory_bounded() {
        let cfg = GenConfig {
            customers: 100_000,
            days: 1,
            ..GenConfig::default()
        };
        let mut planned_only = Generator::new(cfg.clone());
        planned_only.schedule_next_day();
        let planned = planned_only.queue.len();
        let mut generator = Generator::new(cfg);
        let taken = generator.by_ref().take(10_000).count();
        assert_eq!(taken, 10_000);
        let (waiting, ready) = generator
            .queue
            .iter()
            .fold((0, 0), |(d, r), t| match t.0.work {
                Work::Episode { .. } => (d + 1, r),
                Work::Ready(_) => (d, r + 1),
                Work::Order(_) => (d, r),
            });
        // Most episodes are still just a plan, and few events wait.
        assert!(
            waiting * 10 > planned * 6,
            "only {waiting} of {planned} episodes left unexpanded"
        );
        // A few thousand at most: the statuses and clicks of recent episodes.
        assert!(ready < 5_000, "{ready} events buffered");
    }

    #[test]
    fn no_customers_no_events() {
        let cfg = GenConfig {
            customers: 0,
            ..GenConfig::default()
        };
        assert_eq!(Generator::new(cfg).count(), 0);
    }
}
