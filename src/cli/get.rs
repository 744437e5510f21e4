//! `flowbench get`: one record by key, printed as JSON.

use clap::Args;

use super::connect::{InstanceArgs, connect, print_json, runtime};

/// Arguments of `flowbench get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    #[command(flatten)]
    instance: InstanceArgs,
    /// The entity set.
    entity_set: String,
    /// Key values in key order, comma-separated (`usmf,US-001`), or an OData predicate.
    keys: String,
}

/// Reads and prints one record.
pub fn run(args: &GetArgs, token_env: Option<&str>) -> anyhow::Result<()> {
    let connection = connect(&args.instance.instance, token_env)?;
    let client = &connection.client;
    runtime()?.block_on(async {
        let key = connection.key_for(&args.entity_set, &args.keys).await?;
        let record = client.get_record(&args.entity_set, &key, "").await?;
        print_json(&record)
    })
}
