//! `flowbench demo` as a process (prints its one line, answers, stops cleanly on SIGTERM),
//! `--rows` seeding counts, and database reuse versus `--reset`.

mod demo_common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use demo_common::{start_with, test_config};
use flowbench::demo::DemoConfig;
use reqwest::Method;
use serde_json::json;

/// Kills the child when the test ends, even on failure.
struct KillOnDrop(Option<Child>);

impl KillOnDrop {
    fn id(&self) -> u32 {
        self.0.as_ref().map_or(0, Child::id)
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn spawn_demo(args: &[&str]) -> (KillOnDrop, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("flowbench"))
        .arg("demo")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn flowbench demo");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("demo-output".into())
        .spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        })
        .expect("thread starts");
    let guard = KillOnDrop(Some(child));
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("first stdout line");
    (guard, line.trim_end().to_owned())
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

#[tokio::test]
async fn cli_prints_one_line_and_serves() {
    let (_child, line) = spawn_demo(&["--rows", "12", "--page-size", "5", "--company", "demf"]);
    let root = line
        .strip_prefix("Demo instance listening on ")
        .expect("announcement line");
    assert!(
        root.starts_with("http://127.0.0.1:") && root.ends_with("/data/"),
        "{line}"
    );
    let body: serde_json::Value = client()
        .get(format!("{root}CustomersV3"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rows = body["value"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        3,
        "12 customers over 4 companies, demf is the default"
    );
    assert!(rows.iter().all(|r| r["dataAreaId"] == "demf"));
}

#[cfg(unix)]
#[tokio::test]
async fn cli_stops_cleanly_on_sigterm_and_keeps_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let db_arg = db.to_str().unwrap().to_owned();
    let (mut child, line) = spawn_demo(&["--rows", "8", "--db", &db_arg]);
    let root = line
        .strip_prefix("Demo instance listening on ")
        .unwrap()
        .to_owned();
    let created = client()
        .post(format!("{root}CustomerGroups"))
        .header("Content-Type", "application/json")
        .body(json!({"CustomerGroupId": "77", "Description": "Kept"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let (tx, rx) = mpsc::channel();
    let mut process = child.0.take().expect("child");
    std::thread::Builder::new()
        .name("demo-wait".into())
        .spawn(move || {
            let _ = tx.send(process.wait());
        })
        .expect("thread starts");
    let exit = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("exits after SIGTERM")
        .unwrap();
    assert!(exit.success(), "clean exit: {exit:?}");

    let (_again, line) = spawn_demo(&["--db", &db_arg]);
    let root = line.strip_prefix("Demo instance listening on ").unwrap();
    let group = client()
        .get(format!(
            "{root}CustomerGroups(dataAreaId='usmf',CustomerGroupId='77')"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        group.status().as_u16(),
        200,
        "the database survived the shutdown"
    );
}

fn count_config(db: &std::path::Path, rows: u64, reset: bool) -> DemoConfig {
    DemoConfig {
        db_path: Some(db.to_path_buf()),
        rows,
        reset,
        ..test_config()
    }
}

#[tokio::test]
async fn rows_option_seeds_that_many_customers_and_db_is_reused_unless_reset() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");

    let demo = start_with(count_config(&db, 23, false)).await;
    let (_, count) = demo.get_text("CustomersV3/$count?cross-company=true").await;
    assert_eq!(count, "23");
    let (_, orders) = demo
        .get_text("SalesOrderHeadersV2/$count?cross-company=true")
        .await;
    assert_eq!(orders, "23");
    let (status, _, _) = demo
        .send(
            Method::POST,
            "CustomerGroups",
            Some(json!({"CustomerGroupId": "55", "Description": "Reuse marker"})),
            &[],
        )
        .await;
    assert_eq!(status, 201);
    demo.server.shutdown().await.unwrap();

    let demo = start_with(count_config(&db, 999, false)).await;
    let (_, count) = demo.get_text("CustomersV3/$count?cross-company=true").await;
    assert_eq!(count, "23", "an existing database is reused, not reseeded");
    let (status, _) = demo
        .get_json("CustomerGroups(dataAreaId='usmf',CustomerGroupId='55')")
        .await;
    assert_eq!(status, 200);
    demo.server.shutdown().await.unwrap();

    let demo = start_with(count_config(&db, 31, true)).await;
    let (_, count) = demo.get_text("CustomersV3/$count?cross-company=true").await;
    assert_eq!(count, "31", "--reset reseeds");
    let (status, _) = demo
        .get_json("CustomerGroups(dataAreaId='usmf',CustomerGroupId='55')")
        .await;
    assert_eq!(status, 404);
    demo.server.shutdown().await.unwrap();
}

#[test]
fn blocking_helper_runs_on_its_own_thread() {
    let demo = flowbench::demo::DemoThread::start(test_config()).expect("starts");
    let root = demo.service_root().to_owned();
    assert!(root.starts_with("http://127.0.0.1:"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        client()
            .get(format!("{root}$metadata"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(status, 200);
    demo.shutdown();
    let refused = runtime.block_on(async {
        client()
            .get(format!("{root}$metadata"))
            .send()
            .await
            .is_err()
    });
    assert!(refused, "the server stopped");
}

#[tokio::test]
async fn an_unknown_default_company_is_a_configuration_error() {
    let config = DemoConfig {
        company: "ZZZZ".into(),
        ..test_config()
    };
    let err = flowbench::demo::DemoServer::start(config)
        .await
        .expect_err("unknown company");
    assert!(
        matches!(err, flowbench::demo::DemoError::Config(_)),
        "{err}"
    );
    assert!(err.to_string().contains("zzzz"));
}

#[tokio::test]
async fn a_database_from_another_schema_version_needs_reset() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let demo = start_with(count_config(&db, 8, false)).await;
    demo.server.shutdown().await.unwrap();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "UPDATE _demo_meta SET value = 'old' WHERE key = 'schema'",
            [],
        )
        .unwrap();
    }
    let err = flowbench::demo::DemoServer::start(count_config(&db, 8, false))
        .await
        .expect_err("outdated database");
    assert!(err.to_string().contains("--reset"), "{err}");
    let demo = start_with(count_config(&db, 8, true)).await;
    let (_, count) = demo.get_text("CustomersV3/$count?cross-company=true").await;
    assert_eq!(count, "8");
    demo.server.shutdown().await.unwrap();
}
