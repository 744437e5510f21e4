//! `flowbench run`, `validate`, `eval` and `runs` as users run them: every example flow of
//! `assets/flows/` against a demo instance, with the data checked on the server afterwards;
//! exit codes, reports, the run history, retries after a 429, secrets never written.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use flowbench::demo::{DemoConfig, DemoThread};
use serde_json::{Value, json};

fn demo() -> DemoThread {
    demo_with(DemoConfig::default())
}

fn demo_with(config: DemoConfig) -> DemoThread {
    DemoThread::start(DemoConfig { rows: 40, ..config }).unwrap()
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/flows")
        .join(name)
}

/// Runs the binary with its data (run history) in `data`.
fn flowbench(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = match std::env::var_os("FLOWBENCH_BIN") {
        Some(path) => Command::new(path),
        None => Command::cargo_bin("flowbench").unwrap(),
    };
    cmd.args(args)
        .env("FLOWBENCH_DATA_DIR", data)
        .env("XDG_CONFIG_HOME", data.join("config"))
        .env("XDG_DATA_HOME", data.join("share"))
        .env("XDG_CACHE_HOME", data.join("cache"));
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn get(root: &str, path: &str) -> (u16, Value) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let response = reqwest::Client::new()
                .get(format!("{root}{path}"))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(Value::Null))
        })
}

fn run_example(data: &Path, root: &str, flow: &str, extra: &[&str]) -> Output {
    let path = example(flow);
    let mut args = vec!["run", path.to_str().unwrap(), "--instance", root];
    args.extend_from_slice(extra);
    flowbench(data, &args, &[])
}

#[test]
fn every_example_runs_against_the_demo_instance_and_leaves_the_right_data() {
    let demo = demo();
    let root = demo.service_root().to_owned();
    let data = tempfile::tempdir().unwrap();
    let data = data.path();

    // Round trip: created, checked, changed, deleted.
    let output = run_example(
        data,
        &root,
        "customer-group-round-trip.json",
        &["--input", "Group id=RT-1"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        get(
            &root,
            "CustomerGroups(dataAreaId='usmf',CustomerGroupId='RT-1')"
        )
        .0,
        404
    );

    // Cross-company listing with a loop, a condition and assertions.
    let output = run_example(
        data,
        &root,
        "customers-cross-company.json",
        &["--param", "threshold=1"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    // An action on a record: the customer is on hold on the server.
    let (_, first) = get(&root, "CustomersV3?$top=1&$filter=OnHoldStatus%20eq%20'No'");
    let account = first["value"][0]["CustomerAccount"]
        .as_str()
        .unwrap()
        .to_owned();
    let output = run_example(
        data,
        &root,
        "execute-action.json",
        &["--input", &format!("text={account}")],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (_, customer) = get(
        &root,
        &format!("CustomersV3(dataAreaId='usmf',CustomerAccount='{account}')"),
    );
    assert_eq!(customer["OnHoldStatus"], "All");

    // try/catch: the stale update never reached the record.
    let (_, before) = get(
        &root,
        "CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')",
    );
    let output = run_example(data, &root, "try-catch-stale-etag.json", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (_, after) = get(
        &root,
        "CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')",
    );
    assert_eq!(after["Description"], before["Description"]);

    // Data-driven: one run per CSV row, each creating its group.
    let rows = example("data-driven-create.csv");
    let output = run_example(
        data,
        &root,
        "data-driven-create.json",
        &["--data", rows.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (_, created) = get(
        &root,
        "CustomerGroups(dataAreaId='usmf',CustomerGroupId='DD-2')",
    );
    assert_eq!(created["Description"], "Retail, south");
    assert_eq!(created["IsSalesTaxIncludedInPrice"], "Yes");
    assert_eq!(
        get(
            &root,
            "CustomerGroups(dataAreaId='usmf',CustomerGroupId='DD-3')"
        )
        .0,
        200
    );

    // Logic Apps Standard workflow.json with a Response.
    let output = run_example(
        data,
        &root,
        "logic-apps-standard/list-groups/workflow.json",
        &["--input", "top=2", "--report", "json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report[0]["response"]["body"]["count"], 2);

    // A Power Automate export, both branches reachable.
    let output = run_example(
        data,
        &root,
        "power-automate-export.json",
        &[
            "--input",
            &format!("text={account}"),
            "--input",
            "number=0",
            "--report",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let statuses: Vec<(String, String)> = report[0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_owned(),
                a["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&("Compose_enough".to_owned(), "Succeeded".to_owned())),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&("Compose_too_low".to_owned(), "Skipped".to_owned())),
        "{statuses:?}"
    );

    // Every run is in the history.
    let output = flowbench(data, &["runs", "list", "--format", "json"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let runs: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        runs.as_array().unwrap().len(),
        9,
        "one per run, three for the CSV rows"
    );
    let id = runs[0]["id"].as_str().unwrap();
    let output = flowbench(data, &["runs", "show", &id[..8]], &[]);
    let shown: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(shown["id"], id);
    assert!(shown["actions"].as_array().unwrap().len() > 1);
}

fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path
}

#[test]
fn a_failed_assertion_exits_4_with_expected_and_found_and_a_junit_failure() {
    let demo = demo();
    let root = demo.service_root().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let flow = write(
        dir.path(),
        "check.json",
        &json!({"triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"schema": {}}}},
        "actions": {
            "Get_group": {"type": "OpenApiConnection", "inputs": {
                "host": {"connectionName": "shared_dynamicsax", "operationId": "GetItem"},
                "parameters": {"dataset": "d", "table": "CustomerGroups", "id": "usmf,10"}}, "runAfter": {}},
            "Check": {"type": "Assert", "inputs": {"actual": "@body('Get_group')?['Description']", "equals": "Not this"},
                "runAfter": {"Get_group": ["Succeeded"]}}
        }}),
    );
    let report = dir.path().join("junit.xml");
    let output = flowbench(
        dir.path(),
        &[
            "run",
            flow.to_str().unwrap(),
            "--instance",
            &root,
            "--report",
            "junit",
            "--report-file",
            report.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("check.json:"), "file and line: {err}");
    assert!(err.contains("action 'Check'"), "{err}");
    assert!(
        err.contains("expected @body('Get_group')?['Description'] to equal \"Not this\", found"),
        "{err}"
    );
    let xml = std::fs::read_to_string(report).unwrap();
    assert!(xml.contains("<testcase name=\"check\""), "{xml}");
    assert!(xml.contains("<failure type=\"AssertionFailed\""), "{xml}");
    assert!(xml.contains("failures=\"1\""), "{xml}");
}

#[test]
fn invalid_flows_exit_2_with_the_line_and_usage_errors_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\n  \"actions\": {\n    \"A\": {\"type\": }\n  }\n}",
    )
    .unwrap();
    let output = flowbench(dir.path(), &["run", broken.to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("line 3, column"),
        "{}",
        stderr(&output)
    );

    let flow = write(
        dir.path(),
        "bad.json",
        &json!({"triggers": {}, "actions": {
            "A": {"type": "Compose", "inputs": "@add(1,", "runAfter": {}},
            "B": {"type": "Compose", "inputs": "@body('Nope')", "runAfter": {"A": ["Succeeded"]}},
            "C": {"type": "Teleport", "runAfter": {"Ghost": ["Succeeded"]}},
            "D": {"type": "Compose", "inputs": 1, "runAfter": {"E": ["Succeeded"]}},
            "E": {"type": "Compose", "inputs": 1, "runAfter": {"D": ["Succeeded"]}}
        }}),
    );
    let output = flowbench(dir.path(), &["validate", flow.to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    for expected in [
        "actions.A.inputs: expression:",
        "'Nope' that does not exist",
        "'Teleport' is not supported",
        "'Ghost' is not an action of this scope",
        "runs after itself",
    ] {
        assert!(err.contains(expected), "{expected}: {err}");
    }
    assert!(err.contains("bad.json: line "), "lines given: {err}");

    let output = flowbench(
        dir.path(),
        &["run", flow.to_str().unwrap(), "--param", "x"],
        &[],
    );
    assert_ne!(output.status.code(), Some(0));
    let missing = flowbench(
        dir.path(),
        &["run", dir.path().join("none.json").to_str().unwrap()],
        &[],
    );
    assert_eq!(missing.status.code(), Some(1));
}

#[test]
fn connector_steps_are_retried_after_429_and_the_retries_are_recorded() {
    let demo = demo_with(DemoConfig {
        faults: "429:3".parse().unwrap(),
        ..DemoConfig::default()
    });
    let root = demo.service_root().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let steps: serde_json::Map<String, Value> = (1..=4)
        .map(|i| {
            let after = if i == 1 { json!({}) } else { json!({format!("Read_{}", i - 1): ["Succeeded"]}) };
            (
                format!("Read_{i}"),
                json!({"type": "OpenApiConnection", "inputs": {
                    "host": {"connectionName": "shared_dynamicsax", "operationId": "GetItems"},
                    "parameters": {"dataset": "d", "table": "CustomerGroups", "$top": 1}}, "runAfter": after}),
            )
        })
        .collect();
    let flow = write(
        dir.path(),
        "reads.json",
        &json!({"triggers": {}, "actions": steps}),
    );
    let output = flowbench(
        dir.path(),
        &[
            "run",
            flow.to_str().unwrap(),
            "--instance",
            &root,
            "--report",
            "json",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let retries: usize = report[0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["retries"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(retries >= 1, "a 429 was retried and recorded: {report}");
    let first_retry = report[0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|a| a["retries"].as_array().and_then(|r| r.first()))
        .and_then(Value::as_str)
        .unwrap()
        .to_owned();
    assert!(
        first_retry.contains("after 429, waited 1."),
        "the Retry-After wait: {first_retry}"
    );

    // With retryPolicy none, the same 429 fails the step.
    let flow = write(
        dir.path(),
        "no-retry.json",
        &json!({"triggers": {}, "actions": {
            "A": {"type": "Compose", "inputs": 1, "runAfter": {}},
            "Read": {"type": "OpenApiConnection", "inputs": {
                "host": {"connectionName": "shared_dynamicsax", "operationId": "GetItems"},
                "parameters": {"dataset": "d", "table": "CustomerGroups"},
                "retryPolicy": {"type": "none"}}, "runAfter": {"A": ["Succeeded"]}}}}),
    );
    let mut failed = false;
    for _ in 0..3 {
        let output = flowbench(
            dir.path(),
            &["run", flow.to_str().unwrap(), "--instance", &root],
            &[],
        );
        if output.status.code() == Some(3) {
            assert!(stderr(&output).contains("429"), "{}", stderr(&output));
            failed = true;
            break;
        }
    }
    assert!(
        failed,
        "every third request is refused: one of three runs meets it"
    );
}

#[test]
fn secure_parameters_never_reach_a_file_or_the_output() {
    let demo = demo();
    let root = demo.service_root().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let secret = "pa55-w0rd-never-written";
    let flow = write(
        dir.path(),
        "secure.json",
        &json!({"parameters": {"password": {"type": "SecureString"}},
            "triggers": {},
            "actions": {
                "Use": {"type": "Compose", "inputs": "Basic @{base64(parameters('password'))} @{parameters('password')}", "runAfter": {}},
                "Send": {"type": "Http", "inputs": {"method": "GET", "uri": format!("{root}CustomerGroups?$top=1&x=@{{parameters('password')}}")},
                    "runAfter": {"Use": ["Succeeded"]}},
                "Fail": {"type": "Assert", "inputs": {"actual": "@parameters('password')", "equals": "other"}, "runAfter": {"Send": ["Succeeded"]}}
            },
            "outputs": {"echo": {"type": "String", "value": "@parameters('password')"}}}),
    );
    let report = dir.path().join("report.xml");
    let output = flowbench(
        dir.path(),
        &[
            "run",
            flow.to_str().unwrap(),
            "--instance",
            &root,
            "--report",
            "junit",
            "--report-file",
            report.to_str().unwrap(),
        ],
        &[("FLOWBENCH_PARAM_PASSWORD", secret)],
    );
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
    assert!(!shown.contains(secret), "{shown}");
    let show = flowbench(dir.path(), &["runs", "list", "--format", "json"], &[]);
    let runs: Value = serde_json::from_slice(&show.stdout).unwrap();
    let id = runs[0]["id"].as_str().unwrap();
    let shown = flowbench(dir.path(), &["runs", "show", id], &[]);
    assert!(!String::from_utf8_lossy(&shown.stdout).contains(secret));
    // No file anywhere under the data directory holds it (the history database included).
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(secret),
                "{} holds the secret",
                path.display()
            );
        }
    }
}

#[test]
fn eval_prints_one_value_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let eval = |expr: &str| {
        let output = flowbench(dir.path(), &["eval", expr], &[]);
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).trim().to_owned(),
            stderr(&output),
        )
    };
    assert_eq!(eval("@add(1, 2)").1, "3");
    assert_eq!(eval("Total: @{add(1, 2)}").1, "\"Total: 3\"");
    let context = dir.path().join("context.json");
    std::fs::write(
        &context,
        r#"{"triggerBody": {"name": "Ada"}, "variables": {"n": 2}}"#,
    )
    .unwrap();
    let output = flowbench(
        dir.path(),
        &[
            "eval",
            "@concat(triggerBody()?['name'], '-', string(variables('n')))",
            "--context",
            context.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "\"Ada-2\"");
    let (code, _, err) = eval("@add(1,");
    assert_eq!(code, Some(2));
    assert!(err.contains("column"), "{err}");
    // Hostile nesting is refused with a position, not a crash.
    let deep = format!("@{}1{}", "add(1, ".repeat(5000), ")".repeat(5000));
    let (code, _, err) = eval(&deep);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("nest deeper than"), "{err}");
}

#[test]
fn a_selected_record_trigger_delivers_the_record_and_validate_checks_the_instance() {
    let demo = demo();
    let root = demo.service_root().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let (_, page) = get(
        &root,
        "CustomersV3?cross-company=true&$filter=dataAreaId%20eq%20'demf'&$top=1",
    );
    let account = page["value"][0]["CustomerAccount"]
        .as_str()
        .unwrap()
        .to_owned();
    let flow = write(
        dir.path(),
        "selected.json",
        &json!({"triggers": {"For_a_selected_record": {
            "type": "OpenApiConnectionWebhook",
            "inputs": {"host": {"connectionName": "shared_dynamicsax", "operationId": "OnDataEntitySelected"},
                       "parameters": {"dataset": "d", "table": "CustomersV3"}}}},
        "actions": {
            "Check": {"type": "Assert", "inputs": {"actual": "@triggerBody()", "fields": {"CustomerAccount": account, "dataAreaId": "demf"}}, "runAfter": {}}
        }}),
    );
    let keys = format!("demf,{account}");
    let output = flowbench(
        dir.path(),
        &[
            "run",
            flow.to_str().unwrap(),
            "--instance",
            &root,
            "--record",
            &keys,
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = flowbench(
        dir.path(),
        &[
            "run",
            flow.to_str().unwrap(),
            "--instance",
            &root,
            "--record",
            "demf,NOPE-1",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("404"), "{}", stderr(&output));

    let flow = write(
        dir.path(),
        "steps.json",
        &json!({"triggers": {}, "actions": {
            "Create": {"type": "OpenApiConnection", "inputs": {"host": {"connectionName": "shared_dynamicsax", "operationId": "PostItem"},
                "parameters": {"dataset": "d", "table": "CustomerGroups", "item/dataAreaId": "usmf", "item/Colour": "red"}}, "runAfter": {}},
            "Read": {"type": "OpenApiConnection", "inputs": {"host": {"connectionName": "shared_dynamicsax", "operationId": "GetItem"},
                "parameters": {"dataset": "d", "table": "NoSuchEntity", "id": "1"}}, "runAfter": {}},
            "Act": {"type": "OpenApiConnection", "inputs": {"host": {"connectionName": "shared_dynamicsax", "operationId": "ExecuteProcedure"},
                "parameters": {"dataset": "d", "procedure": "CustomersV3/Microsoft.Dynamics.DataEntities.NoSuchAction"}}, "runAfter": {}}
        }}),
    );
    let plain = flowbench(dir.path(), &["validate", flow.to_str().unwrap()], &[]);
    assert_eq!(
        plain.status.code(),
        Some(0),
        "without an instance the structure is fine: {}",
        stderr(&plain)
    );
    let output = flowbench(
        dir.path(),
        &["validate", flow.to_str().unwrap(), "--instance", &root],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    for expected in [
        "field 'Colour' is not a property",
        "required fields not set: CustomerGroupId",
        "'NoSuchEntity'",
        "NoSuchAction",
    ] {
        assert!(err.contains(expected), "{expected}: {err}");
    }
}

#[test]
fn a_failed_run_reruns_from_its_failed_action_with_the_earlier_outputs() {
    let demo = demo();
    let root = demo.service_root().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let step = |operation: &str, parameters: Value| {
        json!({"type": "OpenApiConnection", "inputs": {
            "host": {"connectionName": "shared_dynamicsax", "operationId": operation}, "parameters": parameters}})
    };
    let mut create = step(
        "PostItem",
        json!({"dataset": "d", "table": "CustomerGroups",
        "item/dataAreaId": "usmf", "item/CustomerGroupId": "RR-1", "item/Description": "rerun"}),
    );
    create["runAfter"] = json!({});
    let mut delete = step(
        "DeleteItem",
        json!({"dataset": "d", "table": "CustomerGroups", "id": "usmf,RR-1"}),
    );
    delete["runAfter"] = json!({"Check": ["Succeeded"]});
    let flow = write(
        dir.path(),
        "rerun.json",
        &json!({"parameters": {"expected": {"type": "String", "defaultValue": "wrong"}},
        "triggers": {},
        "actions": {
            "Create": create,
            "Check": {"type": "Assert", "inputs": {"actual": "@body('Create')?['Description']", "equals": "@parameters('expected')"},
                "runAfter": {"Create": ["Succeeded"]}},
            "Delete": delete
        }}),
    );
    let first = flowbench(
        dir.path(),
        &["run", flow.to_str().unwrap(), "--instance", &root],
        &[],
    );
    assert_eq!(first.status.code(), Some(4), "{}", stderr(&first));
    assert_eq!(
        get(
            &root,
            "CustomerGroups(dataAreaId='usmf',CustomerGroupId='RR-1')"
        )
        .0,
        200
    );
    let runs = flowbench(dir.path(), &["runs", "list", "--format", "json"], &[]);
    let runs: Value = serde_json::from_slice(&runs.stdout).unwrap();
    let id = runs[0]["id"].as_str().unwrap().to_owned();

    // Creating RR-1 again would fail (the key exists): the re-run reuses its outputs.
    let again = flowbench(
        dir.path(),
        &[
            "run",
            flow.to_str().unwrap(),
            "--instance",
            &root,
            "--rerun",
            &id,
            "--param",
            "expected=rerun",
            "--report",
            "json",
        ],
        &[],
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let report: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report[0]["rerunOf"], id.as_str());
    assert_eq!(
        get(
            &root,
            "CustomerGroups(dataAreaId='usmf',CustomerGroupId='RR-1')"
        )
        .0,
        404
    );

    let nothing_failed = flowbench(
        dir.path(),
        &[
            "run",
            flow.to_str().unwrap(),
            "--instance",
            &root,
            "--rerun",
            report[0]["id"].as_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(nothing_failed.status.code(), Some(1));
    assert!(
        stderr(&nothing_failed).contains("no failed action"),
        "{}",
        stderr(&nothing_failed)
    );
}

#[test]
fn a_secure_parameter_comes_from_the_keyring_when_not_given() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("fbTestKey{}", std::process::id());
    let secret = "kEyRiNg-value-42";
    let keyring = [
        ("FLOWBENCH_KEYRING", "keyutils"),
        ("FB_TEST_SECRET", secret),
    ];
    let set = flowbench(
        dir.path(),
        &["secret", "set", &name, "--from-env", "FB_TEST_SECRET"],
        &keyring,
    );
    assert_eq!(set.status.code(), Some(0), "{}", stderr(&set));
    let flow = write(
        dir.path(),
        "keyring.json",
        &json!({"parameters": {name.clone(): {"type": "SecureString"}},
            "triggers": {},
            "actions": {"Check": {"type": "Assert",
                "inputs": {"actual": format!("@length(parameters('{name}'))"), "equals": secret.len()}, "runAfter": {}},
                "Show": {"type": "Compose", "inputs": format!("@parameters('{name}')"), "runAfter": {}}}}),
    );
    let output = flowbench(
        dir.path(),
        &["run", flow.to_str().unwrap(), "--report", "json"],
        &keyring,
    );
    let delete = flowbench(dir.path(), &["secret", "delete", &name], &keyring);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains(secret), "{text}");
    assert!(text.contains("*** secure ***"), "{text}");
    assert_eq!(delete.status.code(), Some(0), "{}", stderr(&delete));
    let without = flowbench(dir.path(), &["run", flow.to_str().unwrap()], &keyring);
    assert_eq!(
        without.status.code(),
        Some(1),
        "deleted: the parameter has no value now"
    );
    assert!(
        stderr(&without).contains(&format!("no value for the parameter(s) {name}")),
        "{}",
        stderr(&without)
    );
}

#[test]
fn a_business_event_reaches_definitions_that_read_its_fields_or_its_data_string() {
    let dir = tempfile::tempdir().unwrap();
    let flow = write(
        dir.path(),
        "event.json",
        &json!({"triggers": {"When_a_Business_Event_occurs": {
            "type": "ApiConnectionWebhook",
            "inputs": {"host": {"connection": {"name": "@parameters('$connections')['dynamicsax']['connectionId']"}},
                "body": {"NotificationUrl": "@{listCallbackUrl()}"},
                "path": "/datasets/@{encodeURIComponent(encodeURIComponent('contoso.operations.dynamics.com'))}/subscribebusinessevent/@{encodeURIComponent(encodeURIComponent('CustomerCreatedBusinessEvent'))}",
                "queries": {"businesseventcategory": "Customers"}}}},
        "actions": {
            "From_data": {"type": "Compose", "inputs": "@json(triggerBody()?['data'])?['CustomerAccount']", "runAfter": {}},
            "From_fields": {"type": "Compose", "inputs": "@triggerBody()?['CustomerAccount']", "runAfter": {}},
            "Same": {"type": "Assert", "inputs": {"assertions": [
                {"actual": "@outputs('From_data')", "equals": "US-042"},
                {"actual": "@outputs('From_fields')", "equals": "US-042"}]},
                "runAfter": {"From_data": ["Succeeded"], "From_fields": ["Succeeded"]}}
        }}),
    );
    let as_fields = write(
        dir.path(),
        "fields.json",
        &json!({"BusinessEventId": "CustomerCreatedBusinessEvent", "CustomerAccount": "US-042", "LegalEntity": "usmf"}),
    );
    let as_data = write(
        dir.path(),
        "data.json",
        &json!({"data": json!({"BusinessEventId": "CustomerCreatedBusinessEvent", "CustomerAccount": "US-042"}).to_string()}),
    );
    for event in [as_fields, as_data] {
        let output = flowbench(
            dir.path(),
            &[
                "run",
                flow.to_str().unwrap(),
                "--trigger-body",
                event.to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}: {}",
            event.display(),
            stderr(&output)
        );
    }
}

#[test]
fn a_flow_is_checked_against_the_instance_before_it_runs_naming_actions_and_fields() {
    let demo = demo();
    let root = demo.service_root().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let host = |op: &str| json!({"apiId": "/providers/Microsoft.PowerApps/apis/shared_dynamicsax", "connectionName": "shared_dynamicsax", "operationId": op});
    let flow = write(
        dir.path(),
        "moved.json",
        &json!({
            "triggers": {"manual": {"type": "Request", "kind": "Button"}},
            "actions": {
                "Create_group": {"type": "OpenApiConnection", "runAfter": {}, "inputs": {"host": host("PostItem"),
                    "parameters": {"dataset": "d", "table": "CustomerGroups", "item/dataAreaId": "usmf", "item/CustomerGroupId": "MOVED", "item/Colour": "teal"}}},
                "Get_widget": {"type": "OpenApiConnection", "runAfter": {"Create_group": ["Succeeded"]}, "inputs": {"host": host("GetItem"),
                    "parameters": {"dataset": "d", "table": "Widgets", "id": "usmf,1"}}}
            }
        }),
    );
    let output = flowbench(
        dir.path(),
        &["run", flow.to_str().unwrap(), "--instance", &root],
        &[],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    let problems: Vec<&str> = err.lines().collect();
    assert!(
        problems
            .iter()
            .any(|l| l.contains("Create_group") && l.contains("'Colour'")),
        "{err}"
    );
    assert!(
        problems
            .iter()
            .any(|l| l.contains("Get_widget") && l.contains("Widgets")),
        "{err}"
    );
    assert_eq!(problems.len(), 2, "exactly what is missing: {err}");
    // Nothing ran: the group was not created.
    assert_eq!(
        get(
            &root,
            "CustomerGroups(dataAreaId='usmf',CustomerGroupId='MOVED')"
        )
        .0,
        404
    );
    // validate --instance says the same.
    let output = flowbench(
        dir.path(),
        &["validate", flow.to_str().unwrap(), "--instance", &root],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("'Colour'"));
}

#[test]
fn a_standard_workflow_reads_its_project_s_app_settings_and_parameters_and_keeps_secrets_out() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "k3y-from-local-settings";
    std::fs::write(
        dir.path().join("local.settings.json"),
        json!({"IsEncrypted": false, "Values": {"Greeting": "hi", "Service-Key": secret, "Region": "from-file", "Api-Password": "pw42"}})
            .to_string(),
    )
    .unwrap();
    let project = dir.path().join("Orders");
    std::fs::create_dir_all(&project).unwrap();
    let flow = write(
        &project,
        "workflow.json",
        &json!({"definition": {
            "triggers": {"manual": {"type": "Request", "kind": "Http"}},
            "actions": {
                "Greet": {"type": "Compose", "inputs": "@{appsetting('greeting')} @{length(appsetting('Service-Key'))}", "runAfter": {}},
                "Env_wins": {"type": "Compose", "inputs": "@equals(appsetting('Region'), 'from-the-environment')", "runAfter": {}},
                "Key": {"type": "Compose", "inputs": "@appsetting('Service-Key')", "runAfter": {}},
                "Short_secret": {"type": "Compose", "inputs": "[@{appsetting('Api-Password')}]", "runAfter": {}},
                "Missing": {"type": "Compose", "inputs": "@appsetting('Nowhere')", "runAfter": {}},
                "From_parameters": {"type": "Compose", "inputs": "@{parameters('Greeting')} @{length(parameters('Endpoint'))}", "runAfter": {}}
            }}, "kind": "Stateful"}),
    );
    // Standard declares parameters beside the workflow, never in it.
    let validated = flowbench(dir.path(), &["validate", flow.to_str().unwrap()], &[]);
    assert_eq!(validated.status.code(), Some(0), "{}", stderr(&validated));
    std::fs::write(
        dir.path().join("parameters.json"),
        json!({"Greeting": {"type": "String", "value": "hello"},
               "Endpoint": {"type": "String", "value": "@appsetting('Service-Key')"}})
        .to_string(),
    )
    .unwrap();
    let output = flowbench(
        dir.path(),
        &["run", flow.to_str().unwrap(), "--report", "json"],
        &[("Region", "from-the-environment")],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let action = |name: &str| {
        report[0]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        action("Greet")["outputs"],
        json!(format!("hi {}", secret.len()))
    );
    assert_eq!(action("Env_wins")["outputs"], json!(true));
    assert_eq!(action("Key")["status"], "Succeeded");
    assert_eq!(action("Key")["outputs"], json!("*** secure ***"));
    // Short, but its name says it is a secret.
    assert_eq!(action("Short_secret")["outputs"], json!("[*** secure ***]"));
    assert_eq!(
        action("From_parameters")["outputs"],
        json!(format!("hello {}", secret.len()))
    );
    let missing = action("Missing")["error"]["message"].to_string();
    assert!(
        missing.contains("the app setting 'Nowhere' is not set"),
        "{missing}"
    );
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
    assert!(!shown.contains(secret), "{shown}");

    // A local.settings.json that is not JSON stops the run, saying where.
    std::fs::write(
        dir.path().join("local.settings.json"),
        "{\"Values\": {\"a\": }",
    )
    .unwrap();
    let output = flowbench(dir.path(), &["run", flow.to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("local.settings.json: line 1, column"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_lone_standard_workflow_asks_for_the_parameters_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("Hello");
    std::fs::create_dir_all(&project).unwrap();
    let flow = write(
        &project,
        "workflow.json",
        &json!({"definition": {
            "triggers": {"manual": {"type": "Request", "kind": "Http"}},
            "actions": {"Greet": {"type": "Compose", "inputs": "@{parameters('Greeting')}, world", "runAfter": {}}}
        }, "kind": "Stateless"}),
    );
    let output = flowbench(dir.path(), &["run", flow.to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no value for the parameter(s) Greeting"),
        "{}",
        stderr(&output)
    );
    let output = flowbench(
        dir.path(),
        &[
            "run",
            flow.to_str().unwrap(),
            "--param",
            "Greeting=Hello",
            "--report",
            "json",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report[0]["actions"][0]["outputs"], "Hello, world");
}

#[test]
fn replay_reads_a_standard_project_s_app_settings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("local.settings.json"),
        json!({"IsEncrypted": false, "Values": {"Region": "eu"}}).to_string(),
    )
    .unwrap();
    let project = dir.path().join("Orders");
    std::fs::create_dir_all(&project).unwrap();
    let flow = write(
        &project,
        "workflow.json",
        &json!({"definition": {
            "triggers": {"manual": {"type": "Request", "kind": "Http"}},
            "actions": {"Check": {"type": "If", "runAfter": {},
                "expression": {"and": [{"equals": ["@appsetting('Region')", "@triggerBody()?['region']"]}]},
                "actions": {},
                "else": {"actions": {"Stop": {"type": "Terminate", "runAfter": {},
                    "inputs": {"runStatus": "Failed", "runError": {"message": "@{appsetting('Region')}"}}}}}}}
        }, "kind": "Stateful"}),
    );
    let events = dir.path().join("events.json");
    std::fs::write(&events, r#"[{"region": "eu"}, {"region": "us"}]"#).unwrap();
    let output = flowbench(
        dir.path(),
        &[
            "replay",
            flow.to_str().unwrap(),
            events.to_str().unwrap(),
            "--no-history",
        ],
        &[],
    );
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
    // The first event matches the setting, the second does not.
    assert_ne!(output.status.code(), Some(0), "{shown}");
    assert!(shown.contains("events.json#1): Succeeded"), "{shown}");
    assert!(shown.contains("Terminated: eu"), "{shown}");
}

#[test]
fn a_step_that_cannot_run_here_fails_alone_and_the_rest_of_the_flow_runs() {
    let dir = tempfile::tempdir().unwrap();
    let flow = write(
        dir.path(),
        "mail.json",
        &json!({"definition": {
            "triggers": {"manual": {"type": "Request", "kind": "Http"}},
            "actions": {
                "Send_an_email": {"type": "ApiConnection", "runAfter": {},
                    "inputs": {"host": {"connection": {"name": "@parameters('$connections')['office365']['connectionId']"}},
                        "method": "post", "path": "/v2/Mail"}},
                "Code": {"type": "JavaScriptCode", "inputs": {"code": "return 1;"}, "runAfter": {}},
                "Handled": {"type": "Compose", "inputs": "went on",
                    "runAfter": {"Send_an_email": ["Failed"], "Code": ["Failed"]}}
            }}, "kind": "Stateful"}),
    );
    // validate names both steps, as warnings: the file is valid...
    let validated = flowbench(dir.path(), &["validate", flow.to_str().unwrap()], &[]);
    assert_eq!(validated.status.code(), Some(0), "{}", stderr(&validated));
    assert!(
        stderr(&validated).contains("warning: ")
            && stderr(&validated).contains("the connection 'office365'")
            && stderr(&validated).contains("valid (3 actions; 2 of them run only in the cloud"),
        "{}",
        stderr(&validated)
    );
    // ...while a fault of the file is still an error.
    let mut broken: Value = serde_json::from_str(&std::fs::read_to_string(&flow).unwrap()).unwrap();
    broken["definition"]["actions"]["Handled"]["inputs"] = json!("@{concat('a', }");
    std::fs::write(&flow, broken.to_string()).unwrap();
    let validated = flowbench(dir.path(), &["validate", flow.to_str().unwrap()], &[]);
    assert_eq!(validated.status.code(), Some(2), "{}", stderr(&validated));
    assert!(
        stderr(&validated).contains("error: "),
        "{}",
        stderr(&validated)
    );
    let mut fixed = broken;
    fixed["definition"]["actions"]["Handled"]["inputs"] = json!("went on");
    std::fs::write(&flow, fixed.to_string()).unwrap();
    // ...and a run goes on: each fails on its own and the handler after them runs.
    let output = flowbench(
        dir.path(),
        &["run", flow.to_str().unwrap(), "--report", "json"],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("note: "), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let status = |name: &str| {
        report[0]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .map(|a| a["status"].clone())
            .unwrap()
    };
    assert_eq!(status("Send_an_email"), json!("Failed"));
    assert_eq!(status("Code"), json!("Failed"));
    assert_eq!(status("Handled"), json!("Succeeded"));
}

#[test]
fn run_gives_the_trigger_body_to_the_trigger_s_split_on_and_conditions_as_when_it_fires() {
    let dir = tempfile::tempdir().unwrap();
    let flow = write(
        dir.path(),
        "split.json",
        &json!({"triggers": {"manual": {"type": "Request", "kind": "Http",
                "splitOn": "@triggerBody()?['Rows']",
                "conditions": [{"expression": "@not(equals(triggerBody()?['skip'], true))"}]}},
            "actions": {"Show": {"type": "Compose", "inputs": "@triggerBody()?['name']", "runAfter": {}}}}),
    );
    let body = dir.path().join("rows.json");
    std::fs::write(
        &body,
        r#"{"Rows": [{"name": "one"}, {"name": "two", "skip": true}, {"name": "three"}]}"#,
    )
    .unwrap();
    let output = flowbench(
        dir.path(),
        &[
            "run",
            flow.to_str().unwrap(),
            "--trigger-body",
            body.to_str().unwrap(),
            "--no-history",
            "--report",
            "json",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let shown: Vec<&Value> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|run| &run["actions"][0]["outputs"])
        .collect();
    assert_eq!(shown, [&json!("one"), &json!("three")]);
    assert!(
        stderr(&output).contains("no run (item 2): the trigger condition"),
        "{}",
        stderr(&output)
    );
}
