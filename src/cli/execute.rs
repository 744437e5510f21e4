//! `flowbench execute`: run an action or function, unbound (an import) or bound to an
//! entity set or to one record, with parameters typed from `$metadata`.

use clap::Args;

use super::connect::{InstanceOption, connect, metadata_for, print_json, runtime};
use super::failure::usage;
use crate::connector::resolve::resolve_call;
use crate::connector::{ActionRequest, Outcome, run as run_action};

/// Arguments of `flowbench execute`.
#[derive(Debug, Args)]
pub struct ExecuteArgs {
    #[command(flatten)]
    instance: InstanceOption,
    /// `[<EntitySet> [<KEYS>]] <Action>`: an import name alone, or an entity set (and a
    /// record key) followed by the bound operation's name.
    #[arg(num_args = 1..=3, required = true, value_name = "TARGET")]
    target: Vec<String>,
    /// A parameter as `NAME=VALUE` (repeatable); values are typed from `$metadata`.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// ETag for `If-Match` on an action bound to a record (default: the record's current
    /// ETag when its entity set uses optimistic concurrency).
    #[arg(long, value_name = "ETAG")]
    if_match: Option<String>,
    /// A bound record may be in another company than your default (F&O
    /// `cross-company=true`).
    #[arg(long)]
    cross_company: bool,
}

/// Executes the operation and prints its result (if any) as JSON.
pub fn run(args: &ExecuteArgs, token_env: Option<&str>) -> anyhow::Result<()> {
    let params = args
        .params
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(n, v)| (n.trim().to_owned(), v.to_owned()))
                .ok_or_else(|| usage(format!("--param '{p}' is not NAME=VALUE")))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let session = connect(&args.instance.instance, token_env)?;
    runtime()?.block_on(async {
        let model = metadata_for(&session, "the operation").await?;
        let request = ActionRequest::ExecuteAction {
            call: resolve_call(&model, &args.target, &params)?,
            cross_company: args.cross_company,
            if_match: args.if_match.clone(),
        };
        match run_action(&session.client, Some(&model), &request)
            .await?
            .outcome
        {
            Outcome::ActionResult(Some(result)) => print_json(&result),
            _ => Ok(()),
        }
    })
}
