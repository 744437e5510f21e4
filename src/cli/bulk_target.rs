//! The instance a bulk-data command talks to: `--instance I` (saved, URL or host) or
//! `--demo` (the embedded demo instance over the demo database in the data directory, so
//! executions and queues outlive the command).

use clap::Args;

use super::connect::connect;
use super::failure::usage;
use crate::connector::Session;
use crate::connector::bulk::BulkError;
use crate::demo::DemoConfig;

/// `--instance I` or `--demo`.
#[derive(Debug, Clone, Args)]
pub struct TargetOption {
    /// A saved instance name, a service root URL or an F&O host name.
    #[arg(
        long,
        value_name = "I",
        required_unless_present = "demo",
        conflicts_with = "demo"
    )]
    pub instance: Option<String>,
    /// Use the embedded demo instance (its database in the data directory,
    /// `FLOWBENCH_DATA_DIR`).
    #[arg(long)]
    pub demo: bool,
}

impl TargetOption {
    /// Opens the session.
    pub fn open(&self, token_env: Option<&str>) -> anyhow::Result<Session> {
        if self.demo {
            let dir = crate::flow::history::data_dir().ok_or_else(|| {
                usage("no data directory for the demo database; set FLOWBENCH_DATA_DIR")
            })?;
            std::fs::create_dir_all(&dir).map_err(|e| {
                usage(format!(
                    "cannot create the data directory {}: {e}",
                    dir.display()
                ))
            })?;
            let config = DemoConfig {
                db_path: Some(dir.join("demo.sqlite")),
                ..DemoConfig::default()
            };
            return Ok(Session::start_demo(config)?);
        }
        match &self.instance {
            Some(instance) => connect(instance, token_env),
            None => Err(usage("give --instance I or --demo")),
        }
    }
}

/// A bulk-data error for the failure printer: OData errors keep their report and Infolog.
pub fn bulk_error(error: BulkError) -> anyhow::Error {
    match error {
        BulkError::OData(e) => e.into(),
        other => other.into(),
    }
}
