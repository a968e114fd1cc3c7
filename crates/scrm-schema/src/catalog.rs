//! Every schema scrm knows: the current ones and those of earlier releases, parsed once.

use std::collections::HashMap;
use std::sync::OnceLock;

use apache_avro::rabin::Rabin;
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

/// The CRC-64-AVRO (Rabin) fingerprint of a schema, as a number.
pub fn fingerprint(schema: &Schema) -> u64 {
    let fp = schema.fingerprint::<Rabin>();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&fp.bytes[..8]);
    u64::from_le_bytes(bytes)
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
