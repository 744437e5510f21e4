//! What a trigger firing becomes: `splitOn` debatches an array into one run per item, and
//! the trigger's `conditions` (all must hold) decide, per item, whether a run starts.

use serde_json::{Map, Value, json};

use crate::flow::expr::{JsonScope, evaluate_value};
use crate::flow::file::kind_of;

/// One candidate run: the trigger body it gets, or why it does not start.
#[derive(Debug, Clone, PartialEq)]
pub enum Gated {
    /// A run starts with this trigger body.
    Start(Value),
    /// The conditions did not hold for this body (the expression that failed).
    Skipped {
        /// The body that was checked.
        body: Value,
        /// The condition expression that was false.
        condition: String,
    },
}

/// The scope trigger expressions see: the trigger's outputs with `body`.
fn scope_for(body: &Value) -> JsonScope {
    JsonScope::from_context(&json!({
        "triggerOutputs": {"headers": {"Content-Type": "application/json"}, "body": body},
    }))
}

/// What the first trigger of a definition makes of one body delivered to it.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivered {
    /// The trigger has neither `splitOn` nor `conditions`: one run with the body as it is.
    AsIs(Value),
    /// Each item of the body (one, without `splitOn`), and whether a run starts with it.
    Gated {
        /// Whether the items come from a `splitOn`.
        split: bool,
        /// The items in order.
        items: Vec<Gated>,
    },
}

/// [`gate`] for the first trigger of `definition`, as `flowbench run` and the window's Run
/// start runs; an error names the trigger (`triggers.NAME: …`).
pub fn gate_delivered(definition: &Map<String, Value>, body: Value) -> Result<Delivered, String> {
    let Some((name, trigger)) = crate::flow::run::trigger::first_trigger(definition) else {
        return Ok(Delivered::AsIs(body));
    };
    let split = trigger.get("splitOn").is_some();
    if !split && trigger.get("conditions").is_none() {
        return Ok(Delivered::AsIs(body));
    }
    let items = gate(trigger, body).map_err(|e| format!("triggers.{name}: {e}"))?;
    Ok(Delivered::Gated { split, items })
}

/// Splits `body` by the trigger's `splitOn` (when it has one) and checks its `conditions`
/// on each part. An expression that does not evaluate is an error naming it; a `splitOn`
/// that does not give an array is one too.
pub fn gate(trigger: &Value, body: Value) -> Result<Vec<Gated>, String> {
    let bodies = match trigger.get("splitOn").and_then(Value::as_str) {
        Some(split_on) => {
            let value = evaluate_value(&Value::String(split_on.to_owned()), &scope_for(&body))
                .map_err(|e| format!("splitOn '{split_on}': {e}"))?;
            match value {
                Value::Array(items) => items,
                Value::Null => Vec::new(),
                other => {
                    return Err(format!(
                        "splitOn '{split_on}': expected an array, found {}",
                        kind_of(&other)
                    ));
                }
            }
        }
        None => vec![body],
    };
    let conditions: Vec<String> = trigger
        .get("conditions")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|c| c.get("expression").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::with_capacity(bodies.len());
    for body in bodies {
        let scope = scope_for(&body);
        let mut failed = None;
        for condition in &conditions {
            let value = evaluate_value(&Value::String(condition.clone()), &scope)
                .map_err(|e| format!("trigger condition '{condition}': {e}"))?;
            if !truthy(&value) {
                failed = Some(condition.clone());
                break;
            }
        }
        out.push(match failed {
            None => Gated::Start(body),
            Some(condition) => Gated::Skipped { body, condition },
        });
    }
    Ok(out)
}

/// A condition holds when it evaluates to `true` (or the string `"true"`, as interpolated
/// conditions give).
fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// The bodies that start runs.
pub fn started(gated: &[Gated]) -> Vec<Value> {
    gated
        .iter()
        .filter_map(|g| match g {
            Gated::Start(body) => Some(body.clone()),
            Gated::Skipped { .. } => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivered_body_goes_through_the_first_trigger_or_as_it_is() {
        let definition = |trigger: Value| {
            json!({"triggers": {"manual": trigger}, "actions": {}})
                .as_object()
                .cloned()
                .unwrap()
        };
        let plain = definition(json!({"type": "Request", "kind": "Http"}));
        assert_eq!(
            gate_delivered(&plain, json!({"a": 1})).unwrap(),
            Delivered::AsIs(json!({"a": 1}))
        );
        let split = definition(json!({"type": "Request", "kind": "Http",
            "splitOn": "@triggerBody()?['rows']",
            "conditions": [{"expression": "@equals(triggerBody()?['keep'], true)"}]}));
        let Delivered::Gated { split: true, items } =
            gate_delivered(&split, json!({"rows": [{"keep": true}, {"keep": false}]})).unwrap()
        else {
            panic!("not split");
        };
        assert_eq!(items[0], Gated::Start(json!({"keep": true})));
        assert!(matches!(items[1], Gated::Skipped { .. }));
        let broken = definition(json!({"type": "Request", "kind": "Http", "splitOn": "@int('x')"}));
        let error = gate_delivered(&broken, json!({})).unwrap_err();
        assert!(error.starts_with("triggers.manual: splitOn"), "{error}");
    }

    #[test]
    fn without_split_on_or_conditions_one_run_gets_the_whole_body() {
        let body = json!({"value": [1, 2]});
        assert_eq!(
            gate(&json!({"type": "Request"}), body.clone()),
            Ok(vec![Gated::Start(body)])
        );
    }

    #[test]
    fn split_on_gives_one_run_per_item_in_order() {
        let trigger = json!({"splitOn": "@triggerBody()?['value']"});
        let gated =
            gate(&trigger, json!({"value": [{"n": 1}, {"n": 2}, {"n": 3}]})).expect("splits");
        assert_eq!(
            started(&gated),
            vec![json!({"n": 1}), json!({"n": 2}), json!({"n": 3})]
        );
        // Power Automate writes the slash form on triggerOutputs().
        let trigger = json!({"splitOn": "@triggerOutputs()?['body/value']"});
        assert_eq!(
            started(&gate(&trigger, json!({"value": ["a"]})).expect("splits")),
            vec![json!("a")]
        );
        let none = gate(&trigger, json!({})).expect("nothing to split");
        assert!(none.is_empty());
        let bad = gate(&json!({"splitOn": "@triggerBody()?['n']"}), json!({"n": 4}));
        assert!(
            bad.expect_err("not an array")
                .contains("expected an array, found a number")
        );
    }

    #[test]
    fn conditions_must_all_hold_for_each_split_item() {
        let trigger = json!({
            "splitOn": "@triggerBody()?['value']",
            "conditions": [
                {"expression": "@greater(triggerBody()?['n'], 1)"},
                {"expression": "@not(equals(triggerBody()?['n'], 3))"}
            ]
        });
        let gated =
            gate(&trigger, json!({"value": [{"n": 1}, {"n": 2}, {"n": 3}]})).expect("gates");
        assert_eq!(started(&gated), vec![json!({"n": 2})]);
        assert_eq!(
            gated[0],
            Gated::Skipped {
                body: json!({"n": 1}),
                condition: "@greater(triggerBody()?['n'], 1)".into()
            }
        );
        let broken = json!({"conditions": [{"expression": "@greater("}]});
        assert!(
            gate(&broken, json!({}))
                .expect_err("does not parse")
                .contains("trigger condition")
        );
    }
}
