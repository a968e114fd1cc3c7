//! Reading every partition of a topic from the offsets in a [`Ledger`].
//!
//! The sender and the media fetcher each follow one topic on their own (one instance per
//! business number: the Cloud API's throughput limit is per number, so one sender per
//! number is the natural unit). Records come partition by partition in offset order;
//! the caller stores `offset + 1` in its ledger batch with the effect of each record.

use std::sync::Arc;
use std::time::Duration;

use scrm_log::{EventLog, LogError, PartitionReader, StoredRecord};

use crate::ledger::{Ledger, LedgerError};

/// A failure of a worker at the edge itself (the sender, the media fetcher): its ledger,
/// the log, its directory. Not of a message: those are results, recorded as events.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(transparent)]
    Log(#[from] LogError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("appending to {topic}: {error}")]
    Append { topic: String, error: String },
    #[error("{path}: {source}")]
    Dir {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Readers of every partition of one topic.
pub struct Follower {
    topic: String,
    readers: Vec<Box<dyn PartitionReader>>,
    next: usize,
}

impl std::fmt::Debug for Follower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Follower")
            .field("topic", &self.topic)
            .field("partitions", &self.readers.len())
            .finish()
    }
}

impl Follower {
    /// Follows `topic` (of `partitions` partitions) from the ledger's offsets.
    pub fn start(
        log: &Arc<dyn EventLog>,
        ledger: &Ledger,
        topic: &str,
        partitions: u32,
    ) -> Result<Self, WorkerError> {
        let mut readers = Vec::with_capacity(partitions as usize);
        for partition in 0..partitions {
            let from = ledger.offset(topic, partition)?;
            readers.push(log.reader(topic, partition, from)?);
        }
        Ok(Follower {
            topic: topic.to_owned(),
            readers,
            next: 0,
        })
    }

    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Up to `max` records of the next partition that has any, trying each partition once;
    /// waits up to `wait` in total when none has.
    pub fn poll(&mut self, max: usize, wait: Duration) -> Result<Vec<StoredRecord>, WorkerError> {
        let n = self.readers.len();
        if n == 0 {
            std::thread::sleep(wait);
            return Ok(Vec::new());
        }
        for _ in 0..n {
            let i = self.next;
            self.next = (self.next + 1) % n;
            let batch = self.readers[i].next_batch(max, Duration::ZERO)?;
            if !batch.is_empty() {
                return Ok(batch);
            }
        }
        // Nothing anywhere: wait on one partition, in turn, so a new record is seen soon.
        let per = wait / n as u32;
        let i = self.next;
        self.next = (self.next + 1) % n;
        Ok(self.readers[i].next_batch(max, per)?)
    }
}
