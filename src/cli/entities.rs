//! `flowbench entities`: the entity sets of a service.

use clap::Args;

use super::connect::{InstanceOption, connect, print_json, runtime};
use crate::connector::{ActionRequest, Outcome, run as run_action};

/// Arguments of `flowbench entities`.
#[derive(Debug, Args)]
pub struct EntitiesArgs {
    #[command(flatten)]
    instance: InstanceOption,
    /// Print a JSON array of `{name, kind, url}` instead of one name per line.
    #[arg(long)]
    json: bool,
}

/// Lists the entity sets (service document, or `$metadata` when there is none).
pub fn run(args: &EntitiesArgs, token_env: Option<&str>) -> anyhow::Result<()> {
    let session = connect(&args.instance.instance, token_env)?;
    let done = runtime()?.block_on(run_action(
        &session.client,
        None,
        &ActionRequest::ListEntities,
    ))?;
    if args.json {
        return print_json(&serde_json::Value::Array(done.outcome.records()));
    }
    if let Outcome::Entities(sets) = &done.outcome {
        for set in sets {
            crate::cli::stdout::print_line(&set.name)?;
        }
    }
    Ok(())
}
