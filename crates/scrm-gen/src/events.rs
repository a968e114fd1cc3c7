//! Building blocks shared by the episode and order generators: the event
//! envelope in "produce JSON" form, WhatsApp-looking ids, and the delivery
//! status trail of an outbound message.

use chrono::DateTime;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

use crate::config::{GeneratedEvent, Topic, DAY_MS, HOUR_MS, MINUTE_MS};
use crate::orders::OrderFlow;

/// Producer name written in every event's `source`.
pub(crate) const SOURCE: &str = "scrm-demo";

/// Something an expansion hands back to the generator's time-ordered queue.
#[derive(Debug)]
pub(crate) enum Scheduled {
    /// An event, due at its `occurred_at_ms`.
    Event(GeneratedEvent),
    /// The next step of an order, due at the given time.
    Order(i64, Box<OrderFlow>),
}

/// RFC 3339 UTC with milliseconds: "2026-11-02T14:05:00.123Z".
pub(crate) fn rfc3339(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .expect("generated times are within chrono's range")
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// An event of `topic` whose payload is the record `record` (union branch,
/// hence the one-key wrapping). Without an `event_id` the generator assigns
/// "demo-<seed>-<n>" when the event comes out.
pub(crate) fn envelope(
    topic: Topic,
    customer: &str,
    at: i64,
    event_id: Option<String>,
    record: &str,
    body: Value,
) -> GeneratedEvent {
    let mut obj = Map::new();
    if let Some(id) = event_id {
        obj.insert("event_id".into(), Value::String(id));
    }
    obj.insert("customer".into(), Value::String(customer.to_string()));
    obj.insert("occurred_at".into(), Value::String(rfc3339(at)));
    obj.insert("source".into(), Value::String(SOURCE.into()));
    let mut payload = Map::new();
    payload.insert(record.to_string(), body);
    obj.insert("payload".into(), Value::Object(payload));
    GeneratedEvent {
        topic,
        customer: customer.to_string(),
        occurred_at_ms: at,
        json: Value::Object(obj),
    }
}

/// `n` random hex digits.
pub(crate) fn hex(rng: &mut ChaCha8Rng, n: usize, upper: bool) -> String {
    const LOWER: &[u8; 16] = b"0123456789abcdef";
    const UPPER: &[u8; 16] = b"0123456789ABCDEF";
    let table = if upper { UPPER } else { LOWER };
    (0..n)
        .map(|_| char::from(table[rng.gen_range(0..16)]))
        .collect()
}

/// Standard base64 with padding; enough for ids, so no extra dependency.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A wamid shaped like the Cloud API's: base64 of a small protobuf holding
/// the customer's wa_id and a 20-hex-digit message id, so it starts with
/// "wamid.HBgL" for 11-digit numbers just like real ones.
pub(crate) fn wamid(rng: &mut ChaCha8Rng, wa_id: &str, outbound: bool) -> String {
    let mut bytes = Vec::with_capacity(48);
    bytes.extend_from_slice(&[0x1c, 0x18]);
    bytes.push(u8::try_from(wa_id.len()).unwrap_or(u8::MAX));
    bytes.extend_from_slice(wa_id.as_bytes());
    bytes.extend_from_slice(&[
        0x15,
        0x02,
        0x00,
        if outbound { 0x11 } else { 0x12 },
        0x18,
        0x14,
    ]);
    bytes.extend_from_slice(hex(rng, 20, true).as_bytes());
    bytes.push(0x00);
    format!("wamid.{}", base64(&bytes))
}

/// A uniformly drawn duration in `[lo, hi)` milliseconds.
pub(crate) fn between(rng: &mut ChaCha8Rng, lo: i64, hi: i64) -> i64 {
    rng.gen_range(lo..hi)
}

/// How the customer reads a message: in an active chat within a minute,
/// otherwise minutes to hours later (or never).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attention {
    Chatting,
    Away,
}

/// An outbound message whose statuses are to be generated.
#[derive(Debug)]
pub(crate) struct Sent<'a> {
    pub(crate) customer: &'a str,
    pub(crate) wamid: &'a str,
    pub(crate) at: i64,
    /// pricing.category as the webhook spells it (service, marketing...).
    pub(crate) pricing: &'a str,
    pub(crate) conversation_id: &'a str,
    /// The customer's offset from UTC: people read at night only rarely.
    pub(crate) utc_offset_minutes: i32,
}

/// Emits the statuses[] trail of the outbound message `msg`: SENT,
/// DELIVERED, READ, with the failures WhatsApp really reports (131026
/// undeliverable, 131047 outside the 24-hour window) and the occasional
/// missing DELIVERED. Returns when the customer read it, if ever.
pub(crate) fn delivery_trail(
    rng: &mut ChaCha8Rng,
    out: &mut Vec<Scheduled>,
    msg: &Sent<'_>,
    attention: Attention,
) -> Option<i64> {
    let status = |out: &mut Vec<Scheduled>, at: i64, state: &str, error: Option<(i64, &str)>| {
        let mut body = json!({
            "wamid": msg.wamid,
            "status": state,
            "pricing_category": msg.pricing,
            "conversation_id": msg.conversation_id,
        });
        if let Some((code, title)) = error {
            body["error_code"] = json!(code);
            body["error_title"] = json!(title);
        }
        let id = format!("{}:{}:{at}", msg.wamid, state.to_ascii_lowercase());
        out.push(Scheduled::Event(envelope(
            Topic::Conversation,
            msg.customer,
            at,
            Some(id),
            "DeliveryStatus",
            body,
        )));
    };
    let sent = msg.at + between(rng, 300, 2_500);
    status(out, sent, "SENT", None);
    if rng.gen_bool(0.02) {
        let error = if rng.gen_bool(0.7) {
            (131_026, "Message undeliverable")
        } else {
            (131_047, "Re-engagement message")
        };
        status(out, sent + between(rng, 500, 5_000), "FAILED", Some(error));
        return None;
    }
    let delivered = sent + between(rng, 400, 8_000);
    // WhatsApp sometimes never sends DELIVERED when READ comes right away.
    if !rng.gen_bool(0.04) {
        status(out, delivered, "DELIVERED", None);
    }
    let read = match attention {
        Attention::Chatting if rng.gen_bool(0.95) => delivered + between(rng, 1_000, 45_000),
        Attention::Away if rng.gen_bool(0.8) => {
            // Long-tailed: most within the hour, some the next morning.
            let minutes = if rng.gen_bool(0.7) {
                rng.gen_range(1..60)
            } else {
                rng.gen_range(60..14 * 60)
            };
            let read = delivered + minutes * MINUTE_MS + between(rng, 0, MINUTE_MS);
            morning_if_night(rng, read, msg.utc_offset_minutes)
        }
        _ => return None,
    };
    status(out, read, "READ", None);
    Some(read)
}

/// Moves a time falling in 00:00–07:00 local to 07:00–09:00 the same local
/// day, when the customer wakes up and reads.
pub(crate) fn morning_if_night(rng: &mut ChaCha8Rng, t: i64, utc_offset_minutes: i32) -> i64 {
    let offset = i64::from(utc_offset_minutes) * MINUTE_MS;
    let into_day = (t + offset).rem_euclid(DAY_MS);
    if into_day < 7 * HOUR_MS {
        t - into_day + 7 * HOUR_MS + between(rng, 0, 2 * HOUR_MS)
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn base64_matches_known_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn wamid_looks_real() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let w = wamid(&mut rng, "85291234567", false);
        assert!(w.starts_with("wamid.HBgL"), "{w}");
    }

    #[test]
    fn rfc3339_has_millis() {
        assert_eq!(rfc3339(1_793_628_300_123), "2026-11-02T14:05:00.123Z");
    }

    #[test]
    fn trail_is_ordered() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for _ in 0..200 {
            let mut out = Vec::new();
            let msg = Sent {
                customer: "+33612345678",
                wamid: "wamid.x",
                at: 1_000,
                pricing: "service",
                conversation_id: "c",
                utc_offset_minutes: 480,
            };
            delivery_trail(&mut rng, &mut out, &msg, Attention::Away);
            let times: Vec<i64> = out
                .iter()
                .map(|s| match s {
                    Scheduled::Event(e) => e.occurred_at_ms,
                    Scheduled::Order(..) => unreachable!(),
                })
                .collect();
            assert!(times.windows(2).all(|w| w[0] < w[1]) && times[0] > 1_000);
        }
    }
}
