//! Reading one condition or action table: typed getters that record what is wrong at the
//! table's line, and a check that every key was understood.

use std::collections::BTreeSet;

use toml::Value;

use super::duration::parse_duration;
use super::error::Problems;

/// A TOML table being read; `at` is its byte offset in the pack.
pub(crate) struct Reader<'a, 'p, 't> {
    pub(crate) table: &'a toml::Table,
    pub(crate) at: usize,
    pub(crate) what: &'static str,
    used: BTreeSet<&'a str>,
    pub(crate) problems: &'p mut Problems<'t>,
}

impl<'a, 'p, 't> Reader<'a, 'p, 't> {
    pub(crate) fn new(
        table: &'a toml::Table,
        at: usize,
        what: &'static str,
        problems: &'p mut Problems<'t>,
    ) -> Self {
        Reader {
            table,
            at,
            what,
            used: BTreeSet::new(),
            problems,
        }
    }

    pub(crate) fn problem(&mut self, message: impl Into<String>) {
        let message = message.into();
        self.problems
            .at(self.at, format!("{}: {message}", self.what));
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.table.contains_key(key)
    }

    pub(crate) fn value(&mut self, key: &str) -> Option<&'a Value> {
        let (k, v) = self.table.get_key_value(key)?;
        self.used.insert(k.as_str());
        Some(v)
    }

    fn wrong_type(&mut self, key: &str, expected: &str, found: &Value) {
        self.problem(format!(
            "`{key}` must be {expected}, found {} {}",
            found.type_str(),
            found
        ));
    }

    pub(crate) fn string(&mut self, key: &str) -> Option<String> {
        match self.value(key)? {
            Value::String(s) => Some(s.clone()),
            other => {
                self.wrong_type(key, "a string", other);
                None
            }
        }
    }

    pub(crate) fn strings(&mut self, key: &str) -> Option<Vec<String>> {
        match self.value(key)? {
            Value::String(s) => Some(vec![s.clone()]),
            Value::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        other => {
                            self.wrong_type(key, "a string or a list of strings", other);
                            return None;
                        }
                    }
                }
                Some(out)
            }
            other => {
                self.wrong_type(key, "a string or a list of strings", other);
                None
            }
        }
    }

    pub(crate) fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.value(key)? {
            Value::Boolean(b) => Some(*b),
            other => {
                self.wrong_type(key, "true or false", other);
                None
            }
        }
    }

    pub(crate) fn number(&mut self, key: &str) -> Option<f64> {
        match self.value(key)? {
            Value::Integer(i) => Some(*i as f64),
            Value::Float(f) if f.is_finite() => Some(*f),
            other => {
                self.wrong_type(key, "a number", other);
                None
            }
        }
    }

    pub(crate) fn duration(&mut self, key: &str) -> Option<i64> {
        let s = self.string(key)?;
        match parse_duration(&s) {
            Ok(ms) if ms > 0 => Some(ms),
            Ok(_) => {
                self.problem(format!(
                    "`{key}` = {s:?}: a duration must be longer than zero"
                ));
                None
            }
            Err(e) => {
                self.problem(format!("`{key}`: {e}"));
                None
            }
        }
    }

    pub(crate) fn table(&mut self, key: &str) -> Option<&'a toml::Table> {
        match self.value(key)? {
            Value::Table(t) => Some(t),
            other => {
                self.wrong_type(key, "a table", other);
                None
            }
        }
    }

    /// Reports the keys nobody asked for.
    pub(crate) fn finish(mut self, allowed_hint: &str) {
        let unknown: Vec<String> = self
            .table
            .keys()
            .filter(|k| !self.used.contains(k.as_str()))
            .cloned()
            .collect();
        for key in unknown {
            self.problem(format!("unknown field `{key}`; {allowed_hint}"));
        }
    }
}
