//! `flowbench instance discover NAME [--json] [--add]`: the environments of a signed-in
//! instance's tenant, optionally saved as instances.

use anyhow::Context;
use clap::Args;

use super::failure::UsageError;
use super::instance::print_table;
use super::signin::SignInFailed;
use crate::auth::{
    DiscoveredEnvironment, DiscoverySource, EnvironmentsError, InstanceAuth, Instances,
    add_discovered, discover_environments, instance_name, kind_name, os_secret_store,
};

/// `flowbench instance discover NAME`
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The saved instance whose tenant is searched (Dataverse or Business Central).
    pub name: String,
    /// Print the environments as a JSON array.
    #[arg(long)]
    pub json: bool,
    /// Save each environment not saved yet as an instance that signs in like NAME.
    #[arg(long)]
    pub add: bool,
}

fn to_json(environments: &[DiscoveredEnvironment]) -> serde_json::Value {
    environments
        .iter()
        .map(|e| {
            serde_json::json!({
                "name": e.name,
                "id": e.id,
                "instance": instance_name(&e.id),
                "kind": kind_name(e.kind),
                "url": e.url.as_str(),
                "detail": e.detail,
            })
        })
        .collect()
}

/// Lists (and with `--add` saves) the environments of the instance's tenant. A kind without a
/// documented discovery API is a usage error (exit 1); a failed sign-in or request exits 3.
pub fn run(args: &DiscoverArgs) -> anyhow::Result<()> {
    let mut instances = Instances::load_default()?;
    let base = instances.get(&args.name).cloned().ok_or_else(|| {
        UsageError(format!(
            "no saved instance named '{}': add it with `flowbench instance add`",
            args.name
        ))
    })?;
    if DiscoverySource::for_kind(base.kind).is_none() {
        return Err(
            UsageError(EnvironmentsError::NotSupported(base.kind.label()).to_string()).into(),
        );
    }
    let store = os_secret_store()?;
    let auth = InstanceAuth::new(base.clone(), store.clone()).map_err(SignInFailed)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    let environments = runtime.block_on(discover_environments(&auth))?;

    if args.json {
        super::stdout::print_line(&serde_json::to_string_pretty(&to_json(&environments))?)?;
    } else if environments.is_empty() {
        eprintln!("no environments found for {}", args.name);
    } else {
        let rows: Vec<[String; 5]> = environments
            .iter()
            .map(|e| {
                [
                    e.name.clone(),
                    instance_name(&e.id),
                    kind_name(e.kind).to_owned(),
                    e.url.to_string(),
                    e.detail.clone(),
                ]
            })
            .collect();
        print_table(["NAME", "INSTANCE", "KIND", "URL", "DETAIL"], &rows);
    }

    if args.add {
        let added = add_discovered(&mut instances, &base, &environments, store.as_ref())?;
        if !added.is_empty() {
            instances.save().context("saving the instances")?;
        }
        for profile in &added {
            eprintln!("added instance {} ({})", profile.name, profile.url);
        }
        let known = environments.len() - added.len();
        eprintln!(
            "{} added, {known} already saved{}",
            added.len(),
            if base.auth.is_delegated() && !added.is_empty() {
                "; sign in to each added instance with `flowbench signin NAME`"
            } else {
                ""
            }
        );
    }
    Ok(())
}
