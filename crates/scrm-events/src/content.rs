//! The body of an inbound WhatsApp message: the `content` union of `InboundMessage`, one
//! variant per WhatsApp message type, and the text a person typed in it.

use apache_avro::types::Value;
use serde::{Deserialize, Serialize};

use crate::decode::{
    array, avro_enum, double, enumeration, int, long, string, Decoded, Fields, RecordUnion,
};

avro_enum! {
    /// WhatsApp media type (`MediaKind`).
    MediaKind = "MediaKind" {
        Image = "IMAGE",
        Audio = "AUDIO",
        Video = "VIDEO",
        Document = "DOCUMENT",
        Sticker = "STICKER",
        Unknown = "UNKNOWN",
    }
}

avro_enum! {
    /// Which interactive element was answered (`InteractiveKind`).
    InteractiveKind = "InteractiveKind" {
        Button = "BUTTON",
        List = "LIST",
        Unknown = "UNKNOWN",
    }
}

/// The message body, by WhatsApp message type. Each variant is one record of the union, with
/// its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Content {
    /// `TextContent`: type=text.
    Text {
        /// The text as typed by the customer.
        body: String,
    },
    /// `MediaContent`: type=image, audio, video, document or sticker.
    Media {
        /// WhatsApp media type.
        kind: MediaKind,
        /// Graph API media id.
        media_id: String,
        /// MIME type as announced by WhatsApp.
        mime_type: Option<String>,
        /// SHA-256 of the media as announced by WhatsApp.
        sha256: Option<String>,
        /// Caption typed with the media.
        caption: Option<String>,
        /// File name of a document.
        filename: Option<String>,
        /// Where scrm keeps its copy of the media; `None` until fetched.
        stored_url: Option<String>,
    },
    /// `LocationContent`: type=location.
    Location {
        /// Degrees, WGS84.
        latitude: f64,
        /// Degrees, WGS84.
        longitude: f64,
        /// Place name.
        name: Option<String>,
        /// Place address.
        address: Option<String>,
    },
    /// `InteractiveReply`: a button or list reply, or a template's quick reply.
    Interactive {
        /// Which interactive element was answered.
        kind: InteractiveKind,
        /// The id the business gave the button or row.
        reply_id: String,
        /// The title shown to the customer.
        title: String,
        /// List row description.
        description: Option<String>,
    },
    /// `Reaction`: type=reaction.
    Reaction {
        /// The message reacted to.
        message_wamid: String,
        /// The emoji; `None` when the reaction was removed.
        emoji: Option<String>,
    },
    /// `ContactsContent`: contact cards the customer shared.
    Contacts {
        /// The shared cards.
        contacts: Vec<SharedContact>,
    },
    /// `OrderContent`: a cart sent from the WhatsApp catalog.
    Order {
        /// Catalog the items come from.
        catalog_id: String,
        /// Items in the cart.
        items: Vec<CatalogItem>,
        /// Text sent with the order.
        text: Option<String>,
    },
    /// `UnsupportedContent`: a message type scrm does not map yet.
    Unsupported {
        /// The type field as WhatsApp sent it.
        whatsapp_type: String,
    },
}

/// A contact card shared in a message (`SharedContact`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedContact {
    /// Formatted name on the card.
    pub name: String,
    /// Phone numbers on the card, as given.
    pub phones: Vec<String>,
}

/// An item of a catalog order (`CatalogItem`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogItem {
    /// product_retailer_id.
    pub sku: String,
    /// Units.
    pub quantity: i32,
    /// Price per unit in minor units of the currency.
    pub unit_price_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
}

/// The branches of the content union, in the order of the current schema.
pub(crate) static UNION: RecordUnion = RecordUnion {
    names: &[
        "TextContent",
        "MediaContent",
        "LocationContent",
        "InteractiveReply",
        "Reaction",
        "ContactsContent",
        "OrderContent",
        "UnsupportedContent",
    ],
    fields: &[
        &["body"],
        &[
            "kind",
            "media_id",
            "mime_type",
            "sha256",
            "caption",
            "filename",
            "stored_url",
        ],
        &["latitude", "longitude", "name", "address"],
        &["kind", "reply_id", "title", "description"],
        &["message_wamid", "emoji"],
        &["contacts"],
        &["catalog_id", "items", "text"],
        &["whatsapp_type"],
    ],
};

impl Content {
    /// The text a person typed: a text body, a media caption, the title of the button or row
    /// chosen, the text sent with an order. `None` for the other types.
    pub fn text(&self) -> Option<&str> {
        match self {
            Content::Text { body } => Some(body),
            Content::Media { caption, .. } => caption.as_deref(),
            Content::Interactive { title, .. } => Some(title),
            Content::Order { text, .. } => text.as_deref(),
            Content::Location { .. }
            | Content::Reaction { .. }
            | Content::Contacts { .. }
            | Content::Unsupported { .. } => None,
        }
    }

    /// Stable snake_case name of the message type, for metrics: `text`, `media`, `location`,
    /// `interactive`, `reaction`, `contacts`, `order` or `unsupported`.
    pub fn kind(&self) -> &'static str {
        match self {
            Content::Text { .. } => "text",
            Content::Media { .. } => "media",
            Content::Location { .. } => "location",
            Content::Interactive { .. } => "interactive",
            Content::Reaction { .. } => "reaction",
            Content::Contacts { .. } => "contacts",
            Content::Order { .. } => "order",
            Content::Unsupported { .. } => "unsupported",
        }
    }

    /// Decodes the `content` union.
    pub(crate) fn from_avro(value: &Value) -> Decoded<Content> {
        UNION.decode(value, |branch, mut r| {
            Ok(match branch {
                0 => Content::Text {
                    body: r.get("body", string)?,
                },
                1 => Content::Media {
                    kind: r.get("kind", enumeration)?,
                    media_id: r.get("media_id", string)?,
                    mime_type: r.opt("mime_type", string)?,
                    sha256: r.opt("sha256", string)?,
                    caption: r.opt("caption", string)?,
                    filename: r.opt("filename", string)?,
                    stored_url: r.opt("stored_url", string)?,
                },
                2 => Content::Location {
                    latitude: r.get("latitude", double)?,
                    longitude: r.get("longitude", double)?,
                    name: r.opt("name", string)?,
                    address: r.opt("address", string)?,
                },
                3 => Content::Interactive {
                    kind: r.get("kind", enumeration)?,
                    reply_id: r.get("reply_id", string)?,
                    title: r.get("title", string)?,
                    description: r.opt("description", string)?,
                },
                4 => Content::Reaction {
                    message_wamid: r.get("message_wamid", string)?,
                    emoji: r.opt("emoji", string)?,
                },
                5 => Content::Contacts {
                    contacts: r.get("contacts", |v| array(v, shared_contact))?,
                },
                6 => Content::Order {
                    catalog_id: r.get("catalog_id", string)?,
                    items: r.get("items", |v| array(v, catalog_item))?,
                    text: r.opt("text", string)?,
                },
                _ => Content::Unsupported {
                    whatsapp_type: r.get("whatsapp_type", string)?,
                },
            })
        })
    }
}

fn shared_contact(value: &Value) -> Decoded<SharedContact> {
    let mut r = Fields::of(value)?;
    Ok(SharedContact {
        name: r.get("name", string)?,
        phones: r.get("phones", |v| array(v, string))?,
    })
}

fn catalog_item(value: &Value) -> Decoded<CatalogItem> {
    let mut r = Fields::of(value)?;
    Ok(CatalogItem {
        sku: r.get("sku", string)?,
        quantity: r.get("quantity", int)?,
        unit_price_minor: r.get("unit_price_minor", long)?,
        currency: r.get("currency", string)?,
    })
}
