//! The output records (`scrm_events::output`): every record survives to_avro → codec →
//! from_avro and the JSON mapping of `scrm tail`/`scrm produce` unchanged, encodes to the
//! same bytes every time, reads what the 0.1.0 release wrote, and a damaged value gives an
//! error naming its field, never a panic.

use std::collections::BTreeMap;
use std::fmt::Debug;

use apache_avro::types::Value;
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use scrm_events::output::*;
use scrm_schema::json::{avro_to_json, json_to_avro, Names};
use scrm_schema::{Catalog, Codec, KnownSchema};
use serde_json::json;

fn current<R: OutputRecord>() -> &'static KnownSchema {
    Catalog::embedded()
        .current(R::SCHEMA)
        .unwrap_or_else(|| panic!("{} is not embedded", R::SCHEMA))
}

/// 1970 to 2100: what `scrm tail` can print as RFC 3339.
fn millis() -> impl Strategy<Value = i64> {
    0i64..4_102_444_800_000
}

fn id() -> impl Strategy<Value = String> {
    "[a-z0-9+@/#._-]{1,24}"
}

fn text() -> impl Strategy<Value = String> {
    ".{0,12}"
}

fn texts() -> impl Strategy<Value = Vec<String>> {
    vec(text(), 0..4)
}

fn dict() -> impl Strategy<Value = BTreeMap<String, String>> {
    btree_map("[a-z_]{1,8}", text(), 0..6)
}

fn pick<T: Clone + Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(all)
}

fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        (
            id(),
            "[a-z]{2}(_[A-Z]{2})?",
            pick(&[
                TemplateCategory::Marketing,
                TemplateCategory::Utility,
                TemplateCategory::Authentication,
            ]),
            texts()
        )
            .prop_map(|(name, language, category, variables)| Message::Template {
                name,
                language,
                category,
                variables,
            }),
        (text(), option::of(id())).prop_map(|(text, fallback_template)| Message::FreeForm {
            text,
            fallback_template,
        }),
    ]
}

prop_compose! {
    fn trigger()(
        trigger_id in id(), customer in id(), occurred_at_ms in millis(), source in text(),
        rule_id in id(), cause in text(), message in message(),
        not_before_ms in option::of(millis()),
        decision in pick(&[Decision::Allow, Decision::Defer, Decision::Suppress]),
        reasons in texts(), in_reply in any::<bool>(),
    ) -> Trigger {
        Trigger {
            trigger_id, customer, occurred_at_ms, source, rule_id, cause, message,
            not_before_ms, decision, reasons, in_reply,
        }
    }
}

fn operation() -> impl Strategy<Value = CrmOp> {
    prop_oneof![
        btree_map("[a-z_]{1,8}", option::of(text()), 0..6)
            .prop_map(|fields| CrmOp::UpsertContact { fields }),
        (
            text(),
            option::of(text()),
            option::of(millis()),
            option::of("high|normal|low")
        )
            .prop_map(|(subject, body, due_at_ms, priority)| CrmOp::CreateTask {
                subject,
                body,
                due_at_ms,
                priority,
            }),
        (text(), option::of(text()))
            .prop_map(|(body, media_url)| CrmOp::AddNote { body, media_url }),
        (
            id(),
            id(),
            text(),
            "open|won",
            option::of(any::<i64>()),
            option::of("[A-Z]{3}")
        )
            .prop_map(|(deal_key, sku, title, stage, amount_minor, currency)| {
                CrmOp::UpsertDeal {
                    deal_key,
                    sku,
                    title,
                    stage,
                    amount_minor,
                    currency,
                }
            }),
        (id(), "quote|complaint", text(), option::of(text())).prop_map(
            |(case_key, kind, subject, body)| CrmOp::CreateCase {
                case_key,
                kind,
                subject,
                body,
            }
        ),
        text().prop_map(|reason| CrmOp::DeleteContact { reason }),
    ]
}

prop_compose! {
    fn crm_command()(
        command_id in id(), customer in id(), occurred_at_ms in millis(), source in text(),
        rule_id in option::of(id()), operation in operation(),
    ) -> CrmCommand {
        CrmCommand { command_id, customer, occurred_at_ms, source, rule_id, operation }
    }
}

prop_compose! {
    fn alert()(
        alert_id in id(), occurred_at_ms in millis(), source in text(), kind in id(),
        severity in pick(&[Severity::Info, Severity::Warning, Severity::Critical]),
        subject in text(), customer in option::of(id()), message in text(), details in dict(),
    ) -> Alert {
        Alert { alert_id, occurred_at_ms, source, kind, severity, subject, customer, message, details }
    }
}

prop_compose! {
    fn difference()(
        field in id(), ours in option::of(text()), theirs in option::of(text()),
        ours_modified_at_ms in option::of(millis()), theirs_modified_at_ms in option::of(millis()),
        kept in pick(&[Kept::Ours, Kept::Theirs, Kept::Undecided]),
    ) -> FieldDifference {
        FieldDifference { field, ours, theirs, ours_modified_at_ms, theirs_modified_at_ms, kept }
    }
}

prop_compose! {
    fn review_item()(
        review_id in id(), customer in id(), occurred_at_ms in millis(), source in text(),
        kind in pick(&[
            ReviewKind::CrmConflict, ReviewKind::MergeProposal,
            ReviewKind::SuppressedAutomation, ReviewKind::Other,
        ]),
        summary in text(), related_customers in vec(id(), 0..3),
        differences in vec(difference(), 0..3), details in dict(),
    ) -> ReviewItem {
        ReviewItem {
            review_id, customer, occurred_at_ms, source, kind, summary, related_customers,
            differences, details,
        }
    }
}

prop_compose! {
    fn dead_letter()(
        dead_letter_id in id(), failed_at_ms in millis(), source in text(),
        error_kind in pick(&[
            ErrorKind::Decode, ErrorKind::Validation, ErrorKind::Rule, ErrorKind::Delivery,
            ErrorKind::Other, ErrorKind::Time,
        ]),
        error in text(), original_topic in option::of(id()),
        original_partition in option::of(0i32..1024), original_offset in option::of(0i64..),
        original_timestamp_ms in option::of(millis()),
        original_key in option::of(vec(any::<u8>(), 0..8)),
        original_value in vec(any::<u8>(), 0..32),
        original_headers in btree_map("[a-z.]{1,10}", vec(any::<u8>(), 0..6), 0..4),
    ) -> DeadLetter {
        DeadLetter {
            dead_letter_id, failed_at_ms, source, error_kind, error, original_topic,
            original_partition, original_offset, original_timestamp_ms, original_key,
            original_value, original_headers,
        }
    }
}

/// Everything a record must survive; returns its framed bytes.
fn round_trip<R>(record: &R) -> Vec<u8>
where
    R: OutputRecord + PartialEq + Debug + serde::Serialize + serde::de::DeserializeOwned,
{
    let schema = current::<R>();
    let value = record.to_avro();
    assert!(
        value.validate(&schema.schema),
        "{} does not fit its schema: {value:?}",
        R::SCHEMA
    );
    assert_eq!(&R::from_avro(&value).unwrap(), record, "straight back");

    let bytes = Codec::single_object().encode("t", schema, &value).unwrap();
    // A codec of its own: no cached writer or map order shared with the first.
    let again = Codec::single_object().encode("t", schema, &value).unwrap();
    assert_eq!(bytes, again, "the same record encodes to the same bytes");
    let decoded = Codec::single_object().decode(&bytes, schema).unwrap();
    assert_eq!(
        &R::from_avro(&decoded).unwrap(),
        record,
        "through the codec"
    );

    // What `scrm tail` prints, `scrm produce` reads back to the same record.
    let names = Names::of(&schema.schema);
    let json = avro_to_json(&schema.schema, &names, &decoded);
    let from_json = json_to_avro(&schema.schema, &names, &json).unwrap();
    assert_eq!(
        &R::from_avro(&from_json).unwrap(),
        record,
        "through JSON: {json}"
    );

    let stored = serde_json::to_vec(record).unwrap();
    assert_eq!(
        &serde_json::from_slice::<R>(&stored).unwrap(),
        record,
        "serde"
    );
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn triggers_round_trip(t in trigger()) {
        round_trip(&t);
    }

    #[test]
    fn crm_commands_round_trip(c in crm_command()) {
        round_trip(&c);
    }

    #[test]
    fn alerts_round_trip(a in alert()) {
        round_trip(&a);
    }

    #[test]
    fn review_items_round_trip(r in review_item()) {
        round_trip(&r);
    }

    #[test]
    fn dead_letters_round_trip(d in dead_letter()) {
        round_trip(&d);
    }

    #[test]
    fn damaged_triggers_never_panic(t in trigger(), node in any::<usize>(), index in 0u32..6) {
        let mut value = t.to_avro();
        let mut count = 0;
        damage(&mut value, node, index, &mut count);
        if let Err(e) = Trigger::from_avro(&value) {
            prop_assert!(e.to_string().contains(": "), "{e}");
        }
    }

    #[test]
    fn damaged_crm_commands_never_panic(c in crm_command(), node in any::<usize>(), index in 0u32..6) {
        let mut value = c.to_avro();
        let mut count = 0;
        damage(&mut value, node, index, &mut count);
        if let Err(e) = CrmCommand::from_avro(&value) {
            prop_assert!(e.to_string().contains(": "));
        }
    }
}

/// Replaces the `node`th node (depth first, modulo the count) with `Null`, or relabels it
/// when it is a union or an enum.
fn damage(value: &mut Value, node: usize, index: u32, seen: &mut usize) -> bool {
    let total = count(value);
    damage_at(value, node % total, index, seen)
}

fn count(value: &Value) -> usize {
    1 + match value {
        Value::Record(fields) => fields.iter().map(|(_, v)| count(v)).sum(),
        Value::Union(_, inner) => count(inner),
        Value::Array(items) => items.iter().map(count).sum(),
        Value::Map(entries) => entries.values().map(count).sum(),
        _ => 0,
    }
}

fn damage_at(value: &mut Value, target: usize, index: u32, seen: &mut usize) -> bool {
    if *seen == target {
        match value {
            Value::Union(i, _) | Value::Enum(i, _) => *i = index,
            other => *other = Value::Null,
        }
        return true;
    }
    *seen += 1;
    match value {
        Value::Record(fields) => fields
            .iter_mut()
            .any(|(_, v)| damage_at(v, target, index, seen)),
        Value::Union(_, inner) => damage_at(inner, target, index, seen),
        Value::Array(items) => items.iter_mut().any(|v| damage_at(v, target, index, seen)),
        Value::Map(entries) => entries
            .values_mut()
            .any(|v| damage_at(v, target, index, seen)),
        _ => false,
    }
}

fn sample_trigger() -> Trigger {
    Trigger {
        trigger_id: "winback@scrm.conversation.v1/0/7#0".into(),
        customer: "+85291234567".into(),
        occurred_at_ms: 1_793_628_300_123,
        source: "scrm processor".into(),
        rule_id: "winback".into(),
        cause: "scrm.conversation.v1/0@7".into(),
        message: Message::Template {
            name: "winback".into(),
            language: "zh_HK".into(),
            category: TemplateCategory::Marketing,
            variables: vec!["Ka Ming".into()],
        },
        not_before_ms: Some(1_793_700_000_000),
        decision: Decision::Defer,
        reasons: vec!["best_hour".into()],
        in_reply: true,
    }
}

fn field_mut<'v>(value: &'v mut Value, path: &[&str]) -> &'v mut Value {
    let mut v = value;
    for name in path {
        if let Value::Union(_, inner) = v {
            v = inner;
        }
        let Value::Record(fields) = v else {
            panic!("not a record at {name}")
        };
        v = &mut fields.iter_mut().find(|(n, _)| n == name).unwrap().1;
    }
    v
}

#[test]
fn decode_errors_name_the_field() {
    let err = |path: &[&str], new: Value| {
        let mut value = sample_trigger().to_avro();
        *field_mut(&mut value, path) = new;
        Trigger::from_avro(&value).unwrap_err().to_string()
    };
    assert_eq!(
        err(&["customer"], Value::String(String::new())),
        "customer: must not be empty"
    );
    assert_eq!(
        err(&["occurred_at"], Value::String("noon".into())),
        "occurred_at: expected timestamp-millis, found String"
    );
    assert_eq!(
        err(&["verdict", "decision"], Value::Enum(9, "MAYBE".into())),
        "verdict.decision: `MAYBE` (index 9) is not a symbol of GateDecision: ALLOW, DEFER, SUPPRESS"
    );
    assert_eq!(
        err(&["message", "template_name"], Value::Int(3)),
        "message.TemplateMessage.template_name: expected string, found Int"
    );
    assert_eq!(
        err(&["in_reply"], Value::Null),
        "in_reply: expected boolean, found Null"
    );

    let mut value = sample_trigger().to_avro();
    let Value::Record(fields) = &mut value else {
        unreachable!()
    };
    fields.retain(|(n, _)| n != "rule_id");
    assert_eq!(
        Trigger::from_avro(&value).unwrap_err().to_string(),
        "rule_id: missing"
    );

    let command = CrmCommand {
        command_id: "c".into(),
        customer: "+85291234567".into(),
        occurred_at_ms: 0,
        source: "s".into(),
        rule_id: None,
        operation: CrmOp::CreateTask {
            subject: "Call back".into(),
            body: None,
            due_at_ms: Some(5),
            priority: None,
        },
    };
    let mut value = command.to_avro();
    *field_mut(&mut value, &["operation", "due_at"]) =
        Value::Union(1, Box::new(Value::String("tomorrow".into())));
    assert_eq!(
        CrmCommand::from_avro(&value).unwrap_err().to_string(),
        "operation.CreateTask.due_at: expected timestamp-millis, found String"
    );

    let alert = Alert {
        alert_id: "a".into(),
        occurred_at_ms: 0,
        source: "s".into(),
        kind: "agent_slow".into(),
        severity: Severity::Warning,
        subject: "agent-7".into(),
        customer: None,
        message: "slow".into(),
        details: BTreeMap::from([("median_response_s".into(), "900".into())]),
    };
    let mut value = alert.to_avro();
    *field_mut(&mut value, &["details"]) = Value::Map(
        [("median_response_s".to_owned(), Value::Long(900))]
            .into_iter()
            .collect(),
    );
    assert_eq!(
        Alert::from_avro(&value).unwrap_err().to_string(),
        "details.median_response_s: expected string, found Long"
    );
}

#[test]
fn triggers_of_release_0_1_0_read_as_not_in_reply() {
    let old = Catalog::embedded()
        .all()
        .find(|s| s.release == "0.1.0" && s.file == "automation_trigger.avsc")
        .expect("released trigger schema");
    let current = current::<Trigger>();
    assert_ne!(old.fingerprint, current.fingerprint, "the schema moved on");
    let json = json!({
        "trigger_id": "t1", "customer": "+85291234567", "occurred_at": 1_793_628_300_123i64,
        "source": "scrm processor", "rule_id": "ask_price", "cause": "scrm.conversation.v1/0@7",
        "message": {"FreeFormMessage": {"text": "The serum is HK$320", "fallback_template": null}},
        "not_before": null, "verdict": {"decision": "ALLOW", "reasons": []},
    });
    let value = json_to_avro(&old.schema, &Names::of(&old.schema), &json).unwrap();
    let codec = Codec::single_object();
    let bytes = codec.encode("scrm.triggers.v1", old, &value).unwrap();
    let read = Trigger::from_avro(&codec.decode(&bytes, current).unwrap()).unwrap();
    assert!(!read.in_reply, "the default of the new field");
    assert_eq!(read.cause, "scrm.conversation.v1/0@7");
    assert_eq!(
        read.message,
        Message::FreeForm {
            text: "The serum is HK$320".into(),
            fallback_template: None
        }
    );
}

#[test]
fn an_unknown_template_category_reads_as_utility() {
    let mut value = sample_trigger().to_avro();
    *field_mut(&mut value, &["message", "category"]) = Value::Enum(3, "UNKNOWN".into());
    let Message::Template { category, .. } = Trigger::from_avro(&value).unwrap().message else {
        unreachable!()
    };
    assert_eq!(category, TemplateCategory::Utility);
    *field_mut(&mut value, &["message", "category"]) = Value::Enum(4, "PROMO".into());
    assert!(Trigger::from_avro(&value)
        .unwrap_err()
        .to_string()
        .starts_with("message.TemplateMessage.category: `PROMO`"));
}

#[test]
fn a_hand_built_review_item_may_leave_out_fields_with_defaults() {
    let value = Value::Record(
        [
            ("review_id", Value::String("r1".into())),
            ("customer", Value::String("+85291234567".into())),
            ("occurred_at", Value::TimestampMillis(5)),
            ("source", Value::String("processor".into())),
            ("kind", Value::Enum(1, "MERGE_PROPOSAL".into())),
            ("summary", Value::String("Same person?".into())),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v))
        .collect(),
    );
    let item = ReviewItem::from_avro(&value).unwrap();
    assert_eq!(item.kind, ReviewKind::MergeProposal);
    assert!(item.related_customers.is_empty() && item.differences.is_empty());
    assert!(item.details.is_empty());
}
