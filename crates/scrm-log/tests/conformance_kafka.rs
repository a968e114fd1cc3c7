//! The event-log conformance suite on the Kafka backend, against a real Kafka-protocol
//! broker process (Tansu), plus the partitioner parity with librdkafka.

mod common;

use rdkafka::config::ClientConfig;
use rdkafka::producer::{FutureProducer, FutureRecord};
use scrm_log::{partition_for_key, EventLog, KafkaConfig, KafkaLog};
use scrm_testkit::Broker;

struct Fixture {
    log: KafkaLog,
    _broker: Broker,
}

impl Fixture {
    fn new() -> Self {
        let broker = Broker::get();
        let mut config = KafkaConfig::new(broker.bootstrap.clone());
        config.replication_factor = 1;
        Self {
            log: KafkaLog::connect(config).expect("connect to the test broker"),
            _broker: broker,
        }
    }

    fn log(&self) -> &dyn EventLog {
        &self.log
    }
}

conformance_suite!(Fixture::new());

/// librdkafka's `murmur2_random` partitioner (what Java clients do for keyed records) and
/// scrm's choose the same partition for every key, so any producer puts a customer where
/// the processor expects it.
#[test]
fn librdkafka_murmur2_partitioner_agrees_with_ours() {
    let fixture = Fixture::new();
    let topic = common::unique_topic("parity");
    fixture
        .log
        .ensure_topic(&common::cases::spec(&topic, 6))
        .unwrap();
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &fixture._broker.bootstrap)
        .set("partitioner", "murmur2_random")
        .create()
        .unwrap();
    for i in 0..60 {
        let key = format!("+8529{:07}", i * 7919);
        let record = FutureRecord::to(&topic).key(&key).payload("x");
        let delivery =
            futures_executor::block_on(producer.send(record, std::time::Duration::from_secs(10)))
                .unwrap_or_else(|(e, _)| panic!("produce: {e}"));
        assert_eq!(
            delivery.partition as u32,
            partition_for_key(key.as_bytes(), 6),
            "key {key}"
        );
    }
}
