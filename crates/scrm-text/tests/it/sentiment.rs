//! The sentiment heuristic: ordering in each language, negation, intensifiers, emoji.

use crate::analyze;

fn score(text: &str) -> f32 {
    analyze(text)
        .sentiment
        .unwrap_or_else(|| panic!("no sentiment for {text:?}"))
}

/// Asserts `not < 0.5 < plain < very` for one language.
fn ordered(not: &str, plain: &str, very: &str) {
    let (n, p, v) = (score(not), score(plain), score(very));
    assert!(n < 0.5, "{not:?} = {n}");
    assert!(p > 0.5, "{plain:?} = {p}");
    assert!(v > p, "{very:?} = {v} not above {plain:?} = {p}");
}

#[test]
fn negation_and_intensifiers_in_each_language() {
    ordered("not good", "good", "very good");
    ordered("pas bien", "bien", "très bien");
    ordered("não é bom", "bom", "muito bom");
    ordered("不滿意", "滿意", "很滿意");
    ordered("唔滿意", "滿意", "好滿意");
    ordered("I don't like it", "I like it", "I really like it");
    ordered(
        "je ne suis pas satisfait",
        "satisfait",
        "vraiment satisfait",
    );
    ordered("não gostei", "gostei", "gostei muito, super recomendo");
    ordered("不喜歡", "喜歡", "超喜歡");
}

#[test]
fn exact_values_of_the_formula() {
    assert_eq!(score("good"), 0.75);
    assert_eq!(score("not good"), 0.25);
    assert!((score("very good") - 0.8).abs() < 1e-6);
    assert_eq!(analyze("hello").sentiment, None);
    assert_eq!(
        analyze("not very").sentiment,
        None,
        "modifiers alone give no score"
    );
}

#[test]
fn price_complaints_are_negative() {
    for text in [
        "muito caro",
        "Tá muito caro 😕",
        "trop cher",
        "C'est trop cher !",
        "太貴",
        "太貴了",
        "好貴呀",
        "too expensive",
        "太贵了",
    ] {
        assert!(score(text) < 0.5, "{text:?} = {}", score(text));
    }
    assert!(score("muito caro") < score("caro"), "muito intensifies");
    assert!(score("trop cher") < score("cher"), "trop intensifies");
}

#[test]
fn negation_reaches_three_tokens_or_two_characters() {
    assert!(score("not that good") < 0.5);
    assert!(score("not really that good") < 0.5);
    assert!(
        score("not at all really good") > 0.5,
        "four tokens later is out of reach"
    );
    assert!(
        score("not sure. great product!") > 0.5,
        "negation stops at the clause"
    );
    assert!(score("不太滿意") < 0.5);
    assert!(score("唔係好滿意") < 0.5);
    assert!(
        score("不知道是否滿意") > 0.5,
        "three characters later is out of reach"
    );
}

#[test]
fn listed_phrases_carry_their_own_polarity() {
    assert!(score("pas mal") > 0.5);
    assert!(
        score("ce n'est pas mal du tout") > 0.5,
        "ne … pas does not flip it back"
    );
    assert!(score("je n'ai toujours pas reçu") < 0.5);
    assert!(score("nada mal") > 0.5);
    assert!(score("no problem") > 0.5);
    assert!(score("not bad") > 0.5);
    assert!(score("不錯") > 0.5);
    assert!(score("冇問題") > 0.5);
    assert!(score("唔該晒") > 0.5);
}

#[test]
fn a_not_a_questions_carry_no_opinion() {
    assert_eq!(analyze("好唔好用?").sentiment, None);
    assert_eq!(analyze("滿唔滿意?").sentiment, None);
    assert_eq!(analyze("有冇問題?").sentiment, None);
    assert_eq!(analyze("有沒有喜歡的顏色?").sentiment, None);
}

#[test]
fn greetings_and_politeness_are_neutral() {
    assert_eq!(analyze("Oi, boa tarde!").sentiment, None);
    assert_eq!(analyze("good morning").sentiment, None);
    assert_eq!(analyze("不好意思，想問下").sentiment, None);
    assert!(score("bom dia, meu pedido veio quebrado") < 0.5);
    assert!(score("Good morning, my order arrived broken") < 0.5);
}

#[test]
fn contrast_weights_what_follows() {
    assert!(score("good but too expensive") < 0.5);
    assert!(score("bonito, mas muito caro") < 0.5);
    assert!(score("質素唔錯，不過有點貴") < 0.5);
}

#[test]
fn emoji_belong_to_every_language() {
    assert!(score("👍") > 0.5);
    assert!(score("😡") < 0.5);
    assert!(score("😍😍😍") > score("😍"));
    assert!(score("❤️") > 0.5, "the variation selector is ignored");
    assert!(score("👍🏻") > 0.5, "skin tones do not hide the emoji");
    assert!(score("Obrigada 🙏") > score("Obrigada"));
    assert_eq!(
        analyze("👍").language,
        None,
        "emoji are no evidence of a language"
    );
}

#[test]
fn realistic_messages_land_on_the_right_side() {
    let happy = [
        "thank you!",
        "great, thanks 👍",
        "Merci beaucoup !",
        "Super, merci 😊",
        "Obrigada!",
        "Muito obrigado 🙏",
        "唔該晒!",
        "好的謝謝",
        "adorei o produto, chegou rápido",
        "produit conforme, livraison rapide, je recommande",
        "質素好好，好正",
        "收到了，很喜歡，謝謝",
    ];
    let unhappy = [
        "The item arrived damaged, very disappointed",
        "Chegou com defeito, estou muito insatisfeito",
        "Le produit est arrivé abîmé, je suis très déçu",
        "收到件貨爛咗，好失望",
        "收到的商品有瑕疵，很失望",
        "worst service ever 😡",
        "péssimo atendimento, nunca mais compro",
        "c'est nul, je suis furieux",
        "質素好差，好嬲",
    ];
    for t in happy {
        assert!(score(t) > 0.5, "{t:?} = {}", score(t));
    }
    for t in unhappy {
        assert!(score(t) < 0.5, "{t:?} = {}", score(t));
    }
    assert!(score("worst service ever 😡") < 0.3, "churn-risk territory");
}

#[test]
fn plain_questions_have_no_score() {
    for text in [
        "How much is the dress?",
        "can you show me the red one?",
        "nickel-free earrings?",
        "Quanto custa?",
        "C'est combien ?",
        "幾多錢?",
        "有冇M碼?",
        "Où est mon colis ?",
        "STOP",
    ] {
        assert_eq!(analyze(text).sentiment, None, "{text:?}");
    }
}
