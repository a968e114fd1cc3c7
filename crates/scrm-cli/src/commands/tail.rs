//! `scrm tail --topic T [--from] [--to] [--follow]`: records → JSON lines.
//!
//! Without `--follow`, prints the records present when it starts, merged across partitions
//! in timestamp order (each partition is read in offset order; the merge holds one batch
//! per partition, so memory stays small on any topic size). With `--follow`, keeps
//! printing records as they arrive.
//!
//! Avro topics print as the JSON `scrm produce` takes. The state changelog is scrm's own
//! encoding: a customer's record prints as `{"customer", "state"}` (the state as
//! `scrm customer` shows it; `null` for a pruned customer), the progress record closing a
//! commit as `{"progress": ...}`. A record that cannot be decoded is counted, and each
//! distinct reason is reported once at the end with its count and first offset, so a topic
//! of unreadable records does not print a line per record.

use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use scrm_log::{PartitionReader, StoredRecord, TimeRange};
use scrm_schema::json::{avro_to_json, format_millis, Names};
use scrm_schema::{Codec, Schema, TopicKind};
use scrm_state::{CustomerState, PartitionMeta};

use crate::cli::{Format, TailArgs};
use crate::timearg::parse_time;
use scrm_app::{Access, App as Context};

struct Cursor {
    reader: Box<dyn PartitionReader>,
    /// Offset where the records present at start end.
    high: u64,
    buffer: std::collections::VecDeque<StoredRecord>,
}

pub(crate) fn run(ctx: &Context, args: TailArgs) -> anyhow::Result<ExitCode> {
    let kind = ctx
        .topic_kind(&args.topic)
        .map_err(|e| anyhow::anyhow!("--topic: {e}"))?;
    let topic = ctx.topic_name(kind);
    let now = chrono::Utc::now();
    let range = TimeRange {
        from_ms: args
            .from
            .as_deref()
            .map(|t| parse_time(t, now))
            .transpose()?,
        to_ms: args.to.as_deref().map(|t| parse_time(t, now)).transpose()?,
    };
    let log = ctx.open_log(Access::ReadOnly)?;
    let spec = log.describe_topic(&topic)?.ok_or_else(|| {
        anyhow::anyhow!("topic {topic} does not exist (run `scrm topics create`)")
    })?;
    let partitions: Vec<u32> = match args.partition {
        Some(p) if p >= spec.partitions => anyhow::bail!(
            "--partition {p}: {topic} has partitions 0..{}",
            spec.partitions
        ),
        Some(p) => vec![p],
        None => (0..spec.partitions).collect(),
    };
    let mut cursors = Vec::new();
    for &p in &partitions {
        let marks = log.watermarks(&topic, p)?;
        let start = match range.from_ms {
            // A lower bound only on some brokers; the time filter below makes it exact.
            Some(from) => log.offset_for_time(&topic, p, from)?,
            None => marks.low,
        };
        cursors.push(Cursor {
            reader: log.reader(&topic, p, start)?,
            high: marks.high,
            buffer: Default::default(),
        });
    }

    let mut printer = Printer::new(&ctx.codec, kind, args.meta, args.format);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let max = args.max.unwrap_or(u64::MAX);
    let mut printed = 0u64;
    // Bounded part: what is there now, merged by time.
    while printed < max {
        for cursor in cursors.iter_mut() {
            fill(cursor)?;
        }
        let next = cursors
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.buffer.front().map(|r| (r.timestamp_ms, r.partition, i)))
            .min();
        let Some((_, _, i)) = next else { break };
        let record = cursors[i].buffer.pop_front().expect("front exists");
        if range.contains(record.timestamp_ms) {
            printer.print(&mut out, &record)?;
            printed += 1;
        }
    }
    out.flush()?;
    if args.follow {
        drop(out);
        let wait = Duration::from_millis((200 / cursors.len().max(1)) as u64 + 10);
        while printed < max {
            let mut out = stdout.lock();
            for cursor in cursors.iter_mut() {
                for record in cursor.reader.next_batch(500, wait)? {
                    if range.contains(record.timestamp_ms) && printed < max {
                        printer.print(&mut out, &record)?;
                        printed += 1;
                    }
                }
            }
            out.flush()?;
        }
    }
    if printer.failures > 0 {
        for (reason, (count, partition, offset)) in &printer.reasons {
            eprintln!(
                "{count} records could not be decoded: {reason} (first at partition {partition} offset {offset})"
            );
        }
        if printer.failures > printer.reasons.values().map(|r| r.0).sum::<u64>() {
            eprintln!(
                "… and records failing for other reasons; {} in all",
                printer.failures
            );
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Tops up a partition's buffer with records below its high watermark at start.
fn fill(cursor: &mut Cursor) -> anyhow::Result<()> {
    let mut idle = 0;
    while cursor.buffer.is_empty() && cursor.reader.position() < cursor.high {
        let batch = cursor.reader.next_batch(500, Duration::from_millis(500))?;
        if batch.is_empty() {
            idle += 1;
            anyhow::ensure!(
                idle < 20,
                "partition stalled at offset {} below its high watermark {}",
                cursor.reader.position(),
                cursor.high
            );
        }
        cursor
            .buffer
            .extend(batch.into_iter().filter(|r| r.offset < cursor.high));
    }
    Ok(())
}

/// Distinct decode failures reported at the end; more reasons than this are only counted.
const MAX_REASONS: usize = 10;

struct Printer<'c> {
    codec: &'c Codec,
    kind: TopicKind,
    meta: bool,
    format: Format,
    names: HashMap<usize, Names<'static>>,
    failures: u64,
    /// Each reason of failure: how many records, and where the first was.
    reasons: std::collections::BTreeMap<String, (u64, u32, u64)>,
}

impl<'c> Printer<'c> {
    fn new(codec: &'c Codec, kind: TopicKind, meta: bool, format: Format) -> Self {
        Self {
            codec,
            kind,
            meta,
            format,
            names: HashMap::new(),
            failures: 0,
            reasons: Default::default(),
        }
    }

    fn print(&mut self, out: &mut impl Write, record: &StoredRecord) -> anyhow::Result<()> {
        let decoded = match self.format {
            Format::AvroBase64 => Ok(serde_json::Value::String(BASE64.encode(&record.value))),
            Format::Json if self.kind == TopicKind::StateChangelog => changelog_json(record),
            Format::Json => self.decode(record).map_err(|e| e.to_string()),
        };
        let value = match decoded {
            Ok(value) => value,
            Err(e) => {
                self.failures += 1;
                let known = self.reasons.len();
                match self.reasons.get_mut(&e) {
                    Some(reason) => reason.0 += 1,
                    None if known < MAX_REASONS => {
                        self.reasons
                            .insert(e.clone(), (1, record.partition, record.offset));
                    }
                    None => {}
                }
                if !self.meta {
                    return Ok(());
                }
                serde_json::json!({ "error": e })
            }
        };
        let line = if self.meta {
            serde_json::json!({
                "partition": record.partition,
                "offset": record.offset,
                "timestamp": format_millis(record.timestamp_ms),
                "key": String::from_utf8_lossy(&record.key),
                "value": value,
            })
        } else {
            value
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
        Ok(())
    }

    fn decode(
        &mut self,
        record: &StoredRecord,
    ) -> Result<serde_json::Value, scrm_schema::CodecError> {
        let (schema, value) = self.codec.decode_any(&record.value)?;
        let schema: &'static Schema = schema;
        let names = self
            .names
            .entry(schema as *const Schema as usize)
            .or_insert_with(|| Names::of(schema));
        Ok(avro_to_json(schema, names, &value))
    }
}

/// A state-changelog record as JSON: a customer's state, a pruned customer, or the
/// progress record that closes a commit.
fn changelog_json(record: &StoredRecord) -> Result<serde_json::Value, String> {
    if record.key == scrm_processor::engine::CHANGELOG_META_KEY {
        let meta = PartitionMeta::decode(&record.value)
            .map_err(|e| format!("not a changelog progress record: {e}"))?;
        let mut progress = serde_json::to_value(&meta).map_err(|e| e.to_string())?;
        progress["stream_time"] = serde_json::json!(meta.stream_time_ms.map(format_millis));
        return Ok(serde_json::json!({ "progress": progress }));
    }
    let customer = String::from_utf8_lossy(&record.key);
    if record.value.is_empty() {
        return Ok(serde_json::json!({ "customer": customer, "state": null }));
    }
    let state =
        CustomerState::decode(&record.value).map_err(|e| format!("not a customer state: {e}"))?;
    Ok(serde_json::json!({
        "customer": customer,
        "state": scrm_processor::query::to_json(&state, record.partition),
    }))
}
