//! Running the real `scrm` binary in tests.

#![allow(dead_code, unreachable_pub)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn scrm_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_scrm"))
}

/// The binary with a fresh embedded data dir and no ambient configuration.
pub fn scrm(data_dir: &Path) -> Command {
    let mut cmd = Command::new(scrm_bin());
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::var("HOME").unwrap_or_default())
        .arg("--data-dir")
        .arg(data_dir);
    cmd
}

/// Runs `cmd` with `stdin` and returns its output.
pub fn run_with_input(cmd: &mut Command, stdin: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn scrm");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(data.as_bytes());
    });
    let out = child.wait_with_output().expect("scrm runs");
    writer.join().unwrap();
    out
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// An inbound text message in the produce JSON format.
pub fn text_message(event_id: &str, customer: &str, at: &str, body: &str) -> String {
    serde_json::json!({
        "event_id": event_id,
        "customer": customer,
        "occurred_at": at,
        "source": "test",
        "payload": {"InboundMessage": {
            "wamid": format!("wamid.{event_id}"),
            "profile_name": "Ana",
            "content": {"TextContent": {"body": body}}
        }}
    })
    .to_string()
}
