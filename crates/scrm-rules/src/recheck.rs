//! The gate again, at the moment of sending.
//!
//! The processor's gate decided when the trigger was emitted and remembered the send in the
//! customer's state, so running [`Gate::decide`](crate::policy::Gate::decide) again would
//! count the message against itself. What can change between the decision and the send is
//! narrower: the customer opted out, a human agent stepped in, the service window closed
//! (a free-form text then goes as its fallback template), or quiet hours began (a trigger
//! held up by an outage). [`recheck`] judges exactly that against the current state.

use std::collections::BTreeMap;

use scrm_locale::Tz;
use scrm_state::CustomerState;

use crate::effects::{Message, TemplateCategory};
use crate::policy::{customer_zone, is_marketing, paused, reasons, window_open, PolicySettings};

/// What the sender does with a trigger now.
#[derive(Debug, Clone, PartialEq)]
pub enum Recheck {
    /// Send this message (the trigger's, or its fallback template).
    Send(Message),
    /// Not yet: try again at `until_ms`.
    Wait { until_ms: i64, reason: &'static str },
    /// Never: these reasons stop it.
    Skip(Vec<&'static str>),
}

/// What the recheck needs from the rule pack.
#[derive(Debug, Clone, Copy)]
pub struct RecheckCx<'a> {
    pub settings: &'a PolicySettings,
    pub business_zone: Tz,
    pub templates: &'a BTreeMap<String, TemplateCategory>,
}

/// Judges `message` against the customer's current `state` (`None` when the processor
/// knows nothing of the customer) at `now_ms`. `in_reply` is true for a trigger caused by a
/// message the customer just sent, which quiet hours do not hold back.
pub fn recheck(
    cx: &RecheckCx<'_>,
    state: Option<&CustomerState>,
    message: &Message,
    in_reply: bool,
    now_ms: i64,
) -> Recheck {
    let s = cx.settings;
    let Some(state) = state else {
        // Without state there is no window and no consent to go on: only a template that is
        // not marketing can go.
        return match message {
            Message::Template { .. } if !is_marketing(message) => Recheck::Send(message.clone()),
            Message::Template { .. } => Recheck::Skip(vec![reasons::OPTED_OUT]),
            Message::FreeForm { .. } => Recheck::Skip(vec![reasons::OUTSIDE_WINDOW]),
        };
    };
    let mut skip: Vec<&'static str> = paused(state, s, now_ms).collect();
    if is_marketing(message)
        && state.opted_out_at_ms.is_some()
        && !crate::condition::is_opted_in(state)
    {
        skip.push(reasons::OPTED_OUT);
    }
    if !skip.is_empty() {
        return Recheck::Skip(skip);
    }
    if !in_reply {
        if let Some((from, to)) = s.quiet_hours {
            let zone = customer_zone(state, cx.business_zone);
            if let Some(end) = scrm_locale::quiet_until(now_ms, zone, from, to) {
                return Recheck::Wait {
                    until_ms: end,
                    reason: reasons::QUIET_HOURS,
                };
            }
        }
    }
    match message {
        Message::FreeForm {
            fallback_template, ..
        } if !window_open(state, s, now_ms) => match fallback(cx, state, fallback_template) {
            Some(template) if is_marketing(&template) && state.opted_out_at_ms.is_some() => {
                Recheck::Skip(vec![reasons::OUTSIDE_WINDOW, reasons::OPTED_OUT])
            }
            Some(template) => Recheck::Send(template),
            None => Recheck::Skip(vec![reasons::OUTSIDE_WINDOW]),
        },
        _ => Recheck::Send(message.clone()),
    }
}

/// The fallback template of a free-form text, in the customer's language; `None` when the
/// text has none or the pack does not declare it.
pub fn fallback(
    cx: &RecheckCx<'_>,
    state: &CustomerState,
    fallback_template: &Option<String>,
) -> Option<Message> {
    let name = fallback_template.as_ref()?;
    let category = *cx.templates.get(name)?;
    Some(Message::Template {
        name: name.clone(),
        language: state.language.clone().unwrap_or_else(|| "en".into()),
        category,
        variables: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicySettings;
    use scrm_locale::LocalTime;

    const H: i64 = 3_600_000;
    /// Wednesday 2026-11-18 12:00 UTC (20:00 in Hong Kong).
    const NOW: i64 = 1_795_003_200_000;

    fn cx<'a>(
        settings: &'a PolicySettings,
        templates: &'a BTreeMap<String, TemplateCategory>,
    ) -> RecheckCx<'a> {
        RecheckCx {
            settings,
            business_zone: "Asia/Hong_Kong".parse().unwrap(),
            templates,
        }
    }

    fn templates() -> BTreeMap<String, TemplateCategory> {
        [
            ("winback".to_owned(), TemplateCategory::Marketing),
            ("order_update".to_owned(), TemplateCategory::Utility),
        ]
        .into()
    }

    fn text(fallback: Option<&str>) -> Message {
        Message::FreeForm {
            text: "Hi!".into(),
            fallback_template: fallback.map(str::to_owned),
        }
    }

    fn template(name: &str, category: TemplateCategory) -> Message {
        Message::Template {
            name: name.into(),
            language: "zh_HK".into(),
            category,
            variables: vec!["Ka Ming".into()],
        }
    }

    fn customer() -> CustomerState {
        let mut state = CustomerState::new("+85291234567", NOW - 48 * H);
        state.last_inbound_ms = Some(NOW - H);
        state.language = Some("zh_HK".into());
        state
    }

    fn no_quiet() -> PolicySettings {
        PolicySettings {
            quiet_hours: None,
            ..PolicySettings::default()
        }
    }

    #[test]
    fn inside_the_window_the_text_goes_as_it_is() {
        let (s, t) = (no_quiet(), templates());
        let verdict = recheck(&cx(&s, &t), Some(&customer()), &text(None), false, NOW);
        assert_eq!(verdict, Recheck::Send(text(None)));
    }

    #[test]
    fn a_closed_window_sends_the_fallback_template_or_nothing() {
        let (s, t) = (no_quiet(), templates());
        let mut state = customer();
        state.last_inbound_ms = Some(NOW - 25 * H);
        let verdict = recheck(
            &cx(&s, &t),
            Some(&state),
            &text(Some("order_update")),
            false,
            NOW,
        );
        let Recheck::Send(Message::Template { name, language, .. }) = verdict else {
            panic!("{verdict:?}")
        };
        assert_eq!(
            (name.as_str(), language.as_str()),
            ("order_update", "zh_HK")
        );
        assert_eq!(
            recheck(&cx(&s, &t), Some(&state), &text(None), false, NOW),
            Recheck::Skip(vec![reasons::OUTSIDE_WINDOW])
        );
    }

    #[test]
    fn an_opt_out_since_the_decision_stops_marketing_only() {
        let (s, t) = (no_quiet(), templates());
        let mut state = customer();
        state.opted_out_at_ms = Some(NOW - 60_000);
        let marketing = template("winback", TemplateCategory::Marketing);
        assert_eq!(
            recheck(&cx(&s, &t), Some(&state), &marketing, false, NOW),
            Recheck::Skip(vec![reasons::OPTED_OUT])
        );
        let utility = template("order_update", TemplateCategory::Utility);
        assert_eq!(
            recheck(&cx(&s, &t), Some(&state), &utility, false, NOW),
            Recheck::Send(utility.clone())
        );
    }

    #[test]
    fn a_human_who_stepped_in_pauses_automations() {
        let (s, t) = (no_quiet(), templates());
        let mut state = customer();
        state.handoff_ms = Some(NOW - 2 * H);
        let utility = template("order_update", TemplateCategory::Utility);
        assert_eq!(
            recheck(&cx(&s, &t), Some(&state), &utility, false, NOW),
            Recheck::Skip(vec![reasons::HANDOFF_PAUSE])
        );
        state.resumed_ms = Some(NOW - H);
        assert_eq!(
            recheck(&cx(&s, &t), Some(&state), &utility, false, NOW),
            Recheck::Send(utility.clone())
        );
    }

    #[test]
    fn quiet_hours_hold_business_initiated_messages_but_not_replies() {
        let t = templates();
        let s = PolicySettings {
            quiet_hours: Some((
                LocalTime::new(20, 0).unwrap(),
                LocalTime::new(9, 0).unwrap(),
            )),
            ..PolicySettings::default()
        };
        let utility = template("order_update", TemplateCategory::Utility);
        let verdict = recheck(&cx(&s, &t), Some(&customer()), &utility, false, NOW);
        // 20:00 in Hong Kong: held until 09:00 the next morning, 13 h later.
        assert_eq!(
            verdict,
            Recheck::Wait {
                until_ms: NOW + 13 * H,
                reason: reasons::QUIET_HOURS
            }
        );
        assert_eq!(
            recheck(&cx(&s, &t), Some(&customer()), &utility, true, NOW),
            Recheck::Send(utility.clone())
        );
    }

    #[test]
    fn an_unknown_customer_gets_only_non_marketing_templates() {
        let (s, t) = (no_quiet(), templates());
        let utility = template("order_update", TemplateCategory::Utility);
        assert_eq!(
            recheck(&cx(&s, &t), None, &utility, false, NOW),
            Recheck::Send(utility.clone())
        );
        assert_eq!(
            recheck(&cx(&s, &t), None, &text(None), false, NOW),
            Recheck::Skip(vec![reasons::OUTSIDE_WINDOW])
        );
    }
}
