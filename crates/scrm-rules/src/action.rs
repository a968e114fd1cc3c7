//! What a rule does when it fires, and how an action becomes [`Effect`]s.

use std::collections::BTreeMap;

use crate::effects::{CrmOp, Effect, Effects, Message, Severity, TemplateCategory};
use crate::text::{RenderCx, Text};

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Tag(String),
    Untag(String),
    Segment(Option<String>),
    Priority(String),
    Pause(i64),
    Resume,
    SendTemplate {
        template: String,
        category: TemplateCategory,
        /// Languages the template is approved in.
        languages: Vec<String>,
        variables: Vec<Text>,
        notification: String,
        best_hour: bool,
    },
    SendText {
        /// Text by language code.
        texts: BTreeMap<String, Text>,
        fallback_template: Option<String>,
        notification: String,
    },
    CrmUpsert {
        fields: BTreeMap<String, Option<Text>>,
    },
    CrmTask {
        subject: Text,
        body: Option<Text>,
        due_in_ms: Option<i64>,
        priority: Option<String>,
    },
    CrmNote {
        body: Text,
    },
    Alert {
        kind: String,
        severity: Severity,
        subject: Option<Text>,
        message: Text,
    },
}

impl Action {
    /// Whether the action sends a WhatsApp message (and so passes the policy gate).
    pub fn sends(&self) -> bool {
        matches!(self, Action::SendTemplate { .. } | Action::SendText { .. })
    }

    /// Whether the action is about one customer (not allowed in rules about agents or the
    /// business, which only raise alerts).
    pub fn needs_customer(&self) -> bool {
        !matches!(self, Action::Alert { .. })
    }

    /// The effects of the action at `now_ms`; `default_language` is the pack's.
    pub fn effects(&self, cx: &RenderCx<'_>, default_language: &str, out: &mut Effects) {
        let known = cx.state.and_then(|s| {
            s.language
                .clone()
                .or_else(|| crate::fold::region_language(&s.customer))
        });
        let customer_language = known.as_deref().unwrap_or(default_language);
        match self {
            Action::Tag(t) => out.push(Effect::AddTag(t.clone())),
            Action::Untag(t) => out.push(Effect::RemoveTag(t.clone())),
            Action::Segment(s) => out.push(Effect::SetSegment(s.clone())),
            Action::Priority(p) => out.push(Effect::SetPriority(p.clone())),
            Action::Pause(ms) => out.push(Effect::PauseUntil(cx.now_ms + ms)),
            Action::Resume => out.push(Effect::Resume),
            Action::SendTemplate {
                template,
                category,
                languages,
                variables,
                notification,
                best_hour,
            } => {
                let language = choose(languages.iter(), customer_language, default_language);
                let cx = RenderCx { language, ..*cx };
                out.push(Effect::Trigger {
                    message: Message::Template {
                        name: template.clone(),
                        language: language.to_owned(),
                        category: *category,
                        variables: variables.iter().map(|v| v.render(&cx)).collect(),
                    },
                    notification: notification.clone(),
                    best_hour: *best_hour,
                });
            }
            Action::SendText {
                texts,
                fallback_template,
                notification,
            } => {
                let language = choose(texts.keys(), customer_language, default_language);
                let cx = RenderCx { language, ..*cx };
                let text = texts
                    .get(language)
                    .or_else(|| texts.values().next())
                    .map(|t| t.render(&cx))
                    .unwrap_or_default();
                out.push(Effect::Trigger {
                    message: Message::FreeForm {
                        text,
                        fallback_template: fallback_template.clone(),
                    },
                    notification: notification.clone(),
                    best_hour: false,
                });
            }
            Action::CrmUpsert { fields } => out.push(Effect::Crm(CrmOp::UpsertContact {
                fields: fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_ref().map(|t| t.render(cx))))
                    .collect(),
            })),
            Action::CrmTask {
                subject,
                body,
                due_in_ms,
                priority,
            } => out.push(Effect::Crm(CrmOp::CreateTask {
                subject: subject.render(cx),
                body: body.as_ref().map(|b| b.render(cx)),
                due_at_ms: due_in_ms.map(|d| cx.now_ms + d),
                priority: priority.clone(),
            })),
            Action::CrmNote { body } => out.push(Effect::Crm(CrmOp::AddNote {
                body: body.render(cx),
                media_url: None,
            })),
            Action::Alert {
                kind,
                severity,
                subject,
                message,
            } => {
                let mut details = BTreeMap::new();
                details.insert("rule".to_owned(), cx.rule.to_owned());
                if let Some((agent, ..)) = cx.agent {
                    details.insert("agent".to_owned(), agent.to_owned());
                }
                if let Some(rate) = cx.complaint_rate {
                    details.insert("complaint_rate".to_owned(), format!("{rate:.4}"));
                }
                let subject = match (subject, cx.state, cx.agent) {
                    (Some(s), ..) => s.render(cx),
                    (None, Some(state), _) => state.customer.clone(),
                    (None, None, Some((agent, ..))) => agent.to_owned(),
                    (None, None, None) => "business".to_owned(),
                };
                out.push(Effect::Alert {
                    kind: kind.clone(),
                    severity: *severity,
                    subject,
                    message: message.render(cx),
                    details,
                });
            }
        }
    }
}

/// The language to use among `offered`: the customer's exactly, else the same base
/// language (`pt` for `pt_BR`), else the pack's default, else the first offered.
fn choose<'a>(
    offered: impl Iterator<Item = &'a String> + Clone,
    customer: &str,
    default: &'a str,
) -> &'a str {
    let base = |l: &str| l.split(['_', '-']).next().unwrap_or(l).to_owned();
    let wanted = base(customer);
    offered
        .clone()
        .find(|l| l.as_str() == customer)
        .or_else(|| offered.clone().find(|l| base(l) == wanted))
        .or_else(|| offered.clone().find(|l| l.as_str() == default))
        .map(String::as_str)
        .or_else(|| offered.clone().next().map(String::as_str))
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chooses_the_customers_language_then_its_base_then_the_default() {
        let offered: Vec<String> = ["en", "pt_BR", "zh_HK"].map(String::from).into();
        assert_eq!(choose(offered.iter(), "zh_HK", "en"), "zh_HK");
        assert_eq!(choose(offered.iter(), "pt", "en"), "pt_BR");
        assert_eq!(choose(offered.iter(), "fr", "en"), "en");
        let texts: Vec<String> = ["fr", "pt"].map(String::from).into();
        assert_eq!(choose(texts.iter(), "pt_BR", "en"), "pt");
        assert_eq!(choose(texts.iter(), "de", "en"), "fr");
    }
}
