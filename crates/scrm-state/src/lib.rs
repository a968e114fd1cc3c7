//! Per-customer state of the processor and where it is kept.
//!
//! - [`model`]: what scrm knows about a customer ([`CustomerState`]) and of a partition
//!   ([`PartitionMeta`]), with a versioned binary encoding so a later release reads what an
//!   earlier one wrote.
//! - [`window`]: time-bucketed sliding-window counters; bounded, never growing lists.
//! - [`keys`]: typed keys, one kind prefix per table and big-endian fields, so byte order is
//!   the order of the typed key and a partition's rows are one contiguous range.
//! - [`store`]: the storage trait ([`StateStore`]) with atomic write batches, and its two
//!   implementations: [`RocksStore`] (column family per table) and [`MemoryStore`] for
//!   tests of the engine without disks.
//!
//! Nothing here knows about Kafka or rules; the processor composes them.

pub mod keys;
mod memory;
pub mod model;
mod model_v1;
mod model_v2;
mod model_v3;
mod rocks;
pub mod store;
pub mod window;

pub use keys::{KeyError, Table, TimerKey};
pub use memory::MemoryStore;
pub use model::{
    CrmSync, CustomerState, DayStats, DealSync, DecodeError, MessageStatus, MessageTrail,
    MessagingLimit, OrderSummary, OutboxEntry, PartitionMeta, PartitionStats, PolicySend,
    PolicyState, RecentEvents, TierUsage, STATE_VERSION,
};
pub use rocks::{RocksOptions, RocksStore};
pub use store::{Batch, StateStore, StoreError};
pub use window::WindowCounter;
