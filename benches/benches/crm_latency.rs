//! Webhook-to-CRM latency through the whole product: signed WhatsApp webhooks posted to
//! `scrm serve` (gateway → embedded log → processor → CRM commands → HubSpot sink) until
//! the contact is in the local HubSpot server. The seeds' bar for real-time sync is < 3 s.
//!
//! Each post is a new customer asking the price of a catalogued product, so each makes a
//! contact and a deal. A post's latency runs from the moment it was sent to the moment the
//! local HubSpot created the contact (its own `createdAt`, on the same clock). Prints
//! p50/p90/p99/max and the p99 as a share of the 3 s bar.
//!
//! `cargo bench --bench crm_latency` (env: `SCRM_BENCH_RATE`, default 20 posts/s;
//! `SCRM_BENCH_SECONDS`, default 10; `SCRM_GRACE_MS`, the processor's grace, default 2000).

use std::time::{Duration, Instant};

use scrm_app::{App, Config, Overrides, RunMode, Service, ServiceKind};
use scrm_config::Env;
use scrm_crm::hubspot::api::Object;
use scrm_crm::hubspot::server::HubspotServer;

const SECRET: &str = "bench-app-secret";
const TOKEN: &str = "pat-na1-bench";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn customer(i: u64) -> u64 {
    5_511_987_000_000 + i
}

fn body(i: u64, at_s: i64) -> String {
    let c = customer(i);
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"5511300012345","phone_number_id":"106540352242922"}},"contacts":[{{"profile":{{"name":"Cliente {i}"}},"wa_id":"{c}"}}],"messages":[{{"from":"{c}","id":"wamid.CRMBENCH{i:012}","timestamp":"{at_s}","type":"text","text":{{"body":"Oi! Quanto custa o iPhone 15 PM?"}}}}]}}}}]}}]}}"#
    )
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn main() {
    let rate = env_or("SCRM_BENCH_RATE", 20).max(1);
    let seconds = env_or("SCRM_BENCH_SECONDS", 10).max(1);
    let total = rate * seconds;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let hubspot = runtime.block_on(HubspotServer::start(TOKEN)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scrm.toml");
    std::fs::write(
        &file,
        format!(
            "[log]\ndata_dir = {:?}\n[api]\nlisten = \"127.0.0.1:0\"\n",
            dir.path().join("data").display().to_string()
        ),
    )
    .unwrap();
    let url = hubspot.url();
    // The processor's grace (how long a record waits for a silent input that might hold
    // an earlier one) is most of the latency: SCRM_GRACE_MS passes through.
    let grace = std::env::var("SCRM_GRACE_MS").unwrap_or_else(|_| "2000".to_owned());
    let env = Env::from_pairs(&[
        ("SCRM_CRM_HUBSPOT_URL", url.as_str()),
        ("SCRM_CRM_HUBSPOT_TOKEN", TOKEN),
        ("SCRM_WHATSAPP_VERIFY_TOKEN", "verify"),
        ("SCRM_WHATSAPP_APP_SECRET", SECRET),
        ("SCRM_GRACE_MS", grace.as_str()),
    ]);
    let app = App::new(Config::load(Some(&file), &env, &Overrides::default()).unwrap()).unwrap();
    let service = Service::start(
        &app,
        ServiceKind::Serve {
            run: RunMode::default(),
            api: true,
        },
    )
    .unwrap();
    let api = format!("http://{}/webhook", service.api_addr().unwrap());
    let shutdown = service.shutdown();
    let running = std::thread::spawn(move || service.run());
    println!(
        "webhook to CRM: {rate} new customers/s for {seconds} s through scrm serve (durable log, processor grace {grace} ms) into the local HubSpot"
    );

    let client = reqwest::blocking::Client::new();
    let mut sent_at = Vec::with_capacity(total as usize);
    let start = Instant::now();
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    for i in 0..total {
        let due = start + interval * i as u32;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let b = body(i, now_ms() / 1_000);
        let sig = scrm_whatsapp_webhook::sign(SECRET.as_bytes(), b.as_bytes());
        let at = now_ms();
        let status = client
            .post(&api)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", sig)
            .body(b)
            .send()
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        assert_eq!(status, 200, "post {i}");
        sent_at.push(at);
    }

    let deadline = Instant::now() + Duration::from_secs(120);
    let created = loop {
        let held = hubspot.held();
        let contacts = held.all(Object::Contacts);
        if contacts.len() as u64 >= total || Instant::now() > deadline {
            break contacts
                .iter()
                .filter_map(|c| {
                    let key = c.get("scrm_customer_key")?;
                    let i = key.trim_start_matches('+').parse::<u64>().ok()? - customer(0);
                    Some((i, c.created_at_ms))
                })
                .collect::<Vec<_>>();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    shutdown.cancel();
    running.join().unwrap().unwrap();

    let mut latencies: Vec<i64> = created
        .iter()
        .filter_map(|(i, at)| sent_at.get(*i as usize).map(|sent| at - sent))
        .collect();
    latencies.sort_unstable();
    let missing = total as usize - latencies.len();
    if latencies.is_empty() {
        println!("no contact reached HubSpot within 120 s");
        return;
    }
    let p99 = percentile(&latencies, 0.99);
    println!(
        "contacts: {} of {total} ({missing} missing)\nlatency ms: p50 {}  p90 {}  p99 {}  max {}\np99 / 3 s bar: {:.3}",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        p99,
        latencies[latencies.len() - 1],
        p99 as f64 / 3_000.0
    );
}
