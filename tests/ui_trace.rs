//! The HTTP trace panel driven headless with egui_kittest, fed by a real `Trace`.

use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use flowbench::odata::client::{Trace, TraceEntry};
use flowbench::ui::trace_panel::{TracePanel, entry_summary, trace_panel_ui};

const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.secret-payload.signature";

fn entry(method: &str, url: &str, status: Option<u16>, body: Option<&str>) -> TraceEntry {
    TraceEntry {
        id: 0,
        started_at: chrono::Utc::now(),
        attempt: 1,
        method: method.into(),
        url: url.into(),
        request_headers: vec![
            ("Authorization".into(), format!("Bearer {TOKEN}")),
            ("Accept".into(), "application/json".into()),
        ],
        request_body: None,
        status,
        response_headers: vec![("Content-Type".into(), "application/json".into())],
        response_body: body.map(str::to_owned),
        response_size: body.map_or(0, |b| b.len() as u64),
        duration: Duration::from_millis(143),
        error: status.is_none().then(|| "connection refused".to_owned()),
    }
}

fn filled_trace() -> Trace {
    let trace = Trace::default();
    trace.record(entry(
        "GET",
        "http://127.0.0.1:9/data/CustomersV3?$top=2",
        Some(200),
        Some(r#"{"value":[{"CustomerAccount":"US-001"}]}"#),
    ));
    trace.record(entry(
        "PATCH",
        "http://127.0.0.1:9/data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')",
        Some(412),
        Some(r#"{"error":{"code":"","message":"The record was changed"}}"#),
    ));
    trace
}

fn harness_for(panel: TracePanel) -> Harness<'static, TracePanel> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1200.0, 700.0))
        .build_ui_state(
            |ui, panel: &mut TracePanel| trace_panel_ui(ui, panel),
            panel,
        );
    harness.run();
    harness
}

#[test]
fn lists_entries_newest_first_with_a_count() {
    let trace = filled_trace();
    let harness = harness_for(TracePanel::new(trace.clone()));
    assert_eq!(harness.state().label(), "HTTP trace (2)");
    harness.get_by_label("HTTP trace (2)");
    let entries = trace.entries();
    let get = harness.get_by_label_contains("200 GET");
    let patch = harness.get_by_label_contains("412 PATCH");
    assert!(patch.rect().top() < get.rect().top(), "newest first");
    assert_eq!(harness.state().latest().map(|e| e.id), Some(entries[1].id));
    assert!(entry_summary(&entries[0]).contains("143 ms"));
}

#[test]
fn selecting_an_entry_shows_redacted_headers_and_pretty_bodies() {
    let trace = filled_trace();
    let mut harness = harness_for(TracePanel::new(trace));
    harness.get_by_label_contains("200 GET").click();
    harness.run();
    assert_eq!(
        harness.state().selected().map(|e| e.status),
        Some(Some(200))
    );
    harness.get_by_label("Request headers");
    harness.get_by_label("Authorization");
    harness.get_by_label("Bearer [redacted]");
    assert_eq!(harness.query_all_by_label("application/json").count(), 2);
    let body = harness
        .get_by_role_and_label(Role::MultilineTextInput, "Response body")
        .value()
        .expect("a body");
    assert!(
        body.contains("\"CustomerAccount\": \"US-001\""),
        "pretty JSON: {body}"
    );
    let shown = |needle: &str| {
        harness
            .query_all_by(|node| {
                node.label().is_some_and(|l| l.contains(needle))
                    || node.value().is_some_and(|v| v.contains(needle))
            })
            .count()
    };
    assert!(shown("[redacted]") >= 1, "the search sees header values");
    assert_eq!(shown("secret-payload"), 0, "the raw token is never shown");
}

#[test]
fn new_requests_appear_and_clear_empties_the_trace() {
    let trace = Trace::default();
    let mut harness = harness_for(TracePanel::new(trace.clone()));
    harness.get_by_label("HTTP trace (0)");
    harness.get_by_label("No requests yet.");

    trace.record(entry(
        "GET",
        "http://127.0.0.1:9/data/$metadata",
        None,
        None,
    ));
    harness.run();
    harness.get_by_label("HTTP trace (1)");
    harness.get_by_label_contains("ERR GET").click();
    harness.run();
    harness.get_by_label("connection refused");

    harness.get_by_label("Clear").click();
    harness.run();
    assert!(trace.is_empty());
    assert_eq!(harness.state().selected_id(), None);
    harness.get_by_label("HTTP trace (0)");
    harness.get_by_label("No requests yet.");
}

#[test]
fn selecting_a_request_scrolls_the_list_to_it() {
    let trace = Trace::default();
    let old = "http://127.0.0.1:9/data/SalesOrderHeadersV2";
    trace.record(entry("POST", old, Some(400), Some("{}")));
    for n in 0..150 {
        let url = format!("http://127.0.0.1:9/data/CustomersV3?$skip={n}");
        trace.record(entry("GET", &url, Some(200), Some("{}")));
    }
    let mut harness = harness_for(TracePanel::new(trace));
    let old_row = |harness: &Harness<'_, TracePanel>| {
        harness
            .query_by(|node| {
                node.role() == Role::Button
                    && node
                        .label()
                        .is_some_and(|label| label.contains("SalesOrderHeadersV2"))
            })
            .is_some()
    };
    assert!(!old_row(&harness), "the oldest row starts out of view");

    // Another request with the same URL but another status does not match.
    assert!(
        !harness
            .state_mut()
            .select_request(Some(&format!("POST {old}")), Some(500))
    );
    assert!(
        harness
            .state_mut()
            .select_request(Some(&format!("POST {old}")), Some(400))
    );
    harness.run_steps(12);
    assert_eq!(
        harness.state().selected().map(|e| e.status),
        Some(Some(400))
    );
    assert!(old_row(&harness), "the list scrolled to the selected row");
}

#[test]
fn copy_buttons_give_the_url_a_curl_command_without_the_token_and_the_body() {
    let mut harness = harness_for(TracePanel::new(filled_trace()));
    harness.get_by_label_contains("412 PATCH").click();
    harness.run();
    let url = "http://127.0.0.1:9/data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')";

    harness.get_by_label("Copy URL").click();
    harness.run();
    assert_eq!(harness.state().last_copied(), Some(url));

    harness.get_by_label("Copy as cURL").click();
    harness.run();
    let curl = harness.state().last_copied().expect("a copy").to_owned();
    assert!(curl.starts_with("curl --request PATCH 'http://127.0.0.1:9/data/CustomersV3("));
    assert!(
        curl.contains("--header \"Authorization: Bearer $TOKEN\""),
        "{curl}"
    );
    assert!(
        curl.contains("--header 'Accept: application/json'"),
        "{curl}"
    );
    assert!(!curl.contains("secret-payload") && !curl.contains(TOKEN));

    harness.get_by_label("Copy response body").click();
    harness.run();
    assert_eq!(
        harness.state().last_copied(),
        Some(r#"{"error":{"code":"","message":"The record was changed"}}"#)
    );
}

#[test]
fn errors_only_lists_error_statuses_and_requests_without_an_answer() {
    let trace = filled_trace();
    trace.record(entry(
        "GET",
        "http://127.0.0.1:9/data/Unreachable",
        None,
        None,
    ));
    let mut harness = harness_for(TracePanel::new(trace));
    assert_eq!(harness.state().listed().len(), 3);
    harness.get_by_label_contains("200 GET");

    harness
        .get_by_role_and_label(Role::CheckBox, "Errors only (2)")
        .click();
    harness.run();
    assert!(harness.state().errors_only);
    let listed: Vec<Option<u16>> = harness
        .state()
        .listed()
        .iter()
        .map(|&i| harness.state().entries()[i].status)
        .collect();
    assert_eq!(listed, [None, Some(412)], "newest first");
    assert!(harness.query_by_label_contains("200 GET").is_none());
    harness.get_by_label_contains("412 PATCH");
}
