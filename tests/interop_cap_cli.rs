//! The `flowbench` request commands against a real third-party OData v4 server (SAP CAP,
//! tests/peers/cap), with every effect read back over plain HTTP.

#[path = "peers/cap_server.rs"]
mod cap_server;

use std::process::Output;

use assert_cmd::Command;
use cap_server::{CapServer, seed_rows};
use serde_json::{Value, json};

/// Runs the binary with `--instance <root>` after the command name.
fn cli(server: &CapServer, args: &[&str]) -> Output {
    let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    all.insert(1, "--instance".into());
    all.insert(2, server.root().to_owned());
    // FLOWBENCH_BIN lets a shared target directory's binary be pinned to this build.
    let mut cmd = match std::env::var_os("FLOWBENCH_BIN") {
        Some(path) => Command::new(path),
        None => Command::cargo_bin("flowbench").expect("the flowbench binary"),
    };
    cmd.args(&all)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("the command runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn ok_json(output: &Output) -> Value {
    assert!(output.status.success(), "stderr: {}", stderr(output));
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

fn order_numbers(records: &Value) -> Vec<(String, String)> {
    records
        .as_array()
        .expect("an array of records")
        .iter()
        .map(|r| {
            (
                r["company"].as_str().expect("company").to_owned(),
                r["orderNumber"].as_str().expect("orderNumber").to_owned(),
            )
        })
        .collect()
}

#[test]
fn entities_are_the_cap_entity_sets() {
    let server = CapServer::start();
    let output = cli(&server, &["entities"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let (_, document) = server.get_blocking("");
    let expected: Vec<&str> = document["value"]
        .as_array()
        .expect("service document")
        .iter()
        .map(|e| e["name"].as_str().expect("name"))
        .collect();
    let listed: Vec<&str> = std::str::from_utf8(&output.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(listed, expected);
}

#[test]
fn list_reads_every_page_and_applies_every_query_option() {
    let server = CapServer::start();
    // --all follows CAP's relative nextLinks with $skiptoken (page size 4).
    let all = ok_json(&cli(&server, &["list", "SalesOrders", "--all"]));
    let held = server.get_all_blocking("SalesOrders");
    assert_eq!(order_numbers(&all), order_numbers(&Value::Array(held)));
    assert_eq!(
        all.as_array().map(Vec::len),
        Some(seed_rows("SalesOrders").len())
    );
    // Without --all: the first page and a note that there is more.
    let first = cli(&server, &["list", "SalesOrders"]);
    assert_eq!(ok_json(&first).as_array().map(Vec::len), Some(4));
    assert!(stderr(&first).contains("--all"), "{}", stderr(&first));

    let output = cli(
        &server,
        &[
            "list",
            "SalesOrders",
            "--filter",
            "company eq 'USMF' and totalAmount gt 500",
            "--orderby",
            "totalAmount desc",
            "--top",
            "2",
            "--skip",
            "1",
            "--count",
            "--select",
            "orderNumber,totalAmount",
            "--expand",
            "lines($select=itemNumber)",
        ],
    );
    let records = ok_json(&output);
    let held = server.get_all_blocking(
        "SalesOrders?$filter=company eq 'USMF' and totalAmount gt 500&$orderby=totalAmount desc",
    );
    assert_eq!(held.len(), 3);
    assert_eq!(
        order_numbers(&records),
        order_numbers(&Value::Array(held[1..3].to_vec()))
    );
    assert!(
        stderr(&output).contains("3 records match"),
        "{}",
        stderr(&output)
    );
    for record in records.as_array().expect("records") {
        assert!(record.get("note").is_none(), "{record}");
        let lines = record["lines"].as_array().expect("expanded lines");
        assert!(!lines.is_empty() && lines.iter().all(|l| l["itemNumber"].is_string()));
    }

    // CSV follows $select exactly, although CAP adds keys and the ETag field to the records.
    let csv = cli(
        &server,
        &[
            "list",
            "SalesOrders",
            "--select",
            "orderNumber,totalAmount",
            "--orderby",
            "totalAmount desc",
            "--top",
            "2",
            "--format",
            "csv",
        ],
    );
    assert!(csv.status.success(), "{}", stderr(&csv));
    let text = String::from_utf8(csv.stdout).expect("UTF-8");
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(
        rows,
        ["orderNumber,totalAmount", "SO-1004,4999.99", "SO-2002,2300"]
    );
    // So does the table.
    let table = cli(
        &server,
        &[
            "list",
            "SalesOrders",
            "--select",
            "orderNumber,totalAmount",
            "--orderby",
            "totalAmount desc",
            "--top",
            "2",
            "--format",
            "table",
        ],
    );
    assert!(table.status.success(), "{}", stderr(&table));
    let text = String::from_utf8(table.stdout).expect("UTF-8");
    let header: Vec<&str> = text
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    assert_eq!(header, ["orderNumber", "totalAmount"], "{text}");
    assert!(text.contains("SO-1004") && !text.contains("USMF"), "{text}");
}

#[test]
fn get_reads_one_record_by_composite_key() {
    let server = CapServer::start();
    let record = ok_json(&cli(&server, &["get", "SalesOrders", "DEMF,SO-1001"]));
    let (status, held) = server.get_blocking("SalesOrders(company='DEMF',orderNumber='SO-1001')");
    assert_eq!(status, 200);
    for field in ["customerID", "note", "totalAmount", "status"] {
        assert_eq!(record[field], held[field], "{field}");
    }
    let line = ok_json(&cli(&server, &["get", "SalesOrderLines", "USMF,SO-1001,2"]));
    assert_eq!(line["itemNumber"], json!("A0002"));
    let missing = cli(&server, &["get", "SalesOrders", "USMF,SO-9999"]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("404"), "{}", stderr(&missing));
}

#[test]
fn create_update_and_delete_change_what_the_server_holds() {
    let server = CapServer::start();
    let data =
        r#"{"company": "USMF", "ID": "C-0400", "name": "CLI Customer", "creditLimit": 2500.75}"#;
    let created = ok_json(&cli(&server, &["create", "Customers", "--data", data]));
    assert_eq!(created["ID"], json!("C-0400"));
    let (status, held) = server.get_blocking("Customers(company='USMF',ID='C-0400')");
    assert_eq!(status, 200);
    assert_eq!(held["name"], json!("CLI Customer"));
    assert_eq!(held["creditLimit"].to_string(), "2500.75");
    // A duplicate key: CAP answers 500; the command fails with the reason.
    let duplicate = cli(&server, &["create", "Customers", "--data", data]);
    assert_eq!(duplicate.status.code(), Some(3));
    assert!(
        stderr(&duplicate).contains("already exists"),
        "{}",
        stderr(&duplicate)
    );

    // Update sends the record's ETag in If-Match.
    let (_, before) = server.get_blocking("SalesOrders(company='USMF',orderNumber='SO-1005')");
    let updated = ok_json(&cli(
        &server,
        &[
            "update",
            "SalesOrders",
            "USMF,SO-1005",
            "--data",
            r#"{"note": "via CLI"}"#,
        ],
    ));
    assert_eq!(updated["note"], json!("via CLI"));
    let (_, after) = server.get_blocking("SalesOrders(company='USMF',orderNumber='SO-1005')");
    assert_eq!(after["note"], json!("via CLI"));
    assert_ne!(after["@odata.etag"], before["@odata.etag"]);
    // A stale ETag is refused (412) and changes nothing.
    let stale = cli(
        &server,
        &[
            "update",
            "SalesOrders",
            "USMF,SO-1005",
            "--data",
            r#"{"note": "lost update"}"#,
            "--if-match",
            before["@odata.etag"].as_str().expect("etag"),
        ],
    );
    assert_eq!(stale.status.code(), Some(3));
    assert!(stderr(&stale).contains("412"), "{}", stderr(&stale));
    let (_, after) = server.get_blocking("SalesOrders(company='USMF',orderNumber='SO-1005')");
    assert_eq!(after["note"], json!("via CLI"));

    let deleted = cli(&server, &["delete", "SalesOrders", "USMF,SO-1003"]);
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    let (status, _) = server.get_blocking("SalesOrders(company='USMF',orderNumber='SO-1003')");
    assert_eq!(status, 404);
    assert_eq!(
        server.get_all_blocking("SalesOrders").len(),
        seed_rows("SalesOrders").len() - 1
    );
}

#[test]
fn execute_runs_the_bound_action_and_the_unbound_function() {
    let server = CapServer::start();
    let confirmed = ok_json(&cli(
        &server,
        &[
            "execute",
            "SalesOrders",
            "USMF,SO-1004",
            "confirm",
            "--param",
            "note=by CLI",
        ],
    ));
    assert_eq!(confirmed["status"], json!("Confirmed"));
    let (_, held) = server.get_blocking("SalesOrders(company='USMF',orderNumber='SO-1004')");
    assert_eq!(held["status"], json!("Confirmed"));
    assert_eq!(held["note"], json!("by CLI"));
    let again = cli(
        &server,
        &["execute", "SalesOrders", "USMF,SO-1004", "confirm"],
    );
    assert_eq!(again.status.code(), Some(3));
    assert!(
        stderr(&again).contains("target: status"),
        "{}",
        stderr(&again)
    );

    let balance = ok_json(&cli(
        &server,
        &[
            "execute",
            "customerBalance",
            "--param",
            "company=DEMF",
            "--param",
            "customer=C-0002",
        ],
    ));
    let orders =
        server.get_all_blocking("SalesOrders?$filter=company eq 'DEMF' and customerID eq 'C-0002'");
    let decimal = |v: &Value| {
        v.to_string()
            .parse::<rust_decimal::Decimal>()
            .expect("a decimal")
    };
    let expected: rust_decimal::Decimal = orders.iter().map(|o| decimal(&o["totalAmount"])).sum();
    assert!(!orders.is_empty());
    assert_eq!(decimal(&balance["value"]), expected);
}
