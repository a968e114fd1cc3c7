//! Event times are checked at the door: `scrm produce` and the webhook gateway send a
//! record whose time is not believed to the dead-letter topic with the reason, and let
//! the others through.

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use support::{json_lines, run_with_input, scrm, stderr, stdout, text_message};

const YEAR_MS: i64 = 365 * 86_400_000;

fn dead_letters(dir: &std::path::Path) -> Vec<serde_json::Value> {
    let out = scrm(dir).args(["tail", "--topic", "dlq"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    json_lines(&stdout(&out))
}

fn conversation(dir: &std::path::Path) -> Vec<serde_json::Value> {
    let out = scrm(dir)
        .args(["tail", "--topic", "conversation"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    json_lines(&stdout(&out))
}

#[test]
fn produce_refuses_a_time_a_year_ahead_and_one_in_microseconds() {
    let dir = tempfile::tempdir().unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let line = |id: &str, at: i64| {
        let mut v: serde_json::Value =
            serde_json::from_str(&text_message(id, "91234567", "2026-11-21T14:00:00Z", "hi"))
                .unwrap();
        v["occurred_at"] = serde_json::json!(at);
        v.to_string()
    };
    let input = [
        line("now", now - 60_000),
        line("ahead", now + YEAR_MS + 86_400_000),
        line("micros", (now - 60_000) * 1_000),
        line("skew", now + 60_000),
    ]
    .join("\n");
    let out = run_with_input(
        scrm(dir.path()).args(["produce", "--topic", "conversation"]),
        &input,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("line 2: occurred_at"), "{err}");
    assert!(err.contains("1 year ahead"), "{err}");
    assert!(
        err.contains("line 3:") && err.contains("looks like microseconds"),
        "{err}"
    );

    let letters = dead_letters(dir.path());
    assert_eq!(letters.len(), 2, "{letters:?}");
    let reasons: Vec<&str> = letters
        .iter()
        .map(|d| d["error"].as_str().unwrap())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("line 2:") && r.contains("1 year ahead")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("line 3:") && r.contains("looks like microseconds")),
        "{reasons:?}"
    );
    assert!(letters.iter().all(|d| d["error_kind"] == "VALIDATION"));

    let ids: Vec<String> = conversation(dir.path())
        .iter()
        .map(|e| e["event_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["now", "skew"], "a minute of skew is fine");
}

#[test]
fn the_configured_bound_applies() {
    let dir = tempfile::tempdir().unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let mut v: serde_json::Value =
        serde_json::from_str(&text_message("e", "91234567", "2026-11-21T14:00:00Z", "hi")).unwrap();
    v["occurred_at"] = serde_json::json!(now + 3_600_000);
    let out = run_with_input(
        scrm(dir.path()).args(["produce", "--topic", "conversation"]),
        &v.to_string(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "an hour ahead: {}",
        stderr(&out)
    );
    let out = run_with_input(
        scrm(dir.path()).env("SCRM_MAX_AHEAD_MS", "7200000").args([
            "produce",
            "--topic",
            "conversation",
        ]),
        &v.to_string(),
    );
    assert!(out.status.success(), "allowed 2 h ahead: {}", stderr(&out));
}

const SECRET: &str = "time-test-app-secret";

fn webhook(timestamp: &str, wamid: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"85230012345","phone_number_id":"1234567890"}},"contacts":[{{"profile":{{"name":"Mei"}},"wa_id":"85291234567"}}],"messages":[{{"from":"85291234567","id":"{wamid}","timestamp":"{timestamp}","type":"text","text":{{"body":"hello"}}}}]}}}}]}}]}}"#
    )
}

#[test]
fn the_gateway_refuses_a_millisecond_timestamp_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = scrm(dir.path())
        .env("SCRM_LOG", "error")
        .env("SCRM_WHATSAPP_VERIFY_TOKEN", "verify")
        .env("SCRM_WHATSAPP_APP_SECRET", SECRET)
        .args(["gateway", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("gateway started").unwrap();
        if let Some(url) = line.split("gateway listening on ").nth(1) {
            break url.to_owned();
        }
    };
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let post = |body: String| {
        http.post(&url)
            .header("content-type", "application/json")
            .header(
                "x-hub-signature-256",
                scrm_whatsapp_webhook::sign(SECRET.as_bytes(), body.as_bytes()),
            )
            .body(body)
            .send()
            .unwrap()
    };
    let now_s = chrono::Utc::now().timestamp();
    let refused = post(webhook(&(now_s * 1_000).to_string(), "wamid.MILLIS"));
    assert_eq!(refused.status().as_u16(), 400);
    let answer: serde_json::Value = refused.json().unwrap();
    let reason = answer["error"].as_str().unwrap().to_owned();
    assert!(
        reason.starts_with("entry[0].changes[0].value.messages[0].timestamp: "),
        "{reason}"
    );
    assert!(reason.contains("looks like milliseconds"), "{reason}");
    let fine = post(webhook(&now_s.to_string(), "wamid.SECONDS"));
    assert_eq!(fine.status().as_u16(), 200);

    assert!(std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    assert!(child.wait().unwrap().success());

    let letters = dead_letters(dir.path());
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(letters[0]["source"], "gateway");
    assert_eq!(letters[0]["error"], reason.as_str());
    let events = conversation(dir.path());
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["event_id"], "wamid.SECONDS");
}
