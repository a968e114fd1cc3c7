//! Sending against the mock Cloud API: exact request JSON, the mock's strictness, and
//! the classification of every error kind scrm acts on.

mod common;

use std::time::Duration;

use common::{client_for, config_for, mock};
use scrm_whatsapp_cloudapi::mock::MockCloud;
use scrm_whatsapp_cloudapi::{CloudClient, ErrorClass, OutgoingMessage, Secret, SendError};
use serde_json::{json, Value};

const HK: &str = "+85291234567";

#[tokio::test]
async fn text_send_has_the_exact_cloud_api_json() {
    let mock = mock().await;
    let client = client_for(&mock);
    let msg = OutgoingMessage::text(HK, "Your order shipped").with_callback_data("trigger-42");
    let sent = client.send(&msg).await.expect("accepted");
    assert!(sent.wamid.starts_with("wamid."), "{}", sent.wamid);
    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].to, "85291234567");
    assert_eq!(
        requests[0].body,
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "85291234567",
            "type": "text",
            "text": {"body": "Your order shipped", "preview_url": false},
            "biz_opaque_callback_data": "trigger-42"
        })
    );
    let again = client.send(&msg).await.expect("accepted");
    assert_ne!(again.wamid, sent.wamid, "wamids are unique");
}

#[tokio::test]
async fn template_send_has_the_exact_cloud_api_json() {
    let mock = mock().await;
    let client = client_for(&mock);
    let msg = OutgoingMessage::template(
        HK,
        "order_update",
        "zh_HK",
        vec!["陳大文".into(), "A-1001".into()],
    );
    client.send(&msg).await.expect("accepted");
    assert_eq!(
        mock.requests()[0].body,
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "85291234567",
            "type": "template",
            "template": {
                "name": "order_update",
                "language": {"code": "zh_HK"},
                "components": [{"type": "body", "parameters": [
                    {"type": "text", "text": "陳大文"},
                    {"type": "text", "text": "A-1001"}
                ]}]
            }
        })
    );
}

#[tokio::test]
async fn bsuid_recipients_use_the_recipient_field() {
    let mock = mock().await;
    let client = client_for(&mock);
    let msg = OutgoingMessage::text("HK.1234567890123456", "hi");
    client.send(&msg).await.expect("accepted");
    let body = &mock.requests()[0].body;
    assert_eq!(body["recipient"], "HK.1234567890123456");
    assert!(body.get("to").is_none());
}

async fn post_raw(mock: &MockCloud, body: &str) -> (u16, Value) {
    let url = format!("{}/v21.0/1234567890/messages", mock.url());
    let answer = reqwest::Client::new()
        .post(url)
        .bearer_auth("test-token")
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("mock answers");
    let status = answer.status().as_u16();
    (status, answer.json().await.expect("error JSON"))
}

#[tokio::test]
async fn mock_rejects_malformed_requests_with_code_100() {
    let mock = mock().await;
    let cases = [
        (
            r#"{"to":"85291234567","type":"text","text":{"body":"hi"}}"#,
            "messaging_product",
        ),
        (
            r#"{"messaging_product":"whatsapp","to":"85291234567","type":"template",
               "template":{"name":"t","language":{"code":"en"},"components":[{"type":"body",
               "parameters":[{"type":"text","text":"Ada"},{"type":"text","text":""}]}]}}"#,
            "parameters[1].text",
        ),
        (
            r#"{"messaging_product":"whatsapp","to":"85291234567","type":"text",
               "text":{"body":"hi"},"priority":"high"}"#,
            "unknown parameter: priority",
        ),
        ("not json", "not valid JSON"),
    ];
    for (body, needle) in cases {
        let (status, answer) = post_raw(&mock, body).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(answer["error"]["code"], 100);
        let details = answer["error"]["error_data"]["details"]
            .as_str()
            .expect("details");
        assert!(details.contains(needle), "{details:?} lacks {needle:?}");
        assert!(answer["error"]["fbtrace_id"].is_string());
    }
    assert!(mock.requests().is_empty());
    assert_eq!(mock.rejected().len(), cases.len());
}

#[tokio::test]
async fn client_refuses_an_empty_parameter_without_sending() {
    let mock = mock().await;
    let client = client_for(&mock);
    let msg = OutgoingMessage::template(HK, "promo", "en", vec![String::new()]);
    let err = client.send(&msg).await.expect_err("empty first name");
    assert!(matches!(err, SendError::Invalid(_)));
    assert_eq!(err.class(), ErrorClass::Invalid);
    assert!(err.to_string().contains("index 0"), "{err}");
    assert!(mock.requests().is_empty() && mock.rejected().is_empty());
}

#[tokio::test]
async fn meta_error_codes_are_classified() {
    let mock = mock().await;
    let client = client_for(&mock);
    let msg = OutgoingMessage::text(HK, "hi");
    let table = [
        (131047, 400, ErrorClass::OutsideWindow),
        (130429, 429, ErrorClass::RateLimited),
        (131026, 400, ErrorClass::Undeliverable),
        (131049, 400, ErrorClass::MarketingCap),
        (131056, 400, ErrorClass::PairRateLimit),
        (131000, 500, ErrorClass::Transient),
    ];
    for (code, status, class) in table {
        mock.fail_next(code, 1);
        let err = client.send(&msg).await.expect_err("programmed failure");
        assert_eq!(err.code(), Some(code));
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.class(), class, "code {code}: {err}");
        match &err {
            SendError::Api { error, .. } => {
                assert!(error.details.is_some() && error.fbtrace_id.is_some());
            }
            other => panic!("expected a Meta error, got {other}"),
        }
    }
    client.send(&msg).await.expect("failures used up");
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn failing_recipient_fails_until_cleared() {
    let mock = mock().await;
    let client = client_for(&mock);
    mock.fail_recipient(HK, 131026);
    let err = client
        .send(&OutgoingMessage::text(HK, "hi"))
        .await
        .expect_err("undeliverable");
    assert_eq!(err.class(), ErrorClass::Undeliverable);
    client
        .send(&OutgoingMessage::text("+85290000000", "hi"))
        .await
        .expect("other recipients are fine");
    mock.clear_failures();
    client
        .send(&OutgoingMessage::text(HK, "hi"))
        .await
        .expect("cleared");
}

#[tokio::test]
async fn server_errors_without_meta_json_are_transient() {
    let mock = mock().await;
    let client = client_for(&mock);
    mock.fail_next_status(503, 1);
    mock.fail_next_status(502, 1);
    for status in [503, 502] {
        let err = client
            .send(&OutgoingMessage::text(HK, "hi"))
            .await
            .expect_err("bare 5xx");
        assert!(matches!(err, SendError::Unparseable { .. }), "{err}");
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.class(), ErrorClass::Transient);
    }
}

#[tokio::test]
async fn wrong_token_is_auth() {
    let mock = mock().await;
    let mut config = config_for(&mock);
    config.access_token = Secret::new("stale-token");
    let client = CloudClient::new(config).expect("valid config");
    let err = client
        .send(&OutgoingMessage::text(HK, "hi"))
        .await
        .expect_err("401");
    assert_eq!((err.status(), err.code()), (Some(401), Some(190)));
    assert_eq!(err.class(), ErrorClass::Auth);
    assert!(!err.to_string().contains("stale-token"));
}

#[tokio::test]
async fn transport_failures_are_transient() {
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let mock = mock().await;
    let mut config = config_for(&mock);
    config.base_url = format!("http://{addr}");
    let client = CloudClient::new(config).expect("valid config");
    let err = client
        .send(&OutgoingMessage::text(HK, "hi"))
        .await
        .expect_err("refused");
    assert!(matches!(err, SendError::Transport { .. }), "{err}");
    assert_eq!(err.class(), ErrorClass::Transient);

    // A server that answers later than the client's timeout.
    mock.set_delay(Duration::from_secs(30));
    let mut config = config_for(&mock);
    config.timeout = Duration::from_millis(200);
    let client = CloudClient::new(config).expect("valid config");
    let err = client
        .send(&OutgoingMessage::text(HK, "hi"))
        .await
        .expect_err("timeout");
    assert!(
        matches!(err, SendError::Transport { timeout: true, .. }),
        "{err}"
    );
    assert_eq!(err.class(), ErrorClass::Transient);
}
