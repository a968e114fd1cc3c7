//! A WhatsApp conversation: the customer asks, the automation (or an agent
//! after a hand-off) answers, statuses come back, links get clicked.

use rand::Rng;
use serde_json::json;

use crate::catalog::{
    campaign, format_price, pick_product, pick_store, product_url, shipping, Product,
};
use crate::config::MINUTE_MS;
use crate::ctx::{By, Ctx, Outbound};
use crate::events::{base64, between, Attention};
use crate::people::{mobile_number, random_first_name, Lang};
use crate::phrases::{follow_up_intent, inbound_text, opening_intent, photo_caption, Intent};
use crate::replies::{reply, reply_has_link, Vars};

/// Code the shops hand out in chat during the November sale.
pub(crate) fn sale_code(ctx: &Ctx<'_>) -> &'static str {
    match campaign(ctx.region()) {
        "double11" => "DOUBLE11",
        _ => "BLACKFRIDAY10",
    }
}

/// A conversation starting at `t`; returns when it ended. `opening` forces
/// the first intent (a purchase often starts with "I want to buy...").
pub(crate) fn chat(
    ctx: &mut Ctx<'_>,
    mut t: i64,
    opening: Option<Intent>,
    product: &'static Product,
) -> i64 {
    let conversation = ctx.conversation_id();
    let mut intent =
        opening.unwrap_or_else(|| opening_intent(&mut ctx.rng, ctx.state.open_order.is_some()));
    if opening.is_none() && ctx.rng.gen_bool(0.12) {
        // A bare "hi" first; the bot greets back by name.
        t = exchange(ctx, t, Intent::Greeting, product, &conversation, None);
    }
    if ctx.rng.gen_bool(0.004) {
        t = share_contact(ctx, t);
    }
    let mut turns = 1;
    while turns < 4 && ctx.rng.gen_bool(0.5) {
        turns += 1;
    }
    let mut agent: Option<String> = None;
    for turn in 0..turns {
        if turn > 0 {
            intent = follow_up_intent(&mut ctx.rng, intent);
        }
        t = exchange(ctx, t, intent, product, &conversation, agent.as_deref());
        if matches!(intent, Intent::Human | Intent::Complaint) && agent.is_none() {
            let id = ctx.agent_id();
            let reason = if intent == Intent::Human {
                "customer asked for a human"
            } else {
                "complaint"
            };
            t += between(&mut ctx.rng, 1_000, 4_000);
            ctx.handoff(t, true, &id, reason);
            t += between(&mut ctx.rng, 30_000, 5 * MINUTE_MS);
            // The agent picks up where the bot stopped.
            t = agent_answer(ctx, t, intent, product, &conversation, &id);
            agent = Some(id);
        }
        if matches!(intent, Intent::Stop | Intent::Thanks) {
            break;
        }
    }
    if ctx.rng.gen_bool(0.06) {
        if let Some(w) = ctx.last_outbound_before(t) {
            t += between(&mut ctx.rng, 3_000, 60_000);
            let emoji = ["👍", "❤️", "🙏", "😂"][ctx.rng.gen_range(0..4)];
            ctx.inbound(
                t,
                "Reaction",
                json!({ "message_wamid": w, "emoji": emoji }),
                None,
            );
        }
    }
    if let Some(id) = agent {
        t += between(&mut ctx.rng, 5 * MINUTE_MS, 30 * MINUTE_MS);
        ctx.handoff(t, false, &id, "resolved");
    }
    t
}

/// One customer message and the business answer; returns when the customer
/// is ready to write again (after reading the answer).
fn exchange(
    ctx: &mut Ctx<'_>,
    t: i64,
    intent: Intent,
    product: &'static Product,
    conversation: &str,
    agent: Option<&str>,
) -> i64 {
    // Size questions only make sense for clothes.
    let intent = if intent == Intent::Size && !product.sized {
        Intent::ProductDetail
    } else {
        intent
    };
    let context = if ctx.rng.gen_bool(0.1) {
        ctx.last_outbound_before(t)
    } else {
        None
    };
    customer_says(ctx, t, intent, product, context.as_deref());
    // The bot does not handle complaints itself: it announces a colleague.
    let answered = match (intent, agent) {
        (Intent::Complaint, None) => Intent::Human,
        (Intent::Human, Some(_)) => Intent::Greeting,
        _ => intent,
    };
    if intent == Intent::Stop {
        ctx.state.opted_out = true;
    }
    let (by, delay) = match agent {
        Some(a) => (By::Agent(a), between(&mut ctx.rng, 20_000, 4 * MINUTE_MS)),
        None => (By::Automation(None), between(&mut ctx.rng, 1_500, 8_000)),
    };
    send_reply(ctx, t + delay, answered, product, conversation, by)
}

/// The agent's first message after taking over: an apology for a complaint,
/// a greeting otherwise.
fn agent_answer(
    ctx: &mut Ctx<'_>,
    t: i64,
    intent: Intent,
    product: &'static Product,
    conversation: &str,
    agent: &str,
) -> i64 {
    let opening = if intent == Intent::Complaint {
        Intent::Complaint
    } else {
        Intent::Greeting
    };
    send_reply(ctx, t, opening, product, conversation, By::Agent(agent))
}

fn send_reply(
    ctx: &mut Ctx<'_>,
    at: i64,
    intent: Intent,
    product: &'static Product,
    conversation: &str,
    by: By<'_>,
) -> i64 {
    let region = ctx.region();
    let lang = ctx.lang();
    let price = format_price(region, product.price_minor(region));
    let url = product_url(region, product.sku);
    let (free, fee) = shipping(region);
    let (free, fee) = (format_price(region, free), format_price(region, fee));
    let store = pick_store(&mut ctx.rng, region);
    let order = ctx.state.open_order.clone().unwrap_or_default();
    let vars = Vars {
        name: &ctx.customer.first_name,
        product: product.name(lang),
        price: &price,
        code: sale_code(ctx),
        url: &url,
        free: &free,
        fee: &fee,
        store: store.name,
        addr: store.address,
        order: &order,
        ..Vars::default()
    };
    let body = reply(lang, intent, &vars);
    let (_, read) = ctx.outbound(Outbound {
        at,
        by,
        template: None,
        category: "SERVICE",
        body,
        conversation_id: conversation,
        attention: Attention::Chatting,
    });
    let mut t = read.unwrap_or(at + 20_000);
    if reply_has_link(intent) && read.is_some() && ctx.rng.gen_bool(0.45) {
        t += between(&mut ctx.rng, 2_000, 30_000);
        ctx.link_click(t, &url, Some(product.sku), None, None);
        t += between(&mut ctx.rng, 1_000, 4_000);
        ctx.product_view(t, product);
    }
    // Typing the next message.
    t + between(&mut ctx.rng, 8_000, 3 * MINUTE_MS)
}

/// The customer's message: mostly text, sometimes a photo, a voice note, a
/// location or a sticker, as WhatsApp users really write.
fn customer_says(
    ctx: &mut Ctx<'_>,
    t: i64,
    intent: Intent,
    product: &Product,
    context: Option<&str>,
) -> String {
    let lang = ctx.lang();
    let x: f64 = ctx.rng.gen();
    match intent {
        Intent::StoreAddress if x < 0.15 => {
            let region = ctx.region();
            let store = pick_store(&mut ctx.rng, region);
            let lat = store.lat + ctx.rng.gen_range(-0.02..0.02);
            let lon = store.lon + ctx.rng.gen_range(-0.02..0.02);
            let content = json!({ "latitude": lat, "longitude": lon });
            return ctx.inbound(t, "LocationContent", content, context);
        }
        Intent::Complaint if x < 0.4 => {
            let caption = photo_caption(&mut ctx.rng, lang, true);
            return media(ctx, t, "IMAGE", "image/jpeg", Some(caption), None, context);
        }
        Intent::ProductDetail | Intent::Size | Intent::PriceAsk if x < 0.12 => {
            let caption = ctx
                .rng
                .gen_bool(0.7)
                .then(|| photo_caption(&mut ctx.rng, lang, false));
            return media(ctx, t, "IMAGE", "image/jpeg", caption, None, context);
        }
        Intent::Thanks if x < 0.05 => {
            return media(ctx, t, "STICKER", "image/webp", None, None, context);
        }
        Intent::Stop | Intent::Thanks => {}
        _ if x > 0.995 => {
            return ctx.inbound(
                t,
                "UnsupportedContent",
                json!({ "whatsapp_type": "unsupported" }),
                context,
            );
        }
        _ if x > 0.99 => {
            return media(ctx, t, "VIDEO", "video/mp4", None, None, context);
        }
        _ if x > 0.95 => {
            // Voice notes are common in Brazil and Hong Kong.
            return media(
                ctx,
                t,
                "AUDIO",
                "audio/ogg; codecs=opus",
                None,
                None,
                context,
            );
        }
        _ => {}
    }
    let text = inbound_text(&mut ctx.rng, lang, intent, product.name(lang));
    ctx.text(t, &text, context)
}

/// A MediaContent message with a Graph API media id and sha256 as WhatsApp
/// announces them.
pub(crate) fn media(
    ctx: &mut Ctx<'_>,
    t: i64,
    kind: &str,
    mime: &str,
    caption: Option<&str>,
    filename: Option<&str>,
    context: Option<&str>,
) -> String {
    let media_id = format!(
        "{}",
        ctx.rng
            .gen_range(100_000_000_000_000u64..10_000_000_000_000_000)
    );
    let digest: [u8; 32] = ctx.rng.gen();
    let mut content = json!({
        "kind": kind,
        "media_id": media_id,
        "mime_type": mime,
        "sha256": base64(&digest),
    });
    if let Some(c) = caption {
        content["caption"] = json!(c);
    }
    if let Some(f) = filename {
        content["filename"] = json!(f);
    }
    ctx.inbound(t, "MediaContent", content, context)
}

/// "My friend wants to order too": a contact card of someone in the region.
fn share_contact(ctx: &mut Ctx<'_>, t: i64) -> i64 {
    let region = ctx.region();
    let name = random_first_name(&mut ctx.rng, region);
    let number = mobile_number(&mut ctx.rng, region);
    let card = json!({ "contacts": [{ "name": name, "phones": [number] }] });
    ctx.inbound(t, "ContactsContent", card, None);
    let text = match ctx.lang() {
        Lang::ZhHk => "我朋友都想買",
        Lang::ZhTw => "我朋友也想買",
        Lang::En => "My friend wants to order too",
        Lang::Pt => "Minha amiga também quer comprar",
        Lang::Fr => "Mon amie veut commander aussi",
    };
    let t = t + between(&mut ctx.rng, 5_000, 40_000);
    ctx.text(t, text, None);
    t + between(&mut ctx.rng, 5_000, 60_000)
}

/// A product for a conversation that did not name one.
pub(crate) fn any_product(ctx: &mut Ctx<'_>) -> &'static Product {
    match ctx.state.cart {
        Some(p) if ctx.rng.gen_bool(0.5) => p,
        _ => pick_product(&mut ctx.rng),
    }
}
