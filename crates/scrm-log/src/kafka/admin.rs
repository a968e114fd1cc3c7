//! Topic creation and inspection on Kafka.

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::types::RDKafkaErrorCode;

use super::{kafka_err, KafkaConfig};
use crate::api::{EnsureOutcome, LogError, TopicSpec};

pub(crate) struct Admin {
    client: AdminClient<DefaultClientContext>,
}

impl Admin {
    pub(crate) fn new(config: &KafkaConfig) -> Result<Self, LogError> {
        let client = config
            .client_config("admin")
            .create()
            .map_err(|e| kafka_err("creating admin client", &e))?;
        Ok(Self { client })
    }

    /// Partition count of an existing topic, `None` if it does not exist.
    pub(crate) fn partition_count(
        &self,
        meta: &BaseConsumer,
        topic: &str,
        timeout: Duration,
    ) -> Result<Option<u32>, LogError> {
        let metadata = meta
            .fetch_metadata(Some(topic), timeout)
            .map_err(|e| kafka_err(format!("metadata of {topic}"), &e))?;
        Ok(metadata
            .topics()
            .iter()
            .find(|t| t.name() == topic && t.error().is_none() && !t.partitions().is_empty())
            .map(|t| t.partitions().len() as u32))
    }

    pub(crate) fn describe_topic(
        &self,
        meta: &BaseConsumer,
        topic: &str,
        timeout: Duration,
    ) -> Result<Option<TopicSpec>, LogError> {
        let Some(partitions) = self.partition_count(meta, topic, timeout)? else {
            return Ok(None);
        };
        let opts = AdminOptions::new().request_timeout(Some(timeout));
        let results = futures_executor::block_on(
            self.client
                .describe_configs(&[ResourceSpecifier::Topic(topic)], &opts),
        )
        .map_err(|e| kafka_err(format!("describing {topic}"), &e))?;
        let resource = results
            .into_iter()
            .next()
            .ok_or_else(|| LogError::Kafka {
                context: format!("describing {topic}"),
                reason: "broker returned no configuration".into(),
                retriable: true,
            })?
            .map_err(|code| LogError::Kafka {
                context: format!("describing {topic}"),
                reason: code.to_string(),
                retriable: false,
            })?;
        let value = |name: &str| resource.get(name).and_then(|e| e.value.clone());
        let compact =
            value("cleanup.policy").is_some_and(|p| p.split(',').any(|p| p.trim() == "compact"));
        let retention_ms = match value("retention.ms").and_then(|v| v.parse::<i64>().ok()) {
            Some(r) if r >= 0 => Some(r),
            // -1 (or no answer, which Kafka's default of 7 days is not) means for ever.
            Some(_) => None,
            None => Some(7 * 24 * 3_600_000),
        };
        Ok(Some(TopicSpec {
            name: topic.to_owned(),
            partitions,
            retention_ms,
            compact,
        }))
    }

    pub(crate) fn ensure_topic(
        &self,
        meta: &BaseConsumer,
        spec: &TopicSpec,
        replication_factor: i32,
        timeout: Duration,
    ) -> Result<EnsureOutcome, LogError> {
        if let Some(existing) = self.describe_topic(meta, &spec.name, timeout)? {
            return check(spec, &existing);
        }
        let retention = spec.retention_ms.unwrap_or(-1).to_string();
        let mut topic = NewTopic::new(
            &spec.name,
            spec.partitions as i32,
            TopicReplication::Fixed(replication_factor),
        )
        .set(
            "cleanup.policy",
            if spec.compact { "compact" } else { "delete" },
        );
        if !spec.compact {
            topic = topic.set("retention.ms", &retention);
        }
        let opts = AdminOptions::new()
            .operation_timeout(Some(timeout))
            .request_timeout(Some(timeout));
        let results = futures_executor::block_on(self.client.create_topics([&topic], &opts))
            .map_err(|e| kafka_err(format!("creating {}", spec.name), &e))?;
        match results.into_iter().next() {
            Some(Ok(_)) => {}
            // Someone else created it meanwhile: check theirs like any existing topic.
            Some(Err((_, RDKafkaErrorCode::TopicAlreadyExists))) => {
                let existing =
                    self.describe_topic(meta, &spec.name, timeout)?
                        .ok_or_else(|| LogError::UnknownTopic {
                            topic: spec.name.clone(),
                        })?;
                return check(spec, &existing);
            }
            Some(Err((_, code))) => {
                return Err(LogError::Kafka {
                    context: format!("creating {}", spec.name),
                    reason: code.to_string(),
                    retriable: false,
                })
            }
            None => {}
        }
        // Topic creation is asynchronous on the brokers; wait until metadata shows it.
        let deadline = std::time::Instant::now() + timeout;
        while self.partition_count(meta, &spec.name, timeout)? != Some(spec.partitions) {
            if std::time::Instant::now() > deadline {
                return Err(LogError::Kafka {
                    context: format!("creating {}", spec.name),
                    reason: "topic did not appear in metadata in time".into(),
                    retriable: true,
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(EnsureOutcome::Created)
    }
}

fn check(spec: &TopicSpec, existing: &TopicSpec) -> Result<EnsureOutcome, LogError> {
    let problems = spec.problems_with(existing);
    if problems.is_empty() {
        Ok(EnsureOutcome::AlreadyCorrect)
    } else {
        Err(LogError::TopicMismatch {
            topic: spec.name.clone(),
            problems,
        })
    }
}
