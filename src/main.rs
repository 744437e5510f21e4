//! The `flowbench` binary: parses the command line, then opens the window or runs a command.

use clap::Parser;
use flowbench::cli::{Cli, Command, exit};

fn main() -> anyhow::Result<()> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // `--help` and `--version` arrive here too and are not failures.
            let code = if err.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = err.print();
            std::process::exit(code);
        }
    };
    match cli.command {
        None | Some(Command::Gui) => flowbench::ui::run(),
    }
}
