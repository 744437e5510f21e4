//! A Logic Apps `Request` trigger ("When an HTTP request is received") served on loopback,
//! so a flow can be called as in the cloud from curl, Postman or a test: the request's
//! method is checked against the trigger's `method`, its path against `relativePath`
//! (`orders/{id}`), and the run gets the cloud's trigger outputs — `headers`, `queries`,
//! `relativePathParameters` and the `body` (JSON parsed, text as text, a form as
//! `$formdata`, anything else as binary content). The caller gets the `Response` action's
//! answer as soon as it has run (the run goes on), `202 Accepted` at once when the flow has
//! none, `502 NoResponse` when the run ended without answering, `504` after 120 s. Only
//! requests naming this loopback address in `Host` and with no `Origin` are taken (no DNS
//! rebinding, no web page). What a request means to the trigger is in `request_spec.rs`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

pub use super::request_spec::{RequestSpec, request_body};
use super::watcher::WatchedFlow;
use crate::flow::history::RunHistory;
use crate::flow::run::{Env, RunInputs, RunRecord, run_flow};
use crate::odata::client::CancelToken;

/// The largest request body taken (the cloud's limit for a trigger is 100 MB).
pub const MAX_BODY: usize = 100 * 1024 * 1024;

/// Where the runs a served flow starts are reported.
pub type RunSink = mpsc::UnboundedSender<RunRecord>;

/// A served flow: its `Request` trigger on a loopback port; [`Endpoint::stop`] stops it
/// (dropping it stops listening only).
pub struct Endpoint {
    address: SocketAddr,
    stop: CancelToken,
    runs: Runs,
}

/// The runs under way: cancelled together when the endpoint stops, and counted so that
/// stopping waits for them to be stored.
#[derive(Clone, Default)]
struct Runs {
    cancel: CancelToken,
    under_way: Arc<(std::sync::atomic::AtomicUsize, tokio::sync::Notify)>,
}

impl Runs {
    fn begin(&self) {
        self.under_way
            .0
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    fn end(&self) {
        self.under_way
            .0
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        self.under_way.1.notify_waiters();
    }

    fn count(&self) -> usize {
        self.under_way.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[derive(Clone)]
struct Served {
    flow: Arc<WatchedFlow>,
    spec: Arc<RequestSpec>,
    env: Env,
    history: Option<Arc<Mutex<RunHistory>>>,
    runs: RunSink,
    port: u16,
    answers: bool,
    under_way: Runs,
    /// Requests whose bodies are read and run at once, at most.
    reading: Arc<tokio::sync::Semaphore>,
}

/// Requests handled at once (each may hold a body of up to [`MAX_BODY`]).
pub const MAX_CONCURRENT_REQUESTS: usize = 8;

impl Endpoint {
    /// Serves `flow` on `127.0.0.1:port` (0: a free port); each run is stored in `history`
    /// (when given) and sent to `runs` as it ends.
    pub async fn start(
        flow: WatchedFlow,
        env: Env,
        port: u16,
        history: Option<Arc<Mutex<RunHistory>>>,
        runs: RunSink,
    ) -> Result<Self, String> {
        let spec = RequestSpec::of(&flow.definition)?;
        let answers = has_response(&flow.definition);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        let address = listener
            .local_addr()
            .map_err(|e| format!("cannot listen: {e}"))?;
        let under_way = Runs::default();
        let served = Served {
            flow: Arc::new(flow),
            spec: Arc::new(spec),
            env,
            history,
            runs,
            port: address.port(),
            answers,
            under_way: under_way.clone(),
            reading: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_REQUESTS)),
        };
        let app = Router::new()
            .fallback(receive)
            .layer(DefaultBodyLimit::max(MAX_BODY))
            .with_state(served);
        let stop = super::loopback_server::serve_until_stopped(
            listener,
            app,
            "flow endpoint",
            super::loopback_server::Limits::default(),
        );
        Ok(Self {
            address,
            stop,
            runs: under_way,
        })
    }

    /// Stops listening, cancels the runs under way after their current action and waits
    /// (at most `grace`) until they are stored.
    pub async fn stop(self, grace: std::time::Duration) {
        self.stop.cancel();
        self.runs.cancel.cancel();
        let deadline = tokio::time::Instant::now() + grace;
        while self.runs.count() > 0 {
            let notified = self.runs.under_way.1.notified();
            if self.runs.count() == 0 {
                break;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                break;
            }
        }
    }

    /// The URL that starts the flow (its relative path's parameters as written).
    pub fn url(&self, spec: &RequestSpec) -> String {
        match &spec.relative_path {
            Some(path) => format!("http://{}/{path}", self.address),
            None => format!("http://{}/", self.address),
        }
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Whether the definition answers its caller (a `Response` action anywhere).
fn has_response(definition: &Map<String, Value>) -> bool {
    crate::flow::validate::all_actions(definition)
        .iter()
        .any(|(_, _, action)| {
            action
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("Response"))
        })
}

fn answer(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"error": {"code": code, "message": message}}).to_string();
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}

async fn receive(State(served): State<Served>, request: axum::extract::Request) -> Response {
    let (parts, body) = request.into_parts();
    let (method, uri, headers) = (parts.method, parts.uri, parts.headers);
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let own = [
        format!("127.0.0.1:{}", served.port),
        format!("localhost:{}", served.port),
    ];
    if !own.iter().any(|o| o.eq_ignore_ascii_case(host)) || headers.contains_key(header::ORIGIN) {
        return answer(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "only requests to this loopback address, from no web page, start the flow",
        );
    }
    if let Some(wanted) = &served.spec.method
        && !wanted.eq_ignore_ascii_case(method.as_str())
    {
        return answer(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            &format!("the trigger takes {wanted}, not {method}"),
        );
    }
    let Some(path_parameters) = served.spec.match_path(uri.path()) else {
        let expected = served.spec.relative_path.as_deref().unwrap_or("");
        return answer(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("the trigger's path is /{expected}, not {}", uri.path()),
        );
    };
    // The body is read only now, past the checks, and by a bounded number of requests at
    // once (each may hold up to MAX_BODY).
    let Ok(_permit) = served.reading.clone().acquire_owned().await else {
        return answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "Stopping",
            "the endpoint is stopping",
        );
    };
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(err) if super::loopback_server::is_body_timeout(&err) => {
            return answer(
                StatusCode::REQUEST_TIMEOUT,
                "RequestTimeout",
                &format!("the request body did not arrive in time: {err}"),
            );
        }
        Err(err) => {
            return answer(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestTooLarge",
                &format!("the body cannot be read (at most {MAX_BODY} bytes): {err}"),
            );
        }
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok());
    let body = match request_body(content_type, &bytes) {
        Ok(body) => body,
        Err(message) => return answer(StatusCode::BAD_REQUEST, "InvalidRequestContent", &message),
    };
    let mut request = Map::new();
    let header_map: Map<String, Value> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.to_string(), Value::String(v.to_str().ok()?.to_owned()))))
        .collect();
    request.insert("headers".to_owned(), Value::Object(header_map));
    let queries: Map<String, Value> = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect()
        })
        .unwrap_or_default();
    if !queries.is_empty() {
        request.insert("queries".to_owned(), Value::Object(queries));
    }
    if served.spec.relative_path.is_some() {
        request.insert(
            "relativePathParameters".to_owned(),
            Value::Object(path_parameters),
        );
    }
    let inputs = RunInputs {
        flow: served.flow.name.clone(),
        trigger_body: body.unwrap_or(Value::Null),
        parameters: served.flow.parameters.clone(),
        app_settings: served.flow.app_settings.clone(),
        trigger_request: Some(request),
        ..RunInputs::default()
    };
    // The caller is answered when the Response action has run, as in the cloud, while the
    // run goes on.
    let (answered, answer_rx) = tokio::sync::oneshot::channel::<Value>();
    let answered = Arc::new(Mutex::new(Some(answered)));
    let outer = served.env.observer.clone();
    let observer: crate::flow::run::Observer = Arc::new(move |event| {
        if let Some(outer) = &outer {
            outer(event);
        }
        // The answer whole, even when the Response's inputs are secured in the record.
        if let crate::flow::run::RunEvent::Responded(answer) = event
            && let Some(sender) = answered
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
        {
            let _ = sender.send(answer.clone());
        }
    });
    let env = Env {
        cancel: served.under_way.cancel.clone(),
        observer: Some(observer),
        ..served.env.clone()
    };
    served.under_way.begin();
    let run = {
        let served = served.clone();
        async move {
            let record = run_flow(&served.flow.definition, inputs, &env).await;
            if let Some(history) = &served.history {
                let saved = history
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .save(&record);
                if let Err(err) = saved {
                    tracing::warn!("run {} not stored: {err}", record.id);
                }
            }
            let _ = served.runs.send(record.clone());
            served.under_way.end();
            record
        }
    };
    if !served.answers {
        // As the cloud: a flow without a Response action is accepted at once.
        tokio::spawn(run);
        return answer(StatusCode::ACCEPTED, "Accepted", "the run has started");
    }
    let mut running = tokio::spawn(run);
    let mut answer_rx = answer_rx;
    tokio::select! {
        biased;
        Ok(response) = &mut answer_rx => respond(&response),
        ended = &mut running => match ended {
            // The answer as sent (the record's may be hidden by secure inputs).
            Ok(record) => match answer_rx.try_recv().ok().or_else(|| record.response.clone()) {
                Some(response) => respond(&response),
                None => answer(
                    StatusCode::BAD_GATEWAY,
                    "NoResponse",
                    &format!(
                        "The server did not receive a response from an upstream server: run {} ended {} without its Response action",
                        record.id,
                        record.status.name()
                    ),
                ),
            },
            Err(err) => answer(StatusCode::INTERNAL_SERVER_ERROR, "RunFailed", &err.to_string()),
        },
        () = tokio::time::sleep(RESPONSE_TIMEOUT) => answer(
            StatusCode::GATEWAY_TIMEOUT,
            "GatewayTimeout",
            "the flow did not answer within 120 seconds; its run goes on",
        ),
    }
}

/// How long a caller waits for the `Response` action (the cloud's limit).
const RESPONSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// The `Response` action's answer: its status, headers and body (JSON, text or binary).
fn respond(response: &Value) -> Response {
    let status = response
        .get("statusCode")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut builder = Response::builder().status(status);
    let mut has_type = false;
    if let Some(Value::Object(headers)) = response.get("headers") {
        for (name, value) in headers {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            has_type |= name.eq_ignore_ascii_case("content-type");
            builder = builder.header(name.as_str(), text);
        }
    }
    let body = response.get("body").cloned().unwrap_or(Value::Null);
    let (bytes, content_type) = match &body {
        Value::Null => (Vec::new(), None),
        Value::String(text) => (text.clone().into_bytes(), Some("text/plain; charset=utf-8")),
        other => match crate::flow::expr::binary_content(other) {
            Some(bytes) => (bytes, None),
            None => (
                other.to_string().into_bytes(),
                Some("application/json; charset=utf-8"),
            ),
        },
    };
    let envelope_type = body
        .get("$content-type")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if !has_type && let Some(content_type) = envelope_type.as_deref().or(content_type) {
        builder = builder.header(header::CONTENT_TYPE, content_type);
    }
    builder.body(Body::from(bytes)).unwrap_or_default()
}
