//! The parsed form of one expression: literals, function calls and member access.

use serde_json::Value;

/// A parsed expression. `position` is the 1-based character column where it starts in the
/// text as written (see [`super::ExprError::position`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub position: usize,
}

/// What an [`Expr`] is.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `'text'`, `42`, `2.5`, `true`, `false`, `null`.
    Literal(Value),
    /// `name(arg, ...)`; `name` is the function's canonical spelling (names are
    /// case-insensitive in the text).
    Call { name: String, args: Vec<Expr> },
    /// `target.key`, `target['key']`, `target[0]`; `null_safe` for `?.key` / `?['key']`.
    Member {
        target: Box<Expr>,
        key: Box<Expr>,
        null_safe: bool,
    },
}

impl Expr {
    /// Every node of the tree, this one first (depth-first).
    pub fn walk(&self, visit: &mut dyn FnMut(&Expr)) {
        visit(self);
        match &self.kind {
            ExprKind::Literal(_) => {}
            ExprKind::Call { args, .. } => args.iter().for_each(|arg| arg.walk(visit)),
            ExprKind::Member { target, key, .. } => {
                target.walk(visit);
                key.walk(visit);
            }
        }
    }
}
