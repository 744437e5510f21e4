//! `flowbench watch` and `flowbench replay` as users run them, against a demo instance on
//! 127.0.0.1: a business event flow turned on registers its webhook, runs when a customer
//! is created and unregisters on SIGTERM; saved events replayed twice and shuffled start
//! one run each, in the order printed.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use flowbench::demo::{DemoConfig, DemoThread};
use serde_json::{Value, json};

fn example(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(path)
}

fn command(data: &Path, args: &[&str]) -> Command {
    let bin = std::env::var_os("FLOWBENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_flowbench")));
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .env("FLOWBENCH_DATA_DIR", data)
        .env("XDG_CONFIG_HOME", data.join("config"))
        .env("XDG_CACHE_HOME", data.join("cache"));
    cmd
}

/// Lines of a child's stream, as they come.
fn lines_of(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("child output".to_owned())
        .spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        })
        .unwrap();
    rx
}

fn wait_for_line(lines: &mpsc::Receiver<String>, needle: &str, seen: &mut Vec<String>) -> String {
    loop {
        match lines.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => {
                seen.push(line.clone());
                if line.contains(needle) {
                    return line;
                }
            }
            Err(_) => panic!("no line with '{needle}' came; saw: {seen:#?}"),
        }
    }
}

fn request(method: &str, url: &str, body: Option<Value>) -> (u16, Value) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let client = reqwest::Client::new();
            let mut builder = match method {
                "POST" => client.post(url),
                _ => client.get(url),
            };
            if let Some(body) = body {
                builder = builder.json(&body);
            }
            let response = builder.send().await.unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        })
}

fn registrations(root: &str) -> Vec<Value> {
    let (status, body) = request(
        "GET",
        &format!("{root}BusinessEventsEndpoints?cross-company=true"),
        None,
    );
    assert_eq!(status, 200);
    body["value"].as_array().cloned().unwrap_or_default()
}

fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn watch_turns_a_business_event_flow_on_runs_it_per_event_and_off_on_sigterm() {
    let demo = DemoThread::start(DemoConfig {
        rows: 6,
        ..DemoConfig::default()
    })
    .unwrap();
    let root = demo.service_root().to_owned();
    let data = tempfile::tempdir().unwrap();
    let flow = example("flows/new-customer-business-event.json");
    let mut child = command(
        data.path(),
        &["watch", flow.to_str().unwrap(), "--instance", &root],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let stdout = lines_of(child.stdout.take().unwrap());
    let stderr = lines_of(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    let on = wait_for_line(
        &stderr,
        ": on: business event CustomerCreatedBusinessEvent",
        &mut seen,
    );
    let listed = registrations(&root);
    assert_eq!(listed.len(), 1, "{listed:#?}");
    let url = listed[0]["EndpointUrl"].as_str().unwrap();
    assert!(on.ends_with(url), "{on} names {url}");

    let (status, _) = request(
        "POST",
        &format!("{root}CustomersV3"),
        Some(
            json!({"dataAreaId": "usmf", "CustomerAccount": "WATCH-1", "OrganizationName": "Watched", "CustomerGroupId": "10", "SalesCurrencyCode": "USD"}),
        ),
    );
    assert_eq!(status, 201);
    wait_for_line(&stdout, "started", &mut seen);
    let finished = wait_for_line(&stdout, " ms", &mut seen);
    assert!(finished.contains("Succeeded"), "{finished}");

    terminate(&child);
    wait_for_line(&stderr, "off: endpoint", &mut seen);
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0));
    assert!(
        registrations(&root).is_empty(),
        "SIGTERM removes the registration"
    );

    // The event was kept: listed with its run, saved, and replayed from the saved file.
    let saved = data.path().join("saved");
    let output = command(
        data.path(),
        &[
            "events",
            flow.to_str().unwrap(),
            "--save",
            saved.to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    let listing = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{listing}");
    assert_eq!(listing.lines().count(), 1, "{listing}");
    let event_id = listing.split_whitespace().nth(1).unwrap().to_owned();
    let file = saved.join(format!("{event_id}.json"));
    let payload: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(payload["CustomerAccount"], "WATCH-1");
    let replayed = command(
        data.path(),
        &[
            "replay",
            flow.to_str().unwrap(),
            file.to_str().unwrap(),
            "--instance",
            &root,
        ],
    )
    .output()
    .unwrap();
    assert_eq!(
        replayed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&replayed.stderr)
    );

    // The runs are in the history with the event as their trigger body.
    let output = command(data.path(), &["runs", "list", "--format", "json"])
        .output()
        .unwrap();
    let runs = String::from_utf8_lossy(&output.stdout);
    assert!(runs.contains("new-customer-business-event"), "{runs}");
}

#[test]
fn replay_runs_each_event_the_times_asked_in_the_printed_order() {
    let demo = DemoThread::start(DemoConfig {
        rows: 6,
        ..DemoConfig::default()
    })
    .unwrap();
    let root = demo.service_root().to_owned();
    let data = tempfile::tempdir().unwrap();
    let flow = example("flows/new-customer-business-event.json");
    let event = example("events/customer-created.json");
    // A second event naming a customer that does not exist: its runs fail their Get.
    let missing = data.path().join("missing.json");
    let mut payload: Value =
        serde_json::from_str(&std::fs::read_to_string(&event).unwrap()).unwrap();
    payload["CustomerAccount"] = json!("NOPE-404");
    std::fs::write(&missing, payload.to_string()).unwrap();

    let output = command(
        data.path(),
        &[
            "replay",
            flow.to_str().unwrap(),
            event.to_str().unwrap(),
            missing.to_str().unwrap(),
            "--times",
            "2",
            "--shuffle",
            "11",
            "--instance",
            &root,
        ],
    )
    .output()
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(3),
        "a Get failed: {stdout}\n{stderr}"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    let failing = lines
        .iter()
        .filter(|l| l.contains("missing.json") && l.ends_with("Failed"))
        .count();
    let passing = lines
        .iter()
        .filter(|l| l.contains("customer-created.json") && l.ends_with("Succeeded"))
        .count();
    assert_eq!((failing, passing), (2, 2), "{stdout}");
    assert!(stderr.contains("seed 11"), "{stderr}");
    // The same seed gives the same order.
    let again = command(
        data.path(),
        &[
            "replay",
            flow.to_str().unwrap(),
            event.to_str().unwrap(),
            missing.to_str().unwrap(),
            "--times",
            "2",
            "--shuffle",
            "11",
            "--instance",
            &root,
            "--no-history",
        ],
    )
    .output()
    .unwrap();
    let order = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split(':').next().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        order(&String::from_utf8_lossy(&again.stdout)),
        order(&stdout)
    );
    // The failed runs name the action and the missing record on stderr, like `run`.
    assert!(stderr.contains("action 'Get_the_customer'"), "{stderr}");
}

/// Sends one request to a served flow; its status, a header and its body as text.
fn call(
    url: &str,
    method: reqwest::Method,
    headers: &[(&str, &str)],
    body: Option<(&str, &str)>,
) -> (u16, Option<String>, String) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let mut builder = reqwest::Client::new().request(method, url);
            for (name, value) in headers {
                builder = builder.header(*name, *value);
            }
            if let Some((content_type, text)) = body {
                builder = builder
                    .header("content-type", content_type)
                    .body(text.to_owned());
            }
            let response = builder.send().await.unwrap();
            let status = response.status().as_u16();
            let order = response
                .headers()
                .get("x-order")
                .map(|v| v.to_str().unwrap().to_owned());
            (status, order, response.text().await.unwrap())
        })
}

#[test]
fn serve_answers_http_requests_with_the_flow_s_response_action() {
    let data = tempfile::tempdir().unwrap();
    let flow = data.path().join("orders.json");
    std::fs::write(
        &flow,
        json!({"definition": {
            "triggers": {"manual": {"type": "Request", "kind": "Http",
                "inputs": {"method": "POST", "relativePath": "orders/{id}"}}},
            "actions": {
                "Check": {"type": "If", "runAfter": {},
                    "expression": {"equals": ["@triggerOutputs()?['queries']?['fail']", "yes"]},
                    "actions": {"Stop": {"type": "Terminate", "runAfter": {}, "inputs": {"runStatus": "Failed"}}},
                    "else": {"actions": {}}},
                // Secure inputs hide the answer in the run history, not from the caller.
                "Answer": {"type": "Response", "kind": "Http", "runAfter": {"Check": ["Succeeded"]},
                    "runtimeConfiguration": {"secureData": {"properties": ["inputs"]}},
                    "inputs": {"statusCode": 201,
                        "headers": {"x-order": "@{triggerOutputs()?['relativePathParameters']?['id']}"},
                        "body": {"id": "@triggerOutputs()?['relativePathParameters']?['id']",
                            "header": "@triggerOutputs()?['headers']?['x-test']",
                            "body": "@triggerBody()",
                            "form": "@triggerFormDataValue('qty')"}}},
                "Afterwards": {"type": "Wait", "runAfter": {"Answer": ["Succeeded"]},
                    "inputs": {"interval": {"count": 2, "unit": "Second"}}}
            }}, "kind": "Stateful"})
        .to_string(),
    )
    .unwrap();
    let mut child = command(data.path(), &["serve", flow.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = lines_of(child.stdout.take().unwrap());
    let stderr = lines_of(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    let listening = wait_for_line(&stderr, "listening on ", &mut seen);
    let url = listening
        .split("listening on ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .replace("{id}", "SO%2042");

    // JSON in, the Response action's answer out: status, header and body.
    let (status, order, text) = call(
        &url,
        reqwest::Method::POST,
        &[("x-test", "hi")],
        Some(("application/json", r#"{"qty": 2}"#)),
    );
    assert_eq!(status, 201, "{text}");
    assert_eq!(order.as_deref(), Some("SO 42"));
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["id"], "SO 42");
    assert_eq!(body["header"], "hi");
    assert_eq!(body["body"], json!({"qty": 2}));
    // Answered when the Response ran; the run goes on (its line comes when it ends).
    assert!(
        stdout.try_recv().is_err(),
        "the run had ended before the answer"
    );
    wait_for_line(&stdout, "Succeeded", &mut seen);

    // A form: its fields through triggerFormDataValue.
    let (status, _, text) = call(
        &url,
        reqwest::Method::POST,
        &[],
        Some(("application/x-www-form-urlencoded", "qty=7&note=a+b")),
    );
    assert_eq!(status, 201, "{text}");
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["form"], "7");
    wait_for_line(&stdout, "Succeeded", &mut seen);

    // The trigger's method and path are checked; a run that ends before answering is a
    // 502, as in the cloud.
    let (status, _, _) = call(&url, reqwest::Method::GET, &[], None);
    assert_eq!(status, 405);
    let elsewhere = url.replace("/orders/", "/invoices/");
    let (status, _, _) = call(&elsewhere, reqwest::Method::POST, &[], None);
    assert_eq!(status, 404);
    let (status, _, text) = call(&format!("{url}?fail=yes"), reqwest::Method::POST, &[], None);
    assert_eq!(status, 502, "{text}");
    assert!(text.contains("NoResponse"), "{text}");
    // Not from a web page.
    let (status, _, _) = call(
        &url,
        reqwest::Method::POST,
        &[("origin", "http://example.com")],
        None,
    );
    assert_eq!(status, 403);

    // Stopped while a run goes on after answering: that run is cancelled and stored.
    let (status, _, text) = call(
        &url,
        reqwest::Method::POST,
        &[],
        Some(("application/x-www-form-urlencoded", "qty=1")),
    );
    assert_eq!(status, 201, "{text}");
    terminate(&child);
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let output = command(data.path(), &["runs", "list", "--format", "json"])
        .output()
        .unwrap();
    let runs: Value = serde_json::from_slice(&output.stdout).unwrap();
    let statuses: Vec<&str> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.len(), 4, "{runs:#}");
    assert!(statuses.contains(&"Cancelled"), "{runs:#}");
}
