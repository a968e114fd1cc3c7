//! Shared parts of the processor tests: input, runs, snapshots of state and outputs.

#![allow(dead_code, unreachable_pub)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use scrm_log::{EventLog, Record, TopicSpec};
use scrm_schema::json::{json_to_avro, Names};
use scrm_schema::{Cleanup, Codec, TopicKind};
use scrm_state::keys::{self, Table};
use scrm_state::store::Scan;
use scrm_state::{CustomerState, RocksStore, StateStore};

pub const PARTITIONS: u32 = 4;

pub fn spec(kind: TopicKind, prefix: &str) -> TopicSpec {
    let (retention_ms, compact) = match kind.cleanup() {
        Cleanup::Delete { retention_ms } => (Some(retention_ms), false),
        Cleanup::Compact => (None, true),
    };
    TopicSpec {
        name: kind.name(prefix),
        partitions: PARTITIONS,
        retention_ms,
        compact,
    }
}

fn input_kind(topic: scrm_gen::Topic) -> TopicKind {
    match topic {
        scrm_gen::Topic::Conversation => TopicKind::Conversation,
        scrm_gen::Topic::Behavior => TopicKind::Behavior,
        scrm_gen::Topic::Transaction => TopicKind::Transaction,
        scrm_gen::Topic::CrmUpdates => TopicKind::CrmUpdates,
    }
}

/// Writes `customers` × `days` of generated traffic into every log, plus a poison record
/// every `poison_every` events; returns the number of records.
pub fn write_input(
    logs: &[(&dyn EventLog, &str)],
    customers: usize,
    days: u32,
    poison_every: usize,
) -> usize {
    for (log, prefix) in logs {
        for kind in TopicKind::ALL {
            log.ensure_topic(&spec(kind, prefix)).unwrap();
        }
    }
    let codec = Codec::single_object();
    let catalog = scrm_schema::Catalog::embedded();
    let generator = scrm_gen::Generator::new(scrm_gen::GenConfig {
        seed: 7,
        customers,
        days,
        ..scrm_gen::GenConfig::default()
    });
    let mut pending: BTreeMap<TopicKind, Vec<Record>> = BTreeMap::new();
    let mut total = 0;
    let flush = |pending: &mut BTreeMap<TopicKind, Vec<Record>>| {
        for (kind, records) in std::mem::take(pending) {
            for (log, prefix) in logs {
                log.append(&kind.name(prefix), records.clone()).unwrap();
            }
        }
    };
    for (i, event) in generator.enumerate() {
        let kind = input_kind(event.topic);
        let known = catalog.current(event.topic.schema_name()).unwrap();
        let value = json_to_avro(&known.schema, &Names::of(&known.schema), &event.json).unwrap();
        let bytes = codec.encode("input", known, &value).unwrap();
        let key = event.customer.as_bytes().to_vec();
        let records = pending.entry(kind).or_default();
        records.push(Record::new(key.clone(), bytes, event.occurred_at_ms));
        if poison_every > 0 && i % poison_every == poison_every / 2 {
            records.push(Record::new(
                key,
                b"\xC3\x01 not avro".to_vec(),
                event.occurred_at_ms,
            ));
            total += 1;
        }
        total += 1;
        if total % 20_000 == 0 {
            flush(&mut pending);
        }
    }
    flush(&mut pending);
    total
}

/// `scrm process` on a data dir, with the embedded log or the given brokers.
pub fn process(data_dir: &Path, kafka: Option<(&str, &str, &str)>, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scrm"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::var("HOME").unwrap_or_default())
        .env("SCRM_LOG", "warn,apache_avro=error")
        // The generated traffic is dated from 2026-11-02 on, for months: ahead of the
        // machine's clock, which the processor checks event times against.
        .env("SCRM_MAX_AHEAD_MS", (3 * 365 * 86_400_000i64).to_string())
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--partitions")
        .arg(PARTITIONS.to_string());
    if let Some((brokers, prefix, group)) = kafka {
        cmd.args(["--brokers", brokers, "--topic-prefix", prefix])
            .env("SCRM_GROUP_ID", group);
    }
    cmd.arg("process").args(extra);
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    cmd
}

/// Starts a run whose output nobody reads (it is killed).
pub fn spawn_quiet(mut cmd: Command) -> Child {
    cmd.stderr(Stdio::null()).spawn().unwrap()
}

/// Runs to completion and asserts success.
pub fn run_to_end(mut cmd: Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "scrm process failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every customer's state in a data dir.
pub fn states(data_dir: &Path) -> BTreeMap<String, CustomerState> {
    let store = RocksStore::open_read_only(&data_dir.join("state")).unwrap();
    let mut states = BTreeMap::new();
    let (from, _) = Table::Customers.partition_range(0);
    let (_, to) = Table::Customers.partition_range(PARTITIONS - 1);
    store
        .scan(Table::Customers, &from, &to, &mut |k, v| {
            let (_, customer) = keys::parse_customer_key(k).unwrap();
            states.insert(customer, CustomerState::decode(v).unwrap());
            Scan::Continue
        })
        .unwrap();
    states
}

/// Outputs by topic kind, duplicates (same id, hence same bytes) dropped; with the number
/// of records before dropping.
pub fn outputs(
    log: &dyn EventLog,
    prefix: &str,
) -> (BTreeMap<TopicKind, BTreeSet<Vec<u8>>>, usize) {
    let mut all = BTreeMap::new();
    let mut raw = 0;
    for kind in [
        TopicKind::Triggers,
        TopicKind::CrmCommands,
        TopicKind::Alerts,
        TopicKind::Dlq,
    ] {
        let topic = kind.name(prefix);
        let set: &mut BTreeSet<Vec<u8>> = all.entry(kind).or_default();
        for p in 0..PARTITIONS {
            let high = log.watermarks(&topic, p).unwrap().high;
            let mut reader = log.reader(&topic, p, 0).unwrap();
            while reader.position() < high {
                for r in reader.next_batch(5_000, Duration::from_secs(2)).unwrap() {
                    raw += 1;
                    set.insert(r.value);
                }
            }
        }
    }
    (all, raw)
}

pub fn counts(outputs: &BTreeMap<TopicKind, BTreeSet<Vec<u8>>>) -> BTreeMap<TopicKind, usize> {
    outputs.iter().map(|(k, v)| (*k, v.len())).collect()
}

/// Kills the child with SIGKILL if still running; true if it was.
pub fn kill9(child: &mut Child) -> bool {
    let running = child.try_wait().unwrap().is_none();
    child.kill().ok();
    child.wait().unwrap();
    running
}

/// Compares two runs and explains the first difference.
pub fn assert_same_states(
    reference: &BTreeMap<String, CustomerState>,
    other: &BTreeMap<String, CustomerState>,
) {
    assert_eq!(reference.len(), other.len(), "number of customers");
    for (customer, state) in reference {
        assert_eq!(Some(state), other.get(customer), "state of {customer}");
    }
}

/// Outputs name their input topics (ids, causes); rewrites one prefix into another of the
/// same length so runs on different prefixes compare.
pub fn swap_prefix(
    outputs: BTreeMap<TopicKind, BTreeSet<Vec<u8>>>,
    from: &str,
    to: &str,
) -> BTreeMap<TopicKind, BTreeSet<Vec<u8>>> {
    assert_eq!(from.len(), to.len());
    let (from, to) = (from.as_bytes(), to.as_bytes());
    outputs
        .into_iter()
        .map(|(kind, set)| {
            let set = set
                .into_iter()
                .map(|mut v| {
                    let mut i = 0;
                    while i + from.len() <= v.len() {
                        if &v[i..i + from.len()] == from {
                            v[i..i + from.len()].copy_from_slice(to);
                            i += from.len();
                        } else {
                            i += 1;
                        }
                    }
                    v
                })
                .collect();
            (kind, set)
        })
        .collect()
}

/// Asserts two runs' outputs are the same; on failure shows the differing records as JSON.
pub fn assert_same_outputs(
    want: &BTreeMap<TopicKind, BTreeSet<Vec<u8>>>,
    got: &BTreeMap<TopicKind, BTreeSet<Vec<u8>>>,
) {
    let codec = Codec::single_object();
    let show = |bytes: &Vec<u8>| match codec.decode_any(bytes) {
        Ok((schema, value)) => {
            scrm_schema::json::avro_to_json(schema, &Names::of(schema), &value).to_string()
        }
        Err(e) => format!("undecodable ({e})"),
    };
    let mut report = String::new();
    for (kind, want_set) in want {
        let empty = BTreeSet::new();
        let got_set = got.get(kind).unwrap_or(&empty);
        for (label, a, b) in [("missing", want_set, got_set), ("extra", got_set, want_set)] {
            let diff: Vec<&Vec<u8>> = a.difference(b).collect();
            if !diff.is_empty() {
                report += &format!("{kind:?}: {} {label}, e.g.\n", diff.len());
                for bytes in diff.iter().take(3) {
                    report += &format!("  {}\n", show(bytes));
                }
            }
        }
    }
    assert!(report.is_empty(), "outputs differ:\n{report}");
}
