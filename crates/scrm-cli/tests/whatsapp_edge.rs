//! The whole loop in one `scrm serve`: a signed webhook in, the processor's automation, the
//! sender's message to a local Cloud API server, and the delivery status back into state.

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use scrm_whatsapp_cloudapi::mock::{MockCloud, MockOptions};
use support::scrm;

const SECRET: &str = "edge-test-app-secret";

fn webhook(kind: &str, inner: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"85230012345","phone_number_id":"1234567890"}},"contacts":[{{"profile":{{"name":"Mei"}},"wa_id":"85291234567"}}],"{kind}":[{inner}]}}}}]}}]}}"#
    )
}

#[test]
fn a_webhook_message_gets_its_automated_reply_and_the_status_comes_back() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mock = rt
        .block_on(MockCloud::start(MockOptions::default()))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut child = scrm(dir.path())
        .env("SCRM_LOG", "warn")
        .env("SCRM_API_TOKEN", "api-token")
        .env("SCRM_WHATSAPP_VERIFY_TOKEN", "verify")
        .env("SCRM_WHATSAPP_APP_SECRET", SECRET)
        .env("SCRM_WHATSAPP_ACCESS_TOKEN", "test-token")
        .env("SCRM_WHATSAPP_PHONE_NUMBER_ID", "1234567890")
        .env("SCRM_GRAPH_URL", mock.url())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let api = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("scrm serve started");
        assert!(!line.contains("error"), "{line}");
        if line.contains("API listening on") {
            break line.rsplit(' ').next().unwrap().to_owned();
        }
    };
    let http = reqwest::blocking::Client::new();
    let customer = || -> serde_json::Value {
        http.get(format!("{api}/customers/%2B85291234567"))
            .bearer_auth("api-token")
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let post = |body: &str| {
        http.post(format!("{api}/webhook"))
            .header("content-type", "application/json")
            .header(
                "x-hub-signature-256",
                scrm_whatsapp_webhook::sign(SECRET.as_bytes(), body.as_bytes()),
            )
            .body(body.to_owned())
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    let now = chrono::Utc::now().timestamp();
    let message = webhook(
        "messages",
        &format!(
            r#"{{"from":"85291234567","id":"wamid.HBgLODUyOTEyMzQ1NjcVAgASGBQzRUIwQjk3QkQ0RTk1MjM2QjVFNwA=","timestamp":"{now}","type":"text","text":{{"body":"Where is your store?"}}}}"#
        ),
    );
    assert_eq!(post(&message), 200);

    // The store-search rule answers in the window; the sender sends it.
    let deadline = Instant::now() + Duration::from_secs(60);
    let sent = loop {
        if let Some(sent) = mock.requests().into_iter().next() {
            break sent;
        }
        assert!(
            Instant::now() < deadline,
            "nothing sent; rejected: {:?}",
            mock.rejected()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(sent.to, "85291234567");
    assert_eq!(sent.body["type"], "text");
    let text = sent.body["text"]["body"].as_str().unwrap();
    assert!(text.contains("nearest store"), "{text}");
    let wamid = {
        // The send became an outbound event: the customer API shows its trail.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = customer();
            if let Some(m) = state["messages"].as_array().and_then(|m| m.first()) {
                break m["wamid"].as_str().unwrap().to_owned();
            }
            assert!(Instant::now() < deadline, "no outbound trail: {state}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let status = webhook(
        "statuses",
        &format!(
            r#"{{"id":"{wamid}","status":"read","timestamp":"{}","recipient_id":"85291234567"}}"#,
            now + 5
        ),
    );
    assert_eq!(post(&status), 200);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let state = customer();
        if state["messages"][0]["status"] == "Read" {
            break;
        }
        assert!(Instant::now() < deadline, "status not applied: {state}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let metrics = http
        .get(format!("{api}/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        metrics.contains(r#"scrm_sender_results_total{outcome="sent"} 1"#),
        "{metrics}"
    );
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    assert!(child.wait().unwrap().success());
}
