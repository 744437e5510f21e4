//! `flowbench get`: one record by key, printed as JSON.

use clap::Args;

use super::connect::{InstanceOption, connect, metadata_for, print_json, runtime};
use crate::connector::resolve::key_predicate;
use crate::connector::{ActionRequest, RecordRef, run as run_action};

/// Arguments of `flowbench get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    #[command(flatten)]
    instance: InstanceOption,
    /// The entity set.
    entity_set: String,
    /// Key values in key order, comma-separated (`usmf,US-001`), or an OData predicate.
    keys: String,
    /// The record may be in another company than your default (F&O `cross-company=true`).
    #[arg(long)]
    cross_company: bool,
}

/// Reads and prints one record.
pub fn run(args: &GetArgs, token_env: Option<&str>) -> anyhow::Result<()> {
    let session = connect(&args.instance.instance, token_env)?;
    runtime()?.block_on(async {
        let model = metadata_for(&session, "the key types").await?;
        let key = key_predicate(&model, &args.entity_set, &args.keys)?;
        let request = ActionRequest::GetRecord {
            record: RecordRef::new(&args.entity_set, key).across_companies(args.cross_company),
            query: String::new(),
        };
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
