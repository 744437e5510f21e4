//! The one error type of the expression engine: what went wrong, and where.

use std::fmt;

/// Whether the text could not be read, or a well-formed expression failed while running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExprErrorKind {
    /// The expression text is malformed (or names an unknown function, or passes a wrong
    /// number of arguments): found before anything runs.
    Parse,
    /// The expression is well formed but failed while evaluating (wrong argument type,
    /// unknown action or variable, bad date, ...).
    Eval,
}

/// An expression error, printed like a compiler message:
/// `column 7: expected ')' after the arguments of 'add', found end of expression`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub kind: ExprErrorKind,
    pub message: String,
    /// 1-based character column in the text as written (counting the leading `@`, and
    /// for `@{...}` relative to the whole string); `None` when no single place applies.
    pub position: Option<usize>,
}

impl ExprError {
    pub(crate) fn parse(message: impl Into<String>, position: usize) -> Self {
        Self {
            kind: ExprErrorKind::Parse,
            message: message.into(),
            position: Some(position),
        }
    }

    pub(crate) fn eval(message: impl Into<String>, position: Option<usize>) -> Self {
        Self {
            kind: ExprErrorKind::Eval,
            message: message.into(),
            position,
        }
    }
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(column) => write!(f, "column {column}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ExprError {}
