//! The storage trait the processor is written against.

use std::fmt;

use thiserror::Error;

use crate::keys::Table;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("state store at {path}: {reason}")]
    Storage { path: String, reason: String },
    #[error("state store at {path} is in use by another scrm process")]
    Locked { path: String },
    #[error("corrupt {table:?} row: {reason}")]
    Corrupt { table: Table, reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    Put(Table, Vec<u8>, Vec<u8>),
    Delete(Table, Vec<u8>),
    /// Deletes `[from, to)`.
    DeleteRange(Table, Vec<u8>, Vec<u8>),
}

/// Writes applied together or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub(crate) ops: Vec<Op>,
}

impl Batch {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn put(&mut self, table: Table, key: Vec<u8>, value: Vec<u8>) {
        self.ops.push(Op::Put(table, key, value));
    }

    pub fn delete(&mut self, table: Table, key: Vec<u8>) {
        self.ops.push(Op::Delete(table, key));
    }

    pub fn delete_range(&mut self, table: Table, from: Vec<u8>, to: Vec<u8>) {
        self.ops.push(Op::DeleteRange(table, from, to));
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// A key and its value.
pub type Row = (Vec<u8>, Vec<u8>);

/// What `scan` does after a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    Continue,
    Stop,
}

/// Ordered key-value tables with atomic multi-table batches. Calls block (RocksDB); async
/// code calls them from `spawn_blocking` or a dedicated thread.
pub trait StateStore: Send + Sync + fmt::Debug {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// Visits the rows of `[from, to)` in key order until `visit` says stop.
    fn scan(
        &self,
        table: Table,
        from: &[u8],
        to: &[u8],
        visit: &mut dyn FnMut(&[u8], &[u8]) -> Scan,
    ) -> Result<(), StoreError>;

    /// Applies the batch atomically; with `sync`, durably (fsync) before returning.
    fn write(&self, batch: Batch, sync: bool) -> Result<(), StoreError>;

    /// The first row of `[from, to)`.
    fn first(&self, table: Table, from: &[u8], to: &[u8]) -> Result<Option<Row>, StoreError> {
        let mut found = None;
        self.scan(table, from, to, &mut |k, v| {
            found = Some((k.to_vec(), v.to_vec()));
            Scan::Stop
        })?;
        Ok(found)
    }
}
