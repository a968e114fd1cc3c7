//! The rules. This release carries the first five of the default pack; the TOML rule pack
//! with every rule of DESIGN.md and the policy gate replace [`default_pack`] next.

mod engagement;
mod handoff;

pub use engagement::{ClickNoOrder, HighIntent, Lost, PriceSensitive};
pub use handoff::Handoff;

use scrm_state::CustomerState;

use crate::effects::{Message, TemplateCategory};
use crate::{FoldSettings, Keywords, RulePack};

pub(crate) const HOUR: i64 = 3_600_000;
pub(crate) const DAY: i64 = 24 * HOUR;

/// The rules with their default settings.
pub fn default_pack() -> RulePack {
    RulePack {
        fold: FoldSettings::default(),
        keywords: Keywords::default(),
        rules: vec![
            Box::new(Lost::default()),
            Box::new(HighIntent::default()),
            Box::new(PriceSensitive::default()),
            Box::new(ClickNoOrder::default()),
            Box::new(Handoff::default()),
        ],
    }
}

/// The customer's first name for template variables ("" when unknown).
pub(crate) fn first_name(state: &CustomerState) -> String {
    state
        .profile_name
        .as_deref()
        .and_then(|n| n.split_whitespace().next())
        .unwrap_or("")
        .to_owned()
}

/// The discount-code template with the customer's first name and the discount.
pub(crate) fn discount_template(template: &str, state: &CustomerState, percent: u32) -> Message {
    Message::Template {
        name: template.to_owned(),
        language: state.language.clone().unwrap_or_else(|| "en".to_owned()),
        category: TemplateCategory::Marketing,
        variables: vec![first_name(state), format!("{percent}%")],
    }
}
