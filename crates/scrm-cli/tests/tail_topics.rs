//! `scrm tail` on every topic after a demo: the Avro topics and the state changelog print
//! as JSON lines, and records that cannot be decoded are reported once with a count.

mod support;

use scrm_log::{EmbeddedLog, EmbeddedOptions, EventLog, Record};
use support::{json_lines, scrm, stderr, stdout};

#[test]
fn every_topic_tails_after_a_demo() {
    let dir = tempfile::tempdir().unwrap();
    let demo = scrm(dir.path())
        .args(["demo", "--customers", "60", "--days", "3"])
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", stderr(&demo));

    let out = scrm(dir.path())
        .args(["tail", "--topic", "state-changelog"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("could not be decoded"),
        "{}",
        stderr(&out)
    );
    let lines = json_lines(&stdout(&out));
    let states: Vec<_> = lines
        .iter()
        .filter(|l| l.get("customer").is_some())
        .collect();
    let progress: Vec<_> = lines
        .iter()
        .filter(|l| l.get("progress").is_some())
        .collect();
    assert!(!states.is_empty() && !progress.is_empty(), "{lines:?}");
    let customer = states
        .iter()
        .find(|l| !l["state"].is_null())
        .expect("a customer's state");
    assert!(customer["customer"].as_str().unwrap().starts_with('+'));
    assert!(
        customer["state"]["times"]["last_event"].is_string(),
        "{customer}"
    );
    assert!(
        progress[0]["progress"]["next_offsets"].is_object(),
        "{}",
        progress[0]
    );

    for topic in [
        "conversation",
        "behavior",
        "transaction",
        "crm-updates",
        "triggers",
        "crm-commands",
        "alerts",
        "review",
        "dlq",
    ] {
        let out = scrm(dir.path())
            .args(["tail", "--topic", topic, "--max", "20"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{topic}: {}", stderr(&out));
        json_lines(&stdout(&out));
    }
}

#[test]
fn undecodable_records_are_reported_once_with_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let topics = scrm(dir.path())
        .args(["topics", "create"])
        .output()
        .unwrap();
    assert!(topics.status.success(), "{}", stderr(&topics));
    {
        let log = EmbeddedLog::open(dir.path(), EmbeddedOptions::default()).unwrap();
        let garbage = (0..500)
            .map(|i| Record::new(format!("k{i}").into_bytes(), b"not avro".to_vec(), i))
            .collect();
        log.append("scrm.conversation.v1", garbage).unwrap();
    }
    let out = scrm(dir.path())
        .args(["tail", "--topic", "conversation"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let reports: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("could not be decoded"))
        .collect();
    assert_eq!(reports.len(), 1, "{err}");
    assert!(
        reports[0].starts_with("500 records could not be decoded: "),
        "{err}"
    );
    assert!(
        err.lines().count() <= 2,
        "one line per reason, not per record: {err}"
    );
}
