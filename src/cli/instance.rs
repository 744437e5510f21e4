//! `flowbench instance add | list | remove | discover | check`: saved instance profiles
//! (secrets go to the keyring).

use anyhow::{Context, bail};

use super::failure::UsageError;
use clap::{Args, Subcommand};

use crate::auth::{
    AuthMethod, InstanceProfile, Instances, Secret, SecretKind, forget_instance, kind_name,
    os_secret_store, parse_kind,
};
use crate::odata::service_root::ServiceKind;

/// `flowbench instance …`
#[derive(Debug, Args)]
pub struct InstanceArgs {
    /// What to do with the saved instances.
    #[command(subcommand)]
    pub command: InstanceCommand,
}

/// Instance subcommands.
#[derive(Debug, Subcommand)]
pub enum InstanceCommand {
    /// Save (or replace) an instance profile.
    Add(AddArgs),
    /// List the saved instances.
    List,
    /// Remove a saved instance and its secrets.
    Remove(RemoveArgs),
    /// List the environments of a signed-in instance's tenant (Dataverse, Business Central).
    Discover(super::instance_discover::DiscoverArgs),
    /// Check the app-registration set-up of a saved instance, item by item (exit 4 when an
    /// item failed).
    Check(super::instance_check::CheckArgs),
}

/// `flowbench instance add NAME --url URL …`
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The name used with `--instance NAME`.
    pub name: String,
    /// Service URL (an F&O host name without `https://` is fine).
    #[arg(long)]
    pub url: String,
    /// Kind of service.
    #[arg(long, default_value = "fno", value_parser = ["fno", "business-central", "dataverse", "odata"])]
    pub kind: String,
    /// OpenID issuer (Entra ID: `https://login.microsoftonline.com/TENANT/v2.0`).
    #[arg(long)]
    pub authority: Option<String>,
    /// Entra ID tenant (directory ID or domain); gives the authority when none is set.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Application (client) ID of the app registration.
    #[arg(long)]
    pub client_id: Option<String>,
    /// How to sign in (default: client-secret with --client-secret-env, browser with a
    /// client ID, none otherwise).
    #[arg(long, value_enum)]
    pub auth: Option<AuthMethod>,
    /// Scope to request (repeatable); default: the kind's (`https://HOST/.default` for F&O).
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,
    /// Read the client secret from this environment variable into the keyring.
    #[arg(long, value_name = "VAR")]
    pub client_secret_env: Option<String>,
    /// Base URL of the environment discovery API, for sovereign clouds (default: Microsoft's,
    /// e.g. `https://globaldisco.crm.dynamics.com/` for Dataverse).
    #[arg(long, value_name = "URL")]
    pub discovery_url: Option<String>,
}

/// `flowbench instance remove NAME`
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The instance to remove.
    pub name: String,
}

/// Runs an instance subcommand.
pub fn run(args: InstanceArgs) -> anyhow::Result<()> {
    match args.command {
        InstanceCommand::Add(add) => run_add(add),
        InstanceCommand::List => run_list(),
        InstanceCommand::Remove(remove) => run_remove(&remove.name),
        InstanceCommand::Discover(discover) => super::instance_discover::run(&discover),
        InstanceCommand::Check(check) => super::instance_check::run(&check),
    }
}

fn run_add(args: AddArgs) -> anyhow::Result<()> {
    let kind = parse_kind(&args.kind).unwrap_or(ServiceKind::FinanceOperations);
    let auth = args.auth.unwrap_or(if args.client_secret_env.is_some() {
        AuthMethod::ClientSecret
    } else if args.client_id.is_some() {
        AuthMethod::Browser
    } else {
        AuthMethod::None
    });
    let secret = match &args.client_secret_env {
        Some(var) => {
            let value = std::env::var(var)
                .map_err(|_| UsageError(format!("environment variable {var} is not set")))?;
            if value.trim().is_empty() {
                return Err(UsageError(format!("environment variable {var} is empty")).into());
            }
            Some(Secret::new(value.trim()))
        }
        None => None,
    };
    let profile = InstanceProfile::new(
        &args.name,
        kind,
        &args.url,
        args.authority,
        args.tenant,
        args.client_id,
        auth,
        args.scopes,
    )
    .and_then(|p| p.with_discovery_url(args.discovery_url.as_deref()))
    .map_err(|e| UsageError(e.to_string()))?;
    let mut instances = Instances::load_default()?;
    if let Some(secret) = secret {
        let store = os_secret_store()?;
        store.set(&profile.name, SecretKind::ClientSecret, &secret)?;
        eprintln!("client secret saved in the {}", store.describe());
    } else if auth == AuthMethod::ClientSecret {
        eprintln!(
            "note: no --client-secret-env given; `flowbench signin {}` needs a client secret in the keyring",
            profile.name
        );
    }
    println!(
        "saved instance {} ({}, {}, sign-in: {})",
        profile.name,
        kind_name(profile.kind),
        profile.url,
        profile.auth.name()
    );
    instances.upsert(profile);
    instances.save().context("saving the instances")?;
    Ok(())
}

fn run_list() -> anyhow::Result<()> {
    let instances = Instances::load_default()?;
    if instances.list().is_empty() {
        eprintln!("no saved instances: add one with `flowbench instance add NAME --url URL`");
        return Ok(());
    }
    let rows: Vec<[String; 5]> = instances
        .list()
        .iter()
        .map(|p| {
            [
                p.name.clone(),
                kind_name(p.kind).to_owned(),
                p.auth.name().to_owned(),
                p.url.to_string(),
                p.authority
                    .clone()
                    .or_else(|| p.tenant.clone())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    print_table(["NAME", "KIND", "AUTH", "URL", "AUTHORITY"], &rows);
    Ok(())
}

/// Prints `rows` under `header` in left-aligned columns.
pub(super) fn print_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) {
    let header = header.map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
}

fn run_remove(name: &str) -> anyhow::Result<()> {
    let mut instances = Instances::load_default()?;
    let Some(profile) = instances.remove(name) else {
        bail!(UsageError(format!("no saved instance named '{name}'")));
    };
    instances.save().context("saving the instances")?;
    if profile.auth != AuthMethod::None {
        match os_secret_store() {
            Ok(store) => forget_instance(store.as_ref(), name)?,
            Err(e) => eprintln!("warning: could not clear the keyring: {e}"),
        }
    }
    println!("removed instance {name}");
    Ok(())
}
