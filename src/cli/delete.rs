//! `flowbench delete`: delete one record by key.

use clap::Args;

use super::connect::{InstanceArgs, connect, runtime};

/// Arguments of `flowbench delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    instance: InstanceArgs,
    /// The entity set.
    entity_set: String,
    /// Key values in key order, comma-separated, or an OData predicate.
    keys: String,
}

/// Deletes one record (`If-Match: *`).
pub fn run(args: &DeleteArgs, token_env: Option<&str>) -> anyhow::Result<()> {
    let connection = connect(&args.instance.instance, token_env)?;
    let client = &connection.client;
    runtime()?.block_on(async {
        let key = connection.key_for(&args.entity_set, &args.keys).await?;
        client.delete_record(&args.entity_set, &key, None).await?;
        let key = key.trim_start_matches('(').trim_end_matches(')');
        eprintln!("deleted {}({key})", args.entity_set);
        Ok(())
    })
}
