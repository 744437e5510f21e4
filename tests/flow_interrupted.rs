//! A flow run killed mid-run (`kill -9` of `flowbench run`) stays in the run history as
//! `Interrupted`: the run is written as `Running` when it starts, with its process, and a
//! `Running` entry whose process is gone reads as interrupted (`runs list`, `runs show`).
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

fn flowbench_path() -> std::path::PathBuf {
    std::env::var_os("FLOWBENCH_BIN")
        .map(Into::into)
        .unwrap_or_else(|| assert_cmd::cargo::cargo_bin("flowbench"))
}

fn flowbench(data: &Path) -> Command {
    let mut cmd = Command::new(flowbench_path());
    cmd.env("FLOWBENCH_DATA_DIR", data)
        .env("XDG_CONFIG_HOME", data.join("config"))
        .env("XDG_DATA_HOME", data.join("share"))
        .env("XDG_CACHE_HOME", data.join("cache"))
        .stdin(Stdio::null());
    cmd
}

fn runs(data: &Path) -> Vec<Value> {
    let output = flowbench(data)
        .args(["runs", "list", "--format", "json"])
        .output()
        .unwrap();
    if !output.status.success() {
        return Vec::new();
    }
    serde_json::from_slice::<Value>(&output.stdout)
        .map(|v| v.as_array().cloned().unwrap_or_default())
        .unwrap_or_default()
}

/// The history once `child` wrote its first run there (or ended first), bounded so that a
/// broken build cannot hang.
fn runs_once_started(data: &Path, child: &mut std::process::Child) -> Vec<Value> {
    let mut running = Vec::new();
    for _ in 0..3000 {
        running = runs(data);
        if !running.is_empty() || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    running
}

#[test]
fn a_run_killed_mid_run_is_listed_as_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let flow = data.join("slow.json");
    let definition = json!({
        "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
        "contentVersion": "1.0.0.0",
        "triggers": {"manual": {"type": "Request", "kind": "Button", "inputs": {}}},
        "actions": {
            "Wait_a_long_time": {"type": "Wait", "inputs": {"interval": {"count": 3600, "unit": "Second"}}, "runAfter": {}}
        }
    });
    std::fs::write(&flow, definition.to_string()).unwrap();
    let mut child = flowbench(data)
        .arg("run")
        .arg(&flow)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let running = runs_once_started(data, &mut child);
    assert_eq!(running.len(), 1, "the run was written when it started");
    assert_eq!(running[0]["status"], "Running", "{running:?}");
    assert_eq!(running[0]["flow"], "slow");
    let status = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait().unwrap();

    let after = runs(data);
    assert_eq!(after.len(), 1);
    assert_eq!(after[0]["status"], "Interrupted", "{after:?}");
    let id = after[0]["id"].as_str().unwrap();
    let output = flowbench(data).args(["runs", "show", id]).output().unwrap();
    assert!(output.status.success());
    let run: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(run["status"], "Cancelled");
    assert_eq!(run["error"]["code"], "Interrupted");
    assert!(
        run["error"]["message"].as_str().unwrap().contains(&format!(
            "the process that ran it (pid {}) ended first",
            child.id()
        )),
        "{run}"
    );
}

/// Starts `flowbench run` of a flow that waits an hour, with `extra` arguments, and returns
/// it once its run is in the history as `Running` (bounded).
fn start_slow_run(data: &Path, extra: &[&str]) -> std::process::Child {
    let flow = data.join("slow.json");
    let definition = json!({
        "triggers": {"manual": {"type": "Request", "kind": "Button", "inputs": {}}},
        "actions": {
            "Wait_a_long_time": {"type": "Wait", "inputs": {"interval": {"count": 3600, "unit": "Second"}}, "runAfter": {}}
        }
    });
    std::fs::write(&flow, definition.to_string()).unwrap();
    let mut child = flowbench(data)
        .arg("run")
        .arg(&flow)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let running = runs_once_started(data, &mut child);
    assert_eq!(running.len(), 1, "the run was written when it started");
    child
}

#[test]
fn sigterm_cancels_the_run_and_writes_the_whole_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let reports = data.join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    let report = reports.join("junit.xml");
    std::fs::write(&report, "old report").unwrap();
    let child = start_slow_run(
        data,
        &[
            "--report",
            "junit",
            "--report-file",
            report.to_str().unwrap(),
        ],
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("cancelling (SIGTERM)"), "{stderr}");

    // The report is complete, says the run was cancelled, and nothing else is left beside it.
    let xml = std::fs::read_to_string(&report).unwrap();
    assert!(
        xml.starts_with("<?xml") && xml.trim_end().ends_with("</testsuites>"),
        "{xml}"
    );
    assert!(xml.contains("cancelled"), "{xml}");
    let left: Vec<_> = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["junit.xml"]);
    let after = runs(data);
    assert_eq!(after[0]["status"], "Cancelled", "{after:?}");
}

#[test]
fn a_watched_run_killed_mid_run_is_listed_as_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let flow = data.join("every-second.json");
    let definition = json!({
        "triggers": {"Every_second": {"type": "Recurrence", "recurrence": {"frequency": "Second", "interval": 1}}},
        "actions": {
            "Wait_a_long_time": {"type": "Wait", "inputs": {"interval": {"count": 3600, "unit": "Second"}}, "runAfter": {}}
        }
    });
    std::fs::write(&flow, definition.to_string()).unwrap();
    let mut child = flowbench(data)
        .arg("watch")
        .arg(&flow)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let running = runs_once_started(data, &mut child);
    assert!(
        !running.is_empty(),
        "the watched run was written when it started"
    );
    assert_eq!(running[0]["status"], "Running", "{running:?}");
    let status = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait().unwrap();
    let after = runs(data);
    assert!(
        !after.is_empty() && after.iter().all(|run| run["status"] == "Interrupted"),
        "{after:?}"
    );
}

#[test]
fn a_finished_run_replaces_its_running_entry() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let flow = data.join("quick.json");
    let definition = json!({
        "triggers": {"manual": {"type": "Request", "kind": "Button", "inputs": {}}},
        "actions": {"Say": {"type": "Compose", "inputs": "hello", "runAfter": {}}}
    });
    std::fs::write(&flow, definition.to_string()).unwrap();
    let output = flowbench(data).arg("run").arg(&flow).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let after = runs(data);
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0]["status"], "Succeeded");
}

#[test]
fn a_corrupt_run_history_is_named_left_untouched_and_can_be_bypassed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let history = data.join("runs.sqlite");
    std::fs::write(&history, "not a database, just text").unwrap();
    let flow = data.join("quick.json");
    let definition = json!({
        "triggers": {"manual": {"type": "Request", "kind": "Button", "inputs": {}}},
        "actions": {"Say": {"type": "Compose", "inputs": "hello", "runAfter": {}}}
    });
    std::fs::write(&flow, definition.to_string()).unwrap();
    let refused = flowbench(data).arg("run").arg(&flow).output().unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains("run with --no-history"), "{stderr}");
    assert!(stderr.contains("runs.sqlite"), "{stderr}");
    let bypassed = flowbench(data)
        .args(["run", "--no-history"])
        .arg(&flow)
        .output()
        .unwrap();
    assert!(
        bypassed.status.success(),
        "{}",
        String::from_utf8_lossy(&bypassed.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&history).unwrap(),
        "not a database, just text"
    );
}
