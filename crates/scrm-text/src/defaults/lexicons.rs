//! The default sentiment lexicons. Emoji are added to every language in `mod.rs`.
//!
//! Entries are chosen for shop chats: `caro`, `cher`, `expensive` are negative (price is the
//! most common grievance), `merci`, `obrigada`, `唔該` positive (thanks). Words with a common
//! neutral sense are left out or listed only inside a phrase: Portuguese `cara` (also
//! "dude"), French `bon` (also a voucher, `bon de réduction`), Chinese `差` (also
//! `差不多`), `快` (also `快遞`), `煩` (also `麻煩你`, "could you please"). Words that are
//! also common in another default language are avoided (`show`, `nickel` alone), since a
//! polar word of any language counts in a mixed-language message. Entries ending in `好`
//! are only Mandarin ones that never precede `差` (`很好`, `挺好`): `真好` would swallow
//! the start of Cantonese `真好差` (really bad). Because overlapping entries are
//! resolved leftmost-longest, phrases such as `pas mal`, `no problem`, `不錯`,
//! `冇問題` or `não gostei` carry their own polarity regardless of the negators inside.

use super::Words;

#[rustfmt::skip]
pub(super) const EN: Words = Words {
    positive: &[
        "good", "great", "excellent", "amazing", "awesome", "perfect", "perfectly", "love",
        "love it", "loved", "lovely", "beautiful", "gorgeous", "cute", "nice", "happy", "glad",
        "pleased", "satisfied", "delighted", "thanks", "thank you", "thx", "ty", "tysm",
        "appreciate", "appreciated", "helpful", "fast", "quickly", "wonderful", "fantastic",
        "fabulous", "brilliant", "superb", "best", "recommend", "recommended", "impressed", "cool",
        "comfortable", "soft", "worth it", "well done", "no problem", "no worries", "works well",
        "good quality", "high quality", "on time", "yay", "legit", "like it", "i like",
    ],
    negative: &[
        "bad", "terrible", "awful", "horrible", "worst", "poor", "poorly", "disappointed",
        "disappointing", "disappointment", "angry", "upset", "annoyed", "annoying", "frustrated",
        "frustrating", "useless", "broken", "damaged", "defective", "faulty", "wrong", "late",
        "delayed", "slow", "expensive", "overpriced", "pricey", "scam", "fake", "rude", "hate",
        "hated", "never again", "waste", "waste of money", "unhappy", "unacceptable",
        "ridiculous", "problem", "issue", "complaint", "rip off", "ripoff", "lousy", "sucks",
        "crap", "garbage", "trash", "dirty", "stained", "torn", "ugly", "uncomfortable", "missing",
        "lost", "still waiting", "not received", "haven't received", "not working",
        "doesn't work", "stopped working", "misleading", "nightmare", "pathetic", "sad",
    ],
    negators: &[
        "not", "don't", "dont", "doesn't", "doesnt", "didn't", "didnt", "isn't", "isnt", "wasn't",
        "wasnt", "aren't", "arent", "won't", "wont", "can't", "cant", "cannot", "never", "hardly",
        "neither", "nor", "without",
    ],
    intensifiers: &[
        "very", "so", "really", "super", "extremely", "too", "totally", "absolutely",
        "incredibly", "truly", "highly", "such", "so much", "but", "however",
    ],
};

#[rustfmt::skip]
pub(super) const FR: Words = Words {
    positive: &[
        "bien", "génial", "géniale", "parfait", "parfaite", "parfaitement", "excellent",
        "excellente", "magnifique", "sublime", "superbe", "adore", "adorée", "aime",
        "merci", "merci beaucoup", "content", "contente", "satisfait", "satisfaite", "ravi", "ravie",
        "heureux", "heureuse", "rapide", "rapidement", "impeccable", "c'est nickel", "tout est nickel", "top", "au top",
        "cool", "pas mal", "formidable", "merveilleux", "merveilleuse", "joli", "jolie", "beau",
        "belle", "agréable", "efficace", "recommande", "conforme", "sympa", "gentil", "gentille",
        "bravo", "chouette", "confortable", "pratique", "aucun problème", "pas de problème",
        "pas de souci", "sans souci", "bonne qualité", "de qualité", "c'est bon", "bon produit",
        "bon service",
    ],
    negative: &[
        "déçu", "déçue", "déçus", "décevant", "décevante", "déception", "nul", "nulle",
        "mauvais", "mauvaise", "horrible", "affreux", "affreuse", "catastrophique",
        "catastrophe", "lamentable", "honteux", "honte", "scandaleux", "scandale",
        "inadmissible", "inacceptable", "arnaque", "escroquerie", "cher", "chère", "chers",
        "chères", "hors de prix", "abîmé", "abîmée", "cassé", "cassée", "défectueux",
        "défectueuse", "endommagé", "retard", "en retard", "lent", "lente", "problème", "souci",
        "énervé", "énervée", "fâché", "fâchée", "mécontent", "mécontente", "insatisfait",
        "insatisfaite", "furieux", "furieuse", "pénible", "galère", "jamais reçu", "pas reçu",
        "toujours rien", "plainte", "réclamation", "moche", "pire", "dommage", "triste",
        "inutile", "perte de temps", "faux", "contrefaçon", "ridicule", "marre", "ras le bol",
        "bof", "pourri", "pourrie", "mal", "médiocre", "déplorable",
    ],
    negators: &[
        "pas", "ne", "n'", "jamais", "aucun", "aucune", "rien", "sans", "non", "guère", "ni",
        "nullement",
    ],
    intensifiers: &[
        "très", "trop", "vraiment", "tellement", "super", "hyper", "extrêmement", "vachement",
        "carrément", "grave", "franchement", "totalement", "absolument", "mais", "cependant",
        "par contre",
    ],
};

#[rustfmt::skip]
pub(super) const PT: Words = Words {
    positive: &[
        "bom", "boa", "ótimo", "ótima", "excelente", "maravilhoso", "maravilhosa", "maravilha",
        "perfeito", "perfeita", "perfeição", "lindo", "linda", "lindos", "lindas", "bonito", "bonita", "amei",
        "adorei", "gostei", "amo", "adoro", "top", "show de bola", "massa", "legal",
        "obrigado", "obrigada", "obg", "brigado", "brigada", "valeu", "vlw", "satisfeito",
        "satisfeita", "feliz", "rápido", "rápida", "recomendo", "incrível", "sensacional",
        "confortável", "macio", "macia", "cheiroso", "cheirosa", "de qualidade", "boa qualidade",
        "nota 10", "nota dez", "agradeço", "parabéns", "gentil", "atencioso", "atenciosa",
        "deu certo", "sem problema", "beleza", "fofo", "fofa", "caprichado", "certinho",
    ],
    negative: &[
        "ruim", "péssimo", "péssima", "horrível", "terrível", "decepcionado", "decepcionada",
        "decepção", "decepcionante", "insatisfeito", "insatisfeita", "chateado", "chateada",
        "irritado", "irritada", "raiva", "absurdo", "lixo", "porcaria", "droga", "golpe", "fraude",
        "enganado", "enganada", "caro", "caros", "muito cara", "tá cara", "achei cara", "defeito",
        "quebrado", "quebrada", "estragado", "estragada", "rasgado", "rasgada", "atrasado",
        "atrasada", "atraso", "demora", "demorou", "demorando", "lento", "lenta", "problema",
        "problemas", "reclamação", "reembolso", "falso", "falsa", "errado", "errada",
        "nunca mais", "pior", "triste", "fraco", "fraca", "mal", "vergonha", "descaso",
        "desrespeito", "furioso", "furiosa", "feio", "feia", "arrependido", "arrependida",
        "não recebi", "não chegou", "sem resposta", "ninguém responde", "salgado",
    ],
    negators: &[
        "não", "nunca", "nem", "jamais", "nenhum", "nenhuma", "sem", "n", "nada",
    ],
    intensifiers: &[
        "muito", "muita", "muitos", "muitas", "mto", "mt", "super", "bem", "tão", "extremamente",
        "bastante", "totalmente", "realmente", "mega", "mas", "porém", "só que",
    ],
};

#[rustfmt::skip]
pub(super) const ZH: Words = Words {
    positive: &[
        // Hong Kong
        "好正", "勁正", "超正", "幾正", "好靚", "靚", "好食", "好味", "唔該晒", "唔該", "多謝", "鍾意",
        "唔錯", "冇問題", "好抵", "抵買", "好嘢",
        // Taiwan
        "很好", "挺好", "非常好", "漂亮", "好看", "好用", "好吃", "讚", "棒", "太棒了", "優秀", "完美", "大推", "推爆", "感謝",
        "謝謝", "開心", "高興", "滿意", "喜歡", "不錯", "沒問題", "無問題", "物超所值", "超值", "划算",
        "貼心", "專業", "舒服", "可愛", "太好了", "感恩", "好評", "回購", "值得", "耐用",
        "親切", "一流", "精緻", "愛了", "好快", "速度快", "出貨快",
        // Simplified
        "赞", "优秀", "感谢", "谢谢", "多谢", "开心", "高兴", "满意", "喜欢", "钟意", "不错", "没问题",
        "贴心", "专业", "可爱", "好评", "回购", "精致", "爱了",
    ],
    negative: &[
        // Hong Kong
        "好差", "爛", "壞咗", "呃人", "假貨", "好貴", "有啲貴", "咁貴", "嬲", "等咗好耐", "唔抵",
        "未收到", "冇收到", "寄錯", "好煩", "頂唔順",
        // Taiwan
        "失望", "很差", "太差", "超差", "質量差", "品質差", "差評", "差勁", "態度差", "壞了", "破掉",
        "垃圾", "騙子", "詐騙", "太貴", "很貴", "超貴", "有點貴", "這麼貴", "生氣", "憤怒", "火大",
        "投訴", "退款", "退錢", "好慢", "很慢", "太慢", "超慢", "等很久", "等了很久", "瑕疵", "難用",
        "難看", "討厭", "糟糕", "後悔", "無語", "離譜", "過分", "不值", "還沒收到", "沒收到", "很煩",
        // Simplified
        "坏了", "破了", "骗子", "诈骗", "假货", "太贵", "好贵", "很贵", "有点贵", "这么贵", "生气",
        "投诉", "难用", "难看", "讨厌", "后悔", "无语", "离谱", "过分", "还没收到", "没收到", "寄错",
        "质量差", "差评", "态度差",
    ],
    negators: &[
        "唔", "不", "沒", "没", "冇", "無", "无", "未", "沒有", "没有", "唔係", "不是", "不太", "唔太",
        "別", "别", "勿", "並不", "并不", "從不", "从不",
    ],
    intensifiers: &[
        "好", "很", "超", "超級", "超级", "非常", "太", "真", "真係", "真是", "十分", "特別", "特别",
        "極", "极", "勁", "劲", "好鬼", "挺", "蠻", "蛮", "相當", "相当", "最", "但", "但是", "不過",
        "不过", "可是",
    ],
};
