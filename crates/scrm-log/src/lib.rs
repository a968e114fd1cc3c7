//! The event log: partitioned, offset-addressed, durable records, the one abstraction the
//! engine, the gateway and the tools read and write.
//!
//! - [`api`] is the [`EventLog`] trait and its record types.
//! - [`config`] is the `[log]` section and opens the log it names.
//! - [`partitioner`] is Kafka's murmur2 partitioner, so a customer's records land in the
//!   same partition whoever produces them.
//! - [`embedded`] keeps the log in RocksDB inside the process: the default when no brokers
//!   are configured.
//! - [`kafka`] talks to Apache Kafka or any Kafka-compatible broker through librdkafka.
//! - [`group`] shares partitions among processor instances (a consumer group on Kafka).
//! - [`range`] reads a time range, seeking by time and then filtering by record time,
//!   because some brokers' timestamp lookup is only a lower bound.

pub mod api;
pub mod config;
pub mod embedded;
pub mod group;
pub mod kafka;
pub mod partitioner;
pub mod range;

pub use api::{
    EnsureOutcome, EventLog, LogError, PartitionReader, Position, Record, RetentionReport,
    StoredRecord, TopicSpec, Watermarks,
};
pub use config::{Access, LogConfig};
pub use embedded::{EmbeddedLog, EmbeddedOptions};
pub use group::{Membership, RebalanceListener};
pub use kafka::{KafkaConfig, KafkaLog};
pub use partitioner::partition_for_key;
pub use range::{read_range, TimeRange};
