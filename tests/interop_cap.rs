//! The OData engine against a real third-party OData v4 server: SAP CAP (tests/peers/cap),
//! one fresh server per test. Every result is compared with what the server holds, read
//! back over plain HTTP or taken from the CSV files it was seeded with.

#[path = "peers/cap_server.rs"]
mod cap_server;

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use cap_server::{CapServer, seed_rows};
use flowbench::auth::StaticTokenProvider;
use flowbench::odata::client::batch::changesets_applied;
use flowbench::odata::client::{
    BatchFormat, BatchItem, BatchPart, CancelToken, ClientConfig, ODataClient, ODataError,
    ODataRequest, OperationArg, OperationCall, OperationKind, OperationTarget, RetryPolicy, Trace,
};
use flowbench::odata::keys::KeyPredicate;
use flowbench::odata::metadata::Model;
use flowbench::odata::query::QueryOptions;
use flowbench::odata::service_root::ServiceKind;
use flowbench::odata::values::{EdmDecimal, Value as Typed, ValueKind};
use reqwest::Method;
use serde_json::{Value, json};

/// A generic OData v4 client for the server, with quick retries.
fn client(server: &CapServer) -> ODataClient {
    client_of_kind(server, ServiceKind::GenericOData)
}

/// A client that treats the server as a service of `kind`.
fn client_of_kind(server: &CapServer, kind: ServiceKind) -> ODataClient {
    let config = ClientConfig {
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(30),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(2),
            ..RetryPolicy::default()
        },
        service_kind: kind,
        ..ClientConfig::default()
    };
    let tokens = Arc::new(StaticTokenProvider::new(None));
    ODataClient::with_config(server.root(), tokens, config, Trace::default())
        .expect("a valid service root")
}

async fn model(client: &ODataClient) -> Model {
    client.metadata().await.expect("CAP's $metadata parses")
}

/// The key predicate (with parentheses) of `keys` (`USMF,SO-1001`) typed from $metadata.
fn key(model: &Model, entity_set: &str, keys: &str) -> String {
    let set = model.entity_set(entity_set).expect("entity set");
    let entity = model.entity_type(&set.entity_type).expect("entity type");
    KeyPredicate::parse(model, entity, keys)
        .expect("a valid key")
        .to_literal()
}

/// A field of `record` typed with its declaration in $metadata.
fn typed(model: &Model, entity_set: &str, record: &Value, field: &str) -> Typed {
    let set = model.entity_set(entity_set).expect("entity set");
    let entity = model.entity_type(&set.entity_type).expect("entity type");
    let property = model
        .all_properties(entity)
        .into_iter()
        .find(|p| p.name == field)
        .expect("declared property");
    Typed::from_json(&ValueKind::of_property(model, property), &record[field])
        .unwrap_or_else(|e| panic!("{field} = {}: {e}", record[field]))
}

fn decimal(text: &str) -> EdmDecimal {
    EdmDecimal::parse(text).expect("a decimal")
}

fn assert_decimal(value: &Typed, expected: &str) {
    match value {
        Typed::Decimal(d) => assert!(
            d.same_value(&decimal(expected)),
            "{} != {expected}",
            d.as_str()
        ),
        other => panic!("expected a decimal, got {other:?}"),
    }
}

fn seed_value<'a>(row: &'a [(String, String)], column: &str) -> &'a str {
    row.iter()
        .find(|(c, _)| c == column)
        .map(|(_, v)| v.as_str())
        .expect("seed column")
}

fn order_keys(records: &[Value]) -> Vec<(String, String)> {
    records
        .iter()
        .map(|r| {
            (
                r["company"].as_str().expect("company").to_owned(),
                r["orderNumber"].as_str().expect("orderNumber").to_owned(),
            )
        })
        .collect()
}

fn server_error(
    result: Result<impl std::fmt::Debug, ODataError>,
) -> Box<flowbench::odata::client::ServerError> {
    match result {
        Err(ODataError::Server(e)) => e,
        other => panic!("expected a server error, got {other:?}"),
    }
}

#[tokio::test]
async fn service_document_and_metadata_describe_the_model() {
    let server = CapServer::start();
    let client = client(&server);
    let sets: Vec<String> = client
        .entity_sets()
        .await
        .expect("service document")
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(sets, ["Customers", "SalesOrders", "SalesOrderLines"]);

    let model = model(&client).await;
    // Vocabulary references point at remote URLs: recorded, never fetched (no network).
    let uris: Vec<&str> = model.references.iter().map(|r| r.uri.as_str()).collect();
    assert!(uris.len() >= 3, "{uris:?}");
    assert!(uris.iter().all(|u| u.starts_with("https://")), "{uris:?}");
    let aliases: Vec<&str> = model
        .references
        .iter()
        .flat_map(|r| r.includes.iter().filter_map(|(_, alias)| alias.as_deref()))
        .collect();
    for alias in ["Common", "Core", "Validation"] {
        assert!(aliases.contains(&alias), "{aliases:?}");
    }
    let lines = model
        .entity_type("ErpService.SalesOrderLines")
        .expect("type");
    assert_eq!(
        model.key_of(lines),
        ["company", "orderNumber", "lineNumber"]
    );
    assert!(model.has_optimistic_concurrency("SalesOrders"));
    assert!(!model.has_optimistic_concurrency("Customers"));
    let actions: Vec<&str> = model
        .bound_actions("ErpService.SalesOrders")
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(actions, ["confirm"]);
    let imports: Vec<&str> = model
        .container()
        .expect("container")
        .function_imports
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(imports, ["customerBalance"]);
}

#[tokio::test]
async fn every_page_is_read_by_following_relative_skiptoken_links() {
    let server = CapServer::start();
    let client = client(&server);
    // What the server sends is a relative link with $skiptoken (read over plain HTTP).
    let (status, first) = server.get("SalesOrders").await;
    assert_eq!(status, 200);
    let link = first["@odata.nextLink"].as_str().expect("a nextLink");
    assert!(link.starts_with("SalesOrders?"), "{link}");
    assert!(link.contains("skiptoken="), "{link}");

    let url = client
        .collection_url("SalesOrders", "$count=true")
        .expect("url");
    let mut records = Vec::new();
    let mut links = Vec::new();
    let progress = client
        .list_all(url, &CancelToken::new(), |page, _| {
            links.extend(page.next_link.clone());
            records.extend(page.items);
            ControlFlow::Continue(())
        })
        .await
        .expect("all pages");
    let seeded = seed_rows("SalesOrders");
    assert_eq!(progress.total, Some(seeded.len() as u64));
    assert_eq!(progress.records, seeded.len() as u64);
    assert_eq!(progress.pages, 3, "page size 4 over 9 orders");
    assert!(
        links
            .iter()
            .all(|l| l.as_str().starts_with(server.root()) && l.as_str().contains("skiptoken=")),
        "{links:?}"
    );
    let held = server.get_all("SalesOrders").await;
    assert_eq!(order_keys(&records), order_keys(&held));
    let mut seeded_keys: Vec<(String, String)> = seeded
        .iter()
        .map(|r| {
            (
                seed_value(r, "company").to_owned(),
                seed_value(r, "orderNumber").to_owned(),
            )
        })
        .collect();
    let mut read = order_keys(&records);
    seeded_keys.sort();
    read.sort();
    assert_eq!(read, seeded_keys);
}

#[tokio::test]
async fn filter_select_expand_orderby_top_skip_and_count() {
    let server = CapServer::start();
    let client = client(&server);
    let model = model(&client).await;
    let mut query = QueryOptions::default();
    query
        .set_system("$filter", "totalAmount gt 500 and company eq 'USMF'")
        .expect("filter");
    query
        .set_system("$select", "orderNumber,totalAmount")
        .expect("select");
    query
        .set_system(
            "$expand",
            "lines($select=itemNumber;$orderby=lineNumber desc)",
        )
        .expect("expand");
    query
        .set_system("$orderby", "totalAmount desc")
        .expect("orderby");
    query.top = Some(2);
    query.skip = Some(1);
    query.count = true;
    let page = client
        .list_page("SalesOrders", &query.to_query_string())
        .await
        .expect("page");

    // The expected result, computed from the seed data.
    let seeded = seed_rows("SalesOrders");
    let mut matching: Vec<&Vec<(String, String)>> = seeded
        .iter()
        .filter(|r| seed_value(r, "company") == "USMF")
        .filter(|r| {
            decimal(seed_value(r, "totalAmount"))
                .cmp_value(&decimal("500"))
                .is_gt()
        })
        .collect();
    matching.sort_by(|a, b| {
        decimal(seed_value(b, "totalAmount")).cmp_value(&decimal(seed_value(a, "totalAmount")))
    });
    assert_eq!(page.count, Some(matching.len() as u64));
    let expected: Vec<&str> = matching
        .iter()
        .skip(1)
        .take(2)
        .map(|r| seed_value(r, "orderNumber"))
        .collect();
    let got: Vec<&str> = page
        .items
        .iter()
        .map(|r| r["orderNumber"].as_str().expect("orderNumber"))
        .collect();
    assert_eq!(got, expected);

    let all_lines = seed_rows("SalesOrderLines");
    for (record, seed) in page.items.iter().zip(matching.iter().skip(1)) {
        assert_decimal(
            &typed(&model, "SalesOrders", record, "totalAmount"),
            seed_value(seed, "totalAmount"),
        );
        // $select: CAP adds the keys and the ETag field to what was selected.
        assert_eq!(record["company"], json!("USMF"));
        assert!(record.get("@odata.etag").is_some() && record.get("modifiedAt").is_some());
        assert!(record.get("note").is_none() && record.get("status").is_none());
        // $expand with nested $select and $orderby.
        let mut expected_items: Vec<(i64, &str)> = all_lines
            .iter()
            .filter(|l| {
                seed_value(l, "company") == "USMF"
                    && seed_value(l, "orderNumber") == record["orderNumber"]
            })
            .map(|l| {
                (
                    seed_value(l, "lineNumber").parse().expect("line number"),
                    seed_value(l, "itemNumber"),
                )
            })
            .collect();
        expected_items.sort_by_key(|item| std::cmp::Reverse(item.0));
        let items: Vec<&str> = record["lines"]
            .as_array()
            .expect("expanded lines")
            .iter()
            .map(|l| l["itemNumber"].as_str().expect("itemNumber"))
            .collect();
        let expected_items: Vec<&str> = expected_items.into_iter().map(|(_, i)| i).collect();
        assert_eq!(items, expected_items);
    }
}

#[tokio::test]
async fn decimals_arrive_as_json_numbers_and_are_read_exactly() {
    let server = CapServer::start();
    let client = client(&server);
    let model = model(&client).await;
    let url = client.collection_url("Customers", "").expect("url");
    let mut records = Vec::new();
    client
        .list_all(url, &CancelToken::new(), |page, _| {
            records.extend(page.items);
            ControlFlow::Continue(())
        })
        .await
        .expect("customers");
    let seeded = seed_rows("Customers");
    assert_eq!(records.len(), seeded.len());
    for row in &seeded {
        let record = records
            .iter()
            .find(|r| {
                r["company"] == seed_value(row, "company") && r["ID"] == seed_value(row, "ID")
            })
            .expect("seeded customer is listed");
        assert!(record["creditLimit"].is_number(), "{record}");
        assert_decimal(
            &typed(&model, "Customers", record, "creditLimit"),
            seed_value(row, "creditLimit"),
        );
        assert_eq!(
            typed(&model, "Customers", record, "rating"),
            Typed::Int32(seed_value(row, "rating").parse().expect("rating"))
        );
    }
}

#[tokio::test]
async fn get_by_composite_key() {
    let server = CapServer::start();
    let client = client(&server);
    let model = model(&client).await;
    // The same order number in two companies: two different records.
    let usmf = client
        .get_record(
            "SalesOrders",
            &key(&model, "SalesOrders", "USMF,SO-1001"),
            "",
        )
        .await
        .expect("USMF order");
    let demf = client
        .get_record(
            "SalesOrders",
            &key(&model, "SalesOrders", "DEMF,SO-1001"),
            "$expand=customer($select=name)",
        )
        .await
        .expect("DEMF order");
    for (record, company) in [(&usmf, "USMF"), (&demf, "DEMF")] {
        let seed = seed_rows("SalesOrders")
            .into_iter()
            .find(|r| {
                seed_value(r, "company") == company && seed_value(r, "orderNumber") == "SO-1001"
            })
            .expect("seeded");
        assert_eq!(record["note"], json!(seed_value(&seed, "note")));
        assert_decimal(
            &typed(&model, "SalesOrders", record, "totalAmount"),
            seed_value(&seed, "totalAmount"),
        );
    }
    assert_eq!(demf["customer"]["name"], json!("Litware GmbH"));
    let line = client
        .get_record(
            "SalesOrderLines",
            &key(&model, "SalesOrderLines", "USMF,SO-1001,2"),
            "",
        )
        .await
        .expect("line");
    let (status, held) = server
        .get("SalesOrderLines(company='USMF',orderNumber='SO-1001',lineNumber=2)")
        .await;
    assert_eq!(status, 200);
    assert_eq!(line["itemNumber"], held["itemNumber"]);
    assert_eq!(line["itemNumber"], json!("A0002"));
    let missing = client
        .get_record(
            "SalesOrders",
            &key(&model, "SalesOrders", "USMF,SO-9999"),
            "",
        )
        .await;
    assert_eq!(server_error(missing).status, 404);
}

#[tokio::test]
async fn create_then_duplicate_key_is_a_500_that_is_not_retried() {
    let server = CapServer::start();
    let client = client(&server);
    let record = json!({"company": "USMF", "ID": "C-0100", "name": "Flowbench Ltd", "rating": 2, "creditLimit": 1234.56});
    let created = client
        .create_record("Customers", &record)
        .await
        .expect("created");
    assert_eq!(created["name"], json!("Flowbench Ltd"));
    let (status, held) = server.get("Customers(company='USMF',ID='C-0100')").await;
    assert_eq!(status, 200);
    assert_eq!(held["name"], json!("Flowbench Ltd"));
    assert_eq!(held["creditLimit"].to_string(), "1234.56");

    let posts_before = posts(&client);
    let duplicate = server_error(client.create_record("Customers", &record).await);
    assert_eq!(duplicate.status, 500);
    assert!(duplicate.is_duplicate_key(), "{}", duplicate.report());
    assert!(duplicate.report().contains("already exists"));
    assert_eq!(
        posts(&client),
        posts_before + 1,
        "a failed create is sent once"
    );
    assert_eq!(
        server.get_all("Customers").await.len(),
        seed_rows("Customers").len() + 1
    );
}

fn posts(client: &ODataClient) -> usize {
    client
        .trace()
        .entries()
        .iter()
        .filter(|e| e.method == "POST")
        .count()
}

#[tokio::test]
async fn validation_errors_carry_details_with_targets() {
    let server = CapServer::start();
    let client = client(&server);
    let error = server_error(
        client
            .create_record(
                "Customers",
                &json!({"company": "USMF", "ID": "C-0101", "rating": 7}),
            )
            .await,
    );
    assert_eq!(error.status, 400);
    let targets: Vec<Option<&str>> = error.details.iter().map(|d| d.target.as_deref()).collect();
    assert_eq!(targets, [Some("name"), Some("rating")]);
    assert!(error.report().contains("(target: rating)"));
    let (status, _) = server.get("Customers(company='USMF',ID='C-0101')").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn update_with_etag_stale_etag_and_missing_if_match() {
    let server = CapServer::start();
    let client = client(&server);
    let model = model(&client).await;
    let order_key = key(&model, "SalesOrders", "USMF,SO-1005");
    let original = client
        .get_record("SalesOrders", &order_key, "")
        .await
        .expect("order");
    let etag = original["@odata.etag"]
        .as_str()
        .expect("an ETag")
        .to_owned();
    let edited =
        serde_json::from_value(json!({"note": "changed by flowbench", "totalAmount": 13.50}))
            .expect("object");
    let updated = client
        .update_changed("SalesOrders", &order_key, &original, &edited, None)
        .await
        .expect("updated")
        .expect("CAP returns the record");
    assert_ne!(updated["@odata.etag"].as_str(), Some(etag.as_str()));
    let (_, held) = server
        .get("SalesOrders(company='USMF',orderNumber='SO-1005')")
        .await;
    assert_eq!(held["note"], json!("changed by flowbench"));
    assert_decimal(&typed(&model, "SalesOrders", &held, "totalAmount"), "13.5");
    assert_eq!(held["@odata.etag"], updated["@odata.etag"]);

    // The ETag read before the update is stale now: 412, nothing changes.
    let changes = serde_json::from_value(json!({"note": "lost update"})).expect("object");
    let stale = server_error(
        client
            .update_record("SalesOrders", &order_key, &changes, Some(&etag))
            .await,
    );
    assert_eq!(stale.status, 412);
    assert!(stale.hint().is_some_and(|h| h.contains("ETag")));
    // Without If-Match CAP requires one: 428.
    let url = client.url(&format!("SalesOrders{order_key}")).expect("url");
    let missing = server_error(
        client
            .send(ODataRequest::json(
                Method::PATCH,
                url,
                &json!({"note": "no etag"}),
            ))
            .await,
    );
    assert_eq!(missing.status, 428, "{}", missing.report());
    assert!(missing.hint().is_some_and(|h| h.contains("If-Match")));
    let (_, held) = server
        .get("SalesOrders(company='USMF',orderNumber='SO-1005')")
        .await;
    assert_eq!(held["note"], json!("changed by flowbench"));
}

#[tokio::test]
async fn delete_with_etag_cascades_and_stale_etag_is_refused() {
    let server = CapServer::start();
    let client = client(&server);
    let model = model(&client).await;
    let stale_key = key(&model, "SalesOrders", "USMF,SO-1004");
    let before = client
        .get_record("SalesOrders", &stale_key, "")
        .await
        .expect("order");
    let changes = serde_json::from_value(json!({"note": "touched"})).expect("object");
    client
        .update_record(
            "SalesOrders",
            &stale_key,
            &changes,
            before["@odata.etag"].as_str(),
        )
        .await
        .expect("updated");
    let refused = server_error(
        client
            .delete_record("SalesOrders", &stale_key, before["@odata.etag"].as_str())
            .await,
    );
    assert_eq!(refused.status, 412);
    assert_eq!(
        server
            .get("SalesOrders(company='USMF',orderNumber='SO-1004')")
            .await
            .0,
        200
    );

    let order_key = key(&model, "SalesOrders", "USMF,SO-1001");
    let order = client
        .get_record("SalesOrders", &order_key, "")
        .await
        .expect("order");
    client
        .delete_record("SalesOrders", &order_key, order["@odata.etag"].as_str())
        .await
        .expect("deleted");
    assert_eq!(
        server
            .get("SalesOrders(company='USMF',orderNumber='SO-1001')")
            .await
            .0,
        404
    );
    // The lines are a composition: deleted with the order.
    let lines = server
        .get_all("SalesOrderLines?$filter=company eq 'USMF' and orderNumber eq 'SO-1001'")
        .await;
    assert!(lines.is_empty(), "{lines:?}");
    // The other company's SO-1001 is untouched.
    assert_eq!(
        server
            .get("SalesOrders(company='DEMF',orderNumber='SO-1001')")
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn bound_action_with_etag_then_conflict_with_target() {
    let server = CapServer::start();
    let client = client(&server);
    let model = model(&client).await;
    let order_key = key(&model, "SalesOrders", "DEMF,SO-2002");
    let call = OperationCall {
        target: OperationTarget::Entity {
            entity_set: "SalesOrders".into(),
            key: order_key.clone(),
        },
        kind: OperationKind::Action,
        name: "ErpService.confirm".into(),
        args: vec![OperationArg {
            name: "note".into(),
            value: json!("confirmed by flowbench"),
            literal: None,
        }],
    };
    // Without If-Match: 428 (the entity set uses optimistic concurrency).
    assert_eq!(server_error(client.execute(&call).await).status, 428);
    let order = client
        .get_record("SalesOrders", &order_key, "")
        .await
        .expect("order");
    let result = client
        .execute_if_match(&call, order["@odata.etag"].as_str())
        .await
        .expect("confirmed")
        .expect("the action returns the order");
    assert_eq!(result["status"], json!("Confirmed"));
    let (_, held) = server
        .get("SalesOrders(company='DEMF',orderNumber='SO-2002')")
        .await;
    assert_eq!(held["status"], json!("Confirmed"));
    assert_eq!(held["note"], json!("confirmed by flowbench"));

    // Confirming again is refused by the handler with a target.
    let again = server_error(
        client
            .execute_if_match(&call, held["@odata.etag"].as_str())
            .await,
    );
    assert_eq!(again.status, 409);
    assert_eq!(again.code.as_deref(), Some("ORDER_NOT_OPEN"));
    assert_eq!(again.target.as_deref(), Some("status"));
}

#[tokio::test]
async fn unbound_function_sums_what_the_server_holds() {
    let server = CapServer::start();
    let client = client(&server);
    let model = model(&client).await;
    let call = OperationCall {
        target: OperationTarget::Unbound,
        kind: OperationKind::Function,
        name: "customerBalance".into(),
        args: vec![
            OperationArg {
                name: "company".into(),
                value: json!("USMF"),
                literal: None,
            },
            OperationArg {
                name: "customer".into(),
                value: json!("C-0001"),
                literal: None,
            },
        ],
    };
    let result = client
        .execute(&call)
        .await
        .expect("called")
        .expect("a result");
    let held = server
        .get_all("SalesOrders?$filter=company eq 'USMF' and customerID eq 'C-0001'")
        .await;
    assert!(!held.is_empty());
    let sum = held
        .iter()
        .map(|r| typed(&model, "SalesOrders", r, "totalAmount"))
        .fold(rust_decimal::Decimal::ZERO, |acc, v| match v {
            Typed::Decimal(d) => {
                acc + d
                    .as_str()
                    .parse::<rust_decimal::Decimal>()
                    .expect("decimal")
            }
            other => panic!("{other:?}"),
        });
    let balance = decimal(&result["value"].to_string());
    assert!(
        balance.same_value(&decimal(&sum.to_string())),
        "{} != {sum}",
        balance.as_str()
    );
}

#[tokio::test]
async fn a_failed_changeset_leaves_no_change_in_json_and_multipart_batches() {
    let server = CapServer::start();
    let client = client(&server);
    let count_before = server.get_all("Customers").await.len();
    for (format, id) in [
        (BatchFormat::Json, "C-0300"),
        (BatchFormat::Multipart, "C-0301"),
    ] {
        let parts = [BatchPart::ChangeSet(vec![
            BatchItem {
                id: "1".into(),
                method: Method::POST,
                url: "Customers".into(),
                headers: vec![],
                body: Some(json!({"company": "USMF", "ID": id, "name": "Batch"})),
            },
            BatchItem {
                id: "2".into(),
                method: Method::POST,
                url: "Customers".into(),
                headers: vec![],
                body: Some(json!({"company": "USMF", "ID": "C-0001", "name": "Duplicate"})),
            },
        ])];
        let responses = client.batch(&parts, format).await.expect("batch answered");
        assert_eq!(
            changesets_applied(&parts, &responses),
            [false],
            "{format:?}: {responses:?}"
        );
        let (status, _) = server
            .get(&format!("Customers(company='USMF',ID='{id}')"))
            .await;
        assert_eq!(status, 404, "{format:?}: the first create was rolled back");
    }
    assert_eq!(server.get_all("Customers").await.len(), count_before);

    // A changeset that succeeds is applied as a whole, next to a lone GET.
    for (format, id) in [
        (BatchFormat::Json, "C-0310"),
        (BatchFormat::Multipart, "C-0311"),
    ] {
        let parts = [
            BatchPart::ChangeSet(vec![
                BatchItem {
                    id: "1".into(),
                    method: Method::POST,
                    url: "Customers".into(),
                    headers: vec![],
                    body: Some(json!({"company": "DEMF", "ID": id, "name": "Batch"})),
                },
                BatchItem {
                    id: "2".into(),
                    method: Method::PATCH,
                    url: "Customers(company='DEMF',ID='C-0005')".into(),
                    headers: vec![],
                    body: Some(json!({"name": format!("Renamed by {id}")})),
                },
            ]),
            BatchPart::Request(BatchItem {
                id: "3".into(),
                method: Method::GET,
                url: "Customers?$filter=company eq 'DEMF'&$count=true".replace(' ', "%20"),
                headers: vec![],
                body: None,
            }),
        ];
        let responses = client.batch(&parts, format).await.expect("batch answered");
        assert_eq!(
            changesets_applied(&parts, &responses),
            [true],
            "{format:?}: {responses:?}"
        );
        let (status, _) = server
            .get(&format!("Customers(company='DEMF',ID='{id}')"))
            .await;
        assert_eq!(status, 200, "{format:?}");
        let (_, renamed) = server.get("Customers(company='DEMF',ID='C-0005')").await;
        assert_eq!(renamed["name"], json!(format!("Renamed by {id}")));
        let listing = responses
            .iter()
            .find(|r| r.id.as_deref() == Some("3"))
            .and_then(|r| r.body.clone())
            .expect("the GET's response");
        assert!(
            listing["value"].as_array().is_some_and(|v| !v.is_empty()),
            "{listing}"
        );
    }
}

#[tokio::test]
async fn the_service_kind_decides_how_batch_urls_are_written() {
    let server = CapServer::start();
    let parts = [BatchPart::Request(BatchItem {
        id: "1".into(),
        method: Method::GET,
        url: "Customers?$top=1".into(),
        headers: vec![],
        body: None,
    })];
    // F&O's form (absolute URLs) is refused by CAP; the generic form (relative) works.
    let fno = client_of_kind(&server, ServiceKind::FinanceOperations);
    let responses = fno
        .batch(&parts, BatchFormat::Multipart)
        .await
        .expect("batch answered");
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].status, 404, "{:?}", responses[0].text);
    let generic = client(&server);
    let responses = generic
        .batch(&parts, BatchFormat::Multipart)
        .await
        .expect("batch answered");
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].status, 200, "{:?}", responses[0].text);
    let (_, held) = server.get("Customers?$top=1").await;
    assert_eq!(
        responses[0].body.as_ref().map(|b| b["value"].clone()),
        Some(held["value"].clone())
    );
}
