//! Reading one Kafka partition by direct assignment.

use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::message::{Headers, Message};
use rdkafka::statistics::Statistics;
use rdkafka::ClientContext;
use rdkafka::{Offset, TopicPartitionList};

use super::{kafka_err, KafkaConfig};
use crate::api::{LogError, PartitionReader, StoredRecord};

pub(crate) struct KafkaReader {
    consumer: BaseConsumer<ReaderContext>,
    high: Arc<AtomicI64>,
    topic: String,
    partition: u32,
    position: u64,
}

impl KafkaReader {
    pub(crate) fn new(
        config: &KafkaConfig,
        topic: &str,
        partition: u32,
        from: u64,
        low: u64,
    ) -> Result<Self, LogError> {
        let high = Arc::new(AtomicI64::new(-1));
        let consumer: BaseConsumer<ReaderContext> = consumer_config(config, "reader")
            // The high watermark comes with the statistics, without a round trip.
            .set("statistics.interval.ms", "100")
            .create_with_context(ReaderContext {
                topic: topic.to_owned(),
                partition: partition as i32,
                high: high.clone(),
            })
            .map_err(|e| kafka_err("creating reader consumer", &e))?;
        let start = batch_start(&consumer, topic, partition, from, low)?;
        assign(&consumer, topic, partition, start)?;
        Ok(Self {
            consumer,
            high,
            topic: topic.to_owned(),
            partition,
            position: from,
        })
    }
}

fn assign<C: ConsumerContext>(
    consumer: &BaseConsumer<C>,
    topic: &str,
    partition: u32,
    offset: u64,
) -> Result<(), LogError> {
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, partition as i32, Offset::Offset(offset as i64))
        .map_err(|e| kafka_err("building assignment", &e))?;
    consumer
        .assign(&tpl)
        .map_err(|e| kafka_err(format!("assigning {topic}/{partition}"), &e))
}

/// Where to fetch from so that reading starts at `from`, records before it skipped.
///
/// Kafka answers a fetch at an offset inside a stored batch with that whole batch. Tansu
/// 0.6 answers with the batches that *start* at or after it, so the records between `from`
/// and the end of its batch would be lost (a conformance case shows it). Stepping back
/// until a fetch returns a record at or before `from` finds a batch start on every broker;
/// on Kafka the first step does.
fn batch_start<C: ConsumerContext>(
    consumer: &BaseConsumer<C>,
    topic: &str,
    partition: u32,
    from: u64,
    low: u64,
) -> Result<u64, LogError> {
    let mut back = 1u64;
    loop {
        let at = from.saturating_sub(back).max(low);
        if at >= from || at == low {
            return Ok(at.min(from));
        }
        assign(consumer, topic, partition, at)?;
        let first = match consumer.poll(Duration::from_millis(500)) {
            Some(Ok(message)) => Some(message.offset() as u64),
            Some(Err(e)) => return Err(kafka_err(format!("reading {topic}/{partition}"), &e)),
            None => None,
        };
        if first.is_some_and(|offset| offset <= from) {
            return Ok(at);
        }
        back = back.saturating_mul(8);
    }
}

/// Learns the partition's high watermark from librdkafka's statistics.
pub(crate) struct ReaderContext {
    topic: String,
    partition: i32,
    high: Arc<AtomicI64>,
}

impl ClientContext for ReaderContext {
    fn stats(&self, statistics: Statistics) {
        let high = statistics
            .topics
            .get(&self.topic)
            .and_then(|t| t.partitions.get(&self.partition))
            .map(|p| p.hi_offset);
        if let Some(high) = high.filter(|h| *h >= 0) {
            self.high.fetch_max(high, Ordering::Relaxed);
        }
    }
}

impl ConsumerContext for ReaderContext {}

/// A consumer for direct assignment: no group membership, nothing committed.
pub(crate) fn assigned_consumer(
    config: &KafkaConfig,
    role: &str,
) -> Result<BaseConsumer, LogError> {
    consumer_config(config, role)
        .create()
        .map_err(|e| kafka_err(format!("creating {role} consumer"), &e))
}

fn consumer_config(config: &KafkaConfig, role: &str) -> rdkafka::ClientConfig {
    let mut c = config.client_config(role);
    // Assigned, not subscribed: the group id is required by the client but unused.
    c.set("group.id", format!("{}-{role}", config.client_id))
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("enable.partition.eof", "false")
        .set("fetch.wait.max.ms", "100");
    c
}

impl PartitionReader for KafkaReader {
    fn known_high_watermark(&mut self) -> Option<u64> {
        // From the statistics (every 100 ms), served by `poll`. On Tansu 0.6 it is the base
        // offset of the last batch + 1, at or below the true end; callers poll before
        // relying on it.
        let high = self.high.load(Ordering::Relaxed);
        (high >= 0).then_some(high as u64)
    }

    fn next_batch(&mut self, max: usize, wait: Duration) -> Result<Vec<StoredRecord>, LogError> {
        let deadline = Instant::now() + wait;
        let mut out = Vec::new();
        while out.len() < max {
            // Wait for the first record; then take what is already fetched.
            let timeout = if out.is_empty() {
                deadline.saturating_duration_since(Instant::now())
            } else {
                Duration::ZERO
            };
            let Some(result) = self.consumer.poll(timeout) else {
                break;
            };
            let message = result
                .map_err(|e| kafka_err(format!("reading {}/{}", self.topic, self.partition), &e))?;
            let offset = message.offset() as u64;
            if offset < self.position {
                continue;
            }
            let headers = message
                .headers()
                .map(|h| {
                    h.iter()
                        .map(|h| (h.key.to_owned(), h.value.unwrap_or_default().to_vec()))
                        .collect()
                })
                .unwrap_or_default();
            out.push(StoredRecord {
                partition: self.partition,
                offset,
                key: message.key().unwrap_or_default().to_vec(),
                value: message.payload().unwrap_or_default().to_vec(),
                timestamp_ms: message.timestamp().to_millis().unwrap_or(0),
                headers,
            });
            self.position = offset + 1;
            if Instant::now() >= deadline && !out.is_empty() {
                break;
            }
        }
        Ok(out)
    }

    fn position(&self) -> u64 {
        self.position
    }
}
