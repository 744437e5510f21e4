//! `flowbench instance check NAME`: the app-registration checklist of a saved instance,
//! printed one item a line with what was checked and what to fix; exit 4 when an item failed.

use anyhow::Context;
use clap::Args;

use super::failure::UsageError;
use crate::auth::{Instances, os_secret_store};
use crate::connector::setup_check::{CheckStatus, Checklist, check_instance};

/// `flowbench instance check NAME [--json]`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The saved instance to check.
    pub name: String,
    /// Print the checklist as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Some items of the checklist failed (exit code 4).
#[derive(Debug, thiserror::Error)]
#[error("{failed} of {total} set-up checks failed for instance '{instance}'")]
pub struct ChecksFailed {
    /// The instance.
    pub instance: String,
    /// How many items failed.
    pub failed: usize,
    /// How many items there are.
    pub total: usize,
}

/// Runs the checklist and prints it.
pub fn run(args: &CheckArgs) -> anyhow::Result<()> {
    let instances = Instances::load_default()?;
    let profile = instances
        .get(&args.name)
        .cloned()
        .ok_or_else(|| UsageError(format!("no saved instance named '{}'", args.name)))?;
    let secrets = os_secret_store()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    let checklist = runtime.block_on(check_instance(&profile, secrets));
    if args.json {
        super::stdout::print_line(&serde_json::to_string_pretty(&checklist)?)?;
    } else {
        super::stdout::print_line(super::terminal::printable(&text(&checklist)).trim_end())?;
    }
    let failed = checklist
        .results
        .iter()
        .filter(|r| r.status == CheckStatus::Failed)
        .count();
    if failed > 0 {
        return Err(ChecksFailed {
            instance: checklist.instance,
            failed,
            total: checklist.results.len(),
        }
        .into());
    }
    Ok(())
}

/// The checklist as plain ASCII-marked text: a line per item, then its findings indented.
pub fn text(checklist: &Checklist) -> String {
    let mut out = format!("Set-up check of instance '{}'\n", checklist.instance);
    for result in &checklist.results {
        out.push_str(&format!("{:<6} {}\n", result.status.mark(), result.title));
        out.push_str(&format!("       checked: {}\n", result.checked));
        if let Some(fix) = &result.fix {
            let label = match result.status {
                CheckStatus::Failed | CheckStatus::Warning => "fix",
                _ => "note",
            };
            out.push_str(&format!("       {label}: {fix}\n"));
        }
    }
    out
}
