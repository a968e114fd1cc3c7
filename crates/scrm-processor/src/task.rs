//! The task of one partition, on a thread of its own (RocksDB and the log block).
//!
//! It restores the partition if needed, appends what an earlier run left in the outbox,
//! then reads the partition of every input topic and applies records in event-time order:
//! the next record is the earliest head among the inputs (ties by topic, then offset). An
//! input with nothing buffered holds the others back until it is known to be at its end
//! (position = high watermark); in live mode a record then also waits, at most `grace`,
//! for the wall clock to pass its time, so a record arriving a little late on a silent
//! input is still applied in order. When every input is at its end the partition is idle;
//! in live mode its stream time then follows the wall clock minus `grace`, so timers fire
//! without traffic. Event-time mode never looks at the clock, which makes replays
//! deterministic.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use prometheus_client::metrics::counter::Counter;
use scrm_events::InputTopic;
use scrm_log::{PartitionReader, Record, StoredRecord};
use scrm_schema::TopicKind;
use scrm_state::OutboxEntry;

use crate::changelog::{self, Restore, RestoreProgress};
use crate::engine::{topic_kind, Committed, EngineOptions, PartitionEngine};
use crate::error::ProcessError;
use crate::merge::{Choice, Head, InputView, Merge, MergeMode};
use crate::metrics::{GateLabel, KindLabel, PartitionLabel, TopicLabel, TopicPartition};
use crate::runtime::{Shared, TimeMode};

/// Flags the runtime reads.
#[derive(Debug, Default)]
pub(crate) struct TaskStatus {
    pub(crate) ready: AtomicBool,
    pub(crate) caught_up: AtomicBool,
}

struct Input {
    topic: InputTopic,
    name: String,
    partition: u32,
    reader: Box<dyn PartitionReader>,
    buf: VecDeque<StoredRecord>,
    /// High watermark last seen, and when.
    high: u64,
    high_at: Option<Instant>,
    /// Position at which the log itself confirmed the end (event-time mode).
    confirmed_end: Option<u64>,
    /// When the input was last found at its end; a silent input is polled again only
    /// after [`SILENT_RECHECK`], not before every record of the others.
    at_end_since: Option<Instant>,
    /// `scrm_processor_events{topic,partition}` of this input, looked up once.
    events: Counter,
}

impl Input {
    fn view(&self) -> InputView {
        InputView {
            head: self.buf.front().map(|r| Head {
                timestamp_ms: r.timestamp_ms,
                offset: r.offset,
            }),
            position: self.reader.position(),
            high_watermark: self.high,
        }
    }
}

const READ_BATCH: usize = 2_000;
const WATERMARK_TTL: Duration = Duration::from_millis(100);
const LAG_INTERVAL: Duration = Duration::from_secs(1);
/// How long a silent input found at its end is taken to stay there while the others are
/// applied.
const SILENT_RECHECK: Duration = Duration::from_millis(5);

struct Progress<'a>(&'a Shared);

impl RestoreProgress for Progress<'_> {
    fn update(&self, partition: u32, done: u64, total: u64) {
        let m = &self.0.metrics;
        m.restore_remaining
            .get_or_create(&PartitionLabel { partition })
            .set(total.saturating_sub(done) as i64);
    }
}

pub(crate) fn run(
    shared: &Shared,
    partition: u32,
    stop: &AtomicBool,
    status: &TaskStatus,
) -> Result<(), ProcessError> {
    let span = tracing::info_span!("partition", partition);
    let _enter = span.enter();
    let changelog_topic = shared.out.topics().name(TopicKind::StateChangelog);
    let started = Instant::now();
    let restore = changelog::prepare(
        shared.log.as_ref(),
        shared.store.as_ref(),
        &changelog_topic,
        partition,
        &Progress(shared),
        &|| stop.load(Ordering::SeqCst),
    )?;
    if let Restore::Stopped { .. } = restore {
        tracing::info!(?restore, "partition stopped while restoring");
        return Ok(());
    }
    if let Restore::Incremental { records, .. } | Restore::Full { records, .. } = restore {
        shared.metrics.restore_records.inc_by(records);
    }
    shared
        .metrics
        .restore_remaining
        .get_or_create(&PartitionLabel { partition })
        .set(0);
    tracing::info!(
        ?restore,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "partition state ready"
    );

    let partitions = shared
        .log
        .describe_topic(&shared.out.topics().name(TopicKind::StateChangelog))?
        .map_or(1, |t| t.partitions);
    let mut engine = PartitionEngine::open_with(
        partition,
        partitions,
        shared.store.clone(),
        shared.pack.current(),
        shared.out.clone(),
        EngineOptions {
            clock: shared.clock.clone(),
            time_bounds: shared.options.time_bounds,
        },
    )?;
    let leftovers = engine.unflushed()?;
    if !leftovers.is_empty() {
        tracing::info!(
            entries = leftovers.len(),
            "appending outputs left by an earlier run"
        );
        flush(shared, &mut engine, leftovers)?;
    }
    let mut inputs = Vec::new();
    for topic in InputTopic::all() {
        let name = shared.out.topics().name(topic_kind(topic));
        let reader = shared
            .log
            .reader(&name, partition, engine.next_offset(topic))?;
        let events = shared
            .metrics
            .events
            .get_or_create(&TopicPartition {
                topic: name.clone(),
                partition,
            })
            .clone();
        inputs.push(Input {
            topic,
            events,
            at_end_since: None,
            name,
            partition,
            reader,
            buf: VecDeque::new(),
            high: 0,
            high_at: None,
            confirmed_end: None,
        });
    }
    report_lag(shared, &mut inputs, partition)?;
    tracing::info!(offsets = ?engine.meta().next_offsets, stream_time = ?engine.stream_time(), "partition starts");
    status.ready.store(true, Ordering::SeqCst);
    let mut lag_reported = Instant::now();

    let options = &shared.options;
    let mut batch_started = Instant::now();
    let mut merge = Merge::new(match options.time {
        TimeMode::Live { grace_ms } => MergeMode::Live { grace_ms },
        TimeMode::Event => MergeMode::Event,
    });
    let merge_started = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        let mut applied = 0usize;
        while applied < options.batch_records && !stop.load(Ordering::SeqCst) {
            let Some(i) = next_input(shared, &mut inputs, &mut merge, merge_started)? else {
                break;
            };
            let record = inputs[i].buf.pop_front().expect("chosen input has a head");
            engine.apply(inputs[i].topic, &record)?;
            inputs[i].events.inc();
            shared.metrics.count_applied();
            applied += 1;
            if batch_started.elapsed() >= options.commit_interval {
                break;
            }
        }
        let idle = applied == 0;
        let caught_up = idle && all_at_end(shared, &mut inputs, partition)?;
        if caught_up {
            if let TimeMode::Live { grace_ms } = options.time {
                engine.advance_to(shared.clock.now_ms() - grace_ms)?;
            }
        }
        if engine.has_uncommitted()
            && (idle
                || applied >= options.batch_records
                || batch_started.elapsed() >= options.commit_interval)
        {
            commit(shared, &mut engine)?;
            batch_started = Instant::now();
        }
        if lag_reported.elapsed() >= LAG_INTERVAL {
            report_lag(shared, &mut inputs, partition)?;
            lag_reported = Instant::now();
        }
        if let Some(t) = engine.stream_time() {
            shared
                .metrics
                .stream_time
                .get_or_create(&PartitionLabel { partition })
                .set(t);
        }
        status
            .caught_up
            .store(caught_up && !engine.has_uncommitted(), Ordering::SeqCst);
        if idle {
            wait_for_data(&mut inputs);
            batch_started = Instant::now();
        }
    }
    if engine.has_uncommitted() {
        commit(shared, &mut engine)?;
    }
    // The partition may move to another instance: stop reporting it from this one.
    for input in &inputs {
        shared.metrics.lag.remove(&TopicPartition {
            topic: input.name.clone(),
            partition,
        });
    }
    shared
        .metrics
        .stream_time
        .remove(&PartitionLabel { partition });
    tracing::info!(offsets = ?engine.meta().next_offsets, stream_time = ?engine.stream_time(), "partition stopped; work committed");
    Ok(())
}

/// The input whose head goes next, if one may go now (the rule is [`crate::merge`]'s).
fn next_input(
    shared: &Shared,
    inputs: &mut [Input],
    merge: &mut Merge,
    started: Instant,
) -> Result<Option<usize>, ProcessError> {
    // An input with nothing buffered fetches what it knows is there; one at its end holds
    // nothing back.
    for input in inputs.iter_mut() {
        let settled = input
            .at_end_since
            .is_some_and(|at| at.elapsed() < SILENT_RECHECK);
        if input.buf.is_empty() && !settled {
            input.at_end_since = at_end(shared, input, false)?.then(Instant::now);
        }
    }
    let views: Vec<InputView> = inputs.iter().map(Input::view).collect();
    let wall_ms = match shared.options.time {
        TimeMode::Live { .. } => shared.clock.now_ms(),
        // Event time never reads the clock.
        TimeMode::Event => 0,
    };
    let mono_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(match merge.choose(&views, wall_ms, mono_ms) {
        Choice::Next(i) => Some(i),
        Choice::Behind(_) | Choice::Hold { .. } | Choice::Empty => None,
    })
}

/// Whether the input has nothing more to read right now. What the reader already fetched
/// comes first; then the high watermark, as the reader knows it (Kafka reports it with
/// every fetch) or, failing that, as the log says (`fresh` forces asking).
fn at_end(shared: &Shared, input: &mut Input, fresh: bool) -> Result<bool, ProcessError> {
    if !input.buf.is_empty() {
        return Ok(false);
    }
    input
        .buf
        .extend(input.reader.next_batch(READ_BATCH, Duration::ZERO)?);
    if !input.buf.is_empty() {
        return Ok(false);
    }
    refresh_high(shared, input, fresh)?;
    let position = input.reader.position();
    if position >= input.high
        && shared.options.time == TimeMode::Event
        && input.confirmed_end != Some(position)
    {
        // In event time the order must not depend on what a reader happened to know:
        // the log confirms the end, once per position.
        input.high = shared.log.watermarks(&input.name, input.partition)?.high;
        if position >= input.high {
            input.confirmed_end = Some(position);
        }
    }
    if position < input.high {
        // Data is there but not fetched yet: fetch it now.
        input.buf.extend(
            input
                .reader
                .next_batch(READ_BATCH, Duration::from_millis(50))?,
        );
        return Ok(false);
    }
    Ok(true)
}

fn refresh_high(shared: &Shared, input: &mut Input, fresh: bool) -> Result<(), ProcessError> {
    if let Some(high) = input.reader.known_high_watermark() {
        input.high = high;
        input.high_at = Some(Instant::now());
    } else if fresh || input.high_at.is_none_or(|at| at.elapsed() >= WATERMARK_TTL) {
        input.high = shared.log.watermarks(&input.name, input.partition)?.high;
        input.high_at = Some(Instant::now());
    }
    Ok(())
}

fn all_at_end(shared: &Shared, inputs: &mut [Input], partition: u32) -> Result<bool, ProcessError> {
    let mut all = true;
    for input in inputs.iter_mut() {
        all &= at_end(shared, input, true)?;
        publish_lag(shared, input, partition);
    }
    Ok(all)
}

/// Refreshes the high watermarks and publishes the lag of every input.
fn report_lag(shared: &Shared, inputs: &mut [Input], partition: u32) -> Result<(), ProcessError> {
    for input in inputs.iter_mut() {
        refresh_high(shared, input, false)?;
        publish_lag(shared, input, partition);
    }
    Ok(())
}

fn publish_lag(shared: &Shared, input: &Input, partition: u32) {
    let lag = input.high.saturating_sub(input.reader.position()) + input.buf.len() as u64;
    shared
        .metrics
        .lag
        .get_or_create(&TopicPartition {
            topic: input.name.clone(),
            partition,
        })
        .set(lag as i64);
}

fn wait_for_data(inputs: &mut [Input]) {
    // Block briefly on the busiest input; the others are polled on the next round.
    if let Some(input) = inputs.iter_mut().find(|i| i.buf.is_empty()) {
        if let Ok(records) = input
            .reader
            .next_batch(READ_BATCH, Duration::from_millis(50))
        {
            input.buf.extend(records);
        }
    }
}

fn commit(shared: &Shared, engine: &mut PartitionEngine) -> Result<(), ProcessError> {
    let Committed { entries, stats } = engine.commit(shared.options.fsync)?;
    let m = &shared.metrics;
    m.commits.inc();
    m.timers_fired.inc_by(stats.timers_fired);
    m.schedules_run.inc_by(stats.schedules_run);
    for ((decision, reason), n) in stats.gate {
        m.gate
            .get_or_create(&GateLabel {
                decision: decision.into(),
                reason,
            })
            .inc_by(n);
    }
    for (kind, n) in stats.outputs {
        m.outputs
            .get_or_create(&KindLabel { kind: kind.into() })
            .inc_by(n);
    }
    for (kind, n) in stats.dead_letters {
        m.dead_letters
            .get_or_create(&KindLabel { kind: kind.into() })
            .inc_by(n);
    }
    m.repeats_dropped.inc_by(stats.repeats_dropped);
    for (topic, n) in stats.repartitioned {
        m.repartitioned
            .get_or_create(&TopicLabel {
                topic: topic.to_string(),
            })
            .inc_by(n);
    }
    flush(shared, engine, entries)?;
    // A reloaded pack takes over between batches, on committed state.
    if !Arc::ptr_eq(engine.pack(), &shared.pack.current()) {
        engine.set_pack(shared.pack.current());
        tracing::info!(partition = engine.partition(), "rule pack reloaded");
    }
    Ok(())
}

/// Appends outbox entries in order, topic run by topic run, then forgets them.
fn flush(
    shared: &Shared,
    engine: &mut PartitionEngine,
    entries: Vec<(u64, OutboxEntry)>,
) -> Result<(), ProcessError> {
    let Some(last_seq) = entries.last().map(|(seq, _)| *seq) else {
        return Ok(());
    };
    let changelog_topic = shared.out.topics().name(TopicKind::StateChangelog);
    let mut changelog_next = None;
    let mut run: Vec<Record> = Vec::new();
    let mut run_topic = String::new();
    let mut append = |topic: &str, records: Vec<Record>| -> Result<(), ProcessError> {
        if records.is_empty() {
            return Ok(());
        }
        let positions = shared.log.append(topic, records)?;
        if topic == changelog_topic {
            changelog_next = positions.last().map(|p| p.offset + 1);
        }
        Ok(())
    };
    for (_, entry) in entries {
        if entry.topic != run_topic {
            append(&run_topic, std::mem::take(&mut run))?;
            run_topic = entry.topic.clone();
        }
        run.push(Record {
            key: entry.key,
            value: entry.value,
            timestamp_ms: entry.timestamp_ms,
            headers: entry.headers,
            partition: Some(entry.partition),
        });
    }
    append(&run_topic, run)?;
    engine.flushed(last_seq, changelog_next)
}
