//! What the business writes back: automation replies, agent answers and the
//! approved templates (marketing and order updates), per language variant.

use crate::people::Lang;
use crate::phrases::{lang_index, Intent};

/// Values substituted into a business text.
#[derive(Debug, Default)]
pub(crate) struct Vars<'a> {
    pub(crate) name: &'a str,
    pub(crate) product: &'a str,
    pub(crate) price: &'a str,
    pub(crate) code: &'a str,
    pub(crate) url: &'a str,
    pub(crate) free: &'a str,
    pub(crate) fee: &'a str,
    pub(crate) store: &'a str,
    pub(crate) addr: &'a str,
    pub(crate) order: &'a str,
    pub(crate) carrier: &'a str,
    pub(crate) tracking: &'a str,
}

/// Upper-cases the first letter, for product names that start a sentence.
fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn render(template: &str, v: &Vars<'_>) -> String {
    template
        .replace("{P}", &capitalized(v.product))
        .replace("{p}", v.product)
        .replace("{name}", v.name)
        .replace("{price}", v.price)
        .replace("{code}", v.code)
        .replace("{url}", v.url)
        .replace("{free}", v.free)
        .replace("{fee}", v.fee)
        .replace("{store}", v.store)
        .replace("{addr}", v.addr)
        .replace("{order}", v.order)
        .replace("{carrier}", v.carrier)
        .replace("{tracking}", v.tracking)
}

/// (HK Cantonese, TW Mandarin, English, Portuguese, French).
#[rustfmt::skip]
fn reply_table(intent: Intent) -> [&'static str; 5] {
    match intent {
        Intent::Greeting => ["{name}你好！有咩可以幫到你?", "{name}您好！請問有什麼可以幫您?", "Hi {name}! How can I help?", "Oi {name}! Como posso ajudar?", "Bonjour {name} ! Comment puis-je vous aider ?"],
        Intent::PriceAsk => ["{p}售價{price}，呢度可以直接落單：{url}", "{p}售價{price}，這裡可以直接下單：{url}", "The {p} is {price} 😊 Here's the link: {url}", "{P} está por {price} 😊 Link: {url}", "{P} est à {price} 😊 Le lien : {url}"],
        Intent::Discount => ["今個禮拜用優惠碼{code}有九折 🎉", "本週輸入折扣碼{code}享9折 🎉", "This week you get 10% off with code {code} 🎉", "Essa semana tem 10% de desconto com o cupom {code} 🎉", "Cette semaine, -10 % avec le code {code} 🎉"],
        Intent::ProductDetail => ["有貨呀，全部顏色都有：{url}", "有現貨喔，所有顏色都有：{url}", "Yes, it's in stock in every colour: {url}", "Temos sim, em todas as cores: {url}", "Oui, en stock dans toutes les couleurs : {url}"],
        Intent::TooExpensive => ["明白！可以分三期付款，用{code}仲有九折。", "了解！可以分3期0利率，輸入{code}再享9折。", "I understand! You can pay in 3 instalments, and code {code} gives 10% off.", "Entendo! Dá pra parcelar em 3x sem juros, e com o cupom {code} tem 10% off.", "Je comprends ! Paiement en 3 fois possible, et -10 % avec le code {code}."],
        Intent::Size => ["有M碼，尺寸表喺呢度：{url}", "有M號喔，尺寸表在這裡：{url}", "Yes, M is available. Size guide: {url}", "Temos o M sim! Tabela de medidas: {url}", "Oui, le M est disponible. Guide des tailles : {url}"],
        Intent::ShippingFee => ["滿{free}免運費，否則運費{fee}。", "滿{free}免運，未滿運費{fee}。", "Shipping is free over {free}, otherwise {fee}.", "Frete grátis acima de {free}, senão {fee}.", "Livraison offerte dès {free}, sinon {fee}."],
        Intent::StoreAddress => ["我哋門市：{store}，{addr}，營業時間11:00–21:00。", "門市：{store}，{addr}，營業時間11:00–21:00。", "Our shop: {store}, {addr}. Open 11:00–21:00.", "Nossa loja: {store}, {addr}. Aberta das 10h às 20h.", "Notre boutique : {store}, {addr}. Ouverte de 10h à 19h."],
        Intent::WhereIsOrder => ["你張單{order}已經寄出，預計兩日內送到。", "您的訂單{order}已出貨，預計2天內送達。", "Your order {order} has shipped and should arrive within 2 days.", "Seu pedido {order} já foi enviado, entrega prevista em 2 dias úteis.", "Votre commande {order} est expédiée, livraison prévue sous 2 jours."],
        Intent::Human => ["好的，即刻幫你轉介真人同事。", "好的，馬上為您轉接真人客服。", "Sure, connecting you to a colleague now.", "Claro, vou te transferir para um atendente.", "Bien sûr, je vous mets en relation avec un conseiller."],
        Intent::Complaint => ["{name}，真係好抱歉！我哋即刻幫你安排換貨。", "{name}您好，非常抱歉！我們馬上為您安排換貨。", "So sorry about that, {name}! We'll send a replacement right away.", "Sinto muito, {name}! Vamos enviar a troca imediatamente.", "Toutes nos excuses, {name} ! Nous vous envoyons un remplacement tout de suite."],
        Intent::Thanks => ["唔使客氣！😊", "不客氣！😊", "You're welcome! 😊", "Imagina! 😊", "Avec plaisir ! 😊"],
        Intent::Stop => ["已為你取消推廣訊息。", "已為您取消訂閱優惠訊息。", "You've been unsubscribed from promotions.", "Pronto, você não vai mais receber promoções.", "C'est noté, vous ne recevrez plus nos promotions."],
        Intent::Buy => ["好選擇！呢度落單：{url}", "好的！結帳連結在這：{url}", "Great choice! Here's your checkout link: {url}", "Ótima escolha! Link para finalizar: {url}", "Excellent choix ! Lien pour finaliser : {url}"],
    }
}

/// The business answer to `intent`.
pub(crate) fn reply(lang: Lang, intent: Intent, v: &Vars<'_>) -> String {
    render(reply_table(intent)[lang_index(lang)], v)
}

/// Whether the answer to `intent` carries a product link the customer may
/// click (a LinkClick on the behaviour topic).
pub(crate) fn reply_has_link(intent: Intent) -> bool {
    matches!(
        intent,
        Intent::PriceAsk | Intent::ProductDetail | Intent::Size | Intent::Buy
    )
}

/// An approved WhatsApp template of the shops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Template {
    /// The November sale (11.11 or Black Friday), MARKETING.
    Promo,
    /// Abandoned cart with a code, MARKETING.
    CartReminder,
    /// Order confirmation, UTILITY.
    OrderConfirmation,
    /// Parcel handed to the carrier, UTILITY.
    OrderShipped,
}

impl Template {
    pub(crate) fn name(self, campaign: &str) -> &'static str {
        match (self, campaign) {
            (Template::Promo, "double11") => "promo_double11",
            (Template::Promo, _) => "promo_black_friday",
            (Template::CartReminder, _) => "cart_reminder_10",
            (Template::OrderConfirmation, _) => "order_confirmation",
            (Template::OrderShipped, _) => "order_shipped",
        }
    }

    /// WhatsApp pricing category, as the OutboundMessage enum spells it.
    pub(crate) fn category(self) -> &'static str {
        match self {
            Template::Promo | Template::CartReminder => "MARKETING",
            Template::OrderConfirmation | Template::OrderShipped => "UTILITY",
        }
    }

    /// The rendered body; personalised with the first name since greeting by
    /// name gets more replies.
    #[rustfmt::skip]
    pub(crate) fn body(self, lang: Lang, v: &Vars<'_>) -> String {
        let t: [&str; 5] = match self {
            Template::Promo => ["{name}你好！大減價開始啦🎉 全店九折，優惠碼{code}：{url}", "{name}您好！限時優惠開跑🎉 全館9折，折扣碼{code}：{url}", "Hi {name}! Our big sale is on 🎉 10% off everything with code {code}: {url}", "Oi {name}! A Black Friday chegou 🎉 10% off com o cupom {code}: {url}", "Bonjour {name} ! Le Black Friday commence 🎉 -10 % avec le code {code} : {url}"],
            Template::CartReminder => ["{name}，你嘅購物車仲有{p}，用{code}即減10%：{url}", "{name}，您的購物車還有{p}，輸入{code}折10%：{url}", "Hi {name}, you left the {p} in your cart. 10% off with {code}: {url}", "Oi {name}, {p} ainda está no seu carrinho. 10% off com {code}: {url}", "Bonjour {name}, {p} vous attend dans votre panier. -10 % avec {code} : {url}"],
            Template::OrderConfirmation => ["多謝{name}！訂單{order}已確認，總數{price}。", "謝謝{name}！訂單{order}已成立，總金額{price}。", "Thanks {name}! Order {order} is confirmed, total {price}.", "Obrigado, {name}! Pedido {order} confirmado, total {price}.", "Merci {name} ! Commande {order} confirmée, total {price}."],
            Template::OrderShipped => ["你嘅訂單{order}已經由{carrier}寄出，追蹤編號{tracking}：{url}", "您的訂單{order}已由{carrier}出貨，追蹤碼{tracking}：{url}", "Your order {order} is on its way with {carrier}, tracking {tracking}: {url}", "Seu pedido {order} foi enviado via {carrier}, rastreio {tracking}: {url}", "Votre commande {order} est en route avec {carrier}, suivi {tracking} : {url}"],
        };
        render(t[lang_index(lang)], v)
    }
}

/// Button titles of the promo template: (shop now, stop promotions).
pub(crate) fn promo_buttons(lang: Lang) -> (&'static str, &'static str) {
    [
        ("即刻睇睇", "停止推廣"),
        ("立即選購", "停止推播"),
        ("Shop now", "Stop promotions"),
        ("Quero ver", "Parar promoções"),
        ("Je découvre", "Stop promos"),
    ][lang_index(lang)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled() {
        let v = Vars {
            name: "Ana",
            product: "o vestido floral",
            price: "R$ 219,90",
            code: "BF10",
            url: "https://x",
            free: "R$ 199,00",
            fee: "R$ 19,90",
            store: "Loja Paulista",
            addr: "Av. Paulista",
            order: "BR-1",
            carrier: "Correios",
            tracking: "QB123456789BR",
        };
        for lang in [Lang::ZhHk, Lang::ZhTw, Lang::En, Lang::Pt, Lang::Fr] {
            for t in [
                Template::Promo,
                Template::CartReminder,
                Template::OrderConfirmation,
                Template::OrderShipped,
            ] {
                assert!(!t.body(lang, &v).contains('{'), "{t:?} {lang:?}");
            }
            let r = reply(lang, Intent::PriceAsk, &v);
            assert!(!r.contains('{'), "{r}");
        }
        assert!(reply(Lang::Pt, Intent::PriceAsk, &v).starts_with("O vestido floral"));
    }
}
