//! The embedded demo instance: an F&O-like OData v4 service over SQLite (axum + rusqlite).
//!
//! It is the other side of the wire from `crate::odata` and never imports it. Entry points:
//! [`DemoServer::start`] (async), [`DemoThread::start`] (own thread and runtime),
//! [`build_router`] (the one router), [`handle`] (one request in-process, for `$batch`).

pub mod aad_apps;
pub mod auth;
pub mod batch;
pub mod bulk;
pub mod business_events;
pub mod config;
pub mod csdl;
pub mod db;
pub mod ddl;
pub mod error;
pub mod events;
pub mod faults;
pub mod guard;
pub mod handler;
pub mod latency;
pub mod limits;
pub mod listings;
pub mod path;
pub mod query;
pub mod schema;
pub mod seed;
pub mod seed_data;
pub mod server;
pub mod store;
pub mod strict_json;
pub mod values;

pub use config::DemoConfig;
pub use error::{DemoError, ErrorAnswer};
pub use events::{ChangeEvent, ChangeKind};
pub use handler::{ODataRequest, ODataResponse, ServiceContext, handle};
pub use server::{DemoServer, DemoState, DemoThread, RunningDemo, build_router};
