//! `flowbench signin NAME [--device-code]` and `flowbench signout NAME`.

use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use super::failure::UsageError;
use crate::auth::{
    AuthError, InstanceAuth, InstanceProfile, Instances, InteractiveOptions, SignInPrompt,
    os_secret_store,
};

/// `flowbench signin NAME`
#[derive(Debug, Args)]
pub struct SigninArgs {
    /// The saved instance.
    pub name: String,
    /// Use the device code flow (enter a code in any browser) instead of opening a browser.
    #[arg(long)]
    pub device_code: bool,
    /// Do not start a browser: print the sign-in URL to open by hand.
    #[arg(long)]
    pub no_browser: bool,
}

/// `flowbench signout NAME`
#[derive(Debug, Args)]
pub struct SignoutArgs {
    /// The saved instance.
    pub name: String,
}

/// A sign-in failure (exit code 3), carrying the provider's error text.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct SignInFailed(#[from] pub AuthError);

fn profile(name: &str) -> anyhow::Result<InstanceProfile> {
    Instances::load_default()?
        .get(name)
        .cloned()
        .ok_or_else(|| {
            UsageError(format!(
                "no saved instance named '{name}': add it with `flowbench instance add`"
            ))
            .into()
        })
}

fn print_prompt(prompt: SignInPrompt) {
    match prompt {
        SignInPrompt::OpenBrowser { url, opened: true } => {
            eprintln!("Opened the browser to sign in. If nothing appeared, open:\n{url}");
        }
        SignInPrompt::OpenBrowser { url, opened: false } => {
            eprintln!("Open this URL in a browser to sign in:\n{url}");
        }
        SignInPrompt::DeviceCode {
            user_code,
            verification_uri,
            ..
        } => {
            eprintln!("To sign in, open {verification_uri} and enter the code {user_code}");
        }
    }
}

/// Signs in interactively (or with the client secret) and stores the tokens in the keyring.
pub fn run_signin(args: &SigninArgs) -> anyhow::Result<()> {
    let profile = profile(&args.name)?;
    let store = os_secret_store()?;
    let backend = store.describe();
    let auth = InstanceAuth::new(profile, store).map_err(SignInFailed)?;
    let mut options = InteractiveOptions::new(Arc::new(print_prompt));
    options.device_code = args.device_code;
    options.open_browser = !args.no_browser;
    let cancel = options.cancel.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async {
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.cancel();
            }
        });
        auth.sign_in(&options).await.map_err(SignInFailed)
    })?;
    eprintln!("Signed in to {}; tokens are in the {backend}.", args.name);
    Ok(())
}

/// Removes the instance's tokens from the keyring.
pub fn run_signout(args: &SignoutArgs) -> anyhow::Result<()> {
    let profile = profile(&args.name)?;
    let auth = InstanceAuth::new(profile, os_secret_store()?).map_err(SignInFailed)?;
    auth.sign_out().map_err(SignInFailed)?;
    eprintln!("Signed out of {}.", args.name);
    Ok(())
}
