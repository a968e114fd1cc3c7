//! `value.statuses[]` of a `messages` change: what became of a message the business sent,
//! one `DeliveryStatus` event each.
//!
//! Meta delivers statuses at least once and out of order. The event id
//! `{wamid}:{status}:{timestamp}` is the same for every retry of one status, so consumers
//! drop repeats, while a later `read` of the same message is a new event. Statuses scrm
//! does not track (`played` for voice notes, `deleted`, `warning`, whatever comes next) and
//! statuses of group messages are skipped and reported in `ignored`, not failed.
//!
//! The customer is the recipient: `recipient_id` (the phone number) when the business sent
//! to a number, else `recipient_user_id` (the BSUID) when it sent to a BSUID, else the
//! change's contact. Failed statuses carry no contacts, so a failure of a message sent
//! by number has only `recipient_id`.

use serde_json::{json, Map, Value};

use crate::contacts::{self, e164, Contact};
use crate::parse::{envelope, Mapped, MappedKind};
use crate::read::{
    as_object, clip, int32, member, opt_array, opt_nonempty_str, opt_object, opt_str, req_id,
    req_seconds, req_str, ParseError, Path, Read,
};

/// A status entry: either an event or the reason it was skipped (for `ignored`).
#[derive(Debug)]
pub(crate) enum Status {
    /// A tracked status.
    Mapped(Box<Mapped>),
    /// Not tracked by scrm; the string says why (`status=played`, `recipient_type=group`).
    Skipped(String),
}

/// The `DeliveryStatus` event of status `status` (at `path`) of a change with `contacts`.
pub(crate) fn status(status: &Value, contacts: &[Contact<'_>], path: &Path<'_>) -> Read<Status> {
    let status = as_object(status, path)?;
    let raw = req_str(status, "status", path)?;
    let lower = raw.to_ascii_lowercase();
    let symbol = match lower.as_str() {
        "sent" => "SENT",
        "delivered" => "DELIVERED",
        "read" => "READ",
        "failed" => "FAILED",
        _ => return Ok(Status::Skipped(format!("status={}", clip(raw)))),
    };
    if let Some(kind) = opt_str(status, "recipient_type", path)? {
        if kind != "individual" {
            return Ok(Status::Skipped(format!("recipient_type={}", clip(kind))));
        }
    }
    let wamid = req_id(status, "id", path)?;
    let (seconds, occurred_at_ms) = req_seconds(status, "timestamp", path)?;
    let customer = recipient(status, contacts, path)?;
    let (error_code, error_title) = first_error(status, path)?;
    let nested = |key: &str, field: &str| -> Read<Option<&str>> {
        match opt_object(status, key, path)? {
            Some(obj) => opt_str(obj, field, &path.key(key)),
            None => Ok(None),
        }
    };
    let payload = json!({"DeliveryStatus": {
        "wamid": wamid,
        "status": symbol,
        "error_code": error_code,
        "error_title": error_title,
        "pricing_category": nested("pricing", "category")?,
        "conversation_id": nested("conversation", "id")?,
        "trigger_id": opt_str(status, "biz_opaque_callback_data", path)?,
    }});
    let event_id = format!("{wamid}:{lower}:{seconds}");
    Ok(Status::Mapped(Box::new(Mapped {
        json: envelope(&event_id, &customer, occurred_at_ms, payload),
        customer,
        event_id,
        occurred_at_ms,
        broadcast: false,
        kind: MappedKind::Status,
        time_at: path.key("timestamp").to_string(),
    })))
}

/// The customer key of the recipient.
fn recipient(
    status: &Map<String, Value>,
    contacts: &[Contact<'_>],
    path: &Path<'_>,
) -> Read<String> {
    let number = opt_nonempty_str(status, "recipient_id", path)?;
    let bsuid = opt_nonempty_str(status, "recipient_user_id", path)?;
    let contact = contacts::find(contacts, number, bsuid);
    number
        .and_then(e164)
        .or_else(|| bsuid.map(str::to_owned))
        .or_else(|| contact.and_then(|c| c.wa_id).and_then(e164))
        .or_else(|| contact.and_then(|c| c.user_id).map(str::to_owned))
        .ok_or_else(|| {
            ParseError::at(
                &path.key("recipient_id"),
                "missing, and no recipient_user_id (BSUID) or contact identifies the recipient",
            )
        })
}

/// `errors[0].code` and `errors[0].title` (or `.message`), for failed statuses.
fn first_error<'v>(
    status: &'v Map<String, Value>,
    path: &Path<'_>,
) -> Read<(Option<i32>, Option<&'v str>)> {
    let errors_at = path.key("errors");
    let Some(first) = opt_array(status, "errors", path)?.first() else {
        return Ok((None, None));
    };
    let at = errors_at.index(0);
    let error = as_object(first, &at)?;
    let code = member(error, "code")
        .map(|c| int32(c, &at.key("code")))
        .transpose()?;
    let title = match opt_str(error, "title", &at)? {
        Some(title) => Some(title),
        None => opt_str(error, "message", &at)?,
    };
    Ok((code, title))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(status_json: Value) -> Read<Status> {
        status(&status_json, &[], &Path::ROOT)
    }

    #[test]
    fn skips_statuses_scrm_does_not_track() {
        for raw in ["played", "deleted", "warning"] {
            let skipped = map(json!({"id": "wamid.X", "status": raw, "timestamp": "1"}));
            assert!(
                matches!(&skipped, Ok(Status::Skipped(s)) if s == &format!("status={raw}")),
                "{skipped:?}"
            );
        }
        let group = map(json!({
            "id": "wamid.X", "status": "read", "timestamp": "1",
            "recipient_id": "120363041234567890", "recipient_type": "group",
        }));
        assert!(matches!(group, Ok(Status::Skipped(_))));
    }

    #[test]
    fn the_recipient_is_the_number_else_the_bsuid() {
        let by_bsuid = map(json!({
            "id": "wamid.X", "status": "delivered", "timestamp": "1780041700",
            "recipient_user_id": "TW.5532008174420",
        }));
        let Ok(Status::Mapped(m)) = by_bsuid else {
            panic!("expected an event: {by_bsuid:?}");
        };
        assert_eq!(m.customer, "TW.5532008174420");
        assert_eq!(m.event_id, "wamid.X:delivered:1780041700");
        let nobody = map(json!({"id": "wamid.X", "status": "sent", "timestamp": "1"}));
        assert_eq!(
            nobody.err().map(|e| e.path).as_deref(),
            Some("recipient_id")
        );
    }
}
