//! Real Business Central and Dataverse responses (tests/fixtures/payloads) read by the
//! engine: the facts docs/INTEROP.md states about those services, checked.

use flowbench::odata::client::batch::parse_json_response;
use flowbench::odata::client::{Page, ServerError};
use serde_json::Value;
use url::Url;

fn payload(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/payloads/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(text.trim_start_matches('\u{feff}')).expect("JSON payload")
}

#[test]
fn dataverse_next_link_is_absolute_with_a_paging_cookie_and_kept_verbatim() {
    let body = payload("dataverse_contacts_formattedvalues_amplabs.json");
    let raw = body["@odata.nextLink"]
        .as_str()
        .expect("nextLink")
        .to_owned();
    let url =
        Url::parse("https://org5bd08fdd.api.crm.dynamics.com/api/data/v9.2/contacts").expect("url");
    let page = Page::from_json(url, body).expect("a page");
    let next = page.next_link.expect("a next page");
    // The percent-encoded paging cookie must reach the server unchanged.
    assert_eq!(next.as_str(), raw);
    assert!(
        next.query()
            .is_some_and(|q| q.contains("$skiptoken=%3Ccookie"))
    );
    // Dataverse counts in its own annotation (-1: not requested), not in @odata.count.
    assert_eq!(page.count, None);
    // Formatted values arrive as instance annotations next to the raw option-set value.
    let first = &page.items[0];
    assert!(first["familystatuscode"].is_number());
    assert!(first["familystatuscode@OData.Community.Display.V1.FormattedValue"].is_string());
    assert!(page.items.iter().all(|r| r["@odata.etag"].is_string()));
}

#[test]
fn business_central_next_link_is_absolute_and_decimals_are_numbers() {
    let body = payload("bc_customers_page1_nextLink_amplabs.json");
    let url = Url::parse("https://api.businesscentral.dynamics.com/v2.0/t/Production/api/v2.0/companies(1)/customers")
        .expect("url");
    let page = Page::from_json(url, body).expect("a page");
    let next = page.next_link.expect("a next page");
    assert!(
        next.as_str()
            .starts_with("https://api.businesscentral.dynamics.com/")
    );
    assert!(
        next.query()
            .is_some_and(|q| q.contains("aid=FIN") && q.contains("$skiptoken="))
    );
    for record in &page.items {
        assert!(record["creditLimit"].is_number() && record["balanceDue"].is_number());
        assert!(
            record["@odata.etag"]
                .as_str()
                .is_some_and(|e| e.starts_with("W/"))
        );
    }
}

#[test]
fn business_central_json_batch_and_error_bodies() {
    let responses = parse_json_response(&payload("bc_batch.json")).expect("batch response");
    assert!(!responses.is_empty());
    assert!(responses.iter().all(|r| r.id.is_some() && r.is_success()));
    let body = std::fs::read(format!(
        "{}/tests/fixtures/payloads/bc_error_resourcenotfound_amplabs.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture");
    let error = ServerError::from_response("GET", "u", 404, "Not Found", &body);
    assert_eq!(error.code.as_deref(), Some("BadRequest_ResourceNotFound"));
    assert!(error.message.contains("CorrelationId"));
    assert!(error.details.is_empty() && error.target.is_none());
}
