//! Demo instance writes over real HTTP: create/get/update/delete with composite keys, ETags
//! and `If-Match`, F&O-style validation errors, and the change events they publish.

mod demo_common;

use demo_common::{assert_odata_error, enc, start};
use flowbench::demo::ChangeKind;
use reqwest::Method;
use serde_json::{Value, json};

const KEY: &str = "CustomersV3(dataAreaId='usmf',CustomerAccount='T-100')";

fn new_customer(account: &str) -> Value {
    json!({
        "CustomerAccount": account,
        "OrganizationName": "O'Brien & Sons",
        "CustomerGroupId": "10",
        "SalesCurrencyCode": "USD",
        "CreditLimit": 1234.50,
        "OnHoldStatus": "No",
        "CustomerIntegrationId": "5F0E7A43-1B2C-4D5E-8F90-123456789ABC"
    })
}

#[tokio::test]
async fn create_get_update_delete_with_composite_keys_and_etags() {
    let demo = start().await;
    let mut events = demo.server.subscribe();

    let (status, headers, created) = demo
        .send(
            Method::POST,
            "CustomersV3",
            Some(new_customer("T-100")),
            &[],
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["dataAreaId"], "usmf",
        "dataAreaId defaults to the default company"
    );
    assert_eq!(
        created["CreditLimit"].to_string(),
        "1234.5",
        "decimals are exact JSON numbers"
    );
    assert_eq!(
        created["CustomerIntegrationId"],
        "5f0e7a43-1b2c-4d5e-8f90-123456789abc"
    );
    let location = headers["location"].to_str().unwrap();
    assert!(
        location.ends_with("CustomersV3(dataAreaId='usmf',CustomerAccount='T-100')"),
        "{location}"
    );
    let created_event = events.try_recv().expect("created event");
    assert_eq!(created_event.kind, ChangeKind::Created);
    assert_eq!(created_event.entity_set, "CustomersV3");
    assert_eq!(created_event.company.as_deref(), Some("usmf"));
    assert_eq!(created_event.keys["CustomerAccount"], "T-100");
    assert_eq!(created_event.record["OrganizationName"], "O'Brien & Sons");

    let response = demo
        .client
        .get(demo.url("CustomersV3(CustomerAccount='T-100',dataAreaId='usmf')"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["@odata.etag"], etag.as_str());
    assert!(etag.starts_with("W/\""));

    let filter = enc("OrganizationName eq 'O''Brien & Sons'");
    let found = demo.values(&format!("CustomersV3?$filter={filter}")).await;
    assert_eq!(found.len(), 1, "quotes doubled and '&' encoded in $filter");

    let (status, _, _) = demo
        .send(
            Method::PATCH,
            KEY,
            Some(json!({"CreditLimit": 99.99})),
            &[("If-Match", "W/\"1\"")],
        )
        .await;
    assert_eq!(status, 412, "stale ETag");
    let (status, _, body) = demo
        .send(
            Method::PATCH,
            KEY,
            Some(json!({"CreditLimit": 99.99})),
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let updated_event = events.try_recv().expect("updated event");
    assert_eq!(updated_event.kind, ChangeKind::Updated);
    assert_eq!(updated_event.record["CreditLimit"].to_string(), "99.99");
    let (_, after) = demo.get_json(KEY).await;
    assert_eq!(after["CreditLimit"].to_string(), "99.99");
    assert_ne!(
        after["@odata.etag"],
        etag.as_str(),
        "ETag changes on update"
    );

    let (status, _, body) = demo
        .send(Method::DELETE, KEY, None, &[("If-Match", &etag)])
        .await;
    assert_eq!(status, 412, "old ETag no longer matches: {body}");
    assert_odata_error(&body);
    let (status, _, _) = demo
        .send(Method::DELETE, KEY, None, &[("If-Match", "*")])
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        events.try_recv().expect("deleted event").kind,
        ChangeKind::Deleted
    );
    let (status, body) = demo.get_json(KEY).await;
    assert_eq!(status, 404);
    assert_odata_error(&body);
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn order_lines_get_sequence_numbers_and_composite_keys() {
    let demo = start().await;
    let (status, _, order) = demo
        .send(
            Method::POST,
            "SalesOrderHeadersV2",
            Some(json!({"OrderingCustomerAccountNumber": "US-001", "CurrencyCode": "USD", "RequestedShippingDate": "2024-06-30"})),
            &[],
        )
        .await;
    assert_eq!(status, 201, "{order}");
    let number = order["SalesOrderNumber"]
        .as_str()
        .expect("number assigned")
        .to_owned();
    assert_eq!(order["SalesOrderStatus"], "None");
    let mut sequence = Vec::new();
    for item in ["D0001", "D0002"] {
        let (status, _, line) = demo
            .send(
                Method::POST,
                "SalesOrderLines",
                Some(json!({"SalesOrderNumber": number, "ItemNumber": item, "OrderedSalesQuantity": 2, "SalesPrice": "10.005"})),
                &[],
            )
            .await;
        assert_eq!(status, 201, "{line}");
        assert_eq!(line["SalesPrice"].to_string(), "10.005");
        sequence.push(line["LineCreationSequenceNumber"].as_i64().unwrap());
    }
    assert_eq!(sequence, [1, 2]);
    let key = format!(
        "SalesOrderLines(LineCreationSequenceNumber=2,SalesOrderNumber='{number}',dataAreaId='usmf')"
    );
    let (status, line) = demo.get_json(&key).await;
    assert_eq!(status, 200, "{line}");
    assert_eq!(line["ItemNumber"], "D0002");
    let expanded = demo
        .get_json(&format!("SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='{number}')?$expand=SalesOrderLines"))
        .await
        .1;
    assert_eq!(expanded["SalesOrderLines"].as_array().unwrap().len(), 2);
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn validation_failures_answer_like_finance_and_operations() {
    let demo = start().await;
    let mut missing_group = new_customer("T-200");
    missing_group
        .as_object_mut()
        .unwrap()
        .remove("CustomerGroupId");
    let (status, _, body) = demo
        .send(Method::POST, "CustomersV3", Some(missing_group), &[])
        .await;
    assert_eq!(status, 400);
    let inner = assert_odata_error(&body);
    assert!(
        inner.contains("Field 'Customer group' must be filled in"),
        "{inner}"
    );
    assert!(
        body["error"]["message"].as_str().unwrap().starts_with(
            "Write validation failed for table row of type 'CustCustomerV3Entity'. Infolog:"
        ),
        "{body}"
    );

    let mut too_long = new_customer("T-201");
    too_long["OrganizationName"] = json!("x".repeat(101));
    let (status, _, body) = demo
        .send(Method::POST, "CustomersV3", Some(too_long), &[])
        .await;
    assert_eq!(status, 400);
    assert!(
        assert_odata_error(&body).contains("OrganizationName"),
        "{body}"
    );

    let mut bad_enum = new_customer("T-202");
    bad_enum["OnHoldStatus"] = json!("Sometimes");
    let (status, _, body) = demo
        .send(Method::POST, "CustomersV3", Some(bad_enum), &[])
        .await;
    assert_eq!(status, 400);
    let inner = assert_odata_error(&body);
    assert!(
        inner.contains("Sometimes") && inner.contains("OnHoldStatus"),
        "{inner}"
    );

    let mut wrong_type = new_customer("T-203");
    wrong_type["CreditLimit"] = json!(true);
    let (status, _, body) = demo
        .send(Method::POST, "CustomersV3", Some(wrong_type), &[])
        .await;
    assert_eq!(status, 400);
    assert!(assert_odata_error(&body).contains("CreditLimit"), "{body}");

    let mut unknown = new_customer("T-204");
    unknown["Nickname"] = json!("x");
    let (status, _, body) = demo
        .send(Method::POST, "CustomersV3", Some(unknown), &[])
        .await;
    assert_eq!(status, 400);
    assert!(assert_odata_error(&body).contains("Nickname"), "{body}");

    let mut bad_group = new_customer("T-205");
    bad_group["CustomerGroupId"] = json!("ZZ");
    let (status, _, body) = demo
        .send(Method::POST, "CustomersV3", Some(bad_group), &[])
        .await;
    assert_eq!(status, 400);
    assert!(assert_odata_error(&body).contains("'ZZ'"), "{body}");

    let (status, _, body) = demo.send(Method::POST, "CustomersV3", Some(json!({"CustomerAccount": "US-001", "OrganizationName": "Dup", "CustomerGroupId": "10", "SalesCurrencyCode": "USD"})), &[]).await;
    assert_eq!(status, 400, "duplicate key");
    assert!(
        assert_odata_error(&body).contains("The record already exists"),
        "{body}"
    );

    let (status, _, body) = demo
        .send(
            Method::PATCH,
            "CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')",
            Some(json!({"CustomerGroupId": ""})),
            &[],
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        assert_odata_error(&body).contains("Customer group"),
        "{body}"
    );

    let (status, _, body) = demo
        .send(
            Method::PATCH,
            "CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')",
            Some(json!({"CreatedDateTime": "2020-01-01T00:00:00Z"})),
            &[],
        )
        .await;
    assert_eq!(status, 400, "read-only field: {body}");

    let (status, _, body) = demo
        .send(
            Method::POST,
            "LegalEntities",
            Some(json!({"LegalEntityId": "xx", "Name": "X"})),
            &[],
        )
        .await;
    assert_eq!(status, 405, "read-only entity: {body}");
    assert_odata_error(&body);

    let (_, count) = demo.get_text("CustomersV3/$count?cross-company=true").await;
    assert_eq!(
        count,
        demo_common::TEST_ROWS.to_string(),
        "no failed create left a row behind"
    );
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn other_companies_are_written_only_with_cross_company() {
    let demo = start().await;
    let key = "CustomersV3(dataAreaId='gbsi',CustomerAccount='GB-001')";
    let change = Some(json!({"AddressCity": "Cambridge"}));
    let (status, _, body) = demo.send(Method::PATCH, key, change.clone(), &[]).await;
    assert_eq!(status, 404, "{body}");
    let (status, _, body) = demo
        .send(
            Method::PATCH,
            &format!("{key}?cross-company=true"),
            change,
            &[],
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, record) = demo.get_json(&format!("{key}?cross-company=true")).await;
    assert_eq!(record["AddressCity"], "Cambridge");

    let (status, _, created) = demo
        .send(
            Method::POST,
            "CustomerGroups",
            Some(json!({"dataAreaId": "DEMF", "CustomerGroupId": "99"})),
            &[],
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["dataAreaId"], "demf",
        "company ids are stored lower-case"
    );
    let (status, _, body) = demo
        .send(
            Method::POST,
            "CustomerGroups",
            Some(json!({"dataAreaId": "zzzz", "CustomerGroupId": "99"})),
            &[],
        )
        .await;
    assert_eq!(status, 400);
    assert!(assert_odata_error(&body).contains("zzzz"));
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn deleting_an_order_deletes_its_lines_and_reports_each() {
    let demo = start().await;
    let mut events = demo.server.subscribe();
    let (_, order) = demo
        .get_json("SalesOrderHeadersV2?$top=1&$expand=SalesOrderLines")
        .await;
    let order = &order["value"][0];
    let number = order["SalesOrderNumber"].as_str().unwrap();
    let line_count = order["SalesOrderLines"].as_array().unwrap().len();
    assert!(line_count > 0);
    let key = format!("SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='{number}')");
    let (status, _, body) = demo.send(Method::DELETE, &key, None, &[]).await;
    assert_eq!(status, 204, "{body}");
    let filter = enc(&format!("SalesOrderNumber eq '{number}'"));
    let (_, remaining) = demo
        .get_text(&format!("SalesOrderLines/$count?$filter={filter}"))
        .await;
    assert_eq!(remaining, "0");
    let mut deleted_sets = Vec::new();
    while let Ok(event) = events.try_recv() {
        assert_eq!(event.kind, ChangeKind::Deleted);
        deleted_sets.push(event.entity_set);
    }
    assert_eq!(deleted_sets.len(), line_count + 1);
    assert_eq!(deleted_sets[0], "SalesOrderHeadersV2");
    assert!(deleted_sets[1..].iter().all(|s| s == "SalesOrderLines"));
    demo.server.shutdown().await.unwrap();
}
