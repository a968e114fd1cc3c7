//! Intents about service: `store_address`, `order_status`, `human` and `complaint`.

use super::Phrases;

/// Where the physical store is, and when it opens.
#[rustfmt::skip]
pub(super) const STORE_ADDRESS: Phrases = Phrases {
    en: &[
        "store address", "shop address", "address of the store", "address of your shop",
        "where is your shop", "where is your store", "where's your shop", "where's your store",
        "where is the shop", "where is the store", "where are you located", "physical store",
        "physical shop", "brick and mortar", "visit your store", "visit your shop",
        "come to the store", "come to your shop", "opening hours", "opening times", "open hours",
        "business hours", "what time do you open", "what time do you close", "are you open",
        "open on sunday", "nearest store", "store location", "shop location", "showroom",
        "pick up in store", "pickup in store",
    ],
    fr: &[
        "adresse du magasin", "adresse de votre magasin", "adresse de la boutique",
        "adresse de votre boutique", "adresse du showroom", "boutique physique",
        "magasin physique", "où se trouve la boutique", "où se trouve le magasin",
        "où se trouve votre boutique", "où est la boutique", "où est le magasin",
        "où est votre boutique", "où est votre magasin", "où êtes-vous situés", "vous êtes où",
        "vous êtes situés où", "horaires d'ouverture", "heures d'ouverture", "vos horaires",
        "vous ouvrez à quelle heure", "vous fermez à quelle heure", "ouvert le dimanche",
        "ouvert aujourd'hui", "passer en boutique", "passer au magasin", "venir en boutique",
        "retrait en magasin", "retrait en boutique", "recherche de magasin",
    ],
    pt: &[
        "endereço da loja", "endereço de vocês", "endereço de vcs", "qual o endereço",
        "qual é o endereço", "onde fica a loja", "onde é a loja", "onde vocês ficam",
        "onde vcs ficam", "onde fica a loja de vocês", "loja física", "lojas físicas", "tem loja",
        "vocês têm loja", "vcs tem loja", "horário de funcionamento", "horário de atendimento",
        "que horas abre", "que horas fecha", "abre que horas", "abre domingo", "abre hoje",
        "estão abertos", "retirar na loja", "retirada na loja", "consulta de loja",
        "localização da loja", "ponto de venda",
    ],
    zh: &[
        // Hong Kong
        "舖頭喺邊", "鋪頭喺邊", "間舖喺邊", "間舖", "舖頭", "鋪頭", "店舖", "店鋪", "門市", "門巿",
        "分店", "有冇門市", "實體店", "實體舖", "營業時間", "幾點開門", "幾點開舖", "幾點收舖", "開到幾點",
        "上門睇", "門市自取",
        // Taiwan
        "門市在哪", "門市地址", "店面在哪", "店面", "實體店面", "店在哪", "店址", "有門市嗎", "幾點開",
        "幾點關", "幾點打烊", "週末有開嗎", "可以去店裡",
        // Simplified
        "门店", "门市", "实体店", "营业时间", "店铺", "店在哪里", "店铺地址",
    ],
};

/// Where the customer's order or parcel is: status, tracking, delivery date.
#[rustfmt::skip]
pub(super) const ORDER_STATUS: Phrases = Phrases {
    en: &[
        "where is my order", "where's my order", "wheres my order", "my order", "my parcel",
        "my package", "my delivery", "tracking", "tracking number", "track my order",
        "tracking code", "tracking link", "order status", "status of my order", "shipped yet",
        "has it shipped", "been shipped", "been dispatched", "dispatched yet",
        "when will it arrive", "when will my", "when will i receive", "when will i get",
        "delivery status", "out for delivery", "still waiting for my", "order number",
    ],
    fr: &[
        "ma commande", "mes commandes", "mon colis", "mes colis", "mon paquet", "ma livraison",
        "où est mon colis", "où en est ma commande", "suivi de commande", "suivi de colis",
        "numéro de suivi", "lien de suivi", "code de suivi", "suivi du colis", "statut de la commande",
        "statut de ma commande", "état de ma commande", "quand vais-je recevoir",
        "quand est-ce que je vais recevoir", "quand je vais recevoir", "quand vais je recevoir",
        "est-elle partie", "elle est partie", "il est parti", "a été expédiée", "a été expédié", "date de livraison",
        "numéro de commande",
    ],
    pt: &[
        "meu pedido", "meus pedidos", "meu pacote", "minha encomenda", "minha entrega",
        "minha compra", "cadê meu pedido", "cadê minha encomenda", "cadê meu", "cadê minha",
        "rastreio", "rastreamento", "código de rastreio", "código de rastreamento", "rastrear",
        "status do pedido", "status da entrega", "situação do pedido", "onde está meu pacote",
        "onde está meu pedido", "já foi enviado", "foi enviado", "já foi postado", "foi postado",
        "quando chega", "quando vai chegar", "previsão de entrega", "prazo de entrega", "já chegou",
        "número do pedido",
    ],
    zh: &[
        // Hong Kong
        "我張單", "張單", "我嘅貨", "我嘅單", "我嘅包裹", "幾時到", "幾時寄", "寄出咗未", "寄咗未",
        "發咗貨未", "到咗未", "去咗邊", "去到邊", "追蹤號碼", "單號", "訂單狀態", "訂單", "幾時送到",
        // Taiwan
        "我的包裹", "包裹", "我的訂單", "出貨了嗎", "寄出了嗎", "什麼時候會到", "什麼時候到", "何時到貨",
        "到貨", "物流", "物流進度", "貨運單號", "追蹤碼", "查詢訂單",
        // Simplified
        "我的订单", "订单", "快递", "发货", "什么时候到", "单号", "物流信息",
    ],
};

/// Asking for a person instead of the bot.
#[rustfmt::skip]
pub(super) const HUMAN: Phrases = Phrases {
    en: &[
        "talk to a human", "speak to a human", "talk to human", "speak to human", "a human",
        "human please", "human agent", "real human", "real person", "talk to a person", "talk to someone",
        "speak to someone", "speak with someone", "agent please", "an agent", "live agent",
        "real agent", "talk to an agent", "talk to customer service", "customer service please",
        "representative", "not a bot", "are you a bot", "is this a bot", "are you a robot",
        "call me", "speak to a manager", "talk to a manager",
    ],
    fr: &[
        "parler à un humain", "un humain", "humain", "un conseiller", "une conseillère",
        "parler à un conseiller", "vrai conseiller", "une vraie personne", "vraie personne",
        "parler à quelqu'un", "parler avec quelqu'un", "service client", "un opérateur",
        "un agent", "pas un robot", "c'est un robot", "vous êtes un robot", "un responsable",
        "rappelez-moi", "appelez-moi", "me rappeler",
    ],
    pt: &[
        "falar com humano", "falar com um humano", "um humano", "atendente", "atendente humano",
        "atendimento humano", "humano por favor", "falar com uma pessoa", "falar com alguém",
        "pessoa de verdade", "pessoa real", "quero falar com", "posso falar com", "é robô",
        "é um robô", "é um bot", "falar com robô", "gerente", "me liga", "me ligue",
        "alguém me atende", "atendimento de verdade",
    ],
    zh: &[
        // Hong Kong
        "真人", "搵真人", "真人客服", "轉真人", "同真人傾", "搵職員", "搵人聽", "打俾我",
        "覆電話", "係咪機械人", "你係咪機械人",
        // Taiwan
        "找真人", "人工客服", "轉人工", "客服人員", "找客服", "專人", "是機器人嗎", "是不是機器人",
        // Simplified
        "人工服务", "转人工", "找人工", "是机器人吗", "转真人", "找真人客服",
    ],
};

/// Something went wrong: damaged, wrong item, not received, disappointed, refund demand.
#[rustfmt::skip]
pub(super) const COMPLAINT: Phrases = Phrases {
    en: &[
        "damaged", "broken", "arrived broken", "defective", "faulty", "wrong item", "wrong colour",
        "wrong color", "wrong size", "wrong product", "wrong order", "not what i ordered",
        "not as pictured", "not as described", "haven't received", "havent received",
        "have not received", "never received", "didn't receive", "didnt receive", "not received",
        "never arrived", "missing item", "disappointed", "i want a refund", "full refund", "refund me", "money back", "scam",
        "complaint", "unacceptable", "ripped", "torn", "stained", "leaking", "scratched", "cracked",
    ],
    fr: &[
        "abîmé", "abîmée", "abîmés", "cassé", "cassée", "endommagé", "endommagée", "défectueux",
        "défectueuse", "déçu", "déçue", "décevant", "pas la bonne couleur", "pas la bonne taille",
        "pas le bon", "pas la bonne", "mauvais article", "mauvaise couleur", "mauvaise taille",
        "toujours rien reçu", "toujours pas reçu", "jamais reçu", "pas reçu", "rien reçu",
        "rembourser", "remboursement", "remboursez", "arnaque", "plainte", "réclamation",
        "inadmissible", "inacceptable", "ne correspond pas", "taché", "troué", "il manque",
        "colis perdu",
    ],
    pt: &[
        "defeito", "com defeito", "quebrado", "quebrada", "danificado", "danificada", "estragado",
        "estragada", "rasgado", "rasgada", "manchado", "manchada", "cor errada", "tamanho errado",
        "produto errado", "veio errado", "veio errada", "pedido errado", "não recebi",
        "nunca recebi", "nada do meu pedido", "não chegou", "ainda não chegou", "insatisfeito",
        "insatisfeita", "decepcionado", "decepcionada", "decepção", "reembolso", "estorno",
        "dinheiro de volta", "golpe", "reclamação", "reclamar", "procon", "reclame aqui",
        "faltando", "olha como chegou", "não gostei",
    ],
    zh: &[
        // Hong Kong
        "爛咗", "壞咗", "崩咗", "穿咗", "寄錯", "送錯", "尺寸唔啱", "顏色唔啱", "唔一樣", "失望",
        "未收到", "冇收到", "退錢", "退款", "投訴", "呃人", "瑕疵", "少咗", "漏寄", "好嬲",
        // Taiwan
        "破掉", "壞掉", "損壞", "破損", "寄錯了", "還沒收到", "沒收到", "沒有收到", "退貨", "客訴",
        "詐騙", "不一樣", "少寄", "尺寸不合",
        // Simplified
        "坏了", "破了", "寄错", "发错", "投诉", "没收到", "还没收到", "退货", "质量问题",
    ],
};
