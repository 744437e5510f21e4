//! `--instance NAME_OR_URL`: a saved instance (with silent sign-in) or a plain service URL.

use std::sync::Arc;

use url::Url;

use super::instances::{Instances, InstancesError};
use super::profile::{AuthMethod, InstanceProfile};
use super::secrets::{SecretStore, SecretStoreError, os_secret_store};
use super::session::{InstanceAuth, InstanceTokenProvider};
use crate::odata::client::{StaticTokenProvider, TokenProvider};
use crate::odata::service_root::{ServiceKind, ServiceRootError, normalize_service_root};

/// Why `--instance` could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The saved instances could not be read.
    #[error(transparent)]
    Instances(#[from] InstancesError),
    /// Neither a saved instance nor a usable URL.
    #[error(
        "'{input}' is neither a saved instance (see `flowbench instance list`) nor a service URL: {source}"
    )]
    Unknown {
        /// What was given.
        input: String,
        /// Why it is not a URL.
        source: ServiceRootError,
    },
    /// The keyring could not be opened.
    #[error(transparent)]
    Secrets(#[from] SecretStoreError),
    /// The sign-in machinery could not be set up.
    #[error(transparent)]
    Auth(#[from] super::error::AuthError),
}

/// A service root and the tokens to call it with.
pub struct ResolvedInstance {
    /// The service root (ends with `/`).
    pub service_root: Url,
    /// Bearer tokens for requests (none for URLs and `--auth none` instances).
    pub tokens: Arc<dyn TokenProvider>,
    /// The saved profile, when a name was given.
    pub profile: Option<InstanceProfile>,
    /// Sign-in of a saved instance that signs in (for interactive sign-in and its identity).
    pub auth: Option<Arc<InstanceAuth>>,
}

/// Resolves against the default config directory and the OS keyring.
pub fn resolve_instance(name_or_url: &str) -> Result<ResolvedInstance, ResolveError> {
    resolve_instance_with(&Instances::load_default()?, name_or_url, os_secret_store)
}

/// Resolves `name_or_url` against `instances`; the keyring (from `secrets`) is opened only
/// for an instance that signs in.
pub fn resolve_instance_with(
    instances: &Instances,
    name_or_url: &str,
    secrets: impl FnOnce() -> Result<Arc<dyn SecretStore>, SecretStoreError>,
) -> Result<ResolvedInstance, ResolveError> {
    if let Some(profile) = instances.get(name_or_url) {
        let (tokens, auth): (Arc<dyn TokenProvider>, _) = if profile.auth == AuthMethod::None {
            (Arc::new(StaticTokenProvider::new(None)), None)
        } else {
            let auth = Arc::new(InstanceAuth::new(profile.clone(), secrets()?)?);
            (
                Arc::new(InstanceTokenProvider::new(auth.clone())),
                Some(auth),
            )
        };
        return Ok(ResolvedInstance {
            service_root: profile.url.clone(),
            tokens,
            profile: Some(profile.clone()),
            auth,
        });
    }
    let host = Url::parse(name_or_url)
        .or_else(|_| Url::parse(&format!("https://{name_or_url}")))
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let kind = ServiceKind::guess_from_host(&host);
    let service_root = normalize_service_root(kind, name_or_url)
        .or_else(|_| normalize_service_root(ServiceKind::FinanceOperations, name_or_url))
        .map_err(|source| ResolveError::Unknown {
            input: name_or_url.to_owned(),
            source,
        })?;
    Ok(ResolvedInstance {
        service_root,
        tokens: Arc::new(StaticTokenProvider::new(None)),
        profile: None,
        auth: None,
    })
}
