//! What the simulated shops sell and where: products with local names and
//! prices, stores, carriers, payment habits and campaigns per region.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::people::{Lang, Region};

/// A product of the (beauty and fashion) catalogue shared by the four shops.
#[derive(Debug)]
pub(crate) struct Product {
    pub(crate) sku: &'static str,
    en: &'static str,
    zh: &'static str,
    /// With article, so "Quanto custa {p}?" reads naturally.
    pt: &'static str,
    /// With article, so "Combien coûte {p} ?" reads naturally.
    fr: &'static str,
    /// Price in minor units of HKD, TWD, BRL, EUR: local price points
    /// (HK$168, NT$690, R$ 79,90, 19,90 €), not converted ones.
    prices: [i64; 4],
    /// Clothes get size questions; skincare does not.
    pub(crate) sized: bool,
}

impl Product {
    pub(crate) fn name(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::ZhHk | Lang::ZhTw => self.zh,
            Lang::En => self.en,
            Lang::Pt => self.pt,
            Lang::Fr => self.fr,
        }
    }

    pub(crate) fn price_minor(&self, region: Region) -> i64 {
        self.prices[region_index(region)]
    }
}

#[rustfmt::skip]
pub(crate) const PRODUCTS: [Product; 10] = [
    Product { sku: "SKN-CLN-150", en: "hydrating cleanser", zh: "保濕潔面乳", pt: "o sabonete facial hidratante", fr: "le nettoyant hydratant", prices: [16_800, 69_000, 7_990, 1_990], sized: false },
    Product { sku: "SKN-SER-030", en: "vitamin C serum", zh: "維他命C精華", pt: "o sérum de vitamina C", fr: "le sérum vitamine C", prices: [29_800, 128_000, 14_990, 3_490], sized: false },
    Product { sku: "SKN-SPF-050", en: "SPF50 sunscreen", zh: "防曬乳SPF50", pt: "o protetor solar FPS 50", fr: "la crème solaire SPF50", prices: [12_800, 52_000, 6_990, 1_590], sized: false },
    Product { sku: "SKN-MSK-010", en: "sheet mask pack (10)", zh: "面膜(10片裝)", pt: "o kit de 10 máscaras faciais", fr: "le lot de 10 masques en tissu", prices: [9_900, 39_900, 5_990, 1_290], sized: false },
    Product { sku: "FSH-TSH-001", en: "linen shirt", zh: "亞麻襯衫", pt: "a camisa de linho", fr: "la chemise en lin", prices: [39_900, 159_000, 18_990, 4_990], sized: true },
    Product { sku: "FSH-DRS-014", en: "floral dress", zh: "碎花連身裙", pt: "o vestido floral", fr: "la robe fleurie", prices: [45_900, 188_000, 21_990, 5_990], sized: true },
    Product { sku: "FSH-SNK-042", en: "white sneakers", zh: "白色運動鞋", pt: "o tênis branco", fr: "la paire de baskets blanches", prices: [59_900, 249_000, 29_990, 7_990], sized: true },
    Product { sku: "ACC-BAG-007", en: "canvas tote bag", zh: "帆布袋", pt: "a bolsa de lona", fr: "le sac cabas en toile", prices: [18_900, 79_000, 9_990, 2_490], sized: false },
    Product { sku: "ACC-BTL-500", en: "insulated bottle 500ml", zh: "保溫瓶500ml", pt: "a garrafa térmica 500ml", fr: "la gourde isotherme 500 ml", prices: [22_000, 89_000, 11_990, 2_990], sized: false },
    Product { sku: "FSH-HOO-003", en: "hoodie", zh: "連帽衛衣", pt: "o moletom com capuz", fr: "le sweat à capuche", prices: [34_900, 139_000, 16_990, 4_490], sized: true },
];

pub(crate) fn pick_product(rng: &mut ChaCha8Rng) -> &'static Product {
    &PRODUCTS[rng.gen_range(0..PRODUCTS.len())]
}

fn region_index(region: Region) -> usize {
    match region {
        Region::Hk => 0,
        Region::Tw => 1,
        Region::Br => 2,
        Region::Fr => 3,
    }
}

pub(crate) fn currency(region: Region) -> &'static str {
    ["HKD", "TWD", "BRL", "EUR"][region_index(region)]
}

/// Free-shipping threshold and flat fee, minor units.
pub(crate) fn shipping(region: Region) -> (i64, i64) {
    [
        (50_000, 3_000),
        (99_000, 8_000),
        (19_900, 1_990),
        (4_900, 590),
    ][region_index(region)]
}

/// A price as the shop writes it in chat.
pub(crate) fn format_price(region: Region, minor: i64) -> String {
    let units = minor / 100;
    let cents = minor % 100;
    match region {
        Region::Hk if cents == 0 => format!("HK${units}"),
        Region::Hk => format!("HK${units}.{cents:02}"),
        Region::Tw => format!("NT${units}"),
        Region::Br => format!("R$ {units},{cents:02}"),
        Region::Fr => format!("{units},{cents:02} €"),
    }
}

/// A physical store: id, display name, coordinates, address.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) address: &'static str,
}

#[rustfmt::skip]
const HK_STORES: [Store; 3] = [
    Store { id: "hk-cwb", name: "Causeway Bay", lat: 22.2803, lon: 114.1838, address: "銅鑼灣軒尼詩道500號" },
    Store { id: "hk-mk", name: "Mong Kok", lat: 22.3193, lon: 114.1694, address: "旺角彌敦道688號" },
    Store { id: "hk-tst", name: "Tsim Sha Tsui", lat: 22.2988, lon: 114.1722, address: "尖沙咀廣東道30號" },
];
#[rustfmt::skip]
const TW_STORES: [Store; 3] = [
    Store { id: "tw-xinyi", name: "信義店", lat: 25.0330, lon: 121.5654, address: "台北市信義區松高路11號" },
    Store { id: "tw-taoyuan", name: "桃園店", lat: 24.9936, lon: 121.3010, address: "桃園市桃園區中正路100號" },
    Store { id: "tw-taichung", name: "台中店", lat: 24.1477, lon: 120.6736, address: "台中市西屯區台灣大道三段301號" },
];
#[rustfmt::skip]
const BR_STORES: [Store; 3] = [
    Store { id: "br-sp-paulista", name: "Loja Paulista", lat: -23.5614, lon: -46.6559, address: "Av. Paulista, 1000 - São Paulo" },
    Store { id: "br-rj-copacabana", name: "Loja Copacabana", lat: -22.9711, lon: -43.1822, address: "Av. N. S. de Copacabana, 500 - Rio de Janeiro" },
    Store { id: "br-bh-savassi", name: "Loja Savassi", lat: -19.9386, lon: -43.9343, address: "R. Pernambuco, 1000 - Belo Horizonte" },
];
#[rustfmt::skip]
const FR_STORES: [Store; 3] = [
    Store { id: "fr-paris-marais", name: "Boutique Marais", lat: 48.8590, lon: 2.3620, address: "12 rue des Francs-Bourgeois, 75003 Paris" },
    Store { id: "fr-lyon", name: "Boutique Lyon Part-Dieu", lat: 45.7606, lon: 4.8590, address: "17 rue du Docteur Bouchut, 69003 Lyon" },
    Store { id: "fr-bordeaux", name: "Boutique Bordeaux", lat: 44.8412, lon: -0.5800, address: "45 rue Sainte-Catherine, 33000 Bordeaux" },
];

pub(crate) fn pick_store(rng: &mut ChaCha8Rng, region: Region) -> &'static Store {
    let stores: &'static [Store; 3] = match region {
        Region::Hk => &HK_STORES,
        Region::Tw => &TW_STORES,
        Region::Br => &BR_STORES,
        Region::Fr => &FR_STORES,
    };
    &stores[rng.gen_range(0..stores.len())]
}

/// A carrier's name, tracking number and tracking page, plus its transit
/// time in days.
#[derive(Debug, Clone)]
pub(crate) struct Shipment {
    pub(crate) carrier: &'static str,
    pub(crate) tracking: String,
    pub(crate) url: String,
    pub(crate) transit_days: (i64, i64),
}

fn digit_string(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

fn letter(rng: &mut ChaCha8Rng) -> char {
    char::from(b'A' + rng.gen_range(0..26u8))
}

/// Carriers in the formats their tracking numbers really have (SF Express
/// "SF" + 13 digits, UPU S10 "XX123456789BR" for Correios, Colissimo "6A"...).
#[rustfmt::skip]
pub(crate) fn pick_shipment(rng: &mut ChaCha8Rng, region: Region) -> Shipment {
    let (carrier, tracking, url_prefix, transit_days) = match (region, rng.gen_bool(0.75)) {
        (Region::Hk, true) => ("SF Express", format!("SF{}", digit_string(rng, 13)), "https://htm.sf-express.com/hk/en/dynamic_function/waybill/#search/bill-number/", (1, 2)),
        (Region::Hk, false) => ("Hongkong Post", format!("EC{}HK", digit_string(rng, 9)), "https://www.hongkongpost.hk/en/mail_tracking/index.html?trackno=", (1, 3)),
        (Region::Tw, true) => ("黑貓宅急便", digit_string(rng, 12), "https://www.t-cat.com.tw/inquire/trace.aspx?no=", (1, 2)),
        (Region::Tw, false) => ("中華郵政", digit_string(rng, 14), "https://trackings.post.gov.tw/?id=", (1, 3)),
        (Region::Br, true) => {
            let t = format!("Q{}{}BR", letter(rng), digit_string(rng, 9));
            ("Correios", t, "https://rastreamento.correios.com.br/app/index.php?objeto=", (3, 8))
        }
        (Region::Br, false) => ("Jadlog", digit_string(rng, 14), "https://www.jadlog.com.br/tracking?cte=", (2, 6)),
        (Region::Fr, true) => ("Colissimo", format!("6A{}", digit_string(rng, 11)), "https://www.laposte.fr/outils/suivre-vos-envois?code=", (2, 3)),
        (Region::Fr, false) => {
            let t = format!("X{}{}FR", letter(rng), digit_string(rng, 9));
            ("Chronopost", t, "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=", (1, 2))
        }
    };
    let url = format!("{url_prefix}{tracking}");
    Shipment { carrier, tracking, url, transit_days }
}

/// Payment habits differ a lot: FPS in Hong Kong, cash on delivery in
/// Taiwan, Pix in Brazil, cards in France.
#[rustfmt::skip]
pub(crate) fn pick_payment(rng: &mut ChaCha8Rng, region: Region) -> &'static str {
    let table: &[(&'static str, u32)] = match region {
        Region::Hk => &[("FPS", 30), ("CARD", 35), ("WALLET", 20), ("CASH_ON_DELIVERY", 10), ("BANK_TRANSFER", 5)],
        Region::Tw => &[("CARD", 40), ("CASH_ON_DELIVERY", 30), ("WALLET", 15), ("BANK_TRANSFER", 15)],
        Region::Br => &[("PIX", 50), ("CARD", 35), ("OTHER", 10), ("CASH_ON_DELIVERY", 5)],
        Region::Fr => &[("CARD", 70), ("WALLET", 20), ("BANK_TRANSFER", 5), ("CASH_ON_DELIVERY", 5)],
    };
    weighted(rng, table)
}

/// Picks from `(item, weight)` pairs.
pub(crate) fn weighted<T: Copy>(rng: &mut ChaCha8Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0..total);
    for (item, w) in table {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    table[table.len() - 1].0
}

/// November's big sale: Singles' Day (11.11) in Asia, Black Friday in Brazil
/// and France.
pub(crate) fn campaign(region: Region) -> &'static str {
    match region {
        Region::Hk | Region::Tw => "double11",
        Region::Br | Region::Fr => "black-friday",
    }
}

/// Product page on the region's shop, tagged for WhatsApp attribution.
pub(crate) fn product_url(region: Region, sku: &str) -> String {
    format!(
        "https://shop.example.com/{}/p/{}?utm_source=whatsapp",
        region.slug(),
        sku.to_ascii_lowercase()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_format_locally() {
        assert_eq!(format_price(Region::Hk, 16_800), "HK$168");
        assert_eq!(format_price(Region::Tw, 69_000), "NT$690");
        assert_eq!(format_price(Region::Br, 7_990), "R$ 79,90");
        assert_eq!(format_price(Region::Fr, 1_990), "19,90 €");
    }

    #[test]
    fn weighted_respects_zero_weight() {
        use rand::SeedableRng;
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for _ in 0..100 {
            assert_eq!(weighted(&mut rng, &[("a", 0), ("b", 3)]), "b");
        }
    }
}
