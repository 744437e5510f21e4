//! The `flowbench` binary: parses the command line, then opens the window or runs a command.

use clap::Parser;
use flowbench::cli::{Cli, Command, exit, failure};

fn main() -> anyhow::Result<()> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let token_env = cli.token_env.as_deref();
    match &cli.command {
        None | Some(Command::Gui) => flowbench::ui::run(),
        Some(command) => {
            if let Some(Err(e)) = flowbench::cli::run_request_command(command, token_env) {
                eprintln!("error: {}", failure::describe(&e));
                std::process::exit(failure::exit_code(&e));
            }
            Ok(())
        }
    }
}
