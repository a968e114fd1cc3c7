//! What the sinks' tests share: customers, commands, appending them to the command topic,
//! the dead-letter topic and running a worker dry.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::Duration;

use scrm_events::output::{CrmCommand, CrmOp};
use scrm_ingest::Ingest;
use scrm_log::{EventLog, Record};
use scrm_schema::{Catalog, Codec, KnownSchema, TopicKind};
use scrm_sink::{Destination, Worker};

pub const MEI: &str = "+85291234567";
pub const ANA: &str = "+5511987654321";
pub const LEA: &str = "+33612345678";

pub fn schema(kind: TopicKind) -> &'static KnownSchema {
    Catalog::embedded()
        .current(kind.value_schema().unwrap())
        .unwrap()
}

pub fn command(id: &str, customer: &str, at: i64, operation: CrmOp) -> CrmCommand {
    CrmCommand {
        command_id: id.into(),
        customer: customer.into(),
        occurred_at_ms: at,
        source: "scrm-processor".into(),
        rule_id: None,
        operation,
    }
}

pub fn upsert(id: &str, customer: &str, at: i64, fields: &[(&str, Option<&str>)]) -> CrmCommand {
    let fields = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
        .collect();
    command(id, customer, at, CrmOp::UpsertContact { fields })
}

/// Appends `commands` to the command topic, keyed by customer.
pub fn append(log: &dyn EventLog, commands: &[CrmCommand]) {
    let codec = Codec::single_object();
    let topic = TopicKind::CrmCommands.name("");
    let records = commands
        .iter()
        .map(|c| {
            let value = codec
                .encode(&topic, schema(TopicKind::CrmCommands), &c.to_avro())
                .unwrap();
            Record::new(c.customer.as_bytes().to_vec(), value, c.occurred_at_ms)
        })
        .collect();
    log.append(&topic, records).unwrap();
}

/// The dead-letter topic's writer.
pub fn dlq() -> Ingest {
    let kind = TopicKind::Dlq;
    Ingest::new(
        Arc::new(Codec::single_object()),
        kind,
        schema(kind),
        kind.name(""),
        "HK".parse().unwrap(),
    )
}

/// The dead letters' reasons.
pub fn dead_reasons(log: &dyn EventLog) -> Vec<String> {
    scrm_testkit::read_all(log, &TopicKind::Dlq.name(""), 1)
        .iter()
        .map(|r| {
            r.headers
                .iter()
                .find(|(n, _)| n == "scrm.error.reason")
                .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
                .unwrap_or_default()
        })
        .collect()
}

/// Steps the worker until a step finds nothing to do.
pub async fn drain<D: Destination>(worker: &mut Worker<D>) {
    // The first read waits longer: the reading thread may be starting.
    if worker.step(Duration::from_millis(500)).await.unwrap() == 0 {
        return;
    }
    for _ in 0..50 {
        if worker.step(Duration::from_millis(100)).await.unwrap() == 0 {
            return;
        }
    }
    panic!("the worker never ran dry");
}
