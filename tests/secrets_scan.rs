//! Secrets never leave memory: known values — a client secret (`--client-secret-env`), a
//! bearer token (`--token-env`), secure flow parameters (`FLOWBENCH_PARAM_<NAME>`, one of
//! them a bearer token an `Http` step sends) — go through sign-in against the real OpenID
//! provider, explorer-like commands, flows with the run history and a JUnit report, and
//! `flowbench export` to each product; then every file Flowbench wrote (config, data and
//! cache directories, home, reports, outputs, zip entries) and all its stdout and stderr are
//! scanned for them, and for any JWT: none appears.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

mod oidc_peer;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use flowbench::demo::auth::{AuthMode, BearerConfig};
use flowbench::demo::{DemoConfig, DemoServer};
use oidc_peer::{AUDIENCE, OidcPeer, SERVICE_CLIENT, form_body};
use serde_json::json;

/// The directories one Flowbench "machine" writes to.
struct Dirs {
    _root: tempfile::TempDir,
    root: PathBuf,
    work: PathBuf,
}

impl Dirs {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().to_path_buf();
        for sub in [
            "config",
            "data",
            "xdg-config",
            "xdg-data",
            "xdg-cache",
            "home",
            "work",
        ] {
            std::fs::create_dir_all(path.join(sub)).unwrap();
        }
        Self {
            work: path.join("work"),
            root: path,
            _root: root,
        }
    }

    fn flowbench(&self) -> Command {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin("flowbench"));
        command
            .current_dir(&self.work)
            .env("HOME", self.root.join("home"))
            .env("FLOWBENCH_CONFIG_DIR", self.root.join("config"))
            .env("FLOWBENCH_DATA_DIR", self.root.join("data"))
            .env("XDG_CONFIG_HOME", self.root.join("xdg-config"))
            .env("XDG_DATA_HOME", self.root.join("xdg-data"))
            .env("XDG_CACHE_HOME", self.root.join("xdg-cache"))
            .env("FLOWBENCH_KEYRING", "keyutils")
            .stdin(Stdio::null());
        command
    }
}

/// Every output of every command, kept for the scan.
#[derive(Default)]
struct Outputs(Vec<(String, Vec<u8>)>);

impl Outputs {
    async fn run(&mut self, what: &str, mut command: Command, must_succeed: bool) -> Output {
        let output = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        if must_succeed {
            assert!(
                output.status.success(),
                "{what}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        self.0
            .push((format!("{what} (stdout)"), output.stdout.clone()));
        self.0
            .push((format!("{what} (stderr)"), output.stderr.clone()));
        output
    }
}

/// A JWT access token for the demo's audience, straight from the provider.
async fn client_credentials_token(peer: &OidcPeer) -> String {
    let body = form_body(&[
        ("grant_type", "client_credentials"),
        ("client_id", SERVICE_CLIENT),
        ("client_secret", peer.service_secret.as_str()),
        ("scope", "api"),
        ("resource", AUDIENCE),
    ]);
    let response = reqwest::Client::new()
        .post(format!("{}/token", peer.issuer))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = response.json().await.unwrap();
    json["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token: {json}"))
        .to_owned()
}

/// Every file under `dir`, with zip entries read out (a compressed secret would hide).
fn files(dir: &Path, found: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, found);
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        if path.extension().is_some_and(|e| e == "zip") {
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
            for index in 0..archive.len() {
                let mut file = archive.by_index(index).unwrap();
                let mut content = Vec::new();
                std::io::Read::read_to_end(&mut file, &mut content).unwrap();
                let entry = file.name().map(|n| n.into_owned()).unwrap_or_default();
                found.push((format!("{}!{entry}", path.display()), content));
            }
        }
        found.push((path.display().to_string(), bytes));
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_file_or_the_output() {
    let peer = OidcPeer::start();
    let demo = DemoServer::start(DemoConfig {
        rows: 20,
        auth: AuthMode::Bearer(BearerConfig {
            issuer: peer.issuer.clone(),
            audience: AUDIENCE.to_owned(),
        }),
        ..DemoConfig::default()
    })
    .await
    .unwrap();
    let root = demo.service_root().to_owned();
    let dirs = Dirs::new();
    let mut outputs = Outputs::default();
    let client_secret = peer.service_secret.clone();
    let env_token = client_credentials_token(&peer).await;
    let param_token = client_credentials_token(&peer).await;
    assert_ne!(env_token, param_token);
    let param_text = format!("param-{}", uuid::Uuid::new_v4().simple());
    let name = format!("scan-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);

    // Sign-in: a saved instance with a client secret from the environment.
    let mut add = dirs.flowbench();
    add.args(["instance", "add", &name, "--kind", "fno", "--url", &root])
        .args(["--authority", &peer.issuer, "--client-id", SERVICE_CLIENT])
        .args([
            "--client-secret-env",
            "SCAN_CLIENT_SECRET",
            "--scope",
            "api",
        ])
        .env("SCAN_CLIENT_SECRET", &client_secret);
    outputs.run("instance add", add, true).await;
    let mut signin = dirs.flowbench();
    signin.args(["signin", &name]);
    outputs.run("signin", signin, true).await;

    // Explorer-like commands through the saved instance and with --token-env.
    for args in [
        vec!["entities", "--instance", &name],
        vec!["list", "CustomersV3", "--instance", &name, "--top", "3"],
        vec![
            "list",
            "CustomerGroups",
            "--instance",
            &name,
            "--all",
            "--format",
            "csv",
            "--output",
            "groups.csv",
        ],
        vec!["get", "CustomerGroups", "usmf,10", "--instance", &name],
        vec![
            "create",
            "CustomerGroups",
            "--instance",
            &name,
            "--data",
            r#"{"dataAreaId": "usmf", "CustomerGroupId": "SCAN", "Description": "scan"}"#,
        ],
        vec![
            "update",
            "CustomerGroups",
            "usmf,SCAN",
            "--instance",
            &name,
            "--data",
            r#"{"Description": "scanned"}"#,
        ],
        vec!["delete", "CustomerGroups", "usmf,SCAN", "--instance", &name],
    ] {
        let mut command = dirs.flowbench();
        command.args(&args);
        outputs.run(&args.join(" "), command, true).await;
    }
    let mut with_token = dirs.flowbench();
    with_token
        .args([
            "--token-env",
            "SCAN_TOKEN",
            "list",
            "CustomersV3",
            "--instance",
            &root,
        ])
        .args(["--top", "2", "--format", "table"])
        .env("SCAN_TOKEN", &env_token);
    outputs.run("--token-env list", with_token, true).await;
    // A refused request with a token prints its error, still without the token.
    let mut refused = dirs.flowbench();
    refused
        .args([
            "--token-env",
            "SCAN_TOKEN",
            "get",
            "CustomerGroups",
            "usmf,NOPE",
            "--instance",
            &root,
        ])
        .env("SCAN_TOKEN", &env_token);
    outputs.run("--token-env get (404)", refused, false).await;

    // A flow: secure parameters (one is the bearer token an Http step sends), a connector
    // step on the saved instance, the run history and a JUnit report.
    let flow = dirs.work.join("secure.json");
    let definition = json!({
        "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "apiToken": {"type": "SecureString"},
            "apiKey": {"type": "SecureString"},
            "serviceRoot": {"type": "String"}
        },
        "triggers": {"manual": {"type": "Request", "kind": "Button", "inputs": {"schema": {"type": "object", "properties": {}}}}},
        "actions": {
            "Call_with_token": {
                "type": "Http",
                "inputs": {
                    "method": "GET",
                    "uri": "@{parameters('serviceRoot')}CustomerGroups?$top=1",
                    "headers": {"Authorization": "Bearer @{parameters('apiToken')}", "X-Key": "@{parameters('apiKey')}"}
                },
                "runAfter": {}
            },
            "Echo_key": {"type": "Compose", "inputs": "@concat('key is ', parameters('apiKey'))", "runAfter": {"Call_with_token": ["Succeeded"]}},
            "List_groups": {
                "type": "OpenApiConnection",
                "inputs": {
                    "host": {"apiId": "/providers/Microsoft.PowerApps/apis/shared_dynamicsax", "connectionName": "shared_dynamicsax", "operationId": "GetItems"},
                    "parameters": {"dataset": "contoso.operations.dynamics.com", "table": "CustomerGroups", "$top": 2}
                },
                "runAfter": {"Echo_key": ["Succeeded"]}
            },
            "Check": {"type": "Assert", "inputs": {"actual": "@length(body('List_groups')?['value'])", "equals": 2, "message": "@{parameters('apiKey')} two groups"}, "runAfter": {"List_groups": ["Succeeded"]}}
        },
        "outputs": {"echo": {"type": "String", "value": "@outputs('Echo_key')"}}
    });
    std::fs::write(&flow, serde_json::to_string_pretty(&definition).unwrap()).unwrap();
    let mut run = dirs.flowbench();
    let service_root = format!("serviceRoot={root}");
    run.args([
        "run",
        "secure.json",
        "--instance",
        &name,
        "--param",
        &service_root,
    ])
    .args(["--report", "junit", "--report-file", "report.xml"])
    .env("FLOWBENCH_PARAM_APITOKEN", &param_token)
    .env("FLOWBENCH_PARAM_APIKEY", &param_text);
    outputs.run("run", run, true).await;
    let mut json_report = dirs.flowbench();
    json_report
        .args([
            "run",
            "secure.json",
            "--instance",
            &name,
            "--report",
            "json",
        ])
        .args(["--param", &service_root])
        .env("FLOWBENCH_PARAM_APITOKEN", &param_token)
        .env("FLOWBENCH_PARAM_APIKEY", &param_text);
    outputs.run("run --report json", json_report, true).await;
    let mut runs = dirs.flowbench();
    runs.args(["runs", "list", "--format", "json"]);
    let listed = outputs.run("runs list", runs, true).await;
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    for run in listed.as_array().unwrap() {
        assert_eq!(run["status"], "Succeeded", "{run}");
        let mut show = dirs.flowbench();
        show.args(["runs", "show", run["id"].as_str().unwrap()]);
        outputs.run("runs show", show, true).await;
    }
    for (product, output) in [
        ("power-automate", "secure-pa.zip"),
        ("logic-apps-standard", "secure-standard"),
        ("logic-apps-consumption", "secure-arm.json"),
    ] {
        let mut export = dirs.flowbench();
        export.args(["export", "secure.json", "--to", product, "--output", output]);
        outputs
            .run(&format!("export {product}"), export, true)
            .await;
    }
    let mut signout = dirs.flowbench();
    signout.args(["signout", &name]);
    outputs.run("signout", signout, true).await;

    // The scan.
    let mut scanned = Vec::new();
    files(&dirs.root, &mut scanned);
    let written = scanned.len();
    scanned.extend(outputs.0);
    let secrets = [
        ("client secret", client_secret.as_str()),
        ("--token-env token", env_token.as_str()),
        ("secure parameter apiToken", param_token.as_str()),
        ("secure parameter apiKey", param_text.as_str()),
        // Any JWT (the tokens sign-in stored in the keyring included): `{"alg":` in base64.
        ("a JWT", "eyJhbGciOi"),
    ];
    let mut leaks = Vec::new();
    for (what, bytes) in &scanned {
        for (secret, value) in secrets {
            if contains(bytes, value.as_bytes()) {
                leaks.push(format!("{secret} in {what}"));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets leaked: {leaks:#?}");
    // The scan saw what it had to: the report, the history, the exports, every command.
    let names: Vec<&str> = scanned.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "report.xml",
        "runs.sqlite",
        "secure-pa.zip!",
        "secure-arm.json",
        "groups.csv",
        "instances.json",
    ] {
        assert!(
            names.iter().any(|n| n.contains(expected)),
            "{expected} not scanned: {names:#?}"
        );
    }
    let bytes: usize = scanned.iter().map(|(_, b)| b.len()).sum();
    eprintln!(
        "scanned {written} files and {} command outputs ({bytes} bytes) for {} secrets: none found",
        scanned.len() - written,
        secrets.len()
    );
}
