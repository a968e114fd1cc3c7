//! The event-log abstraction every part of scrm is written against.

use std::fmt;
use std::time::Duration;

use thiserror::Error;

/// How a topic should look. `ensure_topic` creates it so, or checks that an existing topic
/// is compatible.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: u32,
    /// Records older than this (by record timestamp) may be deleted; `None` keeps them for
    /// ever.
    pub retention_ms: Option<i64>,
    /// Keep only the latest record per key (`cleanup.policy=compact`).
    pub compact: bool,
}

impl TopicSpec {
    /// Why an existing topic cannot be used for this spec without losing or misplacing
    /// data; empty when it can. A longer retention than asked for is fine.
    pub fn problems_with(&self, existing: &TopicSpec) -> Vec<String> {
        let mut problems = Vec::new();
        if existing.partitions != self.partitions {
            problems.push(format!(
                "it has {} partitions, scrm is configured for {} (customers would move to other partitions)",
                existing.partitions, self.partitions
            ));
        }
        if existing.compact != self.compact {
            let policy = |c: bool| if c { "compact" } else { "delete" };
            problems.push(format!(
                "cleanup.policy is {}, scrm needs {}",
                policy(existing.compact),
                policy(self.compact)
            ));
        }
        if let Some(wanted) = self.retention_ms {
            if let Some(have) = existing.retention_ms {
                if have < wanted {
                    problems.push(format!(
                        "retention.ms is {have} ({:.1} days), scrm needs at least {wanted} ({:.1} days)",
                        have as f64 / 86_400_000.0,
                        wanted as f64 / 86_400_000.0
                    ));
                }
            }
        } else if existing.retention_ms.is_some() && !self.compact {
            problems.push("retention.ms is limited, scrm needs records kept for ever".to_owned());
        }
        problems
    }
}

/// What `ensure_topic` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnsureOutcome {
    Created,
    AlreadyCorrect,
}

/// A record to append. The partition follows from the key (Kafka's murmur2 partitioner)
/// unless given.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Record {
    pub key: Vec<u8>,
    pub value: Vec<u8>,
    /// Event time in UTC milliseconds; what seeking and retention by time use.
    pub timestamp_ms: i64,
    pub headers: Vec<(String, Vec<u8>)>,
    pub partition: Option<u32>,
}

impl Record {
    pub fn new(key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>, timestamp_ms: i64) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
            timestamp_ms,
            headers: Vec::new(),
            partition: None,
        }
    }

    /// The partition this record goes to in a topic of `partitions` partitions: the one
    /// given, or Kafka's choice for its key.
    pub fn partition_in(&self, topic: &str, partitions: u32) -> Result<u32, LogError> {
        match self.partition {
            Some(p) if p >= partitions => Err(LogError::UnknownPartition {
                topic: topic.to_owned(),
                partition: p,
                partitions,
            }),
            Some(p) => Ok(p),
            None => Ok(crate::partitioner::partition_for_key(&self.key, partitions)),
        }
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A record as stored, with its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub partition: u32,
    pub offset: u64,
    pub key: Vec<u8>,
    pub value: Vec<u8>,
    pub timestamp_ms: i64,
    pub headers: Vec<(String, Vec<u8>)>,
}

/// Where an appended record went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub partition: u32,
    pub offset: u64,
}

/// First offset still kept and the offset the next record will get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watermarks {
    pub low: u64,
    pub high: u64,
}

/// Records removed by a retention pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub deleted: u64,
}

/// Errors of the event log, with the topic and partition they concern.
#[derive(Debug, Error)]
pub enum LogError {
    #[error("topic {topic} cannot be used: {}", problems.join("; "))]
    TopicMismatch {
        topic: String,
        problems: Vec<String>,
    },
    #[error("topic {topic} does not exist (run `scrm topics create`)")]
    UnknownTopic { topic: String },
    #[error("topic {topic} has no partition {partition} (it has {partitions})")]
    UnknownPartition {
        topic: String,
        partition: u32,
        partitions: u32,
    },
    #[error("invalid topic spec for {topic}: {reason}")]
    InvalidSpec { topic: String, reason: String },
    #[error("embedded log at {path}: {reason}")]
    Storage { path: String, reason: String },
    #[error(
        "embedded log at {path} is in use by another scrm process; stop it or use its HTTP API"
    )]
    Locked { path: String },
    #[error("record {topic}/{partition}@{offset} is corrupt: {reason}")]
    Corrupt {
        topic: String,
        partition: u32,
        offset: u64,
        reason: String,
    },
    #[error("kafka: {context}: {reason}")]
    Kafka {
        context: String,
        reason: String,
        retriable: bool,
    },
}

impl LogError {
    /// True when trying again later may succeed (broker unreachable, timeouts).
    pub fn is_retriable(&self) -> bool {
        matches!(
            self,
            LogError::Kafka {
                retriable: true,
                ..
            }
        )
    }
}

/// A partitioned, offset-addressed, durable log of records: Kafka, or the embedded RocksDB
/// log. Calls block; async code calls them from `spawn_blocking` or a dedicated thread.
pub trait EventLog: Send + Sync + fmt::Debug {
    /// `kafka` or `embedded`.
    fn backend(&self) -> &'static str;

    /// Creates the topic, or checks that the existing one is compatible
    /// ([`TopicSpec::problems_with`]) and refuses it otherwise.
    fn ensure_topic(&self, spec: &TopicSpec) -> Result<EnsureOutcome, LogError>;

    /// The topic as it exists, if it does.
    fn describe_topic(&self, topic: &str) -> Result<Option<TopicSpec>, LogError>;

    /// Appends records; returns once every one is durable, with their positions in input
    /// order. Records of one partition keep their relative order.
    fn append(&self, topic: &str, records: Vec<Record>) -> Result<Vec<Position>, LogError>;

    fn watermarks(&self, topic: &str, partition: u32) -> Result<Watermarks, LogError>;

    /// An offset at or before the first record whose timestamp is `>= timestamp_ms`
    /// (the high watermark if there is none). Some brokers answer with an earlier offset
    /// than the exact one, so callers filter by timestamp after seeking; [`crate::read_range`]
    /// does.
    fn offset_for_time(
        &self,
        topic: &str,
        partition: u32,
        timestamp_ms: i64,
    ) -> Result<u64, LogError>;

    /// A reader of one partition starting at `from` (clamped to the low watermark).
    fn reader(
        &self,
        topic: &str,
        partition: u32,
        from: u64,
    ) -> Result<Box<dyn PartitionReader>, LogError>;

    /// Joins the processors' group `group`, which shares out the partitions of `topic`
    /// (see [`crate::group`]); the embedded log makes this instance the owner of all.
    fn join_group(
        &self,
        group: &str,
        topic: &str,
        listener: std::sync::Arc<dyn crate::group::RebalanceListener>,
    ) -> Result<Box<dyn crate::group::Membership>, LogError>;

    /// Deletes records past their topic's retention. The embedded log does it here; Kafka
    /// brokers do it themselves, so the Kafka backend reports nothing deleted.
    fn enforce_retention(&self, now_ms: i64) -> Result<RetentionReport, LogError>;
}

/// Reads one partition in offset order and follows its tail.
pub trait PartitionReader: Send {
    /// Up to `max` records from the current position; waits up to `wait` for the first one
    /// when there is none yet (an empty answer means none arrived in time).
    fn next_batch(&mut self, max: usize, wait: Duration) -> Result<Vec<StoredRecord>, LogError>;

    /// Offset of the next record this reader will return.
    fn position(&self) -> u64;

    /// The partition's high watermark as this reader last learned it, without a round
    /// trip to a broker (Kafka reports it with every fetch); `None` when not known yet.
    /// It may lag behind appends; callers poll before trusting "nothing more to read".
    fn known_high_watermark(&mut self) -> Option<u64> {
        None
    }
}
