//! Typed views of one partition's rows in the [`StateStore`]: customers, timers, outbox
//! and the partition's progress.
//!
//! Every scan here decodes each key (and value) it visits; a row that does not decode is
//! reported as [`ProcessError::CorruptState`] naming the table and the row, never taken for
//! the end of the table. A silently shortened scan would lose timers or customers without
//! a trace, so the "scan, decode, report corruption" loop is written once, in
//! [`scan_decoded`].

use std::sync::Arc;

use scrm_state::keys::{self, Table, TimerKey};
use scrm_state::store::Scan;
use scrm_state::{CustomerState, OutboxEntry, PartitionMeta, StateStore};

use crate::error::ProcessError;

/// One partition's tables.
#[derive(Debug, Clone)]
pub(crate) struct Tables {
    store: Arc<dyn StateStore>,
    partition: u32,
}

impl Tables {
    pub(crate) fn new(store: Arc<dyn StateStore>, partition: u32) -> Self {
        Self { store, partition }
    }

    pub(crate) fn store(&self) -> &Arc<dyn StateStore> {
        &self.store
    }

    /// The partition's progress, `None` before its first commit.
    pub(crate) fn meta(&self) -> Result<Option<PartitionMeta>, ProcessError> {
        let key = keys::partition_key(self.partition);
        match self.store.get(Table::Partitions, &key)? {
            Some(bytes) => PartitionMeta::decode(&bytes)
                .map(Some)
                .map_err(|e| corrupt(self.partition, Table::Partitions, &key, e)),
            None => Ok(None),
        }
    }

    /// The stored state of `customer`.
    pub(crate) fn customer(&self, customer: &str) -> Result<Option<CustomerState>, ProcessError> {
        let key = keys::customer_key(self.partition, customer)
            .map_err(|e| ProcessError::Internal(e.to_string()))?;
        match self.store.get(Table::Customers, &key)? {
            Some(bytes) => CustomerState::decode(&bytes).map(Some).map_err(|e| {
                corrupt(
                    self.partition,
                    Table::Customers,
                    &key,
                    format!("{customer}: {e}"),
                )
            }),
            None => Ok(None),
        }
    }

    /// Every stored customer of the partition, in key order (values not decoded).
    pub(crate) fn customer_names(&self) -> Result<Vec<String>, ProcessError> {
        let (from, to) = Table::Customers.partition_range(self.partition);
        let mut names = Vec::new();
        scan_decoded(
            self.store.as_ref(),
            self.partition,
            Table::Customers,
            &from,
            &to,
            |k, _| keys::parse_customer_key(k).map(|(_, c)| c),
            |customer| {
                names.push(customer);
                Scan::Continue
            },
        )?;
        Ok(names)
    }

    /// The first stored timer due at or before `until_ms` (all of them with `None`) that
    /// `skip` does not exclude.
    pub(crate) fn first_timer(
        &self,
        until_ms: Option<i64>,
        skip: impl Fn(&TimerKey) -> bool,
    ) -> Result<Option<TimerKey>, ProcessError> {
        let (from, end) = Table::Timers.partition_range(self.partition);
        let to = until_ms.map_or(end, |t| TimerKey::due_until(self.partition, t));
        let mut first = None;
        scan_decoded(
            self.store.as_ref(),
            self.partition,
            Table::Timers,
            &from,
            &to,
            |k, _| TimerKey::decode(k),
            |timer| {
                if skip(&timer) {
                    return Scan::Continue;
                }
                first = Some(timer);
                Scan::Stop
            },
        )?;
        Ok(first)
    }

    /// The outbox entries not yet appended, in sequence order.
    pub(crate) fn outbox(&self) -> Result<Vec<(u64, OutboxEntry)>, ProcessError> {
        outbox(self.store.as_ref(), self.partition)
    }
}

/// The outbox entries of `partition` not yet appended, in sequence order.
pub(crate) fn outbox(
    store: &dyn StateStore,
    partition: u32,
) -> Result<Vec<(u64, OutboxEntry)>, ProcessError> {
    let (from, to) = Table::Outbox.partition_range(partition);
    let mut entries = Vec::new();
    scan_decoded(
        store,
        partition,
        Table::Outbox,
        &from,
        &to,
        |k, v| {
            let (_, seq) = keys::parse_outbox_key(k).map_err(|e| e.to_string())?;
            let entry = OutboxEntry::decode(v).map_err(|e| e.to_string())?;
            Ok::<_, String>((seq, entry))
        },
        |row| {
            entries.push(row);
            Scan::Continue
        },
    )?;
    Ok(entries)
}

fn corrupt(
    partition: u32,
    table: Table,
    key: &[u8],
    reason: impl std::fmt::Display,
) -> ProcessError {
    ProcessError::CorruptState {
        partition,
        reason: format!("{} row {}: {reason}", table.name(), hex(key)),
    }
}

/// Visits the rows of `[from, to)` of `table`, each decoded by `decode`, until `visit` says
/// stop. A row `decode` refuses ends the scan with `CorruptState`.
pub(crate) fn scan_decoded<T, E: std::fmt::Display>(
    store: &dyn StateStore,
    partition: u32,
    table: Table,
    from: &[u8],
    to: &[u8],
    decode: impl Fn(&[u8], &[u8]) -> Result<T, E>,
    mut visit: impl FnMut(T) -> Scan,
) -> Result<(), ProcessError> {
    let mut corrupt_row = None;
    store.scan(table, from, to, &mut |k, v| match decode(k, v) {
        Ok(row) => visit(row),
        Err(e) => {
            corrupt_row = Some(corrupt(partition, table, k, e));
            Scan::Stop
        }
    })?;
    match corrupt_row {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scrm_state::{Batch, MemoryStore};

    fn tables_with(rows: &[(Table, Vec<u8>, Vec<u8>)]) -> Tables {
        let store = Arc::new(MemoryStore::new());
        let mut batch = Batch::new();
        for (table, k, v) in rows {
            batch.put(*table, k.clone(), v.clone());
        }
        store.write(batch, false).unwrap();
        Tables::new(store, 0)
    }

    fn timer(due_ms: i64, customer: &str) -> TimerKey {
        TimerKey {
            partition: 0,
            due_ms,
            customer: customer.into(),
            name: "lost".into(),
        }
    }

    /// A timer key without the NUL after the customer, sorted between two good ones.
    fn corrupt_timer_key(due_ms: i64) -> Vec<u8> {
        let mut k = timer(due_ms, "+1").encode().unwrap();
        k.truncate(k.len() - "lost".len() - 1);
        k
    }

    #[test]
    fn a_corrupt_timer_key_is_reported_not_taken_for_the_end() {
        let t = tables_with(&[
            (Table::Timers, timer(10, "+1").encode().unwrap(), vec![]),
            (Table::Timers, corrupt_timer_key(20), vec![]),
            (Table::Timers, timer(30, "+2").encode().unwrap(), vec![]),
        ]);
        // Skipping the first, the scan reaches the corrupt key: an error, not "no timer".
        let err = t.first_timer(None, |k| k.due_ms == 10).unwrap_err();
        assert!(
            matches!(&err, ProcessError::CorruptState { partition: 0, reason } if reason.contains("timers row")),
            "{err}"
        );
        assert_eq!(
            t.first_timer(None, |_| false).unwrap(),
            Some(timer(10, "+1"))
        );
    }

    #[test]
    fn corrupt_customer_and_outbox_rows_are_reported() {
        let mut bad = keys::customer_key(0, "+1").unwrap();
        bad.push(0xff);
        let t = tables_with(&[
            (
                Table::Customers,
                keys::customer_key(0, "+0").unwrap(),
                vec![],
            ),
            (Table::Customers, bad, vec![]),
        ]);
        assert!(matches!(
            t.customer_names(),
            Err(ProcessError::CorruptState { .. })
        ));
        let t = tables_with(&[(Table::Outbox, keys::outbox_key(0, 1), vec![2, 0xff])]);
        assert!(matches!(t.outbox(), Err(ProcessError::CorruptState { .. })));
        let t = tables_with(&[(
            Table::Customers,
            keys::customer_key(0, "+1").unwrap(),
            vec![9, 9],
        )]);
        let err = t.customer("+1").unwrap_err().to_string();
        assert!(err.contains("+1"), "{err}");
    }
}
