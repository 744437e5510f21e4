//! Delivery: listens to the demo's change events and POSTs business event payloads to the
//! registered endpoints, with F&O's retry rule (3 retries, 1 second apart).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Connection;
use serde_json::Value;
use tokio::sync::broadcast::{self, error::RecvError};

use super::catalog::events_fired_by;
use super::endpoints::{is_loopback_url, registered_urls};
use super::envelope::envelope;
use crate::demo::events::ChangeEvent;

/// Attempts per delivery: the first one plus F&O's 3 retries.
pub const MAX_ATTEMPTS: u32 = 4;
/// Pause between two attempts.
pub const RETRY_DELAY: Duration = Duration::from_secs(1);
/// Timeout of one attempt.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// Delivers business events fired by change events.
struct Deliverer {
    db: Arc<Mutex<Connection>>,
    http: reqwest::Client,
    control_number: AtomicU64,
}

/// Starts the delivery task; it ends when the change channel closes (server shut down).
pub fn spawn_delivery(
    db: Arc<Mutex<Connection>>,
    receiver: broadcast::Receiver<ChangeEvent>,
) -> tokio::task::JoinHandle<()> {
    let http = reqwest::Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        // A redirect could lead away from loopback.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default();
    let deliverer = Deliverer {
        db,
        http,
        control_number: AtomicU64::new(0),
    };
    tokio::spawn(deliverer.run(receiver))
}

impl Deliverer {
    async fn run(self, mut receiver: broadcast::Receiver<ChangeEvent>) {
        loop {
            match receiver.recv().await {
                Ok(change) => self.process(&change).await,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!("business events: {missed} change events were missed");
                }
                Err(RecvError::Closed) => break,
            }
        }
    }

    /// Delivers every business event `change` fires; all deliveries of one change finish
    /// before the next change is processed.
    async fn process(&self, change: &ChangeEvent) {
        for def in events_fired_by(change) {
            let db = Arc::clone(&self.db);
            let company = change.company.clone();
            let lookup = tokio::task::spawn_blocking(move || {
                let conn = db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                registered_urls(&conn, def.id, company.as_deref())
            })
            .await;
            let urls: Vec<String> = match lookup {
                // Registration already refuses other hosts; checked again in case the
                // database was edited by hand.
                Ok(Ok(urls)) => urls.into_iter().filter(|u| is_loopback_url(u)).collect(),
                Ok(Err(err)) => {
                    tracing::warn!("business events: endpoint lookup failed: {err}");
                    continue;
                }
                Err(err) => {
                    tracing::warn!("business events: endpoint lookup task failed: {err}");
                    continue;
                }
            };
            if urls.is_empty() {
                continue;
            }
            let control = self.control_number.fetch_add(1, Ordering::Relaxed) + 1;
            let payload = envelope(
                def,
                change.company.as_deref(),
                &change.record,
                control,
                uuid::Uuid::new_v4(),
                chrono::Utc::now(),
            );
            let deliveries = urls.iter().map(|url| deliver(&self.http, url, &payload));
            futures_util::future::join_all(deliveries).await;
        }
    }
}

/// POSTs `payload` to `url`, retrying failures; returns whether an attempt succeeded (2xx).
pub async fn deliver(http: &reqwest::Client, url: &str, payload: &Value) -> bool {
    for attempt in 1..=MAX_ATTEMPTS {
        if attempt > 1 {
            tokio::time::sleep(RETRY_DELAY).await;
        }
        match http.post(url).json(payload).send().await {
            Ok(response) if response.status().is_success() => return true,
            Ok(response) => tracing::info!(
                "business event delivery to {url}: attempt {attempt} got HTTP {}",
                response.status()
            ),
            Err(err) => {
                tracing::info!("business event delivery to {url}: attempt {attempt} failed: {err}");
            }
        }
    }
    tracing::warn!("business event delivery to {url} failed after {MAX_ATTEMPTS} attempts");
    false
}
