//! Schema evolution guard: every current schema must read what each earlier release of the
//! same schema wrote (backward compatibility), and no released schema may disappear.

use apache_avro::schema_compatibility::SchemaCompatibility;

use crate::Catalog;

/// One way a release breaks readers of earlier data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatibility {
    pub release: &'static str,
    pub file: &'static str,
    pub reason: String,
}

impl std::fmt::Display for Incompatibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "schemas/{}: data written by release {} cannot be read: {}",
            self.file, self.release, self.reason
        )
    }
}

/// Every incompatibility between the current schemas and the released ones.
pub fn check_backward(catalog: &Catalog) -> Vec<Incompatibility> {
    let mut problems = Vec::new();
    for old in catalog.all().filter(|s| s.release != "current") {
        let Some(current) = catalog.current(&old.full_name) else {
            problems.push(Incompatibility {
                release: old.release,
                file: old.file,
                reason: format!("{} no longer exists in the current schemas", old.full_name),
            });
            continue;
        };
        if let Err(e) = SchemaCompatibility::can_read(&old.schema, &current.schema) {
            problems.push(Incompatibility {
                release: old.release,
                file: old.file,
                reason: e.to_string(),
            });
        }
    }
    problems
}
