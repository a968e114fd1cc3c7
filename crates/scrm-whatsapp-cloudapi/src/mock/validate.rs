//! The mock's strict reading of a send request, as Meta documents it for the message
//! kinds scrm sends (text and template with body parameters).

use serde_json::{Map, Value};

use crate::message::{is_bsuid, MAX_CALLBACK_DATA_CHARS, MAX_TEXT_CHARS};

/// Top-level keys the mock accepts; anything else is rejected like a misspelling.
const TOP_LEVEL: &[&str] = &[
    "messaging_product",
    "recipient_type",
    "to",
    "recipient",
    "type",
    "text",
    "template",
    "biz_opaque_callback_data",
];

/// Checks a send request body; returns the recipient (`to` or `recipient`) or the
/// `details` of Meta's error 100.
pub(crate) fn validate_send(body: &Value) -> Result<String, String> {
    let root = body
        .as_object()
        .ok_or("request body must be a JSON object")?;
    if let Some(key) = root.keys().find(|k| !TOP_LEVEL.contains(&k.as_str())) {
        return Err(format!("unknown parameter: {key}"));
    }
    match root.get("messaging_product") {
        Some(Value::String(p)) if p == "whatsapp" => {}
        Some(_) => return Err("messaging_product must be \"whatsapp\"".into()),
        None => return Err("the parameter messaging_product is required".into()),
    }
    if let Some(kind) = root.get("recipient_type") {
        if kind != "individual" {
            return Err("recipient_type must be \"individual\"".into());
        }
    }
    let recipient = recipient(root)?;
    if let Some(data) = root.get("biz_opaque_callback_data") {
        let data = data
            .as_str()
            .ok_or("biz_opaque_callback_data must be a string")?;
        if data.chars().count() > MAX_CALLBACK_DATA_CHARS {
            return Err(format!(
                "biz_opaque_callback_data is longer than {MAX_CALLBACK_DATA_CHARS} characters"
            ));
        }
    }
    let kind = root
        .get("type")
        .and_then(Value::as_str)
        .ok_or("the parameter type is required")?;
    let (own, other) = match kind {
        "text" => ("text", "template"),
        "template" => ("template", "text"),
        _ => return Err(format!("unsupported message type: {kind}")),
    };
    if root.contains_key(other) {
        return Err(format!("{other} object not allowed for type {kind}"));
    }
    let object = root
        .get(own)
        .and_then(Value::as_object)
        .ok_or_else(|| format!("the parameter {own} is required for type {kind}"))?;
    if kind == "text" {
        text(object)?;
    } else {
        template(object)?;
    }
    Ok(recipient)
}

fn recipient(root: &Map<String, Value>) -> Result<String, String> {
    // Meta lets `to` win when both are present; scrm never sends both, so refuse it.
    match (root.get("to"), root.get("recipient")) {
        (Some(_), Some(_)) => Err("send either to or recipient, not both".into()),
        (Some(Value::String(to)), None) => {
            if (7..=15).contains(&to.len()) && to.bytes().all(|b| b.is_ascii_digit()) {
                Ok(to.clone())
            } else {
                Err(format!("to must be 7 to 15 digits, got {to:?}"))
            }
        }
        (None, Some(Value::String(id))) => {
            if is_bsuid(id) {
                Ok(id.clone())
            } else {
                Err(format!(
                    "recipient is not a business-scoped user id: {id:?}"
                ))
            }
        }
        (None, None) => Err("the parameter to (or recipient) is required".into()),
        _ => Err("to and recipient must be strings".into()),
    }
}

fn text(text: &Map<String, Value>) -> Result<(), String> {
    if let Some(key) = text
        .keys()
        .find(|k| !["body", "preview_url"].contains(&k.as_str()))
    {
        return Err(format!("unknown parameter: text.{key}"));
    }
    let body = text
        .get("body")
        .and_then(Value::as_str)
        .ok_or("the parameter text.body is required")?;
    if body.trim().is_empty() {
        return Err("text.body must not be empty".into());
    }
    if body.chars().count() > MAX_TEXT_CHARS {
        return Err(format!(
            "text.body is longer than {MAX_TEXT_CHARS} characters"
        ));
    }
    match text.get("preview_url") {
        None | Some(Value::Bool(_)) => Ok(()),
        Some(_) => Err("text.preview_url must be a boolean".into()),
    }
}

fn template(t: &Map<String, Value>) -> Result<(), String> {
    if let Some(key) = t
        .keys()
        .find(|k| !["name", "language", "components"].contains(&k.as_str()))
    {
        return Err(format!("unknown parameter: template.{key}"));
    }
    match t.get("name").and_then(Value::as_str) {
        Some(name) if !name.trim().is_empty() => {}
        _ => return Err("template.name must be a non-empty string".into()),
    }
    match t
        .get("language")
        .and_then(|l| l.get("code"))
        .and_then(Value::as_str)
    {
        Some(code) if !code.trim().is_empty() => {}
        _ => return Err("template.language.code must be a non-empty string".into()),
    }
    let Some(components) = t.get("components") else {
        return Ok(());
    };
    let components = components
        .as_array()
        .ok_or("template.components must be an array")?;
    for (c, component) in components.iter().enumerate() {
        if component.get("type").and_then(Value::as_str) != Some("body") {
            return Err(format!("template.components[{c}].type must be \"body\""));
        }
        let parameters = component
            .get("parameters")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("template.components[{c}].parameters must be an array"))?;
        for (p, parameter) in parameters.iter().enumerate() {
            let at = format!("template.components[{c}].parameters[{p}]");
            if parameter.get("type").and_then(Value::as_str) != Some("text") {
                return Err(format!("{at}.type must be \"text\""));
            }
            match parameter.get("text").and_then(Value::as_str) {
                Some(text) if !text.trim().is_empty() => {}
                _ => return Err(format!("{at}.text must be a non-empty string")),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text_send() -> Value {
        json!({"messaging_product":"whatsapp","recipient_type":"individual",
               "to":"85291234567","type":"text","text":{"body":"hi","preview_url":false}})
    }

    #[test]
    fn accepts_what_the_client_builds() {
        assert_eq!(validate_send(&text_send()), Ok("85291234567".into()));
        let bsuid = json!({"messaging_product":"whatsapp","recipient":"HK.1234567890123456",
            "type":"template","template":{"name":"t","language":{"code":"zh_HK"},
            "components":[{"type":"body","parameters":[{"type":"text","text":"Ada"}]}]}});
        assert_eq!(validate_send(&bsuid), Ok("HK.1234567890123456".into()));
    }

    #[test]
    fn rejects_each_malformation_with_a_reason() {
        type Case = (fn(&mut Value), &'static str);
        let cases: Vec<Case> = vec![
            (
                |v| v["messaging_product"] = json!("sms"),
                "messaging_product",
            ),
            (|v| v["to"] = json!("+85291234567"), "digits"),
            (|v| v["type"] = json!("image"), "unsupported"),
            (|v| v["text"]["body"] = json!(""), "empty"),
            (|v| v["text"]["body"] = json!("x".repeat(4097)), "longer"),
            (|v| v["text"]["extra"] = json!(1), "text.extra"),
            (|v| v["surprise"] = json!(1), "unknown parameter: surprise"),
            (
                |v| v["recipient"] = json!("HK.1234567890123456"),
                "not both",
            ),
        ];
        for (mutate, needle) in cases {
            let mut v = text_send();
            mutate(&mut v);
            let details = validate_send(&v).expect_err(needle);
            assert!(details.contains(needle), "{details:?} lacks {needle:?}");
        }
        let empty_param = json!({"messaging_product":"whatsapp","to":"85291234567",
            "type":"template","template":{"name":"t","language":{"code":"en"},
            "components":[{"type":"body","parameters":[{"type":"text","text":"a"},{"type":"text","text":""}]}]}});
        let details = validate_send(&empty_param).expect_err("empty param");
        assert!(details.contains("parameters[1].text"), "{details}");
    }
}
