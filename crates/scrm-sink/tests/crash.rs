//! kill -9 between the destination's answer and the ledger write, then a restart: the
//! ledger decides what is delivered again. The test runs itself as a child process
//! (`SCRM_SINK_CRASH_CHILD` selects the child's part), whose destination journals every
//! delivery to a file and aborts the process at the crash point.

mod common;

use std::time::Duration;

use common::*;
use scrm_sink::WorkerOptions;
use scrm_time::ManualClock;

const CHILD: &str = "SCRM_SINK_CRASH_CHILD";

fn options() -> WorkerOptions {
    WorkerOptions {
        max_batch: 3,
        poll_wait_ms: 20,
        ..WorkerOptions::default()
    }
}

fn journal(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("journal"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The child's part: deliver until the second call, which aborts after answering.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD) else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let log = open_log(&dir, 1);
    let mut fake = Fake::new();
    fake.journal = Some(dir.join("journal"));
    fake.abort_on_call = Some(2);
    let clock = ManualClock::new(T0);
    let mut w = worker(&dir, &log, 1, fake, &clock, options());
    rt.block_on(async {
        loop {
            w.step(Duration::from_millis(20)).await.unwrap();
        }
    });
}

#[test]
fn a_batch_not_written_before_a_crash_is_delivered_again_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..8).map(|i| format!("done:c{i}")).collect();
    {
        let log = open_log(dir.path(), 1);
        append(
            log.as_ref(),
            &ids.iter().map(String::as_str).collect::<Vec<_>>(),
        );
    }
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD, dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the child must die at the crash point");
    assert_eq!(journal(dir.path()), ["c0", "c1", "c2", "c3", "c4", "c5"]);

    let log = open_log(dir.path(), 1);
    assert_eq!(
        delivered(log.as_ref()),
        ["c0", "c1", "c2"],
        "only the written batch's events"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut fake = Fake::new();
    fake.journal = Some(dir.path().join("journal"));
    let clock = ManualClock::new(T0);
    let mut w = worker(dir.path(), &log, 1, fake.clone(), &clock, options());
    assert_eq!(
        w.ledger().offset(INPUT, 0).unwrap(),
        3,
        "the ledger has the first batch only"
    );
    rt.block_on(drain(&mut w));
    let again: Vec<String> = fake
        .calls()
        .into_iter()
        .flat_map(|c| c.records.into_iter().map(|(id, _)| id))
        .collect();
    assert_eq!(
        again,
        ["c3", "c4", "c5", "c6", "c7"],
        "the unwritten batch again, then the rest"
    );
    assert_eq!(
        delivered(log.as_ref()),
        ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"],
        "each event once in the log"
    );
}
