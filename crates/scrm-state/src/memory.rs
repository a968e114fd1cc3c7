//! An in-memory [`StateStore`] for tests of the engine without disks.

use std::collections::BTreeMap;
use std::ops::Bound;

use parking_lot::RwLock;

use crate::keys::Table;
use crate::store::{Batch, Op, Scan, StateStore, StoreError};

/// Every table in one ordered map, keyed by (table, key).
type Rows = BTreeMap<(Table, Vec<u8>), Vec<u8>>;

#[derive(Debug, Default)]
pub struct MemoryStore {
    tables: RwLock<Rows>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of rows in `table`.
    pub fn len(&self, table: Table) -> usize {
        self.tables
            .read()
            .keys()
            .filter(|(t, _)| *t == table)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.tables.read().is_empty()
    }
}

impl StateStore for MemoryStore {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tables.read().get(&(table, key.to_vec())).cloned())
    }

    fn scan(
        &self,
        table: Table,
        from: &[u8],
        to: &[u8],
        visit: &mut dyn FnMut(&[u8], &[u8]) -> Scan,
    ) -> Result<(), StoreError> {
        let tables = self.tables.read();
        let range = (
            Bound::Included((table, from.to_vec())),
            Bound::Excluded((table, to.to_vec())),
        );
        if from >= to {
            return Ok(());
        }
        for ((_, k), v) in tables.range(range) {
            if visit(k, v) == Scan::Stop {
                break;
            }
        }
        Ok(())
    }

    fn write(&self, batch: Batch, _sync: bool) -> Result<(), StoreError> {
        let mut tables = self.tables.write();
        for op in batch.ops {
            match op {
                Op::Put(t, k, v) => {
                    tables.insert((t, k), v);
                }
                Op::Delete(t, k) => {
                    tables.remove(&(t, k));
                }
                Op::DeleteRange(t, from, to) => {
                    if from < to {
                        let doomed: Vec<_> = tables
                            .range((t, from)..(t, to))
                            .map(|(k, _)| k.clone())
                            .collect();
                        for k in doomed {
                            tables.remove(&k);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
