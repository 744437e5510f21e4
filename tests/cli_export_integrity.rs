//! Exports that fail or are interrupted never look complete (issue 18): records cut short on
//! stdout end with a non-zero exit and a last stderr line saying so; `--output FILE` leaves
//! nothing half-written under the final name and no temporary file, also after SIGTERM or
//! SIGINT (real processes, a slow demo instance, `kill`).
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

mod common;
mod demo_common;

use std::path::Path;
use std::process::{Command, Stdio};

use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;

fn flowbench_path() -> std::path::PathBuf {
    std::env::var_os("FLOWBENCH_BIN")
        .map(Into::into)
        .unwrap_or_else(|| assert_cmd::cargo::cargo_bin("flowbench"))
}

/// A server whose listing has two pages: the first with two records, the second a 400.
async fn failing_second_page() -> common::TestServer {
    async fn first() -> axum::response::Response {
        axum::Json(json!({
            "value": [{"Id": 1, "Name": "one"}, {"Id": 2, "Name": "two"}],
            "@odata.nextLink": "Items?$skiptoken=2"
        }))
        .into_response()
    }
    async fn items(uri: axum::http::Uri) -> axum::response::Response {
        if uri.query().is_some_and(|q| q.contains("skiptoken")) {
            let error = json!({"error": {"code": "", "message": "The page is gone."}});
            (StatusCode::BAD_REQUEST, axum::Json(error)).into_response()
        } else {
            first().await
        }
    }
    common::serve(axum::Router::new().route("/data/Items", axum::routing::get(items))).await
}

async fn run(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        Command::new(flowbench_path())
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_cut_short_on_stdout_end_with_an_error_marker_and_exit_3() {
    let server = failing_second_page().await;
    for format in ["csv", "json", "table"] {
        let output = run(vec![
            "list".into(),
            "--instance".into(),
            server.root(),
            "Items".into(),
            "--all".into(),
            "--format".into(),
            format.into(),
        ])
        .await;
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(3), "{format}: {stderr}");
        // A table is aligned over every record, so it prints nothing.
        assert_eq!(
            stdout.contains("two"),
            format != "table",
            "{format}: the first page was written: {stdout}"
        );
        assert!(stderr.contains("The page is gone."), "{stderr}");
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
        assert_eq!(
            last,
            "error: the output on stdout is incomplete: the listing failed after 2 records; it is not a complete export",
            "{format}: {stderr}"
        );
        if format == "json" {
            // The array is never closed: no JSON reader takes it for a whole listing.
            assert!(
                serde_json::from_str::<serde_json::Value>(&stdout).is_err(),
                "{stdout}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_export_to_a_file_leaves_the_old_file_and_no_temporary_file() {
    let server = failing_second_page().await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("items.csv");
    // No file before: none after.
    let output = run(vec![
        "list".into(),
        "--instance".into(),
        server.root(),
        "Items".into(),
        "--all".into(),
        "--format".into(),
        "csv".into(),
        "--output".into(),
        target.display().to_string(),
    ])
    .await;
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(entries(dir.path()), [] as [String; 0]);
    // An earlier export stays as it was.
    std::fs::write(&target, "old,complete\n").unwrap();
    let output = run(vec![
        "list".into(),
        "--instance".into(),
        server.root(),
        "Items".into(),
        "--all".into(),
        "--format".into(),
        "csv".into(),
        "--output".into(),
        target.display().to_string(),
    ])
    .await;
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(entries(dir.path()), ["items.csv"]);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old,complete\n");
}

/// Starts `flowbench list --all --output DIR/customers.csv` against a demo that answers
/// every request slowly, waits until the temporary file exists (the export is under way),
/// sends `signal` with `kill`, and returns the exit code and what is left in the directory.
fn interrupt_an_export(signal: &str) -> (Option<i32>, Vec<String>) {
    let config = flowbench::demo::DemoConfig {
        faults: "slow:1".parse().unwrap(),
        ..demo_common::test_config()
    };
    let demo = flowbench::demo::DemoThread::start(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("customers.csv");
    let mut child = Command::new(flowbench_path())
        .args(["list", "--instance", demo.service_root(), "CustomersV3"])
        .args(["--all", "--format", "csv", "--output"])
        .arg(&target)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the event (the temporary file appears), bounded so a broken build cannot hang.
    let mut seen = false;
    for _ in 0..6000 {
        if !entries(dir.path()).is_empty() {
            seen = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(seen, "the export never started writing");
    let status = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("interrupted by SIG{signal}"))
            && stderr.contains("was not written"),
        "{stderr}"
    );
    (output.status.code(), entries(dir.path()))
}

#[test]
fn sigterm_during_an_export_leaves_no_file_and_exits_143() {
    let (code, left) = interrupt_an_export("TERM");
    assert_eq!(code, Some(143));
    assert_eq!(left, [] as [String; 0], "nothing left behind");
}

#[test]
fn sigint_during_an_export_leaves_no_file_and_exits_130() {
    let (code, left) = interrupt_an_export("INT");
    assert_eq!(code, Some(130));
    assert_eq!(left, [] as [String; 0], "nothing left behind");
}
