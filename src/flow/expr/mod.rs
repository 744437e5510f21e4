//! The WDL expression language: parses and evaluates the `@...` expressions of Power
//! Automate / Logic Apps workflow definitions, with Microsoft's function library.
//!
//! - [`parse`] reads one expression (without its `@`); errors carry the column.
//! - [`evaluate`] runs it against a [`Scope`] (what the runner knows: trigger, actions,
//!   variables, loops, clock); [`JsonScope`] is a scope read from one JSON document.
//! - [`evaluate_value`] evaluates a JSON value as written in a definition: `"@expr"` keeps
//!   the expression's type, `"a @{expr} b"` interpolates to a string, `"@@"` escapes `@`.
//! - [`references`] lists the actions, variables, parameters and loops a value uses.
//! - [`function_names`] lists every function with its usage, for editors.
//! - [`highlight`] splits a definition string into pieces to colour (delimiters, functions,
//!   strings, numbers, property access), tolerant of text being typed.
//!
//! Numbers keep WDL's integer/float distinction (`div(11, 5)` is 2, `div(11, 5.0)` 2.2);
//! timestamps are ISO 8601 with seven fractional digits; time zones are Windows names.

mod ast;
mod cache;
mod datefmt;
mod error;
mod eval;
mod functions;
mod highlight;
mod lexer;
mod locale;
mod numfmt;
mod parser;
mod scope;
mod template;
mod timestamp;
mod timezones;
mod value;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use serde_json::Value;

pub use ast::{Expr, ExprKind};
pub use error::{ExprError, ExprErrorKind};
pub use eval::evaluate;
pub use highlight::{Span, TokenKind, highlight};
pub(crate) use scope::lookup_name;
pub use scope::{JsonScope, Scope};
pub use template::{SourceForm, SourcePart, evaluate_value, source_form};
pub(crate) use value::{binary_content, binary_envelope};

/// Calls the function `name` (in any case) on values already evaluated, as a condition's
/// object form writes calls (`{"length": ["a"]}`); `None` when no function has that name.
pub(crate) fn call_with_values(
    name: &str,
    args: Vec<Value>,
    scope: &dyn Scope,
) -> Option<Result<Value, ExprError>> {
    let function = functions::lookup(name)?;
    let literal = |value| Expr {
        kind: ExprKind::Literal(value),
        position: 0,
    };
    let call = Expr {
        kind: ExprKind::Call {
            name: function.name.to_owned(),
            args: args.into_iter().map(literal).collect(),
        },
        position: 0,
    };
    Some(eval::evaluate(&call, scope))
}

/// Parses an expression written without its leading `@`, e.g. `add(1, 2)`. Function names
/// and argument counts are checked here; columns are 1-based in `text`.
pub fn parse(text: &str) -> Result<Expr, ExprError> {
    parser::parse_at(text, 0)
}

/// Names used by the expressions of a value, for validation and for renaming steps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct References {
    /// Actions named in `actions()`, `body()`, `outputs()`, `result()`, `items()`,
    /// `iterationIndexes()` (and their aliases and form-data/multipart readers).
    pub actions: BTreeSet<String>,
    pub variables: BTreeSet<String>,
    pub parameters: BTreeSet<String>,
    /// App settings named in `appsetting()`.
    pub app_settings: BTreeSet<String>,
    /// Loops named in `items()` and `iterationIndexes()` (also listed in `actions`).
    pub loops: BTreeSet<String>,
    /// Whether the trigger's outputs are read (`triggerBody()`, `triggerOutputs()`,
    /// `trigger()` and the trigger's form-data and multipart readers).
    pub trigger: bool,
}

/// Every action, variable, parameter and loop named (with a literal string) by the
/// expressions inside `value`; an error for an expression that does not parse.
pub fn references(value: &Value) -> Result<References, ExprError> {
    let mut exprs = Vec::new();
    template::expressions(value, &mut exprs)?;
    let mut refs = References::default();
    for expr in &exprs {
        expr.walk(&mut |node| {
            let ExprKind::Call { name, args } = &node.kind else {
                return;
            };
            if name.starts_with("trigger") {
                refs.trigger = true;
            }
            let Some(ExprKind::Literal(Value::String(first))) = args.first().map(|a| &a.kind)
            else {
                return;
            };
            let first = first.clone();
            match name.as_str() {
                "actions"
                | "body"
                | "outputs"
                | "actionBody"
                | "actionOutputs"
                | "result"
                | "formDataValue"
                | "formDataMultiValues"
                | "multipartBody" => {
                    refs.actions.insert(first);
                }
                "items" | "iterationIndexes" => {
                    refs.actions.insert(first.clone());
                    refs.loops.insert(first);
                }
                "variables" => {
                    refs.variables.insert(first);
                }
                "parameters" => {
                    refs.parameters.insert(first);
                }
                "appsetting" => {
                    refs.app_settings.insert(first);
                }
                _ => {}
            }
        });
    }
    Ok(refs)
}

/// The time zone for a Windows name (`Pacific Standard Time`, as WDL writes them) or an
/// IANA name.
pub fn time_zone(name: &str) -> Result<chrono_tz::Tz, String> {
    timezones::find(name)
}

/// Calls the function `name` with values already evaluated, as an expression would (the
/// same arity check and errors): how actions built on a function (Power Automate's date
/// and time actions) run.
pub fn call_function(name: &str, args: Vec<Value>, scope: &dyn Scope) -> Result<Value, String> {
    let function = functions::lookup(name).ok_or_else(|| format!("unknown function '{name}'"))?;
    function.check_arity(args.len())?;
    (function.run)(&functions::Call {
        function,
        args,
        scope,
    })
}

/// Every function: (name, usage and a one-line description), for an editor's function list.
pub fn function_names() -> Vec<(&'static str, &'static str)> {
    functions::all().map(|f| (f.name, f.signature)).collect()
}
