//! Moving a step before another of its scope (a card dropped onto a card): the chain of
//! `runAfter` closes where the step left and opens where it lands.

use serde_json::{Map, Value, json};

use super::{EditError, ScopePath, object_entry, refuse, scope_mut};
use crate::flow::run::engine::run_after;

/// Moves the step `name` so that it runs right before `target`, both in `scope`: the steps
/// that ran after `name` run after what it ran after (as when it is removed), then `name`
/// runs after what `target` ran after and `target` runs after `name`. The file's order
/// follows. Moving a step before itself, or before the step that already follows it
/// alone, changes nothing.
pub fn move_before(
    definition: &mut Map<String, Value>,
    scope: &ScopePath,
    name: &str,
    target: &str,
) -> Result<(), EditError> {
    let actions = scope_mut(definition, scope)?;
    for step in [name, target] {
        if !actions.contains_key(step) {
            return Err(refuse(format!("there is no step '{step}' in this scope")));
        }
    }
    let target_deps = actions.get(target).map(run_after).unwrap_or_default();
    if name == target || matches!(target_deps.as_slice(), [(dep, _)] if dep == name) {
        return Ok(());
    }
    // Close the gap: who ran after `name` runs after what `name` ran after.
    let inherited = actions
        .get(name)
        .and_then(|a| a.get("runAfter"))
        .cloned()
        .unwrap_or_else(|| json!({}));
    for (other, value) in actions.iter_mut() {
        if other == name {
            continue;
        }
        let Some(map) = value.as_object_mut() else {
            continue;
        };
        let deps = object_entry(map, "runAfter")?;
        if deps.shift_remove(name).is_some()
            && let Value::Object(inherited) = &inherited
        {
            for (dep, statuses) in inherited {
                deps.entry(dep.clone()).or_insert_with(|| statuses.clone());
            }
        }
    }
    // Open it before `target`: `name` takes the place, `target` follows it.
    let target_after = actions
        .get(target)
        .and_then(|a| a.get("runAfter"))
        .cloned()
        .unwrap_or_else(|| json!({}));
    if let Some(Value::Object(map)) = actions.get_mut(name) {
        map.insert("runAfter".to_owned(), target_after);
    }
    if let Some(Value::Object(map)) = actions.get_mut(target) {
        map.insert("runAfter".to_owned(), json!({ name: ["Succeeded"] }));
    }
    // The file's order: `name` right before `target`.
    if let Some(moved) = actions.shift_remove(name) {
        let index = actions
            .keys()
            .position(|k| k == target)
            .unwrap_or(actions.len());
        actions.shift_insert(index, name.to_owned(), moved);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> Map<String, Value> {
        json!({"actions": {
            "A": {"type": "Compose", "inputs": 1, "runAfter": {}},
            "B": {"type": "Compose", "inputs": 2, "runAfter": {"A": ["Succeeded"]}},
            "C": {"type": "Compose", "inputs": 3, "runAfter": {"B": ["Succeeded", "Failed"]}},
            "D": {"type": "Compose", "inputs": 4, "runAfter": {"C": ["Succeeded"]}}
        }})
        .as_object()
        .cloned()
        .expect("object")
    }

    fn after(definition: &Map<String, Value>, scope: &str, name: &str) -> Value {
        let actions = if scope.is_empty() {
            &definition["actions"]
        } else {
            &definition["actions"][scope]["actions"]
        };
        actions[name]["runAfter"].clone()
    }

    fn keys(actions: &Value) -> Vec<&str> {
        actions
            .as_object()
            .expect("actions")
            .keys()
            .map(String::as_str)
            .collect()
    }

    #[test]
    fn a_later_step_moves_up_before_another() {
        let mut d = chain();
        move_before(&mut d, &Vec::new(), "D", "B").expect("moved");
        // A -> D -> B -> C, and C keeps its own statuses on B.
        assert_eq!(after(&d, "", "D"), json!({"A": ["Succeeded"]}));
        assert_eq!(after(&d, "", "B"), json!({"D": ["Succeeded"]}));
        assert_eq!(after(&d, "", "C"), json!({"B": ["Succeeded", "Failed"]}));
        assert_eq!(keys(&d["actions"]), ["A", "D", "B", "C"]);
    }

    #[test]
    fn an_earlier_step_moves_down_and_the_first_becomes_the_start() {
        let mut d = chain();
        move_before(&mut d, &Vec::new(), "A", "D").expect("moved");
        // B -> C -> A -> D: B starts the flow now.
        assert_eq!(after(&d, "", "B"), json!({}));
        assert_eq!(after(&d, "", "A"), json!({"C": ["Succeeded"]}));
        assert_eq!(after(&d, "", "D"), json!({"A": ["Succeeded"]}));
        assert_eq!(keys(&d["actions"]), ["B", "C", "A", "D"]);
        // Onto the first step: it becomes first.
        move_before(&mut d, &Vec::new(), "D", "B").expect("moved");
        assert_eq!(after(&d, "", "D"), json!({}));
        assert_eq!(after(&d, "", "B"), json!({"D": ["Succeeded"]}));
        assert_eq!(after(&d, "", "A"), json!({"C": ["Succeeded"]}));
        assert_eq!(keys(&d["actions"]), ["D", "B", "C", "A"]);
    }

    #[test]
    fn moves_that_change_nothing_and_steps_that_are_not_there() {
        let mut d = chain();
        let before = d.clone();
        move_before(&mut d, &Vec::new(), "B", "C").expect("already there");
        move_before(&mut d, &Vec::new(), "B", "B").expect("itself");
        assert_eq!(d, before);
        let error = move_before(&mut d, &Vec::new(), "X", "B").expect_err("no X");
        assert!(error.0.contains("'X'"), "{error}");
        assert_eq!(d, before);
    }

    #[test]
    fn steps_inside_a_scope_move_within_it() {
        let mut d = json!({"actions": {"Loop": {"type": "Foreach", "foreach": "@range(0, 2)",
        "actions": {
            "X": {"type": "Compose", "inputs": 1},
            "Y": {"type": "Compose", "inputs": 2, "runAfter": {"X": ["Succeeded"]}}
        }}}})
        .as_object()
        .cloned()
        .expect("object");
        let scope = vec![("Loop".to_owned(), super::super::Branch::Actions)];
        move_before(&mut d, &scope, "Y", "X").expect("moved");
        assert_eq!(after(&d, "Loop", "Y"), json!({}));
        assert_eq!(after(&d, "Loop", "X"), json!({"Y": ["Succeeded"]}));
        assert_eq!(keys(&d["actions"]["Loop"]["actions"]), ["Y", "X"]);
    }
}
