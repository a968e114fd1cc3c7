//! Every schema scrm knows: the current ones and those of earlier releases, parsed once.

use std::collections::HashMap;
use std::sync::OnceLock;

use apache_avro::Schema;

include!(concat!(env!("OUT_DIR"), "/embedded_schemas.rs"));

/// One parsed schema with what the codecs need to find it again.
#[derive(Debug)]
pub struct KnownSchema {
    /// Release it belongs to: `current` or a version such as `0.1.0`.
    pub release: &'static str,
    /// File name under `schemas/`, e.g. `conversation_event.avsc`.
    pub file: &'static str,
    /// Full Avro name, e.g. `scrm.conversation.ConversationEvent`.
    pub full_name: String,
    /// CRC-64-AVRO fingerprint of the Parsing Canonical Form, as in the single-object header.
    pub fingerprint: u64,
    /// The schema text as in the file (what a registry is given).
    pub text: &'static str,
    pub schema: Schema,
}

/// Parsed schemas, current first, addressable by fingerprint and name.
#[derive(Debug)]
pub struct Catalog {
    schemas: Vec<KnownSchema>,
    by_fingerprint: HashMap<u64, usize>,
}

/// The schema's Parsing Canonical Form, as the Avro specification defines it.
///
/// apache-avro 0.22 leaves a primitive with a logical type as `{"type":"long"}` where the
/// specification's [PRIMITIVES] rule wants `"long"`, which gives `timestamp-millis` fields
/// a fingerprint no other implementation computes. A correct canonical form never holds
/// `{"type":"<primitive>"}`, so rewriting those is exact.
pub fn canonical_form(schema: &Schema) -> String {
    let mut form = schema.canonical_form();
    for primitive in [
        "null", "boolean", "int", "long", "float", "double", "bytes", "string",
    ] {
        form = form.replace(
            &format!("{{\"type\":\"{primitive}\"}}"),
            &format!("\"{primitive}\""),
        );
    }
    form
}

/// CRC-64-AVRO, the Rabin fingerprint of the Avro specification ("Schema Fingerprints").
pub fn crc64_avro(bytes: &[u8]) -> u64 {
    const EMPTY: u64 = 0xc15d_213a_a4d7_a795;
    static TABLE: OnceLock<[u64; 256]> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = [0u64; 256];
        for (i, entry) in table.iter_mut().enumerate() {
            let mut fp = i as u64;
            for _ in 0..8 {
                fp = (fp >> 1) ^ (EMPTY & (fp & 1).wrapping_neg());
            }
            *entry = fp;
        }
        table
    });
    bytes.iter().fold(EMPTY, |fp, b| {
        (fp >> 8) ^ table[((fp ^ u64::from(*b)) & 0xff) as usize]
    })
}

/// The CRC-64-AVRO fingerprint of the schema's canonical form, as in the single-object
/// header.
pub fn fingerprint(schema: &Schema) -> u64 {
    crc64_avro(canonical_form(schema).as_bytes())
}

impl Catalog {
    /// The catalog compiled into this binary; parsed on first use.
    pub fn embedded() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::parse(EMBEDDED.iter().copied())
                .unwrap_or_else(|e| panic!("embedded schemas are invalid: {e}"))
        })
    }

    /// Parses `(release, file, text)` triples. Errors name the file.
    pub fn parse(
        sources: impl IntoIterator<Item = (&'static str, &'static str, &'static str)>,
    ) -> Result<Catalog, String> {
        let mut schemas = Vec::new();
        let mut by_fingerprint = HashMap::new();
        for (release, file, text) in sources {
            let schema = Schema::parse_str(text).map_err(|e| format!("{release}/{file}: {e}"))?;
            let full_name = schema.name().map(|n| n.fullname(None)).ok_or_else(|| {
                format!("{release}/{file}: top-level schema must be a named record")
            })?;
            let fingerprint = fingerprint(&schema);
            // Current schemas come first, so an unchanged released schema maps to the current entry.
            by_fingerprint.entry(fingerprint).or_insert(schemas.len());
            schemas.push(KnownSchema {
                release,
                file,
                full_name,
                fingerprint,
                text,
                schema,
            });
        }
        Ok(Catalog {
            schemas,
            by_fingerprint,
        })
    }

    /// The current schema with this full name (`scrm.conversation.ConversationEvent`) or
    /// short name (`ConversationEvent`).
    pub fn current(&self, name: &str) -> Option<&KnownSchema> {
        self.schemas
            .iter()
            .filter(|s| s.release == "current")
            .find(|s| s.full_name == name || s.full_name.rsplit('.').next() == Some(name))
    }

    /// Any known schema (current or released) by fingerprint.
    pub fn by_fingerprint(&self, fingerprint: u64) -> Option<&KnownSchema> {
        self.by_fingerprint
            .get(&fingerprint)
            .map(|&i| &self.schemas[i])
    }

    /// Every schema, current ones first.
    pub fn all(&self) -> impl Iterator<Item = &KnownSchema> {
        self.schemas.iter()
    }

    /// Release names other than `current`, oldest first.
    pub fn releases(&self) -> Vec<&'static str> {
        let mut releases: Vec<_> = self
            .schemas
            .iter()
            .map(|s| s.release)
            .filter(|r| *r != "current")
            .collect();
        releases.dedup();
        releases
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_match_the_specification_and_fastavro() {
        // Vectors of the Avro specification's test suite.
        assert_eq!(crc64_avro(b"\"int\"") as i64, 8_247_732_601_305_521_295);
        assert_eq!(crc64_avro(b"\"long\"") as i64, -3_434_872_931_120_570_953);
        let alert = Catalog::embedded()
            .all()
            .find(|s| s.release == "0.1.0" && s.file == "alert.avsc")
            .expect("released alert schema");
        // Computed by Python fastavro from the same file.
        assert_eq!(alert.fingerprint, 0x52fd_4bed_fc1e_bb71);
        assert!(canonical_form(&alert.schema).contains(r#"{"name":"occurred_at","type":"long"}"#));
    }
}
