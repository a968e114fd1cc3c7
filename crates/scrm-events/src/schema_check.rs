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
