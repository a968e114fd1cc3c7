//! The event-log conformance suite on the embedded RocksDB backend, plus what only the
//! embedded log does itself: durability across reopen, retention, read-only followers.

mod common;

use scrm_log::{EmbeddedLog, EmbeddedOptions, EventLog, Record, TopicSpec};

struct Fixture {
    _dir: tempfile::TempDir,
    log: EmbeddedLog,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let log = EmbeddedLog::open(dir.path(), EmbeddedOptions::default()).unwrap();
        Self { _dir: dir, log }
    }

    fn log(&self) -> &dyn EventLog {
        &self.log
    }
}

conformance_suite!(Fixture::new());

const DAY: i64 = 86_400_000;

#[test]
fn appends_survive_reopen_and_offsets_continue() {
    let dir = tempfile::tempdir().unwrap();
    let spec = common::cases::spec("t", 2);
    {
        let log = EmbeddedLog::open(dir.path(), EmbeddedOptions::default()).unwrap();
        log.ensure_topic(&spec).unwrap();
        log.append(
            "t",
            (0..100)
                .map(|i| Record::new(format!("k{i}"), vec![i as u8], i))
                .collect(),
        )
        .unwrap();
    }
    let log = EmbeddedLog::open(dir.path(), EmbeddedOptions::default()).unwrap();
    assert_eq!(log.describe_topic("t").unwrap(), Some(spec));
    let total: usize = (0..2)
        .map(|p| common::cases::read_all(&log, "t", p).len())
        .sum();
    assert_eq!(total, 100);
    let before = log.watermarks("t", 0).unwrap().high;
    let pos = log
        .append(
            "t",
            vec![Record {
                partition: Some(0),
                ..Record::new("x", "y", 5)
            }],
        )
        .unwrap();
    assert_eq!(pos[0].offset, before, "offsets continue after reopen");
}

#[test]
fn retention_deletes_old_records_and_never_reuses_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let spec = TopicSpec {
        name: "r".into(),
        partitions: 1,
        retention_ms: Some(10 * DAY),
        compact: false,
    };
    let now = 1_800_000_000_000i64;
    {
        let log = EmbeddedLog::open(dir.path(), EmbeddedOptions::default()).unwrap();
        log.ensure_topic(&spec).unwrap();
        // 20 days of one record a day, the last one late (out of order) but recent.
        let mut records: Vec<Record> = (0..20)
            .map(|d| Record::new("k", vec![d as u8], now - (20 - d) * DAY))
            .collect();
        records.push(Record::new("k", vec![99], now - 15 * DAY));
        log.append("r", records).unwrap();
        let report = log.enforce_retention(now).unwrap();
        // Days 20..=11 ago are older than 10 days; the record of exactly 10 days ago stays.
        assert_eq!(report.deleted, 10);
        assert_eq!(log.watermarks("r", 0).unwrap().low, 10);
        let kept = common::cases::read_all(&log, "r", 0);
        assert_eq!(kept.first().map(|r| r.offset), Some(10));
        // The late record older than the cutoff stays: Kafka deletes by position, never
        // records after one that must be kept.
        assert!(kept.iter().any(|r| r.value == vec![99]));
        assert_eq!(
            log.enforce_retention(now).unwrap().deleted,
            0,
            "a second pass has nothing to do"
        );
    }
    let log = EmbeddedLog::open(dir.path(), EmbeddedOptions::default()).unwrap();
    assert_eq!(
        log.watermarks("r", 0).unwrap().low,
        10,
        "retention survives reopen"
    );
    // Even when everything is gone, offsets keep counting.
    log.enforce_retention(now + 365 * DAY).unwrap();
    let marks = log.watermarks("r", 0).unwrap();
    assert_eq!(marks.low, marks.high);
    let pos = log
        .append("r", vec![Record::new("k", "new", now + 365 * DAY)])
        .unwrap();
    assert_eq!(pos[0].offset, 21);
}

#[test]
fn a_second_process_reads_beside_the_owner() {
    let dir = tempfile::tempdir().unwrap();
    let owner = EmbeddedLog::open(dir.path(), EmbeddedOptions::default()).unwrap();
    owner.ensure_topic(&common::cases::spec("s", 1)).unwrap();
    owner.append("s", vec![Record::new("k", "one", 1)]).unwrap();
    let err = EmbeddedLog::open(dir.path(), EmbeddedOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("in use by another scrm process"),
        "{err}"
    );
    let follower = EmbeddedLog::open_secondary(dir.path()).unwrap();
    assert_eq!(common::cases::read_all(&follower, "s", 0).len(), 1);
    let mut reader = follower.reader("s", 0, 1).unwrap();
    owner.append("s", vec![Record::new("k", "two", 2)]).unwrap();
    let mut got = Vec::new();
    for _ in 0..100 {
        got = reader
            .next_batch(10, std::time::Duration::from_millis(100))
            .unwrap();
        if !got.is_empty() {
            break;
        }
    }
    assert_eq!(got.len(), 1, "the follower sees the owner's new record");
    assert!(
        follower
            .append("s", vec![Record::new("k", "no", 3)])
            .is_err(),
        "a follower never writes"
    );
}
