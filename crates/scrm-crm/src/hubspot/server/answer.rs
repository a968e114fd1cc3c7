//! The documented routes and what each answers, in HubSpot's shapes.

use axum::http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::store::{api_error, Refusal};
use super::{Account, Fault};
use crate::hubspot::api::{self, BatchArchive, BatchRead, Object};

/// A route of the documented subset.
pub(super) enum Route {
    Upsert(Object),
    Read(Object),
    Archive(Object),
    GdprDelete,
    Associate(Object),
    Associations(String, Object),
}

pub(super) fn route(method: &Method, path: &str) -> Option<Route> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let object = |s: &str| Object::from_path(s);
    match (method, parts.as_slice()) {
        (&Method::POST, ["crm", "v3", "objects", o, "batch", verb]) => {
            let o = object(o)?;
            match *verb {
                "upsert" => Some(Route::Upsert(o)),
                "read" => Some(Route::Read(o)),
                "archive" if o != Object::Contacts => Some(Route::Archive(o)),
                _ => None,
            }
        }
        (&Method::POST, ["crm", "v3", "objects", "contacts", "gdpr-delete"]) => {
            Some(Route::GdprDelete)
        }
        (
            &Method::POST,
            ["crm", "v4", "associations", from, "contacts", "batch", "associate", "default"],
        ) => object(from)
            .filter(|o| *o != Object::Contacts)
            .map(Route::Associate),
        (&Method::GET, ["crm", "v4", "objects", "contacts", id, "associations", to]) => object(to)
            .filter(|o| *o != Object::Contacts)
            .map(|o| Route::Associations((*id).to_owned(), o)),
        _ => None,
    }
}

/// An answer: status and JSON body (empty for 204).
pub(super) type Answer = (u16, String);

pub(super) fn json<T: Serialize>(status: u16, body: &T) -> Answer {
    (
        status,
        serde_json::to_string(body).expect("an answer serializes"),
    )
}

pub(super) fn refusal((status, error): Refusal) -> Answer {
    json(status, &error)
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Answer> {
    serde_json::from_slice(body).map_err(|e| {
        let message = format!(
            "Invalid input JSON on line {}, column {}: {e}",
            e.line(),
            e.column()
        );
        refusal((400, api_error(message, "VALIDATION_ERROR")))
    })
}

impl Account {
    pub(super) fn dispatch(&mut self, route: Route, body: &[u8], now_ms: i64) -> Answer {
        let result = match route {
            Route::Upsert(object) => parse(body).and_then(|b| {
                self.store
                    .upsert(object, b, now_ms)
                    .map(|r| batch_answer(&r.errors, &r))
                    .map_err(refusal)
            }),
            Route::Read(object) => parse::<BatchRead>(body).and_then(|b| {
                self.store
                    .read(object, b.id_property.as_deref(), &b.inputs, now_ms)
                    .map(|r| batch_answer(&r.errors, &r))
                    .map_err(refusal)
            }),
            Route::Archive(object) => parse::<BatchArchive>(body).and_then(|b| {
                self.store
                    .archive(object, &b.inputs)
                    .map(|()| (204, String::new()))
                    .map_err(refusal)
            }),
            Route::Associate(from) => parse(body).and_then(|b| {
                self.store
                    .associate(from, b, now_ms)
                    .map(|r| batch_answer(&r.errors, &r))
                    .map_err(refusal)
            }),
            Route::GdprDelete => parse::<api::GdprDelete>(body).and_then(|b| {
                match self.store.erase(&b.object_id, b.id_property.as_deref()) {
                    Ok(true) => Ok((204, String::new())),
                    Ok(false) => Err(refusal((
                        404,
                        api_error("resource not found", "OBJECT_NOT_FOUND"),
                    ))),
                    Err(r) => Err(refusal(r)),
                }
            }),
            Route::Associations(contact_id, to) => {
                let exists = self
                    .store
                    .records
                    .get(&Object::Contacts)
                    .is_some_and(|t| t.contains_key(&contact_id));
                if exists {
                    let type_id = to.to_contact_type().unwrap_or_default();
                    let results: Vec<serde_json::Value> = self
                        .store
                        .associated(&contact_id, to)
                        .into_iter()
                        .map(|id| {
                            serde_json::json!({
                                "toObjectId": id.parse::<u64>().unwrap_or_default(),
                                "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": null}],
                            })
                        })
                        .collect();
                    Ok(json(200, &serde_json::json!({ "results": results })))
                } else {
                    Err(refusal((
                        404,
                        api_error("resource not found", "OBJECT_NOT_FOUND"),
                    )))
                }
            }
        };
        result.unwrap_or_else(|refused| refused)
    }
}

/// 200 when every input went, 207 when some did not.
fn batch_answer<E, T: Serialize>(errors: &[E], body: &T) -> Answer {
    json(if errors.is_empty() { 200 } else { 207 }, body)
}

pub(super) fn rate_limited(policy: &str, message: &str) -> Answer {
    let mut e = api_error(message, "RATE_LIMITS");
    e.category = None;
    e.error_type = Some("RATE_LIMIT".into());
    e.policy_name = Some(policy.into());
    json(429, &e)
}
pub(super) fn fault_answer(fault: &Fault) -> Answer {
    match fault.status {
        429 => rate_limited(
            "TEN_SECONDLY_ROLLING",
            "You have reached your ten_secondly_rolling limit.",
        ),
        status => {
            let category = if status >= 500 {
                "INTERNAL_ERROR"
            } else {
                "VALIDATION_ERROR"
            };
            let message = fault.message.as_deref().unwrap_or("internal error");
            let e = api_error(message, category);
            json(status, &e)
        }
    }
}
