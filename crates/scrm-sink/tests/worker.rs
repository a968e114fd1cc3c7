//! The worker against a fake destination over a real embedded log, with time moved by
//! hand: batch sizes, mixed outcomes and the dead-letter topic, `Retry-After`, the rate
//! limit, and shutdown during a wait.

mod common;

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use common::*;
use scrm_sink::{RetryPolicy, WorkerOptions};
use scrm_time::{Clock, ManualClock};
use tokio_util::sync::CancellationToken;

fn options(max_batch: usize) -> WorkerOptions {
    WorkerOptions {
        max_batch,
        poll_wait_ms: 20,
        retry: RetryPolicy {
            base_ms: 100,
            cap_ms: 100,
            max_attempts: NonZeroU32::new(3),
        },
        ..WorkerOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_have_the_configured_size_and_one_write_covers_each() {
    let dir = tempfile::tempdir().unwrap();
    let log = open_log(dir.path(), 1);
    let values: Vec<String> = (0..10).map(|i| format!("done:r{i}")).collect();
    append(
        log.as_ref(),
        &values.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let clock = ManualClock::new(T0);
    let fake = Fake::new();
    let mut w = worker(dir.path(), &log, 1, fake.clone(), &clock, options(4));
    drain(&mut w).await;
    let sizes: Vec<usize> = fake.calls().iter().map(|c| c.records.len()).collect();
    assert_eq!(sizes, [4, 4, 2]);
    assert_eq!(
        delivered(log.as_ref()),
        values.iter().map(|v| &v[5..]).collect::<Vec<_>>()
    );
    assert_eq!(w.ledger().offset(INPUT, 0).unwrap(), 10);
    assert_eq!(
        w.ledger().owed().unwrap().len(),
        0,
        "every owed event appended"
    );

    // A restart delivers nothing again; a re-appended id is a duplicate.
    drop(w);
    append(log.as_ref(), &["done:r3", "done:r10"]);
    let fake = Fake::new();
    let mut w = worker(dir.path(), &log, 1, fake.clone(), &clock, options(4));
    drain(&mut w).await;
    let ids: Vec<_> = fake.calls().into_iter().flat_map(|c| c.records).collect();
    assert_eq!(ids, [("r10".to_owned(), 0)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_record_gets_its_own_outcome_and_the_dead_reach_the_dead_letter_topic() {
    let dir = tempfile::tempdir().unwrap();
    let log = open_log(dir.path(), 2);
    append(
        log.as_ref(),
        &[
            "done:a", "retry:b", "dead:c", "skip:d", "garbage", "done:a", "fail:f",
        ],
    );
    let clock = ManualClock::new(T0);
    let fake = Fake::new();
    let mut w = worker(dir.path(), &log, 2, fake.clone(), &clock, options(10));
    drain(&mut w).await;
    let mut first: Vec<String> = fake
        .calls()
        .iter()
        .flat_map(|c| c.records.iter().map(|(id, _)| id.clone()))
        .collect();
    first.sort();
    assert_eq!(
        first,
        ["a", "b", "c", "f"],
        "skipped, undecodable and repeated ids are not delivered"
    );
    assert_eq!(delivered(log.as_ref()), ["a"]);
    assert_eq!(
        w.ledger().waiting().unwrap(),
        2,
        "b and f wait for their retry"
    );

    // Each second of the clock brings the retries round; f fails for good on its third.
    for _ in 0..3 {
        clock.advance(Duration::from_secs(1));
        drain(&mut w).await;
    }
    let attempts: Vec<(String, u32)> = fake
        .calls()
        .into_iter()
        .skip(1)
        .flat_map(|c| c.records)
        .collect();
    assert!(attempts.contains(&("b".into(), 1)), "{attempts:?}");
    assert!(attempts.contains(&("f".into(), 2)), "{attempts:?}");
    assert!(
        !attempts.iter().any(|(id, n)| id == "f" && *n > 2),
        "three attempts, no more"
    );
    let mut out = delivered(log.as_ref());
    out.sort();
    assert_eq!(out, ["a", "b"]);
    assert_eq!(w.ledger().waiting().unwrap(), 0);
    let mut dead = dead_letters(log.as_ref());
    dead.sort();
    assert_eq!(
        dead,
        [
            ("DECODE".to_owned(), "\"garbage\" is not kind:id".to_owned()),
            (
                "DELIVERY".to_owned(),
                "gave up after 3 attempts: http 503".to_owned()
            ),
            ("DELIVERY".to_owned(), "refused: http 422".to_owned()),
        ]
    );
    let letter = records(log.as_ref(), &scrm_schema::TopicKind::Dlq.name(""));
    assert!(letter.iter().all(|r| r
        .headers
        .iter()
        .any(|(n, v)| n == "scrm.error.source" && v == b"fake")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_holds_the_next_attempt_until_its_time() {
    let dir = tempfile::tempdir().unwrap();
    let log = open_log(dir.path(), 1);
    append(log.as_ref(), &["429:g"]);
    let clock = ManualClock::new(T0);
    let fake = Fake::new();
    let mut w = worker(dir.path(), &log, 1, fake.clone(), &clock, options(10));
    drain(&mut w).await;
    assert_eq!(w.next_due().await.unwrap(), Some(T0 + 120_000));
    clock.advance(Duration::from_millis(119_999));
    drain(&mut w).await;
    assert_eq!(
        fake.calls().len(),
        1,
        "not a millisecond before Retry-After"
    );
    clock.advance(Duration::from_millis(1));
    drain(&mut w).await;
    let calls = fake.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].at_ms, T0 + 120_000);
    assert_eq!(calls[1].records, [("g".to_owned(), 1)]);
    assert_eq!(delivered(log.as_ref()), ["g"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_spaces_calls_on_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let log = open_log(dir.path(), 1);
    append(log.as_ref(), &["done:1", "done:2", "done:3", "done:4"]);
    let clock = ManualClock::new(T0);
    let fake = Fake::new();
    let mut opts = options(1);
    opts.calls_per_second = NonZeroU32::new(2);
    let w = worker(dir.path(), &log, 1, fake.clone(), &clock, opts);
    let cancel = CancellationToken::new();
    let run = tokio::spawn(w.run(cancel.clone()));
    // Whenever the worker waits for the limiter, move the clock to exactly that moment.
    while fake.calls().len() < 4 {
        let waiting = || clock.next_deadline().filter(|at| *at > clock.now_ms());
        until("the worker waits or is done", || {
            waiting().is_some() || fake.calls().len() == 4
        })
        .await;
        if let Some(at) = waiting() {
            clock.set(at);
        }
    }
    let at: Vec<i64> = fake.calls().iter().map(|c| c.at_ms - T0).collect();
    assert_eq!(
        at,
        [0, 0, 500, 1_000],
        "a burst of 2, then one every 500 ms"
    );
    cancel.cancel();
    run.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_ends_a_wait_for_a_retry_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let log = open_log(dir.path(), 1);
    let clock = ManualClock::new(T0);
    let mut opts = options(10);
    opts.retry.base_ms = 3_600_000;
    opts.retry.cap_ms = 3_600_000;
    append(log.as_ref(), &["fail:h"]);
    let w = worker(dir.path(), &log, 1, Fake::new(), &clock, opts);
    let cancel = CancellationToken::new();
    let run = tokio::spawn(w.run(cancel.clone()));
    until("the worker waits for the retry", || {
        clock.next_deadline().is_some()
    })
    .await;
    let started = Instant::now();
    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(2), run)
        .await
        .expect("stopped within 2 s")
        .unwrap()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(clock.now_ms() == T0, "nobody moved the clock");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_ends_a_wait_inside_the_destination_and_the_record_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let log = open_log(dir.path(), 1);
    let clock = ManualClock::new(T0);
    append(log.as_ref(), &["wait:i"]);
    let fake = Fake::new();
    let w = worker(dir.path(), &log, 1, fake.clone(), &clock, options(10));
    let cancel = CancellationToken::new();
    let run = tokio::spawn(w.run(cancel.clone()));
    until("the destination waits", || clock.next_deadline().is_some()).await;
    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(2), run)
        .await
        .expect("stopped within 2 s")
        .unwrap()
        .unwrap();
    // The batch was answered ("retry now") and written: after a restart it goes again.
    let fake = Fake::new();
    let mut w = worker(dir.path(), &log, 1, fake.clone(), &clock, options(10));
    assert_eq!(w.ledger().waiting().unwrap(), 1);
    let run = {
        let cancel = CancellationToken::new();
        let clock = clock.clone();
        let fake = fake.clone();
        tokio::spawn(async move {
            let stepping = async {
                loop {
                    w.step(Duration::from_millis(20)).await.unwrap();
                }
            };
            tokio::select! {
                () = stepping => {}
                () = async {
                    until("the retry waits on the clock", || clock.next_deadline().is_some()).await;
                    clock.advance(Duration::from_secs(3_600));
                    until("delivered", || fake.calls().len() == 1).await;
                    cancel.cancel();
                } => {}
            }
        })
    };
    tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fake.calls()[0].records, [("i".to_owned(), 1)]);
}
