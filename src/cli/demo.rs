//! `flowbench demo`: runs the embedded F&O-like demo instance until Ctrl-C or SIGTERM.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::demo::aad_apps::{AadApplication, AadApplications};
use crate::demo::auth::{AuthMode, BearerConfig};
use crate::demo::config::{DEFAULT_COMPANY, DEFAULT_PAGE_SIZE, DEFAULT_ROWS};
use crate::demo::faults::FaultSpec;
use crate::demo::{DemoConfig, DemoServer};

/// Arguments of `flowbench demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Address to bind; anything but loopback must be given explicitly.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// SQLite database file (reused if it exists); default: a fresh temporary database.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Delete and reseed an existing database file.
    #[arg(long)]
    pub reset: bool,
    /// Number of customers to seed (other entities scale with it).
    #[arg(long, default_value_t = DEFAULT_ROWS)]
    pub rows: u64,
    /// Server-driven page size.
    #[arg(long, default_value_t = DEFAULT_PAGE_SIZE)]
    pub page_size: u64,
    /// Default company (dataAreaId).
    #[arg(long, default_value = DEFAULT_COMPANY)]
    pub company: String,
    /// Require bearer JWTs from this OpenID issuer (http only for loopback); needs --audience.
    #[arg(long, requires = "audience", value_name = "URL")]
    pub issuer: Option<String>,
    /// The audience (`aud`) bearer JWTs must carry; needs --issuer.
    #[arg(long, requires = "issuer", value_name = "AUD")]
    pub audience: Option<String>,
    /// Register an application as F&O's "Microsoft Entra ID applications" do (repeatable):
    /// app-only tokens of CLIENT_ID run as USER with the given security roles; other clients
    /// get 401, a user without roles 403. None given: every client runs as Admin with
    /// System administrator.
    #[arg(
        long = "app",
        value_name = "CLIENT_ID=USER[:ROLE,…]",
        requires = "issuer"
    )]
    pub apps: Vec<AadApplication>,
    /// Inject faults: comma-separated KIND:N (every Nth request), KIND one of 429, 503, drop,
    /// slow; e.g. `429:7,503:11,drop:13`.
    #[arg(long, value_name = "SPEC")]
    pub faults: Option<FaultSpec>,
    /// Delay every answer by this many milliseconds, like a remote instance (for measuring
    /// what latency changes, such as parallel paging).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
}

impl DemoArgs {
    /// The server configuration these arguments describe.
    pub fn config(&self) -> DemoConfig {
        DemoConfig {
            host: self.host.clone(),
            port: self.port,
            db_path: self.db.clone(),
            reset: self.reset,
            rows: self.rows,
            page_size: self.page_size,
            company: self.company.clone(),
            auth: match (&self.issuer, &self.audience) {
                (Some(issuer), Some(audience)) => AuthMode::Bearer(BearerConfig {
                    issuer: issuer.clone(),
                    audience: audience.clone(),
                }),
                _ => AuthMode::None,
            },
            applications: AadApplications(self.apps.clone()),
            faults: self.faults.clone().unwrap_or_default(),
            latency: std::time::Duration::from_millis(self.latency),
        }
    }
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs the demo server: prints `Demo instance listening on <root>` and serves until stopped.
pub fn run(args: &DemoArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let running = DemoServer::start(args.config()).await?;
        if !running.local_addr().ip().is_loopback() {
            eprintln!(
                "Warning: the demo instance is reachable from other machines on {}",
                running.local_addr()
            );
        }
        let mut stdout = std::io::stdout();
        writeln!(
            stdout,
            "Demo instance listening on {}",
            running.service_root()
        )?;
        stdout.flush()?;
        stop_signal().await;
        running.shutdown().await?;
        Ok(())
    })
}
