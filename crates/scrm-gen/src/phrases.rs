//! What customers write, per language variant. The intents and their
//! frequencies follow what SCRM vendors report: most conversations ask
//! "how much?" or "is there a discount?", a steady share asks for sizes, the
//! store address or the parcel, a few want a human or complain, and "STOP"
//! is rare.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::people::Lang;

/// Why the customer writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intent {
    Greeting,
    PriceAsk,
    Discount,
    ProductDetail,
    TooExpensive,
    Size,
    ShippingFee,
    StoreAddress,
    WhereIsOrder,
    Human,
    Complaint,
    Thanks,
    Stop,
    Buy,
}

type Variants = &'static [&'static str];

/// Texts for (HK Cantonese, TW Mandarin, English, Portuguese, French).
/// `{p}` is the product name (with its article in pt and fr).
#[rustfmt::skip]
fn table(intent: Intent) -> [Variants; 5] {
    match intent {
        Intent::Greeting => [
            &["你好", "hi 你好，想問下", "喂你好"],
            &["你好", "哈囉，請問一下", "您好"],
            &["Hi", "Hello, quick question", "Hi there!"],
            &["Oi, boa tarde!", "Olá", "Oi, tudo bem?"],
            &["Bonjour", "Bonjour, petite question", "Bonsoir"],
        ],
        Intent::PriceAsk => [
            &["{p}幾錢呀?", "請問{p}幾多錢?", "{p}而家賣幾錢?"],
            &["{p}多少錢?", "請問{p}的價格是?", "{p}現在賣多少?"],
            &["How much is the {p}?", "Hi, what's the price of the {p}?", "how much for the {p}"],
            &["Quanto custa {p}?", "Quanto tá {p}?", "Dá pra parcelar {p} em 3x?"],
            &["Combien coûte {p} ?", "C'est combien pour {p} ?", "Quel est le prix pour {p} ?"],
        ],
        Intent::Discount => [
            &["有冇折扣?", "而家有冇優惠呀?", "買兩件有冇平啲?"],
            &["有折扣嗎?", "現在有優惠嗎?", "雙11有活動嗎?"],
            &["Is there any discount?", "any promo code?", "Do you do a discount for 2 items?"],
            &["tem desconto?", "Há desconto?", "tem cupom de desconto?", "Faz desconto no Pix?"],
            &["Y a-t-il une réduction ?", "Vous avez un code promo ?", "Il y a des promos pour le Black Friday ?"],
        ],
        Intent::ProductDetail => [
            &["{p}仲有冇貨?", "想問下{p}有咩顏色?", "{p}適唔適合敏感肌?"],
            &["{p}還有貨嗎?", "{p}有哪些顏色?", "{p}敏感肌可以用嗎?"],
            &["Is the {p} still in stock?", "What colours does the {p} come in?", "Is the {p} ok for sensitive skin?"],
            &["Ainda tem {p} em estoque?", "Quais cores tem {p}?", "Serve pra pele sensível, {p}?"],
            &["Vous avez encore {p} en stock ?", "Il existe en quelles couleurs, {p} ?", "Convient-il aux peaux sensibles, {p} ?"],
        ],
        Intent::TooExpensive => [
            &["太貴了", "好貴呀", "有冇平啲?太貴喇"],
            &["太貴了", "有點貴耶", "可以便宜一點嗎?太貴了"],
            &["too expensive", "That's a bit pricey...", "too expensive for me tbh"],
            &["muito caro", "Tá muito caro 😕", "achei caro"],
            &["trop cher", "C'est un peu cher...", "prix trop cher pour moi"],
        ],
        Intent::Size => [
            &["有冇M碼?", "我平時著S碼，應該揀邊個size?", "有冇大碼?"],
            &["有M號嗎?", "我平常穿S，要選哪個尺寸?", "有大尺碼嗎?"],
            &["Do you have it in size M?", "I usually wear S, which size should I get?", "Any bigger sizes?"],
            &["Tem no tamanho M?", "Uso P, qual tamanho devo pegar?", "Tem tamanho G?"],
            &["Vous l'avez en taille M ?", "Je fais du S, quelle taille me conseillez-vous ?", "Il existe en grande taille ?"],
        ],
        Intent::ShippingFee => [
            &["運費幾錢?", "買幾錢先免運費?", "可唔可以順豐到付?"],
            &["運費多少?", "滿多少免運?", "可以貨到付款嗎?"],
            &["How much is shipping?", "Is delivery free?", "Can I pay cash on delivery?"],
            &["Quanto é o frete?", "Tem frete grátis?", "Entrega em quantos dias?"],
            &["Combien coûte la livraison ?", "La livraison est offerte ?", "Livraison en point relais possible ?"],
        ],
        Intent::StoreAddress => [
            &["你哋間舖喺邊度?", "門市地址係?", "銅鑼灣有冇分店?"],
            &["門市地址在哪裡?", "信義區有門市嗎?", "請問店面在哪?"],
            &["Where is your shop?", "What's the store address?", "Do you have a physical store?"],
            &["Qual o endereço da loja?", "Vocês têm loja física?", "Onde fica a loja?"],
            &["Quelle est l'adresse du magasin ?", "Vous avez une boutique physique ?", "Où se trouve la boutique ?"],
        ],
        Intent::WhereIsOrder => [
            &["我張單幾時到?", "我嘅貨去咗邊?", "訂單寄出咗未?"],
            &["我的包裹在哪裡?", "訂單出貨了嗎?", "請問什麼時候會到貨?"],
            &["Where is my order?", "Has my order shipped yet?", "When will my parcel arrive?"],
            &["Onde está meu pacote?", "Meu pedido já foi enviado?", "Qual o código de rastreio?"],
            &["Où est mon colis ?", "Ma commande est-elle partie ?", "Quand vais-je recevoir ma commande ?"],
        ],
        Intent::Human => [
            &["我想搵真人客服", "可唔可以同真人傾?", "轉真人"],
            &["我要找真人客服", "可以轉真人嗎?", "請給我真人客服"],
            &["talk to a human", "Can I speak to a real person?", "agent please"],
            &["quero falar com um atendente", "Posso falar com uma pessoa?", "atendente humano por favor"],
            &["parler à un humain", "Je voudrais parler à un conseiller", "un vrai conseiller svp"],
        ],
        Intent::Complaint => [
            &["收到件貨爛咗，好失望", "寄錯咗顏色俾我", "等咗成個禮拜都未收到，好嬲"],
            &["收到的商品有瑕疵，很失望", "寄錯顏色了", "等了一個禮拜還沒收到"],
            &["The item arrived damaged, very disappointed", "You sent me the wrong colour", "Still haven't received my order after a week!"],
            &["Chegou com defeito, estou muito insatisfeito", "Veio na cor errada", "Já faz uma semana e nada do meu pedido!"],
            &["Le produit est arrivé abîmé, je suis très déçu", "Ce n'est pas la bonne couleur", "Toujours rien reçu après une semaine !"],
        ],
        Intent::Thanks => [
            &["唔該晒!", "多謝!", "好，唔該"],
            &["謝謝!", "好的謝謝", "感謝🙏"],
            &["thank you!", "thanks a lot", "great, thanks 👍"],
            &["Obrigada!", "Valeu!", "Muito obrigado 🙏"],
            &["Merci beaucoup !", "Merci", "Super, merci 😊"],
        ],
        Intent::Stop => [
            &["STOP", "取消訂閱"],
            &["STOP", "取消訂閱"],
            &["STOP", "unsubscribe"],
            &["STOP", "PARAR"],
            &["STOP", "STOP PUB"],
        ],
        Intent::Buy => [
            &["我想買{p}", "{p}我要兩件"],
            &["我想買{p}", "{p}我要兩個"],
            &["I want to buy the {p}", "I'd like to order the {p}"],
            &["Quero comprar {p}", "Vou querer {p}"],
            &["Je veux acheter {p}", "Je prends {p}"],
        ],
    }
}

pub(crate) fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::ZhHk => 0,
        Lang::ZhTw => 1,
        Lang::En => 2,
        Lang::Pt => 3,
        Lang::Fr => 4,
    }
}

/// Picks one of the variants.
pub(crate) fn pick(rng: &mut ChaCha8Rng, variants: Variants) -> &'static str {
    variants[rng.gen_range(0..variants.len())]
}

/// A customer message for `intent`, with the product filled in.
pub(crate) fn inbound_text(
    rng: &mut ChaCha8Rng,
    lang: Lang,
    intent: Intent,
    product: &str,
) -> String {
    let text = pick(rng, table(intent)[lang_index(lang)]);
    text.replace("{p}", product)
}

/// Captions typed with a photo: either "do you have this?" or a complaint.
#[rustfmt::skip]
pub(crate) fn photo_caption(rng: &mut ChaCha8Rng, lang: Lang, complaint: bool) -> &'static str {
    let t: [Variants; 5] = if complaint {
        [&["你睇下，爛咗"], &["你看，破掉了"], &["Look at this, it arrived broken"], &["Olha como chegou"], &["Regardez, il est arrivé cassé"]]
    } else {
        [&["呢件有冇貨?", "有冇呢個色?"], &["這個還有嗎?", "有這個顏色嗎?"], &["Do you have this one?", "This colour?"], &["Tem esse?", "Tem nessa cor?"], &["Vous avez celui-ci ?", "Dans cette couleur ?"]]
    };
    pick(rng, t[lang_index(lang)])
}

/// Why a customer sent items back.
#[rustfmt::skip]
pub(crate) fn return_reason(rng: &mut ChaCha8Rng, lang: Lang) -> &'static str {
    let t: [Variants; 5] = [
        &["尺寸唔啱", "同相片唔一樣", "收到有瑕疵"],
        &["尺寸不合", "跟照片不一樣", "商品有瑕疵"],
        &["Wrong size", "Not as pictured", "Arrived damaged"],
        &["Tamanho errado", "Não gostei da cor", "Veio com defeito"],
        &["Taille trop petite", "Ne correspond pas à la photo", "Article abîmé"],
    ];
    pick(rng, t[lang_index(lang)])
}

/// The skin-type quiz: question ids and the answers as customers pick them
/// in their language.
#[rustfmt::skip]
pub(crate) fn quiz_question(rng: &mut ChaCha8Rng, lang: Lang, index: usize) -> (&'static str, &'static str) {
    let (id, answers): (&'static str, [Variants; 5]) = match index % 4 {
        0 => ("skin_type", [&["油性", "乾性", "混合性", "敏感"], &["油性肌", "乾性肌", "混合肌", "敏感肌"], &["oily", "dry", "combination", "sensitive"], &["oleosa", "seca", "mista", "sensível"], &["grasse", "sèche", "mixte", "sensible"]]),
        1 => ("main_concern", [&["暗瘡", "暗啞", "皺紋", "毛孔"], &["痘痘", "暗沉", "細紋", "毛孔"], &["acne", "dullness", "wrinkles", "pores"], &["acne", "falta de brilho", "rugas", "poros"], &["acné", "teint terne", "rides", "pores"]]),
        2 => ("routine_steps", [&["1-2步", "3-4步", "5步以上"], &["1-2步", "3-4步", "5步以上"], &["1-2", "3-4", "5+"], &["1-2", "3-4", "5+"], &["1-2", "3-4", "5+"]]),
        _ => ("daily_spf", [&["每日都搽", "間中", "唔搽"], &["每天擦", "偶爾", "不擦"], &["every day", "sometimes", "never"], &["todo dia", "às vezes", "nunca"], &["tous les jours", "parfois", "jamais"]]),
    };
    (id, pick(rng, answers[lang_index(lang)]))
}

/// Intent of a conversation's opening message. Price and discount questions
/// dominate (vendors report about 80% of conversations ask one).
pub(crate) fn opening_intent(rng: &mut ChaCha8Rng, has_order: bool) -> Intent {
    use crate::catalog::weighted;
    // Nobody asks for a parcel before ordering one.
    let where_weight = if has_order { 14 } else { 0 };
    weighted(
        rng,
        &[
            (Intent::PriceAsk, 40),
            (Intent::Discount, 22),
            (Intent::ProductDetail, 8),
            (Intent::Size, 6),
            (Intent::ShippingFee, 4),
            (Intent::StoreAddress, 5),
            (Intent::WhereIsOrder, where_weight),
            (Intent::Human, 2),
            (Intent::Complaint, 1),
            (Intent::Buy, 3),
        ],
    )
}

/// What comes after the business answered `previous`.
pub(crate) fn follow_up_intent(rng: &mut ChaCha8Rng, previous: Intent) -> Intent {
    use crate::catalog::weighted;
    let asked_price = matches!(previous, Intent::PriceAsk | Intent::Discount);
    weighted(
        rng,
        &[
            (Intent::TooExpensive, if asked_price { 18 } else { 2 }),
            (
                Intent::Discount,
                if previous == Intent::PriceAsk { 20 } else { 3 },
            ),
            (
                Intent::PriceAsk,
                if previous == Intent::PriceAsk { 2 } else { 14 },
            ),
            (Intent::Size, 8),
            (Intent::ShippingFee, 8),
            (Intent::Buy, 8),
            (Intent::Thanks, 30),
            (Intent::Human, 3),
            (Intent::Stop, 1),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn key_phrases_exist() {
        let all = |intent: Intent, lang: Lang| table(intent)[lang_index(lang)].join("|");
        assert!(all(Intent::Discount, Lang::ZhHk).contains("有冇折扣?"));
        assert!(all(Intent::Discount, Lang::ZhTw).contains("有折扣嗎?"));
        assert!(all(Intent::Discount, Lang::Pt).contains("tem desconto?"));
        assert!(all(Intent::Discount, Lang::Fr)
            .contains("y a-t-il une réduction ?".trim_start_matches('y')));
        assert!(all(Intent::TooExpensive, Lang::ZhTw).contains("太貴了"));
        assert!(all(Intent::TooExpensive, Lang::Pt).contains("muito caro"));
        assert!(all(Intent::TooExpensive, Lang::Fr).contains("trop cher"));
    }

    #[test]
    fn product_is_filled_in() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for _ in 0..20 {
            let t = inbound_text(&mut rng, Lang::Fr, Intent::PriceAsk, "la robe fleurie");
            assert!(t.contains("la robe fleurie") && !t.contains("{p}"), "{t}");
        }
    }
}
