//! `scrm produce` and `scrm tail` end to end on the embedded backend: round trips, every
//! kind of bad input, and kill -9 in the middle of a produce.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use support::*;

#[test]
fn records_round_trip_through_produce_and_tail() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        text_message("e1", "+852 9123 4567", "2026-11-20T14:05:00Z", "有冇折扣?"),
        text_message("e2", "91234563", "2026-11-20T14:06:00.250+08:00", "how much is the serum?"),
        serde_json::json!({
            "event_id": "e3", "customer": "+5511987654321", "occurred_at": 1_795_000_000_000i64, "source": "test",
            "payload": {"InboundMessage": {"wamid": "wamid.e3", "content": {"LocationContent": {"latitude": -23.55, "longitude": -46.63, "name": "Loja Paulista"}}}}
        }).to_string(),
    ];
    let out = run_with_input(
        scrm(dir.path())
            .args(["--region", "HK", "produce", "--topic", "conversation"])
            .arg("--acks"),
        &lines.join("\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_lines(&stdout(&out)).len(), 3, "one ack per record");
    assert!(
        stderr(&out).contains("produced 3 records"),
        "{}",
        stderr(&out)
    );

    let out = scrm(dir.path())
        .args(["tail", "--topic", "scrm.conversation.v1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let records = json_lines(&stdout(&out));
    assert_eq!(records.len(), 3);
    let partition = |key: &str| scrm_log::partition_for_key(key.as_bytes(), 6);
    assert_ne!(
        partition("+85291234567"),
        partition("+85291234563"),
        "precondition: two partitions to merge"
    );
    // Merged in time order across partitions; customers normalized to E.164 with region HK.
    assert_eq!(records[0]["event_id"], "e2");
    assert_eq!(records[0]["customer"], "+85291234563");
    assert_eq!(records[0]["occurred_at"], "2026-11-20T06:06:00.250Z");
    assert_eq!(records[1]["customer"], "+85291234567");
    assert_eq!(
        records[1]["payload"]["InboundMessage"]["content"]["TextContent"]["body"],
        "有冇折扣?"
    );
    assert_eq!(
        records[1]["payload"]["InboundMessage"]["profile_name"],
        "Ana"
    );
    assert_eq!(
        records[1]["payload"]["InboundMessage"]["bsuid"],
        serde_json::Value::Null,
        "defaults filled in"
    );
    let location = &records[2]["payload"]["InboundMessage"]["content"]["LocationContent"];
    assert_eq!(location["latitude"], -23.55);

    // What tail prints, produce takes back unchanged.
    let again = tempfile::tempdir().unwrap();
    let out = run_with_input(
        scrm(again.path()).args(["produce", "--topic", "conversation"]),
        &stdout(
            &scrm(dir.path())
                .args(["tail", "--topic", "conversation"])
                .output()
                .unwrap(),
        ),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let copy = json_lines(&stdout(
        &scrm(again.path())
            .args(["tail", "--topic", "conversation"])
            .output()
            .unwrap(),
    ));
    assert_eq!(copy, records);

    // Time ranges: [from, to).
    let out = scrm(dir.path())
        .args([
            "tail",
            "--topic",
            "conversation",
            "--from",
            "2026-11-20T14:00:00Z",
            "--to",
            "2026-11-20T14:06:00Z",
            "--meta",
        ])
        .output()
        .unwrap();
    let ranged = json_lines(&stdout(&out));
    assert_eq!(ranged.len(), 1);
    assert_eq!(ranged[0]["value"]["event_id"], "e1");
    assert_eq!(ranged[0]["key"], "+85291234567");
}

#[test]
fn bad_lines_are_named_dead_lettered_and_the_rest_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let good = |id: &str| text_message(id, "+886912345678", "2026-11-20T10:00:00Z", "太貴了");
    let mut missing = serde_json::from_str::<serde_json::Value>(&good("m")).unwrap();
    missing.as_object_mut().unwrap().remove("occurred_at");
    let mut wrong_type = serde_json::from_str::<serde_json::Value>(&good("w")).unwrap();
    wrong_type["payload"]["InboundMessage"]["content"]["TextContent"]["body"] =
        serde_json::json!(42);
    let mut bad_phone = serde_json::from_str::<serde_json::Value>(&good("p")).unwrap();
    bad_phone["customer"] = serde_json::json!("12345");
    let mut bad_branch = serde_json::from_str::<serde_json::Value>(&good("b")).unwrap();
    bad_branch["payload"] = serde_json::json!({"Telegram": {}});
    let mut unknown_field = serde_json::from_str::<serde_json::Value>(&good("u")).unwrap();
    unknown_field["colour"] = serde_json::json!("red");
    let mut bad_time = serde_json::from_str::<serde_json::Value>(&good("t")).unwrap();
    bad_time["occurred_at"] = serde_json::json!("yesterday");
    let input = [
        good("g1"),
        "{\"event_id\": \"x\", oops".to_owned(),
        missing.to_string(),
        wrong_type.to_string(),
        bad_phone.to_string(),
        bad_branch.to_string(),
        unknown_field.to_string(),
        bad_time.to_string(),
        good("g2"),
    ]
    .join("\n");
    let out = run_with_input(
        scrm(dir.path()).args(["produce", "--topic", "conversation"]),
        &input,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "rejections make the exit code 1"
    );
    let err = stderr(&out);
    for expected in [
        "line 2: not valid JSON",
        "line 3: field `occurred_at`: missing required field",
        "line 4: field `payload.InboundMessage.content.TextContent.body`: expected a string, found a number",
        "line 5: field `customer`: \"12345\" is not a valid phone number",
        "line 6: field `payload`: `Telegram` is not a branch of this union; expected one of InboundMessage, OutboundMessage, DeliveryStatus, AgentHandoff",
        "line 7: field `colour`: unknown field",
        "line 8: field `occurred_at`: `yesterday` is not an RFC 3339 time",
        "produced 2 records to scrm.conversation.v1; rejected 7 lines (sent to scrm.dlq.v1)",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    let records = json_lines(&stdout(
        &scrm(dir.path())
            .args(["tail", "--topic", "conversation"])
            .output()
            .unwrap(),
    ));
    let ids: Vec<_> = records
        .iter()
        .map(|r| r["event_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ids,
        ["g1", "g2"],
        "valid lines before and after the bad ones are kept"
    );

    let dead = json_lines(&stdout(
        &scrm(dir.path())
            .args(["tail", "--topic", "dlq", "--meta"])
            .output()
            .unwrap(),
    ));
    assert_eq!(dead.len(), 7);
    let oops = dead
        .iter()
        .find(|d| d["value"]["error"].as_str().unwrap().starts_with("line 2:"))
        .expect("line 2 dead-lettered");
    assert_eq!(oops["value"]["error_kind"], "DECODE");
    assert_eq!(oops["value"]["original_topic"], "scrm.conversation.v1");
    use base64::Engine as _;
    let original = base64::engine::general_purpose::STANDARD
        .decode(oops["value"]["original_value"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        original, b"{\"event_id\": \"x\", oops",
        "the original bytes are kept"
    );
    assert!(dead
        .iter()
        .all(|d| d["value"]["error_kind"] == "DECODE" || d["value"]["error_kind"] == "VALIDATION"));
}

#[test]
fn a_record_with_an_unknown_schema_fingerprint_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_with_input(
        scrm(dir.path()).args(["produce", "--topic", "behavior"]),
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // A record framed for a schema no release of scrm has.
    let mut foreign = vec![0xC3, 0x01];
    foreign.extend_from_slice(&0x0123_4567_89ab_cdefu64.to_le_bytes());
    foreign.extend_from_slice(b"\x02hi");
    use base64::Engine as _;
    let line = base64::engine::general_purpose::STANDARD.encode(&foreign);
    let out = run_with_input(
        scrm(dir.path()).args(["produce", "--topic", "behavior", "--format", "avro-base64"]),
        &line,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown schema fingerprint 0x0123456789abcdef"),
        "{}",
        stderr(&out)
    );

    // And when such bytes are in the log already (another producer wrote them), tail names them too.
    {
        use scrm_log::{EmbeddedLog, EmbeddedOptions, EventLog, Record};
        let log = EmbeddedLog::open(dir.path(), EmbeddedOptions::default()).unwrap();
        log.append(
            "scrm.behavior.v1",
            vec![Record::new("+33612345678", foreign, 0)],
        )
        .unwrap();
    }
    let out = scrm(dir.path())
        .args(["tail", "--topic", "behavior"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown schema fingerprint 0x0123456789abcdef"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn topics_are_created_and_mismatches_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = scrm(dir.path())
        .args(["topics", "create"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.matches("created").count(), 10, "{text}");
    let out = scrm(dir.path()).args(["topics", "list"]).output().unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("scrm.conversation.v1")
            && text.contains("6 partitions, delete, retention 180 days"),
        "{text}"
    );
    assert!(
        text.contains("scrm.state-changelog.v1") && text.contains("compact, retention for ever"),
        "{text}"
    );
    let out = scrm(dir.path())
        .args(["--partitions", "3", "topics", "create"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("refusing to use topics"), "{err}");
    assert!(
        err.contains(
            "scrm.conversation.v1 cannot be used: it has 6 partitions, scrm is configured for 3"
        ),
        "{err}"
    );
}

/// kill -9 while producing: every acknowledged record is in the log, every record in the
/// log decodes (none torn), and a new produce carries on.
#[test]
fn kill_9_during_produce_loses_no_acknowledged_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut acked_total = std::collections::BTreeSet::new();
    for round in 0..4u64 {
        let mut child = scrm(dir.path())
            .args([
                "produce",
                "--topic",
                "conversation",
                "--acks",
                "--batch",
                "50",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let feeder = std::thread::spawn(move || {
            for i in 0..100_000u64 {
                let line = text_message(
                    &format!("r{round}-{i}"),
                    "+5511987654321",
                    "2026-11-20T10:00:00Z",
                    "cadê meu pedido?",
                );
                if writeln!(stdin, "{line}").is_err() {
                    break;
                }
                if i % 200 == 0 {
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        });
        let acks = BufReader::new(child.stdout.take().unwrap());
        let kill_after = Duration::from_millis(rand_ms(round) % 700);
        let mut acked_lines = Vec::new();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in acks.lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // The kill comes at a random point after the first acknowledgement: on a busy
        // machine opening the log after the last kill may take a while.
        if let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
            acked_lines.push(line);
        }
        let started = Instant::now();
        while started.elapsed() < kill_after {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(10)) {
                acked_lines.push(line);
            }
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Acks already written to the pipe before the kill count as acknowledged.
        reader.join().unwrap();
        acked_lines.extend(rx.try_iter());
        let _ = feeder.join();
        assert!(
            !acked_lines.is_empty(),
            "round {round}: something was acknowledged before the kill"
        );
        for ack in acked_lines {
            let ack: serde_json::Value = serde_json::from_str(&ack).unwrap();
            acked_total.insert(format!("r{round}-{}", ack["line"].as_u64().unwrap() - 1));
        }
    }
    let out = scrm(dir.path())
        .args(["tail", "--topic", "conversation"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "every stored record decodes: {}",
        stderr(&out)
    );
    let stored: std::collections::BTreeSet<String> = json_lines(&stdout(&out))
        .iter()
        .map(|r| r["event_id"].as_str().unwrap().to_owned())
        .collect();
    let lost: Vec<_> = acked_total.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged records lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );
}

fn rand_ms(seed: u64) -> u64 {
    (std::process::id() as u64 ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_mul(2_654_435_761)
        % 10_000
}
