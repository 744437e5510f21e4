//! Configuration of a demo instance.

use std::path::PathBuf;

use super::aad_apps::AadApplications;
use super::auth::AuthMode;
use super::faults::FaultSpec;

/// The default number of generated customers (other entities scale with it).
pub const DEFAULT_ROWS: u64 = 200;
/// F&O's server-driven page size.
pub const DEFAULT_PAGE_SIZE: u64 = 10_000;
/// The default company of F&O demo data.
pub const DEFAULT_COMPANY: &str = "usmf";

/// How to run a demo instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    /// Address to bind; loopback unless explicitly changed.
    pub host: String,
    /// Port to bind; 0 picks a free port.
    pub port: u16,
    /// SQLite file; `None` uses a fresh temporary database removed at shutdown.
    pub db_path: Option<PathBuf>,
    /// Recreate and reseed an existing database file.
    pub reset: bool,
    /// Number of customers to seed (orders, lines, products and vendors scale with it).
    pub rows: u64,
    /// Server-driven page size.
    pub page_size: u64,
    /// Default company (`dataAreaId`).
    pub company: String,
    /// Request authentication (none by default).
    pub auth: AuthMode,
    /// F&O's "Microsoft Entra ID applications" checked for app-only bearer tokens (none: every
    /// client runs as `Admin` with System administrator).
    pub applications: AadApplications,
    /// Injected faults (none by default).
    pub faults: FaultSpec,
    /// A delay before every answer (none by default), like a remote instance's.
    pub latency: std::time::Duration,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 0,
            db_path: None,
            reset: false,
            rows: DEFAULT_ROWS,
            page_size: DEFAULT_PAGE_SIZE,
            company: DEFAULT_COMPANY.into(),
            auth: AuthMode::None,
            applications: AadApplications::default(),
            faults: FaultSpec::default(),
            latency: std::time::Duration::ZERO,
        }
    }
}
