//! The ids the gateway has already appended, so Meta's retries never double-count.
//!
//! Meta retries a webhook it got no 200 for, for up to 7 days, and may deliver the same
//! one twice anyway. Each event has an id from its content (the `wamid` of a message,
//! `wamid:status:timestamp` of a status), kept here in a small RocksDB for the retention
//! (7 days by default; RocksDB's TTL compaction forgets older ones). A request first
//! *claims* its ids — taken ids, and ids another request is appending right now, are
//! duplicates — and marks them seen only after its append is durable. A failed append
//! releases the claim, so the retry is not mistaken for a duplicate.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use rocksdb::{Options, WriteBatch, DB};

/// The seen-ids store.
pub struct Seen {
    db: DB,
    in_flight: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seen")
            .field("in_flight", &self.in_flight.lock().len())
            .finish()
    }
}

impl Seen {
    /// Opens (or creates) the store in `dir`; ids are forgotten after about `retention`.
    pub fn open(dir: &Path, retention: Duration) -> Result<Arc<Self>, rocksdb::Error> {
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
        let db = DB::open_with_ttl(&opts, dir, retention)?;
        Ok(Arc::new(Seen {
            db,
            in_flight: Mutex::new(HashSet::new()),
        }))
    }

    /// Claims `ids`: for each, whether it is new (neither appended before nor being
    /// appended by another request). New ids stay claimed until the [`Claim`] is committed
    /// or dropped. An id repeated within `ids` is new only the first time.
    pub fn claim(self: &Arc<Self>, ids: &[&str]) -> Result<Claim, rocksdb::Error> {
        let stored = self.db.multi_get(ids.iter().map(|id| id.as_bytes()));
        let mut in_flight = self.in_flight.lock();
        let mut fresh = Vec::with_capacity(ids.len());
        let mut claimed = Vec::new();
        for (id, stored) in ids.iter().zip(stored) {
            let new = stored?.is_none() && in_flight.insert((*id).to_owned());
            if new {
                claimed.push((*id).to_owned());
            }
            fresh.push(new);
        }
        Ok(Claim {
            seen: self.clone(),
            ids: claimed,
            fresh,
        })
    }

    fn mark(&self, ids: &[String]) -> Result<(), rocksdb::Error> {
        let mut batch = WriteBatch::default();
        for id in ids {
            batch.put(id.as_bytes(), []);
        }
        // Not synced: losing the last marks in a crash means a retry is appended again,
        // never that an event is lost.
        self.db.write(batch)
    }

    fn release(&self, ids: &[String]) {
        let mut in_flight = self.in_flight.lock();
        for id in ids {
            in_flight.remove(id);
        }
    }
}

/// Ids a request claimed; released on drop unless committed.
#[derive(Debug)]
pub struct Claim {
    seen: Arc<Seen>,
    ids: Vec<String>,
    fresh: Vec<bool>,
}

impl Claim {
    /// For each id passed to [`Seen::claim`], whether it is new.
    pub fn fresh(&self) -> &[bool] {
        &self.fresh
    }

    /// The events are durable: remember their ids.
    pub fn commit(mut self) -> Result<(), rocksdb::Error> {
        let ids = std::mem::take(&mut self.ids);
        let result = self.seen.mark(&ids);
        self.seen.release(&ids);
        result
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.seen.release(&self.ids);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_new_once_and_stay_taken_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let seen = Seen::open(dir.path(), Duration::from_secs(3600)).unwrap();
            let claim = seen.claim(&["a", "b", "a"]).unwrap();
            assert_eq!(claim.fresh(), [true, true, false]);
            // Another request meanwhile: both are being appended.
            assert_eq!(seen.claim(&["a", "c"]).unwrap().fresh(), [false, true]);
            claim.commit().unwrap();
        }
        let seen = Seen::open(dir.path(), Duration::from_secs(3600)).unwrap();
        assert_eq!(
            seen.claim(&["a", "b", "c"]).unwrap().fresh(),
            [false, false, true]
        );
    }

    #[test]
    fn a_dropped_claim_leaves_the_ids_new() {
        let dir = tempfile::tempdir().unwrap();
        let seen = Seen::open(dir.path(), Duration::from_secs(3600)).unwrap();
        drop(seen.claim(&["x"]).unwrap());
        assert_eq!(seen.claim(&["x"]).unwrap().fresh(), [true]);
    }
}
