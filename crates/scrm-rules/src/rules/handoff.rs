//! Hand-off to a human: when the customer asks for a person or an agent steps in,
//! automations pause for this customer.

use scrm_events::{Event, HandoffDirection, Payload, Sender};
use scrm_state::CustomerState;

use super::HOUR;
use crate::effects::{Effect, Effects};
use crate::keywords::HUMAN;
use crate::rule::{Rule, RuleError};

#[derive(Debug, Clone)]
pub struct Handoff {
    pub pause_ms: i64,
}

impl Default for Handoff {
    fn default() -> Self {
        Self {
            pause_ms: 12 * HOUR,
        }
    }
}

impl Rule for Handoff {
    fn id(&self) -> &str {
        "handoff"
    }

    fn on_event(
        &self,
        event: &Event,
        state: &CustomerState,
        _now_ms: i64,
        out: &mut Effects,
    ) -> Result<(), RuleError> {
        let at = event.occurred_at_ms;
        let human_needed = match &event.payload {
            Payload::Inbound(_) => state.last_inbound_keywords.contains(HUMAN),
            Payload::Outbound(m) => m.sent_by == Sender::Agent,
            Payload::Handoff(h) if h.direction == HandoffDirection::ToAutomation => {
                out.push(Effect::Resume);
                false
            }
            Payload::Handoff(_) => true,
            _ => false,
        };
        let until = at + self.pause_ms;
        if human_needed && state.paused_until_ms.is_none_or(|p| p < until) {
            out.push(Effect::PauseUntil(until));
        }
        Ok(())
    }
}
