//! Errors that stop a `$metadata` document from being parsed, each with a 1-based position.

/// Why a `$metadata` document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// The text is not well-formed XML (bad syntax, mismatched tags, invalid UTF-8, …).
    #[error("line {line}, column {column}: malformed XML: {message}")]
    Malformed {
        /// 1-based line.
        line: u32,
        /// 1-based column (in characters).
        column: u32,
        /// What the XML reader found wrong.
        message: String,
    },
    /// The document ended while elements were still open.
    #[error("line {line}, column {column}: expected </{expected}>, found end of file")]
    Truncated {
        /// 1-based line of the end of the file.
        line: u32,
        /// 1-based column of the end of the file.
        column: u32,
        /// The qualified name of the innermost open element.
        expected: String,
    },
    /// The root element is not `edmx:Edmx` (any prefix).
    #[error("line {line}, column {column}: expected root element <edmx:Edmx>, found {found}")]
    WrongRoot {
        /// 1-based line of the offending element.
        line: u32,
        /// 1-based column of the offending element.
        column: u32,
        /// What was found instead, e.g. `<html>` or `end of file`.
        found: String,
    },
}

impl MetadataError {
    /// The 1-based `(line, column)` the error refers to.
    pub fn position(&self) -> (u32, u32) {
        match self {
            Self::Malformed { line, column, .. }
            | Self::Truncated { line, column, .. }
            | Self::WrongRoot { line, column, .. } => (*line, *column),
        }
    }
}
