//! Two processor instances share the partitions through a Kafka consumer group (on a
//! real Tansu broker). One stops; the other restores the partitions it lost from the
//! changelog and carries on. The final state and outputs equal a single instance's.

mod processor;

use std::io::{BufRead, BufReader};
use std::process::Child;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use processor::*;
use scrm_log::{KafkaConfig, KafkaLog};
use scrm_testkit::{unique_name, Broker};

struct Instance {
    child: Child,
    api: String,
}

fn start(cmd: &mut std::process::Command) -> Instance {
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("scrm: API listening on ") {
                let _ = tx.send(url.to_owned());
            }
            eprintln!("[scrm] {line}");
        }
    });
    let api = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the API address");
    Instance { child, api }
}

/// Sums a metric's samples on an instance's /metrics.
fn metric(api: &str, name: &str) -> Option<f64> {
    let text = reqwest::blocking::get(format!("{api}/metrics"))
        .ok()?
        .text()
        .ok()?;
    let samples: Vec<f64> = text
        .lines()
        .filter(|l| l.starts_with(name) && !l.starts_with('#'))
        .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
        .collect();
    (!samples.is_empty()).then(|| samples.iter().sum())
}

fn wait_for(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn sigterm(child: &mut Child) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(
        exit.success(),
        "a SIGTERM'd processor exits cleanly: {exit:?}"
    );
}

#[test]
fn a_partition_moves_to_the_other_instance_and_nothing_is_lost() {
    let broker = Broker::get();
    let log = KafkaLog::connect(KafkaConfig::new(broker.bootstrap.clone())).unwrap();
    let tag: u32 = rand::random();
    let (p_ref, p_pair) = (format!("r{tag:010}."), format!("p{tag:010}."));
    let total = write_input(&[(&log, &p_ref), (&log, &p_pair)], 300, 70, 0);
    eprintln!("{total} input records");

    let reference = tempfile::tempdir().unwrap();
    let args = ["--event-time", "--exit-when-caught-up", "--no-api"];
    run_to_end(process(
        reference.path(),
        Some((&broker.bootstrap, &p_ref, &unique_name("g"))),
        &args,
    ));

    let group = unique_name("pair");
    let kafka = Some((broker.bootstrap.as_str(), p_pair.as_str(), group.as_str()));
    let live = ["--event-time", "--listen", "127.0.0.1:0"];
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let info = |mut cmd: std::process::Command| {
        cmd.env("SCRM_LOG", "warn,scrm_processor=info,scrm_log=info")
            .env("SCRM_API_TOKEN", "s3cret-token");
        cmd
    };
    let mut a = start(&mut info(process(dir_a.path(), kafka, &live)));
    let mut b = start(&mut info(process(dir_b.path(), kafka, &live)));
    let owned = |i: &Instance| metric(&i.api, "scrm_processor_partitions_owned").unwrap_or(0.0);
    wait_for(
        "both instances to own partitions",
        Duration::from_secs(60),
        || owned(&a) > 0.0 && owned(&b) > 0.0,
    );
    wait_for("b to make progress", Duration::from_secs(60), || {
        metric(&b.api, "scrm_processor_events_total").unwrap_or(0.0) > 0.0
    });
    sigterm(&mut b.child);
    wait_for("a to own every partition", Duration::from_secs(60), || {
        owned(&a) == f64::from(PARTITIONS)
    });
    // Ready means every owned partition is restored (the flag is refreshed every 200 ms,
    // so wait for the restore itself too); then the lag tells the rest.
    let ready = |i: &Instance| {
        reqwest::blocking::get(format!("{}/readyz", i.api)).is_ok_and(|r| r.status().is_success())
    };
    let restored =
        |i: &Instance| metric(&i.api, "scrm_processor_restore_records_total").unwrap_or(0.0) > 0.0;
    wait_for(
        "a to restore b's partitions and catch up",
        Duration::from_secs(300),
        || restored(&a) && ready(&a) && metric(&a.api, "scrm_processor_lag_records") == Some(0.0),
    );
    // The customer API answers from the live state, behind its bearer token.
    let want_states = states(reference.path());
    let (customer, state) = want_states.iter().next().unwrap();
    let url = format!("{}/customers/{}", a.api, customer.replace('+', "%2B"));
    let client = reqwest::blocking::Client::new();
    assert_eq!(client.get(&url).send().unwrap().status(), 401);
    let answer: serde_json::Value = client
        .get(&url)
        .bearer_auth("s3cret-token")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(answer["customer"], customer.as_str());
    assert_eq!(answer["last_event_ms"], state.last_event_ms);
    sigterm(&mut a.child);

    assert_same_states(&want_states, &states(dir_a.path()));
    let (want, _) = outputs(&log, &p_ref);
    let (got, _) = outputs(&log, &p_pair);
    let got = swap_prefix(got, &p_pair, &p_ref);
    assert_same_outputs(&want, &got);
}
