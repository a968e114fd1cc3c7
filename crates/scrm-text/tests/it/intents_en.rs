//! The default intents on English messages.

use crate::{detects, exactly, never};

#[test]
fn product_inquiry() {
    detects(
        "product_inquiry",
        &[
            "How much is the floral dress?",
            "Hi, what's the price of the serum?",
            "how much for the tote bag",
            "HOW MUCH???",
            "Ｈｏｗ ｍｕｃｈ？",
            "hw much is it",
            "Is the dress still in stock?",
            "What colours does the bag come in?",
            "what colors do you have",
            "Is the cream ok for sensitive skin?",
            "Do you have this one?",
            "Do you still have the blue one?",
            "price pls",
            "I want to buy the linen shirt",
            "I'd like to order the serum",
            "is it back in stock?",
        ],
    );
}

#[test]
fn discount() {
    detects(
        "discount",
        &[
            "Is there any DISCOUNT?",
            "any promo code?",
            "Do you do a discount for 2 items?",
            "do u have a coupon",
            "is it on sale?",
            "any deals for black friday?",
            "can you make it cheaper",
            "student discount?",
        ],
    );
}

#[test]
fn too_expensive() {
    detects(
        "too_expensive",
        &[
            "too expensive",
            "That's a bit pricey...",
            "too expensive for me tbh",
            "TOO EXPENSIVE",
            "sorry, can't afford it",
            "it's overpriced",
            "out of my budget",
        ],
    );
}

#[test]
fn store_address() {
    detects(
        "store_address",
        &[
            "Where is your shop?",
            "What's the store address?",
            "Do you have a physical store?",
            "what are your opening hours",
            "are you open on sunday?",
            "WHERE IS YOUR STORE",
            "can I pick up in store?",
        ],
    );
}

#[test]
fn order_status() {
    detects(
        "order_status",
        &[
            "Where is my order?",
            "Has my order shipped yet?",
            "When will my parcel arrive?",
            "wheres my order",
            "can you send me the tracking number",
            "any update on my package?",
            "WHERE IS MY ORDER??",
        ],
    );
}

#[test]
fn human() {
    detects(
        "human",
        &[
            "talk to a human",
            "Can I speak to a real person?",
            "agent please",
            "are you a bot?",
            "I want to speak to a manager",
            "HUMAN PLEASE",
        ],
    );
}

#[test]
fn complaint() {
    detects(
        "complaint",
        &[
            "The item arrived damaged, very disappointed",
            "You sent me the wrong colour",
            "Still haven't received my order after a week!",
            "Look at this, it arrived broken",
            "Not as pictured",
            "this is a scam, I want a refund",
            "the bottle was leaking",
        ],
    );
}

#[test]
fn size_question() {
    detects(
        "size_question",
        &[
            "Do you have it in size M?",
            "I usually wear S, which size should I get?",
            "Any bigger sizes?",
            "do you have a size chart",
            "does it run small?",
            "WHAT SIZE SHOULD I TAKE",
        ],
    );
}

#[test]
fn consent_is_about_the_whole_message() {
    detects(
        "opt_out",
        &[
            "STOP",
            "stop",
            "Stop.",
            "STOP!!!",
            "ＳＴＯＰ",
            "stop 🙏",
            "\"STOP\"",
            " unsubscribe ",
            "Unsubscribe me",
            "stop please",
        ],
    );
    detects("opt_in", &["START", "start!", "subscribe", "Sign me up"]);
    never(
        "opt_out",
        &[
            "nonstop",
            "I don't want to stop",
            "please don't stop the offers",
            "stop sending me the wrong size",
            "STOP STOP",
            "the bus stop near your shop",
        ],
    );
    never(
        "opt_in",
        &[
            "yes",
            "Yes please",
            "start date?",
            "when does the sale start",
        ],
    );
}

#[test]
fn no_false_positives() {
    exactly(&[
        ("priceless", &[]),
        ("it's priceless", &[]),
        ("nonstop", &[]),
        ("Hi", &[]),
        ("Hello, quick question", &[]),
        ("thank you!", &[]),
        ("great, thanks 👍", &[]),
        ("ok", &[]),
        ("wholesale", &[]),
        ("Is the dress still in stock?", &["product_inquiry"]),
        ("Is there any DISCOUNT?", &["discount"]),
        ("Where is my order?", &["order_status"]),
        ("agent please", &["human"]),
    ]);
    never("human", &["human hair wig", "customer service was great"]);
    never("size_question", &["oversized coat"]);
}
