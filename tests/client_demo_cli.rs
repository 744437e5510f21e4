//! The request commands run against the embedded demo server (started through its public
//! API), with every effect read back over plain HTTP.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

use std::process::Output;

use assert_cmd::Command;
use flowbench::demo::{DemoConfig, DemoThread};
use serde_json::{Value, json};

/// A demo instance with a small page size so listings span several pages.
fn demo() -> DemoThread {
    DemoThread::start(DemoConfig {
        rows: 60,
        page_size: 7,
        ..DemoConfig::default()
    })
    .unwrap()
}

/// Runs the binary with `--instance <root>` after the command name.
fn cli(root: &str, args: &[&str]) -> Output {
    let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    all.insert(1, "--instance".into());
    all.insert(2, root.to_owned());
    // FLOWBENCH_BIN lets a shared target directory's binary be pinned to this build.
    let mut cmd = match std::env::var_os("FLOWBENCH_BIN") {
        Some(path) => Command::new(path),
        None => Command::cargo_bin("flowbench").unwrap(),
    };
    cmd.args(&all)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap()
}

fn ok_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// GET with plain reqwest, all rows in one page.
fn read(root: &str, path: &str) -> (u16, Value) {
    let url = format!("{root}{path}");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let response = reqwest::Client::new()
                .get(&url)
                .header("Prefer", "odata.maxpagesize=100000")
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            (
                status,
                serde_json::from_str(&text).unwrap_or(Value::String(text)),
            )
        })
}

fn accounts(records: &Value) -> Vec<String> {
    records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["CustomerAccount"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn list_all_pages_and_query_options_match_the_server() {
    let demo = demo();
    let root = demo.service_root().to_owned();

    let listed = ok_json(&cli(
        &root,
        &[
            "list",
            "CustomersV3",
            "--all",
            "--select",
            "CustomerAccount",
            "--orderby",
            "CustomerAccount",
        ],
    ));
    let (_, expected) = read(
        &root,
        "CustomersV3?$select=CustomerAccount&$orderby=CustomerAccount",
    );
    assert!(
        expected["value"].as_array().unwrap().len() > 7,
        "must span several pages"
    );
    assert_eq!(accounts(&listed), accounts(&expected["value"]));

    let entities = cli(&root, &["entities"]);
    assert!(entities.status.success());
    let names: Vec<String> = String::from_utf8(entities.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let (_, document) = read(&root, "");
    let expected: Vec<&str> = document["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "EntitySet")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"CustomersV3".to_owned()));
    assert_eq!(names, expected);

    let one_page = ok_json(&cli(&root, &["list", "CustomersV3"]));
    assert_eq!(one_page.as_array().unwrap().len(), 7);

    let filtered = ok_json(&cli(
        &root,
        &[
            "list",
            "CustomersV3",
            "--filter",
            "CreditLimit gt 0",
            "--orderby",
            "CustomerAccount desc",
            "--top",
            "3",
            "--skip",
            "2",
        ],
    ));
    let (_, expected) = read(
        &root,
        "CustomersV3?$filter=CreditLimit%20gt%200&$orderby=CustomerAccount%20desc&$top=3&$skip=2",
    );
    assert_eq!(accounts(&filtered), accounts(&expected["value"]));
    assert_eq!(accounts(&filtered).len(), 3);

    let csv = cli(
        &root,
        &[
            "list",
            "CustomersV3",
            "--cross-company",
            "--all",
            "--select",
            "dataAreaId,CustomerAccount",
            "--format",
            "csv",
        ],
    );
    assert!(csv.status.success());
    let text = String::from_utf8(csv.stdout).unwrap();
    let (_, everything) = read(
        &root,
        "CustomersV3?cross-company=true&$select=dataAreaId,CustomerAccount",
    );
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0], "dataAreaId,CustomerAccount");
    assert_eq!(
        rows.len() - 1,
        everything["value"].as_array().unwrap().len()
    );
    let companies: std::collections::BTreeSet<&str> = rows[1..]
        .iter()
        .map(|r| r.split(',').next().unwrap())
        .collect();
    assert!(companies.len() > 1, "{companies:?}");

    // --progress: the same data on stdout, the progress line (records, pages, rate) on stderr.
    let with_progress = cli(
        &root,
        &[
            "list",
            "CustomersV3",
            "--cross-company",
            "--all",
            "--select",
            "dataAreaId,CustomerAccount",
            "--format",
            "csv",
            "--progress",
        ],
    );
    assert!(with_progress.status.success());
    assert_eq!(String::from_utf8(with_progress.stdout).unwrap(), text);
    let stderr = String::from_utf8(with_progress.stderr).unwrap();
    // Not a terminal: whole lines, no carriage returns, the final count last.
    assert!(!stderr.contains('\r'), "{stderr:?}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!("{} records, ", rows.len() - 1)) && last.ends_with(" records/s"),
        "{stderr:?}"
    );
}

#[test]
fn get_create_update_delete_round_trip() {
    let demo = demo();
    let root = demo.service_root().to_owned();
    let (_, first) = read(&root, "CustomersV3?$top=1&$orderby=CustomerAccount");
    let first = &first["value"][0];
    let account = first["CustomerAccount"].as_str().unwrap();

    let got = ok_json(&cli(
        &root,
        &["get", "CustomersV3", &format!("usmf,{account}")],
    ));
    assert_eq!(got["CustomerAccount"], first["CustomerAccount"]);
    assert_eq!(got["OrganizationName"], first["OrganizationName"]);

    let data = json!({
        "CustomerAccount": "ZZ-CLI-1", "OrganizationName": "Created by CLI",
        "CustomerGroupId": first["CustomerGroupId"], "SalesCurrencyCode": "USD", "CreditLimit": 1234.50
    });
    let created = ok_json(&cli(
        &root,
        &["create", "CustomersV3", "--data", &data.to_string()],
    ));
    assert_eq!(created["CustomerAccount"], json!("ZZ-CLI-1"));
    let (status, stored) = read(
        &root,
        "CustomersV3(dataAreaId='usmf',CustomerAccount='ZZ-CLI-1')",
    );
    assert_eq!(status, 200);
    assert_eq!(stored["OrganizationName"], json!("Created by CLI"));
    let etag_before = stored["@odata.etag"].clone();

    let updated = cli(
        &root,
        &[
            "update",
            "CustomersV3",
            "usmf,ZZ-CLI-1",
            "--data",
            r#"{"OrganizationName":"Renamed"}"#,
        ],
    );
    assert!(
        updated.status.success(),
        "{}",
        String::from_utf8_lossy(&updated.stderr)
    );
    let (_, stored) = read(
        &root,
        "CustomersV3(dataAreaId='usmf',CustomerAccount='ZZ-CLI-1')",
    );
    assert_eq!(stored["OrganizationName"], json!("Renamed"));
    assert_ne!(stored["@odata.etag"], etag_before);

    // The old ETag is stale now: 412, exit code 3, explained on stderr.
    let stale = cli(
        &root,
        &[
            "update",
            "CustomersV3",
            "usmf,ZZ-CLI-1",
            "--data",
            r#"{"OrganizationName":"Again"}"#,
            "--if-match",
            etag_before.as_str().unwrap(),
        ],
    );
    assert_eq!(stale.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&stale.stderr).contains("412"));
    let (_, stored) = read(
        &root,
        "CustomersV3(dataAreaId='usmf',CustomerAccount='ZZ-CLI-1')",
    );
    assert_eq!(stored["OrganizationName"], json!("Renamed"));

    let deleted = cli(&root, &["delete", "CustomersV3", "usmf,ZZ-CLI-1"]);
    assert!(deleted.status.success());
    let (status, _) = read(
        &root,
        "CustomersV3(dataAreaId='usmf',CustomerAccount='ZZ-CLI-1')",
    );
    assert_eq!(status, 404);

    // A validation failure from the server: exit code 3 and the Infolog on stderr.
    let invalid = cli(
        &root,
        &[
            "create",
            "CustomersV3",
            "--data",
            r#"{"CustomerAccount":"ZZ-CLI-2"}"#,
        ],
    );
    assert_eq!(invalid.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&invalid.stderr).contains("Infolog"),
        "{}",
        String::from_utf8_lossy(&invalid.stderr)
    );
}

#[test]
fn execute_bound_and_unbound_actions() {
    let demo = demo();
    let root = demo.service_root().to_owned();
    let (_, first) = read(&root, "CustomersV3?$top=1&$orderby=CustomerAccount");
    let account = first["value"][0]["CustomerAccount"]
        .as_str()
        .unwrap()
        .to_owned();
    let keys = format!("usmf,{account}");
    let record_path = format!("CustomersV3(dataAreaId='usmf',CustomerAccount='{account}')");

    let blocked = cli(&root, &["execute", "CustomersV3", &keys, "BlockCustomer"]);
    assert!(
        blocked.status.success(),
        "{}",
        String::from_utf8_lossy(&blocked.stderr)
    );
    let (_, stored) = read(&root, &record_path);
    assert_eq!(stored["OnHoldStatus"], json!("All"));

    let (_, before) = read(&root, &record_path);
    let adjusted = ok_json(&cli(
        &root,
        &[
            "execute",
            "CustomersV3",
            &keys,
            "AdjustCreditLimit",
            "--param",
            "Amount=100.25",
            "--param",
            "Reason=cli test",
            "--param",
            "EffectiveDate=2024-01-31",
        ],
    ));
    let (_, after) = read(&root, &record_path);
    let as_f64 = |v: &Value| {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .unwrap()
    };
    assert_eq!(
        as_f64(&after["CreditLimit"]),
        as_f64(&before["CreditLimit"]) + 100.25
    );
    assert_eq!(as_f64(&adjusted["value"]), as_f64(&after["CreditLimit"]));

    let on_hold = ok_json(&cli(&root, &["execute", "CustomersV3", "CountOnHold"]));
    assert!(on_hold["value"].as_i64().unwrap() >= 1);

    let version = ok_json(&cli(&root, &["execute", "GetApplicationVersion"]));
    assert!(version["value"].is_string());

    let bad = cli(
        &root,
        &[
            "execute",
            "CustomersV3",
            &keys,
            "AdjustCreditLimit",
            "--param",
            "Amount=lots",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
}

/// Every customer of every company, by `company,account`.
fn all_customers(root: &str) -> std::collections::BTreeMap<String, Value> {
    let (_, page) = read(root, "CustomersV3?cross-company=true");
    page["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let key = format!(
                "{},{}",
                c["dataAreaId"].as_str().unwrap(),
                c["CustomerAccount"].as_str().unwrap()
            );
            (key, c.clone())
        })
        .collect()
}

/// The keys whose records differ between two snapshots (changed, added or removed).
fn changed_keys(
    before: &std::collections::BTreeMap<String, Value>,
    after: &std::collections::BTreeMap<String, Value>,
) -> Vec<String> {
    let mut keys: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .cloned()
        .collect();
    keys.dedup();
    keys
}

#[test]
fn single_record_commands_reach_another_company_with_cross_company() {
    let demo = demo();
    let root = demo.service_root().to_owned();
    let (_, page) = read(
        &root,
        "CustomersV3?cross-company=true&$filter=dataAreaId eq 'demf'&$top=1",
    );
    let account = page["value"][0]["CustomerAccount"]
        .as_str()
        .unwrap()
        .to_owned();
    let keys = format!("demf,{account}");
    let path = format!("CustomersV3(dataAreaId='demf',CustomerAccount='{account}')");

    // The default company (usmf) does not see it: 404, as F&O answers.
    let plain = cli(&root, &["get", "CustomersV3", &keys]);
    assert_eq!(plain.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&plain.stderr).contains("404"));
    let got = ok_json(&cli(
        &root,
        &["get", "CustomersV3", &keys, "--cross-company"],
    ));
    assert_eq!(got["dataAreaId"], json!("demf"));
    assert_eq!(got["CustomerAccount"], json!(account));

    // Update: only that record changes.
    let before = all_customers(&root);
    let refused = cli(
        &root,
        &[
            "update",
            "CustomersV3",
            &keys,
            "--data",
            r#"{"AddressCity":"Bremen"}"#,
        ],
    );
    assert_eq!(refused.status.code(), Some(3));
    assert_eq!(
        all_customers(&root),
        before,
        "nothing changed without the option"
    );
    let updated = ok_json(&cli(
        &root,
        &[
            "update",
            "CustomersV3",
            &keys,
            "--cross-company",
            "--data",
            r#"{"AddressCity":"Bremen"}"#,
        ],
    ));
    assert_eq!(updated["AddressCity"], json!("Bremen"));
    let after = all_customers(&root);
    assert_eq!(changed_keys(&before, &after), vec![keys.clone()]);

    // Execute an action bound to that record.
    let before = after;
    let blocked = cli(
        &root,
        &[
            "execute",
            "CustomersV3",
            &keys,
            "BlockCustomer",
            "--cross-company",
        ],
    );
    assert!(
        blocked.status.success(),
        "{}",
        String::from_utf8_lossy(&blocked.stderr)
    );
    let after = all_customers(&root);
    assert_eq!(changed_keys(&before, &after), vec![keys.clone()]);
    assert_eq!(after[&keys]["OnHoldStatus"], json!("All"));

    // Delete.
    let refused = cli(&root, &["delete", "CustomersV3", &keys]);
    assert_eq!(refused.status.code(), Some(3));
    assert_eq!(read(&root, &format!("{path}?cross-company=true")).0, 200);
    let deleted = cli(&root, &["delete", "CustomersV3", &keys, "--cross-company"]);
    assert!(
        deleted.status.success(),
        "{}",
        String::from_utf8_lossy(&deleted.stderr)
    );
    assert_eq!(read(&root, &format!("{path}?cross-company=true")).0, 404);
    assert_eq!(all_customers(&root).len(), before.len() - 1);
}

#[test]
fn create_names_a_field_the_entity_does_not_have() {
    let demo = demo();
    let root = demo.service_root().to_owned();
    let before = all_customers(&root);
    let output = cli(
        &root,
        &[
            "create",
            "CustomersV3",
            "--data",
            r#"{"dataAreaId":"usmf","CustomerAccount":"ZZ-X","OrgName":"typo"}"#,
        ],
    );
    assert_eq!(output.status.code(), Some(1), "a usage error");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("'OrgName'"), "{stderr}");
    assert!(
        stderr.contains("OrganizationName"),
        "lists the known fields: {stderr}"
    );
    assert_eq!(all_customers(&root), before, "nothing was sent");
}

#[test]
fn batch_rolls_back_a_changeset_with_a_bad_record_and_names_it() {
    let demo = demo();
    let root = demo.service_root().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("batch.json");
    let customer = |account: &str| {
        json!({"dataAreaId": "usmf", "CustomerAccount": account, "OrganizationName": account,
               "CustomerGroupId": "10", "SalesCurrencyCode": "USD"})
    };
    let batch = json!({"requests": [
        {"id": "read", "method": "GET", "url": "CustomerGroups?$top=1"},
        {"id": "ok-1", "method": "POST", "url": "CustomersV3", "atomicityGroup": "good",
         "body": customer("ZZ-B-OK1")},
        {"id": "ok-2", "method": "POST", "url": "CustomersV3", "atomicityGroup": "good",
         "body": customer("ZZ-B-OK2")},
        {"id": "first", "method": "POST", "url": "CustomersV3", "atomicityGroup": "bad",
         "body": customer("ZZ-B-1")},
        {"id": "broken", "method": "POST", "url": "CustomersV3", "atomicityGroup": "bad",
         "body": {"dataAreaId": "usmf", "CustomerAccount": "ZZ-B-2"}},
        {"id": "last", "method": "POST", "url": "CustomersV3", "atomicityGroup": "bad",
         "body": customer("ZZ-B-3")},
        {"id": "alone", "method": "POST", "url": "CustomersV3", "body": customer("ZZ-B-4")}
    ]});
    std::fs::write(&file, batch.to_string()).unwrap();
    let before = all_customers(&root);

    let output = cli(&root, &["batch", "--progress", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3), "a request failed");
    let results: Value = serde_json::from_slice(&output.stdout).unwrap();
    let outcome = |id: &str| {
        results["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no result for {id}: {results}"))
            .clone()
    };
    assert_eq!(outcome("read")["status"], 200);
    assert_eq!(outcome("ok-1")["outcome"], "succeeded");
    assert_eq!(outcome("ok-2")["status"], 201);
    assert_eq!(outcome("broken")["outcome"], "failed");
    assert_eq!(outcome("broken")["status"], 400);
    assert!(
        outcome("broken")["error"]
            .as_str()
            .unwrap()
            .contains("must be filled in"),
        "the server's message and Infolog: {}",
        outcome("broken")
    );
    for id in ["first", "last"] {
        assert_eq!(outcome(id)["outcome"], "rolled back");
        assert_eq!(outcome(id)["rolledBackBecauseOf"], "broken");
    }
    // A failed changeset does not stop the batch.
    assert_eq!(outcome("alone")["outcome"], "succeeded");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("request 'broken' POST CustomersV3 failed (400)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("changeset 'bad' was rolled back as a whole"),
        "{stderr}"
    );
    // Progress (asked for with --progress): what was sent, then the changesets done.
    assert!(
        stderr.contains("batch: sending 7 requests (2 changesets) in one $batch"),
        "{stderr}"
    );
    assert!(stderr.contains("batch: 7 answers in "), "{stderr}");
    assert!(stderr.contains(", 1 of 2 changesets done"), "{stderr}");

    // The data: the good changeset and the lone request applied, nothing of the bad one.
    let after = all_customers(&root);
    let mut added = changed_keys(&before, &after);
    added.sort();
    assert_eq!(added, ["usmf,ZZ-B-4", "usmf,ZZ-B-OK1", "usmf,ZZ-B-OK2"]);

    // A malformed file is refused before anything is sent, with where and what.
    std::fs::write(&file, r#"[{"method": "FETCH", "url": "CustomersV3"}]"#).unwrap();
    let output = cli(&root, &["batch", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("requests[0].method: expected one of GET"),
        "{stderr}"
    );
    assert_eq!(all_customers(&root), after);
}
