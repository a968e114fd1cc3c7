//! The default intents on French messages, with and without accents.

use crate::{detects, exactly, never};

#[test]
fn product_inquiry() {
    detects(
        "product_inquiry",
        &[
            "Combien coûte la robe fleurie ?",
            "C'est combien pour le sérum ?",
            "Quel est le prix pour le sac ?",
            "cest combien",
            "c’est combien svp",
            "COMBIEN ÇA COÛTE",
            "combien ca coute",
            "Vous avez encore la robe en stock ?",
            "Il existe en quelles couleurs, la robe ?",
            "Convient-il aux peaux sensibles, la crème ?",
            "Vous avez celui-ci ?",
            "Dans cette couleur ?",
            "toujours dispo ?",
            "Je veux acheter la robe",
            "Je prends le sac",
            "vous pouvez me faire un devis ?",
        ],
    );
}

#[test]
fn discount() {
    detects(
        "discount",
        &[
            "Y a-t-il une réduction ?",
            "Vous avez un code promo ?",
            "Il y a des promos pour le Black Friday ?",
            "y a t il une reduction",
            "CODE PROMO ?",
            "une petite remise possible ?",
            "c'est en soldes ?",
            "vous faites un geste commercial ?",
        ],
    );
}

#[test]
fn too_expensive() {
    detects(
        "too_expensive",
        &[
            "trop cher",
            "C'est un peu cher...",
            "prix trop cher pour moi",
            "TROP CHER",
            "trop chere pour moi",
            "c'est hors de prix",
            "pas dans mon budget",
        ],
    );
}

#[test]
fn store_address() {
    detects(
        "store_address",
        &[
            "Quelle est l'adresse du magasin ?",
            "Vous avez une boutique physique ?",
            "Où se trouve la boutique ?",
            "ou se trouve la boutique",
            "Vous êtes ouvert le dimanche ?",
            "quels sont vos horaires d'ouverture",
            "ADRESSE DU MAGASIN ?",
        ],
    );
}

#[test]
fn order_status() {
    detects(
        "order_status",
        &[
            "Où est mon colis ?",
            "Ma commande est-elle partie ?",
            "Quand vais-je recevoir ma commande ?",
            "ou en est ma commande",
            "OÙ EN EST MA COMMANDE",
            "vous avez le numéro de suivi ?",
            "numero de suivi svp",
        ],
    );
}

#[test]
fn human() {
    detects(
        "human",
        &[
            "parler à un humain",
            "Je voudrais parler à un conseiller",
            "un vrai conseiller svp",
            "parler a un humain",
            "je veux parler à quelqu'un",
            "vous êtes un robot ?",
        ],
    );
}

#[test]
fn complaint() {
    detects(
        "complaint",
        &[
            "Le produit est arrivé abîmé, je suis très déçu",
            "Ce n'est pas la bonne couleur",
            "Toujours rien reçu après une semaine !",
            "Regardez, il est arrivé cassé",
            "Ne correspond pas à la photo",
            "article abime, je veux un remboursement",
            "TRES DECU",
            "je vais porter plainte",
        ],
    );
}

#[test]
fn size_question() {
    detects(
        "size_question",
        &[
            "Vous l'avez en taille M ?",
            "Je fais du S, quelle taille me conseillez-vous ?",
            "Il existe en grande taille ?",
            "vous avez un guide des tailles ?",
            "QUELLE TAILLE ?",
            "ça taille petit ?",
        ],
    );
}

#[test]
fn consent() {
    detects(
        "opt_out",
        &[
            "STOP",
            "STOP PUB",
            "stop pub",
            "Arrêt",
            "arret",
            "désabonner",
            "DESABONNER",
            "me désinscrire",
            "stop svp",
        ],
    );
    detects(
        "opt_in",
        &["je m'abonne", "m'abonner", "S'ABONNER", "start"],
    );
    never(
        "opt_out",
        &[
            "stoppez pas les promos svp",
            "arrêtez de m'envoyer la mauvaise taille",
            "oui",
        ],
    );
}

#[test]
fn no_false_positives() {
    exactly(&[
        ("Bonjour", &[]),
        ("Bonjour, petite question", &[]),
        ("Merci beaucoup !", &[]),
        ("Super, merci 😊", &[]),
        ("prixe", &[]),
        ("Vous avez un code promo ?", &["discount"]),
        ("Où est mon colis ?", &["order_status"]),
    ]);
    never(
        "product_inquiry",
        &["Vous avez une boutique physique ?", "le prixe"],
    );
    never("human", &["vous pouvez me conseiller une crème ?"]);
}

/// The customer phrases quoted in the French seed article about WhatsApp CRM (shared
/// seeds), with the intent the article gives them. Quotes that are not customer messages
/// (tag names such as « Recherche de magasin », templates such as « Expédié, livraison
/// prévue demain », metric names) are left out, and so is « paiement à la livraison »: a
/// payment-method question, for which the defaults have no intent.
#[test]
fn customer_phrases_quoted_in_the_seed_article() {
    exactly(&[
        ("combien coûte ?", &["product_inquiry"]),
        ("y a-t-il une réduction ?", &["discount"]),
        ("Où est mon colis ?", &["order_status"]),
        ("devis", &["product_inquiry"]),
        ("plainte", &["complaint"]),
        ("Je veux acheter le produit A", &["product_inquiry"]),
        ("réduction", &["discount"]),
        ("demande de réduction", &["discount"]),
        ("l’adresse du magasin", &["store_address"]),
        ("le statut de la commande", &["order_status"]),
        ("trop cher", &["too_expensive"]),
        ("prix trop cher", &["product_inquiry", "too_expensive"]),
        ("parler à un humain", &["human"]),
        ("taille", &["size_question"]),
    ]);
}

#[test]
fn the_seed_article_price_complaints_are_negative() {
    for text in ["trop cher", "prix trop cher"] {
        let sentiment = crate::analyze(text).sentiment.unwrap();
        assert!(sentiment < 0.5, "{text}: {sentiment}");
    }
}
