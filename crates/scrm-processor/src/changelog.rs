//! Restoring a partition's state from the compacted changelog topic.
//!
//! Each commit appends, after its outputs, one changelog record per customer it changed
//! (the encoded state, or an empty tombstone when the customer was pruned) and then a
//! progress record (key [`CHANGELOG_META_KEY`]) with the next input offsets and stream
//! time. A restore applies records in order and takes a group of customer records only when
//! the progress record that closes it is there, so a half-appended commit of a crashed
//! instance is never taken for state; its inputs are processed again from the offsets of
//! the last complete group.
//!
//! When a partition arrives, [`prepare`] decides how much to read: nothing when this
//! instance wrote the changelog's last records itself (its local state is current); from
//! where it stopped when another instance moved on meanwhile; everything, into a wiped
//! partition, when there is no usable local state (new instance, lost disk).
//!
//! A restore can take minutes on a large changelog, so it checks the stop flag between
//! batches and returns [`Restore::Stopped`] when asked: the chunks already written stay,
//! but the partition's progress row is written only by a finished restore, so the next
//! start does the restore again (from the same offset for an incremental one, from
//! scratch into a wiped partition for a full one) and what was half done is never taken
//! for current state.

use std::collections::HashMap;
use std::time::Duration;

use scrm_log::EventLog;
use scrm_state::keys::{self, Table, TimerKey};
use scrm_state::{Batch, CustomerState, PartitionMeta, StateStore};

use crate::engine::{load_outbox, CHANGELOG_META_KEY};
use crate::error::ProcessError;

/// How a partition's state was made ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restore {
    /// Local state was current.
    Local,
    /// Caught up from the changelog, from `from` to `to`.
    Incremental { from: u64, to: u64, records: u64 },
    /// Rebuilt from the changelog alone.
    Full { to: u64, records: u64 },
    /// Stopped before the end (the process or partition is stopping); done again at the
    /// next start.
    Stopped { records: u64 },
}

/// Progress of a restore, for metrics and logs.
pub trait RestoreProgress {
    fn update(&self, partition: u32, done: u64, total: u64);
}

impl RestoreProgress for () {
    fn update(&self, _: u32, _: u64, _: u64) {}
}

const CHUNK_RECORDS: usize = 5_000;

/// Makes `partition`'s local state current with the changelog `topic`, unless `stop`
/// turns true first.
pub fn prepare(
    log: &dyn EventLog,
    store: &dyn StateStore,
    topic: &str,
    partition: u32,
    progress: &dyn RestoreProgress,
    stop: &dyn Fn() -> bool,
) -> Result<Restore, ProcessError> {
    let local = match store.get(Table::Partitions, &keys::partition_key(partition))? {
        Some(bytes) => {
            Some(
                PartitionMeta::decode(&bytes).map_err(|e| ProcessError::CorruptState {
                    partition,
                    reason: e.to_string(),
                })?,
            )
        }
        None => None,
    };
    let marks = log.watermarks(topic, partition)?;
    if let Some(local) = &local {
        let written = local.changelog_next.unwrap_or(0);
        if written == marks.high {
            return Ok(Restore::Local);
        }
        let outbox_empty = load_outbox(store, partition)?.is_empty();
        if written < marks.high && written >= marks.low && outbox_empty {
            let replayed = replay(
                log,
                store,
                topic,
                partition,
                (written, marks.high),
                local.clone(),
                progress,
                stop,
            )?;
            return Ok(match replayed {
                Replayed::Done(records) => Restore::Incremental {
                    from: written,
                    to: marks.high,
                    records,
                },
                Replayed::Stopped(records) => Restore::Stopped { records },
            });
        }
    }
    wipe(store, partition)?;
    let replayed = replay(
        log,
        store,
        topic,
        partition,
        (marks.low, marks.high),
        PartitionMeta::default(),
        progress,
        stop,
    )?;
    Ok(match replayed {
        Replayed::Done(records) => Restore::Full {
            to: marks.high,
            records,
        },
        Replayed::Stopped(records) => Restore::Stopped { records },
    })
}

/// How a replay ended, with the records read.
enum Replayed {
    Done(u64),
    Stopped(u64),
}

/// Deletes every row of `partition`.
pub fn wipe(store: &dyn StateStore, partition: u32) -> Result<(), ProcessError> {
    let mut batch = Batch::new();
    for table in Table::ALL {
        let (from, to) = table.partition_range(partition);
        batch.delete_range(table, from, to);
    }
    store.write(batch, true)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn replay(
    log: &dyn EventLog,
    store: &dyn StateStore,
    topic: &str,
    partition: u32,
    (from, to): (u64, u64),
    mut meta: PartitionMeta,
    progress: &dyn RestoreProgress,
    stop: &dyn Fn() -> bool,
) -> Result<Replayed, ProcessError> {
    let corrupt = |reason: String| ProcessError::CorruptState { partition, reason };
    let mut reader = log.reader(topic, partition, from)?;
    // Customer records since the last progress record: applied only when it arrives.
    let mut group: Vec<(String, Vec<u8>)> = Vec::new();
    let mut chunk = Chunk::default();
    let mut records = 0u64;
    while reader.position() < to {
        if stop() {
            // The progress row is not written: the next start restores again.
            tracing::info!(
                partition,
                records,
                remaining = to.saturating_sub(reader.position()),
                "restore stopped before the end; it is done again at the next start"
            );
            return Ok(Replayed::Stopped(records));
        }
        let batch = reader.next_batch(2_000, Duration::from_millis(500))?;
        for record in batch {
            if record.offset >= to {
                break;
            }
            records += 1;
            if record.key == CHANGELOG_META_KEY {
                let progress_meta = PartitionMeta::decode(&record.value)
                    .map_err(|e| corrupt(format!("changelog offset {}: {e}", record.offset)))?;
                for (customer, value) in group.drain(..) {
                    chunk.apply(store, partition, customer, value)?;
                }
                meta.next_offsets = progress_meta.next_offsets;
                meta.stream_time_ms = progress_meta.stream_time_ms;
                meta.schedules = progress_meta.schedules;
                meta.stats = progress_meta.stats;
                meta.messaging_limit = progress_meta.messaging_limit;
                if chunk.len() >= CHUNK_RECORDS {
                    chunk.write(store)?;
                }
            } else {
                let customer = String::from_utf8(record.key).map_err(|_| {
                    corrupt(format!(
                        "changelog offset {}: key is not UTF-8",
                        record.offset
                    ))
                })?;
                group.push((customer, record.value));
            }
        }
        progress.update(
            partition,
            reader.position().saturating_sub(from),
            to.saturating_sub(from),
        );
    }
    if !group.is_empty() {
        tracing::warn!(
            partition,
            records = group.len(),
            "changelog ends with an incomplete commit; its inputs will be processed again"
        );
    }
    meta.changelog_next = Some(to);
    chunk.batch.put(
        Table::Partitions,
        keys::partition_key(partition),
        meta.encode(),
    );
    chunk.write(store)?;
    Ok(Replayed::Done(records))
}

/// Restored rows not yet written, with the timers of the customers they touch.
#[derive(Default)]
struct Chunk {
    batch: Batch,
    timers: HashMap<String, Vec<(String, i64)>>,
}

impl Chunk {
    fn len(&self) -> usize {
        self.batch.len()
    }

    fn apply(
        &mut self,
        store: &dyn StateStore,
        partition: u32,
        customer: String,
        value: Vec<u8>,
    ) -> Result<(), ProcessError> {
        let key = keys::customer_key(partition, &customer)
            .map_err(|e| ProcessError::Internal(e.to_string()))?;
        // The customer's timers as of before this record, to take out of the index.
        let old = match self.timers.remove(&customer) {
            Some(timers) => timers,
            None => match store.get(Table::Customers, &key)? {
                Some(bytes) => CustomerState::decode(&bytes)
                    .map_err(|e| ProcessError::CorruptState {
                        partition,
                        reason: e.to_string(),
                    })?
                    .timers
                    .into_iter()
                    .collect(),
                None => Vec::new(),
            },
        };
        let timer_key = |name: String, due_ms: i64| {
            TimerKey {
                partition,
                due_ms,
                customer: customer.clone(),
                name,
            }
            .encode()
            .map_err(|e| ProcessError::Internal(e.to_string()))
        };
        for (name, due) in old {
            self.batch.delete(Table::Timers, timer_key(name, due)?);
        }
        if value.is_empty() {
            self.batch.delete(Table::Customers, key);
            self.timers.insert(customer, Vec::new());
            return Ok(());
        }
        let state = CustomerState::decode(&value).map_err(|e| ProcessError::CorruptState {
            partition,
            reason: format!("changelog state of {customer}: {e}"),
        })?;
        let timers: Vec<(String, i64)> = state.timers.clone().into_iter().collect();
        for (name, due) in &timers {
            self.batch
                .put(Table::Timers, timer_key(name.clone(), *due)?, Vec::new());
        }
        self.batch.put(Table::Customers, key, value);
        self.timers.insert(customer, timers);
        Ok(())
    }

    fn write(&mut self, store: &dyn StateStore) -> Result<(), ProcessError> {
        let batch = std::mem::take(&mut self.batch);
        self.timers.clear();
        if !batch.is_empty() {
            store.write(batch, true)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use scrm_log::{EmbeddedLog, EmbeddedOptions, Record, TopicSpec};
    use scrm_state::MemoryStore;

    use super::*;

    const TOPIC: &str = "changelog";

    /// `groups` commits of `per_group` customers each, on partition 0 of a one-partition
    /// changelog; returns the log and the last state of each customer.
    fn changelog(
        dir: &std::path::Path,
        groups: u64,
        per_group: u64,
    ) -> (EmbeddedLog, HashMap<String, CustomerState>) {
        let log = EmbeddedLog::open(dir, EmbeddedOptions::default()).unwrap();
        log.ensure_topic(&TopicSpec {
            name: TOPIC.into(),
            partitions: 1,
            retention_ms: None,
            compact: true,
        })
        .unwrap();
        let mut last = HashMap::new();
        for group in 0..groups {
            let mut records = Vec::new();
            for i in 0..per_group {
                let customer = format!("+8529{:07}", (group * 7 + i) % 50);
                let state = CustomerState {
                    first_seen_ms: 1_790_000_000_000,
                    last_event_ms: 1_790_000_000_000 + (group * 1_000 + i) as i64,
                    ..CustomerState::default()
                };
                records.push(Record::new(
                    customer.clone().into_bytes(),
                    state.encode(),
                    0,
                ));
                last.insert(customer, state);
            }
            records.push(Record::new(
                CHANGELOG_META_KEY.to_vec(),
                PartitionMeta::default().encode(),
                0,
            ));
            log.append(TOPIC, records).unwrap();
        }
        (log, last)
    }

    fn restored(store: &MemoryStore) -> Option<PartitionMeta> {
        store
            .get(Table::Partitions, &keys::partition_key(0))
            .unwrap()
            .map(|b| PartitionMeta::decode(&b).unwrap())
    }

    #[test]
    fn a_restore_stops_when_asked_and_is_done_again_in_full_next_time() {
        let dir = tempfile::tempdir().unwrap();
        // Several read batches (2 000 records each), so the stop lands in the middle.
        let (log, want) = changelog(dir.path(), 100, 100);
        let store = MemoryStore::new();
        let checks = Cell::new(0);
        let stop_after_two_batches = || {
            checks.set(checks.get() + 1);
            checks.get() > 2
        };
        let stopped = prepare(&log, &store, TOPIC, 0, &(), &stop_after_two_batches).unwrap();
        assert!(
            matches!(stopped, Restore::Stopped { records } if records > 0 && records < 10_100),
            "{stopped:?}"
        );
        assert_eq!(
            restored(&store),
            None,
            "no progress row after a stopped restore"
        );

        let done = prepare(&log, &store, TOPIC, 0, &(), &|| false).unwrap();
        assert_eq!(
            done,
            Restore::Full {
                to: 10_100,
                records: 10_100
            }
        );
        assert_eq!(restored(&store).unwrap().changelog_next, Some(10_100));
        for (customer, state) in &want {
            let key = keys::customer_key(0, customer).unwrap();
            let got = store.get(Table::Customers, &key).unwrap().unwrap();
            assert_eq!(&CustomerState::decode(&got).unwrap(), state, "{customer}");
        }
    }

    #[test]
    fn a_stopped_catch_up_keeps_its_starting_point() {
        let dir = tempfile::tempdir().unwrap();
        let (log, want) = changelog(dir.path(), 60, 100);
        let store = MemoryStore::new();
        // As if this instance had restored the first ten commits earlier.
        let first = PartitionMeta {
            changelog_next: Some(1_010),
            ..PartitionMeta::default()
        };
        let mut batch = Batch::new();
        batch.put(Table::Partitions, keys::partition_key(0), first.encode());
        store.write(batch, true).unwrap();
        let checks = Cell::new(0);
        let stop = || {
            checks.set(checks.get() + 1);
            checks.get() > 1
        };
        let stopped = prepare(&log, &store, TOPIC, 0, &(), &stop).unwrap();
        assert!(matches!(stopped, Restore::Stopped { .. }), "{stopped:?}");
        assert_eq!(restored(&store).unwrap().changelog_next, Some(1_010));
        let done = prepare(&log, &store, TOPIC, 0, &(), &|| false).unwrap();
        assert_eq!(
            done,
            Restore::Incremental {
                from: 1_010,
                to: 6_060,
                records: 5_050
            }
        );
        for (customer, state) in &want {
            let key = keys::customer_key(0, customer).unwrap();
            let got = store.get(Table::Customers, &key).unwrap().unwrap();
            assert_eq!(&CustomerState::decode(&got).unwrap(), state, "{customer}");
        }
    }
}
