//! The processing guarantee under kill -9: the state of every customer and the outputs
//! (duplicates dropped by id) equal those of an uninterrupted run over the same input.

mod processor;

use std::time::Duration;

use processor::*;
use rand::{Rng, SeedableRng};
use scrm_log::{EmbeddedLog, EmbeddedOptions, KafkaConfig, KafkaLog};
use scrm_testkit::{unique_name, Broker};

const KILLS: usize = 6;

/// Kills the processor `KILLS` times, each after a random time in `window_ms`.
fn crash_runs(
    mut start: impl FnMut() -> std::process::Child,
    seed: u64,
    window_ms: std::ops::Range<u64>,
) -> usize {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut kills = 0;
    let mut attempts = 0;
    while kills < KILLS {
        attempts += 1;
        assert!(
            attempts < 40,
            "the processor keeps finishing before it can be killed"
        );
        let mut child = start();
        std::thread::sleep(Duration::from_millis(rng.gen_range(window_ms.clone())));
        if kill9(&mut child) {
            kills += 1;
        }
    }
    kills
}

#[test]
fn kill_9_on_the_embedded_log_changes_nothing() {
    let seed: u64 = rand::random();
    eprintln!("seed {seed}");
    let (reference, crashed) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let total = {
        let a = EmbeddedLog::open(reference.path(), EmbeddedOptions::default()).unwrap();
        let b = EmbeddedLog::open(crashed.path(), EmbeddedOptions::default()).unwrap();
        write_input(&[(&a, ""), (&b, "")], 2_000, 90, 50_000)
    };
    eprintln!("{total} input records");
    assert!(total >= 200_000, "{total}");
    let args = ["--event-time", "--exit-when-caught-up", "--no-api"];
    run_to_end(process(reference.path(), None, &args));
    let kills = crash_runs(
        || spawn_quiet(process(crashed.path(), None, &args)),
        seed,
        300..1_800,
    );
    run_to_end(process(crashed.path(), None, &args));

    let (want_states, got_states) = (states(reference.path()), states(crashed.path()));
    assert!(want_states.len() > 500);
    assert_same_states(&want_states, &got_states);
    let (want, want_raw) = outputs(
        &EmbeddedLog::open(reference.path(), EmbeddedOptions::default()).unwrap(),
        "",
    );
    let (got, got_raw) = outputs(
        &EmbeddedLog::open(crashed.path(), EmbeddedOptions::default()).unwrap(),
        "",
    );
    eprintln!(
        "{kills} kills; outputs {:?}; {want_raw} records uninterrupted, {got_raw} with crashes",
        counts(&want)
    );
    assert!(want[&scrm_schema::TopicKind::Triggers].len() > 10);
    assert!(
        !want[&scrm_schema::TopicKind::CrmCommands].is_empty(),
        "the 60-day timer fired"
    );
    assert!(
        !want[&scrm_schema::TopicKind::Dlq].is_empty(),
        "poison records reach the DLQ"
    );
    assert_same_outputs(&want, &got);
}

#[test]
fn kill_9_on_kafka_changes_nothing() {
    let broker = Broker::get();
    let seed: u64 = rand::random();
    eprintln!("seed {seed}");
    let log = KafkaLog::connect(KafkaConfig::new(broker.bootstrap.clone())).unwrap();
    // Same length, so outputs compare byte for byte once the prefix is swapped.
    let tag: u32 = rand::random();
    let (p_ref, p_crash) = (format!("r{tag:010}."), format!("c{tag:010}."));
    let total = write_input(&[(&log, &p_ref), (&log, &p_crash)], 1_000, 70, 40_000);
    eprintln!("{total} input records");
    let (reference, crashed) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let args = ["--event-time", "--exit-when-caught-up", "--no-api"];
    // Each start joins a new group: Tansu 0.6 did not hand a SIGKILLed member's partitions
    // to the next member in our runs. Offsets live in the state store, not in the group, so
    // the group id plays no part in the guarantee (the rebalance test covers the group).
    let g_ref = unique_name("g");
    run_to_end(process(
        reference.path(),
        Some((&broker.bootstrap, &p_ref, &g_ref)),
        &args,
    ));
    crash_runs(
        || {
            let group = unique_name("g");
            spawn_quiet(process(
                crashed.path(),
                Some((&broker.bootstrap, &p_crash, &group)),
                &args,
            ))
        },
        seed,
        // Joining the group takes a few seconds on Tansu.
        2_000..8_000,
    );
    run_to_end(process(
        crashed.path(),
        Some((&broker.bootstrap, &p_crash, &unique_name("g"))),
        &args,
    ));
    assert_same_states(&states(reference.path()), &states(crashed.path()));
    let (want, _) = outputs(&log, &p_ref);
    let (got, _) = outputs(&log, &p_crash);
    let got = swap_prefix(got, &p_crash, &p_ref);
    assert!(want[&scrm_schema::TopicKind::Triggers].len() > 5);
    assert_same_outputs(&want, &got);
}
