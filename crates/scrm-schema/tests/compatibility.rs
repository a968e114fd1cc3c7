//! Schema evolution: the current schemas read what every release wrote, and the guard does
//! catch a breaking change.

use scrm_schema::compat::check_backward;
use scrm_schema::json::{avro_to_json, json_to_avro, Names};
use scrm_schema::{Catalog, Codec};

#[test]
fn every_released_schema_is_readable_by_the_current_one() {
    let catalog = Catalog::embedded();
    assert!(
        !catalog.releases().is_empty(),
        "schemas/released/ holds at least one release"
    );
    let problems = check_backward(catalog);
    assert!(
        problems.is_empty(),
        "breaking schema changes:\n{}",
        problems
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Every released schema is still served: no released topic schema was dropped.
    for old in catalog.all().filter(|s| s.release != "current") {
        assert!(
            catalog.current(&old.full_name).is_some(),
            "{} dropped",
            old.full_name
        );
    }
}

const V1: &str = r#"{"type":"record","name":"Thing","namespace":"t","fields":[
  {"name":"id","type":"string"},
  {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"],"default":"A"}}]}"#;
const V2_COMPATIBLE: &str = r#"{"type":"record","name":"Thing","namespace":"t","fields":[
  {"name":"id","type":"string"},
  {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B","C"],"default":"A"}},
  {"name":"note","type":["null","string"],"default":null}]}"#;
const V2_BREAKING: &str = r#"{"type":"record","name":"Thing","namespace":"t","fields":[
  {"name":"id","type":"string"},
  {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"],"default":"A"}},
  {"name":"required_now","type":"long"}]}"#;

fn leak(catalog: Catalog) -> &'static Catalog {
    Box::leak(Box::new(catalog))
}

#[test]
fn the_guard_catches_a_field_added_without_default() {
    let ok = Catalog::parse([
        ("current", "thing.avsc", V2_COMPATIBLE),
        ("0.1.0", "thing.avsc", V1),
    ])
    .unwrap();
    assert!(check_backward(&ok).is_empty());
    let broken = Catalog::parse([
        ("current", "thing.avsc", V2_BREAKING),
        ("0.1.0", "thing.avsc", V1),
    ])
    .unwrap();
    let problems = check_backward(&broken);
    assert_eq!(problems.len(), 1);
    let text = problems[0].to_string();
    assert!(
        text.contains("thing.avsc") && text.contains("0.1.0"),
        "{text}"
    );
    let dropped = Catalog::parse([
        (
            "current",
            "other.avsc",
            &*V2_COMPATIBLE.replace("Thing", "Other").leak(),
        ),
        ("0.1.0", "thing.avsc", V1),
    ])
    .unwrap();
    assert!(check_backward(&dropped)[0]
        .reason
        .contains("no longer exists"));
}

#[test]
fn old_records_are_resolved_to_the_current_schema() {
    let catalog = leak(
        Catalog::parse([
            ("current", "thing.avsc", V2_COMPATIBLE),
            ("0.1.0", "thing.avsc", V1),
        ])
        .unwrap(),
    );
    let codec = Codec::new(catalog, None);
    let old = catalog.all().find(|s| s.release == "0.1.0").unwrap();
    let current = catalog.current("Thing").unwrap();
    let names = Names::of(&old.schema);
    let value = json_to_avro(
        &old.schema,
        &names,
        &serde_json::json!({"id": "x", "kind": "B"}),
    )
    .unwrap();
    let bytes = codec.encode("t", old, &value).unwrap();
    // Twice: the second read goes through the cached resolver.
    for _ in 0..2 {
        let read = codec.decode(&bytes, current).unwrap();
        let json = avro_to_json(&current.schema, &Names::of(&current.schema), &read);
        assert_eq!(
            json,
            serde_json::json!({"id": "x", "kind": "B", "note": null})
        );
    }
    let (schema, _) = codec.decode_any(&bytes).unwrap();
    assert_eq!(schema.name().unwrap().name(), "Thing");
}

#[test]
fn a_breaking_writer_is_refused_with_both_names() {
    let catalog = leak(
        Catalog::parse([
            ("current", "thing.avsc", V2_BREAKING),
            ("0.1.0", "thing.avsc", V1),
        ])
        .unwrap(),
    );
    let codec = Codec::new(catalog, None);
    let old = catalog.all().find(|s| s.release == "0.1.0").unwrap();
    let value = json_to_avro(
        &old.schema,
        &Names::of(&old.schema),
        &serde_json::json!({"id": "x", "kind": "A"}),
    )
    .unwrap();
    let bytes = codec.encode("t", old, &value).unwrap();
    let err = codec
        .decode(&bytes, catalog.current("Thing").unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("t.Thing") && err.contains("cannot be read"),
        "{err}"
    );
}
