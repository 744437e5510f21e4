//! `flowbench package` and `flowbench queue` end to end: the binary against the embedded
//! demo instance (`--instance URL`, and `--demo` over the data directory's database).
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use flowbench::demo::bulk::RECURRING_JOBS;
use flowbench::demo::{DemoConfig, DemoThread};
use serde_json::Value;

fn demo() -> DemoThread {
    DemoThread::start(DemoConfig {
        rows: 20,
        ..DemoConfig::default()
    })
    .unwrap()
}

fn run(args: &[&str], data_dir: &Path) -> Output {
    let mut cmd = match std::env::var_os("FLOWBENCH_BIN") {
        Some(path) => Command::new(path),
        None => Command::cargo_bin("flowbench").unwrap(),
    };
    cmd.args(args)
        .env("FLOWBENCH_DATA_DIR", data_dir)
        .env("FLOWBENCH_CONFIG_DIR", data_dir.join("config"))
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstderr: {}",
        output.status.code(),
        text(&output.stderr)
    );
    text(&output.stdout)
}

const GOOD: &str =
    "dataAreaId,CustomerGroupId,Description\nusmf,CLI-1,From the command line\nusmf,CLI-2,Also\n";
const BAD: &str = "CustomerGroupId,Description,IsSalesTaxIncludedInPrice\nCLI-3,Fine,No\nCLI-4,Bad enum,Perhaps\n";

#[test]
fn build_show_import_export_and_status() {
    let demo = demo();
    let root = demo.service_root();
    let dir = tempfile::tempdir().unwrap();
    let (csv, pkg, out) = (
        dir.path().join("rows.csv"),
        dir.path().join("pkg.zip"),
        dir.path().join("out.zip"),
    );
    std::fs::write(&csv, GOOD).unwrap();
    let p = |p: &Path| p.to_str().unwrap().to_owned();

    ok(&run(
        &[
            "package",
            "build",
            "CustomerGroups",
            &p(&csv),
            "--output",
            &p(&pkg),
        ],
        dir.path(),
    ));
    let shown = ok(&run(&["package", "show", &p(&pkg)], dir.path()));
    assert!(
        shown.contains("# CustomerGroups (CustomerGroups.csv, 2 rows)")
            && shown.contains("CLI-2,Also"),
        "{shown}"
    );

    let import = run(
        &[
            "package",
            "import",
            &p(&pkg),
            "--project",
            "Cli groups",
            "--company",
            "gbsi",
            "--instance",
            root,
            "--wait",
        ],
        dir.path(),
    );
    let execution = ok(&import).trim().to_owned();
    assert!(
        text(&import.stderr).contains(&format!("{execution}: Succeeded")),
        "{}",
        text(&import.stderr)
    );

    let status: Value = serde_json::from_str(&ok(&run(
        &["package", "status", &execution, "--instance", root],
        dir.path(),
    )))
    .unwrap();
    assert_eq!(status["status"], "Succeeded");

    let export = run(
        &[
            "package",
            "export",
            "--project",
            "Cli groups",
            "--company",
            "gbsi",
            "--output",
            &p(&out),
            "--instance",
            root,
            "--wait",
        ],
        dir.path(),
    );
    ok(&export);
    let shown = ok(&run(&["package", "show", &p(&out)], dir.path()));
    assert!(
        shown.contains("gbsi,CLI-1,From the command line"),
        "{shown}"
    );
}

#[test]
fn a_partial_import_exits_3_with_its_errors_and_error_keys() {
    let demo = demo();
    let root = demo.service_root();
    let dir = tempfile::tempdir().unwrap();
    let (csv, pkg) = (dir.path().join("bad.csv"), dir.path().join("bad.zip"));
    std::fs::write(&csv, BAD).unwrap();
    let p = |p: &Path| p.to_str().unwrap().to_owned();
    ok(&run(
        &[
            "package",
            "build",
            "CustomerGroups",
            &p(&csv),
            "-o",
            &p(&pkg),
        ],
        dir.path(),
    ));
    let import = run(
        &[
            "package",
            "import",
            &p(&pkg),
            "--project",
            "Bad",
            "--company",
            "usmf",
            "--instance",
            root,
            "--wait",
        ],
        dir.path(),
    );
    assert_eq!(import.status.code(), Some(3), "{}", text(&import.stderr));
    let stderr = text(&import.stderr);
    assert!(stderr.contains("PartiallySucceeded"), "{stderr}");
    assert!(
        stderr.contains("CustomerGroups line 3") && stderr.contains("Perhaps"),
        "{stderr}"
    );
    let execution = text(&import.stdout).trim().to_owned();
    let status = run(
        &[
            "package",
            "status",
            &execution,
            "--instance",
            root,
            "--error-keys",
            "CustomerGroups",
        ],
        dir.path(),
    );
    assert_eq!(status.status.code(), Some(3));
    assert!(
        text(&status.stdout).contains("dataAreaId,CustomerGroupId\nusmf,CLI-4"),
        "{}",
        text(&status.stdout)
    );
}

#[test]
fn a_malformed_package_exits_2_naming_the_file_inside_the_zip() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("broken.zip");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("Manifest.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(
        &mut zip,
        b"<DataManagementPackageManifest><PackageEntityList>",
    )
    .unwrap();
    std::fs::write(&pkg, zip.finish().unwrap().into_inner()).unwrap();
    let output = run(
        &[
            "package",
            "import",
            pkg.to_str().unwrap(),
            "--project",
            "P",
            "--company",
            "usmf",
            "--instance",
            "http://127.0.0.1:9/data/",
        ],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("broken.zip/Manifest.xml"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn queue_commands_with_the_demo_database_of_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("q.csv");
    std::fs::write(&csv, "CustomerGroupId,Description\nQ-1,Queued\n").unwrap();
    let import = RECURRING_JOBS.iter().find(|j| j.1 == "Import").unwrap().0;
    let export = RECURRING_JOBS.iter().find(|j| j.1 == "Export").unwrap().0;

    let job = ok(&run(
        &[
            "queue",
            "enqueue",
            import,
            csv.to_str().unwrap(),
            "--entity",
            "CustomerGroups",
            "--demo",
        ],
        dir.path(),
    ));
    let job = job.trim();
    // Each command starts and stops the demo instance over the same database file.
    let mut state = String::new();
    for _ in 0..50 {
        let status: Value = serde_json::from_str(&ok(&run(
            &["queue", "status", import, job, "--demo"],
            dir.path(),
        )))
        .unwrap();
        state = status["DataJobStatus"]["DataJobState"]
            .as_str()
            .unwrap()
            .to_owned();
        if state != "Processing" {
            break;
        }
    }
    assert_eq!(state, "Processed");

    let package = dir.path().join("dequeued.zip");
    let message = ok(&run(
        &[
            "queue",
            "dequeue",
            export,
            "--output",
            package.to_str().unwrap(),
            "--demo",
        ],
        dir.path(),
    ));
    let saved = dir.path().join("message.json");
    std::fs::write(&saved, &message).unwrap();
    assert!(
        ok(&run(
            &["package", "show", package.to_str().unwrap()],
            dir.path()
        ))
        .contains("CustomerGroups")
    );
    ok(&run(
        &[
            "queue",
            "ack",
            export,
            "--message",
            &format!("@{}", saved.display()),
            "--demo",
        ],
        dir.path(),
    ));
    let again = run(
        &[
            "queue",
            "ack",
            export,
            "--message",
            &format!("@{}", saved.display()),
            "--demo",
        ],
        dir.path(),
    );
    assert_eq!(again.status.code(), Some(3));
    assert!(
        text(&again.stderr).contains("already acknowledged"),
        "{}",
        text(&again.stderr)
    );
}
