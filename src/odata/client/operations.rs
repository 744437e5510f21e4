//! Executing actions and functions: bound to an entity set or to one record, or unbound
//! imports; parameters typed from the `$metadata` declaration.

use reqwest::Method;
use serde_json::Value;

use super::ODataClient;
use super::actions::{record_path, segment};
use super::error::ODataError;
use super::transport::ODataRequest;
use crate::odata::metadata::{EdmPrimitive, Model, Parameter};

/// What an operation is called on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationTarget {
    /// An action or function import at the service root.
    Unbound,
    /// Bound to a collection: `/{Set}/{Namespace}.{Name}`.
    EntitySet(String),
    /// Bound to one record: `/{Set}({key})/{Namespace}.{Name}`.
    Entity {
        /// The entity set.
        entity_set: String,
        /// Key predicate without parentheses.
        key: String,
    },
}

/// Whether the operation is an action (POST, JSON body) or a function (GET, URL parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    /// POST with parameters in a JSON body.
    Action,
    /// GET with parameters in the URL.
    Function,
}

/// One argument of a call.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationArg {
    /// Parameter name.
    pub name: String,
    /// Value as JSON (numbers keep their text).
    pub value: Value,
    /// Declared type name (`Edm.Date`, `NS.MyEnum`, …), used to write function URL literals.
    pub type_name: Option<String>,
}

/// An action or function call.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationCall {
    /// Where the operation is bound.
    pub target: OperationTarget,
    /// Action or function.
    pub kind: OperationKind,
    /// Qualified name for bound operations (`Namespace.Name`), import name when unbound.
    pub name: String,
    /// Arguments in order.
    pub args: Vec<OperationArg>,
}

impl OperationCall {
    /// The path relative to the service root, with function parameters inlined.
    pub fn path(&self) -> String {
        let base = match &self.target {
            OperationTarget::Unbound => String::new(),
            OperationTarget::EntitySet(set) => format!("{}/", segment(set)),
            OperationTarget::Entity { entity_set, key } => {
                format!("{}/", record_path(entity_set, key))
            }
        };
        let name = segment(&self.name);
        match self.kind {
            OperationKind::Action => format!("{base}{name}"),
            OperationKind::Function => {
                let args: Vec<String> = self
                    .args
                    .iter()
                    .map(|a| format!("{}={}", a.name, segment(&url_literal(a))))
                    .collect();
                format!("{base}{name}({})", args.join(","))
            }
        }
    }

    /// The JSON body of an action call.
    pub fn body(&self) -> Value {
        Value::Object(
            self.args
                .iter()
                .map(|a| (a.name.clone(), a.value.clone()))
                .collect(),
        )
    }
}

/// A function parameter as an OData URL literal.
pub fn url_literal(arg: &OperationArg) -> String {
    let primitive = arg.type_name.as_deref().and_then(EdmPrimitive::from_name);
    let quoted = |s: &str| format!("'{}'", s.replace('\'', "''"));
    match (&arg.value, primitive, arg.type_name.as_deref()) {
        (Value::Null, _, _) => "null".to_owned(),
        (Value::String(s), Some(EdmPrimitive::String) | None, None) => quoted(s),
        (Value::String(s), Some(EdmPrimitive::String | EdmPrimitive::Untyped), _) => quoted(s),
        (Value::String(s), Some(EdmPrimitive::Duration), _) => format!("duration{}", quoted(s)),
        (Value::String(s), Some(EdmPrimitive::Binary), _) => format!("binary{}", quoted(s)),
        (Value::String(s), Some(_), _) => s.clone(),
        // A non-Edm declared type with a string value: an enum member.
        (Value::String(s), None, Some(type_name)) => format!("{type_name}{}", quoted(s)),
        (other, _, _) => other.to_string(),
    }
}

/// Turns `NAME=VALUE` texts into typed arguments using the parameter declarations.
pub fn typed_args(
    model: &Model,
    declared: &[Parameter],
    given: &[(String, String)],
) -> Result<Vec<OperationArg>, ODataError> {
    given
        .iter()
        .map(|(name, text)| {
            let param = declared.iter().find(|p| &p.name == name).ok_or_else(|| {
                let known: Vec<&str> = declared.iter().map(|p| p.name.as_str()).collect();
                ODataError::InvalidRequest(format!(
                    "unknown parameter '{name}' (parameters: {})",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ))
            })?;
            let value = typed_value(model, param, text)?;
            Ok(OperationArg {
                name: name.clone(),
                value,
                type_name: Some(param.type_ref.name.clone()),
            })
        })
        .collect()
}

/// The JSON value of `text` for a parameter of the declared type.
fn typed_value(model: &Model, param: &Parameter, text: &str) -> Result<Value, ODataError> {
    let bad = |why: &str| {
        ODataError::InvalidRequest(format!(
            "parameter '{}' ({}): {why}: '{text}'",
            param.name, param.type_ref
        ))
    };
    if text == "null" && param.nullable {
        return Ok(Value::Null);
    }
    if param.type_ref.collection
        || model
            .resolve(&param.type_ref.name)
            .is_some_and(|e| matches!(e, crate::odata::metadata::SchemaElement::Complex(_)))
    {
        return serde_json::from_str(text).map_err(|_| bad("expected JSON"));
    }
    let primitive =
        param
            .type_ref
            .primitive()
            .or_else(|| match model.resolve(&param.type_ref.name) {
                Some(crate::odata::metadata::SchemaElement::Definition(d)) => {
                    EdmPrimitive::from_name(&d.underlying_type)
                }
                _ => None,
            });
    Ok(match primitive {
        Some(
            EdmPrimitive::Byte
            | EdmPrimitive::SByte
            | EdmPrimitive::Int16
            | EdmPrimitive::Int32
            | EdmPrimitive::Int64,
        ) => {
            let n: i64 = text
                .trim()
                .parse()
                .map_err(|_| bad("expected an integer"))?;
            Value::from(n)
        }
        Some(EdmPrimitive::Decimal | EdmPrimitive::Double | EdmPrimitive::Single) => {
            match serde_json::from_str::<Value>(text.trim()) {
                Ok(Value::Number(n)) => Value::Number(n),
                _ => bad_or_special(text).ok_or_else(|| bad("expected a number"))?,
            }
        }
        Some(EdmPrimitive::Boolean) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Value::Bool(true),
            "false" | "no" | "0" => Value::Bool(false),
            _ => return Err(bad("expected true or false")),
        },
        _ => Value::String(text.to_owned()),
    })
}

/// `INF`, `-INF` and `NaN` are written as strings in OData JSON.
fn bad_or_special(text: &str) -> Option<Value> {
    matches!(text.trim(), "INF" | "-INF" | "NaN").then(|| Value::String(text.trim().to_owned()))
}

impl ODataClient {
    /// Executes an action (POST) or function (GET); returns the result when there is one
    /// (`value` of a primitive or collection result is returned as the whole body).
    pub async fn execute(&self, call: &OperationCall) -> Result<Option<Value>, ODataError> {
        let url = self.url(&call.path())?;
        let request = match call.kind {
            OperationKind::Action => ODataRequest::json(Method::POST, url, &call.body()),
            OperationKind::Function => ODataRequest::new(Method::GET, url),
        };
        self.send(request).await?.json_opt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::metadata::{Annotations, TypeRef};
    use serde_json::json;

    fn param(name: &str, ty: &str) -> Parameter {
        Parameter {
            name: name.into(),
            type_ref: TypeRef::parse(ty),
            nullable: true,
            max_length: None,
            precision: None,
            scale: None,
            annotations: Annotations::default(),
        }
    }

    #[test]
    fn function_paths_use_typed_literals() {
        let model = Model::default();
        let declared = [
            param("Name", "Edm.String"),
            param("On", "Edm.Date"),
            param("N", "Edm.Int32"),
        ];
        let given = [
            ("Name".into(), "O'Neil".into()),
            ("On".into(), "2024-01-31".into()),
            ("N".into(), "7".into()),
        ];
        let args = typed_args(&model, &declared, &given).unwrap();
        assert_eq!(args[2].value, json!(7));
        let call = OperationCall {
            target: OperationTarget::Entity {
                entity_set: "Orders".into(),
                key: "'A 1'".into(),
            },
            kind: OperationKind::Function,
            name: "NS.Total".into(),
            args,
        };
        assert_eq!(
            call.path(),
            "Orders('A%201')/NS.Total(Name='O''Neil',On=2024-01-31,N=7)"
        );
        let action = OperationCall {
            kind: OperationKind::Action,
            target: OperationTarget::Unbound,
            ..call
        };
        assert_eq!(action.path(), "NS.Total");
        assert_eq!(
            action.body(),
            json!({"Name": "O'Neil", "On": "2024-01-31", "N": 7})
        );
    }

    #[test]
    fn bad_parameter_values_are_rejected() {
        let model = Model::default();
        let declared = [param("N", "Edm.Int32"), param("B", "Edm.Boolean")];
        assert!(typed_args(&model, &declared, &[("N".into(), "seven".into())]).is_err());
        assert!(typed_args(&model, &declared, &[("X".into(), "1".into())]).is_err());
        let args = typed_args(&model, &declared, &[("B".into(), "yes".into())]).unwrap();
        assert_eq!(args[0].value, json!(true));
    }
}
