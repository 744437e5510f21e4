//! `flowbench create`: POST a record and print it as the server stored it.

use clap::Args;

use super::connect::{InstanceArgs, connect, print_json, read_data, runtime};
use super::failure::usage;

/// Arguments of `flowbench create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    instance: InstanceArgs,
    /// The entity set.
    entity_set: String,
    /// The record as JSON, or `@FILE`.
    #[arg(long)]
    data: String,
}

/// Creates one record.
pub fn run(args: &CreateArgs, token_env: Option<&str>) -> anyhow::Result<()> {
    let record = read_data(&args.data)?;
    if !record.is_object() {
        return Err(usage("--data must be a JSON object"));
    }
    let connection = connect(&args.instance.instance, token_env)?;
    let client = &connection.client;
    let created = runtime()?.block_on(client.create_record(&args.entity_set, &record))?;
    print_json(&created)
}
