//! The processor of one instance: joins the group, runs a task per owned partition, stops
//! them cleanly when partitions are revoked or the process is asked to stop.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use scrm_log::{EventLog, RebalanceListener};
use scrm_rules::RulePack;
use scrm_schema::TopicKind;
use scrm_state::StateStore;
use scrm_time::TimeBounds;

use crate::clock::SharedClock;
use crate::error::ProcessError;
use crate::metrics::Metrics;
use crate::outputs::OutputEncoder;
use crate::task::{self, TaskStatus};

/// How the processor tells time (see the `task` module).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeMode {
    Live { grace_ms: i64 },
    Event,
}

#[derive(Debug, Clone)]
pub struct ProcessorOptions {
    /// Consumer group of the processor instances (Kafka).
    pub group_id: String,
    /// Records applied per commit at most.
    pub batch_records: usize,
    /// Longest time a batch stays open before it is committed.
    pub commit_interval: Duration,
    /// How the processor tells time.
    pub time: TimeMode,
    /// fsync the state store at every commit.
    pub fsync: bool,
    /// Return once every owned partition has applied everything there is (batch runs,
    /// tests).
    pub exit_when_caught_up: bool,
    /// The event times believed against the clock, in live and event-time mode alike
    /// (nothing real happens in the future); a record outside goes to the dead-letter topic
    /// with kind `TIME` and does not move stream time. Default: 10 minutes ahead at most,
    /// nothing before 2009.
    pub time_bounds: TimeBounds,
}

impl Default for ProcessorOptions {
    fn default() -> Self {
        Self {
            group_id: "scrm-processor".into(),
            batch_records: 2_000,
            commit_interval: Duration::from_millis(200),
            time: TimeMode::Live { grace_ms: 2_000 },
            fsync: true,
            exit_when_caught_up: false,
            time_bounds: TimeBounds::default(),
        }
    }
}

/// The rule pack in force; replaced whole by a reload, picked up by each task after its
/// next commit.
pub(crate) struct PackCell(Mutex<Arc<RulePack>>);

impl PackCell {
    pub(crate) fn current(&self) -> Arc<RulePack> {
        self.0.lock().clone()
    }
}

/// Everything the partition tasks share.
pub(crate) struct Shared {
    pub(crate) log: Arc<dyn EventLog>,
    pub(crate) store: Arc<dyn StateStore>,
    pub(crate) pack: PackCell,
    pub(crate) out: Arc<OutputEncoder>,
    pub(crate) options: ProcessorOptions,
    pub(crate) clock: SharedClock,
    pub(crate) metrics: Metrics,
}

struct Task {
    stop: Arc<AtomicBool>,
    status: Arc<TaskStatus>,
    handle: JoinHandle<Result<(), ProcessError>>,
}

struct Tasks {
    shared: Arc<Shared>,
    running: Mutex<BTreeMap<u32, Task>>,
    failed: Mutex<Option<ProcessError>>,
}

impl Tasks {
    fn stop(&self, partitions: &[u32]) {
        let stopping: Vec<(u32, Task)> = {
            let mut running = self.running.lock();
            partitions
                .iter()
                .filter_map(|p| running.remove(p).map(|t| (*p, t)))
                .collect()
        };
        for (_, task) in &stopping {
            task.stop.store(true, Ordering::SeqCst);
        }
        for (partition, task) in stopping {
            self.reap(partition, task.handle);
        }
        self.shared
            .metrics
            .partitions_owned
            .set(self.running.lock().len() as i64);
    }

    fn reap(&self, partition: u32, handle: JoinHandle<Result<(), ProcessError>>) {
        let result = handle.join().unwrap_or_else(|_| {
            Err(ProcessError::Internal(format!(
                "partition {partition} task panicked"
            )))
        });
        if let Err(e) = result {
            tracing::error!(partition, error = %e, "partition task failed");
            self.failed.lock().get_or_insert(e);
        }
    }
}

impl RebalanceListener for Tasks {
    fn assigned(&self, partitions: &[u32]) {
        let mut running = self.running.lock();
        for &partition in partitions {
            if running.contains_key(&partition) {
                continue;
            }
            let stop = Arc::new(AtomicBool::new(false));
            let status = Arc::new(TaskStatus::default());
            let (shared, task_stop, task_status) =
                (self.shared.clone(), stop.clone(), status.clone());
            let handle = std::thread::Builder::new()
                .name(format!("scrm-p{partition}"))
                .spawn(move || task::run(&shared, partition, &task_stop, &task_status))
                .expect("spawning a partition thread");
            running.insert(
                partition,
                Task {
                    stop,
                    status,
                    handle,
                },
            );
        }
        self.shared
            .metrics
            .partitions_owned
            .set(running.len() as i64);
    }

    fn revoked(&self, partitions: &[u32]) {
        self.stop(partitions);
    }
}

/// A running view of the processor for health checks and the query API.
#[derive(Clone)]
pub struct ProcessorHandle {
    tasks: Arc<Tasks>,
}

impl std::fmt::Debug for ProcessorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessorHandle")
            .field("owned", &self.owned())
            .finish()
    }
}

impl ProcessorHandle {
    /// Partitions owned, each with whether its state is restored and it is processing.
    pub fn owned(&self) -> BTreeMap<u32, bool> {
        self.tasks
            .running
            .lock()
            .iter()
            .map(|(p, t)| (*p, t.status.ready.load(Ordering::SeqCst)))
            .collect()
    }

    /// Ready when at least one partition is owned and every owned one is restored.
    pub fn is_ready(&self) -> bool {
        let owned = self.owned();
        !owned.is_empty() && owned.values().all(|r| *r)
    }

    /// Puts `pack` in force: each partition task switches after its next commit, so no
    /// batch mixes two packs. State is kept.
    pub fn reload(&self, pack: Arc<RulePack>) {
        let shared = &self.tasks.shared;
        tracing::info!(pack = %pack.name, file = %pack.file, rules = pack.rules.len(), "rule pack loaded");
        *shared.pack.0.lock() = pack;
        shared.metrics.pack_reloads.inc();
    }

    /// The pack in force.
    pub fn pack(&self) -> Arc<RulePack> {
        self.tasks.shared.pack.current()
    }

    fn all_caught_up(&self) -> bool {
        let running = self.tasks.running.lock();
        !running.is_empty()
            && running
                .values()
                .all(|t| t.status.caught_up.load(Ordering::SeqCst))
    }
}

pub struct Processor {
    handle: ProcessorHandle,
}

impl std::fmt::Debug for Processor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processor").finish_non_exhaustive()
    }
}

impl Processor {
    pub fn new(
        log: Arc<dyn EventLog>,
        store: Arc<dyn StateStore>,
        pack: Arc<RulePack>,
        out: Arc<OutputEncoder>,
        options: ProcessorOptions,
        clock: SharedClock,
        metrics: Metrics,
    ) -> Self {
        let shared = Arc::new(Shared {
            log,
            store,
            pack: PackCell(Mutex::new(pack)),
            out,
            options,
            clock,
            metrics,
        });
        Self {
            handle: ProcessorHandle {
                tasks: Arc::new(Tasks {
                    shared,
                    running: Mutex::new(BTreeMap::new()),
                    failed: Mutex::new(None),
                }),
            },
        }
    }

    pub fn handle(&self) -> ProcessorHandle {
        self.handle.clone()
    }

    /// Runs until `stop` returns true (or, with `exit_when_caught_up`, until everything is
    /// applied), then stops every task; each commits its work before it ends. Blocks.
    pub fn run(&self, stop: &dyn Fn() -> bool) -> Result<(), ProcessError> {
        let tasks = self.handle.tasks.clone();
        let shared = tasks.shared.clone();
        let changelog = shared.out.topics().name(TopicKind::StateChangelog);
        let mut membership =
            shared
                .log
                .join_group(&shared.options.group_id, &changelog, tasks.clone())?;
        let mut last_rate = (Instant::now(), 0u64);
        let result = loop {
            membership.poll(Duration::from_millis(100))?;
            if let Some(e) = tasks.failed.lock().take() {
                break Err(e);
            }
            // A task that ended by itself failed; surface its error.
            let finished: Vec<u32> = tasks
                .running
                .lock()
                .iter()
                .filter(|(_, t)| t.handle.is_finished())
                .map(|(p, _)| *p)
                .collect();
            if !finished.is_empty() {
                tasks.stop(&finished);
                if let Some(e) = tasks.failed.lock().take() {
                    break Err(e);
                }
            }
            if last_rate.0.elapsed() >= Duration::from_secs(2) {
                let total = total_events(&shared.metrics);
                let secs = last_rate.0.elapsed().as_secs_f64();
                shared
                    .metrics
                    .events_per_second
                    .set(((total - last_rate.1) as f64 / secs) as i64);
                last_rate = (Instant::now(), total);
            }
            if stop() {
                break Ok(());
            }
            if shared.options.exit_when_caught_up && self.handle.all_caught_up() {
                tracing::info!("every partition is caught up");
                break Ok(());
            }
        };
        membership.leave()?;
        let owned: Vec<u32> = tasks.running.lock().keys().copied().collect();
        tasks.stop(&owned);
        let failed = tasks.failed.lock().take();
        match failed {
            Some(e) => Err(e),
            None => result,
        }
    }
}

fn total_events(metrics: &Metrics) -> u64 {
    metrics.events_total()
}
