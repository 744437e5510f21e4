//! The function library: one table entry per WDL function (name, usage, arity, code), the
//! argument helpers they share, and the lookup by case-insensitive name.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::scope::Scope;
use super::value::{Num, binary_content, describe};

/// One WDL function.
pub(crate) struct Function {
    /// Canonical spelling (as in Microsoft's reference).
    pub name: &'static str,
    /// `add(summand_1, summand_2)`; `?` marks optional parameters.
    pub usage: &'static str,
    /// Usage and a one-line description, for an editor's function list.
    pub signature: &'static str,
    pub min: usize,
    pub max: usize,
    pub run: fn(&Call) -> Result<Value, String>,
}

/// `max` for functions that take any number of arguments.
const MANY: usize = usize::MAX;

/// Declares a [`Function`]: name, usage, description, min and max arity, implementation.
macro_rules! function {
    ($name:literal, $usage:literal, $doc:literal, $min:expr, $max:expr, $run:path) => {
        $crate::flow::expr::functions::Function {
            name: $name,
            usage: $usage,
            signature: concat!($usage, " — ", $doc),
            min: $min,
            max: $max,
            run: $run,
        }
    };
}

mod collection;
mod conversion;
mod datetime;
mod json_text;
mod json_xml;
mod logical;
mod manipulation;
mod math;
mod string;
mod uri;
mod workflow;
mod xml;
mod xml_rules;
mod xml_write;
mod xpath;

impl Function {
    /// Checks the number of arguments; the message names the function and its usage.
    pub(crate) fn check_arity(&self, count: usize) -> Result<(), String> {
        if count >= self.min && count <= self.max {
            return Ok(());
        }
        let expected = match (self.min, self.max) {
            (0, 0) => "no arguments".to_string(),
            (min, max) if min == max => format!("{min} argument{}", plural(min)),
            (min, MANY) => format!("at least {min} argument{}", plural(min)),
            (min, max) => format!("{min} to {max} arguments"),
        };
        Err(format!(
            "{}: expected {expected}, found {count} (usage: {})",
            self.name, self.usage
        ))
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Every function, grouped by purpose.
pub(crate) fn all() -> impl Iterator<Item = &'static Function> {
    [
        string::FUNCTIONS,
        collection::FUNCTIONS,
        logical::FUNCTIONS,
        conversion::FUNCTIONS,
        math::FUNCTIONS,
        datetime::FUNCTIONS,
        workflow::FUNCTIONS,
        uri::FUNCTIONS,
        manipulation::FUNCTIONS,
        xml::FUNCTIONS,
        xpath::FUNCTIONS,
    ]
    .into_iter()
    .flatten()
}

/// Finds a function by name, ignoring case. The canonical spelling (what the parser keeps,
/// so every evaluation asks with it) is found without lowering the name's case.
pub(crate) fn lookup(name: &str) -> Option<&'static Function> {
    static EXACT: OnceLock<HashMap<&'static str, &'static Function, Fnv>> = OnceLock::new();
    static TABLE: OnceLock<HashMap<String, &'static Function>> = OnceLock::new();
    if let Some(found) = EXACT
        .get_or_init(|| all().map(|f| (f.name, f)).collect())
        .get(name)
    {
        return Some(found);
    }
    TABLE
        .get_or_init(|| all().map(|f| (f.name.to_ascii_lowercase(), f)).collect())
        .get(&name.to_ascii_lowercase())
        .copied()
}

/// FNV-1a: function names are short and known, so the table needs no protection against
/// chosen collisions, only speed (every call looks its function up).
type Fnv = std::hash::BuildHasherDefault<FnvHasher>;

/// The FNV-1a hasher of [`Fnv`].
struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A call in progress: the function, its evaluated arguments, and the scope.
pub(crate) struct Call<'a> {
    pub function: &'static Function,
    pub args: Vec<Value>,
    pub scope: &'a dyn Scope,
}

impl Call<'_> {
    /// The argument at `i` (0-based); null when absent.
    pub(crate) fn arg(&self, i: usize) -> &Value {
        self.args.get(i).unwrap_or(&Value::Null)
    }

    pub(crate) fn has(&self, i: usize) -> bool {
        i < self.args.len()
    }

    /// "name: message".
    pub(crate) fn fail(&self, message: impl std::fmt::Display) -> String {
        format!("{}: {message}", self.function.name)
    }

    /// "add: expected a number as argument 2, found the string 'x'".
    pub(crate) fn type_error(&self, i: usize, expected: &str) -> String {
        self.fail(format!(
            "expected {expected} as argument {}, found {}",
            i + 1,
            describe(self.arg(i))
        ))
    }

    /// A string argument (binary content reads as its text).
    pub(crate) fn string(&self, i: usize) -> Result<String, String> {
        match self.arg(i) {
            Value::String(s) => Ok(s.clone()),
            other => match binary_content(other) {
                Some(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
                None => Err(self.type_error(i, "a string")),
            },
        }
    }

    /// An optional string argument: absent (or null) is `None`.
    pub(crate) fn opt_string(&self, i: usize) -> Result<Option<String>, String> {
        match self.arg(i) {
            Value::Null => Ok(None),
            _ => self.string(i).map(Some),
        }
    }

    /// A string argument to read a number from: binary content is refused, as the cloud
    /// refuses `int(binary('1'))`.
    pub(crate) fn number_text(&self, i: usize) -> Result<String, String> {
        match self.arg(i) {
            Value::String(s) => Ok(s.clone()),
            _ => Err(self.type_error(i, "a number or a string")),
        }
    }

    pub(crate) fn num(&self, i: usize) -> Result<Num, String> {
        Num::of(self.arg(i)).ok_or_else(|| self.type_error(i, "a number"))
    }

    /// An integer argument (a float with no fraction is accepted).
    pub(crate) fn int(&self, i: usize) -> Result<i64, String> {
        match Num::of(self.arg(i)) {
            Some(Num::Int(n)) => Ok(n),
            Some(n) if n.as_f64().fract() == 0.0 && n.as_f64().abs() < 9.0e15 => {
                Ok(n.as_f64() as i64)
            }
            _ => Err(self.type_error(i, "an integer")),
        }
    }

    pub(crate) fn bool(&self, i: usize) -> Result<bool, String> {
        match self.arg(i) {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.type_error(i, "a boolean")),
        }
    }

    pub(crate) fn array(&self, i: usize) -> Result<&Vec<Value>, String> {
        self.arg(i)
            .as_array()
            .ok_or_else(|| self.type_error(i, "an array"))
    }

    pub(crate) fn object(&self, i: usize) -> Result<&Map<String, Value>, String> {
        self.arg(i)
            .as_object()
            .ok_or_else(|| self.type_error(i, "an object"))
    }
}

/// Characters of a string as a vector (WDL indexes strings by character).
pub(crate) fn chars(text: &str) -> Vec<char> {
    text.chars().collect()
}
