//! The default intents on Brazilian Portuguese messages, with and without accents.

use crate::{detects, exactly, never};

#[test]
fn product_inquiry() {
    detects(
        "product_inquiry",
        &[
            "Quanto custa o vestido?",
            "Quanto tá o vestido?",
            "quanto ta?",
            "QUANTO CUSTA",
            "qto custa esse",
            "Dá pra parcelar em 3x?",
            "Ainda tem o vestido em estoque?",
            "Quais cores tem o sérum?",
            "Serve pra pele sensível?",
            "Tem esse?",
            "Tem nessa cor?",
            "qual o valor?",
            "Quero comprar o vestido",
            "Vou querer a bolsa",
            "qual o preco",
        ],
    );
}

#[test]
fn discount() {
    detects(
        "discount",
        &[
            "tem desconto?",
            "Há desconto?",
            "tem cupom de desconto?",
            "Faz desconto no Pix?",
            "TEM DESCONTO",
            "tem promoção?",
            "tem alguma promocao essa semana",
            "faz um preço pra mim",
        ],
    );
}

#[test]
fn too_expensive() {
    detects(
        "too_expensive",
        &[
            "muito caro",
            "Tá muito caro 😕",
            "achei caro",
            "MUITO CARO",
            "ta muito caro",
            "caro demais",
            "tá salgado esse preço",
        ],
    );
}

#[test]
fn store_address() {
    detects(
        "store_address",
        &[
            "Qual o endereço da loja?",
            "Vocês têm loja física?",
            "Onde fica a loja?",
            "qual o endereco da loja",
            "vcs tem loja fisica?",
            "que horas abre amanhã?",
            "ENDEREÇO DA LOJA",
        ],
    );
}

#[test]
fn order_status() {
    detects(
        "order_status",
        &[
            "Onde está meu pacote?",
            "Meu pedido já foi enviado?",
            "Qual o código de rastreio?",
            "cadê meu pedido",
            "cade meu pedido??",
            "CADÊ MEU PEDIDO",
            "me passa o rastreio",
            "quando chega?",
        ],
    );
}

#[test]
fn human() {
    detects(
        "human",
        &[
            "quero falar com um atendente",
            "Posso falar com uma pessoa?",
            "atendente humano por favor",
            "falar com humano",
            "é robô?",
            "QUERO FALAR COM ATENDENTE",
        ],
    );
}

#[test]
fn complaint() {
    detects(
        "complaint",
        &[
            "Chegou com defeito, estou muito insatisfeito",
            "Veio na cor errada",
            "Já faz uma semana e nada do meu pedido!",
            "Olha como chegou",
            "veio quebrado",
            "nao recebi meu pedido",
            "quero reembolso",
            "vou reclamar no reclame aqui",
        ],
    );
}

#[test]
fn size_question() {
    detects(
        "size_question",
        &[
            "Tem no tamanho M?",
            "Uso P, qual tamanho devo pegar?",
            "Tem tamanho G?",
            "tem tabela de medidas?",
            "QUAL TAMANHO?",
            "veste pequeno?",
        ],
    );
}

#[test]
fn consent() {
    detects(
        "opt_out",
        &[
            "STOP",
            "PARAR",
            "parar",
            "SAIR",
            "sair",
            "Sair.",
            "cancelar inscrição",
            "CANCELAR INSCRICAO",
            "não quero mais receber",
        ],
    );
    detects(
        "opt_in",
        &["quero receber", "sim quero receber", "INSCREVER", "start"],
    );
    never(
        "opt_out",
        &[
            "não quero parar de receber",
            "sair da loja agora",
            "cancelar",
        ],
    );
    never("opt_in", &["sim", "quero receber meu pedido logo"]);
}

#[test]
fn no_false_positives() {
    exactly(&[
        ("Obrigada!", &[]),
        ("Valeu!", &[]),
        ("Muito obrigado 🙏", &[]),
        ("Oi, boa tarde!", &[]),
        ("Oi, tudo bem?", &[]),
        ("tem desconto?", &["discount"]),
        ("cadê meu pedido", &["order_status"]),
    ]);
    never("human", &["peruca de cabelo humano"]);
}

/// The customer phrases quoted in the Portuguese seed article about WhatsApp CRM (shared
/// seeds), with the intent the article gives them. Quotes that are not customer messages
/// (tag names such as “Consulta de Loja”, templates such as “Enviado, entrega prevista para
/// amanhã”, metric names) are left out, and so is “pagamento na entrega”: a payment-method
/// question, for which the defaults have no intent.
#[test]
fn customer_phrases_quoted_in_the_seed_article() {
    exactly(&[
        ("Quanto custa?", &["product_inquiry"]),
        ("Há desconto?", &["discount"]),
        ("Quero comprar o Produto A", &["product_inquiry"]),
        ("cotação", &["product_inquiry"]),
        ("reclamação", &["complaint"]),
        ("desconto", &["discount"]),
        ("consulta de desconto", &["discount"]),
        ("endereço da loja física", &["store_address"]),
        ("status do pedido", &["order_status"]),
        ("Onde está meu pacote?", &["order_status"]),
        ("muito caro", &["too_expensive"]),
        ("preço muito caro", &["product_inquiry", "too_expensive"]),
        ("falar com humano", &["human"]),
        ("tamanho", &["size_question"]),
    ]);
}

#[test]
fn the_seed_article_price_complaints_are_negative() {
    for text in ["muito caro", "preço muito caro"] {
        let sentiment = crate::analyze(text).sentiment.unwrap();
        assert!(sentiment < 0.5, "{text}: {sentiment}");
    }
}
