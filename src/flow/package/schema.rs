//! Exported definitions checked against a JSON Schema of the Workflow Definition Language
//! (`assets/schema/workflow-definition.schema.json`), written from Microsoft's reference:
//! the definition's sections, parameter types, trigger and step names, `runAfter`
//! statuses, and what each kind of trigger and step requires.

use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::Note;

/// The schema's text.
pub const SCHEMA: &str = include_str!("../../../assets/schema/workflow-definition.schema.json");

fn validator() -> Result<&'static jsonschema::Validator, String> {
    static VALIDATOR: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(SCHEMA).map_err(|e| e.to_string())?;
            jsonschema::validator_for(&schema).map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Where and how `definition` breaks the schema (empty when it conforms).
pub fn check(definition: &Map<String, Value>) -> Vec<Note> {
    let validator = match validator() {
        Ok(validator) => validator,
        Err(e) => {
            return vec![Note {
                at: "schema".to_owned(),
                message: format!("the workflow definition schema cannot be read: {e}"),
            }];
        }
    };
    let instance = Value::Object(definition.clone());
    let mut problems: Vec<Note> = validator
        .iter_errors(&instance)
        .map(|error| {
            let pointer = error.instance_path().as_str().to_owned();
            let mut message = error.to_string();
            if message.chars().count() > 300 {
                message = format!("{}…", message.chars().take(300).collect::<String>());
            }
            Note {
                at: dotted(&pointer),
                message,
            }
        })
        .collect();
    problems.dedup();
    problems
}

/// `/actions/Get/inputs` → `actions.Get.inputs`; the root is `$`.
fn dotted(pointer: &str) -> String {
    if pointer.is_empty() {
        return "$".to_owned();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|part| part.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn problems_of(definition: Value) -> Vec<String> {
        check(definition.as_object().unwrap())
            .into_iter()
            .map(|n| n.at)
            .collect()
    }

    #[test]
    fn a_sound_definition_conforms() {
        let definition = json!({
            "$schema": crate::flow::file::DEFINITION_SCHEMA,
            "contentVersion": "1.0.0.0",
            "parameters": {"$connections": {"defaultValue": {}, "type": "Object"}},
            "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"schema": {}}}},
            "actions": {
                "Check": {"type": "If", "expression": {"and": [{"equals": [1, 1]}]}, "actions": {},
                    "else": {"actions": {"Stop": {"type": "Terminate", "inputs": {"runStatus": "Failed", "runError": {"code": "X", "message": "m"}}, "runAfter": {}}}},
                    "runAfter": {}},
                "Get": {"type": "ApiConnection", "inputs": {"host": {"connection": {"name": "@parameters('$connections')['dynamicsax']['connectionId']"}}, "method": "get", "path": "/datasets/x/tables/y/items"}, "runAfter": {"Check": ["SUCCEEDED", "Failed"]}}
            },
            "outputs": {}
        });
        assert_eq!(problems_of(definition), Vec::<String>::new());
    }

    #[test]
    fn what_the_products_refuse_is_named_with_its_place() {
        let definition = json!({
            "parameters": {"Key": {"type": "Password"}},
            "triggers": {"manual": {"type": "Recurrence"}},
            "actions": {
                "Stop": {"type": "Terminate", "inputs": {"runStatus": "Done"}},
                "Later": {"type": "Compose", "inputs": 1, "runAfter": {"Stop": ["Finished"]}},
                "Bad/name": {"type": "Compose", "inputs": 1},
                "Assert_it": {"type": "If", "actions": {}},
                "Scope": {"type": "Scope", "actions": {"Inner": {"inputs": 1}}}
            },
            "extra": true
        });
        let problems = problems_of(definition);
        for expected in [
            "parameters.Key.type",
            "triggers.manual",
            "actions.Stop.inputs.runStatus",
            "actions.Later.runAfter.Stop.0",
            "actions",
            "actions.Assert_it",
            "actions.Scope.actions.Inner",
            "$",
        ] {
            assert!(
                problems.iter().any(|p| p == expected),
                "{expected} not in {problems:?}"
            );
        }
    }
}
