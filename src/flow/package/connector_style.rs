//! Finance & Operations connector steps moved between the two ways definitions write them:
//! Power Automate's `OpenApiConnection` (`host.operationId` + flat `parameters`, record
//! fields as `item/Field`) and Logic Apps' `ApiConnection` (`method` + a `path` whose
//! segments are double URL-encoded + `queries` + `body`). Works on definitions as written
//! (expressions are moved, never evaluated), so what a step does is kept exactly.

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value, json};

use super::expression::{escape_text, expression_of, value_of_expression};

/// The Power Automate API id of the Finance & Operations connector.
pub const POWER_AUTOMATE_API_ID: &str = "/providers/Microsoft.PowerApps/apis/shared_dynamicsax";
/// The connection reference name Power Automate uses for it.
pub const POWER_AUTOMATE_CONNECTION: &str = "shared_dynamicsax";
/// The managed API name (Logic Apps connection key).
pub const MANAGED_API: &str = "dynamicsax";

/// Which product's way of writing a connector step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `OpenApiConnection` with `host.apiId` / `connectionName` / `operationId`.
    PowerAutomate,
    /// `ApiConnection`, `host.connection.name` from the `$connections` parameter.
    LogicAppsConsumption,
    /// `ApiConnection`, `host.connection.referenceName` from `connections.json`.
    LogicAppsStandard,
}

/// A connector step or trigger in neither style: the operation and its parameters as
/// written (expressions unevaluated).
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorCall {
    /// The swagger operation id (`GetItem`, `SubscribeOnABusinessEvent`, …).
    pub operation: String,
    /// Path parameters in path order (`dataset`, `table`, `id`, …).
    pub path: Vec<(String, Value)>,
    /// Query options (`$filter`, `cross-company`, `businesseventcategory`, …).
    pub queries: Map<String, Value>,
    /// The record (`item`) or the action's parameters (`parameters`).
    pub body: Option<Value>,
    /// Other inputs kept as written (`retryPolicy`, …).
    pub other: Map<String, Value>,
}

#[derive(Clone, Copy)]
enum Segment {
    Fixed(&'static str),
    Param(&'static str),
    /// A parameter that may span several segments (`EntitySet/Namespace.Action`).
    Rest(&'static str),
}

struct Shape {
    operation: &'static str,
    method: Option<&'static str>,
    segments: &'static [Segment],
    body: Option<&'static str>,
}

use Segment::{Fixed, Param, Rest};

const SHAPES: &[Shape] = &[
    Shape {
        operation: "GetTables",
        method: Some("get"),
        segments: &[Fixed("tables")],
        body: None,
    },
    Shape {
        operation: "GetItems",
        method: Some("get"),
        segments: &[Fixed("tables"), Param("table"), Fixed("items")],
        body: None,
    },
    Shape {
        operation: "PostItem",
        method: Some("post"),
        segments: &[Fixed("tables"), Param("table"), Fixed("items")],
        body: Some("item"),
    },
    Shape {
        operation: "GetItem",
        method: Some("get"),
        segments: &[Fixed("tables"), Param("table"), Fixed("items"), Param("id")],
        body: None,
    },
    Shape {
        operation: "PatchItem",
        method: Some("patch"),
        segments: &[Fixed("tables"), Param("table"), Fixed("items"), Param("id")],
        body: Some("item"),
    },
    Shape {
        operation: "DeleteItem",
        method: Some("delete"),
        segments: &[Fixed("tables"), Param("table"), Fixed("items"), Param("id")],
        body: None,
    },
    Shape {
        operation: "ExecuteProcedure",
        method: Some("post"),
        segments: &[Fixed("procedures"), Rest("procedure")],
        body: Some("parameters"),
    },
    Shape {
        operation: "SubscribeOnABusinessEvent",
        method: None,
        segments: &[Fixed("subscribebusinessevent"), Param("businessevent")],
        body: None,
    },
    Shape {
        operation: "GetOnNewItems",
        method: Some("get"),
        segments: &[Fixed("tables"), Param("table"), Fixed("onnewitems")],
        body: None,
    },
    Shape {
        operation: "GetOnUpdatedItems",
        method: Some("get"),
        segments: &[Fixed("tables"), Param("table"), Fixed("onupdateditems")],
        body: None,
    },
    Shape {
        operation: "OnDataEntitySelected",
        method: Some("post"),
        segments: &[
            Fixed("tables"),
            Param("table"),
            Fixed("hybridtrigger"),
            Fixed("onDataEntitySelected"),
        ],
        body: None,
    },
];

fn shape_of(operation: &str) -> Option<&'static Shape> {
    SHAPES
        .iter()
        .find(|shape| shape.operation.eq_ignore_ascii_case(operation))
}

/// The style a step or trigger is written in, if it is a connector step at all.
pub fn style_of(element: &Value) -> Option<Style> {
    let kind = element.get("type").and_then(Value::as_str)?;
    let host = element.pointer("/inputs/host");
    match kind.to_ascii_lowercase().as_str() {
        "openapiconnection" | "openapiconnectionwebhook" => Some(Style::PowerAutomate),
        "apiconnection" | "apiconnectionwebhook" => {
            if host
                .and_then(|h| h.pointer("/connection/referenceName"))
                .is_some()
            {
                Some(Style::LogicAppsStandard)
            } else {
                Some(Style::LogicAppsConsumption)
            }
        }
        _ => None,
    }
}

/// Whether a connector step or trigger is the Finance & Operations connector's.
pub fn is_dynamicsax(element: &Value) -> bool {
    let Some(inputs) = element.get("inputs") else {
        return false;
    };
    let host = inputs.get("host").map(Value::to_string).unwrap_or_default();
    // Another connection's step (SQL, SharePoint) has `/datasets/` paths too.
    host.to_ascii_lowercase().contains(MANAGED_API)
        || (crate::flow::connector_step::named_connection(element).is_none()
            && inputs
                .get("path")
                .and_then(Value::as_str)
                .is_some_and(|path| path.starts_with("/datasets/")))
}

/// Reads a connector step or trigger written in either style; `Err` says why it cannot
/// be moved to the other style.
pub fn read(element: &Value) -> Result<ConnectorCall, String> {
    let inputs = element
        .get("inputs")
        .and_then(Value::as_object)
        .ok_or("inputs: expected an object")?;
    match style_of(element) {
        Some(Style::PowerAutomate) => read_power_automate(inputs),
        Some(_) => read_logic_apps(inputs),
        None => Err("not a connector step".to_owned()),
    }
}

fn read_power_automate(inputs: &Map<String, Value>) -> Result<ConnectorCall, String> {
    let operation = inputs
        .get("host")
        .and_then(|h| h.get("operationId"))
        .and_then(Value::as_str)
        .ok_or("inputs.host.operationId: missing")?;
    let shape = shape_of(operation).ok_or_else(|| {
        format!("inputs.host.operationId: '{operation}' is not an operation Flowbench can move between styles")
    })?;
    let parameters = match inputs.get("parameters") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => return Err("inputs.parameters: expected an object".to_owned()),
    };
    let path_names: Vec<&str> = std::iter::once("dataset")
        .chain(shape.segments.iter().filter_map(|s| match s {
            Param(name) | Rest(name) => Some(*name),
            Fixed(_) => None,
        }))
        .collect();
    let mut call = ConnectorCall {
        operation: shape.operation.to_owned(),
        path: Vec::new(),
        queries: Map::new(),
        body: None,
        other: other_inputs(inputs, &["host", "parameters", "authentication"]),
    };
    for name in &path_names {
        let value = parameters.get(*name).cloned().unwrap_or(Value::Null);
        call.path.push(((*name).to_owned(), value));
    }
    let mut body = Map::new();
    for (name, value) in &parameters {
        if path_names.contains(&name.as_str()) {
            continue;
        }
        match shape.body {
            Some(body_name) if name == body_name => {
                call.body = Some(value.clone());
            }
            Some(body_name) if name.starts_with(&format!("{body_name}/")) => {
                set_path(&mut body, &name[body_name.len() + 1..], value.clone());
            }
            _ => {
                call.queries.insert(name.clone(), value.clone());
            }
        }
    }
    if !body.is_empty() {
        match &mut call.body {
            Some(Value::Object(whole)) => whole.extend(body),
            Some(_) => {
                return Err(format!(
                    "inputs.parameters: '{}' is given whole and by field",
                    shape.body.unwrap_or("item")
                ));
            }
            None => call.body = Some(Value::Object(body)),
        }
    }
    Ok(call)
}

fn read_logic_apps(inputs: &Map<String, Value>) -> Result<ConnectorCall, String> {
    let path = inputs
        .get("path")
        .and_then(Value::as_str)
        .ok_or("inputs.path: missing")?;
    let method = inputs.get("method").and_then(Value::as_str);
    let segments = split_path(path).ok_or_else(|| {
        format!("inputs.path: '{path}' is one expression; its parts cannot be told apart")
    })?;
    let (first, rest) = match segments.as_slice() {
        [first, dataset, rest @ ..] if first == "datasets" => (dataset.clone(), rest.to_vec()),
        _ => {
            return Err(format!(
                "inputs.path: expected /datasets/{{instance}}/…, found {path}"
            ));
        }
    };
    let shape = SHAPES
        .iter()
        .find(|shape| {
            let same_method = match (method, shape.method) {
                (Some(m), Some(s)) => m.eq_ignore_ascii_case(s),
                (None, None) => true,
                // Webhook triggers carry no method; a polling one may omit `get`.
                (None, Some("get")) => true,
                _ => false,
            };
            same_method && matches_shape(&rest, shape.segments)
        })
        .ok_or_else(|| {
            format!(
                "inputs.path: {} {path} is not an operation of the Finance & Operations connector",
                method.unwrap_or("").to_ascii_uppercase()
            )
        })?;
    let mut call = ConnectorCall {
        operation: shape.operation.to_owned(),
        path: vec![("dataset".to_owned(), segment_value(&first))],
        queries: match inputs.get("queries") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map.clone(),
            Some(_) => return Err("inputs.queries: expected an object".to_owned()),
        },
        body: None,
        other: other_inputs(
            inputs,
            &[
                "host",
                "method",
                "path",
                "queries",
                "body",
                "authentication",
            ],
        ),
    };
    for (index, segment) in shape.segments.iter().enumerate() {
        match segment {
            Fixed(_) => {}
            Param(name) => call
                .path
                .push(((*name).to_owned(), segment_value(&rest[index]))),
            Rest(name) => {
                let joined = rest[index..]
                    .iter()
                    .map(|s| segment_value(s))
                    .map(|v| match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                call.path.push(((*name).to_owned(), Value::String(joined)));
            }
        }
    }
    call.body = match (shape.operation, inputs.get("body")) {
        (_, None | Some(Value::Null)) => None,
        ("SubscribeOnABusinessEvent", Some(_)) => None,
        (_, Some(body)) => Some(body.clone()),
    };
    Ok(call)
}

fn matches_shape(rest: &[String], segments: &[Segment]) -> bool {
    let fixed_ok = |index: usize, text: &str| {
        rest.get(index)
            .is_some_and(|s| s.eq_ignore_ascii_case(text))
    };
    match segments.last() {
        Some(Rest(_)) => {
            rest.len() >= segments.len()
                && segments
                    .iter()
                    .enumerate()
                    .all(|(i, s)| !matches!(s, Fixed(text) if !fixed_ok(i, text)))
        }
        _ => {
            rest.len() == segments.len()
                && segments
                    .iter()
                    .enumerate()
                    .all(|(i, s)| !matches!(s, Fixed(text) if !fixed_ok(i, text)))
        }
    }
}

fn other_inputs(inputs: &Map<String, Value>, known: &[&str]) -> Map<String, Value> {
    inputs
        .iter()
        .filter(|(key, _)| !known.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// Splits a path on `/` outside `@{…}`; `None` when the whole path is one expression.
fn split_path(path: &str) -> Option<Vec<String>> {
    if path.starts_with('@') && !path.starts_with("@{") {
        return None;
    }
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut chars = path.trim_start_matches('/').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '@' if !in_string && depth == 0 && chars.peek() == Some(&'{') => {
                current.push(c);
                if let Some(open) = chars.next() {
                    current.push(open);
                }
                depth = 1;
            }
            '\'' if depth > 0 => {
                in_string = !in_string;
                current.push(c);
            }
            '}' if depth > 0 && !in_string => {
                depth = 0;
                current.push(c);
            }
            '/' if depth == 0 => segments.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    segments.push(current);
    if segments.last().is_some_and(String::is_empty) {
        segments.pop();
    }
    Some(segments)
}

const ENCODE_PREFIX: &str = "@{encodeURIComponent(encodeURIComponent(";
const ENCODE_SUFFIX: &str = "))}";

/// A path segment as a parameter value: the value given to the designer's
/// `@{encodeURIComponent(encodeURIComponent(…))}`, or plain text decoded twice.
fn segment_value(segment: &str) -> Value {
    if let Some(inner) = segment
        .strip_prefix(ENCODE_PREFIX)
        .and_then(|s| s.strip_suffix(ENCODE_SUFFIX))
        && crate::flow::expr::parse(inner).is_ok()
    {
        return value_of_expression(inner);
    }
    if segment.contains("@{") {
        return match expression_of(&Value::String(segment.to_owned())) {
            Ok(expression) => Value::String(format!(
                "@decodeUriComponent(decodeUriComponent({expression}))"
            )),
            Err(_) => Value::String(segment.to_owned()),
        };
    }
    let once = percent_decode_str(segment).decode_utf8_lossy().into_owned();
    let twice = percent_decode_str(&once).decode_utf8_lossy().into_owned();
    Value::String(escape_text(&twice))
}

/// A parameter value as a path segment, double-encoded the way the designer writes it.
fn segment_of(value: &Value) -> Result<String, String> {
    let expression = expression_of(value).map_err(|e| e.to_string())?;
    Ok(format!("{ENCODE_PREFIX}{expression}{ENCODE_SUFFIX}"))
}

/// Writes `call` in `style`, keeping the element's other properties (`runAfter`,
/// `recurrence`, `splitOn`, `metadata`, …); `webhook` for triggers that subscribe.
pub fn write(element: &Value, call: &ConnectorCall, style: Style) -> Result<Value, String> {
    let shape = shape_of(&call.operation)
        .ok_or_else(|| format!("'{}' cannot be written in another style", call.operation))?;
    let webhook = shape.method.is_none()
        || element
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.to_ascii_lowercase().ends_with("webhook"));
    let inputs = match style {
        Style::PowerAutomate => power_automate_inputs(call, shape),
        Style::LogicAppsConsumption | Style::LogicAppsStandard => {
            logic_apps_inputs(call, shape, style)?
        }
    };
    let kind = match (style, webhook) {
        (Style::PowerAutomate, false) => "OpenApiConnection",
        (Style::PowerAutomate, true) => "OpenApiConnectionWebhook",
        (_, false) => "ApiConnection",
        (_, true) => "ApiConnectionWebhook",
    };
    let mut out = Map::new();
    if let Some(original) = element.as_object() {
        for (key, value) in original {
            match key.as_str() {
                "type" => {
                    out.insert(key.clone(), Value::String(kind.to_owned()));
                }
                "inputs" => {
                    out.insert(key.clone(), inputs.clone());
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
    }
    out.entry("type")
        .or_insert_with(|| Value::String(kind.to_owned()));
    out.entry("inputs").or_insert(inputs);
    Ok(Value::Object(out))
}

fn power_automate_inputs(call: &ConnectorCall, shape: &Shape) -> Value {
    let mut parameters = Map::new();
    for (name, value) in &call.path {
        if !value.is_null() {
            parameters.insert(name.clone(), value.clone());
        }
    }
    for (name, value) in &call.queries {
        parameters.insert(name.clone(), value.clone());
    }
    if let (Some(body_name), Some(body)) = (shape.body, &call.body) {
        match body {
            Value::Object(fields) if can_flatten(fields) => {
                flatten(body_name, fields, &mut parameters);
            }
            other => {
                parameters.insert(body_name.to_owned(), other.clone());
            }
        }
    }
    let mut inputs = Map::new();
    inputs.insert(
        "host".to_owned(),
        json!({"apiId": POWER_AUTOMATE_API_ID, "connectionName": POWER_AUTOMATE_CONNECTION, "operationId": shape.operation}),
    );
    inputs.insert("parameters".to_owned(), Value::Object(parameters));
    inputs.insert(
        "authentication".to_owned(),
        Value::String("@parameters('$authentication')".to_owned()),
    );
    inputs.extend(call.other.clone());
    Value::Object(inputs)
}

fn logic_apps_inputs(call: &ConnectorCall, shape: &Shape, style: Style) -> Result<Value, String> {
    let value_of = |name: &str| {
        call.path
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or(Value::Null)
    };
    let mut path = format!("/datasets/{}", segment_of(&value_of("dataset"))?);
    for segment in shape.segments {
        path.push('/');
        match segment {
            Fixed(text) => path.push_str(text),
            Param(name) | Rest(name) => path.push_str(&segment_of(&value_of(name))?),
        }
    }
    let host = match style {
        Style::LogicAppsStandard => json!({"connection": {"referenceName": MANAGED_API}}),
        _ => {
            json!({"connection": {"name": "@parameters('$connections')['dynamicsax']['connectionId']"}})
        }
    };
    let mut inputs = Map::new();
    inputs.insert("host".to_owned(), host);
    if let Some(method) = shape.method {
        inputs.insert("method".to_owned(), Value::String(method.to_owned()));
    }
    inputs.insert("path".to_owned(), Value::String(path));
    if !call.queries.is_empty() {
        inputs.insert("queries".to_owned(), Value::Object(call.queries.clone()));
    }
    if shape.operation == "SubscribeOnABusinessEvent" {
        inputs.insert(
            "body".to_owned(),
            json!({"NotificationUrl": "@{listCallbackUrl()}"}),
        );
    } else if let Some(body) = &call.body {
        inputs.insert("body".to_owned(), body.clone());
    }
    inputs.extend(call.other.clone());
    Ok(Value::Object(inputs))
}

fn can_flatten(fields: &Map<String, Value>) -> bool {
    !fields.is_empty()
        && fields.iter().all(|(key, value)| {
            !key.contains('/')
                && !key.is_empty()
                && match value {
                    Value::Object(inner) => inner.is_empty() || can_flatten(inner),
                    _ => true,
                }
        })
}

fn flatten(prefix: &str, fields: &Map<String, Value>, out: &mut Map<String, Value>) {
    for (key, value) in fields {
        let name = format!("{prefix}/{key}");
        match value {
            Value::Object(inner) if !inner.is_empty() => flatten(&name, inner, out),
            other => {
                out.insert(name, other.clone());
            }
        }
    }
}

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

#[cfg(test)]
mod tests;
