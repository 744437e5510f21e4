//! `flowbench create`: POST a record and print it as the server stored it.

use clap::Args;
use serde_json::Value;

use super::connect::{InstanceOption, connect, metadata_for, print_json, read_data, runtime};
use super::failure::usage;
use crate::connector::{ActionRequest, run as run_action};

/// Arguments of `flowbench create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    instance: InstanceOption,
    /// The entity set.
    entity_set: String,
    /// The record as JSON, or `@FILE`.
    #[arg(long)]
    data: String,
}

/// Creates one record; field names are checked against `$metadata` first.
pub fn run(args: &CreateArgs, token_env: Option<&str>) -> anyhow::Result<()> {
    let Value::Object(body) = read_data(&args.data)? else {
        return Err(usage("--data must be a JSON object"));
    };
    let session = connect(&args.instance.instance, token_env)?;
    let request = ActionRequest::CreateRecord {
        entity_set: args.entity_set.clone(),
        body,
    };
    runtime()?.block_on(async {
        let model = metadata_for(&session, "the entity's fields").await?;
        request.check(&model)?;
        let done = run_action(&session.client, Some(&model), &request).await?;
        print_json(
            &done
                .outcome
                .records()
                .into_iter()
                .next()
                .unwrap_or_default(),
        )
    })
}
