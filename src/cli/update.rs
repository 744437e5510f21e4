//! `flowbench update`: PATCH only the fields that change, guarded by the record's ETag.

use clap::Args;
use serde_json::Value;

use super::connect::{InstanceOption, connect, metadata_for, print_json, read_data, runtime};
use super::failure::usage;
use crate::connector::resolve::key_predicate;
use crate::connector::{ActionRequest, Outcome, RecordRef, run as run_action};
use crate::odata::client::changed_fields;

/// Arguments of `flowbench update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    instance: InstanceOption,
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
    /// The record may be in another company than your default (F&O `cross-company=true`).
    #[arg(long)]
    cross_company: bool,
}

/// Reads the record, sends the changed fields with `If-Match`, prints the result.
pub fn run(args: &UpdateArgs, token_env: Option<&str>) -> anyhow::Result<()> {
    let Value::Object(edited) = read_data(&args.data)? else {
        return Err(usage("--data must be a JSON object"));
    };
    let session = connect(&args.instance.instance, token_env)?;
    let client = &session.client;
    runtime()?.block_on(async {
        let model = metadata_for(&session, "the key types").await?;
        let key = key_predicate(&model, &args.entity_set, &args.keys)?;
        let record = RecordRef::new(&args.entity_set, key).across_companies(args.cross_company);
        let read = ActionRequest::GetRecord {
            record: record.clone(),
            query: String::new(),
        };
        let Outcome::Record(original) = run_action(client, Some(&model), &read).await?.outcome
        else {
            return Err(usage("the server sent no record"));
        };
        let changes = changed_fields(&original, &edited);
        if changes.is_empty() {
            return print_json(&original);
        }
        let if_match = args.if_match.clone().or_else(|| {
            original
                .get("@odata.etag")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        let update = ActionRequest::UpdateRecord {
            record,
            changes,
            if_match,
            read_back: true,
        };
        update.check(&model)?;
        let done = run_action(client, Some(&model), &update).await?;
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
