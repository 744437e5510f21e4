//! The `flowbench` binary: parses the command line, then opens the window or runs a command.

use clap::Parser;
use flowbench::cli::{Cli, Command};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        None | Some(Command::Gui) => flowbench::ui::run(),
        Some(Command::Demo(args)) => flowbench::cli::demo::run(&args),
    }
}
