//! The headless command line (clap): parses arguments and runs engine commands without a window.

pub mod batch;
pub mod bulk_target;
pub mod connect;
pub mod create;
pub mod delete;
pub mod demo;
pub mod entities;
pub mod execute;
pub mod export_file;
pub mod failure;
pub mod flow_events;
pub mod flow_input;
pub mod flow_package;
pub mod flow_replay;
pub mod flow_run;
pub mod flow_serve;
pub mod flow_tools;
pub mod flow_watch;
pub mod get;
pub mod instance;
pub mod instance_check;
pub mod instance_discover;
pub mod list;
pub mod list_parallel;
pub mod list_progress;
pub mod list_raw;
pub mod metadata;
pub mod metadata_file;
pub mod output;
pub mod package;
pub mod progress;
pub mod queue;
pub mod read_file;
pub mod secret;
pub mod signin;
pub mod stdout;
pub mod terminal;
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
    /// Run the embedded F&O-like demo OData service.
    Demo(demo::DemoArgs),
    /// Inspect a `$metadata` document (file or service).
    Metadata(metadata::MetadataArgs),
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
    /// Send many requests in one `$batch` (atomic changesets), with a result per request.
    Batch(batch::BatchArgs),
    /// Run a flow (a Power Automate / Logic Apps workflow definition).
    Run(flow_run::RunArgs),
    /// Keep flows' automatic triggers on (business events, schedules, record changes)
    /// until Ctrl+C.
    Watch(flow_watch::WatchArgs),
    /// Serve a flow's HTTP request trigger on loopback, answering with its Response action,
    /// until Ctrl+C.
    Serve(flow_serve::ServeArgs),
    /// The events a flow's triggers received, with the runs each started (`--save DIR`).
    Events(flow_events::EventsArgs),
    /// Feed saved event payloads to a flow as its trigger would (`--times N`, `--shuffle`).
    Replay(flow_replay::ReplayArgs),
    /// Export a flow for Power Automate or Logic Apps (`--to power-automate |
    /// logic-apps-standard | logic-apps-consumption`).
    Export(flow_package::ExportArgs),
    /// Import a Power Automate package, a Logic Apps project or ARM template as a flow file.
    Import(flow_package::ImportArgs),
    /// Check a flow before running it.
    Validate(flow_tools::ValidateArgs),
    /// Evaluate one workflow expression and print the result as JSON.
    Eval(flow_tools::EvalArgs),
    /// The run history: `list`, `show ID`.
    Runs(flow_tools::RunsArgs),
    /// Values of flows' secure parameters in the keyring: `set NAME --from-env VAR`, `delete NAME`.
    Secret(secret::SecretArgs),
    /// Data packages: `build`, `show`, `import`, `export`, `status` (the data management
    /// package REST API).
    Package(package::PackageArgs),
    /// Recurring integrations: `enqueue`, `dequeue`, `ack`, `status`.
    Queue(queue::QueueArgs),
    /// Manage saved instances (`add`, `list`, `remove`, `discover`).
    Instance(instance::InstanceArgs),
    /// Sign in to a saved instance.
    Signin(signin::SigninArgs),
    /// Sign out of a saved instance (removes its tokens from the keyring).
    Signout(signin::SignoutArgs),
}

/// Runs a headless command and returns the process exit code (see [`exit`]); `token_env`
/// is the global `--token-env`. `Command::Gui` is handled by the binary, which owns the
/// window; here it is a usage error.
pub fn run(command: Command, token_env: Option<&str>) -> i32 {
    let result = match command {
        Command::Gui => {
            eprintln!("error: the window is opened by the flowbench binary, not by cli::run");
            return exit::USAGE;
        }
        Command::Metadata(args) => return metadata::run(args, token_env),
        Command::Batch(args) => return batch::run(&args, token_env),
        Command::Package(args) => return package::run(&args, token_env),
        Command::Run(args) => return flow_run::run(&args, token_env),
        Command::Watch(args) => return flow_watch::run(&args, token_env),
        Command::Serve(args) => return flow_serve::run(&args, token_env),
        Command::Replay(args) => return flow_replay::run(&args, token_env),
        Command::Events(args) => return flow_events::run(&args),
        Command::Export(args) => return flow_package::run_export(&args),
        Command::Import(args) => return flow_package::run_import(&args),
        Command::Validate(args) => return flow_tools::run_validate(&args, token_env),
        Command::Eval(args) => return flow_tools::run_eval(&args),
        Command::Runs(args) => flow_tools::run_runs(&args),
        Command::Secret(args) => secret::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Entities(args) => entities::run(&args, token_env),
        Command::List(args) => list::run(&args, token_env),
        Command::Get(args) => get::run(&args, token_env),
        Command::Create(args) => create::run(&args, token_env),
        Command::Update(args) => update::run(&args, token_env),
        Command::Delete(args) => delete::run(&args, token_env),
        Command::Execute(args) => execute::run(&args, token_env),
        Command::Queue(args) => queue::run(&args, token_env),
        Command::Instance(args) => instance::run(args),
        Command::Signin(args) => signin::run_signin(&args),
        Command::Signout(args) => signin::run_signout(&args),
    };
    match result {
        Ok(()) => exit::OK,
        // `| head` closed the pipe: the reader has what it wanted.
        Err(e) if stdout::is_broken_pipe(&e) => exit::OK,
        Err(e) => {
            eprintln!("error: {}", terminal::printable(&failure::describe(&e)));
            failure::exit_code(&e)
        }
    }
}

/// Parses the command line like [`Cli::parse`] but returns the exit code for `--help`,
/// `--version` (0) and usage errors (1) instead of exiting with clap's own codes.
pub fn parse_args() -> Result<Cli, i32> {
    match Cli::try_parse() {
        Ok(cli) => Ok(cli),
        Err(error) => {
            let code = if error.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            // Printing help or the error can only fail if stdout/stderr are gone.
            let _ = error.print();
            Err(code)
        }
    }
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
