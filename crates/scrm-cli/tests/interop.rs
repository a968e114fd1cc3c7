//! Interop with an independent Avro implementation (Python fastavro, using only the .avsc
//! files): what `scrm produce` writes, fastavro decodes to the same JSON that `scrm tail`
//! prints; what fastavro writes, `scrm produce --format avro-base64` accepts and `scrm tail`
//! reads back.

mod support;

use std::path::PathBuf;
use std::process::Command;

use support::*;

fn schemas_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas")
}

fn python(mode: &str, stdin: &str) -> String {
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/fastavro_interop.py");
    let mut cmd = Command::new("python3");
    cmd.arg(script).arg(mode).arg(schemas_dir());
    let out = run_with_input(&mut cmd, stdin);
    assert!(
        out.status.success(),
        "python3 fastavro_interop.py {mode} failed (scripts/test.sh installs fastavro): {}",
        stderr(&out)
    );
    stdout(&out)
}

/// A day of generated traffic: every message type the generator makes, four languages.
fn generated_lines(topic: scrm_gen::Topic) -> String {
    let generator = scrm_gen::Generator::new(scrm_gen::GenConfig {
        customers: 40,
        days: 2,
        ..Default::default()
    });
    generator
        .filter(|e| e.topic == topic)
        .map(|e| e.json.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn scrm_records_decode_with_fastavro() {
    let dir = tempfile::tempdir().unwrap();
    for (topic, short) in [
        (scrm_gen::Topic::Conversation, "conversation"),
        (scrm_gen::Topic::Behavior, "behavior"),
        (scrm_gen::Topic::Transaction, "transaction"),
        (scrm_gen::Topic::CrmUpdates, "crm-updates"),
    ] {
        let input = generated_lines(topic);
        let out = run_with_input(scrm(dir.path()).args(["produce", "--topic", short]), &input);
        assert!(out.status.success(), "{short}: {}", stderr(&out));
        let ours = json_lines(&stdout(
            &scrm(dir.path())
                .args(["tail", "--topic", short])
                .output()
                .unwrap(),
        ));
        let raw = stdout(
            &scrm(dir.path())
                .args(["tail", "--topic", short, "--format", "avro-base64"])
                .output()
                .unwrap(),
        );
        let theirs = json_lines(&python("decode", &raw));
        assert!(!ours.is_empty(), "{short}: the generator made records");
        assert_eq!(ours.len(), theirs.len(), "{short}");
        for (a, b) in ours.iter().zip(&theirs) {
            assert_eq!(
                a, b,
                "{short}: scrm and fastavro read the same bytes differently"
            );
        }
    }
}

#[test]
fn fastavro_records_are_read_by_scrm() {
    let dir = tempfile::tempdir().unwrap();
    let produced = python("encode", "");
    let mut expected = Vec::new();
    for line in produced.lines() {
        let mut parts = line.splitn(3, '\t');
        let (topic, record, view) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let topic = if topic == "crm" { "crm-updates" } else { topic };
        let out = run_with_input(
            scrm(dir.path()).args(["produce", "--topic", topic, "--format", "avro-base64"]),
            record,
        );
        assert!(out.status.success(), "{topic}: {}", stderr(&out));
        let back = json_lines(&stdout(
            &scrm(dir.path())
                .args(["tail", "--topic", topic])
                .output()
                .unwrap(),
        ));
        assert_eq!(back.len(), 1, "{topic}");
        expected.push((
            topic.to_owned(),
            back[0].clone(),
            serde_json::from_str::<serde_json::Value>(view).unwrap(),
        ));
    }
    assert_eq!(expected.len(), 3);
    for (topic, ours, theirs) in expected {
        assert_eq!(
            ours, theirs,
            "{topic}: scrm reads what fastavro wrote as fastavro meant it"
        );
    }
}
