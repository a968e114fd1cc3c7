//! The worker loop: records from the log and due work from the schedule, through the
//! destination, into one synced ledger write per batch, then the owed events into the log.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use scrm_ingest::{dead_letter, Ingest, Refused};
use scrm_log::{EventLog, LogError, Record, StoredRecord};
use scrm_time::{SharedClock, Wait};
use tokio_util::sync::CancellationToken;

use crate::config::{WorkerOptions, WorkerParts};
use crate::destination::{Cx, Delivery, Destination, Outcome, Route};
use crate::follow::Follower;
use crate::ledger::{Ledger, LedgerError, Owed, Waiting};
use crate::metrics::Metrics;
use crate::rate::RateLimit;
use crate::retry::RetryPolicy;

/// A failure of the worker itself (its ledger, the log), not of a record: those are
/// outcomes.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("reading {topic}: {source}")]
    Read {
        topic: String,
        #[source]
        source: LogError,
    },
    #[error("appending what the {sink} worker owes to {topic}: {source}")]
    Append {
        sink: String,
        topic: String,
        #[source]
        source: LogError,
    },
    #[error("starting the reader of {topic}: {source}")]
    Thread {
        topic: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Dir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("a blocking task of the {sink} worker failed: {reason}")]
    Task { sink: String, reason: String },
}

/// A record to deliver: new from the log, or due from the schedule.
struct Work {
    record: StoredRecord,
    attempt: u32,
    /// The schedule entry it came from.
    due_key: Option<Vec<u8>>,
}

/// A change of the ledger, made on the blocking pool.
enum Change {
    Offset(u32, u64),
    Done(String, String),
    Schedule(i64, Waiting),
    Remove(Vec<u8>),
    Owe(Owed),
    Expire,
}

/// What a [`Worker::run`] is waiting for, resolved.
enum Next {
    Records(Option<Result<Vec<StoredRecord>, LogError>>),
    Due,
    Stop,
}

/// Delivers one topic to one destination.
pub struct Worker<D: Destination> {
    dest: D,
    name: String,
    topic: String,
    log: Arc<dyn EventLog>,
    ledger: Arc<Ledger>,
    dlq: Ingest,
    clock: SharedClock,
    metrics: Metrics,
    options: WorkerOptions,
    retry: RetryPolicy,
    rate: Option<RateLimit>,
    offsets: Vec<u64>,
    follower: Option<Follower>,
    /// The reading thread ended (a topic without partitions).
    follower_done: bool,
    last_expiry_ms: Option<i64>,
    last_gauge_ms: Option<i64>,
    /// Never cancelled: what [`Worker::step`] lends the destination.
    never: CancellationToken,
}

impl<D: Destination> std::fmt::Debug for Worker<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("sink", &self.name)
            .field("topic", &self.topic)
            .field("ledger", &self.ledger)
            .finish_non_exhaustive()
    }
}

impl<D: Destination> Worker<D> {
    /// Opens the ledger (blocking: call it before the runtime takes over, or from
    /// `spawn_blocking`).
    pub fn new(parts: WorkerParts<D>) -> Result<Self, SinkError> {
        let ledger = Ledger::open(&parts.ledger_dir, parts.options.done_horizon_ms)?;
        let offsets = (0..parts.partitions)
            .map(|p| ledger.offset(&parts.topic, p))
            .collect::<Result<Vec<_>, _>>()?;
        let rate = parts
            .options
            .calls_per_second
            .map(|n| RateLimit::per_second(n, parts.clock.clone()));
        Ok(Worker {
            name: parts.destination.name().to_owned(),
            dest: parts.destination,
            topic: parts.topic,
            log: parts.log,
            ledger: Arc::new(ledger),
            dlq: parts.dlq,
            clock: parts.clock,
            metrics: parts.metrics,
            retry: parts.options.retry.clone(),
            options: parts.options,
            rate,
            offsets,
            follower: None,
            follower_done: false,
            last_expiry_ms: None,
            last_gauge_ms: None,
            never: CancellationToken::new(),
        })
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub fn destination(&self) -> &D {
        &self.dest
    }

    pub fn destination_mut(&mut self) -> &mut D {
        &mut self.dest
    }

    /// Runs a ledger (and log) operation on the blocking pool.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Ledger, &dyn EventLog) -> Result<T, SinkError> + Send + 'static,
    ) -> Result<T, SinkError> {
        let (ledger, log) = (self.ledger.clone(), self.log.clone());
        tokio::task::spawn_blocking(move || f(&ledger, log.as_ref()))
            .await
            .map_err(|e| SinkError::Task {
                sink: self.name.clone(),
                reason: e.to_string(),
            })?
    }

    /// When the earliest waiting work is due.
    pub async fn next_due(&self) -> Result<Option<i64>, SinkError> {
        self.blocking(|l, _| Ok(l.next_due()?)).await
    }

    fn ensure_follower(&mut self) -> Result<(), SinkError> {
        if self.follower.is_none() && !self.follower_done {
            let follower = Follower::start(
                self.log.clone(),
                self.topic.clone(),
                self.offsets.clone(),
                self.options.max_batch.max(1),
                Duration::from_millis(self.options.poll_wait_ms.max(1)),
            )
            .map_err(|source| SinkError::Thread {
                topic: self.topic.clone(),
                source,
            })?;
            self.follower = Some(follower);
        }
        Ok(())
    }

    /// Delivers until `cancel` fires, then appends what it owes and returns. A wait for
    /// new records, for due work, for the rate limit or inside the destination ends at
    /// once on cancellation; a batch being delivered is answered and written first.
    pub async fn run(mut self, cancel: CancellationToken) -> Result<(), SinkError> {
        let result = self.run_until(&cancel).await;
        if let Some(follower) = self.follower.take() {
            follower.stop().await;
        }
        result?;
        self.flush().await
    }

    async fn run_until(&mut self, cancel: &CancellationToken) -> Result<(), SinkError> {
        self.flush().await?;
        self.ensure_follower()?;
        while !cancel.is_cancelled() {
            if self.deliver_due(cancel).await? > 0 {
                continue;
            }
            let next_due = self.next_due().await?;
            let clock = self.clock.clone();
            let due = async {
                match next_due {
                    Some(at) => clock.wait_until(at, cancel).await,
                    None => std::future::pending().await,
                }
            };
            let follower_done = self.follower_done;
            let records = async {
                match self.follower.as_mut() {
                    Some(f) if !follower_done => f.rx.recv().await,
                    _ => std::future::pending().await,
                }
            };
            let next = tokio::select! {
                biased;
                () = cancel.cancelled() => Next::Stop,
                got = records => Next::Records(got),
                _ = due => Next::Due,
            };
            match next {
                Next::Stop | Next::Due => {}
                Next::Records(None) => self.follower_done = true,
                Next::Records(Some(Err(source))) => {
                    return Err(SinkError::Read {
                        topic: self.topic.clone(),
                        source,
                    })
                }
                Next::Records(Some(Ok(records))) => {
                    self.deliver_records(records, cancel).await?;
                }
            }
        }
        Ok(())
    }

    /// One round without waiting for due work: what is due now, then one batch of new
    /// records if one arrives within `wait`. Returns how many records it handled. For
    /// tests and tools that drive the worker (and its clock) by hand.
    pub async fn step(&mut self, wait: Duration) -> Result<usize, SinkError> {
        let never = self.never.clone();
        self.flush().await?;
        let mut handled = self.deliver_due(&never).await?;
        self.ensure_follower()?;
        if let Some(follower) = self.follower.as_mut().filter(|_| !self.follower_done) {
            let got = tokio::time::timeout(wait, follower.rx.recv()).await;
            match got {
                Err(_) => {}
                Ok(None) => self.follower_done = true,
                Ok(Some(Err(source))) => {
                    return Err(SinkError::Read {
                        topic: self.topic.clone(),
                        source,
                    })
                }
                Ok(Some(Ok(records))) => handled += self.deliver_records(records, &never).await?,
            }
        }
        Ok(handled)
    }

    async fn deliver_due(&mut self, cancel: &CancellationToken) -> Result<usize, SinkError> {
        let now = self.clock.now_ms();
        let max = self.options.max_batch.max(1);
        let due = self.blocking(move |l, _| Ok(l.due(now, max)?)).await?;
        let work = due
            .into_iter()
            .map(|d| Work {
                attempt: d.waiting.attempt,
                record: StoredRecord {
                    partition: d.waiting.partition,
                    offset: d.waiting.offset,
                    key: d.waiting.key,
                    value: d.waiting.value,
                    timestamp_ms: d.waiting.timestamp_ms,
                    headers: d.waiting.headers,
                },
                due_key: Some(d.key),
            })
            .collect();
        self.process(work, BTreeMap::new(), cancel).await
    }

    async fn deliver_records(
        &mut self,
        records: Vec<StoredRecord>,
        cancel: &CancellationToken,
    ) -> Result<usize, SinkError> {
        let mut offsets = BTreeMap::new();
        for r in &records {
            let next = offsets.entry(r.partition).or_insert(0);
            *next = (*next).max(r.offset + 1);
        }
        let work = records
            .into_iter()
            .map(|record| Work {
                record,
                attempt: 0,
                due_key: None,
            })
            .collect();
        self.process(work, offsets, cancel).await
    }

    /// Routes, delivers and settles one batch; one synced ledger write.
    async fn process(
        &mut self,
        work: Vec<Work>,
        offsets: BTreeMap<u32, u64>,
        cancel: &CancellationToken,
    ) -> Result<usize, SinkError> {
        if work.is_empty() && offsets.is_empty() {
            return Ok(0);
        }
        let handled = work.len();
        let now = self.clock.now_ms();
        let mut changes: Vec<Change> = Vec::new();
        let mut candidates = Vec::new();
        for w in work {
            if let Some(key) = &w.due_key {
                changes.push(Change::Remove(key.clone()));
            }
            match self.dest.route(&w.record) {
                Route::Deliver { id, item } => candidates.push((w, id, item)),
                Route::Skip { reason } => {
                    tracing::trace!(sink = %self.name, partition = w.record.partition, offset = w.record.offset, reason, "not for this destination");
                    self.metrics.count(&self.name, "skipped", 1);
                }
                Route::Dead { kind, reason } => {
                    self.dead(&mut changes, &w, None, kind, &reason, now);
                }
            }
        }
        // New records whose id is done (a re-run upstream, a replay) or repeated within
        // the batch are not delivered again; due work was checked when it was scheduled.
        let ids: Vec<String> = candidates.iter().map(|(_, id, _)| id.clone()).collect();
        let done = self
            .blocking(move |l, _| {
                ids.iter()
                    .map(|id| Ok(l.done(id, now)?.is_some()))
                    .collect::<Result<Vec<bool>, SinkError>>()
            })
            .await?;
        let mut seen = HashSet::new();
        let mut batch = Vec::new();
        let mut sources = Vec::new();
        for ((w, id, item), done) in candidates.into_iter().zip(done) {
            let fresh = seen.insert(id.clone());
            if w.due_key.is_none() && (done || !fresh) {
                self.metrics.count(&self.name, "duplicate", 1);
                continue;
            }
            batch.push(Delivery {
                id: id.clone(),
                item,
                attempt: w.attempt,
                timestamp_ms: w.record.timestamp_ms,
            });
            sources.push((w, id));
        }
        if !batch.is_empty() {
            if let Some(rate) = &self.rate {
                if rate.acquire(cancel).await == Wait::Cancelled {
                    // Nothing was delivered or written: the batch is read again at start.
                    return Ok(0);
                }
            }
            let started = Instant::now();
            let cx = Cx {
                clock: &self.clock,
                cancel,
                retry: &self.retry,
            };
            let mut outcomes = self.dest.deliver(batch, cx).await.into_iter();
            let label = if cancel.is_cancelled() {
                "cancelled"
            } else {
                "ok"
            };
            self.metrics
                .batch(&self.name, label, started.elapsed().as_secs_f64());
            let now = self.clock.now_ms();
            for (w, id) in sources {
                let outcome = outcomes.next().unwrap_or_else(|| {
                    Outcome::retry_at(self.retry.next_at(w.attempt, now), "no answer")
                });
                self.settle(&mut changes, w, id, outcome, now);
            }
        }
        changes.extend(offsets.into_iter().map(|(p, next)| Change::Offset(p, next)));
        let expire = self
            .last_expiry_ms
            .is_none_or(|t| now.saturating_sub(t) >= self.ledger.horizon_ms() / 8);
        if expire {
            changes.push(Change::Expire);
            self.last_expiry_ms = Some(now);
        }
        let gauge = self
            .last_gauge_ms
            .is_none_or(|t| now.saturating_sub(t) >= 5_000);
        let topic = self.topic.clone();
        let owes = changes.iter().any(|c| matches!(c, Change::Owe(_)));
        let waiting = self
            .blocking(move |l, _| {
                let mut batch = l.batch();
                for change in &changes {
                    match change {
                        Change::Offset(p, next) => batch.offset(&topic, *p, *next),
                        Change::Done(id, note) => batch.done(id, now, note),
                        Change::Schedule(at, waiting) => batch.schedule(*at, waiting),
                        Change::Remove(key) => batch.remove(key),
                        Change::Owe(owed) => batch.owe(owed),
                        Change::Expire => batch.expire_done(now),
                    };
                }
                l.write(batch, true)?;
                Ok(if gauge { Some(l.waiting()?) } else { None })
            })
            .await?;
        if let Some(n) = waiting {
            self.metrics.set_waiting(&self.name, n);
            self.last_gauge_ms = Some(now);
        }
        if owes {
            self.flush().await?;
        }
        Ok(handled)
    }

    fn settle(&self, changes: &mut Vec<Change>, w: Work, id: String, outcome: Outcome, now: i64) {
        match outcome {
            Outcome::Done { events, note } => {
                self.metrics.count(&self.name, "done", 1);
                changes.extend(
                    events
                        .into_iter()
                        .map(|(t, r)| Change::Owe(Owed::new(&t, r))),
                );
                changes.push(Change::Done(id, note));
            }
            Outcome::RetryAt {
                at_ms,
                reason,
                events,
            } => {
                changes.extend(
                    events
                        .into_iter()
                        .map(|(t, r)| Change::Owe(Owed::new(&t, r))),
                );
                let attempts = w.attempt.saturating_add(1);
                if self.retry.gives_up(attempts) {
                    let reason = format!("gave up after {attempts} attempts: {reason}");
                    self.dead(changes, &w, Some(id), "DELIVERY", &reason, now);
                    return;
                }
                self.metrics.count(&self.name, "retry", 1);
                tracing::debug!(sink = %self.name, id, at_ms, reason, attempts, "delivery waits");
                // Marked done too, so the same id read again meanwhile is not delivered
                // beside its waiting copy.
                changes.push(Change::Done(id.clone(), "waiting".into()));
                let r = w.record;
                changes.push(Change::Schedule(
                    at_ms,
                    Waiting {
                        id,
                        attempt: attempts,
                        reason,
                        partition: r.partition,
                        offset: r.offset,
                        key: r.key,
                        value: r.value,
                        timestamp_ms: r.timestamp_ms,
                        headers: r.headers,
                    },
                ));
            }
            Outcome::Dead { reason } => self.dead(changes, &w, Some(id), "DELIVERY", &reason, now),
        }
    }

    /// The dead letter of `w`, owed to the dead-letter topic with the original bytes.
    fn dead(
        &self,
        changes: &mut Vec<Change>,
        w: &Work,
        id: Option<String>,
        kind: &str,
        reason: &str,
        now: i64,
    ) {
        tracing::warn!(sink = %self.name, topic = %self.topic, partition = w.record.partition, offset = w.record.offset, reason, "to the dead-letter topic");
        self.metrics.count(&self.name, "dead", 1);
        let refused = Refused {
            source: &self.name,
            topic: Some(&self.topic),
            kind,
            reason,
            bytes: &w.record.value,
            at_ms: now,
        };
        match dead_letter(&self.dlq, &refused) {
            Ok(letter) => changes.push(Change::Owe(Owed::new(self.dlq.topic(), letter))),
            // Only a bug makes our own dead letter invalid; say so, keep delivering.
            Err(e) => tracing::error!(sink = %self.name, error = %e, "the dead letter is invalid"),
        }
        if let Some(id) = id {
            changes.push(Change::Done(id, "dead".into()));
        }
    }

    /// Appends what the ledger owes the log, then forgets it (unsynced: a process crash
    /// keeps that write; an OS crash at worst appends the same records again).
    async fn flush(&self) -> Result<(), SinkError> {
        let sink = self.name.clone();
        self.blocking(move |l, log| {
            let owed = l.owed()?;
            if owed.is_empty() {
                return Ok(());
            }
            let mut batch = l.batch();
            let mut by_topic: BTreeMap<String, Vec<Record>> = BTreeMap::new();
            for (key, owed) in owed {
                let (topic, record) = owed.into_record();
                by_topic.entry(topic).or_default().push(record);
                batch.remove(&key);
            }
            for (topic, records) in by_topic {
                log.append(&topic, records)
                    .map_err(|source| SinkError::Append {
                        sink: sink.clone(),
                        topic: topic.clone(),
                        source,
                    })?;
            }
            Ok(l.write(batch, false)?)
        })
        .await
    }
}
