//! A fresh embedded log and state store in a folder, as the processor and the WhatsApp
//! edge tests set them up (feature `embedded`).

use std::path::Path;
use std::sync::Arc;

use std::time::Duration;

use scrm_log::{EmbeddedLog, EmbeddedOptions, EventLog, StoredRecord, TopicSpec};
use scrm_schema::TopicKind;
use scrm_state::{RocksOptions, RocksStore, StateStore};

/// An embedded log in `dir` with every scrm topic, unprefixed, of `partitions` partitions
/// (the state changelog compacted, nothing expiring).
pub fn embedded_log(dir: &Path, partitions: u32) -> Arc<dyn EventLog> {
    let log = EmbeddedLog::open(dir, EmbeddedOptions::default()).expect("opening the log");
    for kind in TopicKind::ALL {
        log.ensure_topic(&TopicSpec {
            name: kind.name(""),
            partitions,
            retention_ms: None,
            compact: kind == TopicKind::StateChangelog,
        })
        .expect("creating a topic");
    }
    Arc::new(log)
}

/// A RocksDB state store in `dir`, with default options.
pub fn rocks_store(dir: &Path) -> Arc<dyn StateStore> {
    Arc::new(RocksStore::open(dir, &RocksOptions::default()).expect("opening the store"))
}

/// Every record of `topic` up to its end now, partition by partition.
pub fn read_all(log: &dyn EventLog, topic: &str, partitions: u32) -> Vec<StoredRecord> {
    let mut out = Vec::new();
    for p in 0..partitions {
        let high = log.watermarks(topic, p).expect("watermarks").high;
        let mut reader = log.reader(topic, p, 0).expect("a reader");
        while reader.position() < high {
            out.extend(
                reader
                    .next_batch(1000, Duration::from_millis(100))
                    .expect("reading"),
            );
        }
    }
    out
}
