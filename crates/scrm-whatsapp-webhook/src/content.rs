//! The body of an inbound message, by WhatsApp message `type`: the `content` union of
//! `InboundMessage`, as JSON with the record name as the one key
//! (`{"TextContent": {"body": "有冇折扣?"}}`).
//!
//! Every type scrm does not map yet (`unsupported`, `system`, `request_welcome`, an
//! interactive `nfm_reply`, whatever Meta adds next) becomes `UnsupportedContent` with
//! the type string, so nothing is dropped and nothing fails. A mapped type whose own
//! object lacks what the record requires (an image without `id`) is a [`ParseError`]
//! naming the field.
//!
//! [`ParseError`]: crate::ParseError

use serde_json::{json, Map, Value};

use crate::money::to_minor_units;
use crate::read::{
    as_array, as_object, int32, member, opt_array, opt_object, opt_str, req_array, req_id,
    req_object, req_str, ParseError, Path, Read,
};

/// The `content` union value of message `msg` (at `path`) of WhatsApp type `kind`.
pub(crate) fn content(msg: &Map<String, Value>, kind: &str, path: &Path<'_>) -> Read<Value> {
    match kind {
        "text" => {
            let text = req_object(msg, "text", path)?;
            let body = req_str(text, "body", &path.key("text"))?;
            Ok(json!({"TextContent": {"body": body}}))
        }
        "image" => media(msg, kind, "IMAGE", path),
        "audio" => media(msg, kind, "AUDIO", path),
        "video" => media(msg, kind, "VIDEO", path),
        "document" => media(msg, kind, "DOCUMENT", path),
        "sticker" => media(msg, kind, "STICKER", path),
        "location" => location(msg, path),
        "contacts" => contacts(msg, path),
        "interactive" => interactive(msg, path),
        "button" => {
            let at = path.key("button");
            let button = req_object(msg, "button", path)?;
            let title = req_str(button, "text", &at)?;
            let reply_id = opt_str(button, "payload", &at)?.unwrap_or(title);
            Ok(reply("BUTTON", reply_id, title, None))
        }
        "reaction" => {
            let at = path.key("reaction");
            let reaction = req_object(msg, "reaction", path)?;
            let message_wamid = req_id(reaction, "message_id", &at)?;
            // Meta sends an empty (or no) emoji when the customer takes the reaction back.
            let emoji = opt_str(reaction, "emoji", &at)?.filter(|e| !e.is_empty());
            Ok(json!({"Reaction": {"message_wamid": message_wamid, "emoji": emoji}}))
        }
        "order" => order(msg, path),
        other => Ok(unsupported(other)),
    }
}

/// `UnsupportedContent` for WhatsApp type `kind`.
fn unsupported(kind: &str) -> Value {
    json!({"UnsupportedContent": {"whatsapp_type": kind}})
}

fn reply(kind: &str, reply_id: &str, title: &str, description: Option<&str>) -> Value {
    json!({"InteractiveReply": {
        "kind": kind,
        "reply_id": reply_id,
        "title": title,
        "description": description,
    }})
}

/// image, audio, video, document, sticker: the media object under the type's own key.
fn media(msg: &Map<String, Value>, key: &str, kind: &str, path: &Path<'_>) -> Read<Value> {
    let at = path.key(key);
    let media = req_object(msg, key, path)?;
    Ok(json!({"MediaContent": {
        "kind": kind,
        "media_id": req_id(media, "id", &at)?,
        "mime_type": opt_str(media, "mime_type", &at)?,
        "sha256": opt_str(media, "sha256", &at)?,
        "caption": opt_str(media, "caption", &at)?,
        "filename": opt_str(media, "filename", &at)?,
        "stored_url": null,
    }}))
}

/// Degrees as a JSON number or a decimal string; must be finite.
fn degrees(obj: &Map<String, Value>, key: &str, path: &Path<'_>) -> Read<f64> {
    let at = path.key(key);
    let value = member(obj, key).ok_or_else(|| ParseError::at(&at, "missing"))?;
    let degrees = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    degrees
        .filter(|d| d.is_finite())
        .ok_or_else(|| ParseError::at(&at, "expected degrees as a number"))
}

fn location(msg: &Map<String, Value>, path: &Path<'_>) -> Read<Value> {
    let at = path.key("location");
    let location = req_object(msg, "location", path)?;
    Ok(json!({"LocationContent": {
        "latitude": degrees(location, "latitude", &at)?,
        "longitude": degrees(location, "longitude", &at)?,
        "name": opt_str(location, "name", &at)?,
        "address": opt_str(location, "address", &at)?,
    }}))
}

/// contacts: shared cards. The name is `name.formatted_name`, else first and last name
/// joined, else empty; phones are `phones[].phone` (or `wa_id`), in order.
fn contacts(msg: &Map<String, Value>, path: &Path<'_>) -> Read<Value> {
    let at = path.key("contacts");
    let cards = req_array(msg, "contacts", path)?
        .iter()
        .enumerate()
        .map(|(i, card)| {
            let at = at.index(i);
            let card = as_object(card, &at)?;
            let name = match opt_object(card, "name", &at)? {
                Some(name) => card_name(name, &at.key("name"))?,
                None => String::new(),
            };
            let phones_at = at.key("phones");
            let mut phones = Vec::new();
            for (j, phone) in opt_array(card, "phones", &at)?.iter().enumerate() {
                let at = phones_at.index(j);
                let phone = as_object(phone, &at)?;
                let number = match opt_str(phone, "phone", &at)? {
                    Some(number) => Some(number),
                    None => opt_str(phone, "wa_id", &at)?,
                };
                phones.extend(number);
            }
            Ok(json!({"name": name, "phones": phones}))
        })
        .collect::<Read<Vec<Value>>>()?;
    Ok(json!({"ContactsContent": {"contacts": cards}}))
}

fn card_name(name: &Map<String, Value>, path: &Path<'_>) -> Read<String> {
    if let Some(formatted) = opt_str(name, "formatted_name", path)? {
        return Ok(formatted.to_owned());
    }
    let parts = [
        opt_str(name, "first_name", path)?,
        opt_str(name, "last_name", path)?,
    ];
    Ok(parts.into_iter().flatten().collect::<Vec<_>>().join(" "))
}

/// interactive: a reply to reply buttons or to a list; other kinds (Flows' `nfm_reply`...)
/// are kept as `UnsupportedContent` named `interactive.<kind>`.
fn interactive(msg: &Map<String, Value>, path: &Path<'_>) -> Read<Value> {
    let at = path.key("interactive");
    let interactive = req_object(msg, "interactive", path)?;
    let kind = req_str(interactive, "type", &at)?;
    let (record_kind, key) = match kind {
        "button_reply" => ("BUTTON", "button_reply"),
        "list_reply" => ("LIST", "list_reply"),
        other => return Ok(unsupported(&format!("interactive.{other}"))),
    };
    let reply_at = at.key(key);
    let answer = req_object(interactive, key, &at)?;
    Ok(reply(
        record_kind,
        req_str(answer, "id", &reply_at)?,
        req_str(answer, "title", &reply_at)?,
        opt_str(answer, "description", &reply_at)?,
    ))
}

/// order: a cart from the catalog, prices converted to minor units.
fn order(msg: &Map<String, Value>, path: &Path<'_>) -> Read<Value> {
    let at = path.key("order");
    let order = req_object(msg, "order", path)?;
    let items_at = at.key("product_items");
    let items = match member(order, "product_items") {
        Some(items) => as_array(items, &items_at)?,
        None => &[],
    };
    let items = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let at = items_at.index(i);
            let item = as_object(item, &at)?;
            let currency = req_str(item, "currency", &at)?;
            let quantity_at = at.key("quantity");
            let quantity =
                member(item, "quantity").ok_or_else(|| ParseError::at(&quantity_at, "missing"))?;
            let price_at = at.key("item_price");
            let price =
                member(item, "item_price").ok_or_else(|| ParseError::at(&price_at, "missing"))?;
            Ok(json!({
                "sku": req_str(item, "product_retailer_id", &at)?,
                "quantity": int32(quantity, &quantity_at)?,
                "unit_price_minor": to_minor_units(price, currency, &price_at)?,
                "currency": currency,
            }))
        })
        .collect::<Read<Vec<Value>>>()?;
    Ok(json!({"OrderContent": {
        "catalog_id": req_str(order, "catalog_id", &at)?,
        "items": items,
        "text": opt_str(order, "text", &at)?,
    }}))
}
