//! Finance & Operations connector steps (`dynamicsax`) as real definitions write them —
//! Power Automate's `OpenApiConnection` (`host.operationId` + `parameters`) and Logic Apps'
//! `ApiConnection` (`method` + `path` + `queries` + `body`) — read into connector requests,
//! and the connector's outcomes turned into the outputs the cloud gives
//! (`statusCode`, `headers`, `body`).

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value, json};

use crate::connector::resolve::{InputError, key_predicate, resolve_call};
use crate::connector::{ActionRequest, Outcome, RecordRef};
use crate::odata::metadata::Model;
use crate::odata::query::QueryOptions;

/// The connector's operations, by their swagger operation ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// List items present in table.
    GetItems,
    /// Get a record.
    GetItem,
    /// Create a record.
    PostItem,
    /// Update a record.
    PatchItem,
    /// Delete a record.
    DeleteItem,
    /// Execute action.
    ExecuteProcedure,
    /// Get list of entities.
    GetTables,
}

impl Operation {
    /// Every operation with its swagger id.
    pub const ALL: [(Self, &'static str); 7] = [
        (Self::GetItems, "GetItems"),
        (Self::GetItem, "GetItem"),
        (Self::PostItem, "PostItem"),
        (Self::PatchItem, "PatchItem"),
        (Self::DeleteItem, "DeleteItem"),
        (Self::ExecuteProcedure, "ExecuteProcedure"),
        (Self::GetTables, "GetTables"),
    ];

    /// The operation named `id` (case-insensitive).
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(id))
            .map(|(op, _)| *op)
    }

    /// The swagger operation id.
    pub fn id(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(op, _)| *op == self)
            .map_or("", |(_, name)| name)
    }
}

/// A connector step read from its (evaluated) inputs, whatever the style.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConnectorStep {
    /// The operation.
    pub operation: Option<Operation>,
    /// The instance host (`contoso.operations.dynamics.com`).
    pub dataset: Option<String>,
    /// The entity set.
    pub table: Option<String>,
    /// The record's key values, comma-separated in key order (`usmf,10`).
    pub id: Option<String>,
    /// The record's fields (create, update).
    pub item: Map<String, Value>,
    /// `EntitySet/Microsoft.Dynamics.DataEntities.Action` or an unbound action's name.
    pub procedure: Option<String>,
    /// The action's parameters.
    pub parameters: Map<String, Value>,
    /// `$filter`, `$orderby`, `$top`, `$skip`, `$select`, `cross-company`.
    pub query: Map<String, Value>,
}

/// Whether `action` (its raw definition) is a Finance & Operations connector step.
///
/// A Power Automate step names its API (`shared_dynamicsax`). A Logic Apps step names its
/// connection (`@parameters('$connections')['dynamicsax']['connectionId']`, a Standard
/// `referenceName`, an older `api.runtimeUrl`); a step that names another connection is
/// another connector's even when its path looks like one of ours (SQL, SharePoint and the
/// file system also use `/datasets/…`). Only a step that names no connection at all is
/// recognised by its `/datasets/` path.
pub fn is_connector_action(action: &Value) -> bool {
    let kind = action.get("type").and_then(Value::as_str).unwrap_or("");
    let inputs = action.get("inputs");
    let host = inputs.and_then(|i| i.get("host"));
    let mentions_dynamicsax = |value: Option<&Value>| {
        value
            .map(|v| v.to_string().to_ascii_lowercase())
            .is_some_and(|text| text.contains("dynamicsax"))
    };
    match kind.to_ascii_lowercase().as_str() {
        "openapiconnection" => mentions_dynamicsax(host),
        "apiconnection" => {
            mentions_dynamicsax(host)
                || (named_connection(action).is_none()
                    && inputs
                        .and_then(|i| i.get("path"))
                        .and_then(Value::as_str)
                        .is_some_and(|p| p.starts_with("/datasets/")))
        }
        _ => false,
    }
}

/// The API or connection a connector step names (`shared_office365`, `sql`,
/// `filesystem`), when it names one.
pub fn named_connection(action: &Value) -> Option<String> {
    let host = action.pointer("/inputs/host")?;
    let text = |pointer: &str| {
        host.pointer(pointer)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
    };
    if let Some(api) = text("/apiId") {
        return Some(api.rsplit('/').next().unwrap_or(api).to_owned());
    }
    if let Some(name) = text("/connectionName").or_else(|| text("/connection/referenceName")) {
        return Some(name.to_owned());
    }
    if let Some(name) = text("/connection/name") {
        // `@parameters('$connections')['sql']['connectionId']`: the key after `$connections`.
        return Some(connection_key(name).unwrap_or(name).to_owned());
    }
    // Older Logic Apps definitions: `api.runtimeUrl` ends with `/apim/{api}`.
    text("/api/runtimeUrl")
        .map(|url| url.trim_end_matches('/'))
        .and_then(|url| url.rsplit('/').next())
        .map(str::to_owned)
}

/// What a step of another connector uses, for messages: `the connection 'sql'`, or
/// `another connector` when it names none.
pub fn other_connector_label(action: &Value) -> String {
    named_connection(action)
        .map(|name| format!("the connection '{name}'"))
        .unwrap_or_else(|| "another connector".to_owned())
}

/// `sql` in `@parameters('$connections')['sql']['connectionId']`.
fn connection_key(expression: &str) -> Option<&str> {
    let after = &expression[expression.find("$connections")?..];
    let start = after.find("['")? + 2;
    let end = after[start..].find("']")?;
    Some(&after[start..start + end])
}

/// Why a connector step cannot be read or run, naming the input.
pub type StepError = InputError;

fn invalid(message: impl Into<String>) -> StepError {
    InputError(message.into())
}

/// Reads a connector step from its evaluated `inputs`; `kind` is the action's `type`.
pub fn read_step(kind: &str, inputs: &Value) -> Result<ConnectorStep, StepError> {
    if kind.eq_ignore_ascii_case("OpenApiConnection") {
        read_open_api(inputs)
    } else {
        read_api_connection(inputs)
    }
}

/// Power Automate style: `host.operationId` and flat `parameters` (`item/Field` keys).
fn read_open_api(inputs: &Value) -> Result<ConnectorStep, StepError> {
    let operation_id = inputs
        .pointer("/host/operationId")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("inputs.host.operationId: missing"))?;
    let operation = Operation::from_id(operation_id).ok_or_else(|| {
        let known: Vec<&str> = Operation::ALL.iter().map(|(_, id)| *id).collect();
        invalid(format!(
            "inputs.host.operationId: '{operation_id}' is not an operation of the Finance & Operations connector (known: {})",
            known.join(", ")
        ))
    })?;
    let mut step = ConnectorStep {
        operation: Some(operation),
        ..ConnectorStep::default()
    };
    let empty = Map::new();
    let parameters = match inputs.get("parameters") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(map)) => map,
        Some(_) => return Err(invalid("inputs.parameters: expected an object")),
    };
    for (name, value) in parameters {
        match name.as_str() {
            "dataset" => step.dataset = text_of(value),
            "table" => step.table = text_of(value),
            "id" => step.id = text_of(value),
            "procedure" => step.procedure = text_of(value),
            "item" => merge_object(&mut step.item, value, "inputs.parameters.item")?,
            "parameters" => {
                merge_object(&mut step.parameters, value, "inputs.parameters.parameters")?;
            }
            _ => {
                if let Some(field) = name.strip_prefix("item/") {
                    set_path(&mut step.item, field, value.clone());
                } else if let Some(field) = name.strip_prefix("parameters/") {
                    set_path(&mut step.parameters, field, value.clone());
                } else {
                    step.query.insert(name.clone(), value.clone());
                }
            }
        }
    }
    Ok(step)
}

/// Logic Apps style: `method` + `path` (`/datasets/{d}/tables/{t}/items/{id}`, double
/// URL-encoded segments), `queries`, `body`.
fn read_api_connection(inputs: &Value) -> Result<ConnectorStep, StepError> {
    let path = inputs
        .get("path")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("inputs.path: missing"))?;
    let method = inputs
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("get")
        .to_ascii_lowercase();
    let segments: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(decode_twice)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let mut step = ConnectorStep::default();
    let (operation, rest) = match segments.as_slice() {
        ["datasets", dataset, rest @ ..] => {
            step.dataset = Some((*dataset).to_owned());
            match (rest, method.as_str()) {
                (["tables"], "get") => (Operation::GetTables, None),
                (["tables", table, "items"], "get") => (Operation::GetItems, Some((*table, None))),
                (["tables", table, "items"], "post") => (Operation::PostItem, Some((*table, None))),
                (["tables", table, "items", id], "get") => {
                    (Operation::GetItem, Some((*table, Some(*id))))
                }
                (["tables", table, "items", id], "patch") => {
                    (Operation::PatchItem, Some((*table, Some(*id))))
                }
                (["tables", table, "items", id], "delete") => {
                    (Operation::DeleteItem, Some((*table, Some(*id))))
                }
                (["procedures", procedure @ ..], "post") if !procedure.is_empty() => {
                    step.procedure = Some(procedure.join("/"));
                    (Operation::ExecuteProcedure, None)
                }
                _ => {
                    return Err(invalid(format!(
                        "inputs.path: {} {path} is not an operation of the Finance & Operations connector",
                        method.to_ascii_uppercase()
                    )));
                }
            }
        }
        _ => {
            return Err(invalid(format!(
                "inputs.path: expected /datasets/{{instance}}/tables/… or /procedures/…, found {path}"
            )));
        }
    };
    step.operation = Some(operation);
    if let Some((table, id)) = rest {
        step.table = Some(table.to_owned());
        step.id = id.map(str::to_owned);
    }
    if let Some(queries) = inputs.get("queries") {
        merge_object(&mut step.query, queries, "inputs.queries")?;
    }
    match (operation, inputs.get("body")) {
        (_, None | Some(Value::Null)) => {}
        (Operation::ExecuteProcedure, Some(body)) => {
            merge_object(&mut step.parameters, body, "inputs.body")?;
        }
        (_, Some(body)) => merge_object(&mut step.item, body, "inputs.body")?,
    }
    Ok(step)
}

fn decode_twice(segment: &str) -> String {
    let once = percent_decode_str(segment).decode_utf8_lossy().into_owned();
    percent_decode_str(&once).decode_utf8_lossy().into_owned()
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn merge_object(into: &mut Map<String, Value>, value: &Value, at: &str) -> Result<(), StepError> {
    match value {
        Value::Object(map) => {
            into.extend(map.iter().map(|(k, v)| (k.clone(), v.clone())));
            Ok(())
        }
        Value::Null => Ok(()),
        _ => Err(invalid(format!("{at}: expected an object"))),
    }
}

/// Sets `a/b` as nested objects (`{"a": {"b": value}}`); a plain name sets that field.
fn set_path(map: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('/') {
        None => {
            map.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let child = map
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !child.is_object() {
                *child = Value::Object(Map::new());
            }
            if let Value::Object(child) = child {
                set_path(child, rest, value);
            }
        }
    }
}

impl ConnectorStep {
    /// The operation (always set once read).
    pub fn operation(&self) -> Result<Operation, StepError> {
        self.operation
            .ok_or_else(|| invalid("the step names no connector operation"))
    }

    fn table(&self) -> Result<&str, StepError> {
        self.table
            .as_deref()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| invalid("table: the entity is missing"))
    }

    fn record(&self, model: &Model) -> Result<RecordRef, StepError> {
        let table = self.table()?;
        let id = self
            .id
            .as_deref()
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| invalid("id: the record's key values are missing"))?;
        let key = key_predicate(model, table, id).map_err(|e| invalid(format!("id: {e}")))?;
        Ok(RecordRef::new(table, key).across_companies(self.cross_company()))
    }

    /// `cross-company` as the connector takes it: a boolean, or its text.
    pub fn cross_company(&self) -> bool {
        match self.query.get("cross-company") {
            Some(Value::Bool(on)) => *on,
            Some(Value::String(text)) => text.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }

    /// The connector request this step runs, checked against `model`.
    pub fn to_request(&self, model: &Model) -> Result<ActionRequest, StepError> {
        let request = match self.operation()? {
            Operation::GetTables => ActionRequest::ListEntities,
            Operation::GetItems => ActionRequest::ListItems {
                entity_set: self.table()?.to_owned(),
                query: self.query_options()?,
                all_pages: true,
            },
            Operation::GetItem => ActionRequest::GetRecord {
                record: self.record(model)?,
                query: String::new(),
            },
            Operation::PostItem => ActionRequest::CreateRecord {
                entity_set: self.table()?.to_owned(),
                body: self.item.clone(),
            },
            Operation::PatchItem => ActionRequest::UpdateRecord {
                record: self.record(model)?,
                changes: self.item.clone(),
                if_match: self
                    .item
                    .get("@odata.etag")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                read_back: true,
            },
            Operation::DeleteItem => ActionRequest::DeleteRecord {
                record: self.record(model)?,
                if_match: None,
            },
            Operation::ExecuteProcedure => self.procedure_request(model)?,
        };
        request.check(model)?;
        Ok(request)
    }

    fn query_options(&self) -> Result<QueryOptions, StepError> {
        let mut query = QueryOptions {
            cross_company: self.cross_company(),
            ..QueryOptions::default()
        };
        for (name, value) in &self.query {
            let text = match value {
                Value::Null => continue,
                Value::String(s) if s.is_empty() => continue,
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            match name.as_str() {
                "cross-company" => {}
                "$filter" | "$orderby" | "$select" | "$expand" | "$search" | "$top" | "$skip" => {
                    query
                        .set_system(name, &text)
                        .map_err(|e| invalid(format!("{name}: {e}")))?;
                }
                other => query.custom.push((other.to_owned(), text)),
            }
        }
        Ok(query)
    }

    fn procedure_request(&self, model: &Model) -> Result<ActionRequest, StepError> {
        let procedure = self
            .procedure
            .as_deref()
            .filter(|p| !p.is_empty())
            .ok_or_else(|| invalid("procedure: the action is missing"))?;
        // `EntitySet/Namespace.Action` (bound to the entity set), `EntitySet(keys)/…` or an
        // action bound to a record whose key fields are among the parameters, or an
        // import's name.
        let mut params: Vec<(String, String)> = self
            .parameters
            .iter()
            .map(|(name, value)| {
                let text = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (name.clone(), text)
            })
            .collect();
        let target: Vec<String> = match procedure.split_once('/') {
            Some((set, action)) => match set.split_once('(') {
                Some((set, keys)) => vec![
                    set.to_owned(),
                    keys.trim_end_matches(')').to_owned(),
                    action.to_owned(),
                ],
                None => vec![set.to_owned(), action.to_owned()],
            },
            None => vec![procedure.to_owned()],
        };
        let call = match resolve_call(model, &target, &params) {
            Ok(call) => call,
            Err(first) => match record_target(model, &target, &mut params) {
                Some(target) => resolve_call(model, &target, &params)
                    .map_err(|e| invalid(format!("procedure '{procedure}': {e}")))?,
                None => return Err(invalid(format!("procedure '{procedure}': {first}"))),
            },
        };
        Ok(ActionRequest::ExecuteAction {
            call,
            cross_company: self.cross_company(),
            if_match: None,
        })
    }
}

/// For `[EntitySet, Action]` whose action is bound to one record: the target with the key
/// values taken out of `params` (every key field must be there).
fn record_target(
    model: &Model,
    target: &[String],
    params: &mut Vec<(String, String)>,
) -> Option<Vec<String>> {
    let [set, action] = target else {
        return None;
    };
    let entity = crate::connector::resolve::entity_type_of(model, set).ok()?;
    let keys: Vec<String> = model
        .key_properties(entity)
        .iter()
        .map(|p| p.name.clone())
        .collect();
    let mut values = Vec::new();
    for key in &keys {
        let index = params.iter().position(|(name, _)| name == key)?;
        values.push(params.remove(index).1);
    }
    let comma = crate::odata::keys::join_key_values(&values);
    Some(vec![set.clone(), comma, action.clone()])
}

/// The outputs the cloud gives for `operation`'s `outcome`: `statusCode`, `headers`,
/// `body` (`{"value": [...]}` for lists and action results).
pub fn outputs_of(operation: Operation, outcome: &Outcome) -> Value {
    let (status, body) = match (operation, outcome) {
        (_, Outcome::Records(records, _)) => (200, json!({ "value": records })),
        (_, Outcome::Entities(sets)) => (
            200,
            json!({ "value": sets
                .iter()
                .map(|s| json!({"Name": s.name, "DisplayName": s.name}))
                .collect::<Vec<_>>() }),
        ),
        (_, Outcome::Created(record)) => (201, record.clone()),
        (_, Outcome::Record(record) | Outcome::Loaded(record) | Outcome::Updated(_, record)) => {
            (200, record.clone())
        }
        (_, Outcome::Deleted(_)) => (204, Value::Null),
        // A primitive or collection result comes as OData's `{"@odata.context", "value"}`,
        // which the connector passes on: `body('Step')?['value']` is the result itself.
        (_, Outcome::ActionResult(Some(result @ Value::Object(map))))
            if map.contains_key("value") =>
        {
            (200, result.clone())
        }
        (_, Outcome::ActionResult(result)) => (
            200,
            json!({ "value": result.clone().unwrap_or(Value::Null) }),
        ),
        (_, Outcome::Batch(_)) => (200, Value::Array(outcome.records())),
    };
    let mut headers = Map::new();
    headers.insert("Content-Type".into(), json!("application/json"));
    if let Some(etag) = outcome.etag() {
        headers.insert("ETag".into(), json!(etag));
    }
    json!({ "statusCode": status, "headers": headers, "body": body })
}

#[cfg(test)]
mod tests;
