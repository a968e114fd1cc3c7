//! The commit: one atomic batch of customer states, timer index, partition progress and
//! the outbox; then, once appended, forgetting the outbox.

use scrm_state::keys::{self, Table};
use scrm_state::{Batch, CustomerState, OutboxEntry, PartitionMeta, StateStore};

use super::{Committed, PartitionEngine, CHANGELOG_META_KEY};
use crate::error::ProcessError;

impl PartitionEngine {
    /// Writes the batch: states, timer index, progress and outbox, atomically. Returns the
    /// outbox entries to append (outputs first, then the changelog records ending with the
    /// partition's progress).
    pub fn commit(&mut self, sync: bool) -> Result<Committed, ProcessError> {
        let mut batch = Batch::new();
        let mut dirty: Vec<(String, Option<CustomerState>)> = self.dirty.drain().collect();
        dirty.sort_by(|a, b| a.0.cmp(&b.0));
        let mut changelog = Vec::with_capacity(dirty.len() + 1);
        for (customer, state) in dirty {
            let key = keys::customer_key(self.partition, &customer)
                .map_err(|e| ProcessError::Internal(e.to_string()))?;
            let value = match state {
                Some(state) => {
                    let bytes = state.encode();
                    batch.put(Table::Customers, key, bytes.clone());
                    bytes
                }
                None => {
                    batch.delete(Table::Customers, key);
                    Vec::new()
                }
            };
            changelog.push(self.changelog_entry(customer.into_bytes(), value));
        }
        for timer in std::mem::take(&mut self.timers_removed) {
            batch.delete(
                Table::Timers,
                timer
                    .encode()
                    .map_err(|e| ProcessError::Internal(e.to_string()))?,
            );
        }
        for timer in std::mem::take(&mut self.timers_added) {
            batch.put(
                Table::Timers,
                timer
                    .encode()
                    .map_err(|e| ProcessError::Internal(e.to_string()))?,
                Vec::new(),
            );
        }
        changelog
            .push(self.changelog_entry(CHANGELOG_META_KEY.to_vec(), progress_record(&self.meta)));
        let mut entries = Vec::new();
        for entry in self.pending.drain(..).chain(changelog) {
            let seq = self.meta.outbox_next;
            self.meta.outbox_next += 1;
            batch.put(
                Table::Outbox,
                keys::outbox_key(self.partition, seq),
                entry.encode(),
            );
            entries.push((seq, entry));
        }
        batch.put(
            Table::Partitions,
            keys::partition_key(self.partition),
            self.meta.encode(),
        );
        self.tables.store().write(batch, sync)?;
        self.uncommitted = false;
        self.next_due = None;
        Ok(Committed {
            entries,
            stats: std::mem::take(&mut self.stats),
        })
    }

    fn changelog_entry(&self, key: Vec<u8>, value: Vec<u8>) -> OutboxEntry {
        OutboxEntry {
            topic: self.changelog_topic.clone(),
            partition: self.partition,
            key,
            value,
            timestamp_ms: self.meta.stream_time_ms.unwrap_or(0),
            headers: Vec::new(),
        }
    }

    /// Outbox entries left by an earlier run that crashed before appending them.
    pub fn unflushed(&self) -> Result<Vec<(u64, OutboxEntry)>, ProcessError> {
        self.tables.outbox()
    }

    /// Forgets outbox entries up to `last_seq` once appended; remembers where the
    /// changelog ends.
    pub fn flushed(
        &mut self,
        last_seq: u64,
        changelog_next: Option<u64>,
    ) -> Result<(), ProcessError> {
        let mut batch = Batch::new();
        let (from, _) = Table::Outbox.partition_range(self.partition);
        batch.delete_range(
            Table::Outbox,
            from,
            keys::outbox_key(self.partition, last_seq + 1),
        );
        if changelog_next.is_some() {
            self.meta.changelog_next = changelog_next;
        }
        batch.put(
            Table::Partitions,
            keys::partition_key(self.partition),
            self.meta.encode(),
        );
        // Not synced: losing this only means appending the same records again.
        self.tables.store().write(batch, false)?;
        Ok(())
    }
}

/// The changelog value of a partition's progress: the next input offsets, stream time,
/// schedules, aggregates and messaging limit (the outbox and changelog positions are local to an instance).
pub fn progress_record(meta: &PartitionMeta) -> Vec<u8> {
    PartitionMeta {
        next_offsets: meta.next_offsets.clone(),
        stream_time_ms: meta.stream_time_ms,
        outbox_next: 0,
        changelog_next: None,
        schedules: meta.schedules.clone(),
        stats: meta.stats.clone(),
        messaging_limit: meta.messaging_limit.clone(),
    }
    .encode()
}

pub(crate) fn load_outbox(
    store: &dyn StateStore,
    partition: u32,
) -> Result<Vec<(u64, OutboxEntry)>, ProcessError> {
    crate::tables::outbox(store, partition)
}
