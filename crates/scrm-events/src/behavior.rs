//! `scrm.behavior.v1` (`behavior_event.avsc`): what a customer did outside the chat, from
//! the web tracker, the quiz app and the shops' tills.

use apache_avro::types::Value;
use serde::{Deserialize, Serialize};

use crate::decode::{int, long, string, Decoded, Fields, RecordUnion};
use crate::event::Payload;

/// The customer opened a link scrm or an agent sent (`LinkClick`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkClick {
    /// The link as sent.
    pub url: String,
    /// Product the link points to, if any.
    pub sku: Option<String>,
    /// Campaign or promotion the link belongs to.
    pub campaign: Option<String>,
    /// Automation trigger whose message carried the link.
    pub trigger_id: Option<String>,
}

/// The customer viewed a product page (`ProductView`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductView {
    /// Product SKU.
    pub sku: String,
    /// Display name.
    pub product_name: Option<String>,
    /// Shown price in minor units.
    pub price_minor: Option<i64>,
    /// ISO 4217 code of `price_minor`.
    pub currency: Option<String>,
}

/// The customer put a product in the cart (`AddToCart`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddToCart {
    /// Product SKU.
    pub sku: String,
    /// Units added.
    pub quantity: i32,
    /// Price per unit in minor units.
    pub unit_price_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
}

/// The customer answered a quiz question: skin type, size finder... (`QuizAnswer`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizAnswer {
    /// Quiz.
    pub quiz_id: String,
    /// Question within the quiz.
    pub question_id: String,
    /// The answer as given.
    pub answer: String,
}

/// The customer visited a physical store, at the till or by check-in (`StoreVisit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreVisit {
    /// Store id from the configured store list.
    pub store_id: String,
    /// Display name.
    pub store_name: Option<String>,
}

/// The branches of `BehaviorEvent.payload`, in the order of the current schema.
pub(crate) static UNION: RecordUnion = RecordUnion {
    names: &[
        "LinkClick",
        "ProductView",
        "AddToCart",
        "QuizAnswer",
        "StoreVisit",
    ],
    fields: &[
        &["url", "sku", "campaign", "trigger_id"],
        &["sku", "product_name", "price_minor", "currency"],
        &["sku", "quantity", "unit_price_minor", "currency"],
        &["quiz_id", "question_id", "answer"],
        &["store_id", "store_name"],
    ],
};

/// Decodes `BehaviorEvent.payload`.
pub(crate) fn payload(value: &Value) -> Decoded<Payload> {
    UNION.decode(value, |branch, mut r| {
        Ok(match branch {
            0 => Payload::LinkClick(link_click(&mut r)?),
            1 => Payload::ProductView(product_view(&mut r)?),
            2 => Payload::AddToCart(add_to_cart(&mut r)?),
            3 => Payload::QuizAnswer(quiz_answer(&mut r)?),
            _ => Payload::StoreVisit(store_visit(&mut r)?),
        })
    })
}

fn link_click(r: &mut Fields<'_>) -> Decoded<LinkClick> {
    Ok(LinkClick {
        url: r.get("url", string)?,
        sku: r.opt("sku", string)?,
        campaign: r.opt("campaign", string)?,
        trigger_id: r.opt("trigger_id", string)?,
    })
}

fn product_view(r: &mut Fields<'_>) -> Decoded<ProductView> {
    Ok(ProductView {
        sku: r.get("sku", string)?,
        product_name: r.opt("product_name", string)?,
        price_minor: r.opt("price_minor", long)?,
        currency: r.opt("currency", string)?,
    })
}

fn add_to_cart(r: &mut Fields<'_>) -> Decoded<AddToCart> {
    Ok(AddToCart {
        sku: r.get("sku", string)?,
        quantity: r.get("quantity", int)?,
        unit_price_minor: r.get("unit_price_minor", long)?,
        currency: r.get("currency", string)?,
    })
}

fn quiz_answer(r: &mut Fields<'_>) -> Decoded<QuizAnswer> {
    Ok(QuizAnswer {
        quiz_id: r.get("quiz_id", string)?,
        question_id: r.get("question_id", string)?,
        answer: r.get("answer", string)?,
    })
}

fn store_visit(r: &mut Fields<'_>) -> Decoded<StoreVisit> {
    Ok(StoreVisit {
        store_id: r.get("store_id", string)?,
        store_name: r.opt("store_name", string)?,
    })
}
