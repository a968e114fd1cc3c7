//! Reading one Kafka partition by direct assignment.

use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::{Offset, TopicPartitionList};

use super::{kafka_err, KafkaConfig};
use crate::api::{LogError, PartitionReader, StoredRecord};

pub(crate) struct KafkaReader {
    consumer: BaseConsumer,
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
    ) -> Result<Self, LogError> {
        let consumer = assigned_consumer(config, "reader")?;
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(topic, partition as i32, Offset::Offset(from as i64))
            .map_err(|e| kafka_err("building assignment", &e))?;
        consumer
            .assign(&tpl)
            .map_err(|e| kafka_err(format!("assigning {topic}/{partition}"), &e))?;
        Ok(Self {
            consumer,
            topic: topic.to_owned(),
            partition,
            position: from,
        })
    }
}

/// A consumer for direct assignment: no group membership, nothing committed.
pub(crate) fn assigned_consumer(
    config: &KafkaConfig,
    role: &str,
) -> Result<BaseConsumer, LogError> {
    config
        .client_config(role)
        // Assigned, not subscribed: the group id is required by the client but unused.
        .set("group.id", format!("{}-{role}", config.client_id))
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("enable.partition.eof", "false")
        .set("fetch.wait.max.ms", "100")
        .create()
        .map_err(|e| kafka_err(format!("creating {role} consumer"), &e))
}

impl PartitionReader for KafkaReader {
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
