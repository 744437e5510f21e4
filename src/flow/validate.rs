//! Checks a definition before it runs: structure, action types, `runAfter` (unknown
//! actions, circles), expression syntax, references to unknown actions, variables and
//! parameters; with an instance's `$metadata`, that the entities, fields, keys and actions
//! connector steps use exist and that creates set the required fields.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::connector_step::{Operation, is_connector_action, read_step};
use super::expr::references;
use super::file::{FileShape, FlowFile};
use super::locate::Locator;
use super::run::engine::run_after;
use super::run::is_supported;
use crate::connector::resolve::entity_type_of;
use crate::odata::metadata::Model;

mod documented;

/// One problem: where (a path into the definition, and the line in the file when known)
/// and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `actions.Scope.actions.Create_record.inputs`.
    pub path: Vec<String>,
    /// What is wrong: expected and found.
    pub message: String,
    /// 1-based line in the file.
    pub line: Option<usize>,
    /// A step that cannot run here (another connector, an action only the cloud runs): a
    /// run goes on and that step fails with this message, so handlers after it run.
    pub fails_only_its_step: bool,
}

/// The problems that stop a run: all but those of steps that fail on their own.
pub fn stopping_a_run(problems: &[Problem]) -> Vec<&Problem> {
    problems.iter().filter(|p| !p.fails_only_its_step).collect()
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        write!(f, "{}: {}", self.path.join("."), self.message)
    }
}

/// Every action of the definition with its path, depth first.
pub fn all_actions(definition: &Map<String, Value>) -> Vec<(Vec<String>, String, &Value)> {
    let mut out = Vec::new();
    if let Some(Value::Object(actions)) = definition.get("actions") {
        collect(actions, &["actions".to_owned()], &mut out);
    }
    out
}

fn collect<'a>(
    actions: &'a Map<String, Value>,
    prefix: &[String],
    out: &mut Vec<(Vec<String>, String, &'a Value)>,
) {
    for (name, action) in actions {
        let mut path = prefix.to_vec();
        path.push(name.clone());
        out.push((path.clone(), name.clone(), action));
        for (key, inner) in inner_scopes(action) {
            let mut inner_path = path.clone();
            inner_path.extend(key);
            inner_path.push("actions".to_owned());
            collect(inner, &inner_path, out);
        }
    }
}

/// The inner scopes of a control action: `actions`, `else.actions`, `cases.X.actions`,
/// `default.actions`, with the path segments that lead to them.
pub fn inner_scopes(action: &Value) -> Vec<(Vec<String>, &Map<String, Value>)> {
    let mut scopes = Vec::new();
    if let Some(Value::Object(inner)) = action.get("actions") {
        scopes.push((Vec::new(), inner));
    }
    if let Some(Value::Object(inner)) = action.pointer("/else/actions") {
        scopes.push((vec!["else".to_owned()], inner));
    }
    if let Some(Value::Object(inner)) = action.pointer("/default/actions") {
        scopes.push((vec!["default".to_owned()], inner));
    }
    if let Some(Value::Object(cases)) = action.get("cases") {
        for (case, body) in cases {
            if let Some(Value::Object(inner)) = body.get("actions") {
                scopes.push((vec!["cases".to_owned(), case.clone()], inner));
            }
        }
    }
    scopes
}

/// Checks `definition`; `model` adds the instance checks. `text` (the file) gives lines.
pub fn validate(
    definition: &Map<String, Value>,
    model: Option<&Model>,
    text: Option<&str>,
) -> Vec<Problem> {
    check(definition, model, text, false)
}

/// Checks a flow file's definition as [`validate`] does, knowing its shape: a Logic Apps
/// Standard `workflow.json` declares no parameters (its project's `parameters.json` does),
/// so a parameter it names is not a problem.
pub fn validate_file(flow: &FlowFile, model: Option<&Model>, text: Option<&str>) -> Vec<Problem> {
    let parameters_elsewhere = flow.shape() == FileShape::LogicAppsStandard;
    check(flow.definition(), model, text, parameters_elsewhere)
}

fn check(
    definition: &Map<String, Value>,
    model: Option<&Model>,
    text: Option<&str>,
    parameters_elsewhere: bool,
) -> Vec<Problem> {
    let problems = std::cell::RefCell::new(Vec::new());
    let locator = text.map(Locator::new);
    let record = |path: Vec<String>, message: String, fails_only_its_step: bool| {
        let line = locator.as_ref().and_then(|l| l.line_of(&path));
        problems.borrow_mut().push(Problem {
            path,
            message,
            line,
            fails_only_its_step,
        });
    };
    let mut push = |path: Vec<String>, message: String| record(path, message, false);
    let step_fails = |path: Vec<String>, message: String| record(path, message, true);
    let actions = all_actions(definition);
    let names: BTreeSet<&str> = actions.iter().map(|(_, name, _)| name.as_str()).collect();
    let mut variables: BTreeSet<String> = BTreeSet::new();
    for (path, _, action) in &actions {
        if let Some(Value::Array(list)) = action.pointer("/inputs/variables") {
            for name in list.iter().filter_map(|v| v.get("name")?.as_str()) {
                if !variables.insert(name.to_lowercase()) {
                    push(
                        with(path, "inputs"),
                        format!(
                            "the variable '{name}' is initialized twice (names are compared without case); a run fails at the second"
                        ),
                    );
                }
            }
        }
    }
    for (path, _, action) in &actions {
        let sets = matches!(
            kind(action).to_ascii_lowercase().as_str(),
            "setvariable"
                | "incrementvariable"
                | "decrementvariable"
                | "appendtoarrayvariable"
                | "appendtostringvariable"
        );
        if let Some(name) = action.pointer("/inputs/name").and_then(Value::as_str)
            && sets
            && !name.starts_with('@')
            && !variables.contains(&name.to_lowercase())
        {
            push(
                with(path, "inputs"),
                format!("sets a variable '{name}' that no action initializes"),
            );
        }
    }
    let parameters: BTreeSet<&str> = definition
        .get("parameters")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let loops: BTreeSet<&str> = actions
        .iter()
        .filter(|(_, _, a)| {
            matches!(
                kind(a).to_ascii_lowercase().as_str(),
                "foreach" | "until" | "query" | "select"
            )
        })
        .map(|(_, name, _)| name.as_str())
        .collect();

    // The 2015-08-01-preview schema orders actions by `conditions` (`dependsOn`), not
    // `runAfter`: run as if it were the current schema, every action would start at once.
    let preview = definition
        .get("$schema")
        .and_then(Value::as_str)
        .is_some_and(|schema| schema.contains("2015-08-01-preview"));
    if preview {
        push(
            vec!["$schema".to_owned()],
            "the 2015-08-01-preview schema (actions ordered by `conditions`) is retired and not run here: open the workflow in the Logic Apps designer, which saves it in the 2016-06-01 schema with `runAfter`".to_owned(),
        );
    }
    if let Some(Value::Object(top)) = definition.get("actions") {
        check_scope(top, &["actions".to_owned()], &mut push);
    }
    // What the reference says the cloud refuses on save.
    for (path, message) in documented::check(definition) {
        push(path, message);
    }
    if let Some((name, trigger)) = crate::flow::run::trigger::first_trigger(definition) {
        let path = vec!["triggers".to_owned(), name.clone()];
        match crate::flow::triggers::classify(trigger) {
            Err(message) => push(path.clone(), message),
            Ok(kind) => {
                if matches!(kind, crate::flow::triggers::TriggerKind::Other(_))
                    && let Some(api) = other_connector_trigger(trigger)
                {
                    step_fails(
                        path.clone(),
                        format!(
                            "this trigger uses {api}, which does not fire here: `run` and Run start the flow as if it had fired, with what --trigger-body gives (or nothing), and `watch` does not watch it"
                        ),
                    );
                }
                if let Some(model) = model {
                    for message in check_trigger(&kind, trigger, model) {
                        push(path.clone(), message);
                    }
                }
            }
        }
        let mut gate = serde_json::Map::new();
        for key in ["conditions", "splitOn"] {
            if let Some(value) = trigger.get(key) {
                gate.insert(key.to_owned(), value.clone());
            }
        }
        if let Err(error) = references(&Value::Object(gate)) {
            push(path, format!("trigger expression: {error}"));
        }
    }
    for (path, name, action) in &actions {
        let Value::Object(_) = action else {
            push(
                path.clone(),
                "expected an object with a \"type\"".to_owned(),
            );
            continue;
        };
        let kind = kind(action);
        if action.get("conditions").is_some() && !preview {
            push(
                with(path, "conditions"),
                "`conditions` on an action belong to the retired 2015-08-01-preview schema: order actions with `runAfter`".to_owned(),
            );
        }
        if action.get("retryPolicy").is_some() {
            // The cloud refuses the definition ("Could not find member 'retryPolicy' on object
            // of type 'FlowTemplateAction'"); here it would be ignored without a word.
            push(
                with(path, "retryPolicy"),
                "expected `retryPolicy` inside the action's `inputs`, found it beside them: the cloud refuses it here (\"Could not find member 'retryPolicy'\") and the step would not be retried as written".to_owned(),
            );
        }
        if kind.is_empty() {
            push(path.clone(), "the action has no \"type\"".to_owned());
        } else if super::run::cloud_only(kind).is_some() {
            if !static_result_on(action) {
                step_fails(with(path, "type"), super::run::runs_only_in_the_cloud(kind));
            }
        } else if !is_supported(kind) {
            push(
                with(path, "type"),
                format!(
                    "the action type '{kind}' is not supported (supported: {})",
                    super::run::SUPPORTED.join(", ")
                ),
            );
        } else if kind.eq_ignore_ascii_case("Expression")
            && super::run::date_time::kind_of(action).is_none()
        {
            push(
                with(path, "kind"),
                format!(
                    "expected one of {}, found {}",
                    super::run::date_time::KINDS.join(", "),
                    action
                        .get("kind")
                        .map_or("none".to_owned(), Value::to_string)
                ),
            );
        } else if let Some(api) = other_connector(action) {
            step_fails(
                with(path, "inputs"),
                format!(
                    "this step uses {api}, not the Finance & Operations connector, which is the only one that runs here: the step is kept as written for the cloud; enable a static result for it (runtimeConfiguration.staticResult) to run the rest of the flow here"
                ),
            );
        }
        for (key, inner) in inner_scopes(action) {
            let mut inner_path = path.clone();
            inner_path.extend(key);
            inner_path.push("actions".to_owned());
            check_scope(inner, &inner_path, &mut push);
        }
        // Expressions anywhere in the action except its inner actions.
        let mut own: Value = (*action).clone();
        if let Some(map) = own.as_object_mut() {
            for key in ["actions", "else", "cases", "default", "runAfter"] {
                map.remove(key);
            }
        }
        // ARM template expressions left from a template are named as such, not read as WDL.
        for (at, text) in take_arm_expressions(&mut own, Vec::new()) {
            let mut at_path = path.clone();
            at_path.extend(at);
            let shown: String = text.chars().take(60).collect();
            let more = if text.chars().count() > 60 { "…" } else { "" };
            push(
                at_path,
                format!(
                    "an ARM template expression ({shown}{more}) has a value only when its template is deployed: replace it with a value or a parameter"
                ),
            );
        }
        match references(&own) {
            Err(error) => {
                // Named at the field that holds it (`inputs.uri`), not only the action.
                let (at, error) =
                    first_bad_expression(&own, Vec::new()).unwrap_or((Vec::new(), error));
                let mut at_path = path.clone();
                at_path.extend(at);
                push(at_path, format!("expression: {error}"));
            }
            Ok(found) => {
                for action_name in found.actions.iter().chain(found.loops.iter()) {
                    if !names.contains(action_name.as_str()) {
                        push(
                            path.clone(),
                            format!("refers to an action '{action_name}' that does not exist"),
                        );
                    }
                }
                for loop_name in &found.loops {
                    if names.contains(loop_name.as_str()) && !loops.contains(loop_name.as_str()) {
                        push(
                            path.clone(),
                            format!("items('{loop_name}') names an action that is not a loop"),
                        );
                    }
                }
                for variable in &found.variables {
                    if !variables.contains(&variable.to_lowercase()) {
                        push(
                            path.clone(),
                            format!("refers to a variable '{variable}' that no action initializes"),
                        );
                    }
                }
                for parameter in &found.parameters {
                    if !parameters_elsewhere && !parameters.contains(parameter.as_str()) {
                        push(
                            path.clone(),
                            format!(
                                "refers to a parameter '{parameter}' the definition does not declare"
                            ),
                        );
                    }
                }
            }
        }
        if let Some(model) = model
            && is_connector_action(action)
        {
            for message in check_connector_step(action, model) {
                push(with(path, "inputs"), format!("{name}: {message}"));
            }
        }
    }
    problems.into_inner()
}

fn kind(action: &Value) -> &str {
    action.get("type").and_then(Value::as_str).unwrap_or("")
}

fn with(path: &[String], key: &str) -> Vec<String> {
    let mut out = path.to_vec();
    out.push(key.to_owned());
    out
}

/// `runAfter` inside one scope: known predecessors, no circle.
fn check_scope(
    actions: &Map<String, Value>,
    path: &[String],
    push: &mut impl FnMut(Vec<String>, String),
) {
    let mut edges: HashMap<&str, Vec<String>> = HashMap::new();
    for (name, action) in actions {
        let after = run_after(action);
        for (dep, _) in &after {
            if !actions.contains_key(dep) {
                push(
                    with(&with(path, name), "runAfter"),
                    format!("'{dep}' is not an action of this scope"),
                );
            }
        }
        if let Some(Value::Object(raw)) = action.get("runAfter") {
            for (dep, statuses) in raw {
                for status in statuses.as_array().into_iter().flatten() {
                    let known = status.as_str().and_then(super::run::Status::parse);
                    if known.is_none() {
                        push(
                            with(&with(path, name), "runAfter"),
                            format!(
                                "'{dep}': {status} is not a status (Succeeded, Failed, Skipped, TimedOut)"
                            ),
                        );
                    }
                }
            }
        }
        edges.insert(name, after.into_iter().map(|(dep, _)| dep).collect());
    }
    // A circle: an action that (through runAfter) runs after itself.
    for start in actions.keys() {
        let mut stack: Vec<&str> = edges
            .get(start.as_str())
            .map(|d| d.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        while let Some(next) = stack.pop() {
            if next == start {
                push(
                    with(&with(path, start), "runAfter"),
                    format!("'{start}' runs after itself through runAfter (a circle)"),
                );
                break;
            }
            if seen.insert(next) {
                stack.extend(edges.get(next).into_iter().flatten().map(String::as_str));
            }
        }
    }
}

/// The instance checks of a trigger on an entity: the entity, and the watermark field.
fn check_trigger(
    kind: &crate::flow::triggers::TriggerKind,
    trigger: &Value,
    model: &Model,
) -> Vec<String> {
    use crate::flow::triggers::TriggerKind;
    use crate::flow::triggers::kind::ChangeDetection;
    let table = match kind {
        TriggerKind::RecordChanged(spec) => Some(spec.table.clone()),
        TriggerKind::SelectedRecord => trigger
            .pointer("/inputs/parameters/table")
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    };
    let Some(table) = table.filter(|t| !t.contains('@')) else {
        return Vec::new();
    };
    let entity = match entity_type_of(model, &table) {
        Err(e) => return vec![format!("table: {e}")],
        Ok(entity) => entity,
    };
    let mut problems = Vec::new();
    if let TriggerKind::RecordChanged(spec) = kind
        && let ChangeDetection::Watermark(field) = &spec.detection
    {
        match model
            .all_properties(entity)
            .iter()
            .find(|p| p.name == *field)
        {
            None => problems.push(format!(
                "watermarkField: '{field}' is not a property of {}",
                entity.name
            )),
            Some(p)
                if !p.type_ref.name.ends_with("DateTimeOffset")
                    && !p.type_ref.name.ends_with("DateTime") =>
            {
                problems.push(format!(
                    "watermarkField: '{field}' is {}, expected a date-time the server sets on every change",
                    p.type_ref
                ));
            }
            Some(_) => {}
        }
    }
    problems
}

/// The instance checks of one connector step whose names are written literally.
fn check_connector_step(action: &Value, model: &Model) -> Vec<String> {
    let kind = kind(action);
    let inputs = action.get("inputs").cloned().unwrap_or(Value::Null);
    let Ok(step) = read_step(kind, &inputs) else {
        return Vec::new();
    };
    let literal = |text: &Option<String>| {
        text.as_deref()
            .filter(|t| !t.contains('@'))
            .map(str::to_owned)
    };
    let mut problems = Vec::new();
    let Ok(operation) = step.operation() else {
        return problems;
    };
    if let Some(table) = literal(&step.table) {
        match entity_type_of(model, &table) {
            Err(e) => problems.push(format!("table: {e}")),
            Ok(entity) => {
                let properties = model.all_properties(entity);
                let navigations = model.all_navigation_properties(entity);
                for field in step.item.keys().filter(|f| !f.contains('@')) {
                    let known = properties.iter().any(|p| p.name == *field)
                        || navigations.iter().any(|n| n.name == *field);
                    if !known {
                        problems.push(format!(
                            "item: field '{field}' is not a property of {}",
                            entity.name
                        ));
                    }
                }
                if operation == Operation::PostItem {
                    let missing: Vec<&str> = properties
                        .iter()
                        .filter(|p| !p.nullable && !step.item.contains_key(&p.name))
                        .map(|p| p.name.as_str())
                        .collect();
                    if !missing.is_empty() {
                        problems.push(format!(
                            "item: required fields not set: {}",
                            missing.join(", ")
                        ));
                    }
                }
                if let Some(id) = literal(&step.id)
                    && let Err(e) = crate::connector::resolve::key_predicate(model, &table, &id)
                {
                    problems.push(format!("id: {e}"));
                }
            }
        }
    }
    if operation == Operation::ExecuteProcedure
        && let Some(procedure) = literal(&step.procedure)
        && let Err(e) = step.to_request(model)
        && e.0.contains(&procedure)
    {
        problems.push(e.0);
    }
    problems
}

/// Takes out of `value` every string that is an ARM template expression (`[concat(…)]`,
/// `[parameters('p')]`; `[[` is an escaped `[`), with its path.
fn take_arm_expressions(value: &mut Value, at: Vec<String>) -> Vec<(Vec<String>, String)> {
    match value {
        Value::String(text) if is_arm_expression(text) => {
            let text = std::mem::take(text);
            *value = Value::Null;
            vec![(at, text)]
        }
        Value::Array(items) => items
            .iter_mut()
            .enumerate()
            .flat_map(|(i, item)| {
                let mut inner = at.clone();
                inner.push(i.to_string());
                take_arm_expressions(item, inner)
            })
            .collect(),
        Value::Object(map) => map
            .iter_mut()
            .flat_map(|(key, item)| {
                let mut inner = at.clone();
                inner.push(key.clone());
                take_arm_expressions(item, inner)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The first string inside `value` whose expression does not parse, with its path.
fn first_bad_expression(
    value: &Value,
    at: Vec<String>,
) -> Option<(Vec<String>, crate::flow::expr::ExprError)> {
    match value {
        Value::String(_) => references(value).err().map(|error| (at, error)),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let mut inner = at.clone();
            inner.push(i.to_string());
            first_bad_expression(item, inner)
        }),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            let mut inner = at.clone();
            inner.push(key.clone());
            first_bad_expression(item, inner)
        }),
        _ => None,
    }
}

/// `[concat(…)]`, `[parameters('p')]`: a function call in brackets, as ARM writes them.
fn is_arm_expression(text: &str) -> bool {
    let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(")]")) else {
        return false;
    };
    let name_len = inner
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(inner.len());
    name_len > 0
        && inner.starts_with(|c: char| c.is_ascii_alphabetic())
        && inner[name_len..].starts_with('(')
}

/// Whether `action` enables a static result (it then runs here without its connection).
fn static_result_on(action: &Value) -> bool {
    action
        .pointer("/runtimeConfiguration/staticResult/staticResultOptions")
        .and_then(Value::as_str)
        .is_some_and(|o| o.eq_ignore_ascii_case("Enabled"))
}

/// The connector a step uses when it is a connector step of another connector than
/// Finance & Operations with no static result enabled (the runner cannot run it).
fn other_connector(action: &Value) -> Option<String> {
    let kind = kind(action).to_ascii_lowercase();
    if !matches!(kind.as_str(), "openapiconnection" | "apiconnection")
        || super::connector_step::is_connector_action(action)
    {
        return None;
    }
    if static_result_on(action) {
        return None;
    }
    Some(super::connector_step::other_connector_label(action))
}

/// The connector of a trigger of another connector than Finance & Operations (a polling,
/// webhook or notification trigger of Outlook, FTP, SharePoint…).
fn other_connector_trigger(trigger: &Value) -> Option<String> {
    let kind = kind(trigger).to_ascii_lowercase();
    if !kind.contains("apiconnection") || super::connector_step::is_connector_action(trigger) {
        return None;
    }
    Some(super::connector_step::other_connector_label(trigger))
}

#[cfg(test)]
mod trigger_tests {
    use super::*;

    #[test]
    fn a_trigger_of_another_connector_is_named_and_does_not_stop_a_run() {
        let definition = serde_json::json!({
            "triggers": {"When_a_file_is_added": {"type": "ApiConnection",
                "recurrence": {"frequency": "Minute", "interval": 1},
                "inputs": {"host": {"connection": {"name": "@parameters('$connections')['ftp']['connectionId']"}},
                    "method": "get", "path": "/datasets/default/triggers/onupdatedfile"}}},
            "actions": {}
        });
        let problems = validate(definition.as_object().expect("object"), None, None);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].fails_only_its_step);
        assert!(
            problems[0]
                .to_string()
                .starts_with("triggers.When_a_file_is_added: this trigger uses the connection 'ftp', which does not fire here"),
            "{problems:?}"
        );
    }

    #[test]
    fn malformed_automatic_triggers_are_named() {
        let definition = serde_json::json!({
            "triggers": {"Every": {"type": "Recurrence", "recurrence": {"frequency": "Fortnight", "interval": 1},
                "conditions": [{"expression": "@equals(triggerBody()?['a'], "}]}},
            "actions": {}
        });
        let text = serde_json::to_string_pretty(&definition).expect("text");
        let problems = validate(definition.as_object().expect("object"), None, Some(&text));
        let messages: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(
            messages.iter().any(|m| m.contains("recurrence.frequency")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("trigger expression")),
            "{messages:?}"
        );
        assert!(problems.iter().all(|p| p.line.is_some()));
    }

    #[test]
    fn date_time_actions_pass_and_cloud_only_actions_are_named_unless_a_static_result_stands_in() {
        let definition = serde_json::json!({
            "actions": {
                "Local": {"type": "Expression", "kind": "ConvertTimeZone", "runAfter": {},
                    "inputs": {"baseTime": "@utcNow()", "sourceTimeZone": "UTC", "destinationTimeZone": "W. Europe Standard Time"}},
                "Odd": {"type": "Expression", "kind": "Teleport", "inputs": {}, "runAfter": {}},
                "Child": {"type": "Workflow", "inputs": {}, "runAfter": {}},
                "Stubbed_child": {"type": "Workflow", "inputs": {}, "runAfter": {},
                    "runtimeConfiguration": {"staticResult": {"name": "Stub0", "staticResultOptions": "Enabled"}}},
                "Mystery": {"type": "Teleport", "inputs": {}, "runAfter": {}}
            },
            "staticResults": {"Stub0": {"status": "Succeeded", "outputs": {}}}
        });
        let text = serde_json::to_string_pretty(&definition).expect("text");
        let problems = validate(definition.as_object().expect("object"), None, Some(&text));
        let about = |step: &str| -> Vec<String> {
            problems
                .iter()
                .filter(|p| p.path.get(1).is_some_and(|s| s == step))
                .map(|p| p.to_string())
                .collect()
        };
        assert!(about("Local").is_empty(), "{:?}", about("Local"));
        assert!(
            about("Stubbed_child").is_empty(),
            "{:?}",
            about("Stubbed_child")
        );
        assert!(
            about("Odd")[0].contains("actions.Odd.kind: expected one of CurrentTime"),
            "{:?}",
            about("Odd")
        );
        assert!(
            about("Child")[0].contains("a 'Workflow' action calls another workflow"),
            "{:?}",
            about("Child")
        );
        assert!(
            about("Mystery")[0].contains("the action type 'Teleport' is not supported"),
            "{:?}",
            about("Mystery")
        );
        // Each problem is on the line of the part it names.
        let child_type = text
            .lines()
            .position(|l| l.contains("\"type\": \"Workflow\""))
            .expect("line")
            + 1;
        assert!(
            about("Child")[0].starts_with(&format!("line {child_type}:")),
            "{:?}",
            about("Child")
        );
    }

    #[test]
    fn arm_expressions_left_from_a_template_are_named_and_brackets_in_text_are_not() {
        let definition = serde_json::json!({"actions": {
            "Call": {"type": "Http", "runAfter": {}, "inputs": {"method": "GET",
                "uri": "[concat('https://x/@{encodeURIComponent(', variables('q'), ')}')]"}},
            "Note": {"type": "Compose", "runAfter": {}, "inputs": ["[Note (draft)]", "[[parameters('escaped')]", "@{'ok'}"]}
        }});
        let problems = validate(definition.as_object().expect("object"), None, None);
        let messages: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].starts_with("actions.Call.inputs.uri: an ARM template expression ([concat('https://x/@{encodeURIComponent(', variables('q'), '…) has a value only when"),
            "{messages:?}"
        );
    }

    #[test]
    fn the_retired_preview_schema_is_refused_rather_than_run_out_of_order() {
        let preview = serde_json::json!({
            "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2015-08-01-preview/workflowdefinition.json#",
            "triggers": {"manual": {"type": "Manual"}},
            "actions": {
                "First": {"type": "Http", "inputs": {"method": "GET", "uri": "http://127.0.0.1:9/"}},
                "Second": {"type": "Compose", "inputs": 1, "conditions": [{"dependsOn": "First"}]}
            }
        });
        let problems = validate(preview.as_object().expect("object"), None, None);
        let messages: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("$schema: the 2015-08-01-preview schema")),
            "{messages:?}"
        );
        let mut current = preview;
        current["$schema"] = serde_json::json!(crate::flow::file::DEFINITION_SCHEMA);
        let problems = validate(current.as_object().expect("object"), None, None);
        let messages: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("actions.Second.conditions: `conditions` on an action")),
            "{messages:?}"
        );
    }

    #[test]
    fn an_expression_that_does_not_parse_is_named_at_its_field_and_line() {
        let text = "{\"actions\": {\n \"Call\": {\"type\": \"Http\", \"runAfter\": {},\n  \"inputs\": {\"method\": \"GET\",\n   \"uri\": \"http://x/@{concat('a', }\"}}}}";
        let definition: Value = serde_json::from_str(text).expect("json");
        let problems = validate(definition.as_object().expect("object"), None, Some(text));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path.join("."), "actions.Call.inputs.uri");
        assert_eq!(problems[0].line, Some(4));
        assert!(
            problems[0].message.starts_with("expression: column"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_retry_policy_beside_the_inputs_is_named_and_one_inside_them_is_not() {
        let text = "{\"actions\": {\n \"Call\": {\"type\": \"Http\", \"runAfter\": {},\n  \"inputs\": {\"method\": \"GET\", \"uri\": \"http://x/\", \"retryPolicy\": {\"type\": \"none\"}},\n  \"retryPolicy\": {\"type\": \"fixed\", \"count\": 2, \"interval\": \"PT1S\"}}}}";
        let definition: Value = serde_json::from_str(text).expect("json");
        let problems = validate(definition.as_object().expect("object"), None, Some(text));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].path.join("."), "actions.Call.retryPolicy");
        assert_eq!(problems[0].line, Some(4));
        assert!(
            problems[0]
                .message
                .starts_with("expected `retryPolicy` inside the action's `inputs`"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_variable_set_but_never_initialized_or_initialized_twice_is_named() {
        let definition = serde_json::json!({"actions": {
            "Init": {"type": "InitializeVariable", "runAfter": {},
                "inputs": {"variables": [{"name": "Count", "type": "integer", "value": 0}]}},
            "Again": {"type": "InitializeVariable", "runAfter": {"Init": ["Succeeded"]},
                "inputs": {"variables": [{"name": "count", "type": "integer", "value": 1}]}},
            "Add": {"type": "IncrementVariable", "runAfter": {"Again": ["Succeeded"]},
                "inputs": {"name": "COUNT", "value": 1}},
            "Stray": {"type": "SetVariable", "runAfter": {"Add": ["Succeeded"]},
                "inputs": {"name": "var1", "value": 2}}
        }});
        let problems = validate(definition.as_object().expect("object"), None, None);
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "actions.Again.inputs: the variable 'count' is initialized twice (names are compared without case); a run fails at the second",
                "actions.Stray.inputs: sets a variable 'var1' that no action initializes",
            ]
        );
    }
}
