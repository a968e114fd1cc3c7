//! Consent replies, matched against the whole message: `opt_out` and `opt_in`.
//!
//! These decide whether scrm may message a customer again, so they are whole-message
//! phrases: the customer's entire reply, once normalized and trimmed of punctuation and
//! emoji, must be one of them. `STOP`, `Stop!!`, `ＳＴＯＰ` and `stop 🙏` opt out;
//! `nonstop`, `please don't stop the offers` and `stop sending me the wrong size` do not
//! (the last one is a complaint, not a consent change). `stop` is listed under every
//! language, so a bare `STOP` is no evidence of any language. Ambiguous one-word replies are left
//! out: `cancel`/`cancelar` (usually an order) and `yes`/`sim`/`oui` (an answer to anything).

use super::Phrases;

/// Withdrawing consent to marketing messages.
#[rustfmt::skip]
pub(super) const OPT_OUT: Phrases = Phrases {
    en: &[
        "stop", "stop please", "please stop", "stop pls", "stop it", "stop all", "stopall",
        "stop messaging me", "stop texting me", "stop sending me messages", "unsubscribe",
        "unsubscribe me", "unsub", "opt out", "optout", "remove me", "remove me from the list",
        "end", "quit", "no more messages", "don't message me", "dont message me",
    ],
    fr: &[
        "stop", "stop pub", "stop svp", "stop merci", "arrêt", "arrêt pub", "arrête", "arrêtez",
        "arrêter", "désabonner", "me désabonner", "désabonnez-moi", "désabonnement",
        "désinscription", "me désinscrire", "désinscrivez-moi", "plus de messages",
        "je ne veux plus recevoir", "ne plus recevoir", "retirez-moi de la liste",
    ],
    pt: &[
        "stop", "parar", "pare", "para", "sair", "stop por favor", "cancelar inscrição",
        "cancelar assinatura", "descadastrar", "me descadastrar", "me descadastra",
        "me tira da lista", "me tire da lista", "sair da lista", "não quero mais receber",
        "não quero receber", "parar de receber", "chega de mensagens", "não mande mais",
    ],
    zh: &[
        // Hong Kong
        "stop", "取消訂閱", "退訂", "停止", "唔好再send", "唔好再send俾我", "唔好再發", "唔使再send",
        // Taiwan
        "停止訂閱", "停止接收", "不要再傳", "不要再傳了", "不要再發", "取消接收",
        // Simplified
        "取消订阅", "退订", "停止订阅", "不要再发", "td",
    ],
};

/// Giving (or restoring) consent to marketing messages.
#[rustfmt::skip]
pub(super) const OPT_IN: Phrases = Phrases {
    en: &[
        "start", "subscribe", "subscribe me", "resubscribe", "unstop", "opt in", "optin",
        "sign me up", "start again", "start messages", "i want to subscribe",
    ],
    fr: &[
        "m'abonner", "s'abonner", "je m'abonne", "abonnez-moi", "je veux m'abonner", "m'inscrire",
        "je m'inscris", "inscrivez-moi", "réabonner", "me réabonner", "start svp",
    ],
    pt: &[
        "inscrever", "me inscrever", "quero me inscrever", "quero receber", "sim quero receber",
        "quero receber ofertas", "voltar a receber", "assinar", "quero assinar", "ativar",
        "começar",
    ],
    zh: &[
        // Hong Kong and Taiwan
        "訂閱", "我要訂閱", "重新訂閱", "恢復訂閱", "開始", "我想訂閱", "繼續接收",
        // Simplified
        "订阅", "我要订阅", "开始", "重新订阅",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{default_intents, default_sentiment, Analyzer};

    fn analyzer() -> Analyzer {
        Analyzer::new(&default_intents(), &default_sentiment()).unwrap()
    }

    fn all(phrases: &Phrases) -> impl Iterator<Item = &'static str> {
        [phrases.en, phrases.fr, phrases.pt, phrases.zh]
            .into_iter()
            .flatten()
            .copied()
    }

    /// How customers decorate a one-word reply.
    fn decorated(phrase: &str) -> [String; 5] {
        [
            phrase.to_uppercase(),
            format!(" {phrase}! "),
            format!("{phrase} 🙏"),
            format!("\u{201C}{phrase}\u{201D}"),
            format!("{phrase}..."),
        ]
    }

    #[test]
    fn every_phrase_is_recognised_however_it_is_decorated() {
        let a = analyzer();
        for (intent, phrases) in [("opt_out", &OPT_OUT), ("opt_in", &OPT_IN)] {
            for phrase in all(phrases) {
                for text in decorated(phrase) {
                    let found = a.analyze(&text).intents;
                    assert!(found.contains(intent), "{text:?} -> {found:?}");
                }
            }
        }
    }

    #[test]
    fn no_phrase_counts_inside_a_longer_message() {
        let a = analyzer();
        for phrase in all(&OPT_OUT).chain(all(&OPT_IN)) {
            for text in [
                format!("please don't {phrase} yet"),
                format!("{phrase} 我張單"),
            ] {
                let found = a.analyze(&text).intents;
                assert!(
                    !found.contains("opt_out") && !found.contains("opt_in"),
                    "{text:?} -> {found:?}"
                );
            }
        }
    }

    #[test]
    fn opt_out_and_opt_in_never_share_a_reply() {
        let a = analyzer();
        for phrase in all(&OPT_OUT).chain(all(&OPT_IN)) {
            let found = a.analyze(phrase).intents;
            assert!(
                !(found.contains("opt_out") && found.contains("opt_in")),
                "{phrase:?} -> {found:?}"
            );
        }
    }

    #[test]
    fn ambiguous_one_word_replies_are_not_consent() {
        let a = analyzer();
        for text in [
            "yes", "Sim", "oui", "好", "cancel", "cancelar", "ok", "no", "não",
        ] {
            let found = a.analyze(text).intents;
            assert!(
                !found.contains("opt_out") && !found.contains("opt_in"),
                "{text:?} -> {found:?}"
            );
        }
    }
}
