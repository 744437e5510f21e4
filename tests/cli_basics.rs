//! The binary's help and version work without a display.

use assert_cmd::Command;
use predicates::prelude::*;

#[test]
fn help_lists_usage_without_a_display() {
    Command::cargo_bin("flowbench")
        .unwrap()
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Usage: flowbench"))
        .stdout(predicate::str::contains("Commands:"));
}

#[test]
fn version_prints_the_package_version() {
    Command::cargo_bin("flowbench")
        .unwrap()
        .env_remove("DISPLAY")
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("flowbench {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn unknown_command_is_a_usage_error_with_exit_code_1() {
    Command::cargo_bin("flowbench")
        .unwrap()
        .arg("no-such-command")
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("unrecognized subcommand"));
}

#[test]
fn a_closed_stdout_pipe_ends_the_command_quietly() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/metadata/reference/northwind_v4_SimpleOData.xml"
    );
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("flowbench"))
        .args(["metadata", "summary", fixture])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before the command writes (like `| head -0`).
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}
