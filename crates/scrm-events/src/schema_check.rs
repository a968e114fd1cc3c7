//! The tables this crate keeps of the current schemas (union branches with their fields,
//! enum symbols) checked against the parsed `schemas/*.avsc` of `scrm_schema`: a schema
//! change that the structs do not follow fails here, naming what moved.

use std::collections::BTreeMap;

use apache_avro::Schema;

use crate::decode::{AvroEnum, RecordUnion};
use crate::{
    behavior, content, conversation, crm, transaction, DeliveryState, HandoffDirection, InputTopic,
    InteractiveKind, MediaKind, MessageCategory, NotSentOutcome, OutboundKind, PaymentMethod,
    Sender,
};

/// Named types of the four input schemas, by short name.
#[derive(Default)]
struct Named<'s> {
    records: BTreeMap<String, Vec<String>>,
    enums: BTreeMap<String, Vec<String>>,
    unions: BTreeMap<String, Vec<&'s Schema>>,
}

fn collect<'s>(schema: &'s Schema, at: &str, named: &mut Named<'s>) {
    match schema {
        Schema::Record(r) => {
            let fields = r.fields.iter().map(|f| f.name.clone()).collect();
            named.records.insert(r.name.name().to_owned(), fields);
            for f in &r.fields {
                collect(&f.schema, &format!("{}.{}", r.name.name(), f.name), named);
            }
        }
        Schema::Enum(e) => {
            named
                .enums
                .insert(e.name.name().to_owned(), e.symbols.clone());
        }
        Schema::Union(u) => {
            named
                .unions
                .insert(at.to_owned(), u.variants().iter().collect());
            for v in u.variants() {
                collect(v, at, named);
            }
        }
        Schema::Array(a) => collect(&a.items, at, named),
        Schema::Map(m) => collect(&m.types, at, named),
        _ => {}
    }
}

fn current(topic: InputTopic) -> &'static Schema {
    &scrm_schema::Catalog::embedded()
        .current(topic.record_name())
        .unwrap_or_else(|| panic!("no current schema {}", topic.record_name()))
        .schema
}

fn named() -> Named<'static> {
    let mut named = Named::default();
    for topic in InputTopic::all() {
        collect(current(topic), "", &mut named);
    }
    named
}

fn check_union(named: &Named<'_>, at: &str, table: &RecordUnion) {
    let union = &named.unions[at];
    let names: Vec<&str> = union
        .iter()
        .map(|s| s.name().map_or("?", |n| n.name()))
        .collect();
    assert_eq!(table.names, names.as_slice(), "branches of {at}");
    assert_eq!(table.fields.len(), names.len(), "field lists of {at}");
    for (name, fields) in names.iter().zip(table.fields) {
        assert_eq!(*fields, named.records[*name].as_slice(), "fields of {name}");
    }
}

#[test]
fn payload_unions_match_the_schemas() {
    let named = named();
    check_union(&named, "ConversationEvent.payload", &conversation::UNION);
    check_union(&named, "BehaviorEvent.payload", &behavior::UNION);
    check_union(&named, "TransactionEvent.payload", &transaction::UNION);
    check_union(&named, "CrmUpdateEvent.payload", &crm::UNION);
    check_union(&named, "InboundMessage.content", &content::UNION);
}

fn symbols<E: AvroEnum>() -> (&'static str, Vec<String>) {
    (
        E::NAME,
        E::SYMBOLS.iter().map(|s| (*s).to_owned()).collect(),
    )
}

#[test]
fn enums_match_the_schemas() {
    let ours: BTreeMap<_, _> = [
        symbols::<MediaKind>(),
        symbols::<InteractiveKind>(),
        symbols::<OutboundKind>(),
        symbols::<MessageCategory>(),
        symbols::<Sender>(),
        symbols::<DeliveryState>(),
        symbols::<HandoffDirection>(),
        symbols::<NotSentOutcome>(),
        symbols::<PaymentMethod>(),
    ]
    .into_iter()
    .map(|(n, s)| (n.to_owned(), s))
    .collect();
    assert_eq!(ours, named().enums);
}

#[test]
fn every_record_has_a_rust_type() {
    // Payload and content branches are checked field by field above; these are the records
    // nested in them, decoded field by field in their modules.
    let named = named();
    let records: Vec<&str> = named.records.keys().map(String::as_str).collect();
    let mut expected: Vec<&str> = [
        conversation::UNION.names,
        behavior::UNION.names,
        transaction::UNION.names,
        crm::UNION.names,
        content::UNION.names,
        &[
            "ConversationEvent",
            "BehaviorEvent",
            "TransactionEvent",
            "CrmUpdateEvent",
            "SharedContact",
            "CatalogItem",
            "OrderLine",
        ],
    ]
    .concat();
    expected.sort_unstable();
    assert_eq!(records, expected);
    assert_eq!(named.records["SharedContact"], ["name", "phones"]);
    assert_eq!(
        named.records["CatalogItem"],
        ["sku", "quantity", "unit_price_minor", "currency"]
    );
    assert_eq!(
        named.records["OrderLine"],
        ["sku", "name", "quantity", "unit_price_minor"]
    );
    for envelope in [
        "ConversationEvent",
        "BehaviorEvent",
        "TransactionEvent",
        "CrmUpdateEvent",
    ] {
        assert_eq!(
            named.records[envelope],
            ["event_id", "customer", "occurred_at", "source", "payload"]
        );
    }
}

#[test]
fn topic_names_match_the_catalog() {
    for topic in InputTopic::all() {
        let known = scrm_schema::Catalog::embedded()
            .current(topic.full_name())
            .expect("full name in catalog");
        assert_eq!(known.file, format!("{}.avsc", topic.schema_name()));
    }
}

/// Named types of the output schemas, by short name.
fn output_named() -> Named<'static> {
    let mut named = Named::default();
    for name in [
        "AutomationTrigger",
        "CrmCommand",
        "Alert",
        "ReviewItem",
        "DeadLetter",
    ] {
        let schema = &scrm_schema::Catalog::embedded()
            .current(name)
            .unwrap_or_else(|| panic!("no current schema {name}"))
            .schema;
        collect(schema, "", &mut named);
    }
    named
}

#[test]
fn output_unions_and_enums_match_the_schemas() {
    use crate::output::{Decision, ErrorKind, Kept, ReviewKind, Severity, TemplateCategory};
    let named = output_named();
    check_union(&named, "AutomationTrigger.message", &crate::output::MESSAGE);
    check_union(&named, "CrmCommand.operation", &crate::output::OPERATION);
    let ours: BTreeMap<_, _> = [
        symbols::<Decision>(),
        symbols::<TemplateCategory>(),
        symbols::<Severity>(),
        symbols::<ReviewKind>(),
        symbols::<Kept>(),
        symbols::<ErrorKind>(),
    ]
    .into_iter()
    .map(|(n, s)| (n.to_owned(), s))
    .collect();
    assert_eq!(ours, named.enums);
}

/// Field names of every record in `value`, checked against `schema`'s, in order.
fn same_fields(schema: &Schema, value: &apache_avro::types::Value, at: &str) {
    use apache_avro::types::Value;
    match (schema, value) {
        (Schema::Record(r), Value::Record(fields)) => {
            let ours: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
            let theirs: Vec<&str> = r.fields.iter().map(|f| f.name.as_str()).collect();
            assert_eq!(ours, theirs, "fields of {at}");
            for (f, (_, v)) in r.fields.iter().zip(fields) {
                same_fields(&f.schema, v, &format!("{at}.{}", f.name));
            }
        }
        (Schema::Union(u), Value::Union(i, inner)) => {
            same_fields(&u.variants()[*i as usize], inner, at);
        }
        (Schema::Array(a), Value::Array(items)) => {
            for item in items {
                same_fields(&a.items, item, at);
            }
        }
        (Schema::Map(m), Value::Map(entries)) => {
            for v in entries.values() {
                same_fields(&m.types, v, at);
            }
        }
        (Schema::Ref { name }, Value::Record(_)) => {
            panic!("{at}: record {name} by reference is not checked here")
        }
        _ => {}
    }
}

#[test]
fn output_values_have_the_schemas_fields_in_order() {
    use crate::output::*;
    let schema = |name: &str| {
        &scrm_schema::Catalog::embedded()
            .current(name)
            .unwrap()
            .schema
    };
    let messages = [
        Message::Template {
            name: "t".into(),
            language: "en".into(),
            category: TemplateCategory::Utility,
            variables: vec!["v".into()],
        },
        Message::FreeForm {
            text: "x".into(),
            fallback_template: Some("t".into()),
        },
    ];
    for message in messages {
        let trigger = Trigger {
            trigger_id: "t".into(),
            customer: "c".into(),
            occurred_at_ms: 1,
            source: "s".into(),
            rule_id: "r".into(),
            cause: "x".into(),
            message,
            not_before_ms: Some(2),
            decision: Decision::Defer,
            reasons: vec!["quiet_hours".into()],
            in_reply: false,
        };
        same_fields(
            schema(Trigger::SCHEMA),
            &trigger.to_avro(),
            "AutomationTrigger",
        );
    }
    let operations = [
        CrmOp::UpsertContact {
            fields: [("level".to_owned(), Some("gold".to_owned()))].into(),
        },
        CrmOp::CreateTask {
            subject: "s".into(),
            body: Some("b".into()),
            due_at_ms: Some(1),
            priority: Some("high".into()),
        },
        CrmOp::AddNote {
            body: "b".into(),
            media_url: Some("u".into()),
        },
    ];
    for operation in operations {
        let command = CrmCommand {
            command_id: "c".into(),
            customer: "c".into(),
            occurred_at_ms: 1,
            source: "s".into(),
            rule_id: Some("r".into()),
            operation,
        };
        same_fields(schema(CrmCommand::SCHEMA), &command.to_avro(), "CrmCommand");
    }
    let alert = Alert {
        alert_id: "a".into(),
        occurred_at_ms: 1,
        source: "s".into(),
        kind: "k".into(),
        severity: Severity::Critical,
        subject: "s".into(),
        customer: Some("c".into()),
        message: "m".into(),
        details: [("k".to_owned(), "v".to_owned())].into(),
    };
    same_fields(schema(Alert::SCHEMA), &alert.to_avro(), "Alert");
    let review = ReviewItem {
        review_id: "r".into(),
        customer: "c".into(),
        occurred_at_ms: 1,
        source: "s".into(),
        kind: ReviewKind::CrmConflict,
        summary: "s".into(),
        related_customers: vec!["d".into()],
        differences: vec![FieldDifference {
            field: "f".into(),
            ours: Some("a".into()),
            theirs: None,
            ours_modified_at_ms: Some(1),
            theirs_modified_at_ms: None,
            kept: Kept::Theirs,
        }],
        details: [("k".to_owned(), "v".to_owned())].into(),
    };
    same_fields(schema(ReviewItem::SCHEMA), &review.to_avro(), "ReviewItem");
    let letter = DeadLetter {
        dead_letter_id: "d".into(),
        failed_at_ms: 1,
        source: "s".into(),
        error_kind: ErrorKind::Rule,
        error: "e".into(),
        original_topic: Some("t".into()),
        original_partition: Some(1),
        original_offset: Some(2),
        original_timestamp_ms: Some(3),
        original_key: Some(b"k".to_vec()),
        original_value: b"v".to_vec(),
        original_headers: [("h".to_owned(), b"x".to_vec())].into(),
    };
    same_fields(schema(DeadLetter::SCHEMA), &letter.to_avro(), "DeadLetter");
}
