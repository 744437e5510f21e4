//! A fixed delay before every answer (`flowbench demo --latency 200`), standing in for the
//! time a real Finance & Operations instance takes per request, so that what depends on
//! latency (parallel paging, `$batch` against one request each) can be measured on loopback.

use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;

/// Adds the delay to every request of `router` (nothing when `latency` is zero).
pub fn with_latency<S>(router: Router<S>, latency: Duration) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    if latency.is_zero() {
        return router;
    }
    router.layer(middleware::from_fn_with_state(latency, delay))
}

async fn delay(State(latency): State<Duration>, request: Request, next: Next) -> Response {
    tokio::time::sleep(latency).await;
    next.run(request).await
}
