//! Every generated event must be valid "produce JSON" for its Avro schema in
//! `schemas/`. The checker below walks the .avsc itself, so a schema change
//! that the generator does not follow fails here.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use chrono::DateTime;
use scrm_gen::{GenConfig, Generator, Topic};
use serde_json::{json, Value};

/// The four input schemas, with their named types resolved.
struct Schemas {
    named: HashMap<String, Value>,
    roots: HashMap<Topic, Value>,
}

fn file_of(topic: Topic) -> &'static str {
    match topic {
        Topic::Conversation => "conversation_event.avsc",
        Topic::Behavior => "behavior_event.avsc",
        Topic::Transaction => "transaction_event.avsc",
        Topic::CrmUpdates => "crm_update_event.avsc",
    }
}

impl Schemas {
    fn load() -> Self {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas");
        let mut s = Schemas {
            named: HashMap::new(),
            roots: HashMap::new(),
        };
        for topic in Topic::ALL {
            let text = std::fs::read_to_string(dir.join(file_of(topic))).expect("schema file");
            let root: Value = serde_json::from_str(&text).expect("schema is JSON");
            s.collect(&root, "");
            assert_eq!(root["name"], topic.schema_name());
            s.roots.insert(topic, root);
        }
        s
    }

    /// Registers every named type (record, enum, fixed) under its short and
    /// full name, so references like "PaymentMethod" resolve.
    fn collect(&mut self, schema: &Value, namespace: &str) {
        match schema {
            Value::Array(branches) => branches.iter().for_each(|b| self.collect(b, namespace)),
            Value::Object(o) => {
                let ns = o
                    .get("namespace")
                    .and_then(Value::as_str)
                    .unwrap_or(namespace)
                    .to_string();
                if let (Some(kind), Some(name)) = (
                    o.get("type").and_then(Value::as_str),
                    o.get("name").and_then(Value::as_str),
                ) {
                    if matches!(kind, "record" | "enum" | "fixed") {
                        self.named.insert(name.to_string(), schema.clone());
                        self.named.insert(format!("{ns}.{name}"), schema.clone());
                    }
                }
                if let Some(fields) = o.get("fields").and_then(Value::as_array) {
                    for f in fields {
                        self.collect(&f["type"], &ns);
                    }
                }
                for key in ["items", "values"] {
                    if let Some(inner) = o.get(key) {
                        self.collect(inner, &ns);
                    }
                }
                if let Some(inner @ (Value::Object(_) | Value::Array(_))) = o.get("type") {
                    self.collect(inner, &ns);
                }
            }
            _ => {}
        }
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.as_str() {
            Some(name) if !is_primitive(name) => self
                .named
                .get(name)
                .unwrap_or_else(|| panic!("unknown type {name}")),
            _ => schema,
        }
    }

    /// Checks `v` against `schema`; records the names of records met.
    fn check(
        &self,
        schema: &Value,
        v: &Value,
        path: &str,
        errs: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) {
        let schema = self.resolve(schema);
        let mut err = |m: String| errs.push(format!("{path}: {m}"));
        match schema {
            Value::String(p) => check_primitive(p, None, v, &mut err),
            Value::Array(branches) => self.check_union(branches, v, path, errs, seen),
            Value::Object(o) => match o.get("type") {
                Some(Value::String(t)) if t == "record" => {
                    self.check_record(o, v, path, errs, seen)
                }
                Some(Value::String(t)) if t == "enum" => {
                    let symbols: Vec<&str> = o["symbols"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(Value::as_str)
                        .collect();
                    match v.as_str() {
                        Some(s) if symbols.contains(&s) => {}
                        _ => err(format!("{v} is not a symbol of {}", o["name"])),
                    }
                }
                Some(Value::String(t)) if t == "array" => match v.as_array() {
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            self.check(&o["items"], item, &format!("{path}[{i}]"), errs, seen);
                        }
                    }
                    None => err(format!("expected an array, got {v}")),
                },
                Some(Value::String(t)) if t == "map" => match v.as_object() {
                    Some(m) => {
                        for (k, item) in m {
                            self.check(&o["values"], item, &format!("{path}.{k}"), errs, seen);
                        }
                    }
                    None => err(format!("expected a map object, got {v}")),
                },
                Some(Value::String(p)) => {
                    check_primitive(p, o.get("logicalType").and_then(Value::as_str), v, &mut err)
                }
                Some(inner) => self.check(inner, v, path, errs, seen),
                None => err("schema without type".into()),
            },
            _ => err(format!("bad schema {schema}")),
        }
    }

    fn check_record(
        &self,
        o: &serde_json::Map<String, Value>,
        v: &Value,
        path: &str,
        errs: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) {
        let name = o["name"].as_str().unwrap();
        seen.insert(name.to_string());
        let Some(obj) = v.as_object() else {
            errs.push(format!("{path}: expected record {name}, got {v}"));
            return;
        };
        let fields = o["fields"].as_array().unwrap();
        let known: HashSet<&str> = fields.iter().filter_map(|f| f["name"].as_str()).collect();
        for key in obj.keys() {
            if !known.contains(key.as_str()) {
                errs.push(format!("{path}: unknown field {key} in {name}"));
            }
        }
        for f in fields {
            let fname = f["name"].as_str().unwrap();
            match obj.get(fname) {
                Some(fv) => self.check(&f["type"], fv, &format!("{path}.{fname}"), errs, seen),
                None if f.get("default").is_some() => {}
                None => errs.push(format!("{path}: missing required field {fname} of {name}")),
            }
        }
    }

    /// A nullable single type is written plain; any other union as a
    /// one-key object named after the branch.
    fn check_union(
        &self,
        branches: &[Value],
        v: &Value,
        path: &str,
        errs: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) {
        let has_null = branches.iter().any(|b| b == "null");
        let others: Vec<&Value> = branches.iter().filter(|b| *b != "null").collect();
        if v.is_null() {
            if !has_null {
                errs.push(format!("{path}: null for a non-nullable union"));
            }
            return;
        }
        if has_null && others.len() == 1 {
            return self.check(others[0], v, path, errs, seen);
        }
        let Some(obj) = v.as_object().filter(|o| o.len() == 1) else {
            errs.push(format!(
                "{path}: union value must be a one-key object, got {v}"
            ));
            return;
        };
        let (key, inner) = obj.iter().next().unwrap();
        match others.iter().find(|b| branch_name(self.resolve(b)) == *key) {
            Some(b) => self.check(b, inner, &format!("{path}.{key}"), errs, seen),
            None => errs.push(format!("{path}: {key} is not a branch of the union")),
        }
    }
}

fn is_primitive(name: &str) -> bool {
    matches!(
        name,
        "null" | "boolean" | "int" | "long" | "float" | "double" | "bytes" | "string"
    )
}

fn branch_name(schema: &Value) -> String {
    match schema {
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("name")
            .or_else(|| o.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        _ => String::new(),
    }
}

fn check_primitive(p: &str, logical: Option<&str>, v: &Value, err: &mut impl FnMut(String)) {
    let ok = match (p, logical) {
        ("long", Some("timestamp-millis")) => match v.as_str() {
            Some(s) => {
                let parsed = DateTime::parse_from_rfc3339(s).is_ok();
                if !(parsed && s.ends_with('Z') && s.len() == 24) {
                    err(format!(
                        "timestamp {s} is not RFC 3339 UTC with milliseconds"
                    ));
                }
                return;
            }
            None => false,
        },
        ("null", _) => v.is_null(),
        ("boolean", _) => v.is_boolean(),
        ("int", _) => v.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        ("long", _) => v.is_i64(),
        ("float" | "double", _) => v.is_number(),
        ("string" | "bytes", _) => v.is_string(),
        _ => false,
    };
    if !ok {
        err(format!("{v} is not a {p}"));
    }
}

fn conform(schemas: &Schemas, topic: Topic, v: &Value) -> (Vec<String>, BTreeSet<String>) {
    let mut errs = Vec::new();
    let mut seen = BTreeSet::new();
    schemas.check(
        &schemas.roots[&topic],
        v,
        topic.schema_name(),
        &mut errs,
        &mut seen,
    );
    (errs, seen)
}

#[test]
fn every_event_conforms_and_every_record_type_appears() {
    let schemas = Schemas::load();
    let cfg = GenConfig {
        seed: 7,
        customers: 2_000,
        days: 7,
        ..GenConfig::default()
    };
    let mut seen_all = BTreeSet::new();
    let mut ids = HashSet::new();
    let mut count = 0usize;
    for ev in Generator::new(cfg) {
        count += 1;
        let (errs, seen) = conform(&schemas, ev.topic, &ev.json);
        assert!(errs.is_empty(), "{errs:?}\n{}", ev.json);
        seen_all.extend(seen);
        let obj = ev.json.as_object().unwrap();
        assert_eq!(obj["source"], "scrm-demo");
        assert_eq!(obj["customer"], ev.customer.as_str());
        let at = DateTime::parse_from_rfc3339(obj["occurred_at"].as_str().unwrap()).unwrap();
        assert_eq!(at.timestamp_millis(), ev.occurred_at_ms);
        let payload = obj["payload"].as_object().unwrap();
        assert_eq!(payload.len(), 1, "payload must wrap exactly one record");
        assert!(
            ids.insert(obj["event_id"].as_str().unwrap().to_string()),
            "duplicate event_id {}",
            obj["event_id"]
        );
    }
    assert!(count > 10_000);
    for record in [
        "InboundMessage",
        "OutboundMessage",
        "DeliveryStatus",
        "AgentHandoff",
        "TextContent",
        "MediaContent",
        "LocationContent",
        "InteractiveReply",
        "Reaction",
        "ContactsContent",
        "OrderContent",
        "UnsupportedContent",
        "LinkClick",
        "ProductView",
        "AddToCart",
        "QuizAnswer",
        "StoreVisit",
        "OrderPlaced",
        "OrderPaid",
        "OrderShipped",
        "OrderDelivered",
        "OrderReturned",
        "CrmFieldsChanged",
    ] {
        assert!(
            seen_all.contains(record),
            "{record} never generated; seen {seen_all:?}"
        );
    }
}

#[test]
fn inbound_messages_use_wamids_as_event_ids() {
    for ev in Generator::new(GenConfig {
        customers: 100,
        days: 2,
        ..GenConfig::default()
    }) {
        if let Some(msg) = ev.json["payload"].get("InboundMessage") {
            assert_eq!(ev.json["event_id"], msg["wamid"]);
            assert!(msg["wamid"].as_str().unwrap().starts_with("wamid.HBg"));
            assert_eq!(msg["phone"], ev.customer.as_str());
        }
    }
}

fn sample_event() -> Value {
    json!({
        "event_id": "e1", "customer": "+85291234567", "occurred_at": "2026-11-02T14:05:00.123Z",
        "source": "scrm-demo",
        "payload": {"InboundMessage": {"wamid": "wamid.x", "content": {"TextContent": {"body": "有冇折扣?"}}}}
    })
}

#[test]
fn checker_accepts_a_valid_event() {
    let (errs, seen) = conform(&Schemas::load(), Topic::Conversation, &sample_event());
    assert!(errs.is_empty(), "{errs:?}");
    assert!(seen.contains("TextContent"));
}

/// Damages a valid event in one way.
type Breaker = Box<dyn Fn(&mut Value)>;

#[test]
fn checker_rejects_broken_events() {
    let schemas = Schemas::load();
    let broken: Vec<(&str, Breaker)> = vec![
        (
            "missing field",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("source");
            }),
        ),
        (
            "unknown field",
            Box::new(|v| {
                v["extra"] = json!(1);
            }),
        ),
        (
            "unwrapped union",
            Box::new(|v| {
                v["payload"] = json!({"wamid": "w", "content": {"TextContent": {"body": "x"}}});
            }),
        ),
        (
            "wrong branch",
            Box::new(|v| {
                v["payload"] = json!({"LinkClick": {"url": "u"}});
            }),
        ),
        (
            "millis as number",
            Box::new(|v| {
                v["occurred_at"] = json!(1_793_628_300_123_i64);
            }),
        ),
        (
            "bad timestamp",
            Box::new(|v| {
                v["occurred_at"] = json!("2026-11-02 14:05");
            }),
        ),
        (
            "wrapped nullable",
            Box::new(|v| {
                v["payload"]["InboundMessage"]["phone"] = json!({"string": "+852"});
            }),
        ),
        (
            "content unwrapped",
            Box::new(|v| {
                v["payload"]["InboundMessage"]["content"] = json!({"body": "x"});
            }),
        ),
    ];
    for (what, breaker) in broken {
        let mut v = sample_event();
        breaker(&mut v);
        let (errs, _) = conform(&schemas, Topic::Conversation, &v);
        assert!(!errs.is_empty(), "checker missed: {what}");
    }
    let bad_enum = json!({
        "event_id": "e", "customer": "+33612345678", "occurred_at": "2026-11-02T14:05:00.123Z", "source": "s",
        "payload": {"OrderPaid": {"order_id": "o", "amount_minor": 1, "currency": "EUR", "payment_method": "CHEQUE"}}
    });
    assert!(
        !conform(&schemas, Topic::Transaction, &bad_enum)
            .0
            .is_empty(),
        "checker missed a bad enum symbol"
    );
}
