//! On a real Kafka-protocol broker (Tansu): one customer's records produced through two
//! partitioners — librdkafka's default CRC32 (`consistent_random`) and Kafka's murmur2 —
//! land on two partitions, and still end in one state.

use std::sync::Arc;
use std::time::Duration;

use rdkafka::config::ClientConfig;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use scrm_log::{EventLog, KafkaConfig, KafkaLog, TopicSpec};
use scrm_processor::{
    ManualClock, Metrics, OutputEncoder, Processor, ProcessorOptions, TimeMode, Topics,
};
use scrm_schema::json::{json_to_avro, Names};
use scrm_schema::{Codec, TopicKind};
use scrm_state::keys::{self, Table};
use scrm_state::{CustomerState, MemoryStore, StateStore};
use scrm_testkit::{unique_name, Broker};
use serde_json::json;

const PARTITIONS: u32 = 4;
const T0: i64 = 1_780_000_000_000;
const DAY: i64 = 86_400_000;

fn crc32_partition(key: &[u8]) -> u32 {
    crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(key) % PARTITIONS
}

fn discount(customer: &str, n: i64) -> Vec<u8> {
    let known = scrm_schema::Catalog::embedded()
        .current("ConversationEvent")
        .unwrap();
    let at = T0 + n * 60_000;
    let json = json!({
        "event_id": format!("e{n}"), "customer": customer, "occurred_at": at, "source": "shop",
        "payload": {"InboundMessage": {"wamid": format!("wamid.{n}"),
            "content": {"TextContent": {"body": "Is there any discount?"}}}}
    });
    let value = json_to_avro(&known.schema, &Names::of(&known.schema), &json).unwrap();
    Codec::single_object().encode("t", known, &value).unwrap()
}

fn producer(bootstrap: &str, partitioner: &str) -> BaseProducer {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("partitioner", partitioner)
        .create()
        .unwrap()
}

#[test]
fn records_of_two_partitioners_end_in_one_state() {
    let broker = Broker::get();
    let prefix = unique_name("repart");
    let log: Arc<dyn EventLog> =
        Arc::new(KafkaLog::connect(KafkaConfig::new(broker.bootstrap.clone())).unwrap());
    for kind in TopicKind::ALL {
        log.ensure_topic(&TopicSpec {
            name: kind.name(&prefix),
            partitions: PARTITIONS,
            retention_ms: None,
            compact: kind == TopicKind::StateChangelog,
        })
        .unwrap();
    }
    // A customer the two partitioners disagree on.
    let customer = (0..)
        .map(|i| format!("+85291{i:06}"))
        .find(|c| {
            crc32_partition(c.as_bytes()) != scrm_log::partition_for_key(c.as_bytes(), PARTITIONS)
        })
        .unwrap();
    let (crc_p, murmur_p) = (
        crc32_partition(customer.as_bytes()),
        scrm_log::partition_for_key(customer.as_bytes(), PARTITIONS),
    );
    let topic = TopicKind::Conversation.name(&prefix);
    for (n, partitioner) in [
        "consistent_random",
        "murmur2_random",
        "consistent_random",
        "murmur2_random",
    ]
    .into_iter()
    .enumerate()
    {
        let p = producer(&broker.bootstrap, partitioner);
        let value = discount(&customer, n as i64);
        p.send(
            BaseRecord::to(&topic)
                .key(customer.as_bytes())
                .payload(&value),
        )
        .map_err(|(e, _)| e)
        .unwrap();
        p.flush(Duration::from_secs(30)).unwrap();
    }
    let high = |p| log.watermarks(&topic, p).unwrap().high;
    assert_eq!(
        (high(crc_p), high(murmur_p)),
        (2, 2),
        "the CRC32 producer used partition {crc_p}, murmur2 {murmur_p}"
    );

    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    let metrics = Metrics::default();
    let run = || {
        Processor::new(
            log.clone(),
            store.clone(),
            Arc::new(scrm_rules::RulePack::default_pack()),
            Arc::new(OutputEncoder::new(
                Codec::single_object(),
                Topics::new(&prefix),
            )),
            ProcessorOptions {
                group_id: unique_name("g"),
                time: TimeMode::Event,
                exit_when_caught_up: true,
                commit_interval: Duration::from_millis(20),
                fsync: false,
                ..ProcessorOptions::default()
            },
            Arc::new(ManualClock::new(T0 + DAY)),
            metrics.clone(),
        )
        .run(&|| false)
        .unwrap();
    };
    // The first run routes the stray records to their partition; a run that exits when
    // caught up may stop before that partition has read them, so a second run finishes.
    run();
    run();

    let state = |p: u32| {
        store
            .get(Table::Customers, &keys::customer_key(p, &customer).unwrap())
            .unwrap()
            .map(|b| CustomerState::decode(&b).unwrap())
    };
    assert!(
        state(crc_p).is_none(),
        "no second state on the CRC32 partition"
    );
    let one = state(murmur_p).expect("the customer's state on its partition");
    assert_eq!(one.keywords.get("discount"), Some(&4), "{:?}", one.keywords);
    // More than 3 discount questions: the price-sensitive rule sees all four together.
    assert!(one.tags.contains("price_sensitive"), "{:?}", one.tags);
    assert_eq!(high(murmur_p), 4, "the two stray records were routed here");
    let repartitioned: u64 = {
        let mut text = String::new();
        let mut registry = prometheus_client::registry::Registry::default();
        metrics.register(&mut registry);
        prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
        text.lines()
            .filter(|l| l.starts_with("scrm_processor_repartitioned_total"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    };
    assert_eq!(repartitioned, 2);
}
