//! What one delivery worker has done, on local disk in one RocksDB, so each delivered
//! batch is one atomic, synced write.
//!
//! Keys have a kind byte first and big-endian fixed-width fields after it (the encoding of
//! `scrm_state::keys`: a signed time is stored with its sign bit flipped, so byte order is
//! time order):
//!
//! | kind | key | value |
//! |---|---|---|
//! | `0x01` offsets | topic, `0x00`, partition (u32) | next offset to read (u64) |
//! | `0x02` done ids | bucket start (time), id | [`DoneEntry`] |
//! | `0x03` waiting work | due time, id | [`Waiting`] |
//! | `0x04` outbox | sequence (u64) | [`Owed`] |
//!
//! Done ids are kept by the time they were finished, in buckets of an eighth of the
//! horizon: looking an id up reads one key per live bucket (about nine), and forgetting
//! everything older than the horizon is one range delete. An id is remembered for at least
//! the horizon: a lookup ignores entries older than it even before their bucket goes.
//! Values are postcard, a compact binary serde format.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use rocksdb::{Direction, IteratorMode, Options, WriteBatch, WriteOptions, DB};
use scrm_log::Record;
use scrm_state::keys::{time_bytes, time_from_bytes};
use serde::{Deserialize, Serialize};

const OFFSET: u8 = 0x01;
const DONE: u8 = 0x02;
const WAITING: u8 = 0x03;
const OUTBOX: u8 = 0x04;

/// The ledger could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("ledger {path}: {source}")]
    Db {
        path: String,
        #[source]
        source: rocksdb::Error,
    },
    #[error("ledger {path} holds entries of another format (a ledger of an older scrm?); move it away or point the worker at a new directory")]
    Foreign { path: String },
    #[error("ledger {path}: corrupt entry {key}: {reason}")]
    Corrupt {
        path: String,
        /// The key, in hex.
        key: String,
        reason: String,
    },
}

/// What was recorded when an id was finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoneEntry {
    /// When, on the worker's clock.
    pub at_ms: i64,
    /// What became of it (a wamid, `dead`, `waiting`, a CRM's record id).
    pub note: String,
}

/// A record waiting for its time: a retry or deferred work. It keeps the record as read,
/// so the destination routes it again when it is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    pub id: String,
    /// Attempts made so far.
    pub attempt: u32,
    /// Why it waits (the last answer).
    pub reason: String,
    pub partition: u32,
    pub offset: u64,
    pub key: Vec<u8>,
    pub value: Vec<u8>,
    pub timestamp_ms: i64,
    pub headers: Vec<(String, Vec<u8>)>,
}

/// A record owed to the log, and its topic. Stored as postcard, which writes fields in
/// order without names: the same bytes as the topic followed by the record's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owed {
    pub topic: String,
    pub record: Record,
}

impl Owed {
    pub fn new(topic: &str, record: Record) -> Self {
        Owed {
            topic: topic.to_owned(),
            record,
        }
    }

    pub fn into_record(self) -> (String, Record) {
        (self.topic, self.record)
    }
}

/// An entry of the schedule that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The ledger key, to remove it in the batch that settles it.
    pub key: Vec<u8>,
    pub due_ms: i64,
    pub waiting: Waiting,
}

/// The ledger of one worker.
pub struct Ledger {
    db: DB,
    path: String,
    horizon_ms: i64,
    bucket_ms: i64,
    next_outbox: AtomicU64,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("path", &self.path)
            .field("horizon_ms", &self.horizon_ms)
            .finish()
    }
}

fn offset_key(topic: &str, partition: u32) -> Vec<u8> {
    let mut k = Vec::with_capacity(topic.len() + 6);
    k.push(OFFSET);
    k.extend_from_slice(topic.as_bytes());
    k.push(0);
    k.extend_from_slice(&partition.to_be_bytes());
    k
}

fn timed_key(kind: u8, ms: i64, id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(9 + id.len());
    k.push(kind);
    k.extend_from_slice(&time_bytes(ms));
    k.extend_from_slice(id.as_bytes());
    k
}

fn time_of(key: &[u8]) -> Option<i64> {
    key.get(1..9)
        .and_then(|t| <[u8; 8]>::try_from(t).ok())
        .map(time_from_bytes)
}

impl Ledger {
    /// Opens (or creates) the ledger in `dir`; finished ids are remembered `horizon_ms`.
    pub fn open(dir: &Path, horizon_ms: i64) -> Result<Self, LedgerError> {
        let path = dir.display().to_string();
        let mut opts = Options::default();
        opts.create_if_missing(true);
        let db = DB::open(&opts, dir).map_err(|source| LedgerError::Db {
            path: path.clone(),
            source,
        })?;
        let horizon_ms = horizon_ms.max(1);
        let ledger = Ledger {
            db,
            path,
            horizon_ms,
            bucket_ms: (horizon_ms / 8).max(1),
            next_outbox: AtomicU64::new(0),
        };
        // A key past the last kind is not ours: refuse rather than start from offset 0
        // and deliver everything again.
        let foreign = {
            let mut it = ledger.db.raw_iterator();
            it.seek([OUTBOX + 1]);
            it.valid()
        };
        if foreign {
            return Err(LedgerError::Foreign { path: ledger.path });
        }
        // The outbox's next sequence follows its last entry.
        let next = {
            let mut last = ledger.db.raw_iterator();
            last.seek_for_prev([OUTBOX, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
            match last.key().filter(|k| k.first() == Some(&OUTBOX)) {
                None => 0,
                Some(key) => key
                    .get(1..9)
                    .and_then(|s| <[u8; 8]>::try_from(s).ok())
                    .map(|s| u64::from_be_bytes(s) + 1)
                    .ok_or_else(|| ledger.corrupt(key, "outbox key is not 9 bytes"))?,
            }
        };
        ledger.next_outbox.store(next, Ordering::Relaxed);
        Ok(ledger)
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn horizon_ms(&self) -> i64 {
        self.horizon_ms
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
            key: key.iter().map(|b| format!("{b:02x}")).collect(),
            reason: reason.into(),
        }
    }

    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        key: &[u8],
        value: &[u8],
    ) -> Result<T, LedgerError> {
        postcard::from_bytes(value).map_err(|e| self.corrupt(key, e.to_string()))
    }

    /// Calls `f` on each entry of `kind`, in key order, while it returns `Ok(true)`.
    fn scan(
        &self,
        kind: u8,
        mut f: impl FnMut(&[u8], &[u8]) -> Result<bool, LedgerError>,
    ) -> Result<(), LedgerError> {
        for item in self
            .db
            .iterator(IteratorMode::From(&[kind], Direction::Forward))
        {
            let (k, v) = item.map_err(|e| self.db_error(e))?;
            if k.first() != Some(&kind) || !f(&k, &v)? {
                break;
            }
        }
        Ok(())
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

    fn bucket(&self, ms: i64) -> i64 {
        ms.div_euclid(self.bucket_ms) * self.bucket_ms
    }

    /// What was recorded when `id` was finished, if that was within the horizon of `now_ms`.
    pub fn done(&self, id: &str, now_ms: i64) -> Result<Option<DoneEntry>, LedgerError> {
        let cutoff = now_ms.saturating_sub(self.horizon_ms);
        let mut keys = Vec::new();
        let mut bucket = self.bucket(cutoff);
        while bucket <= now_ms {
            keys.push(timed_key(DONE, bucket, id));
            bucket = bucket.saturating_add(self.bucket_ms);
        }
        let mut latest: Option<DoneEntry> = None;
        for (key, value) in keys.iter().zip(self.db.multi_get(&keys)) {
            let Some(value) = value.map_err(|e| self.db_error(e))? else {
                continue;
            };
            let entry: DoneEntry = self.decode(key, &value)?;
            if entry.at_ms >= cutoff && latest.as_ref().is_none_or(|l| entry.at_ms >= l.at_ms) {
                latest = Some(entry);
            }
        }
        Ok(latest)
    }

    /// Waiting work due at or before `now_ms`, earliest first, at most `max`. Reads only
    /// what it returns: the schedule is in due-time order.
    pub fn due(&self, now_ms: i64, max: usize) -> Result<Vec<Due>, LedgerError> {
        let mut out = Vec::new();
        self.scan(WAITING, |key, value| {
            let due_ms = time_of(key).ok_or_else(|| self.corrupt(key, "short schedule key"))?;
            if out.len() >= max || due_ms > now_ms {
                return Ok(false);
            }
            out.push(Due {
                key: key.to_vec(),
                due_ms,
                waiting: self.decode(key, value)?,
            });
            Ok(true)
        })?;
        Ok(out)
    }

    /// When the earliest waiting work is due, if any waits.
    pub fn next_due(&self) -> Result<Option<i64>, LedgerError> {
        let mut next = None;
        self.scan(WAITING, |key, _| {
            next = time_of(key);
            Ok(false)
        })?;
        Ok(next)
    }

    /// How many records wait for their time (a walk over the schedule's keys).
    pub fn waiting(&self) -> Result<usize, LedgerError> {
        let mut n = 0;
        self.scan(WAITING, |_, _| {
            n += 1;
            Ok(true)
        })?;
        Ok(n)
    }

    /// Records owed to the log, oldest first, with their ledger keys.
    pub fn owed(&self) -> Result<Vec<(Vec<u8>, Owed)>, LedgerError> {
        let mut out = Vec::new();
        self.scan(OUTBOX, |key, value| {
            out.push((key.to_vec(), self.decode(key, value)?));
            Ok(true)
        })?;
        Ok(out)
    }

    /// A batch of changes, written atomically by [`Ledger::write`].
    pub fn batch(&self) -> LedgerBatch<'_> {
        LedgerBatch {
            ledger: self,
            batch: WriteBatch::default(),
        }
    }

    /// Writes `batch` atomically; synced when `sync` (a delivered batch), or only to the
    /// write-ahead log (forgetting appended outbox entries: a process crash keeps that
    /// write, an OS crash at worst appends them again).
    pub fn write(&self, batch: LedgerBatch<'_>, sync: bool) -> Result<(), LedgerError> {
        let mut opts = WriteOptions::default();
        opts.set_sync(sync);
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

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Only I/O can fail postcard's serializer, and it writes to memory.
    postcard::to_stdvec(value).expect("ledger entries serialize")
}

impl LedgerBatch<'_> {
    pub fn is_empty(&self) -> bool {
        self.batch.is_empty()
    }

    pub fn offset(&mut self, topic: &str, partition: u32, next: u64) -> &mut Self {
        self.batch
            .put(offset_key(topic, partition), next.to_be_bytes());
        self
    }

    /// Records `id` as finished at `at_ms`.
    pub fn done(&mut self, id: &str, at_ms: i64, note: &str) -> &mut Self {
        let key = timed_key(DONE, self.ledger.bucket(at_ms), id);
        let entry = DoneEntry {
            at_ms,
            note: note.to_owned(),
        };
        self.batch.put(key, encode(&entry));
        self
    }

    /// Forgets every finished id older than the horizon of `now_ms`, by whole buckets: one
    /// range delete.
    pub fn expire_done(&mut self, now_ms: i64) -> &mut Self {
        let first_live = self
            .ledger
            .bucket(now_ms.saturating_sub(self.ledger.horizon_ms));
        let mut to = vec![DONE];
        to.extend_from_slice(&time_bytes(first_live));
        self.batch.delete_range(vec![DONE], to);
        self
    }

    pub fn schedule(&mut self, due_ms: i64, waiting: &Waiting) -> &mut Self {
        self.batch
            .put(timed_key(WAITING, due_ms, &waiting.id), encode(waiting));
        self
    }

    /// Removes a ledger entry (a due item, an appended outbox record).
    pub fn remove(&mut self, key: &[u8]) -> &mut Self {
        self.batch.delete(key);
        self
    }

    /// Owes a record to the log.
    pub fn owe(&mut self, owed: &Owed) -> &mut Self {
        let seq = self.ledger.next_outbox.fetch_add(1, Ordering::Relaxed);
        let mut key = vec![OUTBOX];
        key.extend_from_slice(&seq.to_be_bytes());
        self.batch.put(key, encode(owed));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    #[test]
    fn an_owed_record_is_its_topic_then_the_record_fields() {
        let mut record = Record::new(b"k".to_vec(), b"v".to_vec(), 7);
        record.headers = vec![("h".into(), b"1".to_vec())];
        record.partition = Some(2);
        let flat = (
            "t",
            b"k".to_vec(),
            b"v".to_vec(),
            7i64,
            vec![("h", b"1".to_vec())],
            Some(2u32),
        );
        let owed = Owed::new("t", record);
        let bytes = postcard::to_stdvec(&owed).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&flat).unwrap());
        assert_eq!(postcard::from_bytes::<Owed>(&bytes).unwrap(), owed);
    }

    fn waiting(id: &str) -> Waiting {
        Waiting {
            id: id.into(),
            attempt: 1,
            reason: "429".into(),
            partition: 0,
            offset: 3,
            key: b"+1".to_vec(),
            value: id.as_bytes().to_vec(),
            timestamp_ms: 5,
            headers: vec![("h".into(), b"v".to_vec())],
        }
    }

    #[test]
    fn offsets_done_ids_schedules_and_the_outbox_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let now = 1_000 * DAY;
        {
            let ledger = Ledger::open(dir.path(), 7 * DAY).unwrap();
            let mut batch = ledger.batch();
            let dlq = Record::new(b"k".to_vec(), b"letter".to_vec(), 9).with_header("why", "x");
            batch
                .offset("t", 1, 42)
                .done("trigger-1", now, "wamid.A")
                .schedule(now + 2_000, &waiting("late"))
                .schedule(-5, &waiting("early"))
                .owe(&Owed::new(
                    "conv",
                    Record::new(b"+1".to_vec(), b"v1".to_vec(), 7),
                ))
                .owe(&Owed::new("dlq", dlq));
            ledger.write(batch, true).unwrap();
        }
        let ledger = Ledger::open(dir.path(), 7 * DAY).unwrap();
        assert_eq!(ledger.offset("t", 1).unwrap(), 42);
        assert_eq!(ledger.offset("t", 0).unwrap(), 0);
        assert_eq!(ledger.offset("t2", 1).unwrap(), 0);
        let done = ledger.done("trigger-1", now).unwrap().unwrap();
        assert_eq!((done.at_ms, done.note.as_str()), (now, "wamid.A"));
        assert_eq!(ledger.done("trigger-2", now).unwrap(), None);
        let due = ledger.due(now, 10).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].waiting.id.as_str(), due[0].due_ms), ("early", -5));
        assert_eq!(due[0].waiting, waiting("early"));
        assert_eq!(ledger.next_due().unwrap(), Some(-5));
        assert_eq!(ledger.due(now + 3_000, 10).unwrap().len(), 2);
        assert_eq!(ledger.due(now + 3_000, 1).unwrap().len(), 1);
        assert_eq!(ledger.waiting().unwrap(), 2);
        let owed = ledger.owed().unwrap();
        assert_eq!(owed.len(), 2);
        let (topic, letter) = owed[1].1.clone().into_record();
        assert_eq!(topic, "dlq");
        assert_eq!(letter.headers, [("why".to_owned(), b"x".to_vec())]);
        // New outbox entries come after the old ones.
        let mut batch = ledger.batch();
        batch.owe(&Owed::new(
            "conv",
            Record::new(b"+3".to_vec(), b"v3".to_vec(), 9),
        ));
        batch.remove(&owed[0].0);
        ledger.write(batch, false).unwrap();
        let values: Vec<Vec<u8>> = ledger
            .owed()
            .unwrap()
            .into_iter()
            .map(|(_, o)| o.record.value)
            .collect();
        assert_eq!(values, [b"letter".to_vec(), b"v3".to_vec()]);
    }

    #[test]
    fn a_done_id_is_kept_within_the_horizon_and_forgotten_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(dir.path(), 7 * DAY).unwrap();
        let t = 20_000 * DAY + 12_345;
        let mut batch = ledger.batch();
        batch
            .done("old", t, "sent")
            .done("new", t + 3 * DAY, "sent");
        ledger.write(batch, true).unwrap();

        // Just inside the horizon: kept.
        let edge = t + 7 * DAY - 1;
        assert!(ledger.done("old", edge).unwrap().is_some());
        // At the horizon: forgotten, even before its bucket is deleted.
        assert!(ledger.done("old", t + 7 * DAY + 1).unwrap().is_none());

        // Expiry deletes whole buckets older than the horizon, and only those.
        let later = t + 8 * DAY;
        let mut batch = ledger.batch();
        batch.expire_done(later);
        ledger.write(batch, true).unwrap();
        assert!(ledger.done("new", later).unwrap().is_some());
        let mut left = Vec::new();
        ledger
            .scan(DONE, |k, _| {
                left.push(String::from_utf8_lossy(&k[9..]).into_owned());
                Ok(true)
            })
            .unwrap();
        assert_eq!(left, ["new"], "the old id's entry is gone from disk");

        // An id finished again later is remembered from then.
        let mut batch = ledger.batch();
        batch.done("new", later, "again");
        ledger.write(batch, true).unwrap();
        let entry = ledger.done("new", later + 6 * DAY).unwrap().unwrap();
        assert_eq!(entry.note, "again");
    }
}
