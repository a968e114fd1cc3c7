//! Errors of a rule pack that does not load: each names the file, the line and column, and
//! says plainly what is wrong.

use std::fmt;

/// One problem in a rule pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackProblem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Why a rule pack did not load: every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError {
    pub file: String,
    pub problems: Vec<PackProblem>,
}

impl PackError {
    pub(crate) fn single(file: &str, line: usize, column: usize, message: String) -> Self {
        PackError {
            file: file.to_owned(),
            problems: vec![PackProblem {
                line,
                column,
                message,
            }],
        }
    }
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{}:{}: {}", self.file, p.line, p.column, p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for PackError {}

/// Line and column (1-based) of byte `offset` in `text`.
pub(crate) fn position(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary_compat(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}

impl FloorCharBoundary for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while i > 0 && !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

/// Collects problems with their positions while a pack is checked.
#[derive(Debug)]
pub(crate) struct Problems<'t> {
    text: &'t str,
    found: Vec<PackProblem>,
}

impl<'t> Problems<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Problems {
            text,
            found: Vec::new(),
        }
    }

    /// Records `message` at byte offset `at`.
    pub(crate) fn at(&mut self, at: usize, message: impl Into<String>) {
        let (line, column) = position(self.text, at);
        self.found.push(PackProblem {
            line,
            column,
            message: message.into(),
        });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.found.len()
    }

    pub(crate) fn text(&self) -> &'t str {
        self.text
    }

    pub(crate) fn into_error(mut self, file: &str) -> PackError {
        self.found.sort_by_key(|p| (p.line, p.column));
        PackError {
            file: file.to_owned(),
            problems: self.found,
        }
    }
}

/// The pack's error for a TOML syntax or shape error (unknown field, wrong type), with the
/// toml crate's message reduced to its last line.
pub(crate) fn from_toml(file: &str, text: &str, e: &toml::de::Error) -> PackError {
    let (line, column) = e.span().map_or((1, 1), |s| position(text, s.start));
    let message = e.message().trim().to_owned();
    PackError::single(file, line, column, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "a = 1\nb = \"é\" x\n";
        assert_eq!(position(text, 0), (1, 1));
        assert_eq!(position(text, 6), (2, 1));
        assert_eq!(position(text, text.find('x').unwrap()), (2, 9));
    }
}
