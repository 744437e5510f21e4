//! The headless command line (clap): parses arguments and runs engine commands without a window.

pub mod demo;

use clap::{Parser, Subcommand};

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
    /// Run the embedded F&O-like demo OData service.
    Demo(demo::DemoArgs),
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
