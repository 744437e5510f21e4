//! The `flowbench` binary: parses the command line, then opens the window or runs a command.

use std::process::ExitCode;

use flowbench::cli::{self, Command, exit};

/// mimalloc: markedly faster than the system allocator for the many small strings of a
/// large `$metadata` model. Compiled with `MI_SKIP_COLLECT_ON_EXIT` (`.cargo/config.toml`):
/// a process that ends leaves its memory to the kernel instead of returning it page by page
/// first (see docs/PERFORMANCE.md, item 1).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    flowbench::ui::startup::mark();
    let code = match cli::parse_args() {
        Err(code) => code,
        Ok(parsed) => match parsed.command {
            None | Some(Command::Gui) => match flowbench::ui::run() {
                Ok(()) => exit::OK,
                Err(error) => {
                    eprintln!("error: {error:#}");
                    exit::RUNTIME
                }
            },
            Some(command) => cli::run(command, parsed.token_env.as_deref()),
        },
    };
    ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX))
}
