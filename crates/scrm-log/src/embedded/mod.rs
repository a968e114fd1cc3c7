//! The embedded log: a durable, partitioned, single-node log in RocksDB, inside the scrm
//! process. The default backend when no brokers are configured, so `scrm serve` runs on one
//! small server with nothing else installed. It is not a broker and is not exposed as one.
//!
//! Durability: every `append` is one RocksDB `WriteBatch` (records, time index and
//! watermarks together) written with `sync = true`, so the write-ahead log is fsynced before
//! `append` returns. An acknowledged record survives kill -9 and power loss; a batch is
//! either wholly there or wholly absent, never torn. `EmbeddedOptions::sync = false` trades
//! that for speed (records survive a process crash but not an OS crash).
//!
//! Retention follows Kafka: a record goes when every record up to it is older than the
//! topic's retention, judged by record timestamps, and offsets are never reused.

mod keys;
mod reader;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use rocksdb::{
    ColumnFamilyDescriptor, Direction, IteratorMode, Options, ReadOptions, WriteBatch,
    WriteOptions, DB,
};

use crate::api::{
    EnsureOutcome, EventLog, LogError, PartitionReader, Position, Record, RetentionReport,
    TopicSpec, Watermarks,
};
use keys::*;

const CF_META: &str = "meta";
const CF_RECORDS: &str = "records";
const CF_TIME: &str = "time_index";

/// Tuning of the embedded log. Memory use is bounded by `block_cache_bytes` plus
/// `write_buffer_bytes` per column family (three of them), whatever the data size.
#[derive(Debug, Clone)]
pub struct EmbeddedOptions {
    /// fsync the write-ahead log before an append returns (default true).
    pub sync: bool,
    /// Shared block cache for reads (default 64 MiB).
    pub block_cache_bytes: usize,
    /// Memtable size per column family (default 32 MiB).
    pub write_buffer_bytes: usize,
}

impl Default for EmbeddedOptions {
    fn default() -> Self {
        Self {
            sync: true,
            block_cache_bytes: 64 << 20,
            write_buffer_bytes: 32 << 20,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct PartState {
    low: u64,
    next: u64,
    max_ts: i64,
}

#[derive(Debug)]
struct TopicState {
    id: u32,
    spec: TopicSpec,
    parts: Vec<PartState>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct TopicMeta {
    id: u32,
    spec: TopicSpec,
}

pub(crate) struct Inner {
    db: DB,
    path: PathBuf,
    sync: bool,
    /// Opened beside a running scrm (read-only): catches up with the primary instead of
    /// being told of appends.
    secondary: bool,
    topics: Mutex<HashMap<String, TopicState>>,
    /// Serializes appenders so offsets are assigned and written in order.
    append_lock: Mutex<()>,
    /// Bumped after every durable append; readers following the tail wait on it.
    generation: Mutex<u64>,
    appended: Condvar,
}

/// Handle to an embedded log; cheap to clone.
#[derive(Clone)]
pub struct EmbeddedLog {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for EmbeddedLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedLog")
            .field("path", &self.inner.path)
            .field("secondary", &self.inner.secondary)
            .finish()
    }
}

fn storage_err(path: &Path, e: impl std::fmt::Display) -> LogError {
    LogError::Storage {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

fn db_options(options: &EmbeddedOptions) -> Options {
    let mut opts = Options::default();
    opts.create_if_missing(true);
    opts.create_missing_column_families(true);
    opts.set_write_buffer_size(options.write_buffer_bytes);
    opts.set_max_write_buffer_number(2);
    opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
    let mut table = rocksdb::BlockBasedOptions::default();
    table.set_block_cache(&rocksdb::Cache::new_lru_cache(options.block_cache_bytes));
    opts.set_block_based_table_factory(&table);
    opts
}

impl EmbeddedLog {
    /// Opens (or creates) the log under `dir` (its `log/` subfolder).
    pub fn open(dir: &Path, options: EmbeddedOptions) -> Result<Self, LogError> {
        let path = dir.join("log");
        std::fs::create_dir_all(&path).map_err(|e| storage_err(&path, e))?;
        let opts = db_options(&options);
        let cfs = [CF_META, CF_RECORDS, CF_TIME]
            .map(|name| ColumnFamilyDescriptor::new(name, opts.clone()));
        let db = DB::open_cf_descriptors(&opts, &path, cfs).map_err(|e| {
            if e.to_string().contains("lock") {
                LogError::Locked {
                    path: path.display().to_string(),
                }
            } else {
                storage_err(&path, e)
            }
        })?;
        Self::from_db(db, path, options.sync, false)
    }

    /// Opens the log read-only beside a running scrm that holds it (for `scrm tail`).
    /// Reads see the primary's appends as they become durable.
    pub fn open_secondary(dir: &Path) -> Result<Self, LogError> {
        let path = dir.join("log");
        let secondary_path =
            std::env::temp_dir().join(format!("scrm-secondary-{}", std::process::id()));
        let mut opts = db_options(&EmbeddedOptions::default());
        // RocksDB requires secondaries to keep every file open.
        opts.set_max_open_files(-1);
        let db = DB::open_cf_as_secondary(
            &opts,
            &path,
            &secondary_path,
            [CF_META, CF_RECORDS, CF_TIME],
        )
        .map_err(|e| storage_err(&path, e))?;
        Self::from_db(db, path, false, true)
    }

    fn from_db(db: DB, path: PathBuf, sync: bool, secondary: bool) -> Result<Self, LogError> {
        let inner = Inner {
            db,
            path,
            sync,
            secondary,
            topics: Mutex::new(HashMap::new()),
            append_lock: Mutex::new(()),
            generation: Mutex::new(0),
            appended: Condvar::new(),
        };
        let topics = inner.load_topics()?;
        *inner.topics.lock() = topics;
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// Where the RocksDB files are.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }
}

impl Inner {
    fn cf(&self, name: &str) -> &rocksdb::ColumnFamily {
        self.db
            .cf_handle(name)
            .expect("column families are created at open")
    }

    fn err(&self, e: impl std::fmt::Display) -> LogError {
        storage_err(&self.path, e)
    }

    /// Topics and watermarks as stored.
    fn load_topics(&self) -> Result<HashMap<String, TopicState>, LogError> {
        let mut topics = HashMap::new();
        let prefix = b"t/";
        for item in self.db.iterator_cf(
            self.cf(CF_META),
            IteratorMode::From(prefix, Direction::Forward),
        ) {
            let (key, value) = item.map_err(|e| self.err(e))?;
            if !key.starts_with(prefix) {
                break;
            }
            let meta: TopicMeta = serde_json::from_slice(&value)
                .map_err(|e| self.err(format!("topic metadata: {e}")))?;
            let mut parts = Vec::with_capacity(meta.spec.partitions as usize);
            for p in 0..meta.spec.partitions {
                let stored = self
                    .db
                    .get_cf(self.cf(CF_META), partition_meta_key(meta.id, p))
                    .map_err(|e| self.err(e))?;
                let (low, next, max_ts) = stored
                    .as_deref()
                    .and_then(decode_partition_meta)
                    .unwrap_or((0, 0, i64::MIN));
                parts.push(PartState { low, next, max_ts });
            }
            topics.insert(
                meta.spec.name.clone(),
                TopicState {
                    id: meta.id,
                    spec: meta.spec,
                    parts,
                },
            );
        }
        Ok(topics)
    }

    /// For a secondary: pull in what the primary wrote since last time.
    fn catch_up(&self) -> Result<(), LogError> {
        if self.secondary {
            self.db
                .try_catch_up_with_primary()
                .map_err(|e| self.err(e))?;
            let topics = self.load_topics()?;
            *self.topics.lock() = topics;
        }
        Ok(())
    }

    fn write(&self, batch: WriteBatch) -> Result<(), LogError> {
        if self.secondary {
            return Err(
                self.err("opened read-only beside a running scrm; writes go through that process")
            );
        }
        let mut opts = WriteOptions::default();
        opts.set_sync(self.sync);
        self.db.write_opt(batch, &opts).map_err(|e| self.err(e))
    }

    pub(super) fn topic_id_and_parts(
        &self,
        topic: &str,
        partition: u32,
    ) -> Result<(u32, PartState), LogError> {
        let topics = self.topics.lock();
        let state = topics.get(topic).ok_or_else(|| LogError::UnknownTopic {
            topic: topic.to_owned(),
        })?;
        let part = state
            .parts
            .get(partition as usize)
            .ok_or(LogError::UnknownPartition {
                topic: topic.to_owned(),
                partition,
                partitions: state.spec.partitions,
            })?;
        Ok((state.id, *part))
    }

    fn notify(&self) {
        *self.generation.lock() += 1;
        self.appended.notify_all();
    }
}

impl EventLog for EmbeddedLog {
    fn backend(&self) -> &'static str {
        "embedded"
    }

    fn ensure_topic(&self, spec: &TopicSpec) -> Result<EnsureOutcome, LogError> {
        if spec.partitions == 0 {
            return Err(LogError::InvalidSpec {
                topic: spec.name.clone(),
                reason: "partitions must be at least 1".into(),
            });
        }
        let inner = &self.inner;
        inner.catch_up()?;
        let _append = inner.append_lock.lock();
        if let Some(existing) = inner.topics.lock().get(&spec.name) {
            let problems = spec.problems_with(&existing.spec);
            return if problems.is_empty() {
                Ok(EnsureOutcome::AlreadyCorrect)
            } else {
                Err(LogError::TopicMismatch {
                    topic: spec.name.clone(),
                    problems,
                })
            };
        }
        let id = inner
            .topics
            .lock()
            .values()
            .map(|t| t.id + 1)
            .max()
            .unwrap_or(0);
        let meta = TopicMeta {
            id,
            spec: spec.clone(),
        };
        let mut batch = WriteBatch::default();
        let json = serde_json::to_vec(&meta).map_err(|e| inner.err(e))?;
        batch.put_cf(inner.cf(CF_META), topic_meta_key(&spec.name), json);
        for p in 0..spec.partitions {
            batch.put_cf(
                inner.cf(CF_META),
                partition_meta_key(id, p),
                encode_partition_meta(0, 0, i64::MIN),
            );
        }
        inner.write(batch)?;
        let parts = vec![
            PartState {
                low: 0,
                next: 0,
                max_ts: i64::MIN
            };
            spec.partitions as usize
        ];
        inner.topics.lock().insert(
            spec.name.clone(),
            TopicState {
                id,
                spec: spec.clone(),
                parts,
            },
        );
        Ok(EnsureOutcome::Created)
    }

    fn describe_topic(&self, topic: &str) -> Result<Option<TopicSpec>, LogError> {
        self.inner.catch_up()?;
        Ok(self.inner.topics.lock().get(topic).map(|t| t.spec.clone()))
    }

    fn append(&self, topic: &str, records: Vec<Record>) -> Result<Vec<Position>, LogError> {
        let inner = &self.inner;
        let _append = inner.append_lock.lock();
        let (id, partitions, mut parts) = {
            let topics = inner.topics.lock();
            let state = topics.get(topic).ok_or_else(|| LogError::UnknownTopic {
                topic: topic.to_owned(),
            })?;
            (state.id, state.spec.partitions, state.parts.clone())
        };
        let mut batch = WriteBatch::default();
        let mut positions = Vec::with_capacity(records.len());
        let mut touched = vec![false; parts.len()];
        for record in &records {
            let partition = record.partition_in(topic, partitions)?;
            let part = &mut parts[partition as usize];
            let offset = part.next;
            part.next += 1;
            touched[partition as usize] = true;
            let value = encode_record(
                record.timestamp_ms,
                &record.key,
                &record.headers,
                &record.value,
            );
            batch.put_cf(
                inner.cf(CF_RECORDS),
                record_key(id, partition, offset),
                value,
            );
            if record.timestamp_ms > part.max_ts {
                part.max_ts = record.timestamp_ms;
                batch.put_cf(
                    inner.cf(CF_TIME),
                    time_key(id, partition, part.max_ts, offset),
                    b"",
                );
            }
            positions.push(Position { partition, offset });
        }
        for (p, part) in parts.iter().enumerate().filter(|(p, _)| touched[*p]) {
            batch.put_cf(
                inner.cf(CF_META),
                partition_meta_key(id, p as u32),
                encode_partition_meta(part.low, part.next, part.max_ts),
            );
        }
        inner.write(batch)?;
        if let Some(state) = inner.topics.lock().get_mut(topic) {
            state.parts = parts;
        }
        inner.notify();
        Ok(positions)
    }

    fn watermarks(&self, topic: &str, partition: u32) -> Result<Watermarks, LogError> {
        self.inner.catch_up()?;
        let (_, part) = self.inner.topic_id_and_parts(topic, partition)?;
        Ok(Watermarks {
            low: part.low,
            high: part.next,
        })
    }

    fn offset_for_time(
        &self,
        topic: &str,
        partition: u32,
        timestamp_ms: i64,
    ) -> Result<u64, LogError> {
        let inner = &self.inner;
        inner.catch_up()?;
        let (id, part) = inner.topic_id_and_parts(topic, partition)?;
        let start = time_key(id, partition, timestamp_ms, 0);
        let mut read = ReadOptions::default();
        read.set_iterate_upper_bound(partition_end(id, partition).to_vec());
        let mut iter = inner.db.iterator_cf_opt(
            inner.cf(CF_TIME),
            read,
            IteratorMode::From(&start, Direction::Forward),
        );
        match iter.next() {
            Some(item) => {
                let (key, _) = item.map_err(|e| inner.err(e))?;
                Ok(offset_of_time_key(&key).unwrap_or(part.next).max(part.low))
            }
            None => Ok(part.next),
        }
    }

    fn reader(
        &self,
        topic: &str,
        partition: u32,
        from: u64,
    ) -> Result<Box<dyn PartitionReader>, LogError> {
        self.inner.catch_up()?;
        let (id, part) = self.inner.topic_id_and_parts(topic, partition)?;
        Ok(Box::new(reader::EmbeddedReader::new(
            self.inner.clone(),
            topic.to_owned(),
            id,
            partition,
            from.max(part.low),
        )))
    }

    fn join_group(
        &self,
        _group: &str,
        topic: &str,
        listener: Arc<dyn crate::group::RebalanceListener>,
    ) -> Result<Box<dyn crate::group::Membership>, LogError> {
        let partitions = self
            .describe_topic(topic)?
            .ok_or_else(|| LogError::UnknownTopic {
                topic: topic.to_owned(),
            })?
            .partitions;
        Ok(Box::new(crate::group::SoleOwner {
            partitions,
            listener,
            owned: false,
        }))
    }

    fn enforce_retention(&self, now_ms: i64) -> Result<RetentionReport, LogError> {
        let inner = &self.inner;
        let _append = inner.append_lock.lock();
        let mut report = RetentionReport::default();
        let topics: Vec<(String, u32, i64, Vec<PartState>)> = inner
            .topics
            .lock()
            .iter()
            .filter_map(|(name, t)| {
                t.spec
                    .retention_ms
                    .map(|r| (name.clone(), t.id, r, t.parts.clone()))
            })
            .collect();
        for (name, id, retention_ms, mut parts) in topics {
            let cutoff = now_ms.saturating_sub(retention_ms);
            let mut batch = WriteBatch::default();
            for (p, part) in parts.iter_mut().enumerate() {
                let p = p as u32;
                // Everything before the first record that keeps the running maximum at or
                // past the cutoff is older than the cutoff.
                let keep_from = {
                    let mut read = ReadOptions::default();
                    read.set_iterate_upper_bound(partition_end(id, p).to_vec());
                    let start = time_key(id, p, cutoff, 0);
                    let mut iter = inner.db.iterator_cf_opt(
                        inner.cf(CF_TIME),
                        read,
                        IteratorMode::From(&start, Direction::Forward),
                    );
                    match iter.next() {
                        Some(item) => offset_of_time_key(&item.map_err(|e| inner.err(e))?.0)
                            .unwrap_or(part.low),
                        None => part.next,
                    }
                };
                if keep_from <= part.low {
                    continue;
                }
                batch.delete_range_cf(
                    inner.cf(CF_RECORDS),
                    record_key(id, p, part.low),
                    record_key(id, p, keep_from),
                );
                batch.delete_range_cf(
                    inner.cf(CF_TIME),
                    time_key(id, p, i64::MIN, 0),
                    time_key(id, p, cutoff, 0),
                );
                report.deleted += keep_from - part.low;
                part.low = keep_from;
                batch.put_cf(
                    inner.cf(CF_META),
                    partition_meta_key(id, p),
                    encode_partition_meta(part.low, part.next, part.max_ts),
                );
            }
            if !batch.is_empty() {
                inner.write(batch)?;
                if let Some(state) = inner.topics.lock().get_mut(&name) {
                    for (live, updated) in state.parts.iter_mut().zip(&parts) {
                        live.low = updated.low;
                    }
                }
            }
        }
        Ok(report)
    }
}

impl Inner {
    /// Waits until an append happens after `seen` or `timeout` passes; returns the current
    /// generation.
    pub(crate) fn wait_for_append(&self, seen: u64, timeout: Duration) -> u64 {
        if self.secondary {
            // A secondary is not told of the primary's appends; look again shortly.
            std::thread::sleep(timeout.min(Duration::from_millis(50)));
            let _ = self.catch_up();
            return seen.wrapping_add(1);
        }
        let mut generation = self.generation.lock();
        if *generation == seen {
            self.appended.wait_for(&mut generation, timeout);
        }
        *generation
    }

    pub(crate) fn generation(&self) -> u64 {
        *self.generation.lock()
    }
}
