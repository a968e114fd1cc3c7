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
}

/// Progress of a restore, for metrics and logs.
pub trait RestoreProgress {
    fn update(&self, partition: u32, done: u64, total: u64);
}

impl RestoreProgress for () {
    fn update(&self, _: u32, _: u64, _: u64) {}
}

const CHUNK_RECORDS: usize = 5_000;

/// Makes `partition`'s local state current with the changelog `topic`.
pub fn prepare(
    log: &dyn EventLog,
    store: &dyn StateStore,
    topic: &str,
    partition: u32,
    progress: &dyn RestoreProgress,
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
            let records = replay(
                log,
                store,
                topic,
                partition,
                written,
                marks.high,
                local.clone(),
                progress,
            )?;
            return Ok(Restore::Incremental {
                from: written,
                to: marks.high,
                records,
            });
        }
    }
    wipe(store, partition)?;
    let records = replay(
        log,
        store,
        topic,
        partition,
        marks.low,
        marks.high,
        PartitionMeta::default(),
        progress,
    )?;
    Ok(Restore::Full {
        to: marks.high,
        records,
    })
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
    from: u64,
    to: u64,
    mut meta: PartitionMeta,
    progress: &dyn RestoreProgress,
) -> Result<u64, ProcessError> {
    let corrupt = |reason: String| ProcessError::CorruptState { partition, reason };
    let mut reader = log.reader(topic, partition, from)?;
    // Customer records since the last progress record: applied only when it arrives.
    let mut group: Vec<(String, Vec<u8>)> = Vec::new();
    let mut chunk = Chunk::default();
    let mut records = 0u64;
    while reader.position() < to {
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
    Ok(records)
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
