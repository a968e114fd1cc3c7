//! `scrm produce --topic T`: JSON lines on stdin → validated Avro records.
//!
//! Lines are taken in batches; each batch is appended in one durable write, and only then
//! acknowledged (`--acks`). A rejected line is reported on stderr with its line number and
//! the field at fault, goes to the dead-letter topic with its original bytes, and the lines
//! after it carry on: nothing valid is lost and nothing is half-written.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use scrm_log::{EventLog, Record};
use scrm_schema::TopicKind;

use crate::cli::{Format, ProduceArgs};
use scrm_app::{Access, App as Context};
use scrm_ingest::{Ingest, Refused, Rejection};

/// How long a partly filled batch waits for more lines before it is written.
const LINGER: Duration = Duration::from_millis(20);

enum Input {
    Line(u64, Vec<u8>),
    Failed(std::io::Error),
}

pub(crate) fn run(ctx: &Context, args: ProduceArgs) -> anyhow::Result<ExitCode> {
    let kind = ctx
        .topic_kind(&args.topic)
        .map_err(|e| anyhow::anyhow!("--topic: {e}"))?;
    let log = ctx.open_log(Access::ReadWrite)?;
    ctx.ensure_topics(log.as_ref(), &[kind, TopicKind::Dlq])?;
    let topic = ctx.topic_name(kind);
    let dlq_topic = ctx.topic_name(TopicKind::Dlq);
    let ingest = ctx.ingest(kind)?;
    let dlq = ctx.ingest(TopicKind::Dlq)?;

    // Reading stdin on its own thread lets a batch go out as soon as input pauses.
    let (tx, rx) = mpsc::sync_channel::<Input>(args.batch.max(1) * 4);
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut lock = stdin.lock();
        let mut line_no = 0u64;
        loop {
            let mut buf = Vec::new();
            match lock.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(_) => {
                    line_no += 1;
                    if tx.send(Input::Line(line_no, buf)).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Input::Failed(e));
                    break;
                }
            }
        }
    });

    let mut stats = Stats::default();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut done = false;
    while !done {
        let mut good: Vec<(u64, Record)> = Vec::new();
        let mut bad: Vec<Record> = Vec::new();
        let mut taken = 0;
        while taken < args.batch.max(1) {
            let next = if taken == 0 {
                rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected)
            } else {
                rx.recv_timeout(LINGER)
            };
            let input = match next {
                Ok(input) => input,
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    done = true;
                    break;
                }
            };
            let (line_no, bytes) = match input {
                Input::Line(n, b) => (n, b),
                Input::Failed(e) => return Err(anyhow::anyhow!("reading stdin: {e}")),
            };
            taken += 1;
            let trimmed = bytes.trim_ascii();
            if trimmed.is_empty() {
                continue;
            }
            let parsed = match args.format {
                Format::Json => ingest.line(trimmed),
                Format::AvroBase64 => ingest.avro_base64(trimmed),
            };
            match parsed {
                Ok(record) => good.push((line_no, record)),
                Err(rejection) => {
                    stats.rejected += 1;
                    eprintln!("line {line_no}: {rejection}");
                    if !args.no_dlq {
                        bad.push(dead_letter(&dlq, &topic, line_no, trimmed, &rejection)?);
                    }
                }
            }
        }
        flush(
            log.as_ref(),
            &topic,
            &dlq_topic,
            good,
            bad,
            args.acks,
            &mut out,
            &mut stats,
        )?;
    }
    eprintln!(
        "produced {} records to {topic}{}",
        stats.written,
        if stats.rejected > 0 {
            format!(
                "; rejected {} lines{}",
                stats.rejected,
                if args.no_dlq {
                    String::new()
                } else {
                    format!(" (sent to {dlq_topic})")
                }
            )
        } else {
            String::new()
        }
    );
    Ok(if stats.rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Default)]
struct Stats {
    written: u64,
    rejected: u64,
}

#[allow(clippy::too_many_arguments)]
fn flush(
    log: &dyn EventLog,
    topic: &str,
    dlq_topic: &str,
    good: Vec<(u64, Record)>,
    bad: Vec<Record>,
    acks: bool,
    out: &mut impl Write,
    stats: &mut Stats,
) -> anyhow::Result<()> {
    if !good.is_empty() {
        let (lines, records): (Vec<u64>, Vec<Record>) = good.into_iter().unzip();
        let positions = log.append(topic, records)?;
        stats.written += positions.len() as u64;
        if acks {
            for (line, pos) in lines.iter().zip(&positions) {
                writeln!(
                    out,
                    "{{\"line\":{line},\"partition\":{},\"offset\":{}}}",
                    pos.partition, pos.offset
                )?;
            }
            out.flush()?;
        }
    }
    if !bad.is_empty() {
        log.append(dlq_topic, bad)?;
    }
    Ok(())
}

/// The dead letter of a rejected line, with its original bytes and the reason.
fn dead_letter(
    dlq: &Ingest,
    topic: &str,
    line_no: u64,
    bytes: &[u8],
    rejection: &Rejection,
) -> anyhow::Result<Record> {
    let reason = format!("line {line_no}: {rejection}");
    scrm_ingest::dead_letter(
        dlq,
        &Refused {
            source: "scrm produce",
            topic: Some(topic),
            kind: rejection.kind(),
            reason: &reason,
            bytes,
            at_ms: chrono::Utc::now().timestamp_millis(),
        },
    )
    .map_err(|e| anyhow::anyhow!("building the dead letter: {e}"))
}
