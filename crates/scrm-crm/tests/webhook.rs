//! The webhook sink on the delivery worker, over a real embedded log, posting to the
//! strict local receiver: what arrives, signed and once; what a 429, a 500 and a 400 do.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use scrm_config::Secret;
use scrm_crm::receiver::{Fault, WebhookReceiver};
use scrm_crm::{FieldMapping, WebhookConfig, WebhookParts, WebhookSink};
use scrm_events::output::{CrmCommand, CrmOp};
use scrm_log::EventLog;
use scrm_schema::{Codec, TopicKind};
use scrm_sink::{Metrics, Worker, WorkerOptions, WorkerParts};
use scrm_time::{Clock, ManualClock};

use common::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn config(url: &str, secret: &str) -> WebhookConfig {
    let mut config = WebhookConfig::default().with_secret(Secret::new(secret));
    config.url = Some(url.to_owned());
    config.mapping = FieldMapping {
        rename: BTreeMap::from([("first_name".into(), "firstname".into())]),
        ..FieldMapping::default()
    };
    config
}

fn worker(
    dir: &Path,
    log: &Arc<dyn EventLog>,
    clock: &ManualClock,
    config: WebhookConfig,
) -> Worker<WebhookSink> {
    let sink = WebhookSink::new(WebhookParts {
        config,
        codec: Arc::new(Codec::single_object()),
        commands_schema: schema(TopicKind::CrmCommands),
        clock: clock.shared(),
    })
    .unwrap();
    Worker::new(WorkerParts {
        destination: sink,
        log: log.clone(),
        ledger_dir: dir.join("ledger"),
        topic: TopicKind::CrmCommands.name(""),
        partitions: 1,
        dlq: dlq(),
        clock: clock.shared(),
        metrics: Metrics::default(),
        options: WorkerOptions {
            poll_wait_ms: 50,
            ..WorkerOptions::default()
        },
    })
    .unwrap()
}

struct Setup {
    dir: tempfile::TempDir,
    log: Arc<dyn EventLog>,
    clock: ManualClock,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let log = scrm_testkit::embedded_log(&dir.path().join("log"), 1);
    // Near the wall clock: the receiver checks the signature's timestamp against its own.
    let clock = ManualClock::new(chrono::Utc::now().timestamp_millis());
    Setup { dir, log, clock }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_arrive_signed_mapped_folded_and_once() {
    let s = setup();
    let receiver = WebhookReceiver::start(SECRET).await.unwrap();
    let t = s.clock.now_ms() - 60_000;
    append(
        s.log.as_ref(),
        &[
            upsert(
                "u1",
                MEI,
                t,
                &[("first_name", Some("Mei")), ("level", None)],
            ),
            upsert("u2", ANA, t + 1, &[("first_name", Some("Ana"))]),
            CrmCommand {
                operation: CrmOp::CreateTask {
                    subject: "Call back about the iPhone 15 Pro Max".into(),
                    body: None,
                    due_at_ms: Some(t + 86_400_000),
                    priority: Some("high".into()),
                },
                ..upsert("t1", MEI, t + 2, &[])
            },
            CrmCommand {
                operation: CrmOp::AddNote {
                    body: "Customer sent a photo of the box".into(),
                    media_url: Some("file:///media/ab12".into()),
                },
                ..upsert("n1", ANA, t + 3, &[])
            },
            upsert(
                "u3",
                MEI,
                t + 4,
                &[("tags", Some("vip")), ("level", Some("Gold"))],
            ),
        ],
    );
    let mut w = worker(
        s.dir.path(),
        &s.log,
        &s.clock,
        config(&receiver.url(), SECRET),
    );
    drain(&mut w).await;
    let held = receiver.held();
    assert!(held.refused.is_empty(), "{:?}", held.refused);
    // Mei's two upserts went as one request, under the later id.
    assert_eq!(held.requests.len(), 4, "{:?}", held.requests);
    assert!(held.requests.contains(&"u3".to_owned()) && !held.requests.contains(&"u1".to_owned()));
    let mei = &held.contacts[MEI];
    assert_eq!(mei.get("firstname"), Some("Mei"), "renamed by the mapping");
    assert_eq!(mei.get("level"), Some("Gold"), "the later value wins");
    assert_eq!(mei.get("tags"), Some("vip"));
    assert_eq!(held.contacts[ANA].get("firstname"), Some("Ana"));
    assert_eq!(held.tasks["t1"].priority.as_deref(), Some("high"));
    assert!(held.tasks["t1"].due_at.as_deref().unwrap().ends_with('Z'));
    assert_eq!(
        held.notes["n1"].media_url.as_deref(),
        Some("file:///media/ab12")
    );

    // A restart from the same ledger sends nothing again; a new command goes.
    drop(w);
    append(
        s.log.as_ref(),
        &[upsert("u4", LEA, t + 5, &[("level", Some(""))])],
    );
    let mut w = worker(
        s.dir.path(),
        &s.log,
        &s.clock,
        config(&receiver.url(), SECRET),
    );
    drain(&mut w).await;
    let held = receiver.held();
    assert_eq!(held.requests.len(), 5, "{:?}", held.requests);
    assert_eq!(
        held.contacts[LEA].get("level"),
        Some("New Customer"),
        "an empty level takes the mapping's default"
    );
    assert!(dead_reasons(s.log.as_ref()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_waits_for_retry_after_a_500_is_retried_and_a_400_is_dead_with_the_receivers_words() {
    let s = setup();
    let receiver = WebhookReceiver::start(SECRET).await.unwrap();
    let t = s.clock.now_ms() - 60_000;
    let mut w = worker(
        s.dir.path(),
        &s.log,
        &s.clock,
        config(&receiver.url(), SECRET),
    );

    receiver.fail_next(
        Fault {
            status: 429,
            retry_after: Some("120".into()),
            body: String::new(),
        },
        1,
    );
    append(
        s.log.as_ref(),
        &[upsert("a", MEI, t, &[("level", Some("VIP"))])],
    );
    drain(&mut w).await;
    assert!(receiver.held().contacts.is_empty());
    s.clock.advance(Duration::from_secs(119));
    drain(&mut w).await;
    assert_eq!(receiver.held().requests, ["a"], "not before Retry-After");
    s.clock.advance(Duration::from_secs(2));
    drain(&mut w).await;
    let held = receiver.held();
    assert_eq!(
        held.requests,
        ["a", "a"],
        "the same webhook-id on the retry"
    );
    assert_eq!(held.contacts[MEI].get("level"), Some("VIP"));

    receiver.fail_next(Fault::status(500), 1);
    append(
        s.log.as_ref(),
        &[upsert("b", ANA, t, &[("level", Some("New"))])],
    );
    drain(&mut w).await;
    assert!(!receiver.held().contacts.contains_key(ANA));
    s.clock.advance(Duration::from_secs(2));
    drain(&mut w).await;
    assert_eq!(receiver.held().contacts[ANA].get("level"), Some("New"));

    // One record the receiver can never take: the rest of its batch is delivered.
    receiver.fail_customer(
        LEA,
        Fault {
            status: 400,
            retry_after: None,
            body: r#"{"error":"INVALID_PHONE","field":"phone"}"#.into(),
        },
    );
    append(
        s.log.as_ref(),
        &[
            upsert("c", LEA, t, &[("level", Some("VIP"))]),
            upsert("d", MEI, t + 1, &[("tags", Some("wholesale"))]),
        ],
    );
    drain(&mut w).await;
    let held = receiver.held();
    assert_eq!(held.contacts[MEI].get("tags"), Some("wholesale"));
    assert!(!held.contacts.contains_key(LEA));
    assert_eq!(
        held.requests.iter().filter(|id| *id == "c").count(),
        1,
        "a 400 is not retried"
    );
    let dead = dead_reasons(s.log.as_ref());
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert!(
        dead[0].contains("http 400") && dead[0].contains("INVALID_PHONE"),
        "{dead:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_refused_by_the_receiver_and_lands_in_the_dead_letters() {
    let s = setup();
    let receiver = WebhookReceiver::start(SECRET).await.unwrap();
    let other = "whsec_QWxsIHRoZSBzYW1lIGxlbmd0aCBidXQgbm90IG91cnM=";
    let mut w = worker(
        s.dir.path(),
        &s.log,
        &s.clock,
        config(&receiver.url(), other),
    );
    append(
        s.log.as_ref(),
        &[upsert(
            "x",
            MEI,
            s.clock.now_ms(),
            &[("level", Some("VIP"))],
        )],
    );
    drain(&mut w).await;
    let held = receiver.held();
    assert!(held.contacts.is_empty());
    assert_eq!(held.refused.len(), 1);
    assert_eq!(held.refused[0].0, 401);
    let dead = dead_reasons(s.log.as_ref());
    assert!(dead.len() == 1 && dead[0].contains("http 401"), "{dead:?}");
}
