//! What scrm sends, its validation, and the exact Cloud API JSON for it.
//!
//! Recipients are scrm customer keys: an E.164 number (`+85291234567`) or a
//! business-scoped user id, BSUID (`HK.1234567890123456`). Meta's BSUID guide (2026)
//! adds a top-level `recipient` field to `POST /{phone-number-id}/messages` that takes a
//! BSUID or a parent BSUID (`US.ENT.…`), next to the old `to` for phone numbers; when
//! both are present `to` wins. So a phone key is sent as `to` (digits only, no `+`) and
//! a BSUID key as `recipient`, never both. The answer's `contacts[]` then carries
//! `user_id` instead of `wa_id`, and Meta answers error 131062 for message kinds that
//! cannot go to a BSUID (some authentication templates).

use serde_json::{json, Map, Value};
use thiserror::Error;

/// Longest text body the Cloud API accepts, in characters.
pub const MAX_TEXT_CHARS: usize = 4096;
/// Longest `biz_opaque_callback_data` the Cloud API accepts, in characters.
pub const MAX_CALLBACK_DATA_CHARS: usize = 512;

/// One message to one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// Customer key: E.164 (`+85291234567`) or a BSUID (`HK.1234567890123456`).
    pub to: String,
    /// What to send.
    pub body: MessageBody,
    /// Sent as `biz_opaque_callback_data` and echoed in status webhooks; scrm puts the
    /// id of the trigger that caused the message here.
    pub callback_data: Option<String>,
}

/// The content of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageBody {
    /// Free-form text; only allowed inside the 24-hour customer service window.
    Text {
        /// The text, 1 to 4096 characters.
        body: String,
        /// Whether WhatsApp renders a preview of the first URL in the text.
        preview_url: bool,
    },
    /// An approved template, allowed at any time.
    Template {
        /// Template name as approved in WhatsApp Manager.
        name: String,
        /// Language code of the approved translation: `en`, `pt_BR`, `zh_HK`.
        language: String,
        /// Values of the body placeholders `{{1}}`, `{{2}}`, …, in order.
        body_params: Vec<String>,
    },
}

impl OutgoingMessage {
    /// A text message without URL preview.
    pub fn text(to: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            to: to.into(),
            body: MessageBody::Text {
                body: body.into(),
                preview_url: false,
            },
            callback_data: None,
        }
    }

    /// A template message.
    pub fn template(
        to: impl Into<String>,
        name: impl Into<String>,
        language: impl Into<String>,
        body_params: Vec<String>,
    ) -> Self {
        Self {
            to: to.into(),
            body: MessageBody::Template {
                name: name.into(),
                language: language.into(),
                body_params,
            },
            callback_data: None,
        }
    }

    /// The same message carrying `callback_data`.
    pub fn with_callback_data(mut self, data: impl Into<String>) -> Self {
        self.callback_data = Some(data.into());
        self
    }
}

/// How the Cloud API addresses a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient<'a> {
    /// A phone number as the `to` field wants it: digits only, no `+`.
    Phone(&'a str),
    /// A business-scoped user id for the `recipient` field, as received.
    Bsuid(&'a str),
}

/// A message the Cloud API would reject; found before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidationError {
    /// The customer key is neither E.164 nor a BSUID.
    #[error("recipient {masked} is neither an E.164 number nor a business-scoped user id")]
    Recipient {
        /// The key, masked for logs.
        masked: String,
    },
    /// The text body is empty.
    #[error("text body is empty")]
    EmptyText,
    /// The text body is over [`MAX_TEXT_CHARS`].
    #[error("text body has {chars} characters; the Cloud API allows at most {MAX_TEXT_CHARS}")]
    TextTooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// The template name is empty.
    #[error("template name is empty")]
    EmptyTemplateName,
    /// The template language code is empty.
    #[error("template {name:?}: language code is empty")]
    EmptyLanguage {
        /// The template.
        name: String,
    },
    /// A body parameter is empty or blank, which the Cloud API rejects; typically a
    /// placeholder such as a first name that rendered to "".
    #[error(
        "template {name:?}: body parameter at index {index} ({{{{{placeholder}}}}}) is empty; \
         the Cloud API rejects empty parameters"
    )]
    EmptyParameter {
        /// The template.
        name: String,
        /// Index in `body_params`, from 0.
        index: usize,
        /// The placeholder number in the template, from 1.
        placeholder: usize,
    },
    /// The callback data is over [`MAX_CALLBACK_DATA_CHARS`].
    #[error("callback data has {chars} characters; the Cloud API allows at most {MAX_CALLBACK_DATA_CHARS}")]
    CallbackDataTooLong {
        /// Its length in characters.
        chars: usize,
    },
}

/// Reads a customer key as a Cloud API recipient.
///
/// # Errors
///
/// [`ValidationError::Recipient`] for anything but `+` and 7 to 15 digits, bare digits of
/// that length, or a BSUID.
pub fn parse_recipient(to: &str) -> Result<Recipient<'_>, ValidationError> {
    if is_bsuid(to) {
        return Ok(Recipient::Bsuid(to));
    }
    let digits = to.strip_prefix('+').unwrap_or(to);
    if (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Recipient::Phone(digits))
    } else {
        Err(ValidationError::Recipient {
            masked: scrm_identity::mask_key(to),
        })
    }
}

/// Whether `s` is a BSUID (`US.13491208655302741918`) or a parent BSUID
/// (`US.ENT.11815799212886844830`): an ISO country code, a period, then up to 128
/// letters and digits (the same rule as scrm-identity, plus the parent form).
pub fn is_bsuid(s: &str) -> bool {
    let Some((country, rest)) = s.split_once('.') else {
        return false;
    };
    let id = rest.strip_prefix("ENT.").unwrap_or(rest);
    country.len() == 2
        && country.bytes().all(|b| b.is_ascii_uppercase())
        && (6..=128).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Checks a message against the Cloud API's rules without building it.
///
/// # Errors
///
/// The first rule broken, as a [`ValidationError`].
pub fn validate(msg: &OutgoingMessage) -> Result<(), ValidationError> {
    parse_recipient(&msg.to)?;
    if let Some(data) = &msg.callback_data {
        let chars = data.chars().count();
        if chars > MAX_CALLBACK_DATA_CHARS {
            return Err(ValidationError::CallbackDataTooLong { chars });
        }
    }
    match &msg.body {
        MessageBody::Text { body, .. } => {
            if body.trim().is_empty() {
                return Err(ValidationError::EmptyText);
            }
            let chars = body.chars().count();
            if chars > MAX_TEXT_CHARS {
                return Err(ValidationError::TextTooLong { chars });
            }
        }
        MessageBody::Template {
            name,
            language,
            body_params,
        } => {
            if name.trim().is_empty() {
                return Err(ValidationError::EmptyTemplateName);
            }
            if language.trim().is_empty() {
                return Err(ValidationError::EmptyLanguage { name: name.clone() });
            }
            if let Some(index) = body_params.iter().position(|p| p.trim().is_empty()) {
                return Err(ValidationError::EmptyParameter {
                    name: name.clone(),
                    index,
                    placeholder: index + 1,
                });
            }
        }
    }
    Ok(())
}

/// The JSON body of `POST /{version}/{phone-number-id}/messages` for `msg`.
///
/// # Errors
///
/// A [`ValidationError`] when the Cloud API would reject the message.
pub fn request_json(msg: &OutgoingMessage) -> Result<Value, ValidationError> {
    validate(msg)?;
    let mut root = Map::new();
    root.insert("messaging_product".into(), json!("whatsapp"));
    root.insert("recipient_type".into(), json!("individual"));
    match parse_recipient(&msg.to)? {
        Recipient::Phone(digits) => root.insert("to".into(), json!(digits)),
        Recipient::Bsuid(id) => root.insert("recipient".into(), json!(id)),
    };
    match &msg.body {
        MessageBody::Text { body, preview_url } => {
            root.insert("type".into(), json!("text"));
            root.insert(
                "text".into(),
                json!({ "body": body, "preview_url": preview_url }),
            );
        }
        MessageBody::Template {
            name,
            language,
            body_params,
        } => {
            let mut template = Map::new();
            template.insert("name".into(), json!(name));
            template.insert("language".into(), json!({ "code": language }));
            if !body_params.is_empty() {
                let parameters: Vec<Value> = body_params
                    .iter()
                    .map(|p| json!({ "type": "text", "text": p }))
                    .collect();
                template.insert(
                    "components".into(),
                    json!([{ "type": "body", "parameters": parameters }]),
                );
            }
            root.insert("type".into(), json!("template"));
            root.insert("template".into(), Value::Object(template));
        }
    }
    if let Some(data) = &msg.callback_data {
        root.insert("biz_opaque_callback_data".into(), json!(data));
    }
    Ok(Value::Object(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_json_is_exact() {
        let msg = OutgoingMessage::text("+85291234567", "Hi").with_callback_data("trig-1");
        let got = request_json(&msg).expect("valid");
        assert_eq!(
            got,
            json!({"messaging_product":"whatsapp","recipient_type":"individual",
                   "to":"85291234567","type":"text",
                   "text":{"body":"Hi","preview_url":false},
                   "biz_opaque_callback_data":"trig-1"})
        );
    }

    #[test]
    fn template_without_params_omits_components() {
        let msg = OutgoingMessage::template("+85291234567", "hello_world", "en", vec![]);
        let got = request_json(&msg).expect("valid");
        assert_eq!(
            got["template"],
            json!({"name":"hello_world","language":{"code":"en"}})
        );
    }

    #[test]
    fn bsuid_goes_in_recipient_not_to() {
        let msg = OutgoingMessage::text("HK.1234567890123456", "Hi");
        let got = request_json(&msg).expect("valid");
        assert_eq!(got["recipient"], "HK.1234567890123456");
        assert!(got.get("to").is_none());
        assert!(is_bsuid("US.ENT.11815799212886844830"));
        assert!(!is_bsuid("us.1234567890"));
        assert!(!is_bsuid("HK.12-4567890"));
    }

    #[test]
    fn validation_names_the_problem() {
        let empty_param = OutgoingMessage::template(
            "+85291234567",
            "promo",
            "zh_HK",
            vec!["Ada".into(), String::new()],
        );
        let err = request_json(&empty_param).expect_err("empty param");
        assert_eq!(
            err,
            ValidationError::EmptyParameter {
                name: "promo".into(),
                index: 1,
                placeholder: 2
            }
        );
        assert!(err.to_string().contains("index 1 ({{2}})"), "{err}");

        let cases = [
            (OutgoingMessage::text("+85291234567", ""), "empty"),
            (
                OutgoingMessage::text("+85291234567", "x".repeat(4097)),
                "4097",
            ),
            (
                OutgoingMessage::template("+85291234567", "", "en", vec![]),
                "name",
            ),
            (
                OutgoingMessage::template("+85291234567", "t", " ", vec![]),
                "language",
            ),
            (OutgoingMessage::text("85-2912", "hi"), "neither"),
        ];
        for (msg, needle) in cases {
            let err = validate(&msg).expect_err("invalid");
            assert!(err.to_string().contains(needle), "{err} lacks {needle}");
        }
        validate(&OutgoingMessage::text("+85291234567", "é".repeat(4096))).expect("4096 chars");
    }
}
