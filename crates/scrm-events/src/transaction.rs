//! `scrm.transaction.v1` (`transaction_event.avsc`): orders, payments, shipping and
//! returns from the shop's order service.

use apache_avro::types::Value;
use serde::{Deserialize, Serialize};

use crate::decode::{
    array, avro_enum, enumeration, int, long, string, timestamp, Decoded, Fields, RecordUnion,
};
use crate::event::Payload;

avro_enum! {
    /// How the customer pays (`PaymentMethod`); `CashOnDelivery` is paid on delivery.
    PaymentMethod = "PaymentMethod" {
        Card = "CARD",
        CashOnDelivery = "CASH_ON_DELIVERY",
        BankTransfer = "BANK_TRANSFER",
        Wallet = "WALLET",
        Pix = "PIX",
        Fps = "FPS",
        Other = "OTHER",
    }
}

/// A new order (`OrderPlaced`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPlaced {
    /// The shop's order id.
    pub order_id: String,
    /// Ordered items.
    pub lines: Vec<OrderLine>,
    /// Order total in minor units, after discounts.
    pub total_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// How the customer pays.
    pub payment_method: PaymentMethod,
    /// Code used, e.g. one an automation sent.
    pub discount_code: Option<String>,
}

/// An ordered item (`OrderLine`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// Product SKU.
    pub sku: String,
    /// Display name.
    pub name: Option<String>,
    /// Units.
    pub quantity: i32,
    /// Price per unit in minor units.
    pub unit_price_minor: i64,
}

/// Payment received (`OrderPaid`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPaid {
    /// The shop's order id.
    pub order_id: String,
    /// Amount paid in minor units.
    pub amount_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// How it was paid.
    pub payment_method: PaymentMethod,
}

/// Handed to a carrier (`OrderShipped`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderShipped {
    /// The shop's order id.
    pub order_id: String,
    /// Carrier name (SF Express, Correios, Colissimo...).
    pub carrier: String,
    /// Carrier tracking number.
    pub tracking_number: String,
    /// Tracking page.
    pub tracking_url: Option<String>,
    /// Expected delivery time (`eta`), UTC milliseconds.
    pub eta_ms: Option<i64>,
}

/// The carrier delivered it (`OrderDelivered`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDelivered {
    /// The shop's order id.
    pub order_id: String,
}

/// Items came back (`OrderReturned`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderReturned {
    /// The shop's order id.
    pub order_id: String,
    /// Returned SKUs.
    pub skus: Vec<String>,
    /// Why, as the customer said.
    pub reason: Option<String>,
    /// Refunded amount in minor units.
    pub refund_minor: Option<i64>,
}

/// The branches of `TransactionEvent.payload`, in the order of the current schema.
pub(crate) static UNION: RecordUnion = RecordUnion {
    names: &[
        "OrderPlaced",
        "OrderPaid",
        "OrderShipped",
        "OrderDelivered",
        "OrderReturned",
    ],
    fields: &[
        &[
            "order_id",
            "lines",
            "total_minor",
            "currency",
            "payment_method",
            "discount_code",
        ],
        &["order_id", "amount_minor", "currency", "payment_method"],
        &[
            "order_id",
            "carrier",
            "tracking_number",
            "tracking_url",
            "eta",
        ],
        &["order_id"],
        &["order_id", "skus", "reason", "refund_minor"],
    ],
};

/// Decodes `TransactionEvent.payload`.
pub(crate) fn payload(value: &Value) -> Decoded<Payload> {
    UNION.decode(value, |branch, mut r| {
        Ok(match branch {
            0 => Payload::OrderPlaced(placed(&mut r)?),
            1 => Payload::OrderPaid(paid(&mut r)?),
            2 => Payload::OrderShipped(shipped(&mut r)?),
            3 => Payload::OrderDelivered(OrderDelivered {
                order_id: r.get("order_id", string)?,
            }),
            _ => Payload::OrderReturned(returned(&mut r)?),
        })
    })
}

fn placed(r: &mut Fields<'_>) -> Decoded<OrderPlaced> {
    Ok(OrderPlaced {
        order_id: r.get("order_id", string)?,
        lines: r.get("lines", |v| array(v, order_line))?,
        total_minor: r.get("total_minor", long)?,
        currency: r.get("currency", string)?,
        payment_method: r.get("payment_method", enumeration)?,
        discount_code: r.opt("discount_code", string)?,
    })
}

fn order_line(value: &Value) -> Decoded<OrderLine> {
    let mut r = Fields::of(value)?;
    Ok(OrderLine {
        sku: r.get("sku", string)?,
        name: r.opt("name", string)?,
        quantity: r.get("quantity", int)?,
        unit_price_minor: r.get("unit_price_minor", long)?,
    })
}

fn paid(r: &mut Fields<'_>) -> Decoded<OrderPaid> {
    Ok(OrderPaid {
        order_id: r.get("order_id", string)?,
        amount_minor: r.get("amount_minor", long)?,
        currency: r.get("currency", string)?,
        payment_method: r.get("payment_method", enumeration)?,
    })
}

fn shipped(r: &mut Fields<'_>) -> Decoded<OrderShipped> {
    Ok(OrderShipped {
        order_id: r.get("order_id", string)?,
        carrier: r.get("carrier", string)?,
        tracking_number: r.get("tracking_number", string)?,
        tracking_url: r.opt("tracking_url", string)?,
        eta_ms: r.opt("eta", timestamp)?,
    })
}

fn returned(r: &mut Fields<'_>) -> Decoded<OrderReturned> {
    Ok(OrderReturned {
        order_id: r.get("order_id", string)?,
        skus: r.get("skus", |v| array(v, string))?,
        reason: r.opt("reason", string)?,
        refund_minor: r.opt("refund_minor", long)?,
    })
}
