//! What the trigger delivers for a run: typed manual inputs checked against the Request
//! trigger's schema (Logic Apps `Http`, Power Automate `Button` and `PowerAppV2`), a
//! record for "For a selected record", or a body given as a file for any other trigger.

use serde_json::{Map, Value, json};

/// The first trigger of a definition: its name and definition.
pub fn first_trigger(definition: &Map<String, Value>) -> Option<(&String, &Value)> {
    definition
        .get("triggers")
        .and_then(Value::as_object)
        .and_then(|t| t.iter().next())
}

/// Whether the trigger takes manual inputs (a `Request` trigger).
pub fn is_manual(trigger: &Value) -> bool {
    trigger
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("Request"))
}

/// Whether the trigger is the connector's "For a selected record".
pub fn is_selected_record(trigger: &Value) -> bool {
    let text = trigger.to_string().to_ascii_lowercase();
    text.contains("ondataentityselected") || text.contains("hybridtrigger")
}

/// Why manual inputs do not make a trigger body. `Display` words it for the command line
/// (`--input NAME=VALUE`); [`ManualInputError::in_form`] for the window's fields.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManualInputError {
    /// `name` is no input of the trigger.
    #[error("--input {name}: the trigger has no such input (inputs: {})", .known.join(", "))]
    Unknown {
        /// The name given.
        name: String,
        /// The inputs there are, with their titles.
        known: Vec<String>,
    },
    /// The value of input `name` is not of the input's type.
    #[error("--input {name}: expected {expected}, found '{found}'")]
    BadValue {
        /// The name given.
        name: String,
        /// The input's title, or its name.
        label: String,
        /// The type, e.g. `an integer`.
        expected: String,
        /// The text given.
        found: String,
    },
    /// Required inputs were not given.
    #[error("the trigger requires {}: give --input NAME=VALUE", cli_names(.0))]
    Missing(Vec<MissingInput>),
}

/// A required input that was not given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingInput {
    /// Its property name (Power Automate's `text`, `text_1`, …).
    pub key: String,
    /// Its title, the label users see, when it has one.
    pub title: Option<String>,
}

impl MissingInput {
    /// What a form labels it with.
    fn label(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.key)
    }
}

/// `'Group id' (text), 'name'`: titles first, since `--input` takes either.
fn cli_names(missing: &[MissingInput]) -> String {
    let names: Vec<String> = missing
        .iter()
        .map(|input| match &input.title {
            Some(title) if *title != input.key => format!("'{title}' ({})", input.key),
            _ => format!("'{}'", input.key),
        })
        .collect();
    names.join(", ")
}

impl ManualInputError {
    /// The message next to the window's input fields, which are labelled by title.
    pub fn in_form(&self) -> String {
        match self {
            Self::Unknown { name, .. } => format!("The trigger has no input '{name}'."),
            Self::BadValue {
                label,
                expected,
                found,
                ..
            } => format!("{label}: expected {expected}, found '{found}'."),
            Self::Missing(missing) => {
                let labels: Vec<&str> = missing.iter().map(MissingInput::label).collect();
                let (list, them) = match labels.as_slice() {
                    [one] => ((*one).to_owned(), "it"),
                    [rest @ .., last] => (format!("{} and {last}", rest.join(", ")), "them"),
                    [] => (String::new(), "them"),
                };
                format!("Fill in {list}: the trigger requires {them}.")
            }
        }
    }
}

/// The manual trigger's input `name`: its property of that name or with that `title`,
/// with the property's schema.
pub fn manual_input<'a>(trigger: &'a Value, name: &str) -> Option<(&'a String, &'a Value)> {
    trigger
        .pointer("/inputs/schema/properties")
        .and_then(Value::as_object)?
        .iter()
        .find(|(key, prop)| {
            *key == name
                || prop
                    .get("title")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case(name))
        })
}

/// The trigger body of a manual trigger from `NAME=VALUE` inputs, typed by its schema
/// (`string`, `integer`, `number`, `boolean`, `object`, `array`); a name matches a
/// property or its `title` (Power Automate's button inputs are `text`, `text_1`… with a
/// title). Required properties must be given.
///
/// # Errors
/// An unknown name, a value not of its input's type, or a required input missing.
pub fn manual_body(trigger: &Value, given: &[(String, String)]) -> Result<Value, ManualInputError> {
    let schema = trigger.pointer("/inputs/schema");
    let properties = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    let mut body = Map::new();
    for (name, text) in given {
        let found = manual_input(trigger, name);
        let label = found
            .and_then(|(_, prop)| prop.get("title"))
            .and_then(Value::as_str)
            .unwrap_or(name);
        let (key, kind) = match (found, properties) {
            (Some((key, prop)), _) => (
                key.clone(),
                prop.get("type").and_then(Value::as_str).unwrap_or("string"),
            ),
            (None, Some(props)) if !props.is_empty() => {
                let known: Vec<String> = props
                    .iter()
                    .map(|(k, p)| match p.get("title").and_then(Value::as_str) {
                        Some(title) => format!("{k} ({title})"),
                        None => k.clone(),
                    })
                    .collect();
                return Err(ManualInputError::Unknown {
                    name: name.clone(),
                    known,
                });
            }
            (None, _) => (name.clone(), "string"),
        };
        body.insert(key, typed(name, label, kind, text)?);
    }
    if let Some(required) = schema
        .and_then(|s| s.get("required"))
        .and_then(Value::as_array)
    {
        let missing: Vec<MissingInput> = required
            .iter()
            .filter_map(Value::as_str)
            .filter(|r| !body.contains_key(*r))
            .map(|key| MissingInput {
                key: key.to_owned(),
                title: properties
                    .and_then(|p| p.get(key))
                    .and_then(|p| p.get("title"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            })
            .collect();
        if !missing.is_empty() {
            return Err(ManualInputError::Missing(missing));
        }
    }
    Ok(Value::Object(body))
}

fn typed(name: &str, label: &str, kind: &str, text: &str) -> Result<Value, ManualInputError> {
    let bad = |what: &str| ManualInputError::BadValue {
        name: name.to_owned(),
        label: label.to_owned(),
        expected: what.to_owned(),
        found: text.to_owned(),
    };
    match kind {
        "integer" => text
            .trim()
            .parse::<i64>()
            .map(|n| json!(n))
            .map_err(|_| bad("an integer")),
        "number" => serde_json::from_str::<Value>(text.trim())
            .ok()
            .filter(Value::is_number)
            .ok_or_else(|| bad("a number")),
        "boolean" => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(json!(true)),
            "false" => Ok(json!(false)),
            _ => Err(bad("true or false")),
        },
        "object" | "array" => serde_json::from_str::<Value>(text)
            .ok()
            .filter(|v| {
                if kind == "object" {
                    v.is_object()
                } else {
                    v.is_array()
                }
            })
            .ok_or_else(|| bad(&format!("a JSON {kind}"))),
        _ => Ok(Value::String(text.to_owned())),
    }
}

/// Whether the trigger is the connector's "When a business event occurs".
pub fn is_business_event(trigger: &Value) -> bool {
    let text = trigger.to_string().to_ascii_lowercase();
    text.contains("subscribebusinessevent") || text.contains("subscribeonabusinessevent")
}

/// A business event as both kinds of definitions read it: its fields at the top of the body
/// and the whole event as a JSON string in `data` (`json(triggerBody()?['data'])`). An event
/// given either way gets the other.
pub fn business_event_body(event: Value) -> Value {
    match event {
        Value::Object(mut fields) => {
            let inner = fields
                .get("data")
                .and_then(Value::as_str)
                .and_then(|text| serde_json::from_str::<Value>(text).ok());
            match inner {
                Some(Value::Object(parsed)) => {
                    for (key, value) in parsed {
                        fields.entry(key).or_insert(value);
                    }
                }
                _ if !fields.contains_key("data") => {
                    let text = Value::Object(fields.clone()).to_string();
                    fields.insert("data".to_owned(), Value::String(text));
                }
                _ => {}
            }
            Value::Object(fields)
        }
        other => other,
    }
}

/// The trigger's record as `trigger()` and `triggerOutputs()` read it, in the cloud's
/// shape and order: `name`, the trigger's `inputs` (when it declares any), `outputs`
/// (`headers`, and `body` when something was delivered), `startTime`, `endTime`,
/// `trackingId`, `clientTrackingId` (the run's id until `correlation` gives one),
/// `originHistoryName`, `status`. A schedule's run carries its `scheduledTime`; a sliding
/// window's outputs are its `windowStartTime` and `windowEndTime` (the window before `now`
/// when the run was started by hand).
pub fn trigger_record(
    name: &str,
    trigger: Option<&Value>,
    body: Value,
    now: chrono::DateTime<chrono::Utc>,
    run_id: &str,
) -> Value {
    let kind = trigger
        .and_then(|t| t.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    let started = super::record::timestamp(now);
    let mut record = Map::new();
    record.insert("name".to_owned(), json!(name));
    if let Some(inputs) = trigger
        .and_then(|t| t.get("inputs"))
        .filter(|inputs| inputs.as_object().is_some_and(|o| !o.is_empty()))
    {
        record.insert("inputs".to_owned(), inputs.clone());
    }
    let mut scheduled = None;
    let outputs = if kind == "slidingwindow" {
        let window = match (body.get("windowStartTime"), body.get("windowEndTime")) {
            (Some(start), Some(end)) => json!({"windowStartTime": start, "windowEndTime": end}),
            _ => trigger
                .and_then(|t| crate::flow::schedule::Recurrence::from_trigger(t).ok())
                .map(|r| crate::flow::schedule::window::ending_at(&r, now).body())
                .unwrap_or_else(|| json!({"windowStartTime": started, "windowEndTime": started})),
        };
        scheduled = Some(
            body.get("scheduledTime")
                .cloned()
                .unwrap_or_else(|| window["windowEndTime"].clone()),
        );
        json!({
            "windowStartTime": window["windowStartTime"],
            "windowEndTime": window["windowEndTime"],
        })
    } else {
        if kind == "recurrence" {
            scheduled = Some(
                body.get("scheduledTime")
                    .cloned()
                    .unwrap_or_else(|| Value::String(started.clone())),
            );
        }
        let mut outputs = Map::new();
        outputs.insert(
            "headers".to_owned(),
            json!({"Content-Type": "application/json"}),
        );
        if !body.is_null() {
            outputs.insert("body".to_owned(), body);
        }
        Value::Object(outputs)
    };
    record.insert("outputs".to_owned(), outputs);
    if let Some(scheduled) = scheduled {
        record.insert("scheduledTime".to_owned(), scheduled);
    }
    record.insert("startTime".to_owned(), json!(started));
    record.insert("endTime".to_owned(), json!(started));
    record.insert(
        "trackingId".to_owned(),
        json!(uuid::Uuid::new_v4().to_string()),
    );
    record.insert("clientTrackingId".to_owned(), json!(run_id));
    record.insert("originHistoryName".to_owned(), json!(run_id));
    record.insert("status".to_owned(), json!("Succeeded"));
    Value::Object(record)
}

/// What an HTTP request delivered besides its body, read back from a run's trigger record
/// (for a re-run of a run `flowbench serve` started): its headers, queries and path
/// parameters; none for a run started otherwise.
pub fn request_of(record: &Value) -> Option<Map<String, Value>> {
    let outputs = record.get("outputs")?.as_object()?;
    let from_request = outputs.contains_key("queries")
        || outputs.contains_key("relativePathParameters")
        || outputs
            .get("headers")
            .and_then(Value::as_object)
            .is_some_and(|h| h.len() > 1 || !h.contains_key("Content-Type"));
    from_request.then(|| {
        outputs
            .iter()
            .filter(|(key, _)| *key != "body")
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()
    })
}

/// What a run's trigger delivered, read back from its record (for a re-run): the body, or
/// a schedule's times.
pub fn delivered(record: &Value) -> Value {
    if let Some(body) = record.pointer("/outputs/body") {
        return body.clone();
    }
    let mut times = Map::new();
    for (from, name) in [
        ("/outputs/windowStartTime", "windowStartTime"),
        ("/outputs/windowEndTime", "windowEndTime"),
        ("/scheduledTime", "scheduledTime"),
    ] {
        if let Some(value) = record.pointer(from) {
            times.insert(name.to_owned(), value.clone());
        }
    }
    if times.is_empty() {
        Value::Null
    } else {
        Value::Object(times)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Power Automate's button: inputs `text`, `number` with titles, `text` required.
    fn button() -> Value {
        json!({"type": "Request", "kind": "Button", "inputs": {"schema": {
            "type": "object",
            "properties": {
                "text": {"title": "Group id", "type": "string"},
                "number": {"title": "Credit limit", "type": "number"},
                "plain": {"type": "string"}
            },
            "required": ["text", "plain"]
        }}})
    }

    fn given(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn inputs_are_found_by_name_or_title_and_typed() {
        let body = manual_body(
            &button(),
            &given(&[("Group id", "G1"), ("number", "12.5"), ("plain", "p")]),
        )
        .expect("all given");
        assert_eq!(body, json!({"text": "G1", "number": 12.5, "plain": "p"}));
    }

    #[test]
    fn missing_inputs_are_named_by_title_on_the_command_line_and_in_the_window() {
        let error = manual_body(&button(), &given(&[("number", "1")])).expect_err("missing");
        assert_eq!(
            error.to_string(),
            "the trigger requires 'Group id' (text), 'plain': give --input NAME=VALUE"
        );
        assert_eq!(
            error.in_form(),
            "Fill in Group id and plain: the trigger requires them."
        );
        let one = manual_body(&button(), &given(&[("plain", "p")])).expect_err("missing");
        assert_eq!(one.in_form(), "Fill in Group id: the trigger requires it.");
    }

    #[test]
    fn a_bad_value_names_the_input_as_each_place_shows_it() {
        let error = manual_body(&button(), &given(&[("number", "lots")])).expect_err("bad");
        assert_eq!(
            error.to_string(),
            "--input number: expected a number, found 'lots'"
        );
        assert_eq!(
            error.in_form(),
            "Credit limit: expected a number, found 'lots'."
        );
        let unknown = manual_body(&button(), &given(&[("nope", "1")])).expect_err("unknown");
        assert_eq!(
            unknown.to_string(),
            "--input nope: the trigger has no such input (inputs: text (Group id), number (Credit limit), plain)"
        );
    }
}
