//! Listing through an unreliable server: the demo instance answers every 9th request with a
//! 429 (`Retry-After: 1`), every 7th with a 503 and drops every 5th connection mid-body; the
//! client's listing of every page, with the faults retried, gives exactly the records of a
//! fault-free listing. Prints the figures `docs/RELIABILITY.md` quotes.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

use std::ops::ControlFlow;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use flowbench::auth::StaticTokenProvider;
use flowbench::demo::faults::FaultSpec;
use flowbench::demo::{DemoConfig, DemoServer, RunningDemo};
use flowbench::odata::client::{CancelToken, ODataClient};
use serde_json::Value;

const ROWS: u64 = 3_000;
const PAGE: u64 = 100;

/// Every record of every page of a cross-company listing of `CustomersV3`.
async fn every_record(client: &ODataClient) -> Vec<Value> {
    let url = client
        .collection_url("CustomersV3", "cross-company=true")
        .unwrap();
    let mut records = Vec::new();
    client
        .list_all(url, &CancelToken::new(), |page, _| {
            records.extend(page.items);
            ControlFlow::Continue(())
        })
        .await
        .unwrap();
    records
}

async fn demo(faults: Option<&str>) -> RunningDemo {
    DemoServer::start(DemoConfig {
        rows: ROWS,
        page_size: PAGE,
        faults: faults.map_or_else(FaultSpec::default, |f| FaultSpec::from_str(f).unwrap()),
        ..DemoConfig::default()
    })
    .await
    .unwrap()
}

fn client_of(demo: &RunningDemo) -> ODataClient {
    ODataClient::new(
        demo.service_root(),
        Arc::new(StaticTokenProvider::default()),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_through_throttling_outages_and_dropped_connections_loses_nothing() {
    let clean = demo(None).await;
    let expected = every_record(&client_of(&clean)).await;
    assert!(expected.len() as u64 >= ROWS, "{} records", expected.len());

    let faulty = demo(Some("429:9,503:7,drop:5")).await;
    let client = client_of(&faulty);
    let (throttled, unavailable, dropped) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    {
        let (t, u, d) = (throttled.clone(), unavailable.clone(), dropped.clone());
        client
            .trace()
            .subscribe(move |entry| match (entry.status, &entry.error) {
                (Some(429), _) => _ = t.fetch_add(1, Ordering::SeqCst),
                (Some(503), _) => _ = u.fetch_add(1, Ordering::SeqCst),
                (_, Some(_)) => _ = d.fetch_add(1, Ordering::SeqCst),
                _ => {}
            });
    }
    let got = every_record(&client).await;
    assert_eq!(got.len(), expected.len());
    assert!(
        got == expected,
        "the records differ from the fault-free listing"
    );

    let (throttled, unavailable, dropped) = (
        throttled.load(Ordering::SeqCst),
        unavailable.load(Ordering::SeqCst),
        dropped.load(Ordering::SeqCst),
    );
    // Pages of 100 from 3 000+ records: 30+ pages, so each kind of fault came several times.
    assert!(
        throttled >= 2 && unavailable >= 3 && dropped >= 4,
        "{throttled} {unavailable} {dropped}"
    );
    eprintln!(
        "figures: {} faults injected ({throttled} x 429, {unavailable} x 503, {dropped} dropped connections), {} records verified identical",
        throttled + unavailable + dropped,
        got.len()
    );
}
