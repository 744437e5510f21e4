//! A definition's parameters as a run asks for them: which ones a user can give (all but
//! Power Automate's own `$connections` and `$authentication`), each typed by its declaration
//! (`String`, `Int`, `Float`, `Bool`, `Array`, `Object`, `SecureString`, `SecureObject`),
//! and secure ones kept in the OS keyring (`flowbench secret set NAME`).

use serde_json::{Map, Value, json};

/// One parameter a run can be given a value for.
#[derive(Debug, Clone, PartialEq)]
pub struct Wanted {
    /// Its name, as declared.
    pub name: String,
    /// Its declared type, lower case (`string` when none is declared).
    pub kind: String,
    /// Its `defaultValue` (none: the run needs a value).
    pub default: Option<Value>,
}

impl Wanted {
    /// Whether its value is a secret (`securestring`, `secureobject`).
    pub fn is_secure(&self) -> bool {
        self.kind.starts_with("secure")
    }
}

/// Parameters the platform fills in, never the user.
const PLATFORM: [&str; 2] = ["$connections", "$authentication"];

/// The declared type of a parameter, lower case (`string` when none is declared).
pub fn declared_type(declaration: &Value) -> String {
    declaration
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("string")
        .to_ascii_lowercase()
}

/// The parameters of `definition` a user can give, in declaration order.
pub fn wanted(definition: &Map<String, Value>) -> Vec<Wanted> {
    definition
        .get("parameters")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(name, _)| !PLATFORM.iter().any(|p| p.eq_ignore_ascii_case(name)))
        .map(|(name, declaration)| Wanted {
            name: name.clone(),
            kind: declared_type(declaration),
            default: declaration.get("defaultValue").cloned(),
        })
        .collect()
}

/// `raw` read as a value of the parameter's declared type; an error says what was
/// expected and what was found (without the value, when the parameter is secure).
pub fn typed(declaration: &Value, raw: &str) -> Result<Value, String> {
    let kind = declared_type(declaration);
    let bad = |what: &str| {
        if kind.starts_with("secure") {
            format!("expected {what} ({kind})")
        } else {
            format!("expected {what} ({kind}), found '{raw}'")
        }
    };
    match kind.as_str() {
        "int" => raw
            .trim()
            .parse::<i64>()
            .map(|n| json!(n))
            .map_err(|_| bad("an integer")),
        "float" => serde_json::from_str::<Value>(raw.trim())
            .ok()
            .filter(Value::is_number)
            .ok_or_else(|| bad("a number")),
        "bool" => match raw.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(json!(true)),
            "false" => Ok(json!(false)),
            _ => Err(bad("true or false")),
        },
        "array" => serde_json::from_str::<Value>(raw)
            .ok()
            .filter(Value::is_array)
            .ok_or_else(|| bad("a JSON array")),
        "object" | "secureobject" => serde_json::from_str::<Value>(raw)
            .ok()
            .filter(Value::is_object)
            .ok_or_else(|| bad("a JSON object")),
        _ => Ok(Value::String(raw.to_owned())),
    }
}

/// The names of parameters without a default that `values` gives no value for.
pub fn missing(definition: &Map<String, Value>, values: &Map<String, Value>) -> Vec<String> {
    wanted(definition)
        .into_iter()
        .filter(|w| w.default.is_none() && !values.contains_key(&w.name))
        .map(|w| w.name)
        .collect()
}

/// A secure parameter's value saved with `flowbench secret set` (none when the keyring is
/// unavailable or holds none).
pub fn stored_secret(name: &str) -> Option<crate::auth::Secret> {
    let store = crate::auth::os_secret_store().ok()?;
    store
        .get(name, crate::auth::SecretKind::FlowParameter)
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_by_their_declared_type() {
        let declared = |kind: &str| json!({"type": kind});
        assert_eq!(typed(&declared("Int"), " 42 "), Ok(json!(42)));
        assert_eq!(typed(&declared("Float"), "2.5"), Ok(json!(2.5)));
        assert_eq!(typed(&declared("Bool"), "TRUE"), Ok(json!(true)));
        assert_eq!(typed(&declared("Array"), "[1,2]"), Ok(json!([1, 2])));
        assert_eq!(
            typed(&declared("Object"), r#"{"a":1}"#),
            Ok(json!({"a": 1}))
        );
        assert_eq!(typed(&json!({}), "text"), Ok(json!("text")));
        assert_eq!(
            typed(&declared("Int"), "four"),
            Err("expected an integer (int), found 'four'".to_owned())
        );
        assert_eq!(
            typed(&declared("Array"), r#"{"a":1}"#),
            Err(r#"expected a JSON array (array), found '{"a":1}'"#.to_owned())
        );
        // A secure value is never repeated in an error.
        let error = typed(&declared("SecureObject"), "hunter2").unwrap_err();
        assert!(!error.contains("hunter2"), "{error}");
    }

    #[test]
    fn the_platform_s_parameters_are_not_asked_for() {
        let Value::Object(definition) = json!({"parameters": {
            "$connections": {"type": "Object", "defaultValue": {}},
            "$authentication": {"type": "SecureObject", "defaultValue": {}},
            "Company": {"type": "String"},
            "Top": {"type": "Int", "defaultValue": 5},
            "Key": {"type": "SecureString"}
        }}) else {
            unreachable!()
        };
        let names: Vec<String> = wanted(&definition).into_iter().map(|w| w.name).collect();
        assert_eq!(names, ["Company", "Top", "Key"]);
        assert!(wanted(&definition)[2].is_secure());
        let given = Map::from_iter([("Company".to_owned(), json!("usmf"))]);
        assert_eq!(missing(&definition, &given), ["Key"]);
    }
}
