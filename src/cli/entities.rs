//! `flowbench entities`: the entity sets of a service.

use clap::Args;
use serde_json::json;

use super::connect::{InstanceArgs, connect, print_json, runtime};

/// Arguments of `flowbench entities`.
#[derive(Debug, Args)]
pub struct EntitiesArgs {
    #[command(flatten)]
    instance: InstanceArgs,
    /// Print a JSON array of `{name, kind, url}` instead of one name per line.
    #[arg(long)]
    json: bool,
}

/// Lists the entity sets (service document, or `$metadata` when there is none).
pub fn run(args: &EntitiesArgs, token_env: Option<&str>) -> anyhow::Result<()> {
    let connection = connect(&args.instance.instance, token_env)?;
    let client = &connection.client;
    let sets = runtime()?.block_on(client.entity_sets())?;
    if args.json {
        let list: Vec<_> = sets
            .iter()
            .map(|s| json!({"name": s.name, "kind": s.kind, "url": s.url}))
            .collect();
        print_json(&serde_json::Value::Array(list))
    } else {
        for set in &sets {
            crate::cli::stdout::print_line(&set.name)?;
        }
        Ok(())
    }
}
