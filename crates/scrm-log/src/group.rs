//! Sharing partitions among processor instances.
//!
//! The processor consumes several input topics that are co-partitioned: partition `p` of
//! every input (and of the changelog) belongs to the same customers, so one instance must
//! own `p` of all of them at once. Kafka's consumer-group assignors assign topic-partitions
//! independently, so scrm does not let the group hand out the inputs. Instead every
//! instance joins the group on one topic (the changelog) with the cooperative-sticky
//! assignor; owning partition `p` of that topic means owning partition `p` of everything,
//! and the instance reads its inputs through directly assigned readers. Cooperative
//! rebalancing moves only the partitions that change owner, and an instance gives a
//! partition up (drains, commits) inside the revoke callback, before the new owner gets it.
//!
//! On the embedded log there is one instance, which owns every partition.

use std::sync::Arc;
use std::time::Duration;

use crate::api::LogError;

/// Told when this instance gains or loses partitions. Both calls are made on the thread
/// that polls the [`Membership`], and `revoked` must not return before the partitions'
/// work is committed: another instance may start on them right after.
pub trait RebalanceListener: Send + Sync {
    fn assigned(&self, partitions: &[u32]);
    fn revoked(&self, partitions: &[u32]);
}

/// Membership of a group; poll it regularly (it sends heartbeats and runs the callbacks).
pub trait Membership: Send {
    fn poll(&mut self, timeout: Duration) -> Result<(), LogError>;

    /// Leaves the group, revoking every owned partition through the listener first.
    fn leave(&mut self) -> Result<(), LogError>;
}

/// Sole owner of every partition (the embedded log).
pub(crate) struct SoleOwner {
    pub(crate) partitions: u32,
    pub(crate) listener: Arc<dyn RebalanceListener>,
    pub(crate) owned: bool,
}

impl Membership for SoleOwner {
    fn poll(&mut self, timeout: Duration) -> Result<(), LogError> {
        if !self.owned {
            self.owned = true;
            let all: Vec<u32> = (0..self.partitions).collect();
            self.listener.assigned(&all);
        } else {
            std::thread::sleep(timeout);
        }
        Ok(())
    }

    fn leave(&mut self) -> Result<(), LogError> {
        if self.owned {
            self.owned = false;
            let all: Vec<u32> = (0..self.partitions).collect();
            self.listener.revoked(&all);
        }
        Ok(())
    }
}
