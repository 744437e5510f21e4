//! Paging against a real local server: relative and absolute nextLinks, cancellation.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

mod common;

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use flowbench::odata::client::{CancelToken, ListProgress, ODataClient, ODataError, Page};
use serde_json::{Value, json};

/// Three pages: the first links relatively, the second absolutely, the third ends.
async fn three_pages(headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Json<Value> {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let page: u32 = q
        .get("$skiptoken")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let items: Vec<Value> = (0..2).map(|i| json!({"Id": page * 2 + i})).collect();
    Json(match page {
        0 => json!({"value": items, "@odata.nextLink": "Items?$skiptoken=1"}),
        1 => {
            json!({"value": items, "@odata.nextLink": format!("http://{host}/data/Items?$skiptoken=2")})
        }
        _ => json!({"value": items}),
    })
}

#[tokio::test]
async fn follows_relative_and_absolute_next_links() {
    let server = common::serve(axum::Router::new().route("/data/Items", get(three_pages))).await;
    let client = common::client(&server.root());
    let mut ids = Vec::new();
    let mut pages_seen = Vec::new();
    let progress = client
        .list_all(
            client.collection_url("Items", "").unwrap(),
            &CancelToken::new(),
            |page, p| {
                pages_seen.push((p.pages, p.records));
                ids.extend(page.items.iter().map(|i| i["Id"].as_u64().unwrap()));
                ControlFlow::Continue(())
            },
        )
        .await
        .unwrap();
    assert_eq!(ids, [0, 1, 2, 3, 4, 5]);
    assert_eq!(pages_seen, [(1, 2), (2, 4), (3, 6)]);
    assert_eq!(
        (progress.pages, progress.records, progress.stopped_early),
        (3, 6, false)
    );
    let urls: Vec<String> = client
        .trace()
        .entries()
        .into_iter()
        .map(|e| e.url)
        .collect();
    assert_eq!(urls[1], format!("{}Items?$skiptoken=1", server.root()));
    assert_eq!(urls[2], format!("{}Items?$skiptoken=2", server.root()));
}

#[derive(Clone, Default)]
struct Counter(Arc<AtomicUsize>);

/// An endless collection: every page links to the next one.
async fn endless(
    State(counter): State<Counter>,
    Query(q): Query<HashMap<String, String>>,
) -> Json<Value> {
    counter.0.fetch_add(1, Ordering::SeqCst);
    let page: u32 = q
        .get("$skiptoken")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Json(
        json!({"value": [{"Id": page}], "@odata.nextLink": format!("Items?$skiptoken={}", page + 1)}),
    )
}

/// A server of the endless collection, the count of requests it answered, and a client.
async fn endless_listing() -> (Counter, common::TestServer, ODataClient) {
    let counter = Counter::default();
    let router = axum::Router::new()
        .route("/data/Items", get(endless))
        .with_state(counter.clone());
    let server = common::serve(router).await;
    let client = common::client(&server.root());
    (counter, server, client)
}

/// Lists the endless collection of `client` from its first page, handing each page to
/// `on_page`.
async fn list_endless(
    client: &ODataClient,
    cancel: &CancelToken,
    on_page: impl FnMut(Page, &ListProgress) -> ControlFlow<()>,
) -> Result<ListProgress, ODataError> {
    client
        .list_all(client.collection_url("Items", "").unwrap(), cancel, on_page)
        .await
}

#[tokio::test]
async fn cancelling_an_all_pages_listing_stops_early() {
    let (counter, _server, client) = endless_listing().await;
    let cancel = CancelToken::new();
    let mut pages = 0;
    let result = list_endless(&client, &cancel, |_, _| {
        pages += 1;
        if pages == 2 {
            cancel.cancel();
        }
        // Safety net so a broken cancellation cannot loop forever.
        if pages > 50 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .await;
    assert!(matches!(result, Err(ODataError::Cancelled)), "{result:?}");
    assert_eq!(pages, 2);
    // The third page may have been requested before the cancel (one page is read ahead of
    // the one handed on, as soon as a body's end names it); nothing after it.
    let requests = counter.0.load(Ordering::SeqCst);
    assert!((2..=3).contains(&requests), "{requests} requests");
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(counter.0.load(Ordering::SeqCst), requests);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_arrived_before_a_cancel_is_not_handed_on() {
    let (counter, _server, client) = endless_listing().await;
    let cancel = CancelToken::new();
    let mut pages = 0;
    let result = list_endless(&client, &cancel, |_, _| {
        pages += 1;
        // The second page, read ahead, arrives while the first is handled; the cancel
        // comes after it.
        std::thread::sleep(std::time::Duration::from_millis(100));
        cancel.cancel();
        ControlFlow::Continue(())
    })
    .await;
    assert!(matches!(result, Err(ODataError::Cancelled)), "{result:?}");
    assert_eq!(pages, 1);
    assert!(counter.0.load(Ordering::SeqCst) <= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_never_has_more_than_one_page_requested_ahead() {
    let (counter, _server, client) = endless_listing().await;
    let mut pages = 0;
    let mut ahead = Vec::new();
    list_endless(&client, &CancelToken::new(), |_, _| {
        pages += 1;
        // Time for the runtime's workers to read further, if they would.
        std::thread::sleep(std::time::Duration::from_millis(40));
        ahead.push(counter.0.load(Ordering::SeqCst) - pages);
        if pages == 5 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .await
    .unwrap();
    assert_eq!(pages, 5);
    // A page's next one is requested while it is written (unless the machine is too busy
    // for it to arrive within the sleep), and never more than that one.
    assert!(ahead.iter().all(|&n| n <= 1), "{ahead:?}");
    assert!(ahead.contains(&1), "{ahead:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_of_at_most_n_pages_requests_no_page_past_them() {
    for max_pages in [1, 3] {
        let (counter, _server, client) = endless_listing().await;
        let mut pages = 0;
        let progress = client
            .list_at_most(
                client.collection_url("Items", "").unwrap(),
                max_pages,
                &CancelToken::new(),
                |_, _| {
                    pages += 1;
                    // Time for a page read ahead to be requested, if one were.
                    std::thread::sleep(std::time::Duration::from_millis(40));
                    ControlFlow::Continue(())
                },
            )
            .await
            .unwrap();
        assert_eq!((pages, progress.pages), (max_pages, max_pages));
        assert!(progress.stopped_early, "the server had more pages");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(
            counter.0.load(Ordering::SeqCst) as u64,
            max_pages,
            "requests for at most {max_pages} pages"
        );
    }
}

#[tokio::test]
async fn a_listing_of_at_most_n_pages_that_ends_sooner_did_not_stop_early() {
    let server = common::serve(axum::Router::new().route("/data/Items", get(three_pages))).await;
    let client = common::client(&server.root());
    let progress = client
        .list_at_most(
            client.collection_url("Items", "").unwrap(),
            3,
            &CancelToken::new(),
            |_, _| ControlFlow::Continue(()),
        )
        .await
        .unwrap();
    assert_eq!((progress.pages, progress.records), (3, 6));
    assert!(!progress.stopped_early);
}

#[tokio::test]
async fn breaking_from_the_callback_stops_and_reports_it() {
    let (counter, _server, client) = endless_listing().await;
    let progress = client
        .list_all(
            client.collection_url("Items", "$top=1").unwrap(),
            &CancelToken::new(),
            |_, p| {
                if p.pages == 3 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .await
        .unwrap();
    assert_eq!(progress.pages, 3);
    assert!(progress.stopped_early);
    // The fourth page may have been requested while the third was handed on (one page is
    // read ahead); nothing after it.
    let requests = counter.0.load(Ordering::SeqCst);
    assert!((3..=4).contains(&requests), "{requests} requests");
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(counter.0.load(Ordering::SeqCst), requests);
}

/// A page whose nextLink leaves loopback over plain http.
async fn insecure_link() -> Json<Value> {
    Json(
        json!({"value": [{"Id": 1}], "@odata.nextLink": "http://example.com/data/Items?$skiptoken=1"}),
    )
}

#[tokio::test]
async fn plain_http_next_link_to_another_host_is_refused() {
    let server = common::serve(axum::Router::new().route("/data/Items", get(insecure_link))).await;
    let client = common::client(&server.root());
    let mut pages = 0;
    let result = client
        .list_all(
            client.collection_url("Items", "").unwrap(),
            &CancelToken::new(),
            |_, _| {
                pages += 1;
                ControlFlow::Continue(())
            },
        )
        .await;
    assert!(
        matches!(
            result,
            Err(ODataError::NextLink(
                flowbench::odata::client::NextLinkError::ForeignHost { .. }
            ))
        ),
        "{result:?}"
    );
    assert_eq!(pages, 1);
    assert_eq!(client.trace().len(), 1);
}

/// Page 1 names page 2 in its envelope, but a nested object after it ends the body with a
/// nextLink-like member pointing at a decoy page.
async fn misleading_trailer(Query(q): Query<HashMap<String, String>>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let body = match q.get("page").map(String::as_str) {
        None => {
            r#"{"value":[{"Id":1}],"@odata.nextLink":"Items?page=2","x":{"@odata.nextLink":"Items?page=decoy","y":1}}"#
        }
        Some("2") => r#"{"value":[{"Id":2}]}"#,
        _ => r#"{"value":[{"Id":666}]}"#,
    };
    ([("content-type", "application/json")], body).into_response()
}

#[tokio::test]
async fn a_guessed_next_link_that_the_page_does_not_name_is_never_used() {
    let server =
        common::serve(axum::Router::new().route("/data/Items", get(misleading_trailer))).await;
    let client = common::client(&server.root());
    let mut ids = Vec::new();
    client
        .list_all(
            client.collection_url("Items", "").unwrap(),
            &CancelToken::new(),
            |page, _| {
                ids.extend(page.items.iter().map(|i| i["Id"].as_u64().unwrap()));
                ControlFlow::Continue(())
            },
        )
        .await
        .unwrap();
    assert_eq!(ids, [1, 2], "the decoy's records were used");
}

/// A collection of ten records, one per partition, that answers `$count` and `$skip`; the
/// first partition is slow.
async fn counted(Query(q): Query<HashMap<String, String>>) -> Json<Value> {
    if q.get("$count").is_some_and(|c| c == "true") {
        return Json(json!({"@odata.count": 10, "value": []}));
    }
    let skip: u32 = q.get("$skip").and_then(|s| s.parse().ok()).unwrap_or(0);
    if skip == 0 {
        // The first partition comes last: the others are read and waiting for it.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Json(json!({"value": [{"Id": skip}]}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parallel_listing_hands_on_no_partition_after_a_cancel() {
    let server = common::serve(axum::Router::new().route("/data/Items", get(counted))).await;
    let client = common::client(&server.root());
    let listing = flowbench::odata::client::ParallelListing {
        base: client.collection_url("Items", "").unwrap(),
        order_by: "Id".to_owned(),
        page_size: 1,
        concurrency: 8,
    };
    let cancel = CancelToken::new();
    let mut pages = 0;
    let result = client
        .list_all_parallel(&listing, &cancel, |_, _| {
            pages += 1;
            cancel.cancel();
            ControlFlow::Continue(())
        })
        .await;
    assert!(matches!(result, Err(ODataError::Cancelled)), "{result:?}");
    assert_eq!(pages, 1);
}
