//! Encoding and decoding of framed Avro records, with the writer→reader resolution cached
//! per schema pair.

use std::collections::HashMap;
use std::io::Read as _;
use std::sync::Arc;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::schema::{Name, ResolvedSchema};
use apache_avro::schema_compatibility::SchemaCompatibility;
use apache_avro::types::Value;
use apache_avro::writer::datum::GenericDatumWriter;
use apache_avro::Schema;
use parking_lot::RwLock;

use crate::catalog::{fingerprint, Catalog, KnownSchema};
use crate::registry::RegistryClient;
use crate::wire::{self, WriterRef};
use crate::CodecError;

/// A writer schema as found from a record header.
#[derive(Debug, Clone, Copy)]
pub struct Writer {
    pub schema: &'static Schema,
    pub full_name: &'static str,
    pub fingerprint: u64,
}

/// A resolver for one (writer, reader) pair and what validating its output needs.
struct CachedReader {
    reader: GenericDatumReader<'static>,
    schema: &'static Schema,
    names: HashMap<Name, &'static Schema>,
}

type ReaderResult = Result<Arc<CachedReader>, String>;

/// Turns values into framed records and back.
///
/// Single-object framing by default; with a registry, the Confluent framing. Decoding
/// accepts both framings whatever the configuration, so a deployment can switch without
/// losing the records already written.
pub struct Codec {
    catalog: &'static Catalog,
    registry: Option<RegistryClient>,
    writers: RwLock<HashMap<u64, Arc<GenericDatumWriter<'static>>>>,
    readers: RwLock<HashMap<(u64, u64), ReaderResult>>,
    registry_schemas: RwLock<HashMap<u32, Writer>>,
    registry_ids: RwLock<HashMap<(String, u64), u32>>,
}

impl std::fmt::Debug for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Codec")
            .field("registry", &self.registry)
            .finish_non_exhaustive()
    }
}

impl Codec {
    pub fn new(catalog: &'static Catalog, registry: Option<RegistryClient>) -> Self {
        Self {
            catalog,
            registry,
            writers: RwLock::default(),
            readers: RwLock::default(),
            registry_schemas: RwLock::default(),
            registry_ids: RwLock::default(),
        }
    }

    /// Single-object encoding with the embedded catalog.
    pub fn single_object() -> Self {
        Self::new(Catalog::embedded(), None)
    }

    pub fn catalog(&self) -> &'static Catalog {
        self.catalog
    }

    /// Encodes `value` (which must match `schema`) for `topic`.
    pub fn encode(
        &self,
        topic: &str,
        schema: &'static KnownSchema,
        value: &Value,
    ) -> Result<Vec<u8>, CodecError> {
        let writer_ref = match &self.registry {
            None => WriterRef::Fingerprint(schema.fingerprint),
            Some(registry) => WriterRef::RegistryId(self.registry_id(registry, topic, schema)?),
        };
        let writer = self.datum_writer(schema)?;
        let mut out = wire::header(writer_ref, 256);
        let header_len = out.len();
        writer
            .write_value_ref(&mut out, value)
            .map_err(|e| CodecError::Encode {
                schema: schema.full_name.clone(),
                reason: e.to_string(),
            })?;
        // apache-avro writes map entries in `HashMap` order, which differs from run to run;
        // outputs must be byte-identical for the same input, so maps are written sorted.
        if crate::canonical::has_unordered_map(value) {
            out.truncate(header_len);
            crate::canonical::write(value, &mut out).map_err(|reason| CodecError::Encode {
                schema: schema.full_name.clone(),
                reason,
            })?;
        }
        Ok(out)
    }

    /// Decodes a framed record into a value of `reader` (resolving from the writer's schema
    /// when they differ).
    pub fn decode(&self, bytes: &[u8], reader: &'static KnownSchema) -> Result<Value, CodecError> {
        let (writer, datum) = self.writer_of(bytes)?;
        self.read(
            writer,
            datum,
            &reader.schema,
            reader.fingerprint,
            &reader.full_name,
        )
    }

    /// Decodes a record of any known schema: read as the current schema of the same name if
    /// there is one, else as written. Returns the schema the value is in.
    pub fn decode_any(&self, bytes: &[u8]) -> Result<(&'static Schema, Value), CodecError> {
        let (writer, datum) = self.writer_of(bytes)?;
        let reader: (&'static Schema, u64, &str) = match self.catalog.current(writer.full_name) {
            Some(current) => (&current.schema, current.fingerprint, &current.full_name),
            None => (writer.schema, writer.fingerprint, writer.full_name),
        };
        let value = self.read(writer, datum, reader.0, reader.1, reader.2)?;
        Ok((reader.0, value))
    }

    /// The writer schema a record names, and its datum.
    pub fn writer_of<'b>(&self, bytes: &'b [u8]) -> Result<(Writer, &'b [u8]), CodecError> {
        let (writer_ref, datum) = wire::split(bytes)?;
        let writer = match writer_ref {
            WriterRef::Fingerprint(fp) => {
                let known = self
                    .catalog
                    .by_fingerprint(fp)
                    .ok_or(CodecError::UnknownFingerprint { fingerprint: fp })?;
                Writer {
                    schema: &known.schema,
                    full_name: &known.full_name,
                    fingerprint: fp,
                }
            }
            WriterRef::RegistryId(id) => self.registry_schema(id)?,
        };
        Ok((writer, datum))
    }

    fn read(
        &self,
        writer: Writer,
        datum: &[u8],
        reader_schema: &'static Schema,
        reader_fp: u64,
        reader_name: &str,
    ) -> Result<Value, CodecError> {
        let key = (writer.fingerprint, reader_fp);
        let cached = self.readers.read().get(&key).cloned();
        let reader = match cached {
            Some(r) => r,
            None => {
                let built = build_reader(
                    writer.schema,
                    reader_schema,
                    writer.fingerprint == reader_fp,
                );
                self.readers.write().entry(key).or_insert(built).clone()
            }
        };
        let reader = reader.map_err(|reason| CodecError::Incompatible {
            writer: writer.full_name.to_owned(),
            reader: reader_name.to_owned(),
            reason,
        })?;
        let mut cursor = datum;
        let value = reader
            .reader
            .read_value(&mut cursor)
            .map_err(|e| CodecError::Malformed {
                schema: writer.full_name.to_owned(),
                reason: e.to_string(),
            })?;
        // apache-avro reads a datum cut short inside a string or boolean as null; a value
        // that does not fit its schema is how such a record shows.
        if !value.validate_with_names(reader.schema, &reader.names) {
            return Err(CodecError::Malformed {
                schema: writer.full_name.to_owned(),
                reason: "the record ends early or holds values its schema does not allow".into(),
            });
        }
        let mut rest = Vec::new();
        // A datum with bytes left over is not what its header claims.
        if cursor.read_to_end(&mut rest).unwrap_or(0) > 0 {
            return Err(CodecError::Malformed {
                schema: writer.full_name.to_owned(),
                reason: format!("{} unexpected bytes after the record", rest.len()),
            });
        }
        Ok(value)
    }

    fn datum_writer(
        &self,
        schema: &'static KnownSchema,
    ) -> Result<Arc<GenericDatumWriter<'static>>, CodecError> {
        if let Some(w) = self.writers.read().get(&schema.fingerprint) {
            return Ok(w.clone());
        }
        let writer = GenericDatumWriter::builder(&schema.schema)
            .build()
            .map(Arc::new)
            .map_err(|e| CodecError::Encode {
                schema: schema.full_name.clone(),
                reason: e.to_string(),
            })?;
        self.writers
            .write()
            .insert(schema.fingerprint, writer.clone());
        Ok(writer)
    }

    fn registry_id(
        &self,
        registry: &RegistryClient,
        topic: &str,
        schema: &KnownSchema,
    ) -> Result<u32, CodecError> {
        // TopicNameStrategy: the subject of a topic's values is `<topic>-value`.
        let key = (format!("{topic}-value"), schema.fingerprint);
        if let Some(id) = self.registry_ids.read().get(&key) {
            return Ok(*id);
        }
        let id = registry.register(&key.0, schema.text)?;
        self.registry_ids.write().insert(key, id);
        Ok(id)
    }

    fn registry_schema(&self, id: u32) -> Result<Writer, CodecError> {
        if let Some(w) = self.registry_schemas.read().get(&id) {
            return Ok(*w);
        }
        let registry = self
            .registry
            .as_ref()
            .ok_or(CodecError::NoRegistry { id })?;
        let text = registry.schema_by_id(id)?;
        let parsed = Schema::parse_str(&text).map_err(|e| CodecError::Registry {
            url: registry.url().to_owned(),
            reason: format!("schema {id} does not parse: {e}"),
            retriable: false,
        })?;
        let fp = fingerprint(&parsed);
        let writer = match self.catalog.by_fingerprint(fp) {
            Some(known) => Writer {
                schema: &known.schema,
                full_name: &known.full_name,
                fingerprint: fp,
            },
            None => {
                // A schema this build does not ship (a newer producer's). Schemas are few and
                // live as long as the process, so keeping them for good is bounded.
                let full_name = parsed
                    .name()
                    .map(|n| n.fullname(None))
                    .unwrap_or_else(|| format!("registry-id-{id}"));
                let schema: &'static Schema = Box::leak(Box::new(parsed));
                Writer {
                    schema,
                    full_name: Box::leak(full_name.into_boxed_str()),
                    fingerprint: fp,
                }
            }
        };
        self.registry_schemas.write().insert(id, writer);
        Ok(writer)
    }
}

fn build_reader(writer: &'static Schema, reader: &'static Schema, same: bool) -> ReaderResult {
    let names = ResolvedSchema::try_from(reader)
        .map(|r| r.get_names().iter().map(|(n, s)| (n.clone(), *s)).collect())
        .map_err(|e| e.to_string())?;
    let datum_reader = if same {
        GenericDatumReader::builder(writer).build()
    } else {
        SchemaCompatibility::can_read(writer, reader).map_err(|e| e.to_string())?;
        GenericDatumReader::builder(writer)
            .reader_schema(reader)
            .build()
    };
    let datum_reader = datum_reader.map_err(|e| e.to_string())?;
    Ok(Arc::new(CachedReader {
        reader: datum_reader,
        schema: reader,
        names,
    }))
}
