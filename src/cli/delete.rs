//! `flowbench delete`: delete one record by key.

use clap::Args;

use super::connect::{InstanceOption, connect, metadata_for, runtime};
use crate::connector::resolve::key_predicate;
use crate::connector::{ActionRequest, RecordRef, run as run_action};

/// Arguments of `flowbench delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    instance: InstanceOption,
    /// The entity set.
    entity_set: String,
    /// Key values in key order, comma-separated, or an OData predicate.
    keys: String,
    /// The record may be in another company than your default (F&O `cross-company=true`).
    #[arg(long)]
    cross_company: bool,
}

/// Deletes one record (`If-Match: *`).
pub fn run(args: &DeleteArgs, token_env: Option<&str>) -> anyhow::Result<()> {
    let session = connect(&args.instance.instance, token_env)?;
    runtime()?.block_on(async {
        let model = metadata_for(&session, "the key types").await?;
        let key = key_predicate(&model, &args.entity_set, &args.keys)?;
        let request = ActionRequest::DeleteRecord {
            record: RecordRef::new(&args.entity_set, key.clone())
                .across_companies(args.cross_company),
            if_match: None,
        };
        run_action(&session.client, Some(&model), &request).await?;
        let key = key.trim_start_matches('(').trim_end_matches(')');
        eprintln!("deleted {}({key})", args.entity_set);
        Ok(())
    })
}
