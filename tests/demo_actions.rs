//! Demo instance actions over real HTTP: entity-bound (record-changing, value-returning,
//! typed parameters), collection-bound and the unbound action import.

mod demo_common;

use std::str::FromStr;

use demo_common::{assert_odata_error, start};
use flowbench::demo::ChangeKind;
use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::{Value, json};

const NS: &str = "Microsoft.Dynamics.DataEntities";

fn dec(value: &Value) -> Decimal {
    Decimal::from_str(&value.to_string()).expect("decimal")
}

#[tokio::test]
async fn entity_bound_actions_change_records_and_return_values() {
    let demo = start().await;
    let mut events = demo.server.subscribe();
    let customer = "CustomersV3(dataAreaId='usmf',CustomerAccount='US-002')";
    let (_, before) = demo.get_json(customer).await;

    let (status, _, body) = demo
        .send(
            Method::POST,
            &format!("{customer}/{NS}.BlockCustomer"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, after) = demo.get_json(customer).await;
    assert_eq!(after["OnHoldStatus"], "All");
    assert_ne!(after["@odata.etag"], before["@odata.etag"]);
    let event = events
        .try_recv()
        .expect("BlockCustomer publishes an update");
    assert_eq!(event.kind, ChangeKind::Updated);
    assert_eq!(event.record["OnHoldStatus"], "All");

    let (status, _, body) = demo
        .send(
            Method::POST,
            &format!("{customer}/{NS}.AdjustCreditLimit"),
            Some(json!({"Amount": 250.25, "Reason": "Good payer", "EffectiveDate": "2024-07-01"})),
            &[],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["@odata.context"],
        demo.url("$metadata#Edm.Decimal").as_str()
    );
    let expected = dec(&before["CreditLimit"]) + Decimal::from_str("250.25").unwrap();
    assert_eq!(dec(&body["value"]), expected);
    let (_, adjusted) = demo.get_json(customer).await;
    assert_eq!(dec(&adjusted["CreditLimit"]), expected);

    for bad in [
        json!({"Amount": "lots", "Reason": "x", "EffectiveDate": "2024-07-01"}),
        json!({"Amount": 1, "Reason": "x"}),
        json!({"Amount": 1, "Reason": "x", "EffectiveDate": "July"}),
        json!({"Amount": 1, "Reason": "x", "EffectiveDate": "2024-07-01", "Extra": 1}),
        json!({"Amount": -1e9, "Reason": "x", "EffectiveDate": "2024-07-01"}),
    ] {
        let (status, _, body) = demo
            .send(
                Method::POST,
                &format!("{customer}/{NS}.AdjustCreditLimit"),
                Some(bad.clone()),
                &[],
            )
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_odata_error(&body);
    }

    // Available credit = limit minus open (not invoiced/canceled) order lines, computed here
    // from the data the service itself returns.
    let filter = demo_common::enc("OrderingCustomerAccountNumber eq 'US-002'");
    let orders = demo
        .values(&format!(
            "SalesOrderHeadersV2?$filter={filter}&$expand=SalesOrderLines"
        ))
        .await;
    let mut open = Decimal::ZERO;
    for order in orders
        .iter()
        .filter(|o| o["SalesOrderStatus"] == "None" || o["SalesOrderStatus"] == "Backorder")
    {
        for line in order["SalesOrderLines"].as_array().unwrap() {
            open += dec(&line["LineAmount"]);
        }
    }
    let (status, _, body) = demo
        .send(
            Method::POST,
            &format!("{customer}/{NS}.GetCreditLimitAvailable"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(dec(&body["value"]), expected - open);

    let (status, _, _) = demo
        .send(
            Method::POST,
            &format!("CustomersV3(dataAreaId='usmf',CustomerAccount='NOPE')/{NS}.BlockCustomer"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, 404);
    let (status, _, _) = demo
        .send(
            Method::POST,
            &format!("{customer}/{NS}.NoSuchAction"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, 404);
    let (status, _, _) = demo
        .send(
            Method::GET,
            &format!("{customer}/{NS}.BlockCustomer"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, 405, "actions need POST");
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn collection_bound_action_and_action_import() {
    let demo = start().await;
    let (_, rows) = demo
        .get_json("CustomersV3?$select=OnHoldStatus&$top=1000")
        .await;
    let on_hold_first_page = rows["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["OnHoldStatus"] != "No")
        .count();
    let filter =
        demo_common::enc("OnHoldStatus ne Microsoft.Dynamics.DataEntities.CustVendorBlocked'No'");
    let (_, expected) = demo
        .get_text(&format!("CustomersV3/$count?$filter={filter}"))
        .await;
    assert!(on_hold_first_page <= expected.parse::<usize>().unwrap());

    let (status, _, body) = demo
        .send(
            Method::POST,
            &format!("CustomersV3/{NS}.CountOnHold"),
            None,
            &[],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["value"].to_string(), expected);
    let (_, all_expected) = demo
        .get_text(&format!(
            "CustomersV3/$count?cross-company=true&$filter={filter}"
        ))
        .await;
    let (_, _, all) = demo
        .send(
            Method::POST,
            &format!("CustomersV3/{NS}.CountOnHold?cross-company=true"),
            None,
            &[],
        )
        .await;
    assert_eq!(all["value"].to_string(), all_expected);

    let (status, _, body) = demo
        .send(Method::POST, "GetApplicationVersion", None, &[])
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["@odata.context"],
        demo.url("$metadata#Edm.String").as_str()
    );
    assert!(body["value"].as_str().unwrap().contains("Flowbench"));
    demo.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn record_changing_actions_honour_if_match() {
    let demo = start().await;
    let customer = "CustomersV3(dataAreaId='usmf',CustomerAccount='US-003')";
    let (_, before) = demo.get_json(customer).await;
    let etag = before["@odata.etag"].as_str().unwrap().to_owned();
    let block = format!("{customer}/{NS}.BlockCustomer");
    let (status, _, body) = demo
        .send(Method::POST, &block, None, &[("If-Match", "W/\"0\"")])
        .await;
    assert_eq!(status, 412, "{body}");
    assert_odata_error(&body);
    let (_, unchanged) = demo.get_json(customer).await;
    assert_eq!(unchanged["OnHoldStatus"], before["OnHoldStatus"]);
    let (status, _, _) = demo
        .send(Method::POST, &block, None, &[("If-Match", &etag)])
        .await;
    assert_eq!(status, 204);
    let (status, _, _) = demo
        .send(
            Method::POST,
            &format!("{customer}/{NS}.GetCreditLimitAvailable"),
            None,
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(status, 200, "read-only actions ignore If-Match");
    demo.server.shutdown().await.unwrap();
}
