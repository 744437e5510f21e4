//! Shared helpers for client tests: an in-process axum server on 127.0.0.1:0 and token
//! providers that count what the client asks for.
#![allow(dead_code, clippy::unwrap_used)] // shared test helpers: each binary uses a subset; a panic is a test failure

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use flowbench::auth::{BearerToken, TokenError, TokenProvider};
use flowbench::odata::client::{ClientConfig, ODataClient, RetryPolicy, Trace};
use futures_util::future::BoxFuture;

/// A running test server; dropping it stops the server.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// The service root `http://127.0.0.1:PORT/data/`.
    pub fn root(&self) -> String {
        format!("{}/data/", self.base)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `router` on a random loopback port.
pub async fn serve(router: Router) -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    TestServer { base, task }
}

/// Hands out `token-1`, then `token-2` after each `invalidate()`.
#[derive(Default)]
pub struct CountingTokens {
    /// How many times `invalidate` was called.
    pub invalidations: AtomicUsize,
}

impl TokenProvider for CountingTokens {
    fn token(&self) -> BoxFuture<'_, Result<Option<BearerToken>, TokenError>> {
        let n = self.invalidations.load(Ordering::SeqCst) + 1;
        Box::pin(async move { Ok(Some(BearerToken::new(format!("token-{n}")))) })
    }

    fn invalidate(&self) {
        self.invalidations.fetch_add(1, Ordering::SeqCst);
    }
}

/// A client with quick retries (tests must not wait on backoff).
pub fn client_with(root: &str, tokens: Arc<dyn TokenProvider>) -> ODataClient {
    let config = ClientConfig {
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(20),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
            ..RetryPolicy::default()
        },
        ..ClientConfig::default()
    };
    ODataClient::with_config(root, tokens, config, Trace::default()).unwrap()
}

/// A client sending no token.
pub fn client(root: &str) -> ODataClient {
    client_with(
        root,
        Arc::new(flowbench::auth::StaticTokenProvider::default()),
    )
}
