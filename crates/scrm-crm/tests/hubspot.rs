//! The HubSpot sink on the delivery worker, over a real embedded log, writing to the
//! strict local HubSpot (HubSpot's cloud cannot run here): what HubSpot ends up holding,
//! and what a 429, a 500 (before and after applying), a 400, a refused record, an expired
//! token, the daily reserve, HubSpot's interval limit and an erasure do.

mod common;

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use scrm_config::Secret;
use scrm_crm::hubspot::api::Object;
use scrm_crm::hubspot::server::{Fault, HubspotServer};
use scrm_crm::{HubspotConfig, HubspotMetrics, HubspotParts, HubspotSink};
use scrm_events::output::{CrmCommand, CrmOp};
use scrm_log::EventLog;
use scrm_schema::{Codec, TopicKind};
use scrm_sink::{Metrics, RetryPolicy, Worker, WorkerOptions, WorkerParts};
use scrm_time::{Clock, ManualClock};

use common::*;

const TOKEN: &str = "pat-na1-11111111-2222-3333-4444-555555555555";

fn deal(id: &str, customer: &str, at: i64, stage: &str) -> CrmCommand {
    let op = CrmOp::UpsertDeal {
        deal_key: format!("{customer}/IP15PM"),
        sku: "IP15PM".into(),
        title: "iPhone 15 Pro Max".into(),
        stage: stage.into(),
        amount_minor: Some(899_900),
        currency: Some("HKD".into()),
    };
    command(id, customer, at, op)
}

fn note(id: &str, customer: &str, at: i64) -> CrmCommand {
    let op = CrmOp::AddNote {
        body: "Customer sent a photo of the box".into(),
        media_url: Some("https://scrm.example/media/ab12".into()),
    };
    command(id, customer, at, op)
}

fn task(id: &str, customer: &str, at: i64) -> CrmCommand {
    let op = CrmOp::CreateTask {
        subject: "Call back about the iPhone 15 Pro Max".into(),
        body: Some("Asked for the price in store".into()),
        due_at_ms: Some(at + 86_400_000),
        priority: Some("high".into()),
    };
    command(id, customer, at, op)
}

fn case(id: &str, customer: &str, at: i64) -> CrmCommand {
    let op = CrmOp::CreateCase {
        case_key: format!("{customer}/complaint/{at}"),
        kind: "complaint".into(),
        subject: "The screen arrived cracked".into(),
        body: Some("The screen arrived cracked, I want a new one".into()),
    };
    command(id, customer, at, op)
}

fn erase(id: &str, customer: &str, at: i64) -> CrmCommand {
    let op = CrmOp::DeleteContact {
        reason: "erasure requested by the customer".into(),
    };
    command(id, customer, at, op)
}

struct Setup {
    dir: tempfile::TempDir,
    log: Arc<dyn EventLog>,
    clock: ManualClock,
    server: HubspotServer,
    metrics: HubspotMetrics,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let log = scrm_testkit::embedded_log(&dir.path().join("log"), 1);
    let clock = ManualClock::new(chrono::Utc::now().timestamp_millis());
    // The server counts its rate-limit intervals on the same clock as the sink.
    let server = HubspotServer::start_with_clock(TOKEN, clock.shared())
        .await
        .unwrap();
    Setup {
        dir,
        log,
        clock,
        server,
        metrics: HubspotMetrics::default(),
    }
}

impl Setup {
    fn config(&self, token: &str) -> HubspotConfig {
        let mut config = HubspotConfig::default().with_token(Secret::new(token));
        config.url = self.server.url();
        config.time_zone = "Asia/Hong_Kong".into();
        // The worker's own clock is moved by hand: a rate limit of its own would wait
        // on it. The interval test sets HubSpot's.
        config.requests_per_second = NonZeroU32::new(10_000).unwrap();
        config
    }

    fn worker(&self, config: HubspotConfig) -> Worker<HubspotSink> {
        let sink = HubspotSink::new(HubspotParts {
            config,
            codec: Arc::new(Codec::single_object()),
            commands_schema: schema(TopicKind::CrmCommands),
            clock: self.clock.shared(),
            metrics: self.metrics.clone(),
        })
        .unwrap();
        Worker::new(WorkerParts {
            destination: sink,
            log: self.log.clone(),
            ledger_dir: ledger(self.dir.path()),
            topic: TopicKind::CrmCommands.name(""),
            partitions: 1,
            dlq: dlq(),
            clock: self.clock.shared(),
            metrics: Metrics::default(),
            options: WorkerOptions {
                poll_wait_ms: 50,
                retry: RetryPolicy {
                    max_attempts: NonZeroU32::new(20),
                    ..RetryPolicy::default()
                },
                ..WorkerOptions::default()
            },
        })
        .unwrap()
    }

    /// Commands waiting in the worker's schedule.
    fn waiting(&self, w: &Worker<HubspotSink>) -> usize {
        w.ledger().waiting().unwrap()
    }
}

fn ledger(dir: &Path) -> std::path::PathBuf {
    dir.join("ledger")
}

/// The properties of a request's inputs, by input id.
fn sent(body: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let props = i["properties"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect();
            (i["id"].as_str().unwrap().to_owned(), props)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_deals_cases_notes_and_tasks_arrive_mapped_folded_and_associated() {
    let s = setup().await;
    let t = s.clock.now_ms() - 60_000;
    append(
        s.log.as_ref(),
        &[
            upsert(
                "u1",
                MEI,
                t,
                &[
                    ("name", Some("Mei")),
                    ("phone", Some(MEI)),
                    ("lead_source", Some("WhatsApp")),
                ],
            ),
            upsert("u2", ANA, t + 1, &[("name", Some("Ana"))]),
            deal("d1", MEI, t + 2, "open"),
            note("n1", MEI, t + 3),
            task("t1", ANA, t + 4),
            case("c1", ANA, t + 5),
            upsert(
                "u3",
                MEI,
                t + 6,
                &[("name", Some("Mei Chan")), ("segment", Some("vip"))],
            ),
        ],
    );
    let mut w = s.worker(s.config(TOKEN));
    drain(&mut w).await;
    let held = s.server.held();
    assert!(
        held.requests.iter().all(|r| r.status < 300),
        "{:#?}",
        held.requests
    );
    // One upsert for both contacts, Mei's two folded into one input, last value winning.
    let upserts = held.calls("/contacts/batch/upsert");
    assert_eq!(upserts.len(), 1);
    let inputs = sent(&upserts[0].body);
    assert_eq!(inputs.len(), 2);
    assert_eq!(inputs[MEI]["firstname"], "Mei Chan");
    let mei = held.by_key(Object::Contacts, MEI).unwrap();
    assert_eq!(mei.get("firstname"), Some("Mei Chan"), "name → firstname");
    assert_eq!(mei.get("phone"), Some(MEI));
    assert_eq!(mei.get("scrm_lead_source"), Some("WhatsApp"));
    assert_eq!(mei.get("scrm_segment"), Some("vip"));
    let ana = held.by_key(Object::Contacts, ANA).unwrap();

    let d = held
        .by_key(Object::Deals, &format!("{MEI}/IP15PM"))
        .unwrap();
    assert_eq!(d.get("dealname"), Some("iPhone 15 Pro Max"));
    assert_eq!(d.get("dealstage"), Some("appointmentscheduled"));
    assert_eq!(d.get("pipeline"), Some("default"));
    assert_eq!(d.get("amount"), Some("8999.00"));
    assert_eq!(
        held.contacts_of(Object::Deals, &d.id),
        [(mei.id.clone(), 3)]
    );

    let n = held.by_key(Object::Notes, "n1").unwrap();
    assert!(n.get("hs_timestamp").unwrap().ends_with('Z'));
    assert!(n
        .get("hs_note_body")
        .unwrap()
        .contains("href=\"https://scrm.example/media/ab12\""));
    assert_eq!(
        held.contacts_of(Object::Notes, &n.id),
        [(mei.id.clone(), 202)]
    );

    let tk = held.by_key(Object::Tasks, "t1").unwrap();
    assert_eq!(tk.get("hs_task_priority"), Some("HIGH"));
    assert_eq!(tk.get("hs_task_status"), Some("NOT_STARTED"));
    assert_eq!(
        tk.get("hs_timestamp"),
        Some(scrm_schema::json::format_millis(t + 4 + 86_400_000).as_str()),
        "a task's hs_timestamp is its due date"
    );
    assert_eq!(
        held.contacts_of(Object::Tasks, &tk.id),
        [(ana.id.clone(), 204)]
    );

    let c = held
        .by_key(Object::Tickets, &format!("{ANA}/complaint/{}", t + 5))
        .unwrap();
    assert_eq!(c.get("hs_ticket_priority"), Some("HIGH"));
    assert_eq!(c.get("hs_pipeline_stage"), Some("1"));
    assert_eq!(
        held.contacts_of(Object::Tickets, &c.id),
        [(ana.id.clone(), 16)]
    );

    // Won: the same deal moves, no second one; a cleared field goes alone, as "".
    append(
        s.log.as_ref(),
        &[
            deal("d2", MEI, t + 7, "won"),
            upsert("u4", MEI, t + 8, &[("segment", None)]),
        ],
    );
    drain(&mut w).await;
    let held = s.server.held();
    let deals = held.all(Object::Deals);
    assert_eq!(deals.len(), 1);
    assert_eq!(deals[0].get("dealstage"), Some("closedwon"));
    assert!(deals[0].get("closedate").is_some());
    let last = held
        .calls("/contacts/batch/upsert")
        .last()
        .unwrap()
        .body
        .clone();
    assert_eq!(
        sent(&last)[MEI],
        BTreeMap::from([("scrm_segment".to_owned(), String::new())]),
        "only the changed field"
    );
    let mei = held.by_key(Object::Contacts, MEI).unwrap();
    assert_eq!(
        (mei.get("scrm_segment"), mei.get("firstname")),
        (None, Some("Mei Chan"))
    );

    let budget = w.destination().budget();
    assert_eq!(budget.daily, Some(250_000), "the headers are read");
    assert_eq!(
        budget.daily_remaining,
        Some(250_000 - held.requests.len() as u64)
    );
    assert_eq!(
        s.metrics.daily_remaining.get(),
        250_000 - held.requests.len() as i64
    );

    // A restart from the same ledger sends nothing again.
    let before = held.requests.len();
    drop(w);
    let mut w = s.worker(s.config(TOKEN));
    drain(&mut w).await;
    assert_eq!(s.server.held().requests.len(), before);
    assert!(dead_reasons(s.log.as_ref()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_waits_for_retry_after_and_a_500_is_retried() {
    let s = setup().await;
    let t = s.clock.now_ms() - 60_000;
    let mut w = s.worker(s.config(TOKEN));

    s.server.fail_next(Fault::rate_limited(120), 1);
    append(
        s.log.as_ref(),
        &[upsert("a", MEI, t, &[("name", Some("Mei"))])],
    );
    drain(&mut w).await;
    assert!(s.server.held().by_key(Object::Contacts, MEI).is_none());
    assert_eq!(s.metrics.waits("retry_after"), 1, "the wait is seen");
    assert!((s.metrics.wait_seconds("retry_after") - 120.0).abs() < 1e-9);
    s.clock.advance(Duration::from_secs(119));
    drain(&mut w).await;
    assert_eq!(s.server.held().requests.len(), 1, "not before Retry-After");
    s.clock.advance(Duration::from_secs(2));
    drain(&mut w).await;
    let held = s.server.held();
    assert_eq!(held.requests.len(), 2);
    assert_eq!(
        held.by_key(Object::Contacts, MEI).unwrap().get("firstname"),
        Some("Mei")
    );

    s.server.fail_next(Fault::status(500), 1);
    append(s.log.as_ref(), &[note("n", ANA, t)]);
    drain(&mut w).await;
    assert!(s.server.held().by_key(Object::Notes, "n").is_none());
    assert_eq!(s.waiting(&w), 1);
    s.clock.advance(Duration::from_secs(2));
    drain(&mut w).await;
    let held = s.server.held();
    let n = held.by_key(Object::Notes, "n").unwrap();
    assert_eq!(held.contacts_of(Object::Notes, &n.id).len(), 1);
    assert!(dead_reasons(s.log.as_ref()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_after_applying_duplicates_nothing() {
    let s = setup().await;
    let t = s.clock.now_ms() - 60_000;
    let mut w = s.worker(s.config(TOKEN));
    append(
        s.log.as_ref(),
        &[
            upsert("u", MEI, t, &[("name", Some("Mei"))]),
            deal("d", MEI, t + 1, "open"),
            case("c", MEI, t + 2),
            note("n", MEI, t + 3),
            task("k", MEI, t + 4),
        ],
    );
    // Each step in turn is applied but answered 500, and replayed after the backoff: the
    // contact, then for the deal, the case, the note and the task an upsert and an
    // association.
    let steps = [
        "/contacts/batch/upsert",
        "/deals/batch/upsert",
        "/deals/contacts/batch/associate/default",
        "/tickets/batch/upsert",
        "/tickets/contacts/batch/associate/default",
        "/notes/batch/upsert",
        "/notes/contacts/batch/associate/default",
        "/tasks/batch/upsert",
        "/tasks/contacts/batch/associate/default",
    ];
    for step in steps {
        s.server.fail_on(step, Fault::after_applying(500));
        drain(&mut w).await;
        let held = s.server.held();
        let calls = held.calls(step);
        assert!(calls.iter().any(|r| r.status == 500), "{step}: {calls:#?}");
        // Past any backoff.
        s.clock.advance(Duration::from_secs(61));
    }
    drain(&mut w).await;
    let held = s.server.held();
    assert_eq!(s.waiting(&w), 0);
    assert!(dead_reasons(s.log.as_ref()).is_empty());
    for object in Object::ALL {
        let records = held.all(object);
        assert_eq!(records.len(), 1, "{object:?}: {records:#?}");
        if object != Object::Contacts {
            assert_eq!(held.contacts_of(object, &records[0].id).len(), 1);
        }
    }
    // Replayed, not duplicated: the upserts wrote the same records again.
    assert!(held.all(Object::Contacts)[0].writes > 1);
    assert!(held.all(Object::Notes)[0].writes > 1);
    assert!(held.all(Object::Tasks)[0].writes > 1);
    assert_eq!(held.requests.iter().filter(|r| r.status == 500).count(), 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_record_is_dead_with_hubspots_words_and_the_others_go() {
    let s = setup().await;
    let t = s.clock.now_ms() - 60_000;
    let mut w = s.worker(s.config(TOKEN));
    append(
        s.log.as_ref(),
        &[
            upsert("m", MEI, t, &[("email", Some("mei@example.com"))]),
            upsert("a", ANA, t + 1, &[("email", Some("ana@"))]),
            upsert("l", LEA, t + 2, &[("name", Some("Léa"))]),
            note("an", ANA, t + 3),
        ],
    );
    drain(&mut w).await;
    let held = s.server.held();
    assert_eq!(held.calls("/contacts/batch/upsert").len(), 1);
    assert!(held.by_key(Object::Contacts, MEI).is_some());
    assert!(held.by_key(Object::Contacts, LEA).is_some());
    assert!(held.by_key(Object::Contacts, ANA).is_none());
    let dead = dead_reasons(s.log.as_ref());
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert!(
        dead[0].contains("VALIDATION_ERROR") && dead[0].contains("Email address ana@ is invalid"),
        "{dead:?}"
    );
    // Ana's note waits for a batch without her refused fields, then goes.
    assert_eq!(s.waiting(&w), 1);
    s.clock.advance(Duration::from_secs(2));
    drain(&mut w).await;
    let held = s.server.held();
    let n = held.by_key(Object::Notes, "an").unwrap();
    let ana = held.by_key(Object::Contacts, ANA).unwrap();
    assert_eq!(
        held.contacts_of(Object::Notes, &n.id),
        [(ana.id.clone(), 202)]
    );
    assert_eq!(ana.get("email"), None);

    // A 400 for the request: dead at once with HubSpot's message, not retried.
    s.server.fail_next(
        Fault::refused(400, "Property values were not valid: scrm_priority"),
        1,
    );
    append(
        s.log.as_ref(),
        &[upsert("x", MEI, t + 4, &[("priority", Some("high"))])],
    );
    drain(&mut w).await;
    let requests = s.server.held().requests.len();
    s.clock.advance(Duration::from_secs(120));
    drain(&mut w).await;
    assert_eq!(
        s.server.held().requests.len(),
        requests,
        "a 400 is not retried"
    );
    let dead = dead_reasons(s.log.as_ref());
    assert_eq!(dead.len(), 2, "{dead:?}");
    assert!(
        dead[1].starts_with("http 400: Property values were not valid: scrm_priority"),
        "{dead:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_holds_the_commands_until_a_new_one_is_set() {
    let s = setup().await;
    let t = s.clock.now_ms() - 60_000;
    let mut w = s.worker(s.config(TOKEN));
    s.server.expire_token();
    append(
        s.log.as_ref(),
        &[upsert("u", MEI, t, &[("name", Some("Mei"))])],
    );
    drain(&mut w).await;
    let held = s.server.held();
    assert_eq!(held.requests.len(), 1);
    assert_eq!(held.requests[0].status, 401);
    assert!(held.by_key(Object::Contacts, MEI).is_none());
    assert_eq!(s.waiting(&w), 1, "waiting, not dead");
    assert!(dead_reasons(s.log.as_ref()).is_empty());
    assert_eq!(s.metrics.waits("token"), 1);

    // The operator rotates the token and restarts the sink; the command goes when due.
    let rotated = "pat-na1-99999999-8888-7777-6666-555555555555";
    s.server.set_token(rotated);
    drop(w);
    let mut w = s.worker(s.config(rotated));
    s.clock.advance(Duration::from_millis(300_000));
    drain(&mut w).await;
    let held = s.server.held();
    assert_eq!(
        held.by_key(Object::Contacts, MEI).unwrap().get("firstname"),
        Some("Mei")
    );
    assert!(dead_reasons(s.log.as_ref()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_reserve_pauses_deliveries_until_the_reset() {
    let s = setup().await;
    let t = s.clock.now_ms() - 60_000;
    let mut w = s.worker(s.config(TOKEN));
    // 10% of 250 000 is left to the account's other apps; this request leaves exactly that.
    s.server.daily_remaining(25_001);
    append(
        s.log.as_ref(),
        &[upsert("a", MEI, t, &[("name", Some("Mei"))])],
    );
    drain(&mut w).await;
    assert!(s.server.held().by_key(Object::Contacts, MEI).is_some());
    let paused = w.destination().budget().paused_until_ms.expect("paused");
    assert!(paused > s.clock.now_ms());
    assert_eq!(s.metrics.paused.get(), 1);

    append(
        s.log.as_ref(),
        &[upsert("b", ANA, t, &[("name", Some("Ana"))])],
    );
    drain(&mut w).await;
    assert_eq!(
        s.server.held().requests.len(),
        1,
        "nothing sent while paused"
    );
    assert_eq!(s.waiting(&w), 1);
    assert!(dead_reasons(s.log.as_ref()).is_empty());

    s.server.reset_daily();
    s.clock.set(paused);
    drain(&mut w).await;
    assert!(s.server.held().by_key(Object::Contacts, ANA).is_some());
    assert_eq!(s.metrics.paused.get(), 0);
    assert_eq!(s.metrics.waits("daily_reserve"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hubspots_interval_limit_is_waited_for_not_hit() {
    let s = setup().await;
    let t = s.clock.now_ms() - 60_000;
    s.server.interval_limit(2, 10_000);
    let mut w = s.worker(s.config(TOKEN));
    // Three requests: the contact, the note, its association.
    append(s.log.as_ref(), &[note("n", MEI, t)]);
    let clock = s.clock.clone();
    let running = tokio::spawn(async move {
        drain(&mut w).await;
        w
    });
    let mut deadline = None;
    for _ in 0..500 {
        deadline = clock.next_deadline();
        if deadline.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let deadline = deadline.expect("the sink waits for the next interval");
    assert_eq!(
        s.server.held().requests.len(),
        2,
        "two went, the third waits"
    );
    assert_eq!(s.metrics.waits("interval"), 1);
    clock.set(deadline);
    let _w = running.await.unwrap();
    let held = s.server.held();
    assert_eq!(held.requests.len(), 3);
    assert!(held.requests.iter().all(|r| r.status == 200), "no 429");
    assert_eq!(held.all(Object::Notes).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_removes_the_contact_and_what_scrm_wrote_about_them() {
    let s = setup().await;
    let t = s.clock.now_ms() - 60_000;
    let mut w = s.worker(s.config(TOKEN));
    append(
        s.log.as_ref(),
        &[
            upsert("u", MEI, t, &[("name", Some("Mei"))]),
            deal("d", MEI, t + 1, "open"),
            case("c", MEI, t + 2),
            note("n", MEI, t + 3),
            task("k", MEI, t + 4),
            note("an", ANA, t + 5),
        ],
    );
    drain(&mut w).await;
    assert_eq!(s.server.held().all(Object::Contacts).len(), 2);

    append(
        s.log.as_ref(),
        &[
            erase("x", MEI, t + 6),
            // Léa's upsert and erasure in one batch: nothing of hers is sent.
            upsert("l", LEA, t + 7, &[("name", Some("Léa"))]),
            erase("y", LEA, t + 8),
        ],
    );
    drain(&mut w).await;
    let held = s.server.held();
    assert!(held.by_key(Object::Contacts, MEI).is_none());
    for object in [Object::Deals, Object::Tickets, Object::Tasks] {
        assert!(held.all(object).is_empty(), "{object:?}");
    }
    let notes = held.all(Object::Notes);
    assert_eq!(notes.len(), 1, "Ana's note stays");
    assert_eq!(notes[0].get("scrm_command_id"), Some("an"));
    assert!(held.by_key(Object::Contacts, ANA).is_some());
    assert_eq!(held.store.erased, [MEI]);
    assert!(held
        .requests
        .iter()
        .all(|r| !r.body.contains(LEA) || r.path.ends_with("/batch/read")));
    assert!(dead_reasons(s.log.as_ref()).is_empty());

    // Erased again (a replay): nothing to erase, nothing dead.
    append(s.log.as_ref(), &[erase("x2", MEI, t + 9)]);
    drain(&mut w).await;
    assert_eq!(s.server.held().store.erased, [MEI]);
    assert!(dead_reasons(s.log.as_ref()).is_empty());
    assert_eq!(s.waiting(&w), 0);
}
