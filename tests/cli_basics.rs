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
