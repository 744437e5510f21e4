//! `flowbench delete`: delete one record by key.

use clap::Args;

use super::connect::{InstanceArgs, connect, fetch_key, runtime};

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
    let client = connect(&args.instance.instance, token_env)?;
    runtime()?.block_on(async {
        let key = fetch_key(&client, &args.entity_set, &args.keys).await?;
        client.delete_record(&args.entity_set, &key, None).await?;
        let key = key.trim_start_matches('(').trim_end_matches(')');
        eprintln!("deleted {}({key})", args.entity_set);
        Ok(())
    })
}
