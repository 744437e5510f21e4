//! `flowbench secret set|delete NAME`: the values of flows' secure parameters in the OS
//! keyring, read from an environment variable so they never appear on a command line.

use clap::{Args, Subcommand};

use super::failure::usage;
use crate::auth::{Secret, SecretKind, os_secret_store};

/// Arguments of `flowbench secret`.
#[derive(Debug, Args)]
pub struct SecretArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: SecretCommand,
}

/// `flowbench secret …`.
#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Store the value of a secure parameter (used by `flowbench run` when neither
    /// `--param` nor `FLOWBENCH_PARAM_<NAME>` gives it).
    Set {
        /// The parameter's name, as the definition declares it.
        name: String,
        /// Read the value from this environment variable.
        #[arg(long, value_name = "VAR")]
        from_env: String,
    },
    /// Remove a stored value.
    Delete {
        /// The parameter's name.
        name: String,
    },
}

/// Stores or removes a value.
pub fn run(args: &SecretArgs) -> anyhow::Result<()> {
    let store = os_secret_store()?;
    match &args.command {
        SecretCommand::Set { name, from_env } => {
            let value = std::env::var(from_env)
                .map_err(|_| usage(format!("environment variable {from_env} is not set")))?;
            if value.is_empty() {
                return Err(usage(format!("environment variable {from_env} is empty")));
            }
            store.set(name, SecretKind::FlowParameter, &Secret::new(value))?;
            eprintln!("the value of '{name}' is saved in the {}", store.describe());
        }
        SecretCommand::Delete { name } => {
            store.delete(name, SecretKind::FlowParameter)?;
            eprintln!(
                "the value of '{name}' is removed from the {}",
                store.describe()
            );
        }
    }
    Ok(())
}
