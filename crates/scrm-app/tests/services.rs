//! The services as the library wires them, without the binary: built from a `Config` read
//! through a test environment, run on a thread, and stopped by cancelling their token.

use std::path::Path;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use scrm_app::{Access, App, AppError, Config, Overrides, RunMode, Service, ServiceKind};
use scrm_config::Env;
use scrm_crm::hubspot::api::Object;
use scrm_crm::hubspot::server::HubspotServer;
use scrm_crm::receiver::WebhookReceiver;
use scrm_schema::TopicKind;
use scrm_whatsapp_cloudapi::mock::{MockCloud, MockOptions};
use tokio_util::sync::CancellationToken;

const SECRET: &str = "app-test-secret";
const CRM_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn app(dir: &Path, vars: &[(&str, &str)]) -> App {
    let file = dir.join("scrm.toml");
    std::fs::write(
        &file,
        format!(
            "[log]\ndata_dir = {:?}\npartitions = 2\nfsync = false\n[api]\nlisten = \"127.0.0.1:0\"\n[processor]\nfsync = false\ncommit_interval_ms = 20\n",
            dir.join("data").display().to_string()
        ),
    )
    .unwrap();
    App::new(Config::load(Some(&file), &Env::from_pairs(vars), &Overrides::default()).unwrap())
        .unwrap()
}

fn webhook(now: i64, wamid: &str, text: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"85230012345","phone_number_id":"1234567890"}},"contacts":[{{"profile":{{"name":"Mei"}},"wa_id":"85291234567"}}],"messages":[{{"from":"85291234567","id":"{wamid}","timestamp":"{now}","type":"text","text":{{"body":"{text}"}}}}]}}}}]}}]}}"#
    )
}

/// Posts Mei's message `text` to the gateway at `api`, signed as Meta signs; the status.
fn post(http: &reqwest::blocking::Client, api: &str, wamid: &str, text: &str) -> u16 {
    let body = webhook(chrono::Utc::now().timestamp(), wamid, text);
    http.post(format!("{api}/webhook"))
        .header("content-type", "application/json")
        .header(
            "x-hub-signature-256",
            scrm_whatsapp_webhook::sign(SECRET.as_bytes(), body.as_bytes()),
        )
        .body(body)
        .send()
        .unwrap()
        .status()
        .as_u16()
}

/// Runs the service on a thread; the handle gives its result.
fn run(service: Service) -> JoinHandle<Result<(), AppError>> {
    std::thread::spawn(move || service.run())
}

fn stop(service: JoinHandle<Result<(), AppError>>, token: &CancellationToken) {
    token.cancel();
    let started = Instant::now();
    while !service.is_finished() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the service did not stop within 10 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    service.join().unwrap().unwrap();
}

fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_wires_the_webhook_the_processor_the_sender_and_the_api() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mock = rt
        .block_on(MockCloud::start(MockOptions::default()))
        .unwrap();
    let crm = rt.block_on(WebhookReceiver::start(CRM_SECRET)).unwrap();
    let crm_url = crm.url();
    let dir = tempfile::tempdir().unwrap();
    let app = app(
        dir.path(),
        &[
            ("SCRM_CRM_WEBHOOK_URL", &crm_url),
            ("SCRM_CRM_WEBHOOK_SECRET", CRM_SECRET),
            ("SCRM_API_TOKEN", "api-token"),
            ("SCRM_WHATSAPP_VERIFY_TOKEN", "verify"),
            ("SCRM_WHATSAPP_APP_SECRET", SECRET),
            ("SCRM_WHATSAPP_ACCESS_TOKEN", "test-token"),
            ("SCRM_WHATSAPP_PHONE_NUMBER_ID", "1234567890"),
            ("SCRM_GRAPH_URL", mock.url()),
        ],
    );
    let service = Service::start(
        &app,
        ServiceKind::Serve {
            run: RunMode::default(),
            api: true,
        },
    )
    .unwrap();
    assert!(service.notes().is_empty(), "{:?}", service.notes());
    let api = format!("http://{}", service.api_addr().expect("the API is bound"));
    let token = service.shutdown();
    let running = run(service);

    let http = reqwest::blocking::Client::new();
    let post = |wamid: &str, text: &str| post(&http, &api, wamid, text);
    let status = post("wamid.app-test-1", "Where is your store?");
    assert_eq!(status, 200, "the gateway's route is on the API's port");

    // The processor applies it, the customer API (behind the configured token) shows it,
    // and the sender answers through the configured Cloud API.
    let state: serde_json::Value = wait_for("the customer's state", || {
        let answer = http
            .get(format!("{api}/customers/%2B85291234567"))
            .bearer_auth("api-token")
            .send()
            .unwrap();
        answer.status().is_success().then(|| answer.json().unwrap())
    });
    assert_eq!(state["customer"], "+85291234567", "{state}");
    let sent = wait_for("the automated reply", || mock.requests().into_iter().next());
    assert_eq!(sent.to, "85291234567");
    let unauthorised = http
        .get(format!("{api}/customers/%2B85291234567"))
        .bearer_auth("wrong")
        .send()
        .unwrap()
        .status();
    assert_eq!(unauthorised, 401);

    // Asking for a person makes a CRM task, which the webhook sink delivers.
    assert_eq!(
        post("wamid.app-test-2", "can I talk to a person please"),
        200
    );
    let task = wait_for("the CRM task at the webhook receiver", || {
        crm.held().tasks.into_values().next()
    });
    assert!(
        task.subject.contains("asked to talk to a person"),
        "{task:?}"
    );
    assert_eq!(task.priority.as_deref(), Some("high"));
    let metrics = http
        .get(format!("{api}/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    for family in [
        "scrm_processor_events",
        "scrm_gateway_requests",
        "scrm_sender_results",
        "scrm_sink_",
    ] {
        assert!(metrics.contains(family), "{family} missing from /metrics");
    }
    wait_for("readiness", || {
        let r = http.get(format!("{api}/readyz")).send().unwrap();
        r.status().is_success().then_some(())
    });
    stop(running, &token);
}

#[test]
fn serve_without_whatsapp_secrets_says_what_is_off() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path(), &[]);
    let service = Service::start(
        &app,
        ServiceKind::Serve {
            run: RunMode::default(),
            api: false,
        },
    )
    .unwrap();
    let notes = service.notes().join("\n");
    assert!(notes.contains("the gateway is off"), "{notes}");
    assert!(
        notes.contains("the sender and media fetcher are off"),
        "{notes}"
    );
    assert!(notes.contains("no CRM sink configured"), "{notes}");
    assert!(service.api_addr().is_none());
    let token = service.shutdown();
    stop(run(service), &token);
}

#[test]
fn a_gateway_or_sender_that_cannot_run_says_which_setting_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let err = Service::start(&app(dir.path(), &[]), ServiceKind::Gateway)
        .unwrap_err()
        .to_string();
    assert!(err.contains("SCRM_WHATSAPP_APP_SECRET"), "{err}");
    let err = Service::start(&app(dir.path(), &[]), ServiceKind::Sender)
        .unwrap_err()
        .to_string();
    assert!(err.contains("SCRM_WHATSAPP_ACCESS_TOKEN"), "{err}");
    let cloud = [
        ("SCRM_WHATSAPP_ACCESS_TOKEN", "t"),
        ("SCRM_WHATSAPP_PHONE_NUMBER_ID", "1055"),
    ];
    let err = Service::start(&app(dir.path(), &cloud), ServiceKind::Sender)
        .unwrap_err()
        .to_string();
    assert!(err.contains("whatsapp.state_url"), "{err}");
    let err = Service::start(
        &app(dir.path(), &[]),
        ServiceKind::Sink {
            crm: scrm_app::SinkKind::Webhook,
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("SCRM_CRM_WEBHOOK_URL") && err.contains("SCRM_CRM_WEBHOOK_SECRET"),
        "{err}"
    );
}

#[test]
fn a_sink_on_its_own_delivers_the_commands_in_its_topic_and_stops() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let crm = rt.block_on(WebhookReceiver::start(CRM_SECRET)).unwrap();
    let crm_url = crm.url();
    let dir = tempfile::tempdir().unwrap();
    let app = app(
        dir.path(),
        &[
            ("SCRM_CRM_WEBHOOK_URL", &crm_url),
            ("SCRM_CRM_WEBHOOK_SECRET", CRM_SECRET),
        ],
    );
    {
        let log = app.open_log(Access::ReadWrite).unwrap();
        app.ensure_topics(log.as_ref(), &TopicKind::ALL).unwrap();
        let command = scrm_events::output::CrmCommand {
            command_id: "cmd-1".into(),
            customer: "+85291234567".into(),
            occurred_at_ms: chrono::Utc::now().timestamp_millis(),
            source: "test".into(),
            rule_id: None,
            operation: scrm_events::output::CrmOp::UpsertContact {
                fields: [("level".to_owned(), None)].into_iter().collect(),
            },
        };
        let topic = app.topic_name(TopicKind::CrmCommands);
        let value = app
            .codec
            .encode(
                &topic,
                app.value_schema(TopicKind::CrmCommands).unwrap(),
                &command.to_avro(),
            )
            .unwrap();
        let record = scrm_log::Record::new(command.customer.clone(), value, command.occurred_at_ms);
        log.append(&topic, vec![record]).unwrap();
    }
    let service = Service::start(
        &app,
        ServiceKind::Sink {
            crm: scrm_app::SinkKind::Webhook,
        },
    )
    .unwrap();
    let api = format!("http://{}", service.api_addr().expect("health and metrics"));
    let token = service.shutdown();
    let running = run(service);
    let contact = wait_for("the contact at the receiver", || {
        crm.held().contacts.get("+85291234567").cloned()
    });
    assert_eq!(contact.get("level"), Some("New Customer"));
    let metrics = reqwest::blocking::get(format!("{api}/metrics"))
        .unwrap()
        .text()
        .unwrap();
    assert!(
        metrics.contains("scrm_sink_records_total{sink=\"webhook\",outcome=\"done\"} 1"),
        "{metrics}"
    );
    stop(running, &token);
}

#[test]
fn a_caught_up_run_applies_what_the_doors_wrote_and_returns() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path(), &[]);
    {
        let log = app.open_log(Access::ReadWrite).unwrap();
        app.ensure_topics(log.as_ref(), &TopicKind::ALL).unwrap();
        let ingest = app.ingest(TopicKind::Conversation).unwrap();
        let now = chrono::Utc::now().timestamp_millis();
        let event = serde_json::json!({
            "event_id": "c-1", "customer": "9123 4567", "occurred_at": now, "source": "test",
            "payload": {"InboundMessage": {"wamid": "wamid.c-1", "content": {"TextContent": {"body": "有冇折扣?"}}}}
        });
        let record = ingest.json(&event).unwrap();
        log.append(&app.topic_name(TopicKind::Conversation), vec![record])
            .unwrap();
    }
    let service = Service::start(
        &app,
        ServiceKind::Process {
            run: RunMode {
                event_time: true,
                exit_when_caught_up: true,
            },
            api: false,
        },
    )
    .unwrap();
    let running = run(service);
    wait_for("the caught-up run to return", || {
        running.is_finished().then_some(())
    });
    running.join().unwrap().unwrap();
    let store = scrm_state::RocksStore::open_read_only(&app.state_dir()).unwrap();
    let lookup = app.state_lookup(std::sync::Arc::new(store), None);
    let state = lookup
        .find("9123 4567")
        .unwrap()
        .expect("the customer has state");
    assert_eq!(
        state["customer"], "+85291234567",
        "the configured region applied: {state}"
    );
    assert!(state["last_inbound_ms"].is_number(), "{state}");
}

/// The whole path to a CRM: a signed WhatsApp webhook → the gateway → the processor's CRM
/// commands from state → the HubSpot sink → what the (local) HubSpot holds.
#[test]
fn serve_brings_a_conversation_into_hubspot_as_a_contact_and_a_deal() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let hubspot = rt.block_on(HubspotServer::start("pat-na1-test")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let hubspot_url = hubspot.url();
    let app = app(
        dir.path(),
        &[
            ("SCRM_CRM_HUBSPOT_URL", &hubspot_url),
            ("SCRM_CRM_HUBSPOT_TOKEN", "pat-na1-test"),
            ("SCRM_WHATSAPP_VERIFY_TOKEN", "verify"),
            ("SCRM_WHATSAPP_APP_SECRET", SECRET),
        ],
    );
    let service = Service::start(
        &app,
        ServiceKind::Serve {
            run: RunMode::default(),
            api: true,
        },
    )
    .unwrap();
    let api = format!("http://{}", service.api_addr().expect("the API is bound"));
    let token = service.shutdown();
    let running = run(service);
    let http = reqwest::blocking::Client::new();
    let status = post(&http, &api, "wamid.hs-1", "Quanto custa o iPhone 15 PM?");
    assert_eq!(status, 200);

    let held = wait_for("the contact and the deal in HubSpot", || {
        let held = hubspot.held();
        let done = !held.all(Object::Deals).is_empty()
            && !held
                .contacts_of(Object::Deals, &held.all(Object::Deals)[0].id)
                .is_empty();
        done.then_some(held)
    });
    let contacts = held.all(Object::Contacts);
    assert_eq!(contacts.len(), 1, "{contacts:#?}");
    let contact = contacts[0];
    assert_eq!(contact.get("scrm_customer_key"), Some("+85291234567"));
    assert_eq!(contact.get("phone"), Some("+85291234567"));
    assert_eq!(contact.get("firstname"), Some("Mei"));
    let deals = held.all(Object::Deals);
    assert_eq!(deals.len(), 1, "{deals:#?}");
    assert_eq!(
        deals[0].get("scrm_deal_key"),
        Some("+85291234567/APL-IP15PM")
    );
    assert_eq!(
        held.contacts_of(Object::Deals, &deals[0].id),
        [(contact.id.clone(), 3)],
        "the deal is associated to its contact"
    );
    let metrics = http
        .get(format!("{api}/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(metrics.contains("scrm_hubspot_"), "{metrics}");
    stop(running, &token);
}
