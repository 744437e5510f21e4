//! Executing actions and functions: bound to an entity set or to one record, or unbound
//! imports; parameters typed from the `$metadata` declaration.

use reqwest::Method;
use serde_json::Value;

use super::ODataClient;
use super::actions::{record_path, segment};
use super::error::ODataError;
use super::transport::ODataRequest;
use crate::odata::metadata::{Model, Parameter};
use crate::odata::values::literal::quote;
use crate::odata::values::{Value as TypedValue, ValueKind};

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
    /// Value as JSON for action bodies (numbers keep their text).
    pub value: Value,
    /// The URL literal for function calls (`'text'`, `2024-01-31`, `NS.Enum'A'`); when
    /// `None` it is derived from the JSON value.
    pub literal: Option<String>,
}

impl OperationArg {
    /// An argument typed by the model: JSON and URL literal from a typed value.
    pub fn typed(name: impl Into<String>, value: &TypedValue) -> Self {
        Self {
            name: name.into(),
            value: value.to_json(),
            literal: Some(value.to_url_literal()),
        }
    }

    /// An untyped argument from JSON.
    pub fn json(name: impl Into<String>, value: Value) -> Self {
        Self {
            name: name.into(),
            value,
            literal: None,
        }
    }

    /// The URL literal for function calls.
    pub fn url_literal(&self) -> String {
        match (&self.literal, &self.value) {
            (Some(literal), _) => literal.clone(),
            (None, Value::String(s)) => quote(s),
            (None, other) => other.to_string(),
        }
    }
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
                    .map(|a| format!("{}={}", a.name, segment(&a.url_literal())))
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
            let kind = ValueKind::resolve(model, &param.type_ref);
            let value = if text == "null" && param.nullable {
                TypedValue::Null
            } else if matches!(kind, ValueKind::Complex { .. } | ValueKind::Collection(_)) {
                let json: Value = serde_json::from_str(text).map_err(|e| {
                    ODataError::InvalidRequest(format!("parameter '{name}': expected JSON: {e}"))
                })?;
                TypedValue::from_json(&kind, &json)
                    .map_err(|e| ODataError::InvalidRequest(format!("parameter '{name}': {e}")))?
            } else {
                TypedValue::parse_text(&kind, text).map_err(|e| {
                    ODataError::InvalidRequest(format!(
                        "parameter '{name}' ({}): {e}",
                        param.type_ref
                    ))
                })?
            };
            Ok(OperationArg::typed(name.clone(), &value))
        })
        .collect()
}

impl ODataClient {
    /// Executes an action (POST) or function (GET); returns the result when there is one
    /// (`value` of a primitive or collection result is returned as the whole body).
    pub async fn execute(&self, call: &OperationCall) -> Result<Option<Value>, ODataError> {
        self.execute_if_match(call, None).await
    }

    /// Executes `call` with the `If-Match` the service needs: `if_match` when given;
    /// otherwise, for an action bound to a record of an entity set that declares
    /// `Core.OptimisticConcurrency` in `model`, the record's current `@odata.etag` (read
    /// first). Other calls are sent as [`ODataClient::execute`] sends them.
    pub async fn execute_guarded(
        &self,
        model: &Model,
        call: &OperationCall,
        if_match: Option<&str>,
    ) -> Result<Option<Value>, ODataError> {
        if let Some(etag) = if_match {
            return self.execute_if_match(call, Some(etag)).await;
        }
        let etag = match (&call.target, call.kind) {
            (OperationTarget::Entity { entity_set, key }, OperationKind::Action)
                if model.has_optimistic_concurrency(entity_set) =>
            {
                let record = self.get_record(entity_set, key, "").await?;
                record
                    .get("@odata.etag")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            }
            _ => None,
        };
        self.execute_if_match(call, etag.as_deref()).await
    }

    /// [`ODataClient::execute`] with `If-Match: {if_match}` on an action: services with
    /// optimistic concurrency (SAP CAP with `@odata.etag`) answer 428 to an action bound
    /// to a record without it.
    pub async fn execute_if_match(
        &self,
        call: &OperationCall,
        if_match: Option<&str>,
    ) -> Result<Option<Value>, ODataError> {
        let url = match call.target {
            OperationTarget::Unbound => self.url(&call.path())?,
            _ => self.record_url(&call.path())?,
        };
        let request = match call.kind {
            OperationKind::Action => ODataRequest::json(Method::POST, url, &call.body()),
            OperationKind::Function => ODataRequest::new(Method::GET, url),
        };
        let request = match (call.kind, if_match) {
            (OperationKind::Action, Some(etag)) => request.header("If-Match", etag),
            _ => request,
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
        let args = typed_args(&model, &declared, &[("B".into(), "true".into())]).unwrap();
        assert_eq!(args[0].value, json!(true));
    }
}
