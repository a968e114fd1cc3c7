//! Typed keys of the state tables.
//!
//! Every key starts with its table's kind byte and the partition (u32, big-endian), so one
//! partition's rows of one table are a single contiguous range: dropping or restoring a
//! partition is a range operation. Fixed-width integers are big-endian; a signed time is
//! stored with its sign bit flipped, so byte order is numeric order. A customer key is
//! variable-length; where something follows it, it ends with a NUL byte, which customer
//! keys (E.164 numbers, BSUIDs) never contain. Together this makes the byte mapping
//! one-to-one and order-preserving (property tests in `tests/keys.rs`).

use thiserror::Error;

/// The tables, one column family each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// Customer key → [`crate::CustomerState`].
    Customers,
    /// (due time, customer, timer name) → empty. The index behind event-time timers.
    Timers,
    /// Partition → [`crate::PartitionMeta`]: applied input offsets, stream time.
    Partitions,
    /// (partition, sequence) → [`crate::OutboxEntry`]: outputs committed with the state,
    /// not yet appended to their topics.
    Outbox,
}

impl Table {
    pub const ALL: [Table; 4] = [
        Table::Customers,
        Table::Timers,
        Table::Partitions,
        Table::Outbox,
    ];

    /// The column family name.
    pub fn name(self) -> &'static str {
        match self {
            Table::Customers => "customers",
            Table::Timers => "timers",
            Table::Partitions => "partitions",
            Table::Outbox => "outbox",
        }
    }

    /// The first byte of every key of this table.
    pub fn kind(self) -> u8 {
        match self {
            Table::Customers => 0x01,
            Table::Timers => 0x02,
            Table::Partitions => 0x03,
            Table::Outbox => 0x04,
        }
    }

    /// `[from, to)` covering all of `partition`'s rows of this table.
    pub fn partition_range(self, partition: u32) -> (Vec<u8>, Vec<u8>) {
        let mut from = vec![self.kind()];
        from.extend_from_slice(&partition.to_be_bytes());
        let to = match partition.checked_add(1) {
            Some(next) => {
                let mut to = vec![self.kind()];
                to.extend_from_slice(&next.to_be_bytes());
                to
            }
            None => vec![self.kind() + 1],
        };
        (from, to)
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("customer key {0:?} contains a NUL byte")]
    Nul(String),
    #[error("key of table {table:?} is malformed: {reason}")]
    Malformed { table: Table, reason: &'static str },
}

/// A time in ms as 8 bytes whose byte order is numeric order.
pub fn time_bytes(ms: i64) -> [u8; 8] {
    ((ms as u64) ^ (1 << 63)).to_be_bytes()
}

fn time_from(bytes: [u8; 8]) -> i64 {
    (u64::from_be_bytes(bytes) ^ (1 << 63)) as i64
}

/// The time [`time_bytes`] encoded.
pub fn time_from_bytes(bytes: [u8; 8]) -> i64 {
    time_from(bytes)
}

fn prefix(table: Table, partition: u32, capacity: usize) -> Vec<u8> {
    let mut key = Vec::with_capacity(5 + capacity);
    key.push(table.kind());
    key.extend_from_slice(&partition.to_be_bytes());
    key
}

fn check_customer(customer: &str) -> Result<(), KeyError> {
    if customer.as_bytes().contains(&0) {
        return Err(KeyError::Nul(customer.to_owned()));
    }
    Ok(())
}

fn split_head(table: Table, key: &[u8]) -> Result<(u32, &[u8]), KeyError> {
    if key.len() < 5 || key[0] != table.kind() {
        return Err(KeyError::Malformed {
            table,
            reason: "wrong kind prefix or too short",
        });
    }
    let partition = u32::from_be_bytes(key[1..5].try_into().expect("4 bytes"));
    Ok((partition, &key[5..]))
}

/// Key of a customer's state.
pub fn customer_key(partition: u32, customer: &str) -> Result<Vec<u8>, KeyError> {
    check_customer(customer)?;
    let mut key = prefix(Table::Customers, partition, customer.len());
    key.extend_from_slice(customer.as_bytes());
    Ok(key)
}

/// Partition and customer of a customer-state key.
pub fn parse_customer_key(key: &[u8]) -> Result<(u32, String), KeyError> {
    let (partition, rest) = split_head(Table::Customers, key)?;
    let customer = String::from_utf8(rest.to_vec()).map_err(|_| KeyError::Malformed {
        table: Table::Customers,
        reason: "customer is not UTF-8",
    })?;
    Ok((partition, customer))
}

/// Key of a partition's metadata row.
pub fn partition_key(partition: u32) -> Vec<u8> {
    prefix(Table::Partitions, partition, 0)
}

/// Key of an outbox entry.
pub fn outbox_key(partition: u32, seq: u64) -> Vec<u8> {
    let mut key = prefix(Table::Outbox, partition, 8);
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

pub fn parse_outbox_key(key: &[u8]) -> Result<(u32, u64), KeyError> {
    let (partition, rest) = split_head(Table::Outbox, key)?;
    let seq: [u8; 8] = rest.try_into().map_err(|_| KeyError::Malformed {
        table: Table::Outbox,
        reason: "sequence is not 8 bytes",
    })?;
    Ok((partition, u64::from_be_bytes(seq)))
}

/// A pending timer: fires for `customer` when the partition's stream time reaches `due_ms`.
/// Ordered by (partition, due, customer, name), the order timers fire in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerKey {
    pub partition: u32,
    pub due_ms: i64,
    pub customer: String,
    pub name: String,
}

impl TimerKey {
    pub fn encode(&self) -> Result<Vec<u8>, KeyError> {
        check_customer(&self.customer)?;
        let mut key = prefix(
            Table::Timers,
            self.partition,
            9 + self.customer.len() + self.name.len(),
        );
        key.extend_from_slice(&time_bytes(self.due_ms));
        key.extend_from_slice(self.customer.as_bytes());
        key.push(0);
        key.extend_from_slice(self.name.as_bytes());
        Ok(key)
    }

    pub fn decode(key: &[u8]) -> Result<TimerKey, KeyError> {
        let malformed = |reason| KeyError::Malformed {
            table: Table::Timers,
            reason,
        };
        let (partition, rest) = split_head(Table::Timers, key)?;
        if rest.len() < 9 {
            return Err(malformed("too short"));
        }
        let due_ms = time_from(rest[..8].try_into().expect("8 bytes"));
        let rest = &rest[8..];
        let nul = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or(malformed("no NUL after the customer"))?;
        let text = |bytes: &[u8]| {
            String::from_utf8(bytes.to_vec()).map_err(|_| malformed("text is not UTF-8"))
        };
        Ok(TimerKey {
            partition,
            due_ms,
            customer: text(&rest[..nul])?,
            name: text(&rest[nul + 1..])?,
        })
    }

    /// The exclusive upper bound of `partition`'s timers due at or before `due_ms`.
    pub fn due_until(partition: u32, due_ms: i64) -> Vec<u8> {
        let mut key = prefix(Table::Timers, partition, 8);
        match due_ms.checked_add(1) {
            Some(next) => key.extend_from_slice(&time_bytes(next)),
            None => return Table::Timers.partition_range(partition).1,
        }
        key
    }
}
