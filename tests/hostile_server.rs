//! The client against hostile servers on 127.0.0.1: `@odata.nextLink`s that lead to another
//! host, port or scheme (the bearer token must not follow), that loop back to an earlier page
//! or never end; responses with duplicate JSON properties; error messages carrying terminal
//! escape sequences (printed by the CLI); filters refused before anything is sent; bodies
//! that are endless or announce more than the limits (pages, `$metadata`), refused after
//! reading at most the limit.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

mod common;

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use flowbench::odata::client::{CancelToken, NextLinkError, ODataClient, ODataError};
use serde_json::{Value, json};

/// One request a scripted server got: path with query, `Authorization` header.
type Seen = (String, Option<String>);

/// A server answering scripted bodies by path and query, recording every request it gets.
#[derive(Clone, Default)]
struct Scripted {
    answers: Arc<Mutex<HashMap<String, (u16, String)>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Scripted {
    fn answer(&self, target: &str, status: u16, body: impl Into<String>) {
        self.answers
            .lock()
            .unwrap()
            .insert(target.to_owned(), (status, body.into()));
    }

    fn json(&self, target: &str, body: Value) {
        self.answer(target, 200, body.to_string());
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    async fn start(&self) -> common::TestServer {
        let router = axum::Router::new()
            .fallback(scripted_answer)
            .with_state(self.clone());
        common::serve(router).await
    }
}

async fn scripted_answer(State(script): State<Scripted>, uri: Uri, headers: HeaderMap) -> Response {
    let target = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    script.seen.lock().unwrap().push((target.clone(), auth));
    let answer = script.answers.lock().unwrap().get(&target).cloned();
    match answer {
        Some((status, body)) => (
            StatusCode::from_u16(status).unwrap(),
            [("content-type", "application/json")],
            body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, format!("no script for {target}")).into_response(),
    }
}

/// A client that sends a bearer token (so a leak would show).
fn client(root: &str) -> ODataClient {
    common::client_with(root, Arc::new(common::CountingTokens::default()))
}

/// Lists every page from `relative`, collecting the `Id`s handed over; stops by itself after
/// 50 pages so a client that loops cannot hang the test.
async fn list(client: &ODataClient, relative: &str) -> (Vec<u64>, Result<u64, ODataError>) {
    let mut ids = Vec::new();
    let result = client
        .list_all(
            client.url(relative).unwrap(),
            &CancelToken::new(),
            |page, p| {
                ids.extend(page.items.iter().filter_map(|i| i["Id"].as_u64()));
                if p.pages >= 50 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .await
        .map(|p| p.pages);
    (ids, result)
}

#[tokio::test]
async fn next_links_to_another_host_port_or_scheme_are_not_followed() {
    let foreign = Scripted::default();
    let foreign_server = foreign.start().await;
    let foreign_port = foreign_server.base.rsplit(':').next().unwrap().to_owned();
    foreign.json("/data/Items?$skiptoken=1", json!({"value": [{"Id": 666}]}));
    let home = Scripted::default();
    let server = home.start().await;
    let home_port = server.base.rsplit(':').next().unwrap().to_owned();
    let links = [
        // Another port on the same loopback address.
        (
            format!("http://127.0.0.1:{foreign_port}/data/Items?$skiptoken=1"),
            format!("http://127.0.0.1:{foreign_port}"),
        ),
        // Scheme-relative: another authority under the page's scheme.
        (
            format!("//localhost:{foreign_port}/data/Items?$skiptoken=1"),
            format!("http://localhost:{foreign_port}"),
        ),
        // Another host name for the same socket.
        (
            format!("http://localhost:{home_port}/data/Items?$skiptoken=1"),
            format!("http://localhost:{home_port}"),
        ),
        // Another scheme.
        (
            format!("https://127.0.0.1:{home_port}/data/Items?$skiptoken=1"),
            format!("https://127.0.0.1:{home_port}"),
        ),
        // Another host entirely (no request can reach it from here anyway).
        (
            "https://evil.example/data/Items?$skiptoken=1".to_owned(),
            "https://evil.example:443".to_owned(),
        ),
    ];
    for (index, (link, origin)) in links.iter().enumerate() {
        let target = format!("/data/Start{index}");
        home.json(
            &target,
            json!({"value": [{"Id": index}], "@odata.nextLink": link}),
        );
        let client = client(&server.root());
        let (ids, result) = list(&client, &format!("Start{index}")).await;
        assert_eq!(ids, [index as u64], "{link}: only the home page's records");
        let Err(ODataError::NextLink(NextLinkError::ForeignHost { found, .. })) = &result else {
            panic!("{link}: expected a foreign host error, got {result:?}");
        };
        assert_eq!(found, origin);
        let message = result.unwrap_err().to_string();
        assert!(
            message.contains(&format!("found one to {origin}")) && message.contains("not followed"),
            "{message}"
        );
        assert_eq!(
            client.trace().len(),
            1,
            "{link}: one request, to the home server"
        );
    }
    assert_eq!(foreign.seen(), [], "nothing reached the foreign server");
    // The home server only ever saw its own start pages, each with the token.
    let seen = home.seen();
    assert_eq!(seen.len(), links.len());
    assert!(
        seen.iter()
            .all(|(target, auth)| target.starts_with("/data/Start")
                && auth.as_deref() == Some("Bearer token-1"))
    );
}

#[tokio::test]
async fn relative_next_links_resolve_against_the_service_root() {
    let home = Scripted::default();
    let server = home.start().await;
    home.json(
        "/data/Customers(1)/Orders",
        json!({"value": [{"Id": 1}], "@odata.nextLink": "Orders?$skiptoken=1"}),
    );
    home.json(
        "/data/Orders?$skiptoken=1",
        json!({"value": [{"Id": 2}], "@odata.nextLink": "/data/Orders?$skiptoken=2"}),
    );
    home.json("/data/Orders?$skiptoken=2", json!({"value": [{"Id": 3}]}));
    let client = client(&server.root());
    let (ids, result) = list(&client, "Customers(1)/Orders").await;
    assert_eq!(result.unwrap(), 3);
    assert_eq!(ids, [1, 2, 3]);
}

#[tokio::test]
async fn a_next_link_back_to_an_earlier_page_stops_the_listing() {
    let home = Scripted::default();
    let server = home.start().await;
    let root = server.root();
    home.json(
        "/data/Items",
        json!({"value": [{"Id": 1}], "@odata.nextLink": format!("{root}Items?$skiptoken=2")}),
    );
    home.json(
        "/data/Items?$skiptoken=2",
        json!({"value": [{"Id": 2}], "@odata.nextLink": format!("{root}Items?$skiptoken=3")}),
    );
    home.json(
        "/data/Items?$skiptoken=3",
        json!({"value": [{"Id": 3}], "@odata.nextLink": format!("{root}Items")}),
    );
    let client = client(&root);
    let (ids, result) = list(&client, "Items").await;
    assert_eq!(ids, [1, 2, 3]);
    let error = result.unwrap_err();
    assert!(
        matches!(
            &error,
            ODataError::NextLink(NextLinkError::Cycle { number: 1, .. })
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains(&format!(
            "points back to page 1 of this listing ({root}Items)"
        )),
        "{error}"
    );
    assert_eq!(home.seen().len(), 3);
}

#[tokio::test]
async fn a_server_that_never_stops_linking_meets_the_page_limit() {
    let home = Scripted::default();
    let server = home.start().await;
    for page in 0..10 {
        home.json(
            &format!("/data/Items?$skiptoken={page}"),
            json!({"value": [{"Id": page}], "@odata.nextLink": format!("Items?$skiptoken={}", page + 1)}),
        );
    }
    let config = flowbench::odata::client::ClientConfig {
        max_pages: 4,
        ..flowbench::odata::client::ClientConfig::default()
    };
    let client = ODataClient::with_config(
        &server.root(),
        Arc::new(common::CountingTokens::default()),
        config,
        flowbench::odata::client::Trace::default(),
    )
    .unwrap();
    let (ids, result) = list(&client, "Items?$skiptoken=0").await;
    assert_eq!(ids, [0, 1, 2, 3]);
    assert!(
        matches!(
            result,
            Err(ODataError::NextLink(NextLinkError::TooManyPages {
                max: 4,
                ..
            }))
        ),
        "{result:?}"
    );
    assert_eq!(home.seen().len(), 4);
    assert_eq!(
        flowbench::odata::client::ClientConfig::default().max_pages,
        100_000
    );
}

#[tokio::test]
async fn a_response_with_a_property_given_twice_is_an_error_naming_it() {
    let home = Scripted::default();
    let server = home.start().await;
    home.answer(
        "/data/Items",
        200,
        "{\"value\": [{\"Id\": 1, \"Name\": \"shown\",\n \"Name\": \"hidden\"}]}",
    );
    let client = client(&server.root());
    let (ids, result) = list(&client, "Items").await;
    assert_eq!(ids, [] as [u64; 0]);
    let Err(ODataError::InvalidJson { message, body, .. }) = &result else {
        panic!("expected invalid JSON, got {result:?}");
    };
    assert_eq!(message, "duplicate property 'Name' at line 2 column 7");
    assert!(body.contains("hidden"), "the body is kept: {body}");
}

/// Runs the `flowbench` binary with `args` (off the async runtime, which serves the peer).
async fn flowbench(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        let mut cmd = match std::env::var_os("FLOWBENCH_BIN") {
            Some(path) => assert_cmd::Command::new(path),
            None => assert_cmd::Command::cargo_bin("flowbench").unwrap(),
        };
        cmd.args(&args)
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminal_escapes_in_a_server_error_are_printed_as_escapes() {
    let home = Scripted::default();
    let server = home.start().await;
    let hostile = "No.\u{1b}[2J\u{1b}]0;owned\u{7}\rInfolog\u{9b}31m";
    let error = json!({"error": {"code": "", "message": hostile,
        "innererror": {"message": format!("Infolog: {hostile}"), "type": "X", "stacktrace": ""}}});
    home.answer("/data/Items", 400, error.to_string());
    let output = flowbench(vec![
        "list".into(),
        "--instance".into(),
        server.root(),
        "Items".into(),
    ])
    .await;
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        !stderr.contains(['\u{1b}', '\u{7}', '\r', '\u{9b}']),
        "raw control characters reached the terminal: {stderr:?}"
    );
    assert!(
        stderr.contains("No.\\u{1b}[2J\\u{1b}]0;owned\\u{7}\\u{d}Infolog\\u{9b}31m"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_filter_is_refused_before_anything_is_sent() {
    let home = Scripted::default();
    let server = home.start().await;
    let deep = format!("{}Id eq 1{}", "(".repeat(1200), ")".repeat(1200));
    let output = flowbench(vec![
        "list".into(),
        "--instance".into(),
        server.root(),
        "Items".into(),
        "--filter".into(),
        deep,
    ])
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("limit of 100 levels"), "{stderr}");
    assert_eq!(home.seen(), [], "nothing was sent");
}

/// A server whose `/data/Items` page is an endless JSON body (chunked, no length; it stops by
/// itself after 1 GiB).
async fn oversized_server() -> common::TestServer {
    async fn endless() -> Response {
        let chunk = bytes::Bytes::from(format!("{{\"value\": [{}", "{\"Id\": 1},".repeat(6000)));
        let filler = bytes::Bytes::from("{\"Id\": 1},".repeat(6000));
        let stream = futures_util::stream::iter(
            std::iter::once(chunk)
                .chain(std::iter::repeat_n(filler, 16 * 1024))
                .map(Ok::<_, std::io::Error>),
        );
        (
            [("content-type", "application/json")],
            axum::body::Body::from_stream(stream),
        )
            .into_response()
    }
    let router = axum::Router::new().route("/data/Items", axum::routing::get(endless));
    common::serve(router).await
}

#[tokio::test]
async fn an_endless_page_is_refused_at_the_limit_naming_it() {
    let server = oversized_server().await;
    let config = flowbench::odata::client::ClientConfig {
        max_response_bytes: 1024 * 1024,
        ..flowbench::odata::client::ClientConfig::default()
    };
    let client = ODataClient::with_config(
        &server.root(),
        Arc::new(common::CountingTokens::default()),
        config,
        flowbench::odata::client::Trace::default(),
    )
    .unwrap();
    let (ids, result) = list(&client, "Items").await;
    assert_eq!(ids, [] as [u64; 0]);
    let Err(ODataError::TooLarge {
        limit,
        size,
        announced,
        ..
    }) = &result
    else {
        panic!("expected a body over the limit, got {result:?}");
    };
    assert_eq!((*limit, *announced), (1024 * 1024, false));
    // At most the limit and one chunk were held.
    let size = *size;
    assert!(size > 1024 * 1024 && size < 2 * 1024 * 1024, "{size}");
    let message = result.unwrap_err().to_string();
    assert!(
        message.contains(&format!("/data/Items: the response body is larger than the limit of 1048576 bytes (1 MiB): at least {size} bytes (1 MiB) were sent; it was not read")),
        "{message}"
    );
    // Not retried: one attempt in the trace.
    assert_eq!(client.trace().len(), 1);
}

/// A raw TCP server (hyper will not send a length it does not hold) answering every request
/// with `Content-Length: 314572800` (300 MiB) and ten bytes; returns the service root.
async fn announcing_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let root = format!("http://{}/data/", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let _ = socket
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 314572800\r\n\r\n<edmx:Edmx",
                )
                .await;
            // Hold the connection until the client gives up on it.
            let _ = socket.read(&mut request).await;
        }
    });
    root
}

#[tokio::test]
async fn metadata_announced_past_its_limit_is_refused_before_reading() {
    let root = announcing_server().await;
    let client = client(&root);
    let result = client.metadata().await;
    let Err(
        error @ ODataError::TooLarge {
            announced: true, ..
        },
    ) = &result
    else {
        panic!("expected an announced body over the limit, got {result:?}");
    };
    assert!(
        error.to_string().contains(
            "the response body is larger than the limit of 268435456 bytes (256 MiB): its Content-Length is 314572800 bytes (300 MiB)"
        ),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flowbench_list_refuses_an_endless_page_at_the_default_limit() {
    let server = oversized_server().await;
    let output = flowbench(vec![
        "list".into(),
        "--instance".into(),
        server.root(),
        "Items".into(),
        "--format".into(),
        "csv".into(),
    ])
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("larger than the limit of 134217728 bytes (128 MiB)"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "no records were printed");
}

/// A server whose `/data/Old` moved to `/data/Items`, whose `/data/Secure` moved to the
/// https:// address of the same port, and whose `/data/Loop` moves to itself.
async fn redirecting_server() -> common::TestServer {
    async fn answer(uri: Uri, headers: HeaderMap) -> Response {
        let host = headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let moved = |to: String| (StatusCode::FOUND, [("location", to)]).into_response();
        match uri.path() {
            "/data/Old" => moved("/data/Items".to_owned()),
            "/data/Secure" => moved(format!("https://{host}/data/Items")),
            "/data/Loop" => moved("/data/Loop".to_owned()),
            "/data/Items" => (
                [("content-type", "application/json")],
                json!({"value": [{"Id": 7}]}).to_string(),
            )
                .into_response(),
            _ => StatusCode::NOT_FOUND.into_response(),
        }
    }
    common::serve(axum::Router::new().fallback(answer)).await
}

#[tokio::test]
async fn an_http_instance_follows_redirects_on_http_only_and_at_most_ten() {
    let server = redirecting_server().await;
    let client = client(&server.root());

    let (ids, result) = list(&client, "Old").await;
    assert_eq!(
        ids,
        [7],
        "a redirect on the same scheme is followed: {result:?}"
    );

    let (ids, result) = list(&client, "Secure").await;
    assert_eq!(ids, [] as [u64; 0]);
    let message = result.expect_err("http -> https is refused").to_string();
    assert!(
        message.contains("a redirect from an http:// instance to https://")
            && message.contains("is not followed"),
        "the refusal names the target: {message}"
    );

    let (ids, result) = list(&client, "Loop").await;
    assert_eq!(ids, [] as [u64; 0]);
    let message = result.expect_err("an endless redirect stops").to_string();
    assert!(message.contains("more than 10 redirects"), "{message}");
}

/// Runs a flow of one `Http` action with `inputs` (no instance); its record and the run's.
async fn run_http_action(inputs: Value, limit: Option<&str>, cancel: CancelToken) -> Value {
    let mut action = json!({"type": "Http", "runAfter": {}, "inputs": inputs});
    if action["inputs"].get("retryPolicy").is_none() {
        action["inputs"]["retryPolicy"] = json!({"type": "none"});
    }
    if let Some(limit) = limit {
        action["limit"] = json!({"timeout": limit});
    }
    let definition = json!({"triggers": {"manual": {"type": "Request", "kind": "Http"}},
        "actions": {"Call": action}});
    let env = flowbench::flow::run::Env {
        client: None,
        model: None,
        instance: None,
        cancel,
        observer: None,
    };
    let run = flowbench::flow::run::run_flow(
        definition.as_object().unwrap(),
        flowbench::flow::run::RunInputs::default(),
        &env,
    )
    .await;
    serde_json::to_value(&run.actions[0]).unwrap()
}

/// A server that takes connections and never answers.
async fn silent_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (base, task)
}

#[tokio::test]
async fn an_http_action_to_a_server_that_never_answers_ends_at_its_limit_or_when_cancelled() {
    let (base, task) = silent_server().await;
    let call = json!({"method": "GET", "uri": format!("{base}/x")});
    let record = run_http_action(call.clone(), Some("PT1S"), CancelToken::new()).await;
    assert_eq!(record["status"], "TimedOut", "{record:#}");
    assert_eq!(record["error"]["code"], "ActionTimedOut");
    // Without a limit, cancelling the run (Ctrl+C, SIGTERM) ends the action at once.
    let cancel = CancelToken::new();
    let stopper = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        stopper.cancel();
    });
    let record = run_http_action(call, None, cancel).await;
    assert_eq!(record["status"], "Cancelled", "{record:#}");
    task.abort();
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_and_carries_nothing_there() {
    let elsewhere = Scripted::default();
    elsewhere.answer("/landing", 200, "{}");
    let landing = elsewhere.start().await;
    let to = format!("{}/landing", landing.base);
    let redirecting = axum::Router::new().fallback(move || {
        let to = to.clone();
        async move { (StatusCode::FOUND, [("location", to)], "").into_response() }
    });
    let origin = common::serve(redirecting).await;
    let record = run_http_action(
        json!({"method": "GET", "uri": format!("{}/start?sig=SECRET", origin.base),
            "headers": {"X-Api-Key": "k3y"}}),
        None,
        CancelToken::new(),
    )
    .await;
    assert_eq!(record["status"], "Failed", "{record:#}");
    let message = record["error"]["message"].as_str().unwrap();
    assert!(message.contains("is not followed"), "{message}");
    assert!(elsewhere.seen().is_empty(), "{:?}", elsewhere.seen());
}

#[tokio::test]
async fn a_failed_http_step_keeps_the_answer_s_headers_and_says_why_it_was_not_retried() {
    let throttling = axum::Router::new().fallback(|| async {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "999999"), ("x-ms-request-id", "req-1")],
            r#"{"error": {"code": "TooManyRequests", "message": "slow down"}}"#,
        )
            .into_response()
    });
    let server = common::serve(throttling).await;
    let mut record = run_http_action(
        json!({"method": "GET", "uri": format!("{}/x", server.base),
            "retryPolicy": {"type": "fixed", "count": 2, "interval": "PT1S"}}),
        None,
        CancelToken::new(),
    )
    .await;
    assert_eq!(record["status"], "Failed", "{record:#}");
    assert_eq!(record["outputs"]["statusCode"], 429);
    assert_eq!(record["outputs"]["headers"]["retry-after"], "999999");
    let message = record["error"]["message"].take();
    assert!(
        message
            .as_str()
            .unwrap()
            .contains("not retried: the server asks to wait 999999 s"),
        "{message}"
    );
}

#[tokio::test]
async fn a_header_that_is_not_utf8_is_kept_in_the_step_s_outputs() {
    let latin = axum::Router::new().fallback(|| async {
        let mut response = (StatusCode::OK, "{}").into_response();
        response.headers_mut().insert(
            "x-name",
            axum::http::HeaderValue::from_bytes(b"caf\xe9").unwrap(),
        );
        response
    });
    let server = common::serve(latin).await;
    let record = run_http_action(
        json!({"method": "GET", "uri": format!("{}/x", server.base)}),
        None,
        CancelToken::new(),
    )
    .await;
    assert_eq!(record["status"], "Succeeded", "{record:#}");
    assert_eq!(record["outputs"]["headers"]["x-name"], "café");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_action_reads_at_most_the_cloud_s_buffer_of_an_endless_answer() {
    let server = oversized_server().await;
    let record = run_http_action(
        json!({"method": "GET", "uri": format!("{}/data/Items", server.base)}),
        None,
        CancelToken::new(),
    )
    .await;
    assert_eq!(record["status"], "Failed", "{record:#}");
    assert_eq!(record["error"]["code"], "BadRequest");
    let message = record["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "Cannot write more bytes to the buffer than the configured maximum buffer size: 104857600."
        ),
        "{message}"
    );
}
