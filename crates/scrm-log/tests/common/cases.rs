//! The behaviour every backend must have. Each case takes a log and uses its own topics.

use std::time::Duration;

use scrm_log::{
    partition_for_key, EnsureOutcome, EventLog, LogError, Record, TimeRange, TopicSpec,
};

use super::unique_topic;

const DAY: i64 = 86_400_000;

pub fn spec(name: &str, partitions: u32) -> TopicSpec {
    TopicSpec {
        name: name.to_owned(),
        partitions,
        retention_ms: Some(180 * DAY),
        compact: false,
    }
}

fn created(log: &dyn EventLog, label: &str, partitions: u32) -> String {
    let name = unique_topic(label);
    assert_eq!(
        log.ensure_topic(&spec(&name, partitions)).unwrap(),
        EnsureOutcome::Created
    );
    name
}

/// Reads a whole partition up to its high watermark.
pub fn read_all(log: &dyn EventLog, topic: &str, partition: u32) -> Vec<scrm_log::StoredRecord> {
    let mut out = Vec::new();
    scrm_log::read_range(log, topic, partition, TimeRange::default(), |r| {
        out.push(r);
        Ok(())
    })
    .unwrap();
    out
}

pub fn topics_are_created_checked_and_refused(log: &dyn EventLog) {
    let name = created(log, "topics", 3);
    let same = spec(&name, 3);
    assert_eq!(
        log.ensure_topic(&same).unwrap(),
        EnsureOutcome::AlreadyCorrect
    );
    let described = log.describe_topic(&name).unwrap().expect("topic exists");
    assert_eq!(described.partitions, 3);
    assert_eq!(described.retention_ms, Some(180 * DAY));
    assert!(!described.compact);

    let more_partitions = spec(&name, 4);
    let err = log.ensure_topic(&more_partitions).unwrap_err();
    assert!(matches!(err, LogError::TopicMismatch { .. }), "{err}");
    assert!(err.to_string().contains("3 partitions"), "{err}");

    // A topic that keeps less than scrm needs would lose data.
    let longer = TopicSpec {
        retention_ms: Some(365 * DAY),
        ..spec(&name, 3)
    };
    let err = log.ensure_topic(&longer).unwrap_err().to_string();
    assert!(err.contains("retention.ms"), "{err}");
    // One that keeps more is fine.
    let shorter = TopicSpec {
        retention_ms: Some(30 * DAY),
        ..spec(&name, 3)
    };
    assert_eq!(
        log.ensure_topic(&shorter).unwrap(),
        EnsureOutcome::AlreadyCorrect
    );
    let compacted = TopicSpec {
        compact: true,
        retention_ms: None,
        ..spec(&name, 3)
    };
    let err = log.ensure_topic(&compacted).unwrap_err().to_string();
    assert!(err.contains("cleanup.policy"), "{err}");

    let changelog = unique_topic("changelog");
    let compact = TopicSpec {
        name: changelog.clone(),
        partitions: 2,
        retention_ms: None,
        compact: true,
    };
    assert_eq!(log.ensure_topic(&compact).unwrap(), EnsureOutcome::Created);
    assert!(log.describe_topic(&changelog).unwrap().unwrap().compact);
    assert!(log
        .describe_topic(&unique_topic("absent"))
        .unwrap()
        .is_none());
}

pub fn appends_are_partitioned_like_kafka_and_read_back_whole(log: &dyn EventLog) {
    let topic = created(log, "append", 4);
    let keys = [
        "+85291234567",
        "+886912345678",
        "+5511987654321",
        "+33612345678",
        "US.13491208655302741918",
    ];
    let records: Vec<Record> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            Record::new(
                *k,
                format!("value-{i}").into_bytes(),
                1_700_000_000_000 + i as i64,
            )
            .with_header("scrm.test", vec![i as u8, 0xff])
        })
        .collect();
    let positions = log.append(&topic, records.clone()).unwrap();
    for (record, pos) in records.iter().zip(&positions) {
        assert_eq!(
            pos.partition,
            partition_for_key(&record.key, 4),
            "key {:?}",
            record.key
        );
        let stored = read_all(log, &topic, pos.partition);
        let found = stored
            .iter()
            .find(|s| s.offset == pos.offset)
            .expect("record at its position");
        assert_eq!(found.key, record.key);
        assert_eq!(found.value, record.value);
        assert_eq!(found.timestamp_ms, record.timestamp_ms);
        assert_eq!(found.headers, record.headers);
    }
}

pub fn offsets_are_dense_and_ordered_per_partition(log: &dyn EventLog) {
    let topic = created(log, "order", 2);
    let mut expected: Vec<Vec<Vec<u8>>> = vec![Vec::new(), Vec::new()];
    for batch in 0..5 {
        let records: Vec<Record> = (0..40)
            .map(|i| {
                let key = format!("customer-{}", i % 7);
                Record::new(
                    key.clone(),
                    format!("{batch}:{i}").into_bytes(),
                    1_700_000_000_000 + i,
                )
            })
            .collect();
        for r in &records {
            expected[partition_for_key(&r.key, 2) as usize].push(r.value.clone());
        }
        log.append(&topic, records).unwrap();
    }
    for p in 0..2u32 {
        let stored = read_all(log, &topic, p);
        let offsets: Vec<u64> = stored.iter().map(|r| r.offset).collect();
        let first = offsets.first().copied().unwrap_or(0);
        assert_eq!(
            offsets,
            (first..first + offsets.len() as u64).collect::<Vec<_>>(),
            "partition {p} offsets are dense"
        );
        let values: Vec<Vec<u8>> = stored.into_iter().map(|r| r.value).collect();
        assert_eq!(
            values, expected[p as usize],
            "partition {p} keeps append order"
        );
    }
}

pub fn readers_follow_the_tail(log: &dyn EventLog) {
    let topic = created(log, "follow", 1);
    log.append(&topic, vec![Record::new("k", "first", 1)])
        .unwrap();
    let mut reader = log.reader(&topic, 0, 0).unwrap();
    let first = reader.next_batch(10, Duration::from_secs(10)).unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(reader.position(), first[0].offset + 1);
    // Nothing new: an empty answer after the wait.
    assert!(reader
        .next_batch(10, Duration::from_millis(200))
        .unwrap()
        .is_empty());
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(300));
            log.append(&topic, vec![Record::new("k", "second", 2)])
                .unwrap();
        });
        let mut got = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while got.is_empty() && std::time::Instant::now() < deadline {
            got = reader.next_batch(10, Duration::from_secs(5)).unwrap();
        }
        assert_eq!(
            got.len(),
            1,
            "the reader sees the record appended while it waited"
        );
        assert_eq!(got[0].value, b"second");
    });
}

pub fn seek_by_time_is_exact_after_filtering(log: &dyn EventLog) {
    let topic = created(log, "time", 1);
    // Event times out of order, as late events arrive.
    let times = [1_000, 5_000, 2_000, 9_000, 3_000, 7_000, 8_000, 4_000];
    let records: Vec<Record> = times
        .iter()
        .map(|t| Record::new("same-key", t.to_string(), *t))
        .collect();
    log.append(&topic, records).unwrap();
    let seek = log.offset_for_time(&topic, 0, 6_000).unwrap();
    // Offset 3 (9_000) is the first at or past 6_000; a broker may answer earlier, never later.
    let low = log.watermarks(&topic, 0).unwrap().low;
    assert!(
        seek <= low + 3,
        "seek {seek} must not skip the first record at or after the time"
    );
    let mut got = Vec::new();
    let range = TimeRange {
        from_ms: Some(3_000),
        to_ms: Some(8_000),
    };
    scrm_log::read_range(log, &topic, 0, range, |r| {
        got.push(r.timestamp_ms);
        Ok(())
    })
    .unwrap();
    assert_eq!(
        got,
        vec![5_000, 3_000, 7_000, 4_000],
        "exactly the records in [3000, 8000), in offset order"
    );
    // Past the last record: the end, or (on Tansu) an earlier offset that filtering corrects.
    assert!(
        log.offset_for_time(&topic, 0, 10_000).unwrap() <= log.watermarks(&topic, 0).unwrap().high
    );
    let mut late = 0;
    let after = TimeRange {
        from_ms: Some(10_000),
        to_ms: None,
    };
    scrm_log::read_range(log, &topic, 0, after, |_| {
        late += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(late, 0);
}

pub fn watermarks_track_appends(log: &dyn EventLog) {
    let topic = created(log, "marks", 1);
    let before = log.watermarks(&topic, 0).unwrap();
    assert_eq!(before.low, before.high, "a new partition is empty");
    log.append(
        &topic,
        (0..25)
            .map(|i| Record::new("k", vec![i], i64::from(i)))
            .collect(),
    )
    .unwrap();
    let after = log.watermarks(&topic, 0).unwrap();
    assert_eq!(after.high - before.high, 25);
    assert_eq!(after.low, before.low);
}

pub fn unknown_topics_and_partitions_are_named(log: &dyn EventLog) {
    let missing = unique_topic("missing");
    let err = log
        .append(&missing, vec![Record::new("k", "v", 0)])
        .unwrap_err();
    assert!(matches!(err, LogError::UnknownTopic { .. }), "{err}");
    assert!(err.to_string().contains(&missing));
    let topic = created(log, "parts", 2);
    let err = log.reader(&topic, 5, 0).err().expect("no partition 5");
    assert!(err.to_string().contains("partition 5"), "{err}");
}

pub fn explicit_partitions_are_honoured(log: &dyn EventLog) {
    let topic = created(log, "explicit", 3);
    let mut record = Record::new("any", "v", 0);
    record.partition = Some(2);
    let pos = log.append(&topic, vec![record.clone()]).unwrap();
    assert_eq!(pos[0].partition, 2);
    record.partition = Some(3);
    assert!(matches!(
        log.append(&topic, vec![record]),
        Err(LogError::UnknownPartition { partition: 3, .. })
    ));
}

/// A reader started at any offset, also one inside a batch the broker stored whole, returns
/// exactly the records from there: none skipped, none before.
pub fn readers_start_exactly_where_asked(log: &dyn EventLog) {
    let topic = created(log, "mid", 1);
    let records: Vec<Record> = (0..500)
        .map(|i| {
            Record::new(
                b"k".to_vec(),
                format!("{i}").into_bytes(),
                1_700_000_000_000 + i,
            )
        })
        .collect();
    log.append(&topic, records).unwrap();
    for from in [0u64, 1, 137, 250, 499] {
        let mut reader = log.reader(&topic, 0, from).unwrap();
        let mut got = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while reader.position() < 500 && std::time::Instant::now() < deadline {
            got.extend(
                reader
                    .next_batch(1_000, Duration::from_millis(500))
                    .unwrap(),
            );
        }
        let offsets: Vec<u64> = got.iter().map(|r| r.offset).collect();
        assert_eq!(
            offsets,
            (from..500).collect::<Vec<_>>(),
            "reading from {from}"
        );
        assert_eq!(got[0].value, format!("{from}").into_bytes());
    }
}
