//! `value.messages[]` of a `messages` change: what customers sent, one `InboundMessage`
//! event each, keyed by the wamid so that Meta's retries of the same body dedupe.
//!
//! Who sent it: `from` is the phone number (digits), which Meta leaves out for users who
//! adopted a username; `from_user_id` is their business-scoped user id (BSUID). The
//! customer key is the number in E.164 when known (from `from`, or the matched contact's
//! `wa_id`), else the BSUID (from `from_user_id`, or the matched contact's `user_id`).
//! Both are kept on the event (`phone`, `bsuid`) so identity can link them.

use serde_json::{json, Map, Value};

use crate::contacts::{self, e164, Contact};
use crate::content::content;
use crate::parse::{envelope, Mapped, MappedKind};
use crate::read::{
    as_object, opt_nonempty_str, opt_object, opt_str, req_id, req_seconds, ParseError, Path, Read,
};

/// The `InboundMessage` event of message `msg` (at `path`) of a change whose value has
/// `contacts` and the receiving business number `business_number`.
pub(crate) fn message(
    msg: &Value,
    contacts: &[Contact<'_>],
    business_number: Option<&str>,
    path: &Path<'_>,
) -> Read<Mapped> {
    let msg = as_object(msg, path)?;
    let wamid = req_id(msg, "id", path)?;
    let (_, occurred_at_ms) = req_seconds(msg, "timestamp", path)?;
    let kind = req_id(msg, "type", path)?;

    let from = opt_nonempty_str(msg, "from", path)?.filter(|f| e164(f).is_some());
    let from_user_id = opt_nonempty_str(msg, "from_user_id", path)?;
    let contact = contacts::find(contacts, from, from_user_id);
    let phone = from
        .or_else(|| contact.and_then(|c| c.wa_id))
        .and_then(e164);
    let bsuid = from_user_id.or_else(|| contact.and_then(|c| c.user_id));
    let customer = phone.clone().or_else(|| bsuid.map(str::to_owned));
    let Some(customer) = customer else {
        return Err(ParseError::at(
            &path.key("from"),
            "missing, and no from_user_id (BSUID) or matching contact identifies the sender",
        ));
    };

    let context_wamid = match opt_object(msg, "context", path)? {
        Some(context) => opt_str(context, "id", &path.key("context"))?,
        None => None,
    };
    let payload = json!({"InboundMessage": {
        "wamid": wamid,
        "business_number": business_number,
        "profile_name": contact.and_then(|c| c.name),
        "phone": phone,
        "bsuid": bsuid,
        "context_wamid": context_wamid,
        "content": content(msg, kind, path)?,
    }});
    Ok(Mapped {
        json: envelope(wamid, &customer, occurred_at_ms, payload),
        customer,
        event_id: wamid.to_owned(),
        occurred_at_ms,
        broadcast: false,
        kind: MappedKind::Message,
        time_at: path.key("timestamp").to_string(),
    })
}

/// `value.metadata.phone_number_id`: the business number that received the change.
pub(crate) fn business_number<'v>(
    value: &'v Map<String, Value>,
    path: &Path<'_>,
) -> Read<Option<&'v str>> {
    match opt_object(value, "metadata", path)? {
        Some(metadata) => opt_str(metadata, "phone_number_id", &path.key("metadata")),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(msg: Value, contacts: &[Contact<'_>]) -> Read<Mapped> {
        message(&msg, contacts, Some("106540352242922"), &Path::ROOT)
    }

    fn text(extra: Value) -> Value {
        let mut msg = json!({
            "id": "wamid.HBgLODUyOTEyMzQ1NjcVAgASGBQzQUI3RjI5QzE0RDVFNjA4QjJDMQA=",
            "timestamp": "1780041600",
            "type": "text",
            "text": {"body": "有冇折扣?"},
        });
        if let (Some(msg), Some(extra)) = (msg.as_object_mut(), extra.as_object()) {
            msg.extend(extra.clone());
        }
        msg
    }

    #[test]
    fn the_number_wins_over_the_bsuid_as_customer() {
        let contact = Contact {
            wa_id: Some("85291234567"),
            user_id: Some("HK.4419760813562790"),
            name: Some("陳大文"),
        };
        let mapped = map(text(json!({"from": "85291234567"})), &[contact]);
        let mapped = mapped.ok();
        assert_eq!(
            mapped.as_ref().map(|m| m.customer.as_str()),
            Some("+85291234567")
        );
        let inbound = mapped.map(|m| m.json["payload"]["InboundMessage"].clone());
        assert_eq!(
            inbound,
            Some(json!({
                "wamid": "wamid.HBgLODUyOTEyMzQ1NjcVAgASGBQzQUI3RjI5QzE0RDVFNjA4QjJDMQA=",
                "business_number": "106540352242922",
                "profile_name": "陳大文",
                "phone": "+85291234567",
                "bsuid": "HK.4419760813562790",
                "context_wamid": null,
                "content": {"TextContent": {"body": "有冇折扣?"}},
            }))
        );
    }

    #[test]
    fn a_hidden_number_falls_back_to_the_bsuid() {
        let mapped = map(text(json!({"from_user_id": "HK.4419760813562790"})), &[]).ok();
        assert_eq!(
            mapped.map(|m| (
                m.customer,
                m.json["payload"]["InboundMessage"]["phone"].clone()
            )),
            Some(("HK.4419760813562790".to_owned(), Value::Null))
        );
    }

    #[test]
    fn a_message_without_any_sender_is_an_error() {
        let err = map(text(json!({"from": ""})), &[]).err();
        assert_eq!(err.map(|e| e.path).as_deref(), Some("from"));
    }
}
