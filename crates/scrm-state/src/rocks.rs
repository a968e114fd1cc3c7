//! The RocksDB [`StateStore`]: one column family per [`Table`].
//!
//! Memory is bounded by configuration, not by the number of customers: one shared LRU block
//! cache (`block_cache_bytes`) for reads, and at most `max_write_buffers` memtables of
//! `write_buffer_bytes` per column family for writes, so the ceiling is about
//! `block_cache + 4 tables × max_write_buffers × write_buffer` plus RocksDB's index and
//! filter blocks, which are charged to the block cache.

use std::path::{Path, PathBuf};

use rocksdb::{BlockBasedOptions, Cache, ColumnFamilyDescriptor, Options, WriteOptions, DB};

use crate::keys::Table;
use crate::store::{Batch, Op, Scan, StateStore, StoreError};

/// Tuning of the state store.
#[derive(Debug, Clone)]
pub struct RocksOptions {
    pub block_cache_bytes: usize,
    pub write_buffer_bytes: usize,
    pub max_write_buffers: i32,
}

impl Default for RocksOptions {
    fn default() -> Self {
        Self {
            block_cache_bytes: 64 << 20,
            write_buffer_bytes: 16 << 20,
            max_write_buffers: 2,
        }
    }
}

pub struct RocksStore {
    db: DB,
    path: PathBuf,
}

impl std::fmt::Debug for RocksStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksStore")
            .field("path", &self.path)
            .finish()
    }
}

fn options(tuning: &RocksOptions) -> Options {
    let mut opts = Options::default();
    opts.create_if_missing(true);
    opts.create_missing_column_families(true);
    opts.set_write_buffer_size(tuning.write_buffer_bytes);
    opts.set_max_write_buffer_number(tuning.max_write_buffers);
    opts.set_compression_type(rocksdb::DBCompressionType::Lz4);
    let mut table = BlockBasedOptions::default();
    table.set_block_cache(&Cache::new_lru_cache(tuning.block_cache_bytes));
    table.set_cache_index_and_filter_blocks(true);
    table.set_bloom_filter(10.0, false);
    opts.set_block_based_table_factory(&table);
    opts
}

impl RocksStore {
    /// Opens (or creates) the store in `path`.
    pub fn open(path: &Path, tuning: &RocksOptions) -> Result<Self, StoreError> {
        std::fs::create_dir_all(path).map_err(|e| storage_err(path, e))?;
        let opts = options(tuning);
        let cfs = Table::ALL.map(|t| ColumnFamilyDescriptor::new(t.name(), opts.clone()));
        let db = DB::open_cf_descriptors(&opts, path, cfs).map_err(|e| {
            if e.to_string().contains("lock") {
                StoreError::Locked {
                    path: path.display().to_string(),
                }
            } else {
                storage_err(path, e)
            }
        })?;
        Ok(Self {
            db,
            path: path.to_owned(),
        })
    }

    /// Opens the store read-only beside the process that owns it (for `scrm customer`).
    /// What it sees is the state as of opening.
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        if !path.exists() {
            return Err(storage_err(path, "no state here (has `scrm process` run?)"));
        }
        let opts = options(&RocksOptions::default());
        let db = DB::open_cf_for_read_only(&opts, path, Table::ALL.map(Table::name), false)
            .map_err(|e| storage_err(path, e))?;
        Ok(Self {
            db,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn cf(&self, table: Table) -> &rocksdb::ColumnFamily {
        self.db
            .cf_handle(table.name())
            .expect("column families are created at open")
    }
}

fn storage_err(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Storage {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

impl StateStore for RocksStore {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.db
            .get_cf(self.cf(table), key)
            .map_err(|e| storage_err(&self.path, e))
    }

    fn scan(
        &self,
        table: Table,
        from: &[u8],
        to: &[u8],
        visit: &mut dyn FnMut(&[u8], &[u8]) -> Scan,
    ) -> Result<(), StoreError> {
        let mut read = rocksdb::ReadOptions::default();
        read.set_iterate_lower_bound(from.to_vec());
        read.set_iterate_upper_bound(to.to_vec());
        let mut it = self.db.raw_iterator_cf_opt(self.cf(table), read);
        it.seek(from);
        while it.valid() {
            let (k, v) = (it.key().expect("valid"), it.value().expect("valid"));
            if visit(k, v) == Scan::Stop {
                return Ok(());
            }
            it.next();
        }
        it.status().map_err(|e| storage_err(&self.path, e))
    }

    fn write(&self, batch: Batch, sync: bool) -> Result<(), StoreError> {
        let mut wb = rocksdb::WriteBatch::default();
        for op in batch.ops {
            match op {
                Op::Put(t, k, v) => wb.put_cf(self.cf(t), k, v),
                Op::Delete(t, k) => wb.delete_cf(self.cf(t), k),
                Op::DeleteRange(t, from, to) => wb.delete_range_cf(self.cf(t), from, to),
            }
        }
        let mut opts = WriteOptions::default();
        opts.set_sync(sync);
        self.db
            .write_opt(wb, &opts)
            .map_err(|e| storage_err(&self.path, e))
    }
}
