//! Reading `apache_avro::types::Value`s as the codec produces them, resolved to the current
//! schemas: typed accessors that fail with an [`EventError`] instead of panicking.
//!
//! What is accepted beyond the exact resolved form, so that values built by hand or
//! written by older code still decode: `Long` or `TimestampMillis` for timestamps, `Int`
//! for a long, an in-range `Long` for an int, `Float` for a double, a bare value or a bare
//! `Null` for a nullable field, a string for an enum symbol, and a nullable field with a
//! null default left out. Record fields are looked up by name, trying schema order first,
//! so a record in schema order costs one comparison per field.

use std::collections::BTreeMap;

use apache_avro::types::Value;

use crate::error::{EventError, Problem, Segment};

pub(crate) type Decoded<T> = Result<T, EventError>;

/// The name of a value's variant, for "found ..." in errors.
pub(crate) fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "Null",
        Value::Boolean(_) => "Boolean",
        Value::Int(_) => "Int",
        Value::Long(_) => "Long",
        Value::Float(_) => "Float",
        Value::Double(_) => "Double",
        Value::Bytes(_) => "Bytes",
        Value::String(_) => "String",
        Value::Fixed(..) => "Fixed",
        Value::Enum(..) => "Enum",
        Value::Union(..) => "Union",
        Value::Array(_) => "Array",
        Value::Map(_) => "Map",
        Value::Record(_) => "Record",
        Value::Date(_) => "Date",
        Value::Decimal(_) => "Decimal",
        Value::BigDecimal(_) => "BigDecimal",
        Value::TimeMillis(_) => "TimeMillis",
        Value::TimeMicros(_) => "TimeMicros",
        Value::TimestampMillis(_) => "TimestampMillis",
        Value::TimestampMicros(_) => "TimestampMicros",
        Value::TimestampNanos(_) => "TimestampNanos",
        Value::LocalTimestampMillis(_) => "LocalTimestampMillis",
        Value::LocalTimestampMicros(_) => "LocalTimestampMicros",
        Value::LocalTimestampNanos(_) => "LocalTimestampNanos",
        Value::Duration(_) => "Duration",
        Value::Uuid(_) => "Uuid",
    }
}

pub(crate) fn string(value: &Value) -> Decoded<String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        other => Err(EventError::expected("string", other)),
    }
}

/// A string that must not be empty (customer keys, event ids).
pub(crate) fn key(value: &Value) -> Decoded<String> {
    match value {
        Value::String(s) if s.is_empty() => Err(EventError::new(Problem::Empty)),
        other => string(other),
    }
}

pub(crate) fn long(value: &Value) -> Decoded<i64> {
    match value {
        Value::Long(n) => Ok(*n),
        Value::Int(n) => Ok(i64::from(*n)),
        other => Err(EventError::expected("long", other)),
    }
}

pub(crate) fn int(value: &Value) -> Decoded<i32> {
    match value {
        Value::Int(n) => Ok(*n),
        Value::Long(n) => {
            i32::try_from(*n).map_err(|_| EventError::new(Problem::OutOfRange { value: *n }))
        }
        other => Err(EventError::expected("int", other)),
    }
}

pub(crate) fn boolean(value: &Value) -> Decoded<bool> {
    match value {
        Value::Boolean(b) => Ok(*b),
        other => Err(EventError::expected("boolean", other)),
    }
}

pub(crate) fn bytes(value: &Value) -> Decoded<Vec<u8>> {
    match value {
        Value::Bytes(b) => Ok(b.clone()),
        other => Err(EventError::expected("bytes", other)),
    }
}

pub(crate) fn double(value: &Value) -> Decoded<f64> {
    match value {
        Value::Double(x) => Ok(*x),
        Value::Float(x) => Ok(f64::from(*x)),
        other => Err(EventError::expected("double", other)),
    }
}

/// `timestamp-millis`: UTC milliseconds.
pub(crate) fn timestamp(value: &Value) -> Decoded<i64> {
    match value {
        Value::TimestampMillis(ms) | Value::Long(ms) => Ok(*ms),
        other => Err(EventError::expected("timestamp-millis", other)),
    }
}

/// An Avro enum of the current schemas, mapped to its Rust enum by the `avro_enum!` macro.
pub(crate) trait AvroEnum: Copy + 'static {
    const NAME: &'static str;
    const EXPECTED: &'static str;
    const SYMBOLS: &'static [&'static str];
    const ALL: &'static [Self];
    fn from_symbol(symbol: &str) -> Option<Self>;
    /// The symbol's index in the schema, as an Avro enum value carries it.
    fn index(self) -> u32;
    /// The symbol, as an Avro enum value carries it.
    fn avro_symbol(self) -> &'static str;
}

/// An enum value, by symbol: the index is only a shortcut, checked against the symbol.
pub(crate) fn enumeration<E: AvroEnum>(value: &Value) -> Decoded<E> {
    match value {
        Value::Enum(index, symbol) => {
            let i = *index as usize;
            if E::SYMBOLS.get(i).is_some_and(|s| s == symbol) {
                return Ok(E::ALL[i]);
            }
            E::from_symbol(symbol).ok_or_else(|| {
                EventError::new(Problem::UnknownSymbol {
                    name: E::NAME,
                    symbol: symbol.clone(),
                    index: Some(*index),
                    symbols: E::SYMBOLS,
                })
            })
        }
        Value::String(symbol) => E::from_symbol(symbol).ok_or_else(|| {
            EventError::new(Problem::UnknownSymbol {
                name: E::NAME,
                symbol: symbol.clone(),
                index: None,
                symbols: E::SYMBOLS,
            })
        }),
        other => Err(EventError::expected(E::EXPECTED, other)),
    }
}

/// `["null", T]`: branch 0 is null, branch 1 is `T`.
pub(crate) fn nullable<'v, T>(
    value: &'v Value,
    decode: impl FnOnce(&'v Value) -> Decoded<T>,
) -> Decoded<Option<T>> {
    match value {
        Value::Null => Ok(None),
        Value::Union(0, inner) => match &**inner {
            Value::Null => Ok(None),
            other => Err(EventError::expected("null", other)),
        },
        Value::Union(1, inner) => decode(inner).map(Some),
        Value::Union(index, _) => Err(EventError::new(Problem::UnionIndex {
            index: *index,
            branches: &["null", "value"],
        })),
        bare => decode(bare).map(Some),
    }
}

pub(crate) fn array<'v, T>(
    value: &'v Value,
    mut decode: impl FnMut(&'v Value) -> Decoded<T>,
) -> Decoded<Vec<T>> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| decode(item).map_err(|e| e.at(Segment::Index(i))))
            .collect(),
        other => Err(EventError::expected("array", other)),
    }
}

/// A map, sorted by key so iteration is deterministic.
pub(crate) fn map<'v, T>(
    value: &'v Value,
    mut decode: impl FnMut(&'v Value) -> Decoded<T>,
) -> Decoded<BTreeMap<String, T>> {
    match value {
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| match decode(v) {
                Ok(v) => Ok((k.clone(), v)),
                Err(e) => Err(e.at(Segment::Key(k.clone()))),
            })
            .collect(),
        other => Err(EventError::expected("map", other)),
    }
}

/// The fields of a record value, read in schema order.
#[derive(Debug)]
pub(crate) struct Fields<'v> {
    fields: &'v [(String, Value)],
    /// Where the next field is expected: the one after the last found.
    next: usize,
}

impl<'v> Fields<'v> {
    pub(crate) fn of(value: &'v Value) -> Decoded<Self> {
        match value {
            Value::Record(fields) => Ok(Self { fields, next: 0 }),
            other => Err(EventError::expected("record", other)),
        }
    }

    fn find(&mut self, name: &str) -> Option<&'v Value> {
        let at = match self.fields.get(self.next) {
            Some((n, _)) if n == name => self.next,
            _ => self.fields.iter().position(|(n, _)| n == name)?,
        };
        self.next = at + 1;
        Some(&self.fields[at].1)
    }

    /// A required field.
    pub(crate) fn get<T>(
        &mut self,
        name: &'static str,
        decode: impl FnOnce(&'v Value) -> Decoded<T>,
    ) -> Decoded<T> {
        match self.find(name) {
            Some(v) => decode(v).map_err(|e| e.at_field(name)),
            None => Err(EventError::new(Problem::Missing).at_field(name)),
        }
    }

    /// A `["null", T]` field with a null default: left out reads as `None`.
    pub(crate) fn opt<T>(
        &mut self,
        name: &'static str,
        decode: impl FnOnce(&'v Value) -> Decoded<T>,
    ) -> Decoded<Option<T>> {
        match self.find(name) {
            Some(v) => nullable(v, decode).map_err(|e| e.at_field(name)),
            None => Ok(None),
        }
    }

    /// A field whose schema gives a default other than null (`false`, `[]`, `{}`): left out
    /// reads as `default()`, as a reader resolving an older writer's record would fill it in.
    pub(crate) fn get_or<T>(
        &mut self,
        name: &'static str,
        decode: impl FnOnce(&'v Value) -> Decoded<T>,
        default: impl FnOnce() -> T,
    ) -> Decoded<T> {
        match self.find(name) {
            Some(v) => decode(v).map_err(|e| e.at_field(name)),
            None => Ok(default()),
        }
    }

    /// The field names, in the order the value has them.
    pub(crate) fn names(&self) -> impl Iterator<Item = &'v str> {
        self.fields.iter().map(|(n, _)| n.as_str())
    }
}

/// A union of records of the current schema: its branches' record names and fields, both in
/// schema order.
#[derive(Debug)]
pub(crate) struct RecordUnion {
    pub(crate) names: &'static [&'static str],
    pub(crate) fields: &'static [&'static [&'static str]],
}

impl RecordUnion {
    fn fields_equal(&self, branch: usize, record: &Fields<'_>) -> bool {
        let fields = self.fields[branch];
        record.fields.len() == fields.len() && record.names().eq(fields.iter().copied())
    }

    fn same_field_set(&self, branch: usize, record: &Fields<'_>) -> bool {
        let fields = self.fields[branch];
        record.fields.len() == fields.len()
            && fields.iter().all(|f| record.names().any(|n| n == *f))
    }

    fn shares_a_field(&self, branch: usize, record: &Fields<'_>) -> bool {
        let fields = self.fields[branch];
        fields.is_empty() || record.names().any(|n| fields.contains(&n))
    }

    /// Picks the branch of `value`, then decodes it with `decode(branch index, fields)`,
    /// errors located under the branch's record name.
    ///
    /// The union index is trusted when the record has exactly that branch's fields. A record
    /// that has exactly another branch's fields (a value built against another branch order)
    /// is read as that branch. Otherwise the index decides if its branch shares a field with
    /// the record, and the branch's decoder reports the field that does not fit; a record
    /// with nothing in common with its branch (a value of another schema) is refused whole.
    pub(crate) fn decode<'v, T>(
        &self,
        value: &'v Value,
        decode: impl FnOnce(usize, Fields<'v>) -> Decoded<T>,
    ) -> Decoded<T> {
        let branches = self.names.len().min(self.fields.len());
        let (index, inner) = match value {
            Value::Union(i, inner) => (Some(*i), &**inner),
            record @ Value::Record(_) => (None, record),
            other => return Err(EventError::expected("union of records", other)),
        };
        let by_index = index.map(|i| i as usize).filter(|&i| i < branches);
        let record = match Fields::of(inner) {
            Ok(record) => record,
            Err(e) => {
                return Err(match (by_index, index) {
                    (Some(i), _) => e.at_field(self.names[i]),
                    (None, Some(i)) => EventError::new(Problem::UnionIndex {
                        index: i,
                        branches: self.names,
                    }),
                    (None, None) => e,
                })
            }
        };
        let chosen = match by_index {
            Some(i) if self.fields_equal(i, &record) => Some(i),
            _ => (0..branches)
                .find(|&b| self.same_field_set(b, &record))
                .or(by_index.filter(|&i| self.shares_a_field(i, &record))),
        };
        match chosen {
            Some(i) => decode(i, record).map_err(|e| e.at_field(self.names[i])),
            None => Err(EventError::new(Problem::NoBranch {
                index,
                fields: record.names().map(str::to_owned).collect(),
                branches: self.names,
            })),
        }
    }
}

/// Defines a Rust enum for an Avro enum of the current schemas, variants in symbol order,
/// serialized as the symbol.
macro_rules! avro_enum {
    (
        $(#[$meta:meta])*
        $name:ident = $avro:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $symbol:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $symbol)] $variant, )+
        }

        impl $name {
            /// The Avro symbols, in schema order.
            pub const SYMBOLS: &'static [&'static str] = &[$($symbol),+];

            /// The Avro symbol.
            pub fn symbol(self) -> &'static str {
                match self {
                    $( $name::$variant => $symbol, )+
                }
            }

            /// The variant of an Avro symbol.
            pub fn from_symbol(symbol: &str) -> Option<Self> {
                match symbol {
                    $( $symbol => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.symbol())
            }
        }

        impl $crate::decode::AvroEnum for $name {
            const NAME: &'static str = $avro;
            const EXPECTED: &'static str = concat!("enum ", $avro);
            const SYMBOLS: &'static [&'static str] = $name::SYMBOLS;
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn from_symbol(symbol: &str) -> Option<Self> {
                $name::from_symbol(symbol)
            }
            fn index(self) -> u32 {
                // Variants are declared in symbol order, without explicit discriminants.
                self as u32
            }
            fn avro_symbol(self) -> &'static str {
                self.symbol()
            }
        }
    };
}
pub(crate) use avro_enum;
