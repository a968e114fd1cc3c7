//! The life of an order after it is placed: payment, shipping (with the
//! WhatsApp shipping notice), delivery, sometimes a return. Each step is a
//! queue entry due at its time, so an order spanning days costs one small
//! struct instead of buffered events.

use rand::Rng;
use serde_json::json;

use crate::catalog::{currency, Product, Shipment};
use crate::config::{DAY_MS, HOUR_MS, MINUTE_MS};
use crate::ctx::{By, Ctx, Outbound};
use crate::events::{between, Attention, Scheduled};
use crate::phrases::return_reason;
use crate::replies::{Template, Vars};

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Paid,
    Shipped,
    Delivered,
    /// Cash on delivery: the courier collects right after delivery.
    PaidOnDelivery,
    Returned,
}

/// An order between steps.
#[derive(Debug)]
pub(crate) struct OrderFlow {
    pub(crate) customer: u32,
    pub(crate) order_id: String,
    pub(crate) lines: Vec<(&'static Product, i64)>,
    pub(crate) total: i64,
    pub(crate) method: &'static str,
    pub(crate) shipment: Shipment,
    pub(crate) step: Step,
    /// Seeds each step's draws, so steps need no shared random state.
    pub(crate) seed: u64,
}

/// Moves `t` into the region's working hours (09:00–19:00 local), where
/// warehouses ship and couriers deliver.
pub(crate) fn working_hours(t: i64, offset_minutes: i32, rng: &mut rand_chacha::ChaCha8Rng) -> i64 {
    let offset = i64::from(offset_minutes) * MINUTE_MS;
    let local = t + offset;
    let into_day = local.rem_euclid(DAY_MS);
    let day = local - into_day;
    let local = if into_day < 9 * HOUR_MS {
        day + 9 * HOUR_MS + between(rng, 0, 3 * HOUR_MS)
    } else if into_day >= 19 * HOUR_MS {
        day + DAY_MS + 9 * HOUR_MS + between(rng, 0, 3 * HOUR_MS)
    } else {
        local
    };
    local - offset
}

/// When the first step after placing happens.
pub(crate) fn first_step(
    method: &str,
    placed_at: i64,
    utc_offset_minutes: i32,
    rng: &mut rand_chacha::ChaCha8Rng,
) -> (Step, i64) {
    match method {
        // Nothing to wait for: the warehouse ships on the next working hours.
        "CASH_ON_DELIVERY" => {
            let ship = placed_at + between(rng, 16 * HOUR_MS, 40 * HOUR_MS);
            (Step::Shipped, working_hours(ship, utc_offset_minutes, rng))
        }
        // Transfers and boletos are paid when the customer gets round to it.
        "BANK_TRANSFER" => (Step::Paid, placed_at + between(rng, HOUR_MS, 20 * HOUR_MS)),
        "OTHER" => (
            Step::Paid,
            placed_at + between(rng, 2 * HOUR_MS, 48 * HOUR_MS),
        ),
        _ => (Step::Paid, placed_at + between(rng, 5_000, 3 * MINUTE_MS)),
    }
}

impl OrderFlow {
    /// Emits the events of the current step at `at` and returns the next
    /// step with its due time, if any.
    pub(crate) fn advance(mut self: Box<Self>, ctx: &mut Ctx<'_>, at: i64) {
        let region = ctx.region();
        let cur = currency(region);
        let next = match self.step {
            Step::Paid | Step::PaidOnDelivery => {
                let body = json!({
                    "order_id": self.order_id,
                    "amount_minor": self.total,
                    "currency": cur,
                    "payment_method": self.method,
                });
                ctx.transaction(at, "OrderPaid", body);
                if self.step == Step::Paid {
                    let ship = working_hours(
                        at + between(&mut ctx.rng, 14 * HOUR_MS, 40 * HOUR_MS),
                        ctx.customer.utc_offset_minutes,
                        &mut ctx.rng,
                    );
                    Some((Step::Shipped, ship))
                } else {
                    self.maybe_return(ctx, at)
                }
            }
            Step::Shipped => Some(self.ship(ctx, at)),
            Step::Delivered => {
                ctx.transaction(at, "OrderDelivered", json!({ "order_id": self.order_id }));
                if ctx.state.open_order.as_deref() == Some(self.order_id.as_str()) {
                    ctx.state.open_order = None;
                }
                if self.method == "CASH_ON_DELIVERY" {
                    Some((
                        Step::PaidOnDelivery,
                        at + between(&mut ctx.rng, MINUTE_MS, 10 * MINUTE_MS),
                    ))
                } else {
                    self.maybe_return(ctx, at)
                }
            }
            Step::Returned => {
                let (product, qty) = self.lines[ctx.rng.gen_range(0..self.lines.len())];
                let lang = ctx.lang();
                let refund = product.price_minor(region) * qty;
                let body = json!({
                    "order_id": self.order_id,
                    "skus": [product.sku],
                    "reason": return_reason(&mut ctx.rng, lang),
                    "refund_minor": refund,
                });
                ctx.transaction(at, "OrderReturned", body);
                None
            }
        };
        if let Some((step, due)) = next {
            self.step = step;
            ctx.out.push(Scheduled::Order(due, self));
        }
    }

    /// OrderShipped plus the utility template customers get on WhatsApp;
    /// some click the tracking link once they read it.
    fn ship(&self, ctx: &mut Ctx<'_>, at: i64) -> (Step, i64) {
        let s = &self.shipment;
        let (lo, hi) = s.transit_days;
        let transit = between(&mut ctx.rng, lo * DAY_MS, hi * DAY_MS + 1);
        let delivered = working_hours(at + transit, ctx.customer.utc_offset_minutes, &mut ctx.rng);
        // ETA as a carrier announces it: rounded to the hour, usually within
        // two hours of the real delivery, sometimes a day early.
        let mut eta = delivered + between(&mut ctx.rng, -2 * HOUR_MS, 2 * HOUR_MS);
        if ctx.rng.gen_bool(0.05) {
            eta -= DAY_MS;
        }
        eta -= eta.rem_euclid(HOUR_MS);
        let body = json!({
            "order_id": self.order_id,
            "carrier": s.carrier,
            "tracking_number": s.tracking,
            "tracking_url": s.url,
            "eta": crate::events::rfc3339(eta),
        });
        ctx.transaction(at, "OrderShipped", body);
        let lang = ctx.lang();
        let vars = Vars {
            order: &self.order_id,
            carrier: s.carrier,
            tracking: &s.tracking,
            url: &s.url,
            ..Vars::default()
        };
        let conversation = ctx.conversation_id();
        let trigger = format!("trg-shipped-{}", self.order_id);
        let notice_at = at + between(&mut ctx.rng, 2_000, 90_000);
        let (_, read) = ctx.outbound(Outbound {
            at: notice_at,
            by: By::Automation(Some(&trigger)),
            template: Some(Template::OrderShipped.name("")),
            category: Template::OrderShipped.category(),
            body: Template::OrderShipped.body(lang, &vars),
            conversation_id: &conversation,
            attention: Attention::Away,
        });
        if let Some(r) = read {
            if ctx.rng.gen_bool(0.3) {
                let click = r + between(&mut ctx.rng, 2_000, 60_000);
                ctx.link_click(click, &s.url, None, None, Some(&trigger));
            }
        }
        (Step::Delivered, delivered.max(notice_at + HOUR_MS))
    }

    /// A few delivered orders come back within the week.
    fn maybe_return(&self, ctx: &mut Ctx<'_>, at: i64) -> Option<(Step, i64)> {
        if ctx.rng.gen_bool(0.05) {
            let when = working_hours(
                at + between(&mut ctx.rng, 2 * DAY_MS, 7 * DAY_MS),
                ctx.customer.utc_offset_minutes,
                &mut ctx.rng,
            );
            Some((Step::Returned, when))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn working_hours_stay_local_daytime() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        for offset in [480, -180, 60] {
            for h in 0..24 {
                let t = 1_793_577_600_000 + h * HOUR_MS;
                let w = working_hours(t, offset, &mut rng);
                assert!(w >= t);
                let local_hour = (w + i64::from(offset) * MINUTE_MS).rem_euclid(DAY_MS) / HOUR_MS;
                assert!((9..19).contains(&local_hour), "{local_hour}");
            }
        }
    }
}
