//! The push side of "When a business event occurs": a webhook listener on loopback that
//! receives event payloads, and the endpoint registrations on the instance
//! (`BusinessEventsEndpoints`) that point at it — made when a flow is turned on, removed
//! when it is turned off, and found and removed at the next start when a crash left them.
//! The listener takes only what an instance sends: a JSON POST naming this loopback address
//! in `Host` (no DNS rebinding) and carrying no `Origin` (no web page of a browser).

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::kind::BusinessEventSpec;
use crate::odata::client::{CancelToken, ODataClient, ODataError};

/// The entity set of endpoint registrations.
pub const ENDPOINTS_SET: &str = "BusinessEventsEndpoints";
/// Path prefix of Flowbench's webhook URLs (how its registrations are recognised).
pub const HOOK_PATH: &str = "/flowbench/hooks/";

/// One event received on a hook.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The hook (flow) it was sent to.
    pub hook: String,
    /// The payload.
    pub body: Value,
}

/// A webhook listener on 127.0.0.1; it stops when dropped.
pub struct Listener {
    address: SocketAddr,
    stop: CancelToken,
}

impl Listener {
    /// Starts listening on a free loopback port; deliveries go to `sender`.
    pub async fn start(sender: mpsc::UnboundedSender<Delivery>) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let app = Router::new()
            .route("/flowbench/hooks/{hook}", post(receive))
            .with_state(Hooks {
                sender,
                port: address.port(),
            });
        let stop = super::loopback_server::serve_until_stopped(
            listener,
            app,
            "webhook listener",
            super::loopback_server::Limits::default(),
        );
        Ok(Self { address, stop })
    }

    /// The URL events for `hook` are posted to.
    pub fn url_for(&self, hook: &str) -> String {
        format!("http://{}{HOOK_PATH}{hook}", self.address)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// What the listener's handler needs: where deliveries go, and its own port (for `Host`).
#[derive(Clone)]
struct Hooks {
    sender: mpsc::UnboundedSender<Delivery>,
    port: u16,
}

/// Refuses what no instance sends: a `Host` other than this loopback address and port
/// (421), an `Origin` (403: a web page in a browser), a body that is not declared JSON (415).
fn check_sender(headers: &HeaderMap, port: u16) -> Result<(), (StatusCode, String)> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let expected = [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ];
    if !expected.iter().any(|e| e.eq_ignore_ascii_case(host)) {
        return Err((
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "The Host header does not name this listener: expected 127.0.0.1:{port}, found '{}'.",
                host.escape_debug()
            ),
        ));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        return Err((
            StatusCode::FORBIDDEN,
            format!(
                "Requests from web pages are refused (Origin '{}').",
                String::from_utf8_lossy(origin.as_bytes()).escape_debug()
            ),
        ));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "expected Content-Type application/json, found '{}'",
                content_type.escape_debug()
            ),
        ));
    }
    Ok(())
}

/// Accepts a JSON payload (200) or refuses anything else (400, so that the sender knows).
async fn receive(
    State(hooks): State<Hooks>,
    Path(hook): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> (StatusCode, String) {
    if let Err(refused) = check_sender(&headers, hooks.port) {
        return refused;
    }
    let sender = hooks.sender;
    match serde_json::from_slice::<Value>(&body) {
        Ok(payload) => {
            if sender
                .send(Delivery {
                    hook,
                    body: payload,
                })
                .is_err()
            {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the flow is turned off".to_owned(),
                );
            }
            (StatusCode::OK, String::new())
        }
        Err(err) => (
            StatusCode::BAD_REQUEST,
            format!("expected a JSON business event payload: {err}"),
        ),
    }
}

/// A hook name for a flow: its name reduced to letters, digits and dashes.
pub fn hook_for(flow: &str) -> String {
    let mut hook: String = flow
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while hook.contains("--") {
        hook = hook.replace("--", "-");
    }
    let hook = hook.trim_matches('-').to_owned();
    if hook.is_empty() {
        "flow".to_owned()
    } else {
        hook
    }
}

/// An endpoint registration made on the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Its company.
    pub company: String,
    /// Its `EndpointId`.
    pub endpoint_id: String,
    /// Where events go.
    pub url: String,
}

/// Why a business event subscription cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum SubscribeError {
    /// The instance cannot deliver to this machine.
    #[error(
        "{0} cannot deliver business events to this machine: the endpoints of a Finance & Operations instance are configured in F&O (System administration > Setup > Business events) and must be reachable from the cloud. Save an event F&O sent (or download one from the business events catalog) and replay it: flowbench replay FLOW EVENT.json"
    )]
    Unreachable(String),
    /// The instance answered with an error.
    #[error(transparent)]
    OData(#[from] ODataError),
    /// The answer lacked what a registration needs.
    #[error("the instance registered the endpoint but did not return {0}")]
    Incomplete(&'static str),
}

/// Whether `client`'s instance can deliver to a loopback webhook: it runs on loopback
/// itself (the embedded demo instance or a local server).
pub fn can_deliver_here(client: &ODataClient) -> bool {
    match client.root().host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Registers `url` for the event of `spec` (in its legal entity, or the instance's
/// default company).
pub async fn register(
    client: &ODataClient,
    spec: &BusinessEventSpec,
    url: &str,
    flow: &str,
) -> Result<Registration, SubscribeError> {
    if !can_deliver_here(client) {
        return Err(SubscribeError::Unreachable(client.root().to_string()));
    }
    let mut record = json!({
        "BusinessEventId": spec.event,
        "EndpointUrl": url,
        "Description": format!("Flowbench: {flow}"),
    });
    if let (Some(company), Some(map)) = (&spec.legal_entity, record.as_object_mut()) {
        map.insert("dataAreaId".to_owned(), json!(company.to_lowercase()));
    }
    let created = client.create_record(ENDPOINTS_SET, &record).await?;
    let text = |field: &'static str| {
        created
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or(SubscribeError::Incomplete(field))
    };
    Ok(Registration {
        company: text("dataAreaId")?,
        endpoint_id: text("EndpointId")?,
        url: url.to_owned(),
    })
}

fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Removes a registration (one already gone counts as removed).
pub async fn unregister(
    client: &ODataClient,
    registration: &Registration,
) -> Result<(), ODataError> {
    let key = format!(
        "dataAreaId={},EndpointId={}",
        quoted(&registration.company),
        quoted(&registration.endpoint_id)
    );
    match client
        .cross_company(true)
        .delete_record(ENDPOINTS_SET, &key, None)
        .await
    {
        Err(err) if err.status() == Some(404) => Ok(()),
        other => other,
    }
}

/// Flowbench's registrations for `hook` on the instance, in every company.
pub async fn registrations(
    client: &ODataClient,
    hook: &str,
) -> Result<Vec<Registration>, ODataError> {
    let url = client.collection_url(ENDPOINTS_SET, "cross-company=true")?;
    let mut found = Vec::new();
    let suffix = format!("{HOOK_PATH}{hook}");
    client
        .list_all(url, &CancelToken::new(), |page, _| {
            for item in page.items {
                let text = |f: &str| item.get(f).and_then(Value::as_str).unwrap_or("").to_owned();
                let endpoint_url = text("EndpointUrl");
                if endpoint_url.ends_with(&suffix) {
                    found.push(Registration {
                        company: text("dataAreaId"),
                        endpoint_id: text("EndpointId"),
                        url: endpoint_url,
                    });
                }
            }
            std::ops::ControlFlow::Continue(())
        })
        .await?;
    Ok(found)
}

/// Removes the registrations for `hook` a crashed session left behind (any but `keep`);
/// returns how many were removed.
pub async fn remove_stale(
    client: &ODataClient,
    hook: &str,
    keep: Option<&Registration>,
) -> Result<usize, ODataError> {
    let mut removed = 0;
    for registration in registrations(client, hook).await? {
        if Some(&registration) == keep {
            continue;
        }
        unregister(client, &registration).await?;
        removed += 1;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hooks_are_url_safe_names_of_the_flow() {
        assert_eq!(hook_for("New customer → Teams!"), "new-customer-teams");
        assert_eq!(hook_for("***"), "flow");
        assert_eq!(hook_for("Order_Sync 2"), "order-sync-2");
    }

    #[tokio::test]
    async fn the_listener_passes_json_payloads_on_and_refuses_others() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let listener = Listener::start(tx).await.expect("listens");
        let url = listener.url_for("my-flow");
        assert!(url.starts_with("http://127.0.0.1:") && url.ends_with("/flowbench/hooks/my-flow"));
        let http = reqwest::Client::new();
        let ok = http
            .post(&url)
            .json(&json!({"EventId": "1"}))
            .send()
            .await
            .expect("sent");
        assert_eq!(ok.status().as_u16(), 200);
        let got = rx.recv().await.expect("delivered");
        assert_eq!(
            got,
            Delivery {
                hook: "my-flow".into(),
                body: json!({"EventId": "1"})
            }
        );
        let post_json = |body: &'static str| {
            http.post(&url)
                .header("content-type", "application/json")
                .body(body)
        };
        let bad = post_json("not json").send().await.expect("sent");
        assert_eq!(bad.status().as_u16(), 400);
        assert!(bad.text().await.expect("text").contains("expected a JSON"));

        // What a web page could send: a simple text/plain POST, or anything with an Origin.
        let plain = http.post(&url).body("{}").send().await.expect("sent");
        assert_eq!(plain.status().as_u16(), 415);
        let from_page = post_json("{}")
            .header("origin", "https://evil.example")
            .send()
            .await
            .expect("sent");
        assert_eq!(from_page.status().as_u16(), 403);
        // A rebinding name for this address.
        let rebound = post_json("{}")
            .header("host", "evil.example")
            .send()
            .await
            .expect("sent");
        assert_eq!(rebound.status().as_u16(), 421);
        assert!(
            rebound
                .text()
                .await
                .expect("text")
                .contains("found 'evil.example'")
        );
        let localhost = url.replace("127.0.0.1", "localhost");
        let by_name = http
            .post(&localhost)
            .json(&json!({"EventId": "2"}))
            .send()
            .await
            .expect("sent");
        assert_eq!(by_name.status().as_u16(), 200);
        assert_eq!(
            rx.recv().await.expect("delivered").body,
            json!({"EventId": "2"})
        );
        assert!(rx.try_recv().is_err(), "nothing refused was delivered");
        drop(listener);
    }
}
