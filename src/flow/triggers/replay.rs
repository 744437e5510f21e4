//! Replay for testers: saved or downloaded event payloads fed to a flow as its trigger
//! would, once or several times, in the order given or shuffled, one run after another —
//! so that a flow meant to be idempotent can be proven so.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde_json::Value;

use super::gate::{Gated, gate};
use super::kind::{TriggerKind, classify};
use super::watcher::WatchedFlow;
use crate::flow::run::{Env, RunInputs, RunRecord, run_flow, trigger};

/// One event to replay: where it came from, and its payload.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayEvent {
    /// A label for reports (`event.json`, `event.json#2`).
    pub label: String,
    /// The payload.
    pub payload: Value,
}

/// Reads the events of one file: a payload object, or an array of payloads.
pub fn events_of(label: &str, text: &str) -> Result<Vec<ReplayEvent>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "{label}:{}:{}: expected a JSON event payload: {e}",
            e.line(),
            e.column()
        )
    })?;
    match value {
        Value::Array(items) => Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, payload)| ReplayEvent {
                label: format!("{label}#{}", i + 1),
                payload,
            })
            .collect()),
        payload => Ok(vec![ReplayEvent {
            label: label.to_owned(),
            payload,
        }]),
    }
}

/// The order of a replay: the events `times` times each (all of them, then all again),
/// shuffled with `seed` when given.
pub fn plan(events: &[ReplayEvent], times: usize, shuffle: Option<u64>) -> Vec<ReplayEvent> {
    let mut order: Vec<ReplayEvent> = (0..times.max(1))
        .flat_map(|_| events.iter().cloned())
        .collect();
    if let Some(seed) = shuffle {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        order.shuffle(&mut rng);
    }
    order
}

/// What one replayed event did.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// The event.
    pub label: String,
    /// The runs it started, in order.
    pub runs: Vec<RunRecord>,
    /// Why it started fewer runs than items (conditions), or none.
    pub note: Option<String>,
}

/// Feeds each event of `order` to the flow's trigger and runs what it starts, one run
/// after another; `on_run` sees each run as it ends (to store or print it).
/// The flow's parameters and app settings reach each run, as a watched run gets them.
pub async fn replay(
    flow: &WatchedFlow,
    order: &[ReplayEvent],
    env: &Env,
    mut on_run: impl FnMut(&ReplayEvent, &RunRecord),
) -> Result<Vec<Replayed>, String> {
    let definition = &flow.definition;
    let (_, trigger_def) =
        trigger::first_trigger(definition).ok_or("the flow has no trigger to replay into")?;
    let kind = classify(trigger_def).map_err(|e| format!("trigger: {e}"))?;
    let mut out = Vec::new();
    for event in order {
        if env.cancel.is_cancelled() {
            break;
        }
        let body = match kind {
            TriggerKind::BusinessEvent(_) => trigger::business_event_body(event.payload.clone()),
            _ => event.payload.clone(),
        };
        let gated = gate(trigger_def, body).map_err(|e| format!("{}: {e}", event.label))?;
        let mut runs = Vec::new();
        let mut note = None;
        for item in gated {
            match item {
                Gated::Start(body) => {
                    let inputs = RunInputs {
                        flow: flow.name.clone(),
                        trigger_body: body,
                        parameters: flow.parameters.clone(),
                        app_settings: flow.app_settings.clone(),
                        ..RunInputs::default()
                    };
                    let record = run_flow(definition, inputs, env).await;
                    on_run(event, &record);
                    runs.push(record);
                }
                Gated::Skipped { condition, .. } => {
                    note = Some(format!("the trigger condition {condition} is false"));
                }
            }
        }
        out.push(Replayed {
            label: event.label.clone(),
            runs,
            note,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn events() -> Vec<ReplayEvent> {
        events_of("e.json", r#"[{"n": 1}, {"n": 2}, {"n": 3}]"#).expect("reads")
    }

    #[test]
    fn files_hold_one_payload_or_an_array_of_them() {
        assert_eq!(
            events_of("one.json", r#"{"EventId": "X"}"#).expect("reads"),
            vec![ReplayEvent {
                label: "one.json".into(),
                payload: json!({"EventId": "X"})
            }]
        );
        assert_eq!(events()[2].label, "e.json#3");
        let err = events_of("bad.json", "{\n  \"a\": ").expect_err("malformed");
        assert!(err.starts_with("bad.json:2:"), "{err}");
    }

    #[test]
    fn plans_repeat_in_order_or_shuffle_reproducibly() {
        let labels =
            |plan: &[ReplayEvent]| plan.iter().map(|e| e.label.clone()).collect::<Vec<_>>();
        assert_eq!(
            labels(&plan(&events(), 2, None)),
            vec![
                "e.json#1", "e.json#2", "e.json#3", "e.json#1", "e.json#2", "e.json#3"
            ]
        );
        let shuffled = plan(&events(), 2, Some(7));
        assert_eq!(
            labels(&shuffled),
            labels(&plan(&events(), 2, Some(7))),
            "same seed, same order"
        );
        let mut sorted = labels(&shuffled);
        sorted.sort();
        assert_eq!(
            sorted,
            vec![
                "e.json#1", "e.json#1", "e.json#2", "e.json#2", "e.json#3", "e.json#3"
            ]
        );
        assert!(
            (1..20)
                .any(|seed| labels(&plan(&events(), 2, Some(seed)))
                    != labels(&plan(&events(), 2, None))),
            "some seed changes the order"
        );
    }

    #[tokio::test]
    async fn replayed_events_start_runs_in_the_order_given() {
        let definition = json!({
            "triggers": {"manual": {"type": "Request", "kind": "Http", "conditions": [{"expression": "@not(equals(triggerBody()?['n'], 2))"}]}},
            "actions": {"Echo": {"type": "Compose", "inputs": "@triggerBody()?['n']", "runAfter": {}}}
        });
        let definition = definition.as_object().cloned().expect("object");
        let env = Env {
            client: None,
            model: None,
            instance: None,
            cancel: crate::odata::client::CancelToken::new(),
            observer: None,
        };
        let order = plan(&events(), 1, None);
        let mut seen = Vec::new();
        let flow = WatchedFlow {
            name: "t".to_owned(),
            definition,
            parameters: serde_json::Map::new(),
            app_settings: serde_json::Map::new(),
        };
        let replayed = replay(&flow, &order, &env, |_, run| {
            seen.push(run.actions[0].outputs.clone());
        })
        .await
        .expect("replays");
        assert_eq!(seen, vec![json!(1), json!(3)]);
        assert_eq!(replayed.len(), 3);
        assert!(replayed[1].runs.is_empty());
        assert!(
            replayed[1]
                .note
                .as_deref()
                .is_some_and(|n| n.contains("is false"))
        );
    }
}
