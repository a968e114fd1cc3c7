//! The Kafka backend: any Kafka-compatible broker (Apache Kafka, Redpanda, Tansu) through
//! librdkafka.
//!
//! - Appends pick the partition with Kafka's murmur2 partitioner themselves and wait for
//!   every delivery report (`acks=all`, idempotent producer), so an `append` that returns is
//!   on the brokers.
//! - Record timestamps are the event times (`CreateTime`), which is what seeking and
//!   retention by time go by.
//! - Readers are assigned partitions directly (no consumer group, nothing committed); the
//!   processor's consumer-group membership is its own concern.
//! - Nothing here depends on transactions: some compatible brokers (Tansu) have none.

mod admin;
mod group;
mod reader;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use parking_lot::RwLock;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};

use crate::api::{
    EnsureOutcome, EventLog, LogError, PartitionReader, Position, Record, RetentionReport,
    TopicSpec, Watermarks,
};

/// How to reach the brokers. Secrets (SASL passwords, TLS keys) go in `properties` from
/// the environment or a file, never the command line.
#[derive(Clone)]
pub struct KafkaConfig {
    /// `bootstrap.servers`, e.g. `kafka-1:9092,kafka-2:9092`.
    pub brokers: String,
    /// `client.id` prefix, so operators can tell scrm's connections apart.
    pub client_id: String,
    /// Replication factor of topics scrm creates; `-1` takes the broker's default.
    pub replication_factor: i32,
    /// Timeout of metadata and admin requests.
    pub request_timeout: Duration,
    /// Further librdkafka properties (`security.protocol`, `sasl.mechanism`...).
    pub properties: BTreeMap<String, String>,
}

impl std::fmt::Debug for KafkaConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&String> = self.properties.keys().collect();
        f.debug_struct("KafkaConfig")
            .field("brokers", &self.brokers)
            .field("client_id", &self.client_id)
            .field("replication_factor", &self.replication_factor)
            .field("property_names", &keys)
            .finish()
    }
}

impl KafkaConfig {
    pub fn new(brokers: impl Into<String>) -> Self {
        Self {
            brokers: brokers.into(),
            client_id: "scrm".into(),
            replication_factor: -1,
            request_timeout: Duration::from_secs(15),
            properties: BTreeMap::new(),
        }
    }

    pub(crate) fn client_config(&self, role: &str) -> ClientConfig {
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", &self.brokers);
        config.set("client.id", format!("{}-{role}", self.client_id));
        for (k, v) in &self.properties {
            config.set(k, v);
        }
        config
    }
}

/// The event log on Kafka.
pub struct KafkaLog {
    config: KafkaConfig,
    producer: FutureProducer,
    /// For metadata, watermarks and timestamp lookups.
    meta: BaseConsumer,
    /// Reads the last batch of a partition to correct high watermarks (see `watermarks`).
    probe: parking_lot::Mutex<BaseConsumer>,
    admin: admin::Admin,
    partitions: RwLock<HashMap<String, u32>>,
}

impl std::fmt::Debug for KafkaLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaLog")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

pub(crate) fn kafka_err(context: impl Into<String>, e: &KafkaError) -> LogError {
    let retriable = e.rdkafka_error_code().is_some_and(|code| {
        use rdkafka::types::RDKafkaErrorCode::*;
        matches!(
            code,
            OperationTimedOut
                | RequestTimedOut
                | BrokerTransportFailure
                | AllBrokersDown
                | LeaderNotAvailable
                | NotLeaderForPartition
                | NetworkException
                | QueueFull
                | UnknownTopicOrPartition
        )
    });
    LogError::Kafka {
        context: context.into(),
        reason: e.to_string(),
        retriable,
    }
}

impl KafkaLog {
    pub fn connect(config: KafkaConfig) -> Result<Self, LogError> {
        let producer: FutureProducer = config
            .client_config("producer")
            .set("acks", "all")
            .set("enable.idempotence", "true")
            .set("linger.ms", "5")
            .set("message.timeout.ms", "30000")
            .create()
            .map_err(|e| kafka_err("creating producer", &e))?;
        let meta: BaseConsumer = config
            .client_config("meta")
            .set("group.id", format!("{}-meta", config.client_id))
            .set("enable.auto.commit", "false")
            .create()
            .map_err(|e| kafka_err("creating metadata client", &e))?;
        let admin = admin::Admin::new(&config)?;
        let probe = reader::assigned_consumer(&config, "probe")?;
        Ok(Self {
            config,
            producer,
            meta,
            admin,
            probe: parking_lot::Mutex::new(probe),
            partitions: RwLock::new(HashMap::new()),
        })
    }

    pub fn config(&self) -> &KafkaConfig {
        &self.config
    }

    fn partition_count(&self, topic: &str) -> Result<u32, LogError> {
        if let Some(n) = self.partitions.read().get(topic) {
            return Ok(*n);
        }
        let n = self
            .admin
            .partition_count(&self.meta, topic, self.config.request_timeout)?;
        let n = n.ok_or_else(|| LogError::UnknownTopic {
            topic: topic.to_owned(),
        })?;
        self.partitions.write().insert(topic.to_owned(), n);
        Ok(n)
    }

    fn check_partition(&self, topic: &str, partition: u32) -> Result<(), LogError> {
        let partitions = self.partition_count(topic)?;
        if partition >= partitions {
            return Err(LogError::UnknownPartition {
                topic: topic.to_owned(),
                partition,
                partitions,
            });
        }
        Ok(())
    }
}

impl KafkaLog {
    fn probe_end(&self, topic: &str, partition: u32, reported_high: u64) -> Result<u64, LogError> {
        let probe = self.probe.lock();
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(
            topic,
            partition as i32,
            Offset::Offset(reported_high as i64 - 1),
        )
        .map_err(|e| kafka_err("building probe assignment", &e))?;
        probe
            .assign(&tpl)
            .map_err(|e| kafka_err(format!("probing {topic}/{partition}"), &e))?;
        let mut end = reported_high;
        let deadline = std::time::Instant::now() + self.config.request_timeout;
        let mut seen_any = false;
        loop {
            // Wait for the batch; once part of it is here, the rest is already fetched.
            let wait = if seen_any {
                Duration::from_millis(20)
            } else {
                deadline.saturating_duration_since(std::time::Instant::now())
            };
            match probe.poll(wait) {
                Some(Ok(message)) => {
                    seen_any = true;
                    end = end.max(message.offset() as u64 + 1);
                }
                Some(Err(e)) => return Err(kafka_err(format!("probing {topic}/{partition}"), &e)),
                None => break,
            }
        }
        probe
            .unassign()
            .map_err(|e| kafka_err("ending probe", &e))?;
        Ok(end)
    }
}

impl EventLog for KafkaLog {
    fn backend(&self) -> &'static str {
        "kafka"
    }

    fn ensure_topic(&self, spec: &TopicSpec) -> Result<EnsureOutcome, LogError> {
        let outcome = self.admin.ensure_topic(
            &self.meta,
            spec,
            self.config.replication_factor,
            self.config.request_timeout,
        )?;
        self.partitions
            .write()
            .insert(spec.name.clone(), spec.partitions);
        Ok(outcome)
    }

    fn describe_topic(&self, topic: &str) -> Result<Option<TopicSpec>, LogError> {
        self.admin
            .describe_topic(&self.meta, topic, self.config.request_timeout)
    }

    fn append(&self, topic: &str, records: Vec<Record>) -> Result<Vec<Position>, LogError> {
        let partitions = self.partition_count(topic)?;
        let mut pending = Vec::with_capacity(records.len());
        for record in &records {
            let partition = record.partition_in(topic, partitions)?;
            let mut headers = OwnedHeaders::new_with_capacity(record.headers.len());
            for (name, value) in &record.headers {
                headers = headers.insert(Header {
                    key: name,
                    value: Some(value),
                });
            }
            let mut future_record = FutureRecord::to(topic)
                .key(&record.key)
                .payload(&record.value)
                .partition(partition as i32)
                .timestamp(record.timestamp_ms)
                .headers(headers);
            // librdkafka's queue is bounded; when it is full, let it drain and try again.
            let delivery = loop {
                match self.producer.send_result(future_record) {
                    Ok(delivery) => break delivery,
                    Err((
                        KafkaError::MessageProduction(rdkafka::types::RDKafkaErrorCode::QueueFull),
                        back,
                    )) => {
                        future_record = back;
                        self.producer.poll(Duration::from_millis(50));
                    }
                    Err((e, _)) => return Err(kafka_err(format!("producing to {topic}"), &e)),
                }
            };
            pending.push(delivery);
        }
        let mut positions = Vec::with_capacity(pending.len());
        for delivery in pending {
            match futures_executor::block_on(delivery) {
                Ok(Ok(d)) => positions.push(Position {
                    partition: d.partition as u32,
                    offset: d.offset as u64,
                }),
                Ok(Err((e, _))) => return Err(kafka_err(format!("delivering to {topic}"), &e)),
                Err(_) => {
                    return Err(LogError::Kafka {
                        context: format!("delivering to {topic}"),
                        reason: "producer shut down before the delivery report".into(),
                        retriable: true,
                    })
                }
            }
        }
        Ok(positions)
    }

    fn watermarks(&self, topic: &str, partition: u32) -> Result<Watermarks, LogError> {
        self.check_partition(topic, partition)?;
        let (low, high) = self
            .meta
            .fetch_watermarks(topic, partition as i32, self.config.request_timeout)
            .map_err(|e| kafka_err(format!("watermarks of {topic}/{partition}"), &e))?;
        let (low, high) = (low.max(0) as u64, high.max(0) as u64);
        // Some compatible brokers (Tansu 0.6) answer the base offset of the last batch + 1
        // instead of the last offset + 1. Reading from `high - 1` returns that whole batch,
        // whose last record gives the true end; on Apache Kafka it is the last record itself.
        let high = if high > low {
            self.probe_end(topic, partition, high)?
        } else {
            high
        };
        Ok(Watermarks { low, high })
    }

    fn offset_for_time(
        &self,
        topic: &str,
        partition: u32,
        timestamp_ms: i64,
    ) -> Result<u64, LogError> {
        self.check_partition(topic, partition)?;
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(topic, partition as i32, Offset::Offset(timestamp_ms))
            .map_err(|e| kafka_err("building offset request", &e))?;
        let answer = self
            .meta
            .offsets_for_times(tpl, self.config.request_timeout)
            .map_err(|e| kafka_err(format!("offset for time in {topic}/{partition}"), &e))?;
        let offset = answer
            .find_partition(topic, partition as i32)
            .map(|e| e.offset());
        match offset {
            Some(Offset::Offset(o)) if o >= 0 => Ok(o as u64),
            // No record at or after the time: the end.
            _ => Ok(self.watermarks(topic, partition)?.high),
        }
    }

    fn reader(
        &self,
        topic: &str,
        partition: u32,
        from: u64,
    ) -> Result<Box<dyn PartitionReader>, LogError> {
        self.check_partition(topic, partition)?;
        let low = self.watermarks(topic, partition)?.low;
        Ok(Box::new(reader::KafkaReader::new(
            &self.config,
            topic,
            partition,
            from.max(low),
            low,
        )?))
    }

    fn join_group(
        &self,
        group: &str,
        topic: &str,
        listener: std::sync::Arc<dyn crate::group::RebalanceListener>,
    ) -> Result<Box<dyn crate::group::Membership>, LogError> {
        self.check_partition(topic, 0)?;
        Ok(Box::new(group::KafkaMembership::join(
            &self.config,
            group,
            topic,
            listener,
        )?))
    }

    fn enforce_retention(&self, _now_ms: i64) -> Result<RetentionReport, LogError> {
        // The brokers apply retention.ms themselves.
        Ok(RetentionReport::default())
    }
}
