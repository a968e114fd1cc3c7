//! Load benchmark of the webhook gateway: signed posts on loopback against the real gateway
//! with durable (fsynced) appends to the embedded log, at a fixed arrival rate.
//!
//! Open loop: post `i` is due at `start + i / rate` whatever the answers before it, and its
//! latency counts from that due time, so a stalled gateway shows in the percentiles
//! instead of slowing the load down. Prints throughput and p50/p90/p99/max.
//!
//! `cargo bench -p scrm-benches --bench gateway_load` (env: `SCRM_BENCH_RATE`, default
//! 2000 posts/s; `SCRM_BENCH_SECONDS`, default 10). Target (DESIGN.md): p99 < 50 ms at
//! 2 000 posts/s.

use std::sync::Arc;
use std::time::{Duration, Instant};

use scrm_config::Secret;
use scrm_ingest::Ingest;
use scrm_log::{EmbeddedLog, EmbeddedOptions, EventLog, TopicSpec};
use scrm_schema::{Codec, TopicKind};
use scrm_whatsapp::gateway::seen::Seen;
use scrm_whatsapp::{Appender, Gateway, GatewayOptions, Metrics};
use tokio_util::sync::CancellationToken;

const SECRET: &str = "bench-app-secret";
const PARTITIONS: u32 = 8;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn body(i: u64, at: i64) -> String {
    let customer = 85_291_000_000u64 + i % 5_000;
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"85230012345","phone_number_id":"106540352242922"}},"contacts":[{{"profile":{{"name":"Customer {i}"}},"wa_id":"{customer}"}}],"messages":[{{"from":"{customer}","id":"wamid.BENCH{i:012}","timestamp":"{at}","type":"text","text":{{"body":"有冇折扣? Do you have a discount on the blue dress, size M?"}}}}]}}}}]}}]}}"#
    )
}

fn ingest(codec: &Arc<Codec>, kind: TopicKind) -> Ingest {
    let schema = scrm_schema::Catalog::embedded()
        .current(kind.value_schema().unwrap())
        .unwrap();
    Ingest::new(
        codec.clone(),
        kind,
        schema,
        kind.name(""),
        "HK".parse().unwrap(),
    )
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let rate = env_or("SCRM_BENCH_RATE", 2_000);
    let seconds = env_or("SCRM_BENCH_SECONDS", 10);
    let total = rate * seconds;
    let dir = tempfile::tempdir().unwrap();
    let fsync = env_or("SCRM_BENCH_FSYNC", 1) != 0;
    let log = EmbeddedLog::open(
        &dir.path().join("log"),
        EmbeddedOptions {
            sync: fsync,
            ..EmbeddedOptions::default()
        },
    )
    .unwrap();
    for kind in [TopicKind::Conversation, TopicKind::Dlq] {
        log.ensure_topic(&TopicSpec {
            name: kind.name(""),
            partitions: PARTITIONS,
            retention_ms: None,
            compact: false,
        })
        .unwrap();
    }
    let log: Arc<dyn EventLog> = Arc::new(log);
    let codec = Arc::new(Codec::single_object());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let now = chrono_now();
    let bodies: Vec<(String, String)> = (0..total)
        .map(|i| {
            let b = body(i, now);
            let sig = scrm_whatsapp_webhook::sign(SECRET.as_bytes(), b.as_bytes());
            (b, sig)
        })
        .collect();
    let router = Gateway::new(
        GatewayOptions {
            path: "/webhook".into(),
            verify_token: Secret::new("v"),
            app_secret: Secret::new(SECRET),
            body_limit_bytes: 3 << 20,
            partitions: PARTITIONS,
        },
        ingest(&codec, TopicKind::Conversation),
        ingest(&codec, TopicKind::Dlq),
        Seen::open(&dir.path().join("seen"), Duration::from_secs(7 * 86_400)).unwrap(),
        Appender::start(log.clone(), 4096),
        Metrics::default(),
    )
    .router();
    let shutdown = CancellationToken::new();
    let (url, server) = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/webhook", listener.local_addr().unwrap());
        let server = tokio::spawn(scrm_http::serve(listener, router, shutdown.clone()));
        (url, server)
    });

    println!(
        "gateway load: {rate} signed posts/s for {seconds} s, {} appends, {PARTITIONS} partitions",
        if fsync { "durable (fsync)" } else { "unsynced" }
    );
    // The load comes from its own runtime, as Meta's would come from elsewhere.
    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (latencies, failures, elapsed) = client_runtime.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(512)
            .build()
            .unwrap();
        let start = Instant::now();
        let interval = Duration::from_secs_f64(1.0 / rate as f64);
        let mut tasks = Vec::with_capacity(bodies.len());
        for (i, (body, sig)) in bodies.into_iter().enumerate() {
            let due = start + interval * i as u32;
            tokio::time::sleep_until(due.into()).await;
            let (client, url) = (client.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                let ok = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-hub-signature-256", sig)
                    .body(body)
                    .send()
                    .await
                    .map(|r| r.status().is_success())
                    .unwrap_or(false);
                (due.elapsed(), ok)
            }));
        }
        let mut latencies = Vec::with_capacity(tasks.len());
        let mut failures = 0u64;
        for t in tasks {
            let (latency, ok) = t.await.unwrap();
            latencies.push(latency);
            failures += u64::from(!ok);
        }
        (latencies, failures, start.elapsed())
    });
    shutdown.cancel();
    let _ = runtime.block_on(server);

    let mut sorted = latencies;
    sorted.sort_unstable();
    let appended: u64 = (0..PARTITIONS)
        .map(|p| {
            log.watermarks(&TopicKind::Conversation.name(""), p)
                .unwrap()
                .high
        })
        .sum();
    println!(
        "  posts: {total}, answered 200: {}, events in the log: {appended}",
        total - failures
    );
    println!(
        "  throughput: {:.0} posts/s over {:.2} s",
        total as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    println!(
        "  latency from due time: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target p99 < 50 ms)",
        ms(percentile(&sorted, 0.50)),
        ms(percentile(&sorted, 0.90)),
        ms(percentile(&sorted, 0.99)),
        ms(*sorted.last().unwrap()),
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
