//! The scrm contract: the Avro schemas of every topic and the codecs that put them on the
//! wire.
//!
//! - [`catalog`] embeds `schemas/*.avsc` (this release) and `schemas/released/*/` (what
//!   earlier releases wrote), parsed once, addressable by name and fingerprint.
//! - [`topics`] names the topics, the schema each carries and how long each keeps data.
//! - [`wire`] frames a datum: Avro single-object encoding by default, the Confluent wire
//!   format with a [`registry`].
//! - [`codec`] encodes and decodes framed records, resolving a writer's schema to the
//!   reader's (schema evolution), cached per pair.
//! - [`json`] maps JSON lines to Avro values and back, with errors that name the field.
//! - [`compat`] checks that every schema can read what earlier releases wrote.
//!
//! Nothing here does I/O except the registry client.

mod canonical;
pub mod catalog;
pub mod codec;
pub mod compat;
pub mod config;
mod error;
pub mod json;
pub mod registry;
pub mod topics;
pub mod wire;

pub use apache_avro::types::Value;
pub use apache_avro::Schema;
pub use catalog::{Catalog, KnownSchema};
pub use codec::Codec;
pub use config::SchemaConfig;
pub use error::{CodecError, FieldError};
pub use topics::{Cleanup, TopicKind};

/// The value of field `name` of a record value, if it is a record and has that field.
pub fn record_field<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    match value {
        Value::Record(fields) => fields.iter().find(|(n, _)| n == name).map(|(_, v)| v),
        _ => None,
    }
}

/// Replaces field `name` of a record value; false if there is no such field.
pub fn set_record_field(value: &mut Value, name: &str, new: Value) -> bool {
    match value {
        Value::Record(fields) => match fields.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => {
                *v = new;
                true
            }
            None => false,
        },
        _ => false,
    }
}
