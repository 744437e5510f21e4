//! The rules Microsoft's workflow reference states for where actions may stand and what
//! their settings may hold, which the cloud checks when a definition is saved ("Otherwise,
//! you get a validation error"): a `Response` or `Terminate` never inside a `Foreach` or
//! `Until`, a `Response` only after an HTTP request trigger without `splitOn`, variables
//! declared at the top level only and set with a value, concurrency, retry and recurrence
//! settings within their ranges, `Wait` with an interval or a time (not both), a static result
//! that exists and only on actions, no tracked properties on a secured action, a
//! parameter's default among its `allowedValues`.

use serde_json::{Map, Value};

use super::inner_scopes;

/// Each rule broken: where (the path of the part) and what was expected and found.
pub(super) fn check(definition: &Map<String, Value>) -> Vec<(Vec<String>, String)> {
    let mut found = Vec::new();
    let trigger = crate::flow::run::trigger::first_trigger(definition);
    if let Some((name, trigger)) = trigger {
        check_trigger(&["triggers".to_owned(), name.clone()], trigger, &mut found);
    }
    let static_results = definition.get("staticResults").and_then(Value::as_object);
    let context = Context {
        trigger,
        static_results,
    };
    if let Some(Value::Object(actions)) = definition.get("actions") {
        walk(actions, &["actions".to_owned()], &[], &context, &mut found);
    }
    check_parameters(definition, &mut found);
    found
}

struct Context<'a> {
    trigger: Option<(&'a String, &'a Value)>,
    static_results: Option<&'a Map<String, Value>>,
}

/// The actions of one scope; `around` holds the types of the actions it sits in.
fn walk(
    actions: &Map<String, Value>,
    prefix: &[String],
    around: &[String],
    context: &Context<'_>,
    found: &mut Vec<(Vec<String>, String)>,
) {
    for (name, action) in actions {
        let mut path = prefix.to_vec();
        path.push(name.clone());
        let kind = kind(action);
        check_action(&path, &kind, action, around, context, found);
        let mut inner_around = around.to_vec();
        inner_around.push(kind.clone());
        for (key, inner) in inner_scopes(action) {
            let mut inner_path = path.clone();
            inner_path.extend(key);
            inner_path.push("actions".to_owned());
            walk(inner, &inner_path, &inner_around, context, found);
        }
    }
}

fn kind(value: &Value) -> String {
    value
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn at(path: &[String], more: &[&str]) -> Vec<String> {
    let mut path = path.to_vec();
    path.extend(more.iter().map(|s| (*s).to_owned()));
    path
}

fn check_action(
    path: &[String],
    kind: &str,
    action: &Value,
    around: &[String],
    context: &Context<'_>,
    found: &mut Vec<(Vec<String>, String)>,
) {
    let in_loop = around.iter().find(|k| *k == "foreach" || *k == "until");
    match kind {
        "response" | "terminate" => {
            if let Some(loop_kind) = in_loop {
                let shown = if kind == "response" {
                    "a Response"
                } else {
                    "a Terminate"
                };
                let loop_name = if loop_kind == "foreach" {
                    "Foreach"
                } else {
                    "Until"
                };
                found.push((
                    path.to_vec(),
                    format!("{shown} action cannot be inside a Foreach or Until loop (found in a {loop_name}): move it after the loop"),
                ));
            }
        }
        "initializevariable" if !around.is_empty() => found.push((
            path.to_vec(),
            "variables are declared at the top level of the workflow only, not inside scopes, conditions or loops: move this action out".to_owned(),
        )),
        "setvariable" | "appendtoarrayvariable" | "appendtostringvariable"
            if action.get("inputs").and_then(|i| i.get("value")).is_none() =>
        {
            found.push((
                at(path, &["inputs"]),
                "expected a \"value\" (this action has no default value), found none".to_owned(),
            ));
        }
        _ => {}
    }
    if kind == "response" {
        check_response_trigger(path, context, found);
    }
    if action.get("trackedProperties").is_some()
        && action
            .pointer("/runtimeConfiguration/secureData/properties")
            .and_then(Value::as_array)
            .is_some_and(|parts| !parts.is_empty())
    {
        found.push((
            at(path, &["trackedProperties"]),
            "an action with secure inputs or outputs cannot have tracked properties".to_owned(),
        ));
    }
    if kind == "wait"
        && let Some(inputs) = action.get("inputs")
        && inputs.get("interval").is_some()
        && inputs.get("until").is_some()
    {
        found.push((
            at(path, &["inputs"]),
            "expected an interval or an until time, not both".to_owned(),
        ));
    }
    if kind == "foreach" {
        check_foreach_concurrency(path, action, found);
    }
    if let Some(policy) = action.get("inputs").and_then(|i| i.get("retryPolicy")) {
        check_retry_policy(&at(path, &["inputs", "retryPolicy"]), policy, found);
    }
    if kind == "until"
        && let Some(timeout) = action.pointer("/limit/timeout").and_then(Value::as_str)
        && !timeout.starts_with('@')
        && crate::flow::run::parse_iso_duration(timeout).is_none()
    {
        found.push((
            at(path, &["limit", "timeout"]),
            format!("expected an ISO 8601 duration such as PT1H, found '{timeout}'"),
        ));
    }
    if let Some(name) = action
        .pointer("/runtimeConfiguration/staticResult/name")
        .and_then(Value::as_str)
        && !context
            .static_results
            .is_some_and(|results| results.contains_key(name))
    {
        found.push((
            at(path, &["runtimeConfiguration", "staticResult", "name"]),
            format!(
                "names a static result '{name}' that the definition's staticResults does not hold"
            ),
        ));
    }
}

fn check_response_trigger(
    path: &[String],
    context: &Context<'_>,
    found: &mut Vec<(Vec<String>, String)>,
) {
    let Some((name, trigger)) = context.trigger else {
        return;
    };
    if kind(trigger) != "request" {
        found.push((
            path.to_vec(),
            format!(
                "a Response answers an HTTP request: the workflow must start with a Request trigger, found '{name}' of type {}",
                trigger.get("type").and_then(Value::as_str).unwrap_or("none")
            ),
        ));
    } else if trigger.get("splitOn").is_some() {
        found.push((
            path.to_vec(),
            format!(
                "a Response cannot answer a trigger that splits its body: '{name}' has splitOn"
            ),
        ));
    }
}

fn number(value: Option<&Value>) -> Option<i64> {
    value.and_then(Value::as_i64)
}

fn options(value: &Value) -> Vec<String> {
    value
        .get("operationOptions")
        .and_then(Value::as_str)
        .map(|o| {
            o.split(',')
                .map(|o| o.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

fn check_foreach_concurrency(
    path: &[String],
    action: &Value,
    found: &mut Vec<(Vec<String>, String)>,
) {
    let repetitions = action.pointer("/runtimeConfiguration/concurrency/repetitions");
    let Some(repetitions) = repetitions else {
        return;
    };
    let where_ = at(
        path,
        &["runtimeConfiguration", "concurrency", "repetitions"],
    );
    match number(Some(repetitions)) {
        Some(n) if (1..=50).contains(&n) => {}
        _ => found.push((
            where_.clone(),
            format!("expected a number of iterations at once from 1 to 50, found {repetitions}"),
        )),
    }
    if options(action).iter().any(|o| o == "sequential") {
        found.push((
            where_,
            "a Foreach is either Sequential (operationOptions) or given repetitions, not both"
                .to_owned(),
        ));
    }
}

fn check_retry_policy(path: &[String], policy: &Value, found: &mut Vec<(Vec<String>, String)>) {
    if let Some(count) = policy.get("count")
        && !count.as_str().is_some_and(|c| c.starts_with('@'))
        && !number(Some(count)).is_some_and(|n| (1..=90).contains(&n))
    {
        found.push((
            at(path, &["count"]),
            format!("expected a number of retries from 1 to 90, found {count}"),
        ));
    }
    for key in ["interval", "minimumInterval", "maximumInterval"] {
        if let Some(text) = policy.get(key).and_then(Value::as_str)
            && !text.starts_with('@')
            && crate::flow::run::parse_iso_duration(text).is_none()
        {
            found.push((
                at(path, &[key]),
                format!("expected an ISO 8601 duration such as PT7S, found '{text}'"),
            ));
        }
    }
}

fn check_trigger(path: &[String], trigger: &Value, found: &mut Vec<(Vec<String>, String)>) {
    let concurrency = trigger.pointer("/runtimeConfiguration/concurrency");
    if let Some(runs) = concurrency.and_then(|c| c.get("runs")) {
        let where_ = at(path, &["runtimeConfiguration", "concurrency", "runs"]);
        if !number(Some(runs)).is_some_and(|n| (1..=100).contains(&n)) {
            found.push((
                where_.clone(),
                format!("expected a number of runs at once from 1 to 100, found {runs}"),
            ));
        }
        if options(trigger).iter().any(|o| o == "singleinstance") {
            found.push((
                where_,
                "a trigger is either SingleInstance (operationOptions) or given runs, not both"
                    .to_owned(),
            ));
        }
    }
    if let Some(waiting) = concurrency.and_then(|c| c.get("maximumWaitingRuns"))
        && !number(Some(waiting)).is_some_and(|n| (1..=100).contains(&n))
    {
        found.push((
            at(
                path,
                &["runtimeConfiguration", "concurrency", "maximumWaitingRuns"],
            ),
            format!("expected a number of waiting runs from 1 to 100, found {waiting}"),
        ));
    }
    if trigger
        .pointer("/runtimeConfiguration/staticResult")
        .is_some()
    {
        found.push((
            at(path, &["runtimeConfiguration", "staticResult"]),
            "static results are for actions only, not triggers".to_owned(),
        ));
    }
    if let Some(policy) = trigger.get("inputs").and_then(|i| i.get("retryPolicy")) {
        check_retry_policy(&at(path, &["inputs", "retryPolicy"]), policy, found);
    }
}

/// A parameter's default must be one of its `allowedValues`.
fn check_parameters(definition: &Map<String, Value>, found: &mut Vec<(Vec<String>, String)>) {
    let Some(Value::Object(parameters)) = definition.get("parameters") else {
        return;
    };
    for (name, declared) in parameters {
        if let (Some(Value::Array(allowed)), Some(default)) =
            (declared.get("allowedValues"), declared.get("defaultValue"))
            && !allowed.contains(default)
        {
            found.push((
                vec![
                    "parameters".to_owned(),
                    name.clone(),
                    "defaultValue".to_owned(),
                ],
                format!(
                    "expected one of its allowedValues ({}), found {default}",
                    allowed
                        .iter()
                        .map(Value::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(definition: Value) -> Vec<String> {
        check(definition.as_object().expect("object"))
            .into_iter()
            .map(|(path, message)| format!("{}: {message}", path.join(".")))
            .collect()
    }

    #[test]
    fn the_reference_s_placement_rules_are_checked() {
        let found = messages(json!({
            "triggers": {"Every_hour": {"type": "Recurrence", "recurrence": {"frequency": "Hour", "interval": 1}}},
            "actions": {
                "Loop": {"type": "Foreach", "foreach": "@createArray(1)", "runAfter": {},
                    "actions": {
                        "Answer": {"type": "Response", "inputs": {"statusCode": 200}, "runAfter": {}},
                        "Stop": {"type": "Terminate", "inputs": {"runStatus": "Failed"}, "runAfter": {}},
                        "Declare": {"type": "InitializeVariable", "runAfter": {},
                            "inputs": {"variables": [{"name": "v", "type": "integer", "value": 1}]}}}},
                "Set": {"type": "SetVariable", "inputs": {"name": "v"}, "runAfter": {}},
                "Pause": {"type": "Wait", "runAfter": {},
                    "inputs": {"interval": {"count": 1, "unit": "Second"}, "until": {"timestamp": "2030-01-01T00:00:00Z"}}}
            }
        }));
        let expected = [
            "actions.Loop.actions.Answer: a Response action cannot be inside a Foreach or Until loop",
            "actions.Loop.actions.Answer: a Response answers an HTTP request: the workflow must start with a Request trigger, found 'Every_hour' of type Recurrence",
            "actions.Loop.actions.Stop: a Terminate action cannot be inside a Foreach or Until loop",
            "actions.Loop.actions.Declare: variables are declared at the top level",
            "actions.Set.inputs: expected a \"value\"",
            "actions.Pause.inputs: expected an interval or an until time, not both",
        ];
        assert_eq!(found.len(), expected.len(), "{found:#?}");
        for (found, expected) in found.iter().zip(expected) {
            assert!(found.starts_with(expected), "{found} / {expected}");
        }
    }

    #[test]
    fn settings_out_of_their_documented_ranges_are_named() {
        let found = messages(json!({
            "parameters": {"Mode": {"type": "String", "defaultValue": "fast", "allowedValues": ["slow", "safe"]}},
            "triggers": {"manual": {"type": "Request", "kind": "Http", "splitOn": "@triggerBody()",
                "operationOptions": "SingleInstance",
                "runtimeConfiguration": {"concurrency": {"runs": 1, "maximumWaitingRuns": 101},
                    "staticResult": {"name": "x", "staticResultOptions": "Enabled"}}}},
            "actions": {
                "Each": {"type": "Foreach", "foreach": "@createArray(1)", "runAfter": {},
                    "operationOptions": "Sequential", "runtimeConfiguration": {"concurrency": {"repetitions": 51}},
                    "actions": {}},
                "Call": {"type": "Http", "runAfter": {},
                    "inputs": {"method": "GET", "uri": "http://x/", "retryPolicy": {"type": "fixed", "count": 100, "interval": "30 seconds"}}},
                "Again": {"type": "Until", "expression": "@true", "limit": {"timeout": "1 hour"}, "runAfter": {}, "actions": {}},
                "Hidden": {"type": "Compose", "inputs": 1, "runAfter": {}, "trackedProperties": {"x": "@action()"},
                    "runtimeConfiguration": {"secureData": {"properties": ["inputs"]}}},
                "Stubbed": {"type": "Compose", "inputs": 1, "runAfter": {},
                    "runtimeConfiguration": {"staticResult": {"name": "Missing0", "staticResultOptions": "Enabled"}}},
                "Reply": {"type": "Response", "inputs": {"statusCode": 200}, "runAfter": {}}
            }
        }));
        for expected in [
            "triggers.manual.runtimeConfiguration.concurrency.runs: a trigger is either SingleInstance",
            "triggers.manual.runtimeConfiguration.concurrency.maximumWaitingRuns: expected a number of waiting runs from 1 to 100, found 101",
            "triggers.manual.runtimeConfiguration.staticResult: static results are for actions only",
            "actions.Each.runtimeConfiguration.concurrency.repetitions: expected a number of iterations at once from 1 to 50, found 51",
            "actions.Each.runtimeConfiguration.concurrency.repetitions: a Foreach is either Sequential",
            "actions.Call.inputs.retryPolicy.count: expected a number of retries from 1 to 90, found 100",
            "actions.Call.inputs.retryPolicy.interval: expected an ISO 8601 duration such as PT7S, found '30 seconds'",
            "actions.Again.limit.timeout: expected an ISO 8601 duration such as PT1H, found '1 hour'",
            "actions.Stubbed.runtimeConfiguration.staticResult.name: names a static result 'Missing0'",
            "actions.Reply: a Response cannot answer a trigger that splits its body",
            "actions.Hidden.trackedProperties: an action with secure inputs or outputs cannot have tracked properties",
            "parameters.Mode.defaultValue: expected one of its allowedValues (\"slow\", \"safe\"), found \"fast\"",
        ] {
            assert!(
                found.iter().any(|f| f.starts_with(expected)),
                "{expected}\n{found:#?}"
            );
        }
        assert_eq!(found.len(), 12, "{found:#?}");
    }

    #[test]
    fn a_definition_that_keeps_the_rules_passes() {
        let found = messages(json!({
            "triggers": {"manual": {"type": "Request", "kind": "Http",
                "runtimeConfiguration": {"concurrency": {"runs": 5, "maximumWaitingRuns": 10}}}},
            "staticResults": {"Stub0": {"status": "Succeeded", "outputs": {}}},
            "actions": {
                "Declare": {"type": "InitializeVariable", "runAfter": {},
                    "inputs": {"variables": [{"name": "v", "type": "integer", "value": 1}]}},
                "Each": {"type": "Foreach", "foreach": "@createArray(1)", "runAfter": {},
                    "runtimeConfiguration": {"concurrency": {"repetitions": 20}},
                    "actions": {"Set": {"type": "SetVariable", "inputs": {"name": "v", "value": 2}, "runAfter": {}}}},
                "Call": {"type": "Http", "runAfter": {},
                    "runtimeConfiguration": {"staticResult": {"name": "Stub0", "staticResultOptions": "Enabled"}},
                    "inputs": {"method": "GET", "uri": "http://x/", "retryPolicy": {"type": "exponential", "count": 4, "interval": "PT7S"}}},
                "Reply": {"type": "Response", "inputs": {"statusCode": 200}, "runAfter": {"Each": ["Succeeded"]}}
            }
        }));
        assert!(found.is_empty(), "{found:#?}");
    }
}
