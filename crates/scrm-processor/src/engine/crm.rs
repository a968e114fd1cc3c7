//! The CRM commands that follow from state (`scrm_rules::crm`): after the rules of an
//! event, a timer or a scheduled run, the customer's deals, cases and media notes, then the
//! contact fields that changed. Their ids come from the cause like every output's, under
//! the label `crm` (`crm+<rule>` for a timer or scheduled run), so they never collide with
//! a rule's own; their `rule_id` is empty.

use scrm_events::Event;
use scrm_rules::crm;
use scrm_state::{CustomerState, OutboxEntry};

use super::PartitionEngine;
use crate::error::ProcessError;
use crate::outputs::{Cause, Origin};

/// The label of an input's CRM commands in their ids.
pub(super) const LABEL: &str = "crm";

impl PartitionEngine {
    /// The CRM commands for `state` after `event` (when there is one), at `at_ms` (the
    /// cause's time); `label` names them in their ids.
    pub(super) fn sync_crm(
        &mut self,
        state: &mut CustomerState,
        event: Option<&Event>,
        cause: &Cause<'_>,
        label: &str,
        at_ms: i64,
        outputs: &mut Vec<OutboxEntry>,
    ) -> Result<(), ProcessError> {
        let pack = self.pack.clone();
        let settings = &pack.crm;
        let mut ops = event.map_or_else(Vec::new, |e| crm::event_commands(state, e, settings));
        let now = self.meta.stream_time_ms.unwrap_or(at_ms).max(at_ms);
        ops.extend(crm::contact_update(state, now, settings));
        for (n, op) in ops.iter().enumerate() {
            let origin = Origin {
                id: cause.output_id(label, n),
                customer: &state.customer,
                partition: self.partition,
                at_ms,
                rule: label,
            };
            outputs.push(self.out.crm_command(&origin, op, None)?);
            *self.stats.outputs.entry("crm_command").or_insert(0) += 1;
        }
        Ok(())
    }
}
