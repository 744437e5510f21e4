//! A flow that imports a data package and waits for its status, as Power Automate users
//! build it with the F&O connector (`assets/flows/import-data-package.json`): "Execute
//! action" `GetAzureWriteUrl`, an HTTP PUT of the package to the blob, `ImportFromPackage`,
//! a `Do until` polling `GetExecutionSummaryStatus`, and on anything but `Succeeded` the
//! execution errors in a Terminate. Run with `flowbench run --input file=@PKG.zip` against
//! the demo instance; the records are checked on the server row by row.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use flowbench::demo::{DemoConfig, DemoThread};
use serde_json::Value;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/flows/import-data-package.json")
}

fn flowbench(data: &Path, args: &[&str]) -> Output {
    let mut cmd = match std::env::var_os("FLOWBENCH_BIN") {
        Some(path) => Command::new(path),
        None => Command::cargo_bin("flowbench").unwrap(),
    };
    cmd.args(args)
        .env("FLOWBENCH_DATA_DIR", data)
        .env("FLOWBENCH_CONFIG_DIR", data.join("config"))
        .env("XDG_CACHE_HOME", data.join("cache"))
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A package of customer groups built from `csv` with `flowbench package build`.
fn package(data: &Path, name: &str, csv: &str) -> PathBuf {
    let rows = data.join(format!("{name}.csv"));
    std::fs::write(&rows, csv).unwrap();
    let zip = data.join(format!("{name}.zip"));
    let built = flowbench(
        data,
        &[
            "package",
            "build",
            "CustomerGroups",
            rows.to_str().unwrap(),
            "--output",
            zip.to_str().unwrap(),
        ],
    );
    assert!(built.status.success(), "{}", text(&built.stderr));
    zip
}

/// Runs the example against `root` with the package, project and company.
fn run_import(data: &Path, root: &str, zip: &Path, company: &str) -> Output {
    let file = format!("file=@{}", zip.display());
    let company = format!("text_1={company}");
    flowbench(
        data,
        &[
            "run",
            example().to_str().unwrap(),
            "--instance",
            root,
            "--input",
            &file,
            "--input",
            "text=Groups from a flow",
            "--input",
            &company,
        ],
    )
}

/// The customer group `id` of `company` as the server has it, if it does.
fn group(root: &str, company: &str, id: &str) -> Option<Value> {
    let url = format!(
        "{root}CustomerGroups(dataAreaId='{company}',CustomerGroupId='{id}')?cross-company=true"
    );
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let response = reqwest::get(url).await.unwrap();
            if response.status().as_u16() == 404 {
                return None;
            }
            assert!(response.status().is_success(), "{}", response.status());
            Some(response.json().await.unwrap())
        })
}

/// The last run in the history, as `runs show` prints it.
fn last_run(data: &Path) -> Value {
    let listed = flowbench(data, &["runs", "list", "--format", "json"]);
    let runs: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let id = runs[0]["id"].as_str().unwrap().to_owned();
    let shown = flowbench(data, &["runs", "show", &id]);
    serde_json::from_slice(&shown.stdout).unwrap()
}

const GOOD: &str = "dataAreaId,CustomerGroupId,Description,IsSalesTaxIncludedInPrice
usmf,FLOW-1,Imported by a flow,No
usmf,FLOW-2,\"With a comma, and \"\"quotes\"\"\",Yes
usmf,FLOW-3,Third row,No
";

const BAD: &str = "dataAreaId,CustomerGroupId,Description,IsSalesTaxIncludedInPrice
usmf,FLOW-4,A good row,No
usmf,MUCH-TOO-LONG-ID,Key longer than 10,No
";

#[test]
fn a_flow_imports_a_package_into_another_company_and_waits_for_its_status() {
    let demo = DemoThread::start(DemoConfig {
        rows: 10,
        ..DemoConfig::default()
    })
    .unwrap();
    let root = demo.service_root().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let zip = package(data, "good", GOOD);
    assert!(group(&root, "demf", "FLOW-1").is_none());

    let ran = run_import(data, &root, &zip, "demf");
    assert_eq!(ran.status.code(), Some(0), "{}", text(&ran.stderr));
    let run = last_run(data);
    assert_eq!(run["status"], "Succeeded", "{run}");
    assert_eq!(run["outputs"]["status"], "Succeeded");
    // The Until polled the status until the import ended: at least once, a bounded number.
    let polls = run["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["name"] == "Get_the_status")
        .count();
    assert!((1..=120).contains(&polls), "{polls} status polls");

    // Every row, field by field, in the company the flow was given.
    for (id, description, tax) in [
        ("FLOW-1", "Imported by a flow", "No"),
        ("FLOW-2", "With a comma, and \"quotes\"", "Yes"),
        ("FLOW-3", "Third row", "No"),
    ] {
        let record = group(&root, "demf", id).unwrap_or_else(|| panic!("{id} not imported"));
        assert_eq!(record["dataAreaId"], "demf");
        assert_eq!(record["Description"], description, "{record}");
        assert_eq!(record["IsSalesTaxIncludedInPrice"], tax, "{record}");
        assert!(group(&root, "usmf", id).is_none(), "{id} also in usmf");
    }
}

#[test]
fn a_flow_reports_a_partly_failed_import_with_its_errors() {
    let demo = DemoThread::start(DemoConfig {
        rows: 10,
        ..DemoConfig::default()
    })
    .unwrap();
    let root = demo.service_root().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let zip = package(data, "bad", BAD);

    let ran = run_import(data, &root, &zip, "usmf");
    let stderr = text(&ran.stderr);
    assert_eq!(ran.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("run Failed: PartiallySucceeded"),
        "{stderr}"
    );
    assert!(stderr.contains("MUCH-TOO-LONG-ID"), "{stderr}");
    let run = last_run(data);
    assert_eq!(run["status"], "Failed");
    assert_eq!(run["error"]["code"], "PartiallySucceeded");
    assert_eq!(run["outputs"]["status"], "PartiallySucceeded");
    // The valid row was applied, the invalid one was not.
    assert!(group(&root, "usmf", "FLOW-4").is_some());
    assert!(group(&root, "usmf", "MUCH-TOO-LONG-ID").is_none());
}
