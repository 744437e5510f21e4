//! The runner without a server: control flow, runAfter, variables, data actions,
//! assertions, secure data.

use serde_json::{Map, Value, json};

use super::*;
use crate::odata::client::CancelToken;

fn env() -> Env {
    Env {
        client: None,
        model: None,
        instance: None,
        cancel: CancelToken::new(),
        observer: None,
    }
}

fn run(definition: Value) -> RunRecord {
    run_with(definition, Value::Null, Map::new())
}

fn run_with(definition: Value, body: Value, parameters: Map<String, Value>) -> RunRecord {
    let Value::Object(definition) = definition else {
        panic!("a definition object");
    };
    let inputs = RunInputs {
        flow: "test".into(),
        trigger_body: body,
        parameters,
        ..RunInputs::default()
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run_flow(&definition, inputs, &env()))
}

fn status_of(run: &RunRecord, name: &str) -> Status {
    run.actions
        .iter()
        .rev()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no record for {name}: {:?}", run.actions))
        .status
}

fn outputs_of(run: &RunRecord, name: &str) -> Value {
    run.actions
        .iter()
        .rev()
        .find(|a| a.name == name)
        .map(|a| a.outputs.clone())
        .unwrap_or(Value::Null)
}

#[test]
fn actions_run_in_run_after_order_and_see_earlier_outputs() {
    let run = run(json!({"actions": {
        "Second": {"type": "Compose", "inputs": "@add(outputs('First'), 1)", "runAfter": {"First": ["Succeeded"]}},
        "First": {"type": "Compose", "inputs": 41, "runAfter": {}}
    }}));
    assert_eq!(run.status, Status::Succeeded);
    let order: Vec<&str> = run.actions.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(order, ["First", "Second"]);
    assert_eq!(outputs_of(&run, "Second"), json!(42));
}

#[test]
fn a_failure_skips_what_runs_after_it_and_a_handler_catches_it() {
    let run = run(json!({"actions": {
        "Breaks": {"type": "Compose", "inputs": "@div(1, 0)", "runAfter": {}},
        "After": {"type": "Compose", "inputs": "never", "runAfter": {"Breaks": ["Succeeded"]}},
        "Then": {"type": "Compose", "inputs": "never either", "runAfter": {"After": ["Succeeded"]}}
    }}));
    assert_eq!(status_of(&run, "Breaks"), Status::Failed);
    assert_eq!(status_of(&run, "After"), Status::Skipped);
    assert_eq!(status_of(&run, "Then"), Status::Skipped);
    assert_eq!(
        run.status,
        Status::Failed,
        "a skipped last action stands for the failure"
    );
    assert!(run.error.as_ref().unwrap().message.contains("Breaks"));
    let breaks = run.actions.iter().find(|a| a.name == "Breaks").unwrap();
    let message = &breaks.error.as_ref().unwrap().message;
    assert!(
        message.starts_with("Action 'Breaks', inputs (@div(1, 0)): "),
        "{message}"
    );

    // try/catch: the catch scope runs after the try scope failed, and the run succeeds.
    let run = run_with(
        json!({"actions": {
            "Try": {"type": "Scope", "actions": {
                "Breaks": {"type": "Compose", "inputs": "@div(1, 0)", "runAfter": {}},
                "Skipped_inside": {"type": "Compose", "inputs": 1, "runAfter": {"Breaks": ["Succeeded"]}}
            }, "runAfter": {}},
            "Catch": {"type": "Scope", "actions": {
                "Failed_names": {"type": "Select", "inputs": {"from": "@result('Try')", "select": "@concat(item()?['name'], ':', item()?['status'])"}, "runAfter": {}}
            }, "runAfter": {"Try": ["Failed", "TimedOut"]}},
            "Finally": {"type": "Compose", "inputs": "done", "runAfter": {"Catch": ["Succeeded", "Skipped"]}}
        }}),
        Value::Null,
        Map::new(),
    );
    assert_eq!(status_of(&run, "Try"), Status::Failed);
    assert_eq!(status_of(&run, "Catch"), Status::Succeeded);
    assert_eq!(
        outputs_of(&run, "Failed_names")["body"],
        json!(["Breaks:Failed", "Skipped_inside:Skipped"])
    );
    assert_eq!(status_of(&run, "Finally"), Status::Succeeded);
    assert_eq!(run.status, Status::Succeeded);
}

#[test]
fn conditions_switches_and_loops() {
    let run = run_with(
        json!({"actions": {
            "Init": {"type": "InitializeVariable", "inputs": {"variables": [
                {"name": "total", "type": "integer", "value": 0},
                {"name": "names", "type": "array"},
                {"name": "text", "type": "string", "value": "x"}]}, "runAfter": {}},
            "Loop": {"type": "Foreach", "foreach": "@triggerBody()?['items']", "actions": {
                "Big": {"type": "If", "expression": {"and": [{"greater": ["@item()?['n']", 2]}]},
                    "actions": {"Add": {"type": "IncrementVariable", "inputs": {"name": "total", "value": "@item()?['n']"}, "runAfter": {}}},
                    "else": {"actions": {"Keep": {"type": "AppendToArrayVariable", "inputs": {"name": "names", "value": "@items('Loop')?['name']"}, "runAfter": {}}}},
                    "runAfter": {}},
                "Mark": {"type": "AppendToStringVariable", "inputs": {"name": "text", "value": "@string(iterationIndexes('Loop'))"}, "runAfter": {"Big": ["Succeeded"]}}
            }, "runAfter": {"Init": ["Succeeded"]}},
            "Pick": {"type": "Switch", "expression": "@variables('total')", "cases": {
                "Nine": {"case": 9, "actions": {"Nine_it_is": {"type": "Compose", "inputs": "nine", "runAfter": {}}}},
                "Other": {"case": 1, "actions": {"Not_this": {"type": "Compose", "inputs": "one", "runAfter": {}}}}
            }, "default": {"actions": {"Nothing": {"type": "Compose", "inputs": "none", "runAfter": {}}}},
            "runAfter": {"Loop": ["Succeeded"]}},
            "Count_up": {"type": "Until", "expression": "@greaterOrEquals(variables('total'), 12)", "limit": {"count": 10, "timeout": "PT1M"},
                "actions": {"Step": {"type": "IncrementVariable", "inputs": {"name": "total"}, "runAfter": {}}},
                "runAfter": {"Pick": ["Succeeded"]}}
        }, "outputs": {"total": {"type": "Int", "value": "@variables('total')"},
                       "names": {"type": "Array", "value": "@variables('names')"},
                       "text": {"type": "String", "value": "@variables('text')"}}}),
        json!({"items": [{"name": "a", "n": 1}, {"name": "b", "n": 4}, {"name": "c", "n": 5}, {"name": "d", "n": 2}]}),
        Map::new(),
    );
    assert_eq!(run.status, Status::Succeeded, "{:?}", run.error);
    assert_eq!(run.outputs["names"], json!(["a", "d"]));
    assert_eq!(run.outputs["text"], json!("x0123"));
    assert_eq!(status_of(&run, "Nine_it_is"), Status::Succeeded);
    assert_eq!(status_of(&run, "Not_this"), Status::Skipped);
    assert_eq!(status_of(&run, "Nothing"), Status::Skipped);
    assert_eq!(
        run.outputs["total"],
        json!(12),
        "9, then the Until adds 1 until 12"
    );
    let steps = run.actions.iter().filter(|a| a.name == "Step").count();
    assert_eq!(steps, 3);
}

#[test]
fn data_actions_give_the_cloud_s_outputs() {
    let run = run(json!({"actions": {
        "Parse": {"type": "ParseJson", "inputs": {"content": "{\"rows\": [{\"a\": 1, \"b\": \"x\"}, {\"a\": 2, \"b\": \"y\"}]}",
            "schema": {"type": "object", "required": ["rows"]}}, "runAfter": {}},
        "Keep_big": {"type": "Query", "inputs": {"from": "@body('Parse')?['rows']", "where": "@greater(item()?['a'], 1)"}, "runAfter": {"Parse": ["Succeeded"]}},
        "Only_b": {"type": "Select", "inputs": {"from": "@body('Parse')?['rows']", "select": {"letter": "@item()?['b']"}}, "runAfter": {"Parse": ["Succeeded"]}},
        "Joined": {"type": "Join", "inputs": {"from": ["p", "q"], "joinWith": "|"}, "runAfter": {}},
        "As_csv": {"type": "Table", "inputs": {"from": "@body('Parse')?['rows']", "format": "CSV"}, "runAfter": {"Parse": ["Succeeded"]}},
        "Answer": {"type": "Response", "inputs": {"statusCode": 201, "body": "@body('Keep_big')"}, "runAfter": {"Keep_big": ["Succeeded"]}},
        "Bad_schema": {"type": "ParseJson", "inputs": {"content": "[1]", "schema": {"type": "object"}}, "runAfter": {}}
    }}));
    assert_eq!(
        outputs_of(&run, "Keep_big")["body"],
        json!([{"a": 2, "b": "y"}])
    );
    assert_eq!(
        outputs_of(&run, "Only_b")["body"],
        json!([{"letter": "x"}, {"letter": "y"}])
    );
    assert_eq!(outputs_of(&run, "Joined")["body"], json!("p|q"));
    assert_eq!(
        outputs_of(&run, "As_csv")["body"],
        json!("a,b\r\n1,x\r\n2,y\r\n")
    );
    assert_eq!(run.response.as_ref().unwrap()["statusCode"], 201);
    assert_eq!(status_of(&run, "Bad_schema"), Status::Failed);
    assert!(run.actions.iter().any(|a| {
        a.error
            .as_ref()
            .is_some_and(|e| e.message.contains("the schema expects object"))
    }));
}

#[test]
fn each_assertion_kind_passes_and_fails_with_expected_and_found() {
    let cases = [
        (json!({"actual": "@add(1, 1)", "equals": 2}), true),
        (json!({"actual": "@add(1, 1)", "equals": 3}), false),
        (json!({"actual": "a", "notEquals": "b"}), true),
        (json!({"actual": "a", "notEquals": "a"}), false),
        (json!({"actual": "Contoso Ltd", "contains": "Ltd"}), true),
        (
            json!({"actual": "@createArray(1, 2)", "contains": 3}),
            false,
        ),
        (json!({"actual": "US-001", "matches": "^US-\\d{3}$"}), true),
        (json!({"actual": "DE-1", "matches": "^US-"}), false),
        (
            json!({"actual": "@triggerBody()?['missing']", "exists": false}),
            true,
        ),
        (
            json!({"actual": "@triggerBody()?['missing']", "exists": true}),
            false,
        ),
        (json!({"actual": "@createArray(1, 2, 3)", "count": 3}), true),
        (json!({"actual": "@createArray(1)", "count": 2}), false),
        (json!({"actual": 5, "greater": 4}), true),
        (json!({"actual": 5, "less": 4}), false),
        (
            json!({"actual": {"Name": "A", "Limit": 100}, "fields": {"Name": "A", "Limit": {"greater": 50}}}),
            true,
        ),
        (
            json!({"actual": {"Name": "A", "Limit": 10}, "fields": {"Limit": {"greater": 50}}}),
            false,
        ),
    ];
    for (inputs, passes) in cases {
        let run = run(
            json!({"actions": {"Check": {"type": "Assert", "inputs": inputs, "runAfter": {}}}}),
        );
        assert_eq!(
            run.status == Status::Succeeded,
            passes,
            "{inputs}: {:?}",
            run.error
        );
        if !passes {
            let failed = run.failed_assertions();
            assert_eq!(failed.len(), 1);
            let message = &failed[0].error.as_ref().unwrap().message;
            assert!(
                message.starts_with("Assert 'Check': expected "),
                "{message}"
            );
            assert!(message.contains("found"), "{message}");
        }
    }
    let run = run(json!({"actions": {"Check": {"type": "Assert",
        "inputs": {"actual": "@add(2, 2)", "equals": 5, "message": "maths"}, "runAfter": {}}}}));
    assert_eq!(
        run.failed_assertions()[0].error.as_ref().unwrap().message,
        "Assert 'Check': expected @add(2, 2) to equal 5, found 4 (maths)"
    );
}

#[test]
fn terminate_ends_the_run_with_its_status() {
    let run = run(json!({"actions": {
        "Stop": {"type": "Terminate", "inputs": {"runStatus": "Failed", "runError": {"code": "NoData", "message": "nothing to do"}}, "runAfter": {}},
        "After": {"type": "Compose", "inputs": 1, "runAfter": {"Stop": ["Succeeded"]}}
    }}));
    assert_eq!(run.status, Status::Failed);
    assert_eq!(run.error.as_ref().unwrap().code, "NoData");
    assert_ne!(status_of(&run, "After"), Status::Succeeded);
}

#[test]
fn secure_values_never_reach_the_record() {
    let mut parameters = Map::new();
    parameters.insert("apiKey".into(), json!("s3cr3t-value-123"));
    let run = run_with(
        json!({
            "parameters": {"apiKey": {"type": "SecureString"}},
            "actions": {
                "Uses_it": {"type": "Compose", "inputs": "key=@{parameters('apiKey')}", "runAfter": {}},
                "Hidden": {"type": "Compose", "inputs": "@parameters('apiKey')", "runAfter": {},
                    "runtimeConfiguration": {"secureData": {"properties": ["inputs", "outputs"]}}},
                "Fails_with_it": {"type": "Compose", "inputs": "@int(parameters('apiKey'))", "runAfter": {}}
            },
            "outputs": {"leak": {"type": "String", "value": "@parameters('apiKey')"}}
        }),
        Value::Null,
        parameters,
    );
    let text = serde_json::to_string(&run).unwrap();
    assert!(!text.contains("s3cr3t-value-123"), "{text}");
    assert_eq!(outputs_of(&run, "Hidden"), json!(secure::HIDDEN));
    assert_eq!(
        outputs_of(&run, "Uses_it"),
        json!(format!("key={}", secure::HIDDEN))
    );
}

#[test]
fn until_goes_on_past_a_failed_iteration_and_ends_at_its_limits_as_the_cloud_does() {
    let until = |operation_options: Option<&str>, fail_when: &str| {
        let mut loop_action = json!({"type": "Until", "runAfter": {"Init": ["Succeeded"]},
            "expression": "@equals(variables('n'), 99)", "limit": {"count": 3, "timeout": "PT1M"},
            "actions": {
                "Add": {"type": "IncrementVariable", "inputs": {"name": "n", "value": 1}, "runAfter": {}},
                "Maybe_fail": {"type": "Compose", "runAfter": {"Add": ["Succeeded"]},
                    "inputs": format!("@if({fail_when}, div(1, 0), 'fine')")}}});
        if let Some(options) = operation_options {
            loop_action["operationOptions"] = json!(options);
        }
        run(json!({"actions": {
            "Init": {"type": "InitializeVariable", "runAfter": {},
                "inputs": {"variables": [{"name": "n", "type": "integer", "value": 0}]}},
            "Loop": loop_action,
            "After": {"type": "Compose", "inputs": "@variables('n')", "runAfter": {"Loop": ["Succeeded"]}},
            "Results": {"type": "Compose", "inputs": "@length(result('Loop'))",
                "runAfter": {"Loop": ["Succeeded", "Failed", "TimedOut"]}}}}))
    };
    // A failure in the first iteration: the next ones run, and the loop is not failed.
    let early = until(None, "equals(variables('n'), 1)");
    assert_eq!(
        status_of(&early, "Loop"),
        Status::Succeeded,
        "{:?}",
        early.error
    );
    assert_eq!(outputs_of(&early, "After"), json!(3));
    // result() of an Until gives its last iteration's two records (Azure/logicapps#1271).
    assert_eq!(outputs_of(&early, "Results"), json!(2));
    // A failure in the last iteration fails the loop.
    let last = until(None, "equals(variables('n'), 3)");
    assert_eq!(status_of(&last, "Loop"), Status::Failed);
    assert_eq!(status_of(&last, "After"), Status::Skipped);
    // The count reached: Succeeded, or TimedOut when asked to fail at its limits.
    let strict = until(Some("FailWhenLimitsReached"), "false");
    assert_eq!(status_of(&strict, "Loop"), Status::TimedOut);
    let error = strict
        .actions
        .iter()
        .find(|a| a.name == "Loop")
        .and_then(|a| a.error.clone())
        .unwrap();
    assert!(
        error.message.contains("limit.count (3 iterations)"),
        "{error:?}"
    );
}

#[test]
fn result_and_actions_give_each_record_its_tracking_ids() {
    let run = run(json!({"actions": {
        "My_Scope": {"type": "Scope", "runAfter": {},
            "actions": {"Boom": {"type": "Compose", "inputs": "@div(1, 0)", "runAfter": {}}}},
        "Handler": {"type": "Compose", "runAfter": {"My_Scope": ["Failed"]},
            "inputs": {"client": "@result('My_Scope')[0]['clientTrackingId']",
                "tracking": "@result('My_Scope')[0]['trackingId']",
                "again": "@actions('Boom')['trackingId']"}}
    }}));
    let handled = outputs_of(&run, "Handler");
    assert_eq!(handled["client"], json!(run.id));
    let tracking = handled["tracking"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(tracking).is_ok(), "{tracking}");
    assert_ne!(tracking, run.id);
    assert_eq!(
        handled["again"], handled["tracking"],
        "the same at each read"
    );
}

#[test]
fn tracked_properties_are_evaluated_with_action_as_the_action_s_record() {
    let run = run(json!({"actions": {
        "Init": {"type": "InitializeVariable", "runAfter": {},
            "inputs": {"variables": [{"name": "myVar", "type": "integer", "value": 42}]},
            "trackedProperties": {"myTrackedPropertyName": "@action().inputs.variables[0].value",
                "status": "@action()?['status']", "fixed": "text", "bad": "@action().nope.deeper"}}
    }}));
    let tracked = run.actions[0].tracked_properties.clone().unwrap();
    assert_eq!(tracked["myTrackedPropertyName"], 42);
    assert_eq!(tracked["status"], "Succeeded");
    assert_eq!(tracked["fixed"], "text");
    assert!(tracked["bad"]["error"].is_string(), "{tracked}");
    assert_eq!(run.status, Status::Succeeded);
}

#[test]
fn a_variable_is_set_only_to_a_value_of_its_declared_type() {
    let run = run(json!({"actions": {
        "Init": {"type": "InitializeVariable", "runAfter": {},
            "inputs": {"variables": [{"name": "Count", "type": "integer", "value": 0},
                {"name": "Ratio", "type": "float", "value": 0.5}]}},
        "Whole": {"type": "SetVariable", "inputs": {"name": "Ratio", "value": 2}, "runAfter": {"Init": ["Succeeded"]}},
        "Text": {"type": "SetVariable", "inputs": {"name": "count", "value": "hello"}, "runAfter": {"Whole": ["Succeeded"]}},
        // Null is kept, set or initialized (a nextLink that is gone, first() of nothing).
        "Gone": {"type": "SetVariable", "inputs": {"name": "Count", "value": null}, "runAfter": {"Whole": ["Succeeded"]}},
        "Row": {"type": "InitializeVariable", "runAfter": {"Init": ["Succeeded"]},
            "inputs": {"variables": [{"name": "TableRow", "type": "Object", "value": "@first(createArray())"}]}},
        "Is_null": {"type": "Compose", "inputs": "@equals(variables('TableRow'), null)", "runAfter": {"Row": ["Succeeded"]}}
    }}));
    assert_eq!(status_of(&run, "Whole"), Status::Succeeded);
    assert_eq!(status_of(&run, "Gone"), Status::Succeeded);
    assert_eq!(outputs_of(&run, "Is_null"), json!(true));
    assert_eq!(status_of(&run, "Text"), Status::Failed);
    let error = run
        .actions
        .iter()
        .find(|a| a.name == "Text")
        .unwrap()
        .error
        .clone()
        .unwrap();
    assert_eq!(error.code, "InvalidVariableValueType");
    assert!(
        error.message.starts_with("The variable 'count' of type 'Integer' cannot be initialized or updated with value of type 'String'"),
        "{}",
        error.message
    );
}

#[test]
fn a_second_response_fails_and_the_first_answer_stands() {
    let run = run(json!({
        "triggers": {"manual": {"type": "Request", "kind": "Http"}},
        "actions": {
            "First": {"type": "Response", "inputs": {"statusCode": 200, "body": "one"}, "runAfter": {}},
            "Second": {"type": "Response", "inputs": {"statusCode": 500, "body": "two"}, "runAfter": {"First": ["Succeeded"]}}
        }
    }));
    assert_eq!(status_of(&run, "Second"), Status::Failed);
    assert_eq!(run.status, Status::Failed);
    assert_eq!(run.response.as_ref().unwrap()["body"], "one");
}

#[test]
fn an_action_inside_a_loop_read_from_outside_gives_each_iteration_s_outputs() {
    for options in [json!("Sequential"), json!(null)] {
        let run = run(json!({"actions": {
            "Loop": {"type": "Foreach", "foreach": "@createArray('a', 'b', 'c')", "runAfter": {},
                "operationOptions": options,
                "actions": {
                    "Row": {"type": "Compose", "inputs": "<tr>@{item()}</tr>", "runAfter": {}},
                    "Same_iteration": {"type": "Compose", "inputs": "@outputs('Row')", "runAfter": {"Row": ["Succeeded"]}}}},
            "Table": {"type": "Compose", "inputs": "@join(outputs('Row'), '')", "runAfter": {"Loop": ["Succeeded"]}},
            "Bodies": {"type": "Compose", "inputs": "@length(body('Row'))", "runAfter": {"Loop": ["Succeeded"]}}
        }}));
        assert_eq!(run.status, Status::Succeeded, "{:?}", run.error);
        assert_eq!(
            outputs_of(&run, "Table"),
            json!("<tr>a</tr><tr>b</tr><tr>c</tr>")
        );
        assert_eq!(outputs_of(&run, "Bodies"), json!(3));
        // Inside the loop, the current iteration's.
        assert_eq!(outputs_of(&run, "Same_iteration"), json!("<tr>c</tr>"));
    }
}

#[test]
fn secured_values_are_hidden_in_the_record_only_and_later_actions_read_them_whole() {
    let secured = |parts: Value| json!({"secureData": {"properties": parts}});
    let run = run_with(
        json!({
            "triggers": {"manual": {"type": "Request", "kind": "Http",
                "runtimeConfiguration": secured(json!(["outputs"]))}},
            "actions": {
                "Get_secret": {"type": "Compose", "inputs": {"value": "s3cr3t"},
                    "runtimeConfiguration": secured(json!(["inputs"])), "runAfter": {}},
                "Use": {"type": "Compose", "inputs": "@concat('Bearer ', outputs('Get_secret')?['value'])",
                    "runAfter": {"Get_secret": ["Succeeded"]}},
                "Loop": {"type": "Foreach", "foreach": "@createArray(1, 2)", "runAfter": {"Use": ["Succeeded"]},
                    "runtimeConfiguration": {"concurrency": {"repetitions": 2}},
                    "actions": {"Inner": {"type": "Compose", "inputs": "@mul(item(), 10)", "runAfter": {},
                        "runtimeConfiguration": secured(json!(["outputs"]))}}},
                "After_loop": {"type": "Compose", "inputs": "@outputs('Inner')", "runAfter": {"Loop": ["Succeeded"]}},
                "Plain": {"type": "Compose", "inputs": "@length(triggerBody()?['password'])", "runAfter": {}},
                "Unrelated": {"type": "Compose", "inputs": "visible", "runAfter": {}},
                "Answer": {"type": "Response", "inputs": {"statusCode": 200, "body": "@outputs('Use')"},
                    "runtimeConfiguration": secured(json!(["inputs"])), "runAfter": {"Use": ["Succeeded"]}}
            }
        }),
        json!({"password": "hunter2"}),
        Map::new(),
    );
    assert_eq!(run.status, Status::Succeeded, "{:?}", run.error);
    let record = |name: &str| {
        run.actions
            .iter()
            .rev()
            .find(|a| a.name == name)
            .cloned()
            .unwrap()
    };
    let hidden = json!(secure::HIDDEN);
    // Compose with secure inputs hides its outputs too (the docs); the next action reads
    // the real value, and its own inputs, which read secured outputs, are hidden.
    assert_eq!(record("Get_secret").inputs, hidden);
    assert_eq!(record("Get_secret").outputs, hidden);
    assert_eq!(record("Use").inputs, hidden);
    assert_eq!(record("Use").outputs, json!("Bearer s3cr3t"));
    // Inside a parallel loop too; after it, each iteration's real value.
    assert_eq!(record("Inner").outputs, hidden);
    assert_eq!(record("After_loop").outputs, json!([10, 20]));
    assert_eq!(record("After_loop").inputs, hidden);
    // The trigger's secured outputs: hidden in the record, read whole by the flow.
    assert_eq!(run.trigger["outputs"], hidden);
    assert_eq!(record("Plain").outputs, json!(7));
    assert_eq!(record("Plain").inputs, hidden);
    assert_eq!(record("Unrelated").inputs, json!("visible"));
    // The Response's secured inputs hide the answer in the record.
    assert_eq!(record("Answer").outputs, hidden);
    let response = run.response.clone().unwrap();
    assert_eq!(response["statusCode"], 200);
    assert_eq!(response["body"], hidden);
    // As in the cloud, an action that reads secured outputs shows its own outputs (secure
    // them too to hide them): "Bearer s3cr3t" is Use's, and only there.
    let text = serde_json::to_string(&run).unwrap();
    assert_eq!(text.matches("s3cr3t").count(), 1, "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn unsupported_types_and_connector_steps_without_an_instance_fail_clearly() {
    let run = run(json!({"actions": {
        "Mystery": {"type": "Teleport", "inputs": {}, "runAfter": {}},
        "Fno": {"type": "OpenApiConnection", "inputs": {"host": {"connectionName": "shared_dynamicsax", "operationId": "GetTables"},
            "parameters": {"dataset": "x"}}, "runAfter": {}}
    }}));
    let message = |name: &str| {
        run.actions
            .iter()
            .find(|a| a.name == name)
            .unwrap()
            .error
            .clone()
            .unwrap()
            .message
    };
    assert!(
        message("Mystery").contains("'Teleport' is not supported"),
        "{}",
        message("Mystery")
    );
    assert!(message("Fno").contains("--instance"), "{}", message("Fno"));
}

#[test]
fn observers_see_each_action_start_and_end_and_errors_name_the_field() {
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = seen.clone();
    let mut env = env();
    env.observer = Some(Arc::new(move |event: &RunEvent| {
        let line = match event {
            RunEvent::Started { name, .. } => format!("start {name}"),
            RunEvent::Ended(record) => format!("end {} {}", record.name, record.status.name()),
            RunEvent::Responded(answer) => format!("responded {}", answer["statusCode"]),
        };
        log.lock().unwrap().push(line);
    }));
    let Value::Object(definition) = json!({"actions": {
        "A": {"type": "Compose", "inputs": {"deep": {"field": "@int('x')"}}, "runAfter": {}},
        "B": {"type": "Compose", "inputs": 1, "runAfter": {"A": ["Failed"]}}
    }}) else {
        unreachable!()
    };
    let run = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run_flow(&definition, RunInputs::default(), &env));
    assert_eq!(
        *seen.lock().unwrap(),
        ["start A", "end A Failed", "start B", "end B Succeeded"]
    );
    let message = &run.actions[0].error.as_ref().unwrap().message;
    assert!(
        message.starts_with("Action 'A', inputs.deep.field (@int('x')): "),
        "{message}"
    );
    assert_eq!(run.status, Status::Succeeded, "B handled A's failure");
}

#[test]
fn the_remaining_data_actions() {
    let run = run(json!({"actions": {
        "Init": {"type": "InitializeVariable", "inputs": {"variables": [{"name": "n", "type": "integer", "value": 5}, {"name": "f", "type": "float", "value": 1.5}]}, "runAfter": {}},
        "Set": {"type": "SetVariable", "inputs": {"name": "n", "value": 10}, "runAfter": {"Init": ["Succeeded"]}},
        "Down": {"type": "DecrementVariable", "inputs": {"name": "n", "value": 3}, "runAfter": {"Set": ["Succeeded"]}},
        "Up_float": {"type": "IncrementVariable", "inputs": {"name": "f", "value": 1}, "runAfter": {"Init": ["Succeeded"]}},
        "Missing": {"type": "SetVariable", "inputs": {"name": "nope", "value": 1}, "runAfter": {"Init": ["Succeeded"]}},
        "Pause": {"type": "Wait", "inputs": {"interval": {"count": 0, "unit": "Second"}}, "runAfter": {}},
        "Html": {"type": "Table", "inputs": {"from": [{"a": "<b>"}], "format": "HTML"}, "runAfter": {}}
    }, "outputs": {"n": {"type": "Int", "value": "@variables('n')"}, "f": {"type": "Float", "value": "@variables('f')"}}}));
    assert_eq!(run.outputs["n"], json!(7));
    assert_eq!(run.outputs["f"].as_f64(), Some(2.5));
    assert_eq!(status_of(&run, "Missing"), Status::Failed);
    assert_eq!(status_of(&run, "Pause"), Status::Succeeded);
    assert_eq!(
        outputs_of(&run, "Html")["body"],
        json!(
            "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>&lt;b&gt;</td></tr></tbody></table>"
        )
    );
}

#[test]
fn static_results_stand_in_for_actions_that_cannot_run_here() {
    let run = run(json!({
        "staticResults": {"Send_an_email0": {"status": "Succeeded", "outputs": {"statusCode": 200, "body": {"id": "m-1"}}}},
        "actions": {
            "Send_an_email": {"type": "OpenApiConnection", "inputs": {"host": {"apiId": "/providers/Microsoft.PowerApps/apis/shared_office365",
                "connectionName": "shared_office365", "operationId": "SendEmailV2"}, "parameters": {"emailMessage/To": "a@b.c"}},
                "runtimeConfiguration": {"staticResult": {"name": "Send_an_email0", "staticResultOptions": "Enabled"}}, "runAfter": {}},
            "Uses_it": {"type": "Compose", "inputs": "@body('Send_an_email')?['id']", "runAfter": {"Send_an_email": ["Succeeded"]}},
            "Post_to_teams": {"type": "OpenApiConnection", "inputs": {"host": {"apiId": "/providers/Microsoft.PowerApps/apis/shared_teams",
                "connectionName": "shared_teams", "operationId": "PostMessageToConversation"}, "parameters": {}}, "runAfter": {}}
        }
    }));
    assert_eq!(outputs_of(&run, "Uses_it"), json!("m-1"));
    let teams = run
        .actions
        .iter()
        .find(|a| a.name == "Post_to_teams")
        .unwrap();
    let message = &teams.error.as_ref().unwrap().message;
    assert!(
        message
            .contains("uses the connection 'shared_teams', not the Finance & Operations connector"),
        "{message}"
    );
    assert!(message.contains("staticResult"), "{message}");
}

#[test]
fn retry_policies_read_as_the_cloud_defines_them() {
    use std::time::Duration;
    let policy = |inputs: Value| steps::retry_policy(&inputs);
    let default = policy(json!({})).unwrap();
    assert_eq!(default.max_attempts, 5, "4 retries");
    assert!(
        default.retries_status(500) && default.retries_status(408) && default.retries_status(429)
    );
    assert!(!default.retries_status(400) && !default.retries_status(412));
    assert_eq!(
        policy(json!({"retryPolicy": {"type": "none"}}))
            .unwrap()
            .max_attempts,
        1
    );
    let fixed =
        policy(json!({"retryPolicy": {"type": "fixed", "count": 2, "interval": "PT3S"}})).unwrap();
    assert_eq!(
        (fixed.max_attempts, fixed.base_delay, fixed.max_delay),
        (3, Duration::from_secs(3), Duration::from_secs(3))
    );
    let exponential = policy(json!({"retryPolicy": {"type": "exponential", "count": 6,
        "interval": "PT10S", "maximumInterval": "PT1H"}}))
    .unwrap();
    assert_eq!(exponential.max_attempts, 7);
    assert_eq!(exponential.base_delay, Duration::from_secs(10));
    assert_eq!(exponential.max_delay, Duration::from_secs(3600));
    assert!(
        policy(json!({"retryPolicy": {"type": "sometimes"}}))
            .unwrap_err()
            .contains("'sometimes'")
    );
    assert!(
        policy(json!({"retryPolicy": {"type": "fixed", "interval": "3 seconds"}}))
            .unwrap_err()
            .contains("ISO 8601")
    );
}

/// Names in the order the observer saw them start and end.
fn event_order(definition: Value) -> (RunRecord, Vec<String>) {
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = seen.clone();
    let mut env = env();
    env.observer = Some(Arc::new(move |event: &RunEvent| {
        let line = match event {
            RunEvent::Started { name, .. } => format!("start {name}"),
            RunEvent::Ended(record) => {
                format!("end {}#{}", record.name, record.iteration.unwrap_or(99))
            }
            RunEvent::Responded(answer) => format!("responded {}", answer["statusCode"]),
        };
        log.lock().unwrap().push(line);
    }));
    let Value::Object(definition) = definition else {
        unreachable!()
    };
    let run = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run_flow(&definition, RunInputs::default(), &env));
    let events = seen.lock().unwrap().clone();
    (run, events)
}

#[test]
fn foreach_iterations_run_side_by_side_unless_sequential_or_changing_variables() {
    let body = json!({"Pause": {"type": "Wait", "inputs": {"interval": {"count": 0.05, "unit": "Second"}}, "runAfter": {}},
                      "Echo": {"type": "Compose", "inputs": "@item()", "runAfter": {"Pause": ["Succeeded"]}}});
    let parallel = json!({"actions": {"Loop": {"type": "Foreach", "foreach": "@createArray(1, 2, 3)",
        "actions": body, "runAfter": {}}}, "outputs": {"echoes": {"type": "Array", "value": "@result('Loop')"}}});
    let (run, events) = event_order(parallel);
    assert_eq!(run.status, Status::Succeeded);
    assert_eq!(
        events
            .iter()
            .take(4)
            .filter(|e| *e == "start Pause")
            .count(),
        3,
        "all three waits start first: {events:?}"
    );
    // Results keep iteration order.
    let echoes: Vec<Value> = run
        .actions
        .iter()
        .filter(|a| a.name == "Echo")
        .map(|a| a.outputs.clone())
        .collect();
    assert_eq!(echoes, [json!(1), json!(2), json!(3)]);

    let sequential = json!({"actions": {"Loop": {"type": "Foreach", "foreach": "@createArray(1, 2, 3)",
        "operationOptions": "Sequential", "actions": body, "runAfter": {}}}});
    let (_, events) = event_order(sequential);
    assert_eq!(
        &events[..4],
        ["start Loop", "start Pause", "end Pause#0", "start Echo"],
        "{events:?}"
    );

    let counting = json!({"actions": {
        "Init": {"type": "InitializeVariable", "inputs": {"variables": [{"name": "seen", "type": "string", "value": ""}]}, "runAfter": {}},
        "Loop": {"type": "Foreach", "foreach": "@createArray('a', 'b', 'c')", "actions": {
            "Pause": {"type": "Wait", "inputs": {"interval": {"count": 0.01, "unit": "Second"}}, "runAfter": {}},
            "Add": {"type": "AppendToStringVariable", "inputs": {"name": "seen", "value": "@item()"}, "runAfter": {"Pause": ["Succeeded"]}}
        }, "runAfter": {"Init": ["Succeeded"]}}},
        "outputs": {"seen": {"type": "String", "value": "@variables('seen')"}}});
    let (run, _) = event_order(counting);
    assert_eq!(
        run.outputs["seen"],
        json!("abc"),
        "a body that changes variables runs in order"
    );
}

#[test]
fn values_read_borrowed_are_those_the_functions_return() {
    use crate::flow::expr::evaluate_value;
    use state::{LoopFrame, RunState};
    let mut state = RunState::default();
    state.variables.insert("Total".into(), json!(41));
    state.parameters.insert("p".into(), json!({"k": [1, 2]}));
    state.trigger = json!({"outputs": {"body": {"a": {"B": "x"}}}});
    state.loops.push(LoopFrame {
        name: "Outer".into(),
        item: json!({"Name": "o"}),
        index: 0,
    });
    state.loops.push(LoopFrame {
        name: "Loop".into(),
        item: json!(["first", {"Name": "Contoso"}]),
        index: 1,
    });
    let eval = |text: &str| evaluate_value(&json!(text), &state);
    assert_eq!(eval("@variables('total')").unwrap(), json!(41));
    assert_eq!(eval("@parameters('p')?['k'][1]").unwrap(), json!(2));
    assert_eq!(eval("@triggerBody()?['a']?['b']").unwrap(), json!("x"));
    assert_eq!(eval("@triggerBody().a.B").unwrap(), json!("x"));
    assert_eq!(eval("@item()[1]['name']").unwrap(), json!("Contoso"));
    assert_eq!(eval("@items('Outer')?['Name']").unwrap(), json!("o"));
    let error = eval("@items('Loop')[5]").unwrap_err().to_string();
    assert!(error.contains("index 5 is out of range"), "{error}");
    assert_eq!(eval("@item()?[5]").unwrap(), Value::Null);
    assert!(eval("@variables('missing')").is_err());
}

#[test]
fn date_and_time_actions_run_as_their_functions() {
    let Value::Object(definition) = json!({"actions": {
        "Now": {"type": "Expression", "kind": "CurrentTime", "inputs": {}, "runAfter": {}},
        "Later": {"type": "Expression", "kind": "AddToTime",
            "inputs": {"baseTime": "@body('Now')", "interval": "3", "timeUnit": "Day"},
            "runAfter": {"Now": ["Succeeded"]}},
        "Earlier": {"type": "Expression", "kind": "SubtractFromTime",
            "inputs": {"baseTime": "2018-01-02T00:00:00Z", "interval": 1, "timeUnit": "Day", "formatString": "D"},
            "runAfter": {}},
        "Future": {"type": "Expression", "kind": "GetFutureTime", "inputs": {"interval": 2, "timeUnit": "Hour"}, "runAfter": {}},
        "Past": {"type": "Expression", "kind": "GetPastTime", "inputs": {"interval": 1, "timeUnit": "Month"}, "runAfter": {}},
        // The kind as Power Automate writes it; Logic Apps' designer writes `ConvertTimezone`.
        "Local": {"type": "Expression", "kind": "ConvertTimeZone",
            "inputs": {"baseTime": "2026-07-01T10:00:00Z", "formatString": "yyyy-MM-dd HH:mm",
                "sourceTimeZone": "UTC", "destinationTimeZone": "W. Europe Standard Time"}, "runAfter": {}},
        "Local_default_format": {"type": "Expression", "kind": "ConvertTimezone",
            "inputs": {"baseTime": "2026-01-01T10:00:00Z",
                "sourceTimeZone": "UTC", "destinationTimeZone": "Pacific Standard Time"}, "runAfter": {}},
        "Reads_it": {"type": "Compose", "inputs": "@{body('Local')} / @{outputs('Earlier')?['body']}",
            "runAfter": {"Local": ["Succeeded"], "Earlier": ["Succeeded"]}},
        "No_base_time": {"type": "Expression", "kind": "AddToTime", "inputs": {"interval": 1, "timeUnit": "Day"}, "runAfter": {}},
        "Bad_unit": {"type": "Expression", "kind": "GetFutureTime", "inputs": {"interval": 1, "timeUnit": "Fortnight"}, "runAfter": {}},
        "Unknown_kind": {"type": "Expression", "kind": "Substring", "inputs": {}, "runAfter": {}}
    }}) else {
        unreachable!()
    };
    let now = chrono::DateTime::parse_from_rfc3339("2026-03-10T08:30:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let inputs = RunInputs {
        flow: "test".into(),
        now: Some(now),
        ..RunInputs::default()
    };
    let run = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run_flow(&definition, inputs, &env()));
    let body = |name: &str| outputs_of(&run, name)["body"].clone();
    assert_eq!(body("Now"), json!("2026-03-10T08:30:00.0000000Z"));
    assert_eq!(body("Later"), json!("2026-03-13T08:30:00.0000000Z"));
    assert_eq!(body("Earlier"), json!("Monday, January 1, 2018"));
    assert_eq!(body("Future"), json!("2026-03-10T10:30:00.0000000Z"));
    assert_eq!(body("Past"), json!("2026-02-10T08:30:00.0000000Z"));
    assert_eq!(body("Local"), json!("2026-07-01 12:00"));
    assert_eq!(
        body("Local_default_format"),
        json!("2026-01-01T02:00:00.0000000")
    );
    assert_eq!(
        outputs_of(&run, "Reads_it"),
        json!("2026-07-01 12:00 / Monday, January 1, 2018")
    );
    let error = |name: &str| {
        assert_eq!(status_of(&run, name), Status::Failed, "{name}");
        let record = run.actions.iter().find(|a| a.name == name).unwrap();
        record.error.as_ref().unwrap().message.clone()
    };
    assert!(error("No_base_time").contains("inputs.baseTime: required"));
    assert!(
        error("Bad_unit").contains("Fortnight"),
        "{}",
        error("Bad_unit")
    );
    assert!(
        error("Unknown_kind").contains("kind: expected one of CurrentTime"),
        "{}",
        error("Unknown_kind")
    );
}

#[test]
fn actions_only_the_cloud_runs_fail_with_why_unless_a_static_result_stands_in() {
    let run = run(json!({
        "staticResults": {"Child0": {"status": "Succeeded", "outputs": {"statusCode": 200, "body": {"ok": true}}}},
        "actions": {
            "Child": {"type": "Workflow", "inputs": {"host": {"workflow": {"id": "/subscriptions/x/workflows/child"}, "triggerName": "manual"}},
                "runtimeConfiguration": {"staticResult": {"name": "Child0", "staticResultOptions": "Enabled"}}, "runAfter": {}},
            "Uses_it": {"type": "Compose", "inputs": "@body('Child')?['ok']", "runAfter": {"Child": ["Succeeded"]}},
            "Transform": {"type": "Xslt", "inputs": {"content": "<a/>", "integrationAccount": {"map": {"name": "m"}}}, "runAfter": {}},
            "After_it_failed": {"type": "Compose", "inputs": "handled", "runAfter": {"Transform": ["Failed"]}}
        }
    }));
    assert_eq!(outputs_of(&run, "Uses_it"), json!(true));
    assert_eq!(status_of(&run, "Transform"), Status::Failed);
    let transform = run.actions.iter().find(|a| a.name == "Transform").unwrap();
    let message = &transform.error.as_ref().unwrap().message;
    assert!(
        message.contains("'Xslt' action transforms XML") && message.contains("staticResult"),
        "{message}"
    );
    assert_eq!(outputs_of(&run, "After_it_failed"), json!("handled"));
}

#[test]
fn loops_over_null_and_switches_on_objects_fail_as_in_the_cloud() {
    let run = run(json!({"actions": {
        "Loop": {"type": "Foreach", "foreach": "@triggerBody()?['missing']", "actions": {}, "runAfter": {}},
        "Empty_loop": {"type": "Foreach", "foreach": "@coalesce(triggerBody()?['missing'], createArray())", "actions": {}, "runAfter": {}},
        "On_object": {"type": "Switch", "expression": "@json('{}')", "cases": {}, "default": {"actions": {}}, "runAfter": {}},
        "On_number": {"type": "Switch", "expression": "@add(1, 1)", "runAfter": {},
            "cases": {"Two": {"case": 2, "actions": {"Said_two": {"type": "Compose", "inputs": "two", "runAfter": {}}}}},
            "default": {"actions": {}}}
    }}));
    let error = |name: &str| {
        assert_eq!(status_of(&run, name), Status::Failed, "{name}");
        let record = run.actions.iter().find(|a| a.name == name).unwrap();
        record.error.as_ref().unwrap().message.clone()
    };
    assert!(
        error("Loop").contains("foreach: expected an array, found null (for no iterations"),
        "{}",
        error("Loop")
    );
    assert_eq!(status_of(&run, "Empty_loop"), Status::Succeeded);
    assert!(
        error("On_object").contains(
            "It is of type 'Object' but is expected to be a value of type 'String, Integer'"
        ),
        "{}",
        error("On_object")
    );
    assert_eq!(outputs_of(&run, "Said_two"), json!("two"));
}

#[test]
fn a_terminate_that_succeeds_leaves_the_scopes_around_it_succeeded() {
    let terminate = |status: &str| {
        json!({"actions": {
            "Check": {"type": "If", "expression": "@equals(1, 1)", "runAfter": {},
                "actions": {
                    "Stop": {"type": "Terminate", "inputs": {"runStatus": status, "runError": {"code": "Stop", "message": "stopped"}}, "runAfter": {}},
                    "Not_reached": {"type": "Compose", "inputs": 1, "runAfter": {"Stop": ["Failed"]}}
                },
                "else": {"actions": {}}},
            "After": {"type": "Compose", "inputs": 1, "runAfter": {"Check": ["Succeeded"]}}
        }})
    };
    let succeeded = run(terminate("Succeeded"));
    assert_eq!(succeeded.status, Status::Succeeded);
    assert_eq!(status_of(&succeeded, "Check"), Status::Succeeded);
    assert_eq!(status_of(&succeeded, "Not_reached"), Status::Skipped);
    assert_eq!(status_of(&succeeded, "After"), Status::Skipped);

    let failed = run(terminate("Failed"));
    assert_eq!(failed.status, Status::Failed);
    assert_eq!(status_of(&failed, "Check"), Status::Cancelled);
    let check = failed.actions.iter().find(|a| a.name == "Check").unwrap();
    let error = check.error.as_ref().unwrap();
    assert_ne!(
        error.message,
        "An action failed. No dependent actions succeeded."
    );
}

#[test]
fn skips_and_failed_scopes_carry_the_cloud_s_codes_and_words() {
    let run = run(json!({"actions": {
        "Try": {"type": "Scope", "runAfter": {}, "actions": {
            "Boom": {"type": "Compose", "inputs": "@int('x')", "runAfter": {}}
        }},
        "Only_on_success": {"type": "Compose", "inputs": 1, "runAfter": {"Try": ["Succeeded", "Skipped"]}},
        "Check": {"type": "If", "expression": "@equals(1, 2)", "runAfter": {},
            "actions": {"Yes": {"type": "Compose", "inputs": 1, "runAfter": {}}}, "else": {"actions": {}}}
    }}));
    let error = |name: &str| {
        let record = run.actions.iter().find(|a| a.name == name).unwrap();
        record.error.clone().unwrap()
    };
    // A scope that failed because of an action inside says so in the cloud's words; the
    // run names the cause.
    assert_eq!(error("Try").code, "ActionFailed");
    assert_eq!(
        error("Try").message,
        "An action failed. No dependent actions succeeded."
    );
    assert_eq!(error("Boom").code, "InvalidTemplate");
    assert_eq!(run.error.as_ref().unwrap().code, "InvalidTemplate");
    assert_eq!(error("Only_on_success").code, "ActionConditionFailed");
    assert_eq!(
        error("Only_on_success").message,
        "The execution of template action 'Only_on_success' is skipped: the 'runAfter' condition for action 'Try' is not satisfied. Expected status values 'Succeeded, Skipped' and actual value 'Failed'."
    );
    assert_eq!(error("Yes").code, "ActionBranchingConditionNotSatisfied");
    assert_eq!(
        error("Yes").message,
        "The execution of template action 'Yes' skipped: the branching condition for this action is not satisfied."
    );
}

#[test]
fn a_response_needs_a_status_the_cloud_can_send() {
    let respond = |status: Value| {
        let run = run(json!({"actions": {
            "Answer": {"type": "Response", "kind": "Http", "inputs": {"statusCode": status, "body": "x"}, "runAfter": {}}
        }}));
        let record = run
            .actions
            .iter()
            .find(|a| a.name == "Answer")
            .unwrap()
            .clone();
        (record.status, run.response, record.error)
    };
    let (status, response, _) = respond(json!("@{add(200, 1)}"));
    assert_eq!(status, Status::Succeeded);
    assert_eq!(response.unwrap()["statusCode"], 201);
    let (status, response, _) = respond(json!(404));
    assert_eq!(status, Status::Succeeded);
    assert_eq!(response.unwrap()["statusCode"], 404);
    for bad in [
        json!(302),
        json!("abc"),
        json!(null),
        json!(999),
        json!(101),
    ] {
        let (status, response, error) = respond(bad.clone());
        assert_eq!(status, Status::Failed, "{bad}");
        assert!(response.is_none(), "{bad}");
        assert!(
            error
                .unwrap()
                .message
                .contains("expected an HTTP status starting with 2, 4 or 5"),
            "{bad}"
        );
    }
}

#[test]
fn trigger_gives_the_whole_record() {
    let run = run_with(
        json!({"triggers": {"manual": {"type": "Request", "kind": "Http"}}, "actions": {
            "Whole": {"type": "Compose", "inputs": "@trigger()", "runAfter": {}}
        }}),
        json!({"a": 1}),
        Map::new(),
    );
    let whole = outputs_of(&run, "Whole");
    assert_eq!(whole["name"], "manual");
    assert_eq!(whole["outputs"]["body"], json!({"a": 1}));
    assert_eq!(whole["status"], "Succeeded");
    assert!(whole["startTime"].is_string() && whole["endTime"] == whole["startTime"]);
    assert_eq!(whole["clientTrackingId"], json!(run.id));
}

#[test]
fn a_skipped_last_action_stands_for_every_action_it_runs_after() {
    // IllogicApps' failure propagation case, with a failing Compose for its script step.
    let run = run(json!({"actions": {
        "Handled": {"type": "Scope", "runAfter": {}, "actions": {
            "Boom": {"type": "Compose", "inputs": "@int('x')", "runAfter": {}},
            "Catch": {"type": "Compose", "inputs": 1, "runAfter": {"Boom": ["Failed"]}}
        }},
        "Failing": {"type": "Scope", "runAfter": {"Handled": ["Succeeded"]}, "actions": {
            "Boom": {"type": "Compose", "inputs": "@int('x')", "runAfter": {}},
            "Last_successful_action": {"type": "Compose", "inputs": 1, "runAfter": {"Boom": ["Failed"]}},
            "On_success": {"type": "Compose", "inputs": 1, "runAfter": {"Boom": ["Succeeded"]}},
            "Skipped_thing": {"type": "Compose", "inputs": 1,
                "runAfter": {"Last_successful_action": ["Skipped"], "On_success": ["Skipped"]}}
        }},
        "Should_never_execute": {"type": "Compose", "inputs": 1, "runAfter": {"Failing": ["Succeeded"]}}
    }}));
    assert_eq!(status_of(&run, "Handled"), Status::Succeeded);
    assert_eq!(status_of(&run, "Skipped_thing"), Status::Skipped);
    assert_eq!(status_of(&run, "Failing"), Status::Failed);
    assert_eq!(status_of(&run, "Should_never_execute"), Status::Skipped);
    assert_eq!(run.status, Status::Failed);
}

#[test]
fn schedule_triggers_give_their_times_as_the_cloud_does() {
    let now = chrono::DateTime::parse_from_rfc3339("2026-03-10T08:30:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let run_at = |definition: Value, body: Value| {
        let Value::Object(definition) = definition else {
            unreachable!()
        };
        let inputs = RunInputs {
            flow: "test".into(),
            trigger_body: body,
            now: Some(now),
            ..RunInputs::default()
        };
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(run_flow(&definition, inputs, &env()))
    };
    let sliding = json!({
        "triggers": {"Window": {"type": "SlidingWindow", "recurrence": {"frequency": "Hour", "interval": 6}}},
        "actions": {
            "Outputs": {"type": "Compose", "inputs": "@triggerOutputs()", "runAfter": {}},
            "Body": {"type": "Compose", "inputs": "@triggerBody()", "runAfter": {}},
            "Scheduled": {"type": "Compose", "inputs": "@trigger()?['scheduledTime']", "runAfter": {}}
        }
    });
    // Started by hand: the window is the period that ends now.
    let run = run_at(sliding.clone(), Value::Null);
    assert_eq!(
        outputs_of(&run, "Outputs"),
        json!({"windowStartTime": "2026-03-10T02:30:00.0000000Z", "windowEndTime": "2026-03-10T08:30:00.0000000Z"})
    );
    assert_eq!(outputs_of(&run, "Body"), Value::Null);
    assert_eq!(
        outputs_of(&run, "Scheduled"),
        json!("2026-03-10T08:30:00.0000000Z")
    );
    // Started by the watcher: its window; a re-run is given the same window back.
    let window = json!({"windowStartTime": "2026-03-09T00:00:00.0000000Z", "windowEndTime": "2026-03-09T06:00:00.0000000Z", "scheduledTime": "2026-03-09T06:00:00.0000000Z"});
    let run = run_at(sliding, window.clone());
    assert_eq!(
        outputs_of(&run, "Outputs"),
        json!({"windowStartTime": "2026-03-09T00:00:00.0000000Z", "windowEndTime": "2026-03-09T06:00:00.0000000Z"})
    );
    assert_eq!(super::trigger::delivered(&run.trigger), window);
    // A recurrence's run carries its scheduled time in its record.
    let recurrence = json!({
        "triggers": {"Recurrence": {"type": "Recurrence", "recurrence": {"frequency": "Day", "interval": 1}}},
        "actions": {"Scheduled": {"type": "Compose", "inputs": "@trigger()?['scheduledTime']", "runAfter": {}}}
    });
    let run = run_at(recurrence, Value::Null);
    assert_eq!(
        outputs_of(&run, "Scheduled"),
        json!("2026-03-10T08:30:00.0000000Z")
    );
}

#[test]
fn trigger_gives_the_cloud_s_record_in_its_order() {
    let Value::Object(definition) = json!({
        "triggers": {"manual": {"type": "Request", "kind": "Http",
            "inputs": {"method": "PUT", "relativePath": "boom/{bang}"},
            "correlation": {"clientTrackingId": "@concat('abc', 'def')"}}},
        "actions": {
            "Record": {"type": "Compose", "inputs": "@trigger()", "runAfter": {}},
            "Tracking": {"type": "Compose", "inputs": "@trigger()?['clientTrackingId']", "runAfter": {}}
        }
    }) else {
        unreachable!()
    };
    let inputs = RunInputs {
        flow: "test".into(),
        ..RunInputs::default()
    };
    let run = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run_flow(&definition, inputs, &env()));
    let record = outputs_of(&run, "Record");
    let keys: Vec<&str> = record
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "name",
            "inputs",
            "outputs",
            "startTime",
            "endTime",
            "trackingId",
            "clientTrackingId",
            "originHistoryName",
            "status"
        ]
    );
    assert_eq!(
        record["inputs"],
        json!({"method": "PUT", "relativePath": "boom/{bang}"})
    );
    // Nothing was delivered: no body.
    assert_eq!(record["outputs"].get("body"), None);
    assert_eq!(outputs_of(&run, "Tracking"), json!("abcdef"));
    assert_eq!(record["originHistoryName"], json!(run.id));
}

#[test]
fn the_run_s_error_is_the_failure_that_ended_it_not_one_handled_before() {
    let run = run(json!({"actions": {
        "Try": {"type": "Scope", "runAfter": {}, "actions": {
            "Bad1": {"type": "Compose", "inputs": "@div(1, 0)", "runAfter": {}}
        }},
        "Catch": {"type": "Compose", "inputs": "handled", "runAfter": {"Try": ["Failed"]}},
        "Bad2": {"type": "Compose", "inputs": "@int('x')", "runAfter": {"Catch": ["Succeeded"]}}
    }}));
    assert_eq!(run.status, Status::Failed);
    let error = run.error.expect("an error");
    assert!(
        error.message.contains("'x' is not an integer"),
        "{}",
        error.message
    );
}

#[test]
fn variables_are_one_whatever_the_case_and_set_variable_gives_its_name() {
    let run = run(json!({"actions": {
        "Init": {"type": "InitializeVariable", "inputs": {"variables": [{"name": "TestVar", "type": "string", "value": "a"}]}, "runAfter": {}},
        "Again": {"type": "InitializeVariable", "inputs": {"variables": [{"name": "testVAR", "type": "string", "value": "b"}]}, "runAfter": {"Init": ["Succeeded"]}},
        "Set": {"type": "SetVariable", "inputs": {"name": "testvar", "value": "c"}, "runAfter": {"Again": ["Failed"]}}
    }}));
    assert_eq!(status_of(&run, "Again"), Status::Failed);
    assert_eq!(
        outputs_of(&run, "Set"),
        json!({"body": {"name": "testvar", "value": "c"}})
    );
}

#[test]
fn a_rerun_of_a_served_run_gets_the_same_request() {
    let Value::Object(definition) = json!({
        "triggers": {"manual": {"type": "Request", "kind": "Http"}},
        "actions": {"Id": {"type": "Compose", "inputs": "@triggerOutputs()?['relativePathParameters']?['id']", "runAfter": {}},
            "Fails": {"type": "Compose", "inputs": "@int('x')", "runAfter": {"Id": ["Succeeded"]}}}
    }) else {
        unreachable!()
    };
    let request = json!({"headers": {"x-test": "1"}, "relativePathParameters": {"id": "42"}});
    let inputs = RunInputs {
        flow: "test".into(),
        trigger_body: json!({"a": 1}),
        trigger_request: request.as_object().cloned(),
        ..RunInputs::default()
    };
    let block = |definition: &Map<String, Value>, inputs| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(run_flow(definition, inputs, &env()))
    };
    let run = block(&definition, inputs);
    assert_eq!(outputs_of(&run, "Id"), json!("42"));
    let again = super::rerun_inputs(&run, None).expect("rerun inputs");
    assert_eq!(again.trigger_body, json!({"a": 1}));
    assert_eq!(again.trigger_request, request.as_object().cloned());
    // A run started otherwise carries no request.
    let plain = block(&definition, RunInputs::default());
    assert_eq!(super::trigger::request_of(&plain.trigger), None);
}

#[test]
fn a_rerun_never_reuses_what_the_history_hides() {
    let run = run(json!({"actions": {
        "Plain": {"type": "Compose", "inputs": "open", "runAfter": {}},
        "Hidden": {"type": "Compose", "inputs": "s3cr3t", "runAfter": {"Plain": ["Succeeded"]},
            "runtimeConfiguration": {"secureData": {"properties": ["inputs", "outputs"]}}},
        "Fails": {"type": "Compose", "inputs": "@int(outputs('Hidden'))", "runAfter": {"Hidden": ["Succeeded"]}}
    }}));
    assert_eq!(status_of(&run, "Fails"), Status::Failed);
    // Reusing the record would hand `Fails` the placeholder instead of the real value.
    let refused = super::rerun_inputs(&run, None).expect_err("hidden outputs reused");
    assert!(
        refused.contains("'Hidden'") && refused.contains("re-run from 'Hidden'"),
        "{refused}"
    );
    // From the hidden action itself, it runs again and only `Plain` is reused.
    let again = super::rerun_inputs(&run, Some("Hidden")).expect("rerun from Hidden");
    let reused: Vec<&String> = again.rerun.as_ref().unwrap().reuse.keys().collect();
    assert_eq!(reused, ["Plain"]);
}

#[test]
fn a_run_whose_trigger_outputs_are_hidden_cannot_be_rerun() {
    let run = run_with(
        json!({
            "triggers": {"manual": {"type": "Request", "kind": "Http",
                "runtimeConfiguration": {"secureData": {"properties": ["inputs", "outputs"]}}}},
            "actions": {"Fails": {"type": "Compose", "inputs": "@int('x')", "runAfter": {}}}
        }),
        json!({"password": "p4ss"}),
        Map::new(),
    );
    assert!(secure::holds_hidden(&run.trigger), "{}", run.trigger);
    let refused = super::rerun_inputs(&run, None).expect_err("a hidden trigger body resent");
    assert!(refused.contains("trigger outputs are hidden"), "{refused}");
}
