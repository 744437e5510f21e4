//! The headless command line (clap): parses arguments and runs engine commands without a window.

pub mod demo;
pub mod instance;
pub mod metadata;
pub mod signin;

use clap::{Parser, Subcommand};

pub mod output;

/// Command-line interface of the `flowbench` binary.
#[derive(Debug, Parser)]
#[command(name = "flowbench", version, about = "Desktop flow designer and tester for Dynamics 365 Finance & Operations and OData v4 services", long_about = None)]
pub struct Cli {
    /// The command to run; without one, the window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Headless commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the desktop app (the same as running without a command).
    Gui,
    /// Inspect a `$metadata` document (file or service).
    Metadata(metadata::MetadataArgs),
    /// Run the embedded F&O-like demo OData service.
    Demo(demo::DemoArgs),
    /// Manage saved instances (`add`, `list`, `remove`).
    Instance(instance::InstanceArgs),
    /// Sign in to a saved instance.
    Signin(signin::SigninArgs),
    /// Sign out of a saved instance (removes its tokens from the keyring).
    Signout(signin::SignoutArgs),
}

/// Runs a headless command and returns the process exit code (see [`exit`]).
/// `Command::Gui` is handled by the binary, which owns the window; here it is a usage error.
pub fn run(command: Command) -> i32 {
    match command {
        Command::Gui => {
            eprintln!("error: the window is opened by the flowbench binary, not by cli::run");
            exit::USAGE
        }
        Command::Metadata(args) => metadata::run(args),
        Command::Instance(args) => auth_exit(instance::run(args)),
        Command::Signin(args) => auth_exit(signin::run_signin(&args)),
        Command::Signout(args) => auth_exit(signin::run_signout(&args)),
        Command::Demo(args) => match demo::run(&args) {
            Ok(()) => exit::OK,
            Err(error) => {
                eprintln!("error: {error:#}");
                exit::RUNTIME
            }
        },
    }
}

/// Exit code of an instance or sign-in command: usage problems 1, everything else
/// (provider refusals, keyring, files) 3, with the error on stderr.
fn auth_exit(result: anyhow::Result<()>) -> i32 {
    match result {
        Ok(()) => exit::OK,
        Err(error) => {
            eprintln!("error: {error:#}");
            if error.downcast_ref::<instance::UsageError>().is_some() {
                exit::USAGE
            } else {
                exit::RUNTIME
            }
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
