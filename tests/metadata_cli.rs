//! `flowbench metadata summary` end to end: JSON counts against an independent text scan,
//! exit codes for malformed files, usage errors and failed requests, and a real local
//! HTTP server for the URL form.

mod support;

use std::net::SocketAddr;
use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;
use support::{count_start_tags, metadata_fixture_dir, tags};

fn flowbench() -> Command {
    let mut command = Command::cargo_bin("flowbench").expect("binary built");
    command.timeout(std::time::Duration::from_secs(60));
    command
}

fn counts_json(stdout: &[u8]) -> serde_json::Map<String, serde_json::Value> {
    let text = std::str::from_utf8(stdout).expect("utf-8");
    assert_eq!(
        text.trim().lines().count(),
        1,
        "exactly one JSON line: {text}"
    );
    match serde_json::from_str(text).expect("valid JSON") {
        serde_json::Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn assert_counts_match_scan(json: &serde_json::Map<String, serde_json::Value>, xml: &str) {
    let scan = count_start_tags(xml);
    let fields = [
        ("entity_sets", "EntitySet"),
        ("singletons", "Singleton"),
        ("entity_types", "EntityType"),
        ("complex_types", "ComplexType"),
        ("enum_types", "EnumType"),
        ("actions", "Action"),
        ("functions", "Function"),
        ("action_imports", "ActionImport"),
        ("function_imports", "FunctionImport"),
        ("navigation_properties", "NavigationProperty"),
        ("properties", "Property"),
    ];
    for (field, tag) in fields {
        let value = json.get(field).and_then(serde_json::Value::as_u64);
        assert_eq!(value, Some(tags(&scan, tag) as u64), "{field}");
    }
    let parse_ms = json
        .get("parse_ms")
        .and_then(serde_json::Value::as_f64)
        .expect("parse_ms");
    assert!(parse_ms >= 0.0);
    assert_eq!(json.len(), fields.len() + 1, "no other keys: {json:?}");
}

#[test]
fn summary_json_of_a_file_matches_an_independent_count() {
    for relative in [
        "fno/fno_trimmed_scm_inventory_ntrtd.xml",
        "reference/trippin_v4_SimpleOData.xml",
    ] {
        let path = metadata_fixture_dir().join(relative);
        let output = flowbench()
            .args(["metadata", "summary"])
            .arg(&path)
            .arg("--json")
            .assert()
            .success()
            .get_output()
            .clone();
        let xml = String::from_utf8_lossy(&std::fs::read(&path).expect("read")).into_owned();
        assert_counts_match_scan(&counts_json(&output.stdout), &xml);
    }
}

/// A document of about 2 MB: large enough to be parsed while it is read.
fn large_document(types: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\"?>\n<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\"><edmx:DataServices>\n<Schema Namespace=\"D\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n",
    );
    for i in 0..types {
        xml.push_str(&format!(
            "  <EntityType Name=\"T{i}\">\n    <Key><PropertyRef Name=\"Id\"/></Key>\n    <Property Name=\"Id\" Type=\"Edm.String\" Nullable=\"false\">\n      <Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.LabelId\" String=\"@SYS{i}\"/>\n    </Property>\n    <Property Name=\"Amount\" Type=\"Edm.Decimal\" Precision=\"32\" Scale=\"6\"/>\n    <NavigationProperty Name=\"Next\" Type=\"D.T{}\"/>\n  </EntityType>\n",
            (i + 1) % types
        ));
    }
    xml.push_str("  <EntityContainer Name=\"C\">\n");
    for i in 0..types {
        xml.push_str(&format!(
            "    <EntitySet Name=\"T{i}s\" EntityType=\"D.T{i}\"/>\n"
        ));
    }
    xml.push_str("  </EntityContainer>\n</Schema>\n</edmx:DataServices></edmx:Edmx>\n");
    xml
}

#[test]
fn a_large_file_is_summarised_and_its_problems_located_as_a_small_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let xml = large_document(5000);
    assert!(xml.len() > 2_000_000, "{} bytes", xml.len());
    let path = temp_file(&dir, "large.xml", &xml);
    let output = flowbench()
        .args(["metadata", "summary", "--json"])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .clone();
    assert_counts_match_scan(&counts_json(&output.stdout), &xml);
    // A malformed type late in the file: the message and position a small file gets.
    let broken = xml.replace(
        "<EntityType Name=\"T4500\">",
        "<EntityType Name=\"T4500\" Bad>",
    );
    let expected = flowbench::odata::metadata::parse_metadata(broken.as_bytes())
        .expect_err("malformed")
        .to_string();
    let path = temp_file(&dir, "broken.xml", &broken);
    flowbench()
        .args(["metadata", "summary"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(expected));
    // A dangling type is a warning with its line.
    let dangling = xml.replace("Type=\"D.T4001\"", "Type=\"D.Missing\"");
    let line = dangling[..dangling.find("D.Missing").expect("there")]
        .matches('\n')
        .count()
        + 1;
    let path = temp_file(&dir, "dangling.xml", &dangling);
    flowbench()
        .args(["metadata", "summary"])
        .arg(&path)
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "warning: line {line}, column 5: unknown entity type 'D.Missing'"
        )));
}

#[test]
fn readable_summary_lists_counts() {
    let path = metadata_fixture_dir().join("reference/northwind_v4_SimpleOData.xml");
    flowbench()
        .args(["metadata", "summary"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("Entity sets"))
        .stdout(predicate::str::is_match(r"Entity types\s+32\n").expect("regex"))
        .stdout(predicate::str::contains("NorthwindModel"));
}

fn temp_file(dir: &tempfile::TempDir, name: &str, content: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("write");
    path
}

#[test]
fn malformed_file_exits_2_with_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let truncated = temp_file(
        &dir,
        "truncated.xml",
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"x\">\n<edmx:DataServices>\n<Schema Namespace=\"N\">\n",
    );
    flowbench()
        .args(["metadata", "summary"])
        .arg(&truncated)
        .arg("--json")
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "line 4, column 1: expected </Schema>, found end of file",
        ));
    let wrong_root = temp_file(&dir, "page.xml", "<html>\n</html>");
    flowbench()
        .args(["metadata", "summary"])
        .arg(&wrong_root)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "line 1, column 1: expected root element <edmx:Edmx>",
        ));
}

#[test]
fn missing_file_exits_2_and_bad_usage_exits_1() {
    flowbench()
        .args(["metadata", "summary", "does-not-exist.xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read does-not-exist.xml"));
    flowbench().args(["metadata", "summary"]).assert().code(1);
    flowbench()
        .args(["metadata", "summarise", "x.xml"])
        .assert()
        .code(1);
    flowbench()
        .args(["metadata", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("summary"));
}

/// Serves `body` with `status` for `/data/$metadata` on 127.0.0.1; the runtime stops
/// when the returned value is dropped.
fn serve(status: u16, body: &'static str) -> (tokio::runtime::Runtime, SocketAddr) {
    use axum::http::StatusCode;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind loopback");
    let address = listener.local_addr().expect("address");
    let status = StatusCode::from_u16(status).expect("status");
    let app = axum::Router::new().route(
        "/data/$metadata",
        axum::routing::get(
            move || async move { (status, [("content-type", "application/xml")], body) },
        ),
    );
    runtime.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (runtime, address)
}

const SMALL_DOCUMENT: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="N" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="A"><Key><PropertyRef Name="Id"/></Key><Property Name="Id" Type="Edm.Int32" Nullable="false"/>
<NavigationProperty Name="Self" Type="N.A"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="As" EntityType="N.A"/><Singleton Name="One" Type="N.A"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>"#;

#[test]
fn service_root_url_is_fetched_from_a_local_server() {
    let (_runtime, address) = serve(200, SMALL_DOCUMENT);
    let output = flowbench()
        .args([
            "metadata",
            "summary",
            &format!("http://{address}/data/"),
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_counts_match_scan(&counts_json(&output.stdout), SMALL_DOCUMENT);
}

#[test]
fn failed_requests_exit_3() {
    let (_runtime, address) = serve(500, "boom");
    flowbench()
        .args([
            "metadata",
            "summary",
            &format!("http://{address}/data"),
            "--json",
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("500"));
    // A port nobody listens on: bind, note the port, close.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    flowbench()
        .args(["metadata", "summary", &format!("http://{closed}/data")])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("failed"));
}

#[test]
fn malformed_metadata_from_a_server_exits_2() {
    let (_runtime, address) = serve(200, "<edmx:Edmx Version=\"4.0\"><edmx:DataServices>");
    flowbench()
        .args(["metadata", "summary", &format!("http://{address}/data")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "expected </edmx:DataServices>, found end of file",
        ));
}

#[test]
fn diff_of_two_documents_gives_exactly_their_differences_as_text_and_json() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/metadata/diff");
    let dev = dir.join("dev.xml");
    let uat = dir.join("uat.xml");
    let output = flowbench()
        .args(["metadata", "diff"])
        .arg(&dev)
        .arg(&uat)
        .output()
        .expect("runs");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().skip(2).collect();
    assert_eq!(
        lines,
        vec![
            "- entity set LegacyInvoices",
            "~ property CustomerGroup.Description: max length 60 → 100",
            "- property CustomerV3.FaxNumber",
            "~ property CustomerV3.OrganizationName: nullable true → false; required false → true",
            "+ property CustomerV3.SalesSegmentId",
            "- entity type LegacyInvoice",
            "+ enum member CustVendorBlocked.Payment",
            "+ parameter CustomerV3/AdjustCreditLimit(EffectiveDate)",
        ]
    );
    // The other way round, every change is reversed.
    let output = flowbench()
        .args(["metadata", "diff", "--json"])
        .arg(&uat)
        .arg(&dev)
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let kinds: Vec<(&str, &str)> = json
        .as_array()
        .expect("array")
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap_or(""),
                c["path"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(kinds.contains(&("added", "LegacyInvoices")));
    assert!(kinds.contains(&("removed", "CustomerV3.SalesSegmentId")));
    assert!(kinds.contains(&("removed", "CustomerV3/AdjustCreditLimit(EffectiveDate)")));
    assert_eq!(kinds.len(), 8);
    // The same document: no difference.
    let same = flowbench()
        .args(["metadata", "diff"])
        .arg(&dev)
        .arg(&dev)
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&same.stdout).contains("no difference"));
    // A malformed one: where, and exit 2.
    let bad = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(bad.path(), "<edmx:Edmx").expect("written");
    flowbench()
        .args(["metadata", "diff"])
        .arg(&dev)
        .arg(bad.path())
        .assert()
        .code(2);
}

#[test]
fn progress_lines_go_to_stderr_with_bytes_and_counts() {
    let path = metadata_fixture_dir().join("reference/northwind_v4_SimpleOData.xml");
    let size = std::fs::metadata(&path).expect("size").len();
    let output = flowbench()
        .args(["metadata", "summary", "--json", "--progress"])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .clone();
    // stdout keeps its one JSON line.
    let json = counts_json(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let read = format!(
        "metadata: read {:.1} MB from {}",
        size as f64 / 1e6,
        path.display()
    );
    assert!(stderr.contains(&read), "{stderr}");
    let parsed = format!(
        "metadata: parsed {} entity sets, {} entity types in ",
        json["entity_sets"], json["entity_types"]
    );
    assert!(stderr.contains(&parsed), "{stderr}");
    // Not a terminal and not asked for: no progress.
    flowbench()
        .args(["metadata", "summary", "--json"])
        .arg(&path)
        .assert()
        .success()
        .stderr(predicate::str::contains("metadata:").not());
}
