//! `flowbench update`: PATCH only the fields that change, guarded by the record's ETag.

use clap::Args;
use serde_json::Value;

use super::connect::{InstanceArgs, connect, print_json, read_data, runtime};
use super::failure::usage;

/// Arguments of `flowbench update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    instance: InstanceArgs,
    /// The entity set.
    entity_set: String,
    /// Key values in key order, comma-separated, or an OData predicate.
    keys: String,
    /// The new field values as JSON, or `@FILE`.
    #[arg(long)]
    data: String,
    /// ETag for `If-Match` (default: the one read with the record).
    #[arg(long, value_name = "ETAG")]
    if_match: Option<String>,
}

/// Reads the record, sends the changed fields with `If-Match`, prints the result.
pub fn run(args: &UpdateArgs, token_env: Option<&str>) -> anyhow::Result<()> {
    let Value::Object(edited) = read_data(&args.data)? else {
        return Err(usage("--data must be a JSON object"));
    };
    let connection = connect(&args.instance.instance, token_env)?;
    let client = &connection.client;
    runtime()?.block_on(async {
        let key = connection.key_for(&args.entity_set, &args.keys).await?;
        let original = client.get_record(&args.entity_set, &key, "").await?;
        let updated = client
            .update_changed(
                &args.entity_set,
                &key,
                &original,
                &edited,
                args.if_match.as_deref(),
            )
            .await?;
        match updated {
            Some(record) => print_json(&record),
            None => print_json(&client.get_record(&args.entity_set, &key, "").await?),
        }
    })
}
