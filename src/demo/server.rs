//! The HTTP server: shared state, the one router builder, start/stop, and a blocking helper
//! that runs the server on its own thread and runtime (for the egui app).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use rusqlite::Connection;
use tokio::sync::{broadcast, oneshot};

use super::auth::{AuthMode, BearerValidator, with_auth};
use super::business_events::{install_catalog, spawn_delivery};
use super::config::DemoConfig;
use super::db::{company_exists, open_database};
use super::error::{DemoError, ErrorAnswer};
use super::events::{self, ChangeEvent};
use super::faults::{FaultInjector, with_faults};
use super::guard::{HostGuard, guard_requests};
use super::handler::{ODataRequest, ODataResponse, ServiceContext, handle};
use super::listings;

/// State shared by every request: settings, the database and the change-event channel.
#[derive(Clone)]
pub struct DemoState {
    /// Service settings (service root, default company, page size).
    pub ctx: Arc<ServiceContext>,
    /// The database connection (one writer; SQLite serialises anyway).
    pub db: Arc<Mutex<Connection>>,
    /// Change events of committed writes.
    pub events: broadcast::Sender<ChangeEvent>,
    /// Bearer-token validation, when authentication is on.
    pub auth: Option<Arc<BearerValidator>>,
    /// Fault injection, when faults are configured.
    pub faults: Option<Arc<FaultInjector>>,
    /// A delay before every answer (zero: none).
    pub latency: std::time::Duration,
    /// The `Host`, `Origin` and content-type checks; `None` answers every request (for
    /// routers driven in-process, without a socket).
    pub guard: Option<HostGuard>,
}

impl DemoState {
    /// Creates the state around an opened database.
    pub fn new(ctx: ServiceContext, conn: Connection) -> Self {
        Self {
            ctx: Arc::new(ctx),
            db: Arc::new(Mutex::new(conn)),
            events: events::channel(),
            auth: None,
            faults: None,
            latency: std::time::Duration::ZERO,
            guard: None,
        }
    }

    /// The server origin, e.g. `http://127.0.0.1:8080/` (service root without `data/`).
    pub fn origin(&self) -> String {
        self.ctx
            .service_root
            .strip_suffix("data/")
            .unwrap_or(&self.ctx.service_root)
            .to_owned()
    }

    /// Runs `work` with the locked connection on a blocking thread.
    pub async fn with_connection<T: Send + 'static>(
        &self,
        work: impl FnOnce(&ServiceContext, &Connection) -> T + Send + 'static,
    ) -> Result<T, ErrorAnswer> {
        let db = Arc::clone(&self.db);
        let ctx = Arc::clone(&self.ctx);
        tokio::task::spawn_blocking(move || {
            let conn = db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            work(&ctx, &conn)
        })
        .await
        .map_err(|err| ErrorAnswer::internal(format!("request task failed: {err}")))
    }

    /// Runs `work` with the locked connection, mutably (e.g. to open a `Transaction` for a
    /// `$batch` changeset), on a blocking thread.
    pub async fn with_connection_mut<T: Send + 'static>(
        &self,
        work: impl FnOnce(&ServiceContext, &mut Connection) -> T + Send + 'static,
    ) -> Result<T, ErrorAnswer> {
        let db = Arc::clone(&self.db);
        let ctx = Arc::clone(&self.ctx);
        tokio::task::spawn_blocking(move || {
            let mut conn = db.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            work(&ctx, &mut conn)
        })
        .await
        .map_err(|err| ErrorAnswer::internal(format!("request task failed: {err}")))
    }

    /// Handles one OData request and publishes its change events. Links in the answer are
    /// built from the bound address, never from the request's `Host` header (which a
    /// rebinding attacker controls).
    pub async fn execute(&self, request: ODataRequest) -> ODataResponse {
        let response = self
            .with_connection(move |ctx, conn| handle(ctx, &request, conn))
            .await
            .unwrap_or_else(|err| ODataResponse::error(&err));
        events::publish(&self.events, response.events.clone());
        response
    }
}

/// Converts an [`ODataResponse`] to an axum response.
pub fn to_http(response: ODataResponse) -> Response {
    let mut http = (response.status, response.body).into_response();
    http.headers_mut().extend(response.headers);
    http
}

async fn odata_entry(
    State(state): State<DemoState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match super::limits::read_body(body).await {
        Ok(body) => body,
        Err(err) => return to_http(ODataResponse::error(&err)),
    };
    let path_and_query = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let request = ODataRequest {
        method,
        path_and_query,
        headers,
        body,
    };
    to_http(state.execute(request).await)
}

async fn data_entities(State(state): State<DemoState>) -> Response {
    let body = listings::data_entities(&state.origin());
    to_http(ODataResponse::json(StatusCode::OK, &body))
}

async fn public_entities(State(state): State<DemoState>) -> Response {
    let body = listings::public_entities(&state.origin());
    to_http(ODataResponse::json(StatusCode::OK, &body))
}

/// Builds the whole router. The one place where routes (`$batch`, business events) and layers
/// (the loopback guard, authentication, fault injection) are added.
pub fn build_router(state: DemoState) -> Router {
    let (auth, faults, guard, latency) = (
        state.auth.clone(),
        state.faults.clone(),
        state.guard.clone(),
        state.latency,
    );
    let router = super::bulk::routes(Router::new())
        .route("/data/$batch", post(super::batch::batch_entry))
        .route("/data", any(odata_entry))
        .route("/data/", any(odata_entry))
        .route("/data/{*rest}", any(odata_entry))
        .route("/Metadata/DataEntities", get(data_entities))
        .route("/Metadata/PublicEntities", get(public_entities))
        .with_state(state);
    // Faults wrap authentication: throttling hits even unauthenticated requests.
    let router = with_auth(router, auth);
    let router = match faults {
        Some(injector) => with_faults(router, injector),
        None => router,
    };
    let router = super::latency::with_latency(router, latency);
    // The guard comes first: a rebound or cross-site request gets nothing, not even a fault.
    match guard {
        Some(guard) => router.layer(axum::middleware::from_fn_with_state(guard, guard_requests)),
        None => router,
    }
}

/// Starts demo servers.
#[derive(Debug)]
pub struct DemoServer;

/// A running demo server.
pub struct RunningDemo {
    addr: SocketAddr,
    state: DemoState,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _temp_dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for RunningDemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningDemo")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl DemoServer {
    /// Opens (and if needed seeds) the database, binds and starts serving.
    pub async fn start(config: DemoConfig) -> Result<RunningDemo, DemoError> {
        if config.page_size == 0 {
            return Err(DemoError::Config("the page size must be at least 1".into()));
        }
        let (temp_dir, path) = match &config.db_path {
            Some(path) => (None, path.clone()),
            None => {
                let dir = tempfile::tempdir()?;
                let path = dir.path().join("demo.sqlite");
                (Some(dir), path)
            }
        };
        let (reset, rows) = (config.reset, config.rows);
        let conn = tokio::task::spawn_blocking(move || {
            let conn = open_database(&path, reset, rows)?;
            install_catalog(&conn)?;
            super::bulk::install(&conn)?;
            Ok::<_, DemoError>(conn)
        })
        .await
        .map_err(|err| DemoError::Io(std::io::Error::other(err)))??;
        let bind = format!("{}:{}", config.host, config.port);
        let listener = tokio::net::TcpListener::bind(&bind)
            .await
            .map_err(|source| DemoError::Bind {
                addr: bind.clone(),
                source,
            })?;
        let addr = listener.local_addr()?;
        let company = config.company.to_lowercase();
        if !company_exists(&conn, &company)? {
            return Err(DemoError::Config(format!(
                "the company '{company}' does not exist in the demo data (usmf, usrt, demf, gbsi)"
            )));
        }
        let host = if is_loopback_host(&config.host) || addr.ip().is_unspecified() {
            if addr.is_ipv6() {
                "[::1]".to_owned()
            } else {
                "127.0.0.1".to_owned()
            }
        } else {
            addr.ip().to_string()
        };
        let ctx = ServiceContext {
            service_root: format!("http://{host}:{}/data/", addr.port()),
            default_company: config.company.to_lowercase(),
            page_size: config.page_size,
        };
        let mut state = DemoState::new(ctx, conn);
        state.guard = Some(HostGuard::for_address(addr));
        if let AuthMode::Bearer(bearer) = &config.auth {
            let validator = BearerValidator::new(bearer.clone())
                .map_err(|err| DemoError::Config(err.to_string()))?
                .with_applications(config.applications.clone());
            state.auth = Some(Arc::new(validator));
        }
        if !config.faults.rules.is_empty() {
            state.faults = Some(Arc::new(FaultInjector::new(config.faults.clone())));
        }
        state.latency = config.latency;
        // Detached: the task ends when the change channel closes with the last state clone.
        drop(spawn_delivery(
            Arc::clone(&state.db),
            state.events.subscribe(),
        ));
        let router = build_router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
        });
        Ok(RunningDemo {
            addr,
            state,
            shutdown: Some(tx),
            task,
            _temp_dir: temp_dir,
        })
    }
}

impl RunningDemo {
    /// The service root, e.g. `http://127.0.0.1:PORT/data/`.
    pub fn service_root(&self) -> &str {
        &self.state.ctx.service_root
    }

    /// The bound socket address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (database, settings, event channel).
    pub fn state(&self) -> &DemoState {
        &self.state
    }

    /// Subscribes to change events.
    pub fn subscribe(&self) -> broadcast::Receiver<ChangeEvent> {
        self.state.events.subscribe()
    }

    /// Stops accepting requests, lets running ones finish, and closes the database.
    pub async fn shutdown(mut self) -> Result<(), DemoError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let task = &mut self.task;
        task.await
            .map_err(|err| DemoError::Io(std::io::Error::other(err)))??;
        Ok(())
    }
}

/// A demo server running on its own named thread with its own tokio runtime (for sync callers
/// such as the egui app).
#[derive(Debug)]
pub struct DemoThread {
    service_root: String,
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DemoThread {
    /// Starts the server and blocks until it listens (or failed to start).
    pub fn start(config: DemoConfig) -> Result<Self, DemoError> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<String, DemoError>>();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("flowbench-demo".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(err) => {
                        let _ = ready_tx.send(Err(err.into()));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match DemoServer::start(config).await {
                        Ok(running) => {
                            let _ = ready_tx.send(Ok(running.service_root().to_owned()));
                            let _ = tokio::task::spawn_blocking(move || stop_rx.recv()).await;
                            if let Err(err) = running.shutdown().await {
                                tracing::warn!("demo server shutdown failed: {err}");
                            }
                        }
                        Err(err) => {
                            let _ = ready_tx.send(Err(err));
                        }
                    }
                });
            })?;
        let service_root = ready_rx.recv().map_err(|_| {
            DemoError::Io(std::io::Error::other("demo thread ended before starting"))
        })??;
        Ok(Self {
            service_root,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// The service root, e.g. `http://127.0.0.1:PORT/data/`.
    pub fn service_root(&self) -> &str {
        &self.service_root
    }

    /// Stops the server and waits for its thread.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for DemoThread {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}
