//! A fake destination over a real embedded log: what it is handed, when, and the answer
//! each record's kind asks for.

#![allow(dead_code, unreachable_pub)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scrm_ingest::Ingest;
use scrm_log::{EmbeddedLog, EmbeddedOptions, EventLog, Record, StoredRecord, TopicSpec};
use scrm_schema::{Codec, TopicKind};
use scrm_sink::{
    Cx, Delivery, Destination, Failure, Metrics, Outcome, Route, Worker, WorkerOptions, WorkerParts,
};
use scrm_time::{ManualClock, Wait};

pub const INPUT: &str = "in";
pub const OUTPUT: &str = "out";
/// Thursday 2026-11-19 00:00 UTC.
pub const T0: i64 = 1_795_046_400_000;

/// One call of the destination.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub at_ms: i64,
    /// (id, attempt) of each record.
    pub records: Vec<(String, u32)>,
}

/// Answers by the record's kind (its value is `kind:id`):
/// `done` → done with an event on `out`; `retry` → retry in 1 s once, then done;
/// `dead` → dead; `429` → a 429 with `Retry-After: 120` once, then done; `fail` → a 503
/// every time; `wait` → a one-hour wait inside the call, then done; `skip` → not for it;
/// anything unparsable → dead as undecodable.
#[derive(Debug, Clone)]
pub struct Fake {
    pub calls: Arc<Mutex<Vec<Call>>>,
    /// Each delivered id is appended (and synced) here, a line per record.
    pub journal: Option<PathBuf>,
    /// After recording this call (1-based), the process aborts.
    pub abort_on_call: Option<usize>,
}

impl Fake {
    pub fn new() -> Self {
        Fake {
            calls: Arc::default(),
            journal: None,
            abort_on_call: None,
        }
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
}

impl Destination for Fake {
    type Item = String;

    fn name(&self) -> &str {
        "fake"
    }

    fn route(&self, record: &StoredRecord) -> Route<String> {
        let value = String::from_utf8_lossy(&record.value).into_owned();
        match value.split_once(':') {
            Some(("skip", _)) => Route::Skip { reason: "not_mine" },
            Some((kind, id)) if !id.is_empty() => Route::Deliver {
                id: id.to_owned(),
                item: kind.to_owned(),
            },
            _ => Route::Dead {
                kind: "DECODE",
                reason: format!("{value:?} is not kind:id"),
            },
        }
    }

    async fn deliver(&mut self, batch: Vec<Delivery<String>>, cx: Cx<'_>) -> Vec<Outcome> {
        let call = Call {
            at_ms: cx.now_ms(),
            records: batch.iter().map(|d| (d.id.clone(), d.attempt)).collect(),
        };
        let n = {
            let mut calls = self.calls.lock().unwrap();
            calls.push(call);
            calls.len()
        };
        if let Some(path) = &self.journal {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .unwrap();
            for d in &batch {
                writeln!(file, "{}", d.id).unwrap();
            }
            file.sync_all().unwrap();
        }
        if self.abort_on_call == Some(n) {
            // The crash point: the destination has answered, the ledger knows nothing.
            std::process::abort();
        }
        let mut out = Vec::new();
        for d in batch {
            let now = cx.now_ms();
            let done = || Outcome::Done {
                events: vec![(
                    OUTPUT.to_owned(),
                    Record::new(d.id.clone(), format!("delivered:{}", d.id), d.timestamp_ms),
                )],
                note: "ok".into(),
            };
            out.push(match (d.item.as_str(), d.attempt) {
                ("done", _) | ("retry" | "429", 1..) => done(),
                ("retry", 0) => Outcome::retry_at(now + 1_000, "busy"),
                ("dead", _) => Outcome::dead("refused: http 422"),
                ("429", 0) => cx.retry.outcome(
                    Failure::Http {
                        status: 429,
                        retry_after: Some("120"),
                    },
                    d.attempt,
                    now,
                ),
                ("fail", attempt) => cx.retry.outcome(
                    Failure::Http {
                        status: 503,
                        retry_after: None,
                    },
                    attempt,
                    now,
                ),
                ("wait", _) => match cx.wait(Duration::from_secs(3_600)).await {
                    Wait::Elapsed => done(),
                    Wait::Cancelled => Outcome::retry_at(now, "shutdown"),
                },
                (other, _) => Outcome::dead(format!("unknown kind {other}")),
            });
        }
        out
    }
}

/// An embedded log with the input, output and dead-letter topics.
pub fn open_log(dir: &Path, partitions: u32) -> Arc<dyn EventLog> {
    let log = EmbeddedLog::open(&dir.join("log"), EmbeddedOptions::default()).unwrap();
    for (name, partitions) in [
        (INPUT.to_owned(), partitions),
        (OUTPUT.to_owned(), 1),
        (TopicKind::Dlq.name(""), 1),
    ] {
        log.ensure_topic(&TopicSpec {
            name,
            partitions,
            retention_ms: None,
            compact: false,
        })
        .unwrap();
    }
    Arc::new(log)
}

/// Appends `kind:id` records to the input topic, keyed by id.
pub fn append(log: &dyn EventLog, values: &[&str]) {
    let records = values
        .iter()
        .map(|v| {
            let id = v.split_once(':').map_or(*v, |(_, id)| id);
            Record::new(id.as_bytes().to_vec(), v.as_bytes().to_vec(), T0)
        })
        .collect();
    log.append(INPUT, records).unwrap();
}

pub fn dlq_ingest() -> Ingest {
    let kind = TopicKind::Dlq;
    let schema = scrm_schema::Catalog::embedded()
        .current(kind.value_schema().unwrap())
        .unwrap();
    Ingest::new(
        Arc::new(Codec::single_object()),
        kind,
        schema,
        kind.name(""),
        "HK".parse().unwrap(),
    )
}

pub fn worker(
    dir: &Path,
    log: &Arc<dyn EventLog>,
    partitions: u32,
    fake: Fake,
    clock: &ManualClock,
    options: WorkerOptions,
) -> Worker<Fake> {
    Worker::new(WorkerParts {
        destination: fake,
        log: log.clone(),
        ledger_dir: dir.join("ledger"),
        topic: INPUT.into(),
        partitions,
        dlq: dlq_ingest(),
        clock: clock.shared(),
        metrics: Metrics::default(),
        options,
    })
    .unwrap()
}

/// Every record of a topic.
pub fn records(log: &dyn EventLog, topic: &str) -> Vec<StoredRecord> {
    let mut out = Vec::new();
    let partitions = log.describe_topic(topic).unwrap().unwrap().partitions;
    for p in 0..partitions {
        let high = log.watermarks(topic, p).unwrap().high;
        let mut reader = log.reader(topic, p, 0).unwrap();
        while reader.position() < high {
            out.extend(reader.next_batch(1000, Duration::from_millis(100)).unwrap());
        }
    }
    out
}

/// The output topic's ids, in order.
pub fn delivered(log: &dyn EventLog) -> Vec<String> {
    records(log, OUTPUT)
        .iter()
        .map(|r| String::from_utf8_lossy(&r.key).into_owned())
        .collect()
}

/// The dead letters: (reason header, kind header, original value).
pub fn dead_letters(log: &dyn EventLog) -> Vec<(String, String)> {
    records(log, &TopicKind::Dlq.name(""))
        .iter()
        .map(|r| {
            let header = |name: &str| {
                r.headers
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
                    .unwrap_or_default()
            };
            (header("scrm.error.kind"), header("scrm.error.reason"))
        })
        .collect()
}

/// Steps the worker until a step handles nothing.
pub async fn drain(worker: &mut Worker<Fake>) {
    for _ in 0..100 {
        if worker.step(Duration::from_millis(200)).await.unwrap() == 0 {
            return;
        }
    }
    panic!("the worker never ran out of work");
}

/// Waits (for at most 10 s of real time) until `cond` holds: for a running worker to
/// reach a state, never to let a time window pass.
pub async fn until(what: &str, cond: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}
