//! The headless command line (clap): parses arguments and runs engine commands without a window.

pub mod connect;
pub mod create;
pub mod delete;
pub mod entities;
pub mod execute;
pub mod failure;
pub mod get;
pub mod list;
pub mod page_writer;
pub mod update;

use clap::{Parser, Subcommand};

/// Command-line interface of the `flowbench` binary.
#[derive(Debug, Parser)]
#[command(name = "flowbench", version, about = "Desktop flow designer and tester for Dynamics 365 Finance & Operations and OData v4 services", long_about = None)]
pub struct Cli {
    /// Read the bearer token from this environment variable (never printed).
    #[arg(long, global = true, value_name = "VAR")]
    pub token_env: Option<String>,
    /// The command to run; without one, the window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Headless commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the desktop app (the same as running without a command).
    Gui,
    /// List the entity sets of a service.
    Entities(entities::EntitiesArgs),
    /// List records of an entity set.
    List(list::ListArgs),
    /// Print one record as JSON.
    Get(get::GetArgs),
    /// Create a record.
    Create(create::CreateArgs),
    /// Update a record (only changed fields, with If-Match).
    Update(update::UpdateArgs),
    /// Delete a record.
    Delete(delete::DeleteArgs),
    /// Execute an action or function.
    Execute(execute::ExecuteArgs),
}

/// Runs a headless request command; `None` for commands that are not request commands.
pub fn run_request_command(
    command: &Command,
    token_env: Option<&str>,
) -> Option<anyhow::Result<()>> {
    Some(match command {
        Command::Entities(args) => entities::run(args, token_env),
        Command::List(args) => list::run(args, token_env),
        Command::Get(args) => get::run(args, token_env),
        Command::Create(args) => create::run(args, token_env),
        Command::Update(args) => update::run(args, token_env),
        Command::Delete(args) => delete::run(args, token_env),
        Command::Execute(args) => execute::run(args, token_env),
        Command::Gui => return None,
    })
}

/// Exit codes per failure class.
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// Usage error (bad arguments).
    pub const USAGE: i32 = 1;
    /// Invalid input file.
    pub const INVALID_INPUT: i32 = 2;
    /// Runtime failure: request failed, server or network error.
    pub const RUNTIME: i32 = 3;
    /// Assertion failed in a flow.
    pub const ASSERTION: i32 = 4;
}
