//! The producer and analyst tools on the Kafka backend, against a real Tansu broker.

mod support;

use scrm_testkit::{unique_name, Broker};
use support::*;

fn kafka_scrm(broker: &Broker, prefix: &str) -> std::process::Command {
    let dir = std::env::temp_dir();
    let mut cmd = scrm(&dir);
    cmd.args([
        "--brokers",
        &broker.bootstrap,
        "--topic-prefix",
        prefix,
        "--partitions",
        "3",
    ]);
    cmd
}

#[test]
fn topics_produce_and_tail_on_kafka() {
    let broker = Broker::get();
    let prefix = format!("{}.", unique_name("cli"));
    let out = kafka_scrm(&broker, &prefix)
        .args(["topics", "create"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).matches("created").count(),
        10,
        "{}",
        stdout(&out)
    );
    let out = kafka_scrm(&broker, &prefix)
        .args(["topics", "create"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).matches("exists, settings match").count(),
        10,
        "{}",
        stdout(&out)
    );
    let out = kafka_scrm(&broker, &prefix)
        .args(["topics", "list"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains(&format!("{prefix}scrm.state-changelog.v1")),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("3 partitions, compact"),
        "{}",
        stdout(&out)
    );

    let lines = [
        text_message(
            "k1",
            "+33612345678",
            "2026-11-20T15:00:00Z",
            "y a-t-il une réduction ?",
        ),
        text_message(
            "k2",
            "+5511987654321",
            "2026-11-20T15:01:00Z",
            "tem desconto?",
        ),
        text_message("k3", "+886912345678", "2026-11-20T15:02:00Z", "有折扣嗎"),
        "{\"broken\": ".to_owned(),
    ];
    let out = run_with_input(
        kafka_scrm(&broker, &prefix).args(["produce", "--topic", "conversation", "--acks"]),
        &lines.join("\n"),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "one line is rejected: {}",
        stderr(&out)
    );
    assert_eq!(json_lines(&stdout(&out)).len(), 3);
    assert!(
        stderr(&out).contains("line 4: not valid JSON"),
        "{}",
        stderr(&out)
    );

    let out = kafka_scrm(&broker, &prefix)
        .args(["tail", "--topic", "conversation"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let ids: Vec<String> = json_lines(&stdout(&out))
        .iter()
        .map(|r| r["event_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["k1", "k2", "k3"], "time order across partitions");

    // Seeking by time on a broker whose timestamp lookup returns the earliest offset.
    let out = kafka_scrm(&broker, &prefix)
        .args([
            "tail",
            "--topic",
            "conversation",
            "--from",
            "2026-11-20T15:00:30Z",
        ])
        .output()
        .unwrap();
    let ids: Vec<String> = json_lines(&stdout(&out))
        .iter()
        .map(|r| r["event_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["k2", "k3"]);

    let dead = json_lines(&stdout(
        &kafka_scrm(&broker, &prefix)
            .args(["tail", "--topic", "dlq"])
            .output()
            .unwrap(),
    ));
    assert_eq!(dead.len(), 1);
    assert_eq!(
        dead[0]["original_topic"],
        format!("{prefix}scrm.conversation.v1")
    );
}
