//! The default intents on Chinese messages: Hong Kong Cantonese, Taiwanese Mandarin and the
//! Simplified forms people mix in, with fullwidth and halfwidth punctuation.

use crate::{detects, exactly, never};

#[test]
fn product_inquiry() {
    detects(
        "product_inquiry",
        &[
            // Hong Kong
            "條裙幾錢呀?",
            "請問精華幾多錢？",
            "件衫而家賣幾錢?",
            "仲有冇貨?",
            "想問下有咩顏色?",
            "適唔適合敏感肌?",
            "我想買呢個袋",
            // Taiwan
            "這件多少錢?",
            "請問精華液的價格是?",
            "現在賣多少?",
            "還有貨嗎？",
            "有哪些顏色?",
            "敏感肌可以用嗎?",
            // Simplified
            "这个多少钱",
            "还有货吗",
        ],
    );
}

#[test]
fn discount() {
    detects(
        "discount",
        &[
            "有冇折扣?",
            "而家有冇優惠呀?",
            "買兩件有冇平啲?",
            "有冇得平",
            "有冇折",
            "有折扣嗎?",
            "現在有優惠嗎？",
            "雙11有活動嗎?",
            "有优惠吗",
            "可以打折吗",
        ],
    );
}

#[test]
fn too_expensive() {
    detects(
        "too_expensive",
        &[
            "太貴了",
            "好貴呀",
            "有冇平啲?太貴喇",
            "有點貴耶",
            "可以便宜一點嗎?太貴了",
            "太贵了",
            "有啲貴喎",
        ],
    );
}

#[test]
fn store_address() {
    detects(
        "store_address",
        &[
            "你哋間舖喺邊度?",
            "門市地址係?",
            "銅鑼灣有冇分店?",
            "舖頭喺邊",
            "有冇門市",
            "門市地址在哪裡?",
            "信義區有門市嗎?",
            "請問店面在哪?",
            "門市在哪",
            "营业时间是几点",
            "门店在哪",
        ],
    );
}

#[test]
fn order_status() {
    detects(
        "order_status",
        &[
            "我張單幾時到?",
            "我嘅貨去咗邊?",
            "訂單寄出咗未?",
            "我張單去到邊",
            "我的包裹在哪裡?",
            "訂單出貨了嗎?",
            "請問什麼時候會到貨?",
            "我的包裹",
            "我的订单到哪了",
            "快递什么时候到",
        ],
    );
}

#[test]
fn human() {
    detects(
        "human",
        &[
            "我想搵真人客服",
            "可唔可以同真人傾?",
            "轉真人",
            "搵真人",
            "我要找真人客服",
            "可以轉真人嗎?",
            "請給我真人客服",
            "真人客服",
            "转人工",
        ],
    );
}

#[test]
fn complaint() {
    detects(
        "complaint",
        &[
            "收到件貨爛咗，好失望",
            "寄錯咗顏色俾我",
            "等咗成個禮拜都未收到，好嬲",
            "你睇下，爛咗",
            "收到的商品有瑕疵，很失望",
            "寄錯顏色了",
            "等了一個禮拜還沒收到",
            "你看，破掉了",
            "跟照片不一樣",
            "我要投诉",
        ],
    );
}

#[test]
fn size_question() {
    detects(
        "size_question",
        &[
            "有冇M碼?",
            "有冇Ｍ碼？",
            "我平時著S碼，應該揀邊個size?",
            "有冇大碼?",
            "有M號嗎?",
            "我平常穿S，要選哪個尺寸?",
            "有大尺碼嗎?",
            "尺码偏大吗",
        ],
    );
}

#[test]
fn consent() {
    detects(
        "opt_out",
        &[
            "取消訂閱",
            "取消訂閱！",
            "退訂",
            "停止",
            "STOP",
            "取消订阅",
            "退订",
            "TD",
        ],
    );
    detects("opt_in", &["訂閱", "開始", "订阅", "开始"]);
    never("opt_out", &["唔好停止推廣呀", "停止咗生產?"]);
}

#[test]
fn no_false_positives() {
    exactly(&[
        ("你好", &[]),
        ("hi 你好，想問下", &[]),
        ("唔該晒!", &[]),
        ("多謝!", &[]),
        ("好，唔該", &[]),
        ("謝謝!", &[]),
        ("好的謝謝", &[]),
        ("感謝🙏", &[]),
        ("有冇折扣?", &["discount"]),
        ("我張單幾時到?", &["order_status"]),
        ("搵真人", &["human"]),
    ]);
    never("size_question", &["優惠碼係咩?", "密碼唔記得"]);
    never("human", &["掃地機器人有冇貨?"]);
}
