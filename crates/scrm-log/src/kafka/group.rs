//! Consumer-group membership on Kafka (see [`crate::group`] for why one topic decides).

use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance};
use rdkafka::ClientContext;
use rdkafka::TopicPartitionList;

use super::{kafka_err, KafkaConfig};
use crate::api::LogError;
use crate::group::{Membership, RebalanceListener};

struct GroupContext {
    listener: Arc<dyn RebalanceListener>,
}

impl ClientContext for GroupContext {}

fn partitions_of(tpl: &TopicPartitionList) -> Vec<u32> {
    let mut partitions: Vec<u32> = tpl
        .elements()
        .iter()
        .map(|e| e.partition() as u32)
        .collect();
    partitions.sort_unstable();
    partitions
}

impl ConsumerContext for GroupContext {
    fn pre_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(tpl) = rebalance {
            let partitions = partitions_of(tpl);
            tracing::info!(?partitions, "partitions revoked");
            self.listener.revoked(&partitions);
        }
    }

    fn post_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                // The group consumer only decides ownership; records are read by assigned
                // readers, so it never fetches.
                if let Err(e) = consumer.pause(tpl) {
                    tracing::warn!(error = %e, "pausing the membership consumer");
                }
                let partitions = partitions_of(tpl);
                tracing::info!(?partitions, "partitions assigned");
                self.listener.assigned(&partitions);
            }
            Rebalance::Revoke(_) => {}
            Rebalance::Error(e) => tracing::warn!(error = %e, "rebalance error"),
        }
    }
}

pub(crate) struct KafkaMembership {
    consumer: BaseConsumer<GroupContext>,
    topic: String,
}

impl KafkaMembership {
    pub(crate) fn join(
        config: &KafkaConfig,
        group: &str,
        topic: &str,
        listener: Arc<dyn RebalanceListener>,
    ) -> Result<Self, LogError> {
        let consumer: BaseConsumer<GroupContext> = config
            .client_config("member")
            .set("group.id", group)
            .set("partition.assignment.strategy", "cooperative-sticky")
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("session.timeout.ms", "10000")
            .set("heartbeat.interval.ms", "1000")
            .create_with_context(GroupContext { listener })
            .map_err(|e| kafka_err(format!("joining group {group}"), &e))?;
        consumer
            .subscribe(&[topic])
            .map_err(|e| kafka_err(format!("subscribing group {group} to {topic}"), &e))?;
        Ok(Self {
            consumer,
            topic: topic.to_owned(),
        })
    }
}

impl Membership for KafkaMembership {
    fn poll(&mut self, timeout: Duration) -> Result<(), LogError> {
        match self.consumer.poll(timeout) {
            None | Some(Ok(_)) => Ok(()),
            Some(Err(e)) => {
                tracing::warn!(topic = %self.topic, error = %e, "group membership");
                Ok(())
            }
        }
    }

    fn leave(&mut self) -> Result<(), LogError> {
        // Unsubscribing revokes the assignment through the listener on the next poll.
        self.consumer.unsubscribe();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !self
            .consumer
            .assignment()
            .map(|a| a.count() == 0)
            .unwrap_or(true)
            && std::time::Instant::now() < deadline
        {
            let _ = self.consumer.poll(Duration::from_millis(100));
        }
        Ok(())
    }
}
