//! `flowbench list --all --parallel N` against the demo instance: the same records in the
//! same order as following nextLinks page by page — with partitions the server splits into
//! smaller pages, and through injected 429s (honoured with `Retry-After`) — and clear usage
//! errors.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

use std::process::Output;
use std::str::FromStr;

use assert_cmd::Command;
use flowbench::demo::faults::FaultSpec;
use flowbench::demo::{DemoConfig, DemoThread};

fn flowbench(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = match std::env::var_os("FLOWBENCH_BIN") {
        Some(path) => Command::new(path),
        None => Command::cargo_bin("flowbench").unwrap(),
    };
    cmd.args(args)
        .env("FLOWBENCH_DATA_DIR", dir.path())
        .env("FLOWBENCH_CONFIG_DIR", dir.path().join("config"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn parallel_listing_gives_the_same_records_in_the_same_order() {
    let demo = DemoThread::start(DemoConfig {
        rows: 1_500,
        page_size: 500,
        faults: FaultSpec::from_str("429:4").unwrap(),
        ..DemoConfig::default()
    })
    .unwrap();
    let root = demo.service_root().to_owned();
    let base = [
        "list",
        "CustomersV3",
        "--instance",
        &root,
        "--all",
        "--cross-company",
        "--format",
        "csv",
    ];
    let sequential = flowbench(&base);
    assert_eq!(
        sequential.status.code(),
        Some(0),
        "{}",
        text(&sequential.stderr)
    );
    let lines = text(&sequential.stdout).lines().count();
    assert!(lines > 1_000, "{lines} lines");

    // Partitions of 700 records: the server's 500-record pages split each one.
    let mut parallel_args = base.to_vec();
    parallel_args.extend(["--parallel", "4", "--page-size", "700"]);
    let parallel = flowbench(&parallel_args);
    assert_eq!(
        parallel.status.code(),
        Some(0),
        "{}",
        text(&parallel.stderr)
    );
    assert_eq!(text(&parallel.stdout), text(&sequential.stdout));

    // Records as JSON values take the same partitions, split pages included.
    let as_json = |extra: &[&str]| {
        let mut args = base[..base.len() - 1].to_vec();
        args.push("json");
        args.extend_from_slice(extra);
        flowbench(&args)
    };
    let json_sequential = as_json(&[]);
    let json_parallel = as_json(&["--parallel", "4", "--page-size", "700"]);
    assert_eq!(
        json_parallel.status.code(),
        Some(0),
        "{}",
        text(&json_parallel.stderr)
    );
    let records: serde_json::Value = serde_json::from_slice(&json_parallel.stdout).unwrap();
    assert_eq!(records.as_array().map(Vec::len), Some(lines - 1));
    assert_eq!(text(&json_parallel.stdout), text(&json_sequential.stdout));

    // With a filter and the caller's order (the key comes after it).
    let filtered = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend([
            "--filter",
            "CustomerGroupId eq '10'",
            "--orderby",
            "CreditLimit desc",
        ]);
        args.extend_from_slice(extra);
        flowbench(&args)
    };
    let one = filtered(&[]);
    let many = filtered(&["--parallel", "3", "--page-size", "100"]);
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    assert_eq!(many.status.code(), Some(0), "{}", text(&many.stderr));
    assert!(text(&one.stdout).lines().count() > 2);
    assert_eq!(text(&many.stdout), text(&one.stdout));

    // Usage errors name what is wrong.
    let mut too_many = base.to_vec();
    too_many.extend(["--parallel", "64"]);
    let refused = flowbench(&too_many);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("expected 1 to 16 pages in flight"),
        "{}",
        text(&refused.stderr)
    );
    let mut with_top = base.to_vec();
    with_top.extend(["--parallel", "2", "--top", "10"]);
    let refused = flowbench(&with_top);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("cannot be combined with --top"),
        "{}",
        text(&refused.stderr)
    );
}
