//! The Confluent wire format against a local server that implements the documented subset
//! of the Schema Registry API (register under a subject, fetch by id) and rejects requests
//! that don't match it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scrm_schema::json::{json_to_avro, Names};
use scrm_schema::registry::{RegistryClient, RegistryConfig};
use scrm_schema::{Catalog, Codec, CodecError};

#[derive(Default)]
struct Registry {
    schemas: Vec<String>,
    subjects: HashMap<String, Vec<u32>>,
    requests: Vec<String>,
}

struct Request {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

fn answer(stream: &mut TcpStream, status: u16, body: serde_json::Value) {
    let body = body.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn handle(registry: &Mutex<Registry>, req: Request, stream: &mut TcpStream) {
    let mut reg = registry.lock().unwrap();
    reg.requests.push(format!("{} {}", req.method, req.path));
    if req.headers.get("authorization").map(String::as_str) != Some("Basic c2NybTpzM2NyZXQ=") {
        return answer(
            stream,
            401,
            serde_json::json!({"error_code": 401, "message": "Unauthorized"}),
        );
    }
    let segments: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    match (req.method.as_str(), segments.as_slice()) {
        ("POST", ["subjects", subject, "versions"]) => {
            let ct = req.headers.get("content-type").cloned().unwrap_or_default();
            if !ct.starts_with("application/vnd.schemaregistry.v1+json")
                && !ct.starts_with("application/json")
            {
                return answer(
                    stream,
                    415,
                    serde_json::json!({"error_code": 415, "message": "bad content type"}),
                );
            }
            let Ok(body) = serde_json::from_slice::<serde_json::Value>(&req.body) else {
                return answer(
                    stream,
                    400,
                    serde_json::json!({"error_code": 400, "message": "not JSON"}),
                );
            };
            let Some(text) = body["schema"].as_str() else {
                return answer(
                    stream,
                    422,
                    serde_json::json!({"error_code": 42201, "message": "schema missing"}),
                );
            };
            if apache_avro::Schema::parse_str(text).is_err() || !subject.ends_with("-value") {
                return answer(
                    stream,
                    422,
                    serde_json::json!({"error_code": 42201, "message": "Invalid schema"}),
                );
            }
            let id = match reg.schemas.iter().position(|s| s == text) {
                Some(i) => i as u32 + 1,
                None => {
                    reg.schemas.push(text.to_owned());
                    reg.schemas.len() as u32
                }
            };
            reg.subjects
                .entry(subject.to_string())
                .or_default()
                .push(id);
            answer(stream, 200, serde_json::json!({ "id": id }))
        }
        ("GET", ["schemas", "ids", id]) => match id
            .parse::<usize>()
            .ok()
            .and_then(|i| reg.schemas.get(i.wrapping_sub(1)))
        {
            Some(text) => answer(stream, 200, serde_json::json!({ "schema": text })),
            None => answer(
                stream,
                404,
                serde_json::json!({"error_code": 40403, "message": "Schema not found"}),
            ),
        },
        _ => answer(
            stream,
            404,
            serde_json::json!({"error_code": 404, "message": "HTTP 404 Not Found"}),
        ),
    }
}

fn start() -> (String, Arc<Mutex<Registry>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let registry = Arc::new(Mutex::new(Registry::default()));
    let shared = registry.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            if let Some(req) = read_request(&mut stream) {
                handle(&shared, req, &mut stream);
            }
        }
    });
    (url, registry)
}

fn client(url: &str, password: &str) -> RegistryClient {
    RegistryClient::new(RegistryConfig {
        url: url.to_owned(),
        username: Some("scrm".into()),
        password: Some(password.into()),
        timeout: Duration::from_secs(5),
    })
    .unwrap()
}

#[test]
fn confluent_framing_registers_once_and_reads_back() {
    let (url, registry) = start();
    let codec = Codec::new(Catalog::embedded(), Some(client(&url, "s3cret")));
    let schema = Catalog::embedded().current("Alert").unwrap();
    let value = json_to_avro(
        &schema.schema,
        &Names::of(&schema.schema),
        &serde_json::json!({"alert_id": "a1", "occurred_at": 0, "source": "t", "kind": "agent_slow",
            "severity": "WARNING", "subject": "agent-7", "message": "median 7 min", "details": {"median_s": "420"}}),
    )
    .unwrap();
    let first = codec.encode("scrm.alerts.v1", schema, &value).unwrap();
    let second = codec.encode("scrm.alerts.v1", schema, &value).unwrap();
    assert_eq!(first[0], 0, "Confluent magic byte");
    assert_eq!(
        u32::from_be_bytes(first[1..5].try_into().unwrap()),
        1,
        "the registry's id"
    );
    assert_eq!(first, second);
    {
        let reg = registry.lock().unwrap();
        assert_eq!(
            reg.requests,
            ["POST /subjects/scrm.alerts.v1-value/versions"],
            "registered once, then cached"
        );
        assert_eq!(reg.subjects["scrm.alerts.v1-value"], [1]);
    }
    // A fresh codec (another process) finds the writer schema by id.
    let reader = Codec::new(Catalog::embedded(), Some(client(&url, "s3cret")));
    assert_eq!(reader.decode(&first, schema).unwrap(), value);
    assert_eq!(reader.decode(&first, schema).unwrap(), value);
    assert_eq!(
        registry
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|r| r.starts_with("GET"))
            .count(),
        1,
        "fetched once"
    );
    // Single-object records still decode with a registry configured.
    let plain = Codec::single_object()
        .encode("scrm.alerts.v1", schema, &value)
        .unwrap();
    assert_eq!(reader.decode(&plain, schema).unwrap(), value);
}

#[test]
fn registry_failures_are_named() {
    let (url, _) = start();
    let schema = Catalog::embedded().current("Alert").unwrap();
    let value = json_to_avro(
        &schema.schema,
        &Names::of(&schema.schema),
        &serde_json::json!({"alert_id": "a1", "occurred_at": 0, "source": "t", "kind": "k",
            "severity": "INFO", "subject": "s", "message": "m", "details": {}}),
    )
    .unwrap();
    let wrong_password = Codec::new(Catalog::embedded(), Some(client(&url, "nope")));
    let err = wrong_password
        .encode("scrm.alerts.v1", schema, &value)
        .unwrap_err();
    assert!(
        matches!(
            err,
            CodecError::Registry {
                retriable: false,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("401"), "{err}");
    assert!(
        !format!("{:?}", client(&url, "nope")).contains("nope"),
        "the password never prints"
    );

    let codec = Codec::new(Catalog::embedded(), Some(client(&url, "s3cret")));
    let err = codec
        .decode(&[0, 0, 0, 0, 99, 2], schema)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("404") && err.contains("/schemas/ids/99"),
        "{err}"
    );
    let err = Codec::single_object()
        .decode(&[0, 0, 0, 0, 1, 2], schema)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no schema registry is configured"), "{err}");
}
