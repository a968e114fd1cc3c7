//! SIGTERM stops scrm within a bounded time whatever it is doing: the gateway holding a
//! client that sent half a request, and the processor idle, busy, or restoring a large
//! changelog (a restart then restores fully and correctly).

mod processor;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use processor::*;
use scrm_log::{EmbeddedLog, EmbeddedOptions, EventLog, Record};
use scrm_schema::TopicKind;
use scrm_state::keys::{self, Table};
use scrm_state::{CustomerState, PartitionMeta, RocksStore, StateStore};

/// What an orchestrator typically waits between SIGTERM and SIGKILL.
const STOP_WITHIN: Duration = Duration::from_secs(10);

/// Starts `cmd` with stderr read on a thread; returns the child and its stderr lines.
fn start(mut cmd: Command) -> (Child, Receiver<String>) {
    let mut child = cmd.stderr(Stdio::piped()).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

/// Waits for the stderr line containing `marker` and returns the address after it.
fn address_after(rx: &Receiver<String>, marker: &str) -> String {
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("no `{marker}` line"));
        if let Some(rest) = line.split(marker).nth(1) {
            let url = rest.trim().trim_start_matches("http://");
            return url.split('/').next().unwrap().to_owned();
        }
    }
}

/// Sends SIGTERM and returns how long the process took to exit, and whether it succeeded.
fn terminate(child: &mut Child) -> (Duration, bool) {
    let asked = Instant::now();
    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (asked.elapsed(), status.success());
        }
        if asked.elapsed() > STOP_WITHIN * 3 {
            child.kill().ok();
            child.wait().ok();
            panic!("still running {:?} after SIGTERM", asked.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn get(addr: &str, path: &str) -> String {
    reqwest::blocking::get(format!("http://{addr}{path}"))
        .and_then(|r| r.text())
        .unwrap_or_default()
}

/// Polls `path` until `done` holds on its body.
fn wait_for(addr: &str, path: &str, what: &str, done: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let body = get(addr, path);
        if done(&body) {
            return;
        }
        assert!(Instant::now() < deadline, "never {what}: {body}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_gateway_stops_while_a_client_holds_half_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scrm"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SCRM_LOG", "warn")
        .env("SCRM_WHATSAPP_VERIFY_TOKEN", "verify")
        .env("SCRM_WHATSAPP_APP_SECRET", "secret")
        .arg("--data-dir")
        .arg(dir.path())
        .args(["gateway", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null());
    let (mut child, rx) = start(cmd);
    let addr = address_after(&rx, "gateway listening on");
    let mut stream = TcpStream::connect(&addr).unwrap();
    let body = "x".repeat(1_000);
    write!(
        stream,
        "POST /webhook HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..500]
    )
    .unwrap();
    stream.flush().unwrap();
    // The server answers on another connection, and the half request's bytes have had a
    // moment to be read: the request is in flight, its handler waiting for the rest.
    assert!(!get(&addr, "/healthz").is_empty(), "the gateway answers");
    std::thread::sleep(Duration::from_millis(300));
    let (took, success) = terminate(&mut child);
    assert!(took < STOP_WITHIN, "took {took:?} to stop");
    assert!(success, "exit status after SIGTERM");
    drop(stream);
}

#[test]
fn the_processor_stops_when_idle_and_when_busy() {
    // Idle: nothing to read.
    let idle = tempfile::tempdir().unwrap();
    let (mut child, rx) = start(process(idle.path(), None, &["--listen", "127.0.0.1:0"]));
    let addr = address_after(&rx, "API listening on");
    wait_for(&addr, "/readyz", "ready", |b| b.contains("\"ready\":true"));
    let (took, success) = terminate(&mut child);
    assert!(took < STOP_WITHIN, "idle: took {took:?} to stop");
    assert!(success, "idle: exit status");

    // Busy: a backlog being applied.
    let busy = tempfile::tempdir().unwrap();
    {
        let log = EmbeddedLog::open(busy.path(), EmbeddedOptions::default()).unwrap();
        write_input(&[(&log, "")], 2_000, 30, 0);
    }
    let (mut child, rx) = start(process(
        busy.path(),
        None,
        &["--event-time", "--listen", "127.0.0.1:0"],
    ));
    let addr = address_after(&rx, "API listening on");
    wait_for(&addr, "/metrics", "busy", |m| {
        m.lines()
            .filter(|l| l.starts_with("scrm_processor_events_total"))
            .any(|l| !l.ends_with(" 0"))
    });
    let (took, success) = terminate(&mut child);
    assert!(took < STOP_WITHIN, "busy: took {took:?} to stop");
    assert!(success, "busy: exit status");
}

/// Customers per partition in the synthetic changelog, and states per customer.
const CUSTOMERS: u64 = 20_000;
const VERSIONS: u64 = 15;

/// A changelog of `CUSTOMERS` customers, each written `VERSIONS` times (one commit per
/// version and partition), as the processor writes it; returns the final states.
fn write_changelog(log: &dyn EventLog) -> BTreeMap<String, CustomerState> {
    for kind in TopicKind::ALL {
        log.ensure_topic(&spec(kind, "")).unwrap();
    }
    let topic = TopicKind::StateChangelog.name("");
    let mut last = BTreeMap::new();
    for version in 0..VERSIONS {
        let mut records = Vec::new();
        for i in 0..CUSTOMERS {
            let customer = format!("+8529{:07}", i);
            let state = CustomerState {
                first_seen_ms: 1_790_000_000_000 + i as i64,
                last_event_ms: 1_790_000_000_000 + (version * 1_000 + i) as i64,
                ..CustomerState::default()
            };
            records.push(Record::new(
                customer.clone().into_bytes(),
                state.encode(),
                state.last_event_ms,
            ));
            last.insert(customer, state);
        }
        for partition in 0..PARTITIONS {
            let mut progress = Record::new(
                b"\0partition".to_vec(),
                PartitionMeta::default().encode(),
                0,
            );
            progress.partition = Some(partition);
            records.push(progress);
        }
        log.append(&topic, records).unwrap();
    }
    last
}

fn restored_partitions(data_dir: &Path) -> usize {
    let store = RocksStore::open_read_only(&data_dir.join("state")).unwrap();
    (0..PARTITIONS)
        .filter(|p| {
            store
                .get(Table::Partitions, &keys::partition_key(*p))
                .unwrap()
                .is_some()
        })
        .count()
}

#[test]
fn the_processor_stops_while_restoring_and_restores_fully_next_time() {
    let dir = tempfile::tempdir().unwrap();
    let want = {
        let log = EmbeddedLog::open(dir.path(), EmbeddedOptions::default()).unwrap();
        write_changelog(&log)
    };
    // Event time: no wall clock moves a restored partition and expires its customers.
    let (mut child, rx) = start(process(
        dir.path(),
        None,
        &["--event-time", "--listen", "127.0.0.1:0"],
    ));
    let addr = address_after(&rx, "API listening on");
    wait_for(&addr, "/readyz", "restoring", |b| {
        b.contains(" restoring") && !b.contains(" 0 restoring")
    });
    let (took, success) = terminate(&mut child);
    assert!(took < STOP_WITHIN, "took {took:?} to stop while restoring");
    assert!(success, "exit status");
    assert!(
        restored_partitions(dir.path()) < PARTITIONS as usize,
        "the restore finished before SIGTERM; make the changelog bigger"
    );

    run_to_end(process(
        dir.path(),
        None,
        &["--event-time", "--exit-when-caught-up", "--no-api"],
    ));
    assert_eq!(restored_partitions(dir.path()), PARTITIONS as usize);
    assert_same_states(&want, &states(dir.path()));
}
