//! What went wrong decoding an event, and where.
//!
//! The path is built while the error travels back up the decoder, one segment per level, so
//! decoding a good event never allocates for it. It reads like the paths of
//! `scrm_schema::json` errors (`payload.OrderPlaced.lines[1].sku`): union branches appear
//! under their record name, so a dead letter points at the same place whether the record
//! came in as JSON or as Avro.

use std::fmt;

use thiserror::Error;

/// A value that is not a valid event of its topic, with the field at fault.
///
/// Displays as `<path>: <problem>`, e.g.
/// `payload.InboundMessage.content.TextContent.body: expected string, found Null` or
/// `occurred_at: missing`. Boxed so that decoding results stay small on the hot path.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{}: {}", .0.path, .0.problem)]
pub struct EventError(Box<Inner>);

#[derive(Debug, Clone, PartialEq)]
struct Inner {
    path: FieldPath,
    problem: Problem,
}

/// What is wrong with the value at the path.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Problem {
    /// A required field is not in the record.
    #[error("missing")]
    Missing,
    /// The value has the wrong Avro type.
    #[error("expected {expected}, found {found}")]
    Expected {
        /// What the schema wants (`string`, `timestamp-millis`, `enum PaymentMethod`...).
        expected: &'static str,
        /// The variant of `apache_avro::types::Value` found (`Null`, `Int`...).
        found: &'static str,
    },
    /// A union index past the union's last branch.
    #[error("union index {index} is out of range for branches {}", .branches.join(", "))]
    UnionIndex {
        /// The index the value gave.
        index: u32,
        /// The branches of the current schema, in order.
        branches: &'static [&'static str],
    },
    /// A record in a union of records that is none of its branches: no branch has its
    /// fields, and its union index (if any) names no branch that shares one of them.
    #[error(
        "no branch of {} fits a record with fields ({}) at union index {}",
        .branches.join(", "),
        .fields.join(", "),
        BranchIndex(.index)
    )]
    NoBranch {
        /// The index the value gave, `None` for a record not wrapped in a union.
        index: Option<u32>,
        /// The record's field names.
        fields: Vec<String>,
        /// The branches of the current schema, in order.
        branches: &'static [&'static str],
    },
    /// An enum symbol the schema does not have.
    #[error(
        "`{symbol}`{} is not a symbol of {name}: {}",
        SymbolIndex(.index),
        .symbols.join(", ")
    )]
    UnknownSymbol {
        /// The enum's Avro name.
        name: &'static str,
        /// The symbol the value gave.
        symbol: String,
        /// The index the value gave, `None` for a symbol given as a plain string.
        index: Option<u32>,
        /// The symbols of the current schema, in order.
        symbols: &'static [&'static str],
    },
    /// An integer too large for its 32-bit field.
    #[error("{value} does not fit in a 32-bit int")]
    OutOfRange {
        /// The value found.
        value: i64,
    },
    /// A key that must not be empty is.
    #[error("must not be empty")]
    Empty,
}

/// The union index of a [`Problem::NoBranch`].
struct BranchIndex<'a>(&'a Option<u32>);

impl fmt::Display for BranchIndex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(i) => write!(f, "{i}"),
            None => f.write_str("none (bare record)"),
        }
    }
}

/// The enum index of a [`Problem::UnknownSymbol`], if it had one.
struct SymbolIndex<'a>(&'a Option<u32>);

impl fmt::Display for SymbolIndex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(i) => write!(f, " (index {i})"),
            None => Ok(()),
        }
    }
}

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A record field, or the record name of a union branch.
    Field(&'static str),
    /// An array item.
    Index(usize),
    /// A map entry.
    Key(String),
}

/// Where in the event a problem is: `payload.OrderPlaced.lines[1].sku`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath {
    /// Innermost segment first: errors are built from the leaf up.
    reversed: Vec<Segment>,
}

impl FieldPath {
    /// The segments, outermost first.
    pub fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.reversed.iter().rev()
    }

    /// True for the event record itself.
    pub fn is_root(&self) -> bool {
        self.reversed.is_empty()
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            return f.write_str("(record)");
        }
        for (i, segment) in self.segments().enumerate() {
            match segment {
                Segment::Index(n) => write!(f, "[{n}]")?,
                Segment::Field(name) if i == 0 => f.write_str(name)?,
                Segment::Field(name) => write!(f, ".{name}")?,
                Segment::Key(key) if i == 0 => f.write_str(key)?,
                Segment::Key(key) => write!(f, ".{key}")?,
            }
        }
        Ok(())
    }
}

impl EventError {
    /// A problem with the value at hand; the callers above add the path.
    pub(crate) fn new(problem: Problem) -> Self {
        Self(Box::new(Inner {
            path: FieldPath::default(),
            problem,
        }))
    }

    pub(crate) fn expected(expected: &'static str, found: &apache_avro::types::Value) -> Self {
        Self::new(Problem::Expected {
            expected,
            found: crate::decode::kind_name(found),
        })
    }

    /// The same error, one level further out.
    pub(crate) fn at(mut self, segment: Segment) -> Self {
        self.0.path.reversed.push(segment);
        self
    }

    pub(crate) fn at_field(self, name: &'static str) -> Self {
        self.at(Segment::Field(name))
    }

    /// Where the problem is.
    pub fn path(&self) -> &FieldPath {
        &self.0.path
    }

    /// What the problem is.
    pub fn problem(&self) -> &Problem {
        &self.0.problem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_outermost_first() {
        let e = EventError::new(Problem::Missing)
            .at_field("sku")
            .at(Segment::Index(1))
            .at_field("lines")
            .at_field("OrderPlaced")
            .at_field("payload");
        assert_eq!(e.to_string(), "payload.OrderPlaced.lines[1].sku: missing");
        let e = EventError::new(Problem::Empty)
            .at(Segment::Key("email".into()))
            .at_field("fields");
        assert_eq!(e.to_string(), "fields.email: must not be empty");
    }

    #[test]
    fn root_problems_say_record() {
        let e = EventError::expected("record", &apache_avro::types::Value::Null);
        assert!(e.path().is_root());
        assert_eq!(e.to_string(), "(record): expected record, found Null");
    }

    #[test]
    fn branch_and_symbol_messages_list_the_choices() {
        let e = EventError::new(Problem::UnionIndex {
            index: 7,
            branches: &["null", "string"],
        })
        .at_field("phone");
        assert_eq!(
            e.to_string(),
            "phone: union index 7 is out of range for branches null, string"
        );
        let e = EventError::new(Problem::NoBranch {
            index: None,
            fields: vec!["x".into(), "y".into()],
            branches: &["A", "B"],
        })
        .at_field("payload");
        assert_eq!(
            e.to_string(),
            "payload: no branch of A, B fits a record with fields (x, y) at union index none (bare record)"
        );
        let e = EventError::new(Problem::UnknownSymbol {
            name: "Sender",
            symbol: "BOT".into(),
            index: Some(9),
            symbols: &["AUTOMATION", "AGENT"],
        })
        .at_field("sent_by");
        assert_eq!(
            e.to_string(),
            "sent_by: `BOT` (index 9) is not a symbol of Sender: AUTOMATION, AGENT"
        );
        assert!(matches!(
            e.problem(),
            Problem::UnknownSymbol { index: Some(9), .. }
        ));
        let e = EventError::new(Problem::UnknownSymbol {
            name: "Sender",
            symbol: "BOT".into(),
            index: None,
            symbols: &["AUTOMATION", "AGENT"],
        });
        assert_eq!(
            e.to_string(),
            "(record): `BOT` is not a symbol of Sender: AUTOMATION, AGENT"
        );
    }

    #[test]
    fn errors_stay_small() {
        assert_eq!(
            std::mem::size_of::<EventError>(),
            std::mem::size_of::<usize>()
        );
    }
}
