//! Intents about the product and its price: `product_inquiry`, `discount`, `too_expensive`
//! and `size_question`.

use super::Phrases;

/// Asking about a product: its price ("how much"), stock, colours, suitability, or saying
/// "I want to buy it".
#[rustfmt::skip]
pub(super) const PRODUCT_INQUIRY: Phrases = Phrases {
    en: &[
        "how much", "how much is", "hw much", "how mch", "howmuch", "how much does it cost",
        "what does it cost", "price", "prices", "pricing", "price list", "whats the price",
        "in stock", "still in stock", "back in stock", "restock", "sold out", "still available",
        "is it available", "available in", "do you have it", "do you have this", "do you have the",
        "do you still have", "do you have any left", "any left", "do you sell", "colours", "colors",
        "what colour", "what color", "this colour", "this color", "which colours", "other colours",
        "does it come in", "come in other", "sensitive skin", "suitable for", "ingredients",
        "more details", "more info", "i want to buy", "i'd like to buy", "i'd like to order",
        "i want to order", "i'll take it", "i'll take one", "i'll take the", "can i order", "how to buy", "how do i buy", "where can i buy",
    ],
    fr: &[
        "c'est combien", "cest combien", "c combien", "combien ?", "combien?", "combien ça coûte",
        "ça coûte combien", "combien coûte", "combien pour",
        "ça fait combien", "combien le", "combien la", "combien les", "c'est cb", "quel prix",
        "quel est le prix", "le prix", "prix", "tarif", "tarifs", "en stock", "encore en stock",
        "encore disponible", "toujours disponible", "c'est disponible", "dispo", "toujours dispo",
        "vous avez encore", "vous l'avez", "vous avez celui", "vous avez celle", "vous avez ce",
        "vous avez cette", "avez-vous encore", "rupture", "réassort", "couleurs", "quelles couleurs",
        "quelle couleur", "cette couleur", "peau sensible", "peaux sensibles", "convient-il",
        "ça convient", "je veux acheter", "je voudrais acheter", "je voudrais commander",
        "je veux commander", "je prends", "je le prends", "je la prends", "devis",
    ],
    pt: &[
        "quanto custa", "quanto custam", "qto custa", "qnto custa", "quanto é", "qto é",
        "quanto tá", "qto ta", "quanto fica", "quanto sai", "quanto que é",
        "quanto que custa", "qual o valor", "qual valor", "qual o preço", "qual preço", "preço",
        "preços", "valor", "ainda tem", "tem em estoque", "estoque", "disponível", "tem disponível",
        "tem esse", "tem essa", "tem na cor", "tem nessa cor", "quais cores", "que cores",
        "outras cores", "cores", "pele sensível", "serve pra", "serve para", "dá pra parcelar",
        "parcelar", "parcela", "quero comprar", "vou querer", "como faço pra comprar",
        "como comprar", "cotação", "orçamento",
    ],
    zh: &[
        // Hong Kong
        "幾錢", "幾多錢", "點賣", "價錢", "價格", "售價", "有冇貨", "仲有冇貨", "有冇現貨", "仲有貨",
        "有冇得賣", "有咩顏色", "咩色", "幾多個色", "有冇呢個色", "呢個色", "斷貨", "補貨", "適唔適合",
        "我想買", "我要買", "想買", "我要兩件", "我要一件",
        // Taiwan
        "多少錢", "賣多少", "怎麼賣", "還有貨嗎", "還有嗎", "有貨嗎", "有現貨嗎", "現貨", "有哪些顏色",
        "什麼顏色", "這個顏色", "其他顏色", "可以用嗎", "我要兩個", "想訂", "報價",
        // Simplified
        "几钱", "几多钱", "多少钱", "价格", "价钱", "怎么卖", "还有货吗", "有货吗", "什么颜色", "我想买",
    ],
};

/// Asking for a lower price: discount, promo code, coupon, sale.
#[rustfmt::skip]
pub(super) const DISCOUNT: Phrases = Phrases {
    en: &[
        "discount", "discounts", "discount code", "promo", "promos", "promo code", "promocode",
        "promotion", "promotions", "coupon", "coupons", "voucher", "vouchers", "sale", "on sale",
        "any offers", "special offer", "any deal", "good deal", "deals", "cheaper", "lower price", "best price",
        "% off", "percent off", "black friday", "cyber monday", "student discount", "buy one get one",
    ],
    fr: &[
        "réduction", "réductions", "réduc", "code promo", "codes promo", "promo", "promos",
        "promotion", "promotions", "code de réduction", "bon de réduction", "remise", "rabais",
        "soldes", "en solde", "des promos", "coupon", "bon plan", "moins cher", "un geste", "geste commercial",
        "offre spéciale", "black friday", "% de réduction", "vente privée", "prix d'ami",
    ],
    pt: &[
        "desconto", "descontos", "tem desconto", "cupom", "cupons", "cupom de desconto",
        "código promocional", "codigo de desconto", "promoção", "promoções", "promo", "liquidação",
        "oferta", "ofertas", "mais barato", "faz um preço", "faz por menos", "abaixa o preço",
        "faz desconto", "black friday", "preço especial", "queima de estoque", "leve 2",
    ],
    zh: &[
        // Hong Kong
        "有冇折", "折扣", "折頭", "優惠", "優惠碼", "折扣碼", "有冇平啲", "平啲", "平少少", "有冇得平",
        "減價", "特價", "九折", "八折", "七折", "現金券", "買一送一",
        // Taiwan
        "有折扣嗎", "有優惠嗎", "打折", "折價券", "優惠券", "便宜一點", "便宜一些", "算便宜", "有活動嗎",
        "雙11", "週年慶", "滿額", "滿減", "折價",
        // Simplified
        "优惠", "优惠券", "优惠码", "折扣码", "便宜点", "便宜一点", "有没有折扣", "减价", "特价",
    ],
};

/// Saying the price is too high.
#[rustfmt::skip]
pub(super) const TOO_EXPENSIVE: Phrases = Phrases {
    en: &[
        "too expensive", "so expensive", "very expensive", "really expensive", "quite expensive",
        "bit expensive", "it's expensive", "its expensive", "too pricey", "pricey", "overpriced",
        "too much for me", "can't afford", "cant afford", "cannot afford", "out of my budget",
        "over my budget", "not worth the price", "price is too high", "price is high", "rip off",
        "ripoff", "too dear", "expensive for me",
    ],
    fr: &[
        "trop cher", "trop chère", "trop chers", "trop chères", "un peu cher", "un peu chère",
        "c'est cher", "cest cher", "très cher", "très chère", "hors de prix", "exorbitant",
        "c'est abusé", "ça fait cher", "pas dans mon budget", "au-dessus de mon budget",
        "hors budget", "prix élevé", "trop élevé", "ça pique", "cher pour moi", "chère pour moi",
        "beaucoup trop cher", "trop cher pour moi",
    ],
    pt: &[
        "muito caro", "muito cara", "caro demais", "cara demais", "tá caro", "tá cara",
        "achei caro", "achei cara", "meio caro", "bem caro", "um pouco caro", "caríssimo",
        "mt caro", "mto caro", "salgado", "tá salgado", "fora do orçamento", "puxado", "tá puxado",
        "caro pra mim", "preço alto", "preço muito alto", "não tenho condições",
    ],
    zh: &[
        // Hong Kong
        "太貴", "好貴", "有啲貴", "咁貴", "貴咗", "買唔落手", "唔抵", "貴過", "太貴喇",
        // Taiwan
        "很貴", "超貴", "有點貴", "這麼貴", "那麼貴", "貴了", "不划算", "偏貴", "價錢太高",
        // Simplified
        "太贵", "好贵", "很贵", "超贵", "有点贵", "这么贵", "贵了", "偏贵",
    ],
};

/// Which size to take, size chart, fit, size availability.
#[rustfmt::skip]
pub(super) const SIZE_QUESTION: Phrases = Phrases {
    en: &[
        "size", "sizes", "sizing", "what size", "which size", "size chart", "size guide",
        "bigger size", "smaller size", "plus size", "true to size", "runs small", "runs large",
        "run small", "run big", "will it fit", "does it fit", "how does it fit", "the fit",
        "measurements", "my size", "size s", "size m", "size l", "size xl",
    ],
    fr: &[
        "taille", "tailles", "quelle taille", "guide des tailles", "tableau des tailles",
        "grille des tailles", "grande taille", "petite taille", "taille grand", "taille petit",
        "ça taille", "taille normalement", "je fais du", "pointure", "mensurations",
        "en taille", "ma taille", "taille s", "taille m", "taille l",
    ],
    pt: &[
        "tamanho", "tamanhos", "qual tamanho", "que tamanho", "tabela de medidas",
        "tabela de tamanhos", "medidas", "numeração", "qual número", "veste bem", "veste pequeno",
        "veste grande", "forma pequena", "forma grande", "uso p", "uso m", "uso g", "uso gg",
        "tamanho p", "tamanho m", "tamanho g", "tamanho gg", "meu tamanho",
    ],
    zh: &[
        // Hong Kong
        "m碼", "s碼", "l碼", "xl碼", "大碼", "細碼", "中碼", "尺碼", "碼數", "咩碼", "邊個碼", "咩size",
        "邊個size", "著咩size", "啱唔啱身", "啱身", "呎碼",
        // Taiwan
        "尺寸", "大尺碼", "m號", "s號", "l號", "號數", "哪個尺寸", "什麼尺寸", "尺寸表", "版型", "偏大",
        "偏小", "合身",
        // Simplified
        "尺码", "大码", "码数", "选哪个码", "哪个尺码",
    ],
};
