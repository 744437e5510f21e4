//! Demo instance reads over real HTTP: `$filter` forms (checked against client-side
//! evaluation of the full data), `$select`, `$expand`, `$orderby`, `$top`/`$skip`, `$count`,
//! company scoping, server-driven paging and unsupported options.

mod demo_common;

use std::collections::HashSet;

use demo_common::{Demo, TEST_PAGE_SIZE, TEST_ROWS, assert_odata_error, enc, start};
use serde_json::Value;

/// Follows `@odata.nextLink`s (bounded) and returns every row plus the page sizes seen.
async fn all_pages(demo: &Demo, relative: &str) -> (Vec<Value>, Vec<usize>) {
    let mut url = demo.url(relative);
    let mut rows = Vec::new();
    let mut pages = Vec::new();
    for _ in 0..1000 {
        let response = demo.client.get(&url).send().await.expect("GET");
        assert_eq!(response.status().as_u16(), 200, "GET {url}");
        let body: Value = response.json().await.expect("json");
        let page = body["value"].as_array().expect("value").clone();
        pages.push(page.len());
        rows.extend(page);
        match body["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(
                    next.starts_with("http://127.0.0.1:"),
                    "absolute next link: {next}"
                );
                url = next.to_owned();
            }
            None => return (rows, pages),
        }
    }
    panic!("too many pages");
}

fn num(value: &Value) -> f64 {
    value.as_f64().expect("number")
}

fn text(value: &Value) -> String {
    value.as_str().expect("string").to_owned()
}

fn accounts(rows: &[Value]) -> Vec<String> {
    rows.iter().map(|r| text(&r["CustomerAccount"])).collect()
}

async fn filtered(demo: &Demo, set: &str, filter: &str) -> Vec<Value> {
    all_pages(demo, &format!("{set}?$filter={}", enc(filter)))
        .await
        .0
}

#[tokio::test]
async fn filter_forms_match_client_side_evaluation() {
    let demo = start().await;
    let (customers, _) = all_pages(&demo, "CustomersV3").await;
    assert_eq!(
        customers.len() as u64,
        TEST_ROWS / 4,
        "usmf holds a quarter of the rows"
    );

    let expect = |pred: &dyn Fn(&Value) -> bool| -> Vec<String> {
        accounts(
            &customers
                .iter()
                .filter(|r| pred(r))
                .cloned()
                .collect::<Vec<_>>(),
        )
    };
    let cases: Vec<(String, Vec<String>)> = vec![
        (
            "CreditLimit gt 50000".into(),
            expect(&|r| num(&r["CreditLimit"]) > 50000.0),
        ),
        (
            "CreditLimit le 38000.5".into(),
            expect(&|r| num(&r["CreditLimit"]) <= 38000.5),
        ),
        (
            "CustomerAccount eq 'US-003'".into(),
            expect(&|r| r["CustomerAccount"] == "US-003"),
        ),
        (
            "CustomerAccount ne 'US-003'".into(),
            expect(&|r| r["CustomerAccount"] != "US-003"),
        ),
        (
            "CustomerGroupId ge '20' and CustomerGroupId lt '40'".into(),
            expect(&|r| {
                let g = text(&r["CustomerGroupId"]);
                g.as_str() >= "20" && g.as_str() < "40"
            }),
        ),
        (
            "OnHoldStatus eq Microsoft.Dynamics.DataEntities.CustVendorBlocked'No'".into(),
            expect(&|r| r["OnHoldStatus"] == "No"),
        ),
        (
            "not (OnHoldStatus eq Microsoft.Dynamics.DataEntities.CustVendorBlocked'No')".into(),
            expect(&|r| r["OnHoldStatus"] != "No"),
        ),
        (
            "contains(OrganizationName,'o')".into(),
            expect(&|r| text(&r["OrganizationName"]).to_lowercase().contains('o')),
        ),
        (
            "startswith(OrganizationName,'w')".into(),
            expect(&|r| text(&r["OrganizationName"]).to_lowercase().starts_with('w')),
        ),
        (
            "endswith(CustomerAccount,'1')".into(),
            expect(&|r| text(&r["CustomerAccount"]).ends_with('1')),
        ),
        (
            "(CustomerGroupId eq '10' or CustomerGroupId eq '20') and CreditLimit ge 0".into(),
            expect(&|r| r["CustomerGroupId"] == "10" || r["CustomerGroupId"] == "20"),
        ),
        ("CustomerAccount eq null".into(), Vec::new()),
    ];
    let pivot_time = text(&customers[4]["CreatedDateTime"]);
    let pivot_guid = text(&customers[2]["CustomerIntegrationId"]);
    let mut cases = cases;
    cases.push((
        format!("CreatedDateTime gt {pivot_time}"),
        expect(&|r| text(&r["CreatedDateTime"]) > pivot_time),
    ));
    cases.push((
        format!("CustomerIntegrationId eq {pivot_guid}"),
        expect(&|r| text(&r["CustomerIntegrationId"]) == pivot_guid),
    ));
    for (filter, expected) in &cases {
        let got = accounts(&filtered(&demo, "CustomersV3", filter).await);
        assert_eq!(&got, expected, "$filter={filter}");
    }
    // Sanity: the cases are not all trivially empty or full.
    assert!(
        cases
            .iter()
            .filter(|(_, e)| !e.is_empty() && e.len() < customers.len())
            .count()
            >= 6
    );
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn filter_on_dates_integers_and_date_keys() {
    let demo = start().await;
    let (headers, _) = all_pages(&demo, "SalesOrderHeadersV2").await;
    let pivot = text(&headers[3]["RequestedShippingDate"]);
    let expected: HashSet<String> = headers
        .iter()
        .filter(|h| text(&h["RequestedShippingDate"]) >= pivot)
        .map(|h| text(&h["SalesOrderNumber"]))
        .collect();
    let got: HashSet<String> = filtered(
        &demo,
        "SalesOrderHeadersV2",
        &format!("RequestedShippingDate ge {pivot}"),
    )
    .await
    .iter()
    .map(|h| text(&h["SalesOrderNumber"]))
    .collect();
    assert_eq!(got, expected);
    assert!(!got.is_empty() && got.len() < headers.len());

    let (lines, _) = all_pages(&demo, "SalesOrderLines").await;
    let later = filtered(&demo, "SalesOrderLines", "LineCreationSequenceNumber gt 1").await;
    let expected = lines
        .iter()
        .filter(|l| l["LineCreationSequenceNumber"].as_i64() > Some(1))
        .count();
    assert_eq!(later.len(), expected);
    assert!(
        later
            .iter()
            .all(|l| l["LineCreationSequenceNumber"].as_i64() > Some(1))
    );

    let rates = filtered(
        &demo,
        "ExchangeRates",
        "StartDate eq 2024-03-01 and FromCurrency eq 'USD'",
    )
    .await;
    assert!(!rates.is_empty());
    assert!(
        rates
            .iter()
            .all(|r| r["StartDate"] == "2024-03-01" && r["FromCurrency"] == "USD")
    );
    let key = format!(
        "ExchangeRates(RateTypeName='Default',FromCurrency='USD',ToCurrency='{}',StartDate=2024-03-01)",
        text(&rates[0]["ToCurrency"])
    );
    let (status, rate) = demo.get_json(&key).await;
    assert_eq!(status, 200, "{rate}");
    assert_eq!(rate["Rate"], rates[0]["Rate"]);
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn select_expand_orderby_top_skip_and_count() {
    let demo = start().await;
    let rows = demo
        .values("CustomersV3?$select=CustomerAccount,CreditLimit&$top=5")
        .await;
    assert_eq!(rows.len(), 5);
    for row in &rows {
        let keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["@odata.etag", "CustomerAccount", "CreditLimit"]);
    }

    let (ordered, _) = all_pages(
        &demo,
        "CustomersV3?$orderby=CreditLimit desc,CustomerAccount",
    )
    .await;
    let limits: Vec<f64> = ordered.iter().map(|r| num(&r["CreditLimit"])).collect();
    assert!(limits.windows(2).all(|w| w[0] >= w[1]), "{limits:?}");
    let (by_name, _) = all_pages(&demo, "CustomersV3?$orderby=OrganizationName asc").await;
    let names: Vec<String> = by_name
        .iter()
        .map(|r| text(&r["OrganizationName"]).to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");

    let slice = demo
        .values("CustomersV3?$orderby=CreditLimit desc,CustomerAccount&$top=3&$skip=2")
        .await;
    assert_eq!(accounts(&slice), accounts(&ordered[2..5]));

    let (status, body) = demo.get_json("CustomersV3?$count=true&$top=1").await;
    assert_eq!(status, 200);
    assert_eq!(body["@odata.count"].as_u64(), Some(ordered.len() as u64));
    let (status, count) = demo.get_text("CustomersV3/$count").await;
    assert_eq!(status, 200);
    assert_eq!(count, ordered.len().to_string());
    let filter = enc("CreditLimit gt 50000");
    let (_, counted) = demo
        .get_text(&format!("CustomersV3/$count?$filter={filter}"))
        .await;
    let expected = ordered
        .iter()
        .filter(|r| num(&r["CreditLimit"]) > 50000.0)
        .count();
    assert_eq!(counted, expected.to_string());

    let orders = demo
        .values("SalesOrderHeadersV2?$top=3&$expand=SalesOrderLines($select=SalesOrderNumber,LineAmount),OrderingCustomer($select=CustomerAccount)")
        .await;
    assert_eq!(orders.len(), 3);
    for order in &orders {
        let number = text(&order["SalesOrderNumber"]);
        let lines = order["SalesOrderLines"].as_array().expect("expanded lines");
        let filter = enc(&format!("SalesOrderNumber eq '{number}'"));
        let (_, line_count) = demo
            .get_text(&format!("SalesOrderLines/$count?$filter={filter}"))
            .await;
        assert_eq!(lines.len().to_string(), line_count);
        assert!(!lines.is_empty());
        for line in lines {
            assert_eq!(line["SalesOrderNumber"], number.as_str());
            assert!(line.get("ItemNumber").is_none(), "nested $select applies");
        }
        assert_eq!(
            order["OrderingCustomer"]["CustomerAccount"],
            order["OrderingCustomerAccountNumber"]
        );
    }
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn unsupported_or_invalid_queries_answer_400_with_odata_error() {
    let demo = start().await;
    let bad = [
        "CustomersV3?$apply=groupby((CustomerGroupId))",
        "CustomersV3?$search=foo",
        "CustomersV3?$filter=NoSuchField eq 1",
        "CustomersV3?$filter=tolower(OrganizationName) eq 'x'",
        "CustomersV3?$filter=OnHoldStatus has Microsoft.Dynamics.DataEntities.CustVendorBlocked'No'",
        "CustomersV3?$filter=CreditLimit eq 'abc'",
        "CustomersV3?$filter=OnHoldStatus eq Microsoft.Dynamics.DataEntities.CustVendorBlocked'Nope'",
        "CustomersV3?$filter=CustomerAccount eq",
        "CustomersV3?$select=NoSuchField",
        "CustomersV3?$orderby=NoSuchField",
        "CustomersV3?$orderby=CustomerAccount sideways",
        "CustomersV3?$expand=NoSuchNav",
        "SalesOrderHeadersV2?$expand=SalesOrderLines($expand=SalesOrderHeader)",
        "SalesOrderHeadersV2?$expand=SalesOrderLines($filter=LineAmount gt 1)",
        "CustomersV3?$top=-1",
        "CustomersV3?$count=maybe",
    ];
    for query in bad {
        let (relative, options) = query.split_once('?').unwrap();
        let encoded: Vec<String> = options
            .split('&')
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                format!("{k}={}", enc(v))
            })
            .collect();
        let (status, body) = demo
            .get_json(&format!("{relative}?{}", encoded.join("&")))
            .await;
        assert_eq!(status, 400, "{query}: {body}");
        let inner = assert_odata_error(&body);
        assert!(!inner.is_empty());
    }
    let (status, body) = demo.get_json("NoSuchSet").await;
    assert_eq!(status, 404);
    assert_odata_error(&body);
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn company_scoping_and_cross_company() {
    let demo = start().await;
    let (default_rows, _) = all_pages(&demo, "CustomersV3").await;
    assert!(default_rows.iter().all(|r| r["dataAreaId"] == "usmf"));
    let (all_rows, _) = all_pages(&demo, "CustomersV3?cross-company=true").await;
    assert_eq!(all_rows.len() as u64, TEST_ROWS);
    let companies: HashSet<String> = all_rows.iter().map(|r| text(&r["dataAreaId"])).collect();
    assert_eq!(
        companies,
        ["usmf", "usrt", "demf", "gbsi"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );

    let (status, _) = demo
        .get_json("CustomersV3(dataAreaId='demf',CustomerAccount='DE-001')")
        .await;
    assert_eq!(
        status, 404,
        "another company's record is not visible without cross-company"
    );
    let (status, body) = demo
        .get_json("CustomersV3(CustomerAccount='DE-001',dataAreaId='demf')?cross-company=true")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["CustomerAccount"], "DE-001");
    let (status, body) = demo
        .get_json("CustomersV3(CustomerAccount=%27US-002%27,dataAreaId=%27usmf%27)")
        .await;
    assert_eq!(status, 200, "percent-encoded keys in any order: {body}");
    assert_eq!(
        body["@odata.context"],
        demo.url("$metadata#CustomersV3/$entity").as_str()
    );
    let (status, legal) = demo.get_json("LegalEntities('gbsi')").await;
    assert_eq!(status, 200);
    assert_eq!(legal["LegalEntityId"], "gbsi");
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn paging_follows_next_links_and_returns_every_row_once() {
    let demo = start().await;
    let (rows, pages) = all_pages(
        &demo,
        "CustomersV3?cross-company=true&$select=dataAreaId,CustomerAccount",
    )
    .await;
    assert_eq!(rows.len() as u64, TEST_ROWS);
    assert!(pages.len() > 1);
    assert!(pages.iter().all(|p| *p as u64 <= TEST_PAGE_SIZE));
    let unique: HashSet<(String, String)> = rows
        .iter()
        .map(|r| (text(&r["dataAreaId"]), text(&r["CustomerAccount"])))
        .collect();
    assert_eq!(unique.len(), rows.len());

    let (limited, _) = all_pages(&demo, "CustomersV3?cross-company=true&$top=17&$skip=3").await;
    assert_eq!(limited.len(), 17);

    let response = demo
        .client
        .get(demo.url("SalesOrderLines?cross-company=true"))
        .header("Prefer", "odata.maxpagesize=5")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response
            .headers()
            .get("preference-applied")
            .and_then(|v| v.to_str().ok()),
        Some("odata.maxpagesize=5")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["value"].as_array().unwrap().len(), 5);
    assert!(body["@odata.nextLink"].is_string());
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn links_come_from_the_bound_address_not_the_request_host() {
    let demo = start().await;
    let port = demo.server.local_addr().port();
    let response = demo
        .client
        .get(demo.url("CustomersV3?cross-company=true"))
        .header("Host", format!("localhost:{port}"))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    let next = body["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("http://127.0.0.1:{port}/data/CustomersV3?")),
        "{next}"
    );
    assert_eq!(
        body["@odata.context"],
        format!("http://127.0.0.1:{port}/data/$metadata#CustomersV3").as_str()
    );
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn navigation_by_path_returns_related_rows_and_pages() {
    let demo = start().await;
    let filter = enc("OrderingCustomerAccountNumber eq 'US-001'");
    let (expected, _) = all_pages(&demo, &format!("SalesOrderHeadersV2?$filter={filter}")).await;
    let customer = "CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')";
    let response = demo
        .client
        .get(demo.url(&format!("{customer}/SalesOrderHeaders")))
        .header("Prefer", "odata.maxpagesize=1")
        .send()
        .await
        .unwrap();
    let first: Value = response.json().await.unwrap();
    let mut numbers: Vec<String> = first["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| text(&o["SalesOrderNumber"]))
        .collect();
    if expected.len() > 1 {
        let next = first["@odata.nextLink"]
            .as_str()
            .expect("next link for the navigation");
        assert!(next.contains("/SalesOrderHeaders?"), "{next}");
    }
    let (rest, _) = all_pages(&demo, &format!("{customer}/SalesOrderHeaders?$skip=1")).await;
    numbers.extend(rest.iter().map(|o| text(&o["SalesOrderNumber"])));
    let expected_numbers: Vec<String> = expected
        .iter()
        .map(|o| text(&o["SalesOrderNumber"]))
        .collect();
    assert_eq!(numbers, expected_numbers);

    let order = &expected_numbers[0];
    let (status, header) = demo
        .get_json(&format!("SalesOrderLines(dataAreaId='usmf',SalesOrderNumber='{order}',LineCreationSequenceNumber=1)/SalesOrderHeader?$select=SalesOrderNumber"))
        .await;
    assert_eq!(status, 200, "{header}");
    assert_eq!(header["SalesOrderNumber"], order.as_str());
    assert!(header.get("CurrencyCode").is_none());

    // `$count` after the navigation: the related rows, also filtered.
    let (status, count) = demo
        .get_text(&format!("{customer}/SalesOrderHeaders/$count"))
        .await;
    assert_eq!(status, 200, "{count}");
    assert_eq!(count, expected.len().to_string());
    let open = enc(&format!("SalesOrderNumber ne '{order}'"));
    let (status, count) = demo
        .get_text(&format!(
            "{customer}/SalesOrderHeaders/$count?$filter={open}"
        ))
        .await;
    assert_eq!(status, 200, "{count}");
    assert_eq!(count, (expected.len() - 1).to_string());
    let (status, _) = demo
        .get_text(&format!(
            "{customer}/SalesOrderHeaders/$count?$select=SalesOrderNumber"
        ))
        .await;
    assert_eq!(status, 400);
    // A single-valued navigation has no count.
    let (status, _) = demo
        .get_text(&format!("SalesOrderLines(dataAreaId='usmf',SalesOrderNumber='{order}',LineCreationSequenceNumber=1)/SalesOrderHeader/$count"))
        .await;
    assert_eq!(status, 404);
    demo.server.shutdown().await.unwrap();
}
