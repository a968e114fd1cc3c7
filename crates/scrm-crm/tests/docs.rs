//! docs/crm.md's verification snippet, run with python3 against what the sink signs.

use std::path::Path;
use std::process::Command;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn snippet() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/crm.md");
    let text = std::fs::read_to_string(path).unwrap();
    text.split("```python\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/crm.md has a python snippet")
        .to_owned()
}

/// What the snippet says of a request signed by scrm, with `body` as received.
fn python_verifies(signed_body: &str, received_body: &str) -> bool {
    let webhook = standardwebhooks::Webhook::new(SECRET).unwrap();
    let now = chrono::Utc::now().timestamp();
    let signature = webhook.sign("cmd-1", now, signed_body.as_bytes()).unwrap();
    let program = format!(
        "{}\nimport os, sys\nheaders = {{'webhook-id': 'cmd-1', 'webhook-timestamp': os.environ['TS'], 'webhook-signature': 'v1,bm90IGl0 ' + os.environ['SIG']}}\nprint(verify(os.environ['SECRET'], headers, os.environ['BODY'].encode()))\n",
        snippet()
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(program)
        .env("TS", now.to_string())
        .env("SIG", signature)
        .env("SECRET", SECRET)
        .env("BODY", received_body)
        .output()
        .expect("python3 (installed by scripts/setup.sh)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    match String::from_utf8_lossy(&out.stdout).trim() {
        "True" => true,
        "False" => false,
        other => panic!("the snippet printed {other:?}"),
    }
}

#[test]
fn the_documented_snippet_verifies_what_scrm_signs_and_nothing_else() {
    let body = r#"{"type":"contact.upserted","timestamp":"2026-11-19T00:00:00.000Z","data":{"command_id":"cmd-1","customer":"+85291234567","source":"scrm-processor","rule_id":null,"fields":{"level":"VIP"}}}"#;
    assert!(python_verifies(body, body));
    assert!(!python_verifies(body, &body.replace("VIP", "Gold")));
}
