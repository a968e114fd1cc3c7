//! Realistic webhook bodies, one per message type, status and change field scrm maps,
//! written for scrm after the field structure of Meta's webhook reference: customers in
//! Hong Kong, Taiwan, Brazil and France writing in Cantonese, Mandarin, Portuguese and
//! French, `wamid.HBgL...` ids, string timestamps, `user_id` BSUIDs beside phone numbers.
//!
//! They are the test corpus of this crate (every one must map to valid events) and of the
//! crates around it: the gateway's HTTP tests post them, signed with
//! [`sign`](crate::sign), and benchmarks replay them.
//!
//! | name | what it holds |
//! | --- | --- |
//! | `text` ... `unsupported` | one inbound message of that WhatsApp type (`reaction_removed`: a reaction without emoji) |
//! | `status_sent`, `status_delivered`, `status_read` | one status each |
//! | `status_failed` | a failed status with error 131026 and no contacts |
//! | `statuses_batch` | delivered and read of one message, a status sent to a BSUID only, and a `played` status scrm skips |
//! | `bsuid` | a message from a user who hides their number: `from_user_id`, no `from`, no `wa_id` |
//! | `multi` | two entries: a French text beside a template review scrm ignores, then a Brazilian and a Taiwanese message and a status in one change |
//! | `business_capability_update` | a messaging-limit change |

/// Every fixture as `(name, body)`, in the order of the table above.
pub const ALL: &[(&str, &str)] = &[
    ("text", include_str!("../fixtures/text.json")),
    ("image", include_str!("../fixtures/image.json")),
    ("audio", include_str!("../fixtures/audio.json")),
    ("video", include_str!("../fixtures/video.json")),
    ("document", include_str!("../fixtures/document.json")),
    ("sticker", include_str!("../fixtures/sticker.json")),
    ("location", include_str!("../fixtures/location.json")),
    ("contacts", include_str!("../fixtures/contacts.json")),
    (
        "interactive_button_reply",
        include_str!("../fixtures/interactive_button_reply.json"),
    ),
    (
        "interactive_list_reply",
        include_str!("../fixtures/interactive_list_reply.json"),
    ),
    ("button", include_str!("../fixtures/button.json")),
    ("reaction", include_str!("../fixtures/reaction.json")),
    (
        "reaction_removed",
        include_str!("../fixtures/reaction_removed.json"),
    ),
    ("order", include_str!("../fixtures/order.json")),
    ("unsupported", include_str!("../fixtures/unsupported.json")),
    ("status_sent", include_str!("../fixtures/status_sent.json")),
    (
        "status_delivered",
        include_str!("../fixtures/status_delivered.json"),
    ),
    ("status_read", include_str!("../fixtures/status_read.json")),
    (
        "status_failed",
        include_str!("../fixtures/status_failed.json"),
    ),
    (
        "statuses_batch",
        include_str!("../fixtures/statuses_batch.json"),
    ),
    ("bsuid", include_str!("../fixtures/bsuid.json")),
    ("multi", include_str!("../fixtures/multi.json")),
    (
        "business_capability_update",
        include_str!("../fixtures/business_capability_update.json"),
    ),
];

/// The body of the fixture `name`, if there is one.
pub fn get(name: &str) -> Option<&'static str> {
    ALL.iter().find(|(n, _)| *n == name).map(|(_, body)| *body)
}
