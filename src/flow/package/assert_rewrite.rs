//! Flowbench's `Assert` steps rewritten for the cloud, which has no such action: a
//! condition (`If`) whose "no" branch terminates the run as failed with the assertion's
//! message. The assertion rides along in the condition's `metadata.flowbench.assert`, so
//! importing the flow back gives the `Assert` again — unless the condition was changed in
//! the cloud, in which case the condition is kept.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::expression::{expression_of, quote};
use crate::flow::file::FLOWBENCH_METADATA_KEY;

/// The error code the terminating step reports.
pub const ASSERTION_FAILED_CODE: &str = "AssertionFailed";

/// An `Assert` as a condition. `taken` holds every step name of the definition (the
/// terminating step gets a free one). The notes name what has no equivalent in the cloud.
pub fn to_condition(
    name: &str,
    assert: &Value,
    taken: &HashSet<String>,
) -> Result<(Value, Vec<String>), String> {
    let inputs = assert.get("inputs").ok_or("inputs: missing")?;
    let mut notes = Vec::new();
    let (conditions, described) = conditions_of(inputs, &mut notes)?;
    if conditions.is_empty() {
        return Err("none of its checks can be written as a condition".to_owned());
    }
    let message = inputs
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| described.join("; "));
    let terminate_name = free_name(&format!("{name}_failed"), taken);
    let mut out = Map::new();
    let mut metadata = assert
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    metadata.insert(
        FLOWBENCH_METADATA_KEY.to_owned(),
        json!({"assert": inputs.clone()}),
    );
    out.insert("type".to_owned(), json!("If"));
    out.insert("expression".to_owned(), json!({"and": conditions}));
    out.insert("actions".to_owned(), json!({}));
    out.insert(
        "else".to_owned(),
        json!({"actions": {terminate_name: terminate(name, &message)}}),
    );
    if let Some(object) = assert.as_object() {
        for (key, value) in object {
            if !matches!(key.as_str(), "type" | "inputs" | "metadata") {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    out.entry("runAfter").or_insert_with(|| json!({}));
    out.insert("metadata".to_owned(), Value::Object(metadata));
    Ok((Value::Object(out), notes))
}

fn terminate(name: &str, message: &str) -> Value {
    json!({
        "type": "Terminate",
        "inputs": {
            "runStatus": "Failed",
            "runError": {
                "code": ASSERTION_FAILED_CODE,
                "message": super::expression::escape_text(&format!("Assert '{name}' failed: {message}"))
            }
        },
        "runAfter": {}
    })
}

fn free_name(wanted: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(wanted) {
        return wanted.to_owned();
    }
    (2..)
        .map(|n| format!("{wanted}_{n}"))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or_else(|| wanted.to_owned())
}

/// The conditions of every check, and each check described in words.
fn conditions_of(
    inputs: &Value,
    notes: &mut Vec<String>,
) -> Result<(Vec<Value>, Vec<String>), String> {
    let checks: Vec<&Value> = match inputs.get("assertions") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(_) => return Err("inputs.assertions: expected an array".to_owned()),
        None => vec![inputs],
    };
    let mut conditions = Vec::new();
    let mut described = Vec::new();
    for check in checks {
        let actual = check.get("actual").cloned().unwrap_or(Value::Null);
        let what = expression_of(&actual).map_err(|e| format!("inputs.actual: {e}"))?;
        if let Some(Value::Object(fields)) = check.get("fields") {
            for (field, expected) in fields {
                let value = Value::String(format!("@{what}?[{}]", quote(field)));
                let label = format!("{what}?[{}]", quote(field));
                match expected {
                    Value::Object(kinds)
                        if kinds
                            .keys()
                            .any(|k| crate::flow::run::ASSERT_KINDS.contains(&k.as_str())) =>
                    {
                        for (kind, wanted) in kinds {
                            push(
                                kind,
                                &value,
                                wanted,
                                &label,
                                &mut conditions,
                                &mut described,
                                notes,
                            );
                        }
                    }
                    wanted => push(
                        "equals",
                        &value,
                        wanted,
                        &label,
                        &mut conditions,
                        &mut described,
                        notes,
                    ),
                }
            }
        }
        for kind in crate::flow::run::ASSERT_KINDS {
            if let Some(expected) = check.get(kind) {
                push(
                    kind,
                    &actual,
                    expected,
                    &what,
                    &mut conditions,
                    &mut described,
                    notes,
                );
            }
        }
    }
    Ok((conditions, described))
}

fn push(
    kind: &str,
    actual: &Value,
    expected: &Value,
    what: &str,
    conditions: &mut Vec<Value>,
    described: &mut Vec<String>,
    notes: &mut Vec<String>,
) {
    let shown = match expected {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let condition = match kind {
        "equals" => json!({"equals": [actual, expected]}),
        "notEquals" => json!({"not": {"equals": [actual, expected]}}),
        "contains" => json!({"contains": [actual, expected]}),
        "greater" => json!({"greater": [actual, expected]}),
        "less" => json!({"less": [actual, expected]}),
        "exists" => match expected.as_bool() {
            Some(true) => json!({"not": {"equals": [actual, null]}}),
            Some(false) => json!({"equals": [actual, null]}),
            None => {
                notes.push(format!(
                    "'exists' takes true or false, found {shown}: this check is left out"
                ));
                return;
            }
        },
        "count" => match expression_of(actual) {
            Ok(source) => {
                json!({"equals": [format!("@length(coalesce({source}, json('[]')))"), expected]})
            }
            Err(e) => {
                notes.push(format!("'count' of {what}: {e}: this check is left out"));
                return;
            }
        },
        _ => {
            notes.push(format!(
                "'{kind}' ({what} {kind} {shown}) has no equivalent in the cloud's expression language: this check is left out of the condition (it comes back when the flow is imported into Flowbench)"
            ));
            return;
        }
    };
    let verb = match kind {
        "equals" => "equals",
        "notEquals" => "does not equal",
        "contains" => "contains",
        "greater" => "is greater than",
        "less" => "is less than",
        "exists" => {
            if expected.as_bool() == Some(false) {
                "does not exist"
            } else {
                "exists"
            }
        }
        "count" => "has this many items:",
        _ => kind,
    };
    if kind == "exists" {
        described.push(format!("expected {what} {verb}"));
    } else {
        described.push(format!("expected {what} {verb} {shown}"));
    }
    conditions.push(condition);
}

/// The `Assert` a condition stands for, when it is one this module wrote and it was not
/// changed since. `Err` when it carries an assertion but was changed.
pub fn from_condition(name: &str, action: &Value) -> Option<Result<Value, String>> {
    let assert_inputs = action
        .pointer(&format!("/metadata/{FLOWBENCH_METADATA_KEY}/assert"))?
        .clone();
    let mut restored = Map::new();
    restored.insert("type".to_owned(), json!("Assert"));
    restored.insert("inputs".to_owned(), assert_inputs);
    if let Some(object) = action.as_object() {
        for (key, value) in object {
            match key.as_str() {
                "type" | "expression" | "actions" | "else" => {}
                "metadata" => {
                    let mut metadata = value.as_object().cloned().unwrap_or_default();
                    metadata.remove(FLOWBENCH_METADATA_KEY);
                    if !metadata.is_empty() {
                        restored.insert(key.clone(), Value::Object(metadata));
                    }
                }
                _ => {
                    restored.insert(key.clone(), value.clone());
                }
            }
        }
    }
    let restored = Value::Object(restored);
    let unchanged = to_condition(name, &restored, &HashSet::new())
        .ok()
        .is_some_and(|(again, _)| {
            again.get("expression") == action.get("expression")
                && again.get("actions") == action.get("actions")
                && terminate_inputs(&again) == terminate_inputs(action)
        });
    Some(if unchanged {
        Ok(restored)
    } else {
        Err(format!(
            "'{name}' was exported from an Assert but changed since: kept as a condition"
        ))
    })
}

fn terminate_inputs(action: &Value) -> Vec<Value> {
    action
        .pointer("/else/actions")
        .and_then(Value::as_object)
        .map(|steps| {
            steps
                .values()
                .map(|step| step.get("inputs").cloned().unwrap_or(Value::Null))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_assert_becomes_a_condition_that_terminates_and_comes_back() {
        let assert = json!({
            "type": "Assert",
            "inputs": {"actual": "@outputs('Get_group')?['body/Description']", "equals": "Created by a flow", "message": "the new group holds its description"},
            "runAfter": {"Get_group": ["Succeeded"]}
        });
        let taken: HashSet<String> = ["Check_failed".to_owned()].into();
        let (condition, notes) = to_condition("Check", &assert, &taken).unwrap();
        assert!(notes.is_empty());
        assert_eq!(condition["type"], "If");
        assert_eq!(
            condition["expression"],
            json!({"and": [{"equals": ["@outputs('Get_group')?['body/Description']", "Created by a flow"]}]})
        );
        assert_eq!(condition["runAfter"], json!({"Get_group": ["Succeeded"]}));
        let terminate = &condition["else"]["actions"]["Check_failed_2"];
        assert_eq!(terminate["inputs"]["runStatus"], "Failed");
        assert_eq!(
            terminate["inputs"]["runError"]["message"],
            "Assert 'Check' failed: the new group holds its description"
        );
        assert_eq!(from_condition("Check", &condition), Some(Ok(assert)));
    }

    #[test]
    fn fields_counts_and_existence_become_conditions() {
        let assert = json!({"type": "Assert", "inputs": {"assertions": [
            {"actual": "@body('Update')", "fields": {"Description": "x", "Limit": {"greater": 5}}},
            {"actual": "@body('List')?['value']", "count": 0},
            {"actual": "@body('Get')", "exists": true},
        ]}, "runAfter": {}});
        let (condition, notes) = to_condition("Check", &assert, &HashSet::new()).unwrap();
        assert!(notes.is_empty());
        assert_eq!(
            condition["expression"]["and"],
            json!([
                {"equals": ["@body('Update')?['Description']", "x"]},
                {"greater": ["@body('Update')?['Limit']", 5]},
                {"equals": ["@length(coalesce(body('List')?['value'], json('[]')))", 0]},
                {"not": {"equals": ["@body('Get')", null]}}
            ])
        );
        let message = condition["else"]["actions"]["Check_failed"]["inputs"]["runError"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            message.contains("expected body('Update')?['Description'] equals x"),
            "{message}"
        );
    }

    #[test]
    fn what_the_cloud_cannot_check_is_named() {
        let assert = json!({"type": "Assert", "inputs": {"actual": "@body('Get')?['Email']", "matches": "^[a-z]+@", "equals": "a@b"}});
        let (condition, notes) = to_condition("Mail", &assert, &HashSet::new()).unwrap();
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("'matches'"), "{}", notes[0]);
        assert_eq!(condition["expression"]["and"].as_array().unwrap().len(), 1);
        let only_regex = json!({"type": "Assert", "inputs": {"actual": "@x()", "matches": "a"}});
        assert!(to_condition("R", &only_regex, &HashSet::new()).is_err());
    }

    #[test]
    fn a_condition_changed_in_the_cloud_is_kept() {
        let assert = json!({"type": "Assert", "inputs": {"actual": "@body('G')", "equals": 1}, "runAfter": {}});
        let (mut condition, _) = to_condition("C", &assert, &HashSet::new()).unwrap();
        condition["expression"] = json!({"and": [{"equals": ["@body('G')", 2]}]});
        assert!(matches!(from_condition("C", &condition), Some(Err(_))));
        assert_eq!(from_condition("C", &json!({"type": "If"})), None);
    }
}
