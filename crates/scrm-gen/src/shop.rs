//! Commerce episodes: browsing, buying (with the order's later steps
//! queued) and the marketing templates that bring customers back.

use rand::Rng;
use serde_json::{json, Value};

use crate::catalog::{
    campaign, currency, format_price, pick_payment, pick_product, pick_shipment, product_url,
    shipping, weighted, Product,
};
use crate::chat::{any_product, chat, media, sale_code};
use crate::config::MINUTE_MS;
use crate::ctx::{By, Ctx, Outbound};
use crate::events::{between, Attention, Scheduled};
use crate::orders::{first_step, OrderFlow};
use crate::people::{Lang, Region};
use crate::phrases::{inbound_text, Intent};
use crate::replies::{promo_buttons, reply, Template, Vars};

/// An AddToCart, remembered so a later promotion can be a cart reminder.
fn add_to_cart(ctx: &mut Ctx<'_>, t: i64, p: &'static Product, quantity: i64) {
    let region = ctx.region();
    let body = json!({
        "sku": p.sku,
        "quantity": quantity,
        "unit_price_minor": p.price_minor(region),
        "currency": currency(region),
    });
    ctx.behavior(t, "AddToCart", body);
    ctx.state.cart = Some(p);
}

/// Product pages, often reached from a link in WhatsApp; a quarter of the
/// visits end with an abandoned cart.
pub(crate) fn browse(ctx: &mut Ctx<'_>, mut t: i64) -> i64 {
    let region = ctx.region();
    let mut p = pick_product(&mut ctx.rng);
    if ctx.rng.gen_bool(0.5) {
        let camp = ctx.rng.gen_bool(0.5).then(|| campaign(region));
        let url = product_url(region, p.sku);
        ctx.link_click(t, &url, Some(p.sku), camp, None);
        t += between(&mut ctx.rng, 1_000, 4_000);
    }
    let views = weighted(&mut ctx.rng, &[(1, 50), (2, 30), (3, 20)]);
    for i in 0..views {
        if i > 0 {
            p = pick_product(&mut ctx.rng);
            t += between(&mut ctx.rng, 15_000, 120_000);
        }
        ctx.product_view(t, p);
    }
    if ctx.rng.gen_bool(0.25) {
        t += between(&mut ctx.rng, 5_000, 60_000);
        add_to_cart(ctx, t, p, 1);
    }
    t
}

/// A purchase: maybe a question first, the cart (web or WhatsApp catalog),
/// the order, its confirmation, and the order's later steps queued.
pub(crate) fn shop(ctx: &mut Ctx<'_>, mut t: i64) -> i64 {
    let region = ctx.region();
    let lang = ctx.lang();
    let first = any_product(ctx);
    if ctx.rng.gen_bool(0.4) {
        let opening = if ctx.rng.gen_bool(0.5) {
            Intent::Buy
        } else {
            Intent::PriceAsk
        };
        t = chat(ctx, t, Some(opening), first);
    }
    let count = weighted(&mut ctx.rng, &[(1usize, 60), (2, 28), (3, 12)]);
    let mut lines: Vec<(&'static Product, i64)> = vec![(first, 1)];
    while lines.len() < count {
        let p = pick_product(&mut ctx.rng);
        if lines.iter().all(|(q, _)| q.sku != p.sku) {
            lines.push((p, 1));
        }
    }
    for line in &mut lines {
        line.1 = weighted(&mut ctx.rng, &[(1, 80), (2, 15), (3, 5)]);
    }
    let cur = currency(region);
    if ctx.rng.gen_bool(0.08) {
        let items: Vec<Value> = lines
            .iter()
            .map(|(p, q)| json!({ "sku": p.sku, "quantity": q, "unit_price_minor": p.price_minor(region), "currency": cur }))
            .collect();
        let content = json!({ "catalog_id": format!("catalog-{}", region.slug()), "items": items });
        ctx.inbound(t, "OrderContent", content, None);
    } else {
        for (p, q) in &lines {
            ctx.product_view(t, p);
            t += between(&mut ctx.rng, 10_000, 90_000);
            add_to_cart(ctx, t, p, *q);
            t += between(&mut ctx.rng, 5_000, 60_000);
        }
    }
    t += between(&mut ctx.rng, MINUTE_MS, 6 * MINUTE_MS);
    let subtotal: i64 = lines.iter().map(|(p, q)| p.price_minor(region) * q).sum();
    let code = if ctx.state.cart.is_some() && ctx.rng.gen_bool(0.3) {
        Some("BACK10")
    } else if ctx.rng.gen_bool(0.2) {
        Some(sale_code(ctx))
    } else {
        None
    };
    // Round the discount like the shops do: whole dollars in Taiwan.
    let round = if region == Region::Tw { 100 } else { 10 };
    let discount = code.map_or(0, |_| subtotal / 10 / round * round);
    let (free_over, fee) = shipping(region);
    let total = subtotal - discount + if subtotal >= free_over { 0 } else { fee };
    let method = pick_payment(&mut ctx.rng, region);
    ctx.state.orders += 1;
    let order_id = format!("{}-{:06}-{:02}", region.code(), ctx.idx, ctx.state.orders);
    let json_lines: Vec<Value> = lines
        .iter()
        .map(|(p, q)| json!({ "sku": p.sku, "name": p.name(lang), "quantity": q, "unit_price_minor": p.price_minor(region) }))
        .collect();
    let mut body = json!({
        "order_id": order_id,
        "lines": json_lines,
        "total_minor": total,
        "currency": cur,
        "payment_method": method,
    });
    if let Some(c) = code {
        body["discount_code"] = json!(c);
    }
    ctx.transaction(t, "OrderPlaced", body);
    ctx.state.open_order = Some(order_id.clone());
    ctx.state.cart = None;

    let conversation = ctx.conversation_id();
    let price = format_price(region, total);
    let vars = Vars {
        name: &ctx.customer.first_name,
        order: &order_id,
        price: &price,
        ..Vars::default()
    };
    let trigger = format!("trg-confirm-{order_id}");
    let confirm_at = t + between(&mut ctx.rng, 2_000, 15_000);
    let (_, read) = ctx.outbound(Outbound {
        at: confirm_at,
        by: By::Automation(Some(&trigger)),
        template: Some(Template::OrderConfirmation.name("")),
        category: Template::OrderConfirmation.category(),
        body: Template::OrderConfirmation.body(lang, &vars),
        conversation_id: &conversation,
        attention: Attention::Chatting,
    });
    let mut end = read.unwrap_or(confirm_at);
    // Proof of payment: Brazilians send the Pix receipt, Hong Kong the FPS
    // screenshot.
    if ctx.rng.gen_bool(0.25) {
        let at = end + between(&mut ctx.rng, MINUTE_MS, 5 * MINUTE_MS);
        match method {
            "PIX" => {
                media(
                    ctx,
                    at,
                    "DOCUMENT",
                    "application/pdf",
                    None,
                    Some("comprovante-pix.pdf"),
                    None,
                );
                end = at;
            }
            "FPS" => {
                let caption = if lang == Lang::ZhHk {
                    "已轉數"
                } else {
                    "Paid via FPS"
                };
                media(ctx, at, "IMAGE", "image/jpeg", Some(caption), None, None);
                end = at;
            }
            _ => {}
        }
    }
    let offset = ctx.customer.utc_offset_minutes;
    let (step, due) = first_step(method, t, offset, &mut ctx.rng);
    let flow = OrderFlow {
        customer: ctx.idx,
        order_id,
        lines,
        total,
        method,
        shipment: pick_shipment(&mut ctx.rng, region),
        step,
        seed: ctx.rng.gen(),
    };
    ctx.out
        .push(Scheduled::Order(due.max(t + 1), Box::new(flow)));
    end
}

/// A marketing template (the November sale, or a cart reminder with a
/// code) and what customers do with it: click, tap a button, react, opt out.
pub(crate) fn promotion(ctx: &mut Ctx<'_>, t: i64) -> i64 {
    let region = ctx.region();
    let lang = ctx.lang();
    let camp = campaign(region);
    ctx.state.last_marketing = t;
    let (template, product, code) = match ctx.state.cart {
        Some(p) => (Template::CartReminder, p, "BACK10"),
        None => (Template::Promo, pick_product(&mut ctx.rng), sale_code(ctx)),
    };
    let url = format!("{}&utm_campaign={camp}", product_url(region, product.sku));
    let trigger = format!("trg-{}-{}-{t}", template.name(camp), ctx.customer.wa_id());
    let conversation = ctx.conversation_id();
    let vars = Vars {
        name: &ctx.customer.first_name,
        product: product.name(lang),
        code,
        url: &url,
        ..Vars::default()
    };
    let (wamid, read) = ctx.outbound(Outbound {
        at: t,
        by: By::Automation(Some(&trigger)),
        template: Some(template.name(camp)),
        category: template.category(),
        body: template.body(lang, &vars),
        conversation_id: &conversation,
        attention: Attention::Away,
    });
    let Some(read) = read else { return t };
    let mut now = read + between(&mut ctx.rng, 2_000, 40_000);
    // Reading alone does not keep the customer busy: the episode ends at the
    // send unless they act on it.
    let sent = t;
    let (yes, stop) = promo_buttons(lang);
    match ctx.rng.gen_range(0..100) {
        0..=29 => {
            ctx.link_click(now, &url, Some(product.sku), Some(camp), Some(&trigger));
            now += between(&mut ctx.rng, 1_000, 5_000);
            ctx.product_view(now, product);
        }
        30..=39 => {
            let content = json!({ "kind": "BUTTON", "reply_id": "promo_shop_now", "title": yes });
            ctx.inbound(now, "InteractiveReply", content, Some(&wamid));
            let v = Vars {
                code,
                ..Vars::default()
            };
            let body = reply(lang, Intent::Discount, &v);
            let at = now + between(&mut ctx.rng, 1_000, 5_000);
            let (_, r) = ctx.outbound(Outbound {
                at,
                by: By::Automation(Some(&trigger)),
                template: None,
                category: "SERVICE",
                body,
                conversation_id: &conversation,
                attention: Attention::Chatting,
            });
            now = r.unwrap_or(at);
        }
        40..=41 => {
            let (id, title, desc) = if product.sized {
                ("cat_fashion", "Fashion", "shirts, dresses, sneakers")
            } else {
                ("cat_skincare", "Skincare", "cleansers, serums, SPF")
            };
            let content =
                json!({ "kind": "LIST", "reply_id": id, "title": title, "description": desc });
            ctx.inbound(now, "InteractiveReply", content, Some(&wamid));
        }
        42..=43 => {
            let content = json!({ "kind": "BUTTON", "reply_id": "promo_stop", "title": stop });
            ctx.inbound(now, "InteractiveReply", content, Some(&wamid));
            ctx.state.opted_out = true;
        }
        44..=48 => {
            let emoji = ["🎉", "❤️", "👍", "😍"][ctx.rng.gen_range(0..4)];
            ctx.inbound(
                now,
                "Reaction",
                json!({ "message_wamid": wamid, "emoji": emoji }),
                None,
            );
        }
        49 => {
            let text = inbound_text(&mut ctx.rng, lang, Intent::Stop, "");
            ctx.text(now, &text, Some(&wamid));
            ctx.state.opted_out = true;
            let body = reply(lang, Intent::Stop, &Vars::default());
            let at = now + between(&mut ctx.rng, 1_000, 5_000);
            ctx.outbound(Outbound {
                at,
                by: By::Automation(None),
                template: None,
                category: "SERVICE",
                body,
                conversation_id: &conversation,
                attention: Attention::Chatting,
            });
        }
        _ => return sent,
    }
    now
}
