//! `scrm demo`: the main job on the embedded backend, with no flags. At this stage it
//! generates a realistic stream of customer events (four markets, four languages, the
//! seeds' daily rhythm), writes it through the event log as validated Avro records, then
//! reads it back and shows what flowed.

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::{Datelike, TimeZone, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use scrm_gen::{GenConfig, Generator, Topic};
use scrm_log::{read_range, EventLog, Record, TimeRange};
use scrm_schema::json::{avro_to_json, Names};
use scrm_schema::{record_field, TopicKind, Value};

use crate::cli::DemoArgs;
use scrm_app::{Access, App as Context};
use scrm_ingest::Ingest;

const BATCH: usize = 2_000;

fn kind_of(topic: Topic) -> TopicKind {
    match topic {
        Topic::Conversation => TopicKind::Conversation,
        Topic::Behavior => TopicKind::Behavior,
        Topic::Transaction => TopicKind::Transaction,
        Topic::CrmUpdates => TopicKind::CrmUpdates,
    }
}

pub(crate) fn run(ctx: &Context, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let log = ctx.open_log(Access::ReadWrite)?;
    println!(
        "scrm demo — {} backend{}",
        log.backend(),
        if ctx.config.uses_kafka() {
            String::new()
        } else {
            format!(" in {}", ctx.config.log.data_dir.display())
        }
    );
    ctx.ensure_topics(log.as_ref(), &TopicKind::ALL)?;
    let retention = log.enforce_retention(Utc::now().timestamp_millis())?;
    if retention.deleted > 0 {
        println!(
            "retention removed {} records older than 180 days",
            retention.deleted
        );
    }

    // The last `days` full days, so `scrm tail --from -1d` finds something.
    let today = Utc::now().date_naive();
    let start = Utc
        .with_ymd_and_hms(today.year(), today.month(), today.day(), 0, 0, 0)
        .single()
        .expect("midnight exists")
        - chrono::Duration::days(i64::from(args.days));
    let generator = Generator::new(GenConfig {
        seed: args.seed,
        customers: args.customers,
        days: args.days,
        start,
        ..GenConfig::default()
    });
    let offsets: HashMap<String, i32> = generator
        .customers()
        .iter()
        .map(|c| (c.key.clone(), c.utc_offset_minutes))
        .collect();
    let first_ms = log_marks(ctx, log.as_ref())?;

    let ingests: HashMap<Topic, Ingest> = Topic::ALL
        .into_iter()
        .map(|t| Ok((t, ctx.ingest(kind_of(t))?)))
        .collect::<anyhow::Result<_>>()?;

    let total = generator.estimated_total();
    let progress = Progress::new(total);
    let started = Instant::now();
    let mut pending: HashMap<Topic, Vec<Record>> = HashMap::new();
    let mut buffered = 0;
    let mut written = 0u64;
    let now_ms = Utc::now().timestamp_millis();
    // Orders placed near the end run on to delivery; the demo stops at the present.
    for event in generator.take_while(|e| e.occurred_at_ms <= now_ms) {
        let record = ingests[&event.topic].json(&event.json).map_err(|e| {
            anyhow::anyhow!(
                "generated event failed validation (a bug in scrm-gen): {e}\n{}",
                event.json
            )
        })?;
        pending.entry(event.topic).or_default().push(record);
        buffered += 1;
        if buffered >= BATCH {
            written += flush(ctx, log.as_ref(), &mut pending)?;
            buffered = 0;
            progress.set(written);
        }
    }
    written += flush(ctx, log.as_ref(), &mut pending)?;
    progress.finish(written);
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "wrote {written} events for {} customers over {} days in {elapsed:.1} s ({:.0} events/s, each durable before the next batch)",
        args.customers,
        args.days,
        written as f64 / elapsed.max(1e-9)
    );

    summarize(ctx, log.as_ref(), &offsets, &first_ms)?;
    run_processor(ctx, log)?;
    println!("\nnext: scrm customer <a number above>     (what scrm knows about a customer)");
    println!("      scrm tail --topic triggers --max 3   (automations, with ids from their cause)");
    println!("      scrm tail --topic conversation --from -1d --max 5");
    println!("      scrm topics list");
    Ok(ExitCode::SUCCESS)
}

fn flush(
    ctx: &Context,
    log: &dyn EventLog,
    pending: &mut HashMap<Topic, Vec<Record>>,
) -> anyhow::Result<u64> {
    let mut n = 0;
    for (topic, records) in pending.iter_mut() {
        if records.is_empty() {
            continue;
        }
        n += records.len() as u64;
        log.append(&ctx.topic_name(kind_of(*topic)), std::mem::take(records))?;
    }
    Ok(n)
}

/// High watermarks of the input topics before this run, so the summary covers this run.
fn log_marks(ctx: &Context, log: &dyn EventLog) -> anyhow::Result<HashMap<(TopicKind, u32), u64>> {
    let mut marks = HashMap::new();
    for kind in TopicKind::INPUTS {
        for p in 0..ctx.config.log.partitions {
            marks.insert((kind, p), log.watermarks(&ctx.topic_name(kind), p)?.high);
        }
    }
    Ok(marks)
}

fn region_of(key: &str) -> &'static str {
    [
        ("+852", "Hong Kong"),
        ("+886", "Taiwan"),
        ("+55", "Brazil"),
        ("+33", "France"),
    ]
    .into_iter()
    .find(|(prefix, _)| key.starts_with(prefix))
    .map(|(_, name)| name)
    .unwrap_or("other")
}

/// Reads this run's records back through the log and shows what flowed.
fn summarize(
    ctx: &Context,
    log: &dyn EventLog,
    offsets: &HashMap<String, i32>,
    before: &HashMap<(TopicKind, u32), u64>,
) -> anyhow::Result<()> {
    let conversation = ctx.value_schema(TopicKind::Conversation)?;
    let names = Names::of(&conversation.schema);
    let mut by_hour = [0u64; 24];
    let mut regions: BTreeMap<&str, u64> = BTreeMap::new();
    let mut samples: Vec<serde_json::Value> = Vec::new();
    println!("\nrecords per topic and partition (read back from the log):");
    for kind in TopicKind::INPUTS {
        let topic = ctx.topic_name(kind);
        let mut per_partition = Vec::new();
        for p in 0..ctx.config.log.partitions {
            let marks = log.watermarks(&topic, p)?;
            per_partition.push(marks.high - before[&(kind, p)]);
        }
        println!(
            "  {topic:<24} {:>7}  {:?}",
            per_partition.iter().sum::<u64>(),
            per_partition
        );
    }
    let topic = ctx.topic_name(TopicKind::Conversation);
    for p in 0..ctx.config.log.partitions {
        let mut reader_from = before[&(TopicKind::Conversation, p)];
        read_range(log, &topic, p, TimeRange::default(), |record| {
            if record.offset < reader_from {
                return Ok(());
            }
            reader_from = record.offset;
            let Ok(value) = ctx.codec.decode(&record.value, conversation) else {
                return Ok(());
            };
            let Some(Value::Union(_, payload)) = record_field(&value, "payload") else {
                return Ok(());
            };
            if record_field(payload, "wamid").is_none()
                || record_field(payload, "content").is_none()
            {
                return Ok(());
            }
            let key = String::from_utf8_lossy(&record.key).into_owned();
            *regions.entry(region_of(&key)).or_default() += 1;
            let offset_ms = i64::from(offsets.get(&key).copied().unwrap_or(0)) * 60_000;
            let local_hour =
                ((record.timestamp_ms + offset_ms).rem_euclid(86_400_000) / 3_600_000) as usize;
            by_hour[local_hour] += 1;
            if samples.len() < 4 {
                if let Some(Value::Union(_, content)) = record_field(payload, "content") {
                    if record_field(content, "body").is_some()
                        && !samples.iter().any(|s| {
                            region_of(s["customer"].as_str().unwrap_or("")) == region_of(&key)
                        })
                    {
                        samples.push(avro_to_json(&conversation.schema, &names, &value));
                    }
                }
            }
            Ok(())
        })?;
    }
    let inbound: u64 = by_hour.iter().sum();
    println!("\ninbound messages by hour of the customer's local day ({inbound} messages):");
    let peak = by_hour.iter().copied().max().unwrap_or(1).max(1);
    for (hour, count) in by_hour.iter().enumerate() {
        let bar = "#".repeat((count * 50 / peak) as usize);
        println!("  {hour:02}:00 {count:>6} {bar}");
    }
    let afternoon = by_hour[14] + by_hour[15];
    println!(
        "  14:00–16:00 carries {:.0}% of inbound messages (the seeds: about a third)",
        100.0 * afternoon as f64 / inbound.max(1) as f64
    );
    println!(
        "\ninbound messages by market: {}",
        regions
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("\na few inbound messages, as `scrm tail` prints them:");
    for sample in samples {
        println!("  {sample}");
    }
    Ok(())
}

/// Progress on a terminal as a bar, elsewhere as a line every couple of seconds.
struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    last: std::cell::Cell<Instant>,
}

impl Progress {
    fn new(total: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} events ({per_sec})",
                )
                .expect("valid template"),
            );
            bar
        });
        Self {
            bar,
            total,
            last: std::cell::Cell::new(Instant::now()),
        }
    }

    fn set(&self, written: u64) {
        match &self.bar {
            Some(bar) => bar.set_position(written.min(self.total)),
            None if self.last.get().elapsed() > Duration::from_secs(2) => {
                self.last.set(Instant::now());
                eprintln!("  … {written} of about {} events written", self.total);
            }
            None => {}
        }
    }

    fn finish(&self, written: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(written);
            bar.finish_with_message("done");
        }
    }
}

/// Runs the processor over everything written (event time, until caught up) and shows
/// what it made of it.
fn run_processor(ctx: &Context, log: std::sync::Arc<dyn EventLog>) -> anyhow::Result<()> {
    println!("\nprocessing: state per customer, timers, rules, outputs (event time) …");
    let replay = scrm_app::RunMode {
        event_time: true,
        exit_when_caught_up: true,
    };
    let built = ctx.processor(log, replay)?;
    let started = Instant::now();
    built.processor.run(&|| false)?;
    let elapsed = started.elapsed().as_secs_f64();
    let applied = built.metrics.events_total();
    println!(
        "applied {applied} events in {elapsed:.1} s ({:.0} events/s, {} build, every commit durable)",
        applied as f64 / elapsed.max(1e-9),
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    let count = |kind: &str| {
        built
            .metrics
            .outputs
            .get_or_create(&scrm_processor::metrics::KindLabel { kind: kind.into() })
            .get()
    };
    println!(
        "outputs: {} automation triggers, {} CRM commands, {} timers fired",
        count("trigger"),
        count("crm_command"),
        built.metrics.timers_fired.get()
    );
    let lookup = ctx.state_lookup(built.store.clone(), None);
    let (from, _) = scrm_state::Table::Customers.partition_range(0);
    if let Some((key, _)) = built.store.first(
        scrm_state::Table::Customers,
        &from,
        &scrm_state::Table::Customers.partition_range(0).1,
    )? {
        let (_, customer) = scrm_state::keys::parse_customer_key(&key)?;
        if let Some(state) = lookup.find(&customer).map_err(|e| anyhow::anyhow!("{e}"))? {
            println!(
                "e.g. {customer}: tags {}, last inbound {}, {} orders",
                state["tags"],
                state["times"]["last_inbound"],
                state["orders"].as_array().map_or(0, Vec::len)
            );
        }
    }
    Ok(())
}
