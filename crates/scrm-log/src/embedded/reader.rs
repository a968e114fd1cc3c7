//! Reading one partition of the embedded log, following its tail.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rocksdb::{Direction, IteratorMode, ReadOptions};

use super::keys::{decode_record, offset_of_record_key, partition_end, record_key};
use super::{Inner, CF_RECORDS};
use crate::api::{LogError, PartitionReader, StoredRecord};

pub(crate) struct EmbeddedReader {
    inner: Arc<Inner>,
    topic: String,
    topic_id: u32,
    partition: u32,
    position: u64,
}

impl EmbeddedReader {
    pub(crate) fn new(
        inner: Arc<Inner>,
        topic: String,
        topic_id: u32,
        partition: u32,
        position: u64,
    ) -> Self {
        Self {
            inner,
            topic,
            topic_id,
            partition,
            position,
        }
    }

    fn scan(&mut self, max: usize) -> Result<Vec<StoredRecord>, LogError> {
        let inner = &self.inner;
        let mut read = ReadOptions::default();
        read.set_iterate_upper_bound(partition_end(self.topic_id, self.partition).to_vec());
        let start = record_key(self.topic_id, self.partition, self.position);
        let iter = inner.db.iterator_cf_opt(
            inner.cf(CF_RECORDS),
            read,
            IteratorMode::From(&start, Direction::Forward),
        );
        let mut out = Vec::new();
        for item in iter.take(max) {
            let (key, value) = item.map_err(|e| inner.err(e))?;
            let offset =
                offset_of_record_key(&key).ok_or_else(|| inner.err("malformed record key"))?;
            let (timestamp_ms, key, headers, value) =
                decode_record(&value).map_err(|reason| LogError::Corrupt {
                    topic: self.topic.clone(),
                    partition: self.partition,
                    offset,
                    reason,
                })?;
            out.push(StoredRecord {
                partition: self.partition,
                offset,
                key,
                value,
                timestamp_ms,
                headers,
            });
            // Offsets below the low watermark were deleted by retention; the iterator
            // skips them, so the position jumps with it.
            self.position = offset + 1;
        }
        Ok(out)
    }
}

impl PartitionReader for EmbeddedReader {
    fn known_high_watermark(&mut self) -> Option<u64> {
        self.inner
            .topic_id_and_parts(&self.topic, self.partition)
            .ok()
            .map(|(_, part)| part.next)
    }

    fn next_batch(&mut self, max: usize, wait: Duration) -> Result<Vec<StoredRecord>, LogError> {
        let deadline = Instant::now() + wait;
        let mut seen = self.inner.generation();
        loop {
            let batch = self.scan(max)?;
            let now = Instant::now();
            if !batch.is_empty() || now >= deadline {
                return Ok(batch);
            }
            seen = self.inner.wait_for_append(seen, deadline - now);
        }
    }

    fn position(&self) -> u64 {
        self.position
    }
}
