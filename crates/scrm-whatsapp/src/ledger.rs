//! What a consumer at the edge (the sender, the media fetcher) has done, kept on local disk
//! in one RocksDB so each step is one atomic, synced write:
//!
//! - `o` the next offset to read of each partition it follows;
//! - `d` ids it has finished (triggers sent, skipped or failed; media stored), so a
//!   re-read after a crash or a replayed topic never acts twice;
//! - `s` work waiting for its time (deferred triggers, retries), by due time;
//! - `x` the outbox: records it owes the log (the conversation events of its results),
//!   written in the same batch as the step that produced them and appended afterwards, so
//!   a crash between the two loses nothing.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use rocksdb::{Direction, IteratorMode, Options, WriteBatch, WriteOptions, DB};
use scrm_log::Record;
use serde::{Deserialize, Serialize};

/// The ledger could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("ledger {path}: {source}")]
    Db {
        path: String,
        #[source]
        source: rocksdb::Error,
    },
    #[error("ledger {path}: corrupt entry {key:?}: {reason}")]
    Corrupt {
        path: String,
        key: String,
        reason: String,
    },
}

/// A key and its value.
type Entry = (Vec<u8>, Vec<u8>);

/// The ledger of one consumer.
pub struct Ledger {
    db: DB,
    path: String,
    next_outbox: AtomicU64,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").field("path", &self.path).finish()
    }
}

/// A record owed to the log.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Owed {
    topic: String,
    key: String,
    value: String,
    timestamp_ms: i64,
}

/// Work waiting for its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The ledger key, to remove it once done.
    pub key: Vec<u8>,
    pub due_ms: i64,
    pub id: String,
    pub payload: Vec<u8>,
}

fn offset_key(topic: &str, partition: u32) -> Vec<u8> {
    let mut k = b"o".to_vec();
    k.extend_from_slice(topic.as_bytes());
    k.push(0);
    k.extend_from_slice(&partition.to_be_bytes());
    k
}

fn done_key(id: &str) -> Vec<u8> {
    let mut k = b"d".to_vec();
    k.extend_from_slice(id.as_bytes());
    k
}

fn schedule_key(due_ms: i64, id: &str) -> Vec<u8> {
    let mut k = b"s".to_vec();
    // Offset binary: big-endian bytes sort like the signed times.
    k.extend_from_slice(&((due_ms as u64) ^ (1 << 63)).to_be_bytes());
    k.extend_from_slice(id.as_bytes());
    k
}

impl Ledger {
    pub fn open(dir: &Path) -> Result<Self, LedgerError> {
        let path = dir.display().to_string();
        let mut opts = Options::default();
        opts.create_if_missing(true);
        let db = DB::open(&opts, dir).map_err(|source| LedgerError::Db {
            path: path.clone(),
            source,
        })?;
        let ledger = Ledger {
            db,
            path,
            next_outbox: AtomicU64::new(0),
        };
        let mut next = 0;
        ledger.scan(b"x", |k, _| {
            if let Some(seq) = k.get(1..9).and_then(|s| <[u8; 8]>::try_from(s).ok()) {
                next = u64::from_be_bytes(seq) + 1;
            }
            true
        })?;
        ledger.next_outbox.store(next, Ordering::Relaxed);
        Ok(ledger)
    }

    fn db_error(&self, source: rocksdb::Error) -> LedgerError {
        LedgerError::Db {
            path: self.path.clone(),
            source,
        }
    }

    fn corrupt(&self, key: &[u8], reason: impl Into<String>) -> LedgerError {
        LedgerError::Corrupt {
            path: self.path.clone(),
            key: String::from_utf8_lossy(key).into_owned(),
            reason: reason.into(),
        }
    }

    /// Calls `f` on each entry under `prefix`, in key order, while it returns true.
    fn scan(
        &self,
        prefix: &[u8],
        mut f: impl FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<(), LedgerError> {
        for item in self
            .db
            .iterator(IteratorMode::From(prefix, Direction::Forward))
        {
            let (k, v) = item.map_err(|e| self.db_error(e))?;
            if !k.starts_with(prefix) || !f(&k, &v) {
                break;
            }
        }
        Ok(())
    }

    fn prefixed(&self, prefix: &[u8]) -> Result<Vec<Entry>, LedgerError> {
        let mut out = Vec::new();
        self.scan(prefix, |k, v| {
            out.push((k.to_vec(), v.to_vec()));
            true
        })?;
        Ok(out)
    }

    /// The next offset to read of `topic`/`partition` (0 when new).
    pub fn offset(&self, topic: &str, partition: u32) -> Result<u64, LedgerError> {
        let key = offset_key(topic, partition);
        match self.db.get(&key).map_err(|e| self.db_error(e))? {
            None => Ok(0),
            Some(v) => {
                let bytes: [u8; 8] = v
                    .as_slice()
                    .try_into()
                    .map_err(|_| self.corrupt(&key, "offset is not 8 bytes"))?;
                Ok(u64::from_be_bytes(bytes))
            }
        }
    }

    /// What was recorded when `id` was finished, if it was.
    pub fn done(&self, id: &str) -> Result<Option<String>, LedgerError> {
        Ok(self
            .db
            .get(done_key(id))
            .map_err(|e| self.db_error(e))?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Waiting work due at or before `now_ms`, earliest first, at most `max`. Reads only
    /// what it returns: the schedule is in due-time order.
    pub fn due(&self, now_ms: i64, max: usize) -> Result<Vec<Due>, LedgerError> {
        let mut out = Vec::new();
        self.scan(b"s", |key, payload| {
            let Some(t) = key.get(1..9).and_then(|t| <[u8; 8]>::try_from(t).ok()) else {
                return false;
            };
            let due_ms = (u64::from_be_bytes(t) ^ (1 << 63)) as i64;
            if out.len() >= max || due_ms > now_ms {
                return false;
            }
            out.push(Due {
                key: key.to_vec(),
                due_ms,
                id: String::from_utf8_lossy(&key[9..]).into_owned(),
                payload: payload.to_vec(),
            });
            true
        })?;
        Ok(out)
    }

    /// How many items wait for their time (a walk over the schedule's keys).
    pub fn waiting(&self) -> Result<usize, LedgerError> {
        let mut n = 0;
        self.scan(b"s", |_, _| {
            n += 1;
            true
        })?;
        Ok(n)
    }

    /// Records owed to the log, oldest first, with their ledger keys.
    pub fn owed(&self) -> Result<Vec<(Vec<u8>, String, Record)>, LedgerError> {
        let mut out = Vec::new();
        for (key, value) in self.prefixed(b"x")? {
            let owed: Owed =
                serde_json::from_slice(&value).map_err(|e| self.corrupt(&key, e.to_string()))?;
            let decode = |s: &str| B64.decode(s).map_err(|e| self.corrupt(&key, e.to_string()));
            let record = Record::new(decode(&owed.key)?, decode(&owed.value)?, owed.timestamp_ms);
            out.push((key, owed.topic, record));
        }
        Ok(out)
    }

    /// Appends what the ledger owes the log, then forgets it. Fails with the topic and
    /// the error; what was not forgotten is appended again next time.
    pub fn flush(&self, log: &dyn scrm_log::EventLog) -> Result<(), (String, String)> {
        let owed = self.owed().map_err(|e| (String::new(), e.to_string()))?;
        if owed.is_empty() {
            return Ok(());
        }
        let mut batch = self.batch();
        let mut by_topic: std::collections::BTreeMap<String, Vec<Record>> = Default::default();
        for (key, topic, record) in owed {
            by_topic.entry(topic).or_default().push(record);
            batch.remove(&key);
        }
        for (topic, records) in by_topic {
            log.append(&topic, records)
                .map_err(|e| (topic.clone(), e.to_string()))?;
        }
        self.write(batch)
            .map_err(|e| (String::new(), e.to_string()))
    }

    /// A batch of changes, written atomically by [`Ledger::write`].
    pub fn batch(&self) -> LedgerBatch<'_> {
        LedgerBatch {
            ledger: self,
            batch: WriteBatch::default(),
        }
    }

    /// Writes `batch` durably (synced).
    pub fn write(&self, batch: LedgerBatch<'_>) -> Result<(), LedgerError> {
        let mut opts = WriteOptions::default();
        opts.set_sync(true);
        self.db
            .write_opt(batch.batch, &opts)
            .map_err(|e| self.db_error(e))
    }
}

/// Changes to write together.
pub struct LedgerBatch<'l> {
    ledger: &'l Ledger,
    batch: WriteBatch,
}

impl std::fmt::Debug for LedgerBatch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerBatch")
            .field("changes", &self.batch.len())
            .finish()
    }
}

impl LedgerBatch<'_> {
    pub fn offset(&mut self, topic: &str, partition: u32, next: u64) -> &mut Self {
        self.batch
            .put(offset_key(topic, partition), next.to_be_bytes());
        self
    }

    pub fn done(&mut self, id: &str, note: &str) -> &mut Self {
        self.batch.put(done_key(id), note.as_bytes());
        self
    }

    pub fn schedule(&mut self, due_ms: i64, id: &str, payload: &[u8]) -> &mut Self {
        self.batch.put(schedule_key(due_ms, id), payload);
        self
    }

    /// Removes a ledger entry (a due item, an appended outbox record).
    pub fn remove(&mut self, key: &[u8]) -> &mut Self {
        self.batch.delete(key);
        self
    }

    /// Owes `record` to `topic`.
    pub fn owe(&mut self, topic: &str, record: &Record) -> &mut Self {
        let seq = self.ledger.next_outbox.fetch_add(1, Ordering::Relaxed);
        let mut key = b"x".to_vec();
        key.extend_from_slice(&seq.to_be_bytes());
        let owed = Owed {
            topic: topic.to_owned(),
            key: B64.encode(&record.key),
            value: B64.encode(&record.value),
            timestamp_ms: record.timestamp_ms,
        };
        self.batch.put(
            key,
            serde_json::to_vec(&owed).expect("owed records serialize"),
        );
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_done_ids_schedules_and_the_outbox_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let ledger = Ledger::open(dir.path()).unwrap();
            let mut batch = ledger.batch();
            batch
                .offset("t", 1, 42)
                .done("trigger-1", "wamid.A")
                .schedule(2_000, "late", b"L")
                .schedule(-5, "early", b"E")
                .owe("conv", &Record::new(b"+1".to_vec(), b"v1".to_vec(), 7))
                .owe("conv", &Record::new(b"+2".to_vec(), b"v2".to_vec(), 8));
            ledger.write(batch).unwrap();
        }
        let ledger = Ledger::open(dir.path()).unwrap();
        assert_eq!(ledger.offset("t", 1).unwrap(), 42);
        assert_eq!(ledger.offset("t", 0).unwrap(), 0);
        assert_eq!(
            ledger.done("trigger-1").unwrap().as_deref(),
            Some("wamid.A")
        );
        assert_eq!(ledger.done("trigger-2").unwrap(), None);
        let due = ledger.due(1_000, 10).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].id.as_str(), due[0].due_ms), ("early", -5));
        assert_eq!(ledger.due(3_000, 10).unwrap().len(), 2);
        let owed = ledger.owed().unwrap();
        assert_eq!(owed.len(), 2);
        assert_eq!(owed[1].2.value, b"v2");
        // New outbox entries come after the old ones.
        let mut batch = ledger.batch();
        batch.owe("conv", &Record::new(b"+3".to_vec(), b"v3".to_vec(), 9));
        batch.remove(&owed[0].0);
        ledger.write(batch).unwrap();
        let owed: Vec<Vec<u8>> = ledger
            .owed()
            .unwrap()
            .into_iter()
            .map(|o| o.2.value)
            .collect();
        assert_eq!(owed, [b"v2".to_vec(), b"v3".to_vec()]);
    }
}
