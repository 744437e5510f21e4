//! One session type that opens an instance — a saved instance (signing in silently through
//! its token provider), a service URL, or the embedded demo instance — with its client and
//! its `$metadata` (through the on-disk cache for saved instances). The window, the command
//! line and the flow runner open instances only through it.

use std::sync::Arc;

use crate::auth::{
    InstanceAuth, Instances, ResolveError, SecretStore, os_secret_store, resolve_instance_with,
};
use crate::demo::{DemoConfig, DemoThread};
use crate::odata::client::{
    BearerToken, ClientConfig, ODataClient, ODataError, StaticTokenProvider, Trace,
};
use crate::odata::metadata::Model;
use crate::odata::metadata::cache::MetadataCache;
use crate::odata::service_root::{ServiceKind, ServiceRootError, normalize_service_root};

/// Display name of the embedded demo instance.
pub const DEMO_INSTANCE_NAME: &str = "Demo instance (local)";

/// Why an instance could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The instance name or URL is not usable.
    #[error("'{input}' is not a saved instance or a service URL: {source}")]
    BadUrl {
        /// What was given.
        input: String,
        /// Why it is not a service root.
        source: ServiceRootError,
    },
    /// No saved instance has this name (any more).
    #[error("the instance '{0}' is not saved (see `flowbench instance list`)")]
    NotSaved(String),
    /// The saved instance could not be resolved (instances file, keyring, sign-in set-up).
    #[error("instance '{name}': {source}")]
    Resolve {
        /// The instance's name.
        name: String,
        /// What failed.
        source: ResolveError,
    },
    /// The embedded demo instance did not start.
    #[error("the demo instance did not start: {0}")]
    Demo(String),
    /// The client could not be built for the service root.
    #[error(transparent)]
    Client(#[from] ODataError),
}

/// An open instance: its name, service root, client and (for a saved instance that signs
/// in) its sign-in; the demo server when the session started it.
pub struct Session {
    /// The instance's name (saved name, the URL, or [`DEMO_INSTANCE_NAME`]).
    pub name: String,
    /// Service root URL, ending with `/`.
    pub service_root: String,
    /// The OData client.
    pub client: ODataClient,
    /// Sign-in of a saved instance that signs in (interactive sign-in, identity, sign-out).
    pub auth: Option<Arc<InstanceAuth>>,
    /// `$metadata` goes through the on-disk cache (saved instances only: ad-hoc URLs, such
    /// as a demo instance on a random port, would leave a file per port behind).
    cached: bool,
    /// Keeps the in-process demo server running while the session lives.
    pub demo: Option<DemoThread>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("name", &self.name)
            .field("service_root", &self.service_root)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Opens what a user typed: a saved instance's name (unless a `token` is given), else a
    /// service root URL or a bare F&O host (`https://{host}/data/`), with `token` as the
    /// bearer token when given. Blocking (reads the instances file and the keyring).
    pub fn open(instance: &str, token: Option<BearerToken>) -> Result<Self, SessionError> {
        if token.is_none()
            && let Some(session) = Self::saved_if_any(instance, None)?
        {
            return Ok(session);
        }
        let root = service_root_of(instance)?;
        let client = ODataClient::new(&root, Arc::new(StaticTokenProvider::new(token)))?;
        Ok(Self {
            name: instance.to_owned(),
            service_root: root,
            client,
            auth: None,
            cached: false,
            demo: None,
        })
    }

    /// Opens the saved instance `name`; `secrets` replaces the OS keyring (tests use a mock
    /// store). Blocking. Tokens come silently (stored, refreshed, client secret) when a
    /// request needs one; see [`Session::auth`] to sign in interactively first.
    pub fn saved(name: &str, secrets: Option<Arc<dyn SecretStore>>) -> Result<Self, SessionError> {
        Self::saved_if_any(name, secrets)?.ok_or_else(|| SessionError::NotSaved(name.to_owned()))
    }

    fn saved_if_any(
        name: &str,
        secrets: Option<Arc<dyn SecretStore>>,
    ) -> Result<Option<Self>, SessionError> {
        let resolve_error = |source| SessionError::Resolve {
            name: name.to_owned(),
            source,
        };
        let instances = match Instances::load_default() {
            Ok(instances) => instances,
            // A broken instances file does not block plain URLs.
            Err(_) if service_root_of(name).is_ok() => return Ok(None),
            Err(e) => return Err(resolve_error(e.into())),
        };
        if instances.get(name).is_none() {
            return Ok(None);
        }
        let resolved = match secrets {
            Some(store) => resolve_instance_with(&instances, name, move || Ok(store)),
            None => resolve_instance_with(&instances, name, os_secret_store),
        }
        .map_err(resolve_error)?;
        // The profile's kind decides the dialect (e.g. URLs inside `$batch`).
        let config = ClientConfig {
            service_kind: resolved
                .profile
                .as_ref()
                .map(|p| p.kind)
                .unwrap_or_default(),
            ..ClientConfig::default()
        };
        let service_root = resolved.service_root.to_string();
        let client =
            ODataClient::with_config(&service_root, resolved.tokens, config, Trace::default())?;
        Ok(Some(Self {
            name: name.to_owned(),
            service_root,
            client,
            auth: resolved.auth,
            cached: true,
            demo: None,
        }))
    }

    /// Starts the embedded demo instance with `config` and opens it. Blocking (seeds the
    /// database on first use).
    pub fn start_demo(config: DemoConfig) -> Result<Self, SessionError> {
        let demo = DemoThread::start(config).map_err(|e| SessionError::Demo(e.to_string()))?;
        let service_root = demo.service_root().to_owned();
        let client = ODataClient::new(&service_root, Arc::new(StaticTokenProvider::default()))?;
        Ok(Self {
            name: DEMO_INSTANCE_NAME.to_owned(),
            service_root,
            client,
            auth: None,
            cached: false,
            demo: Some(demo),
        })
    }

    /// The service's `$metadata`: revalidated against the on-disk cache (a 304 or an
    /// unchanged document skips the parse) for saved instances, downloaded otherwise.
    pub async fn metadata(&self) -> Result<Model, ODataError> {
        load_metadata(&self.client, self.cached).await
    }

    /// Whether `$metadata` goes through the on-disk cache.
    pub fn uses_metadata_cache(&self) -> bool {
        self.cached
    }
}

/// Loads `$metadata`: through the user's on-disk cache (conditional GET, the cache updated
/// when the document changed) when `cached` and a cache directory exists, else fresh.
pub async fn load_metadata(client: &ODataClient, cached: bool) -> Result<Model, ODataError> {
    match MetadataCache::in_user_cache_dir().filter(|_| cached) {
        Some(cache) => client.metadata_cached(&cache).await,
        None => client.metadata().await,
    }
}

/// The service root for what a user typed: URLs are kept, bare F&O hosts become
/// `https://{host}/data/` (the service-root rules of [`normalize_service_root`]).
pub fn service_root_of(instance: &str) -> Result<String, SessionError> {
    normalize_service_root(ServiceKind::FinanceOperations, instance)
        .map(String::from)
        .map_err(|source| SessionError::BadUrl {
            input: instance.to_owned(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_forms() {
        let root = |i: &str| service_root_of(i).unwrap();
        assert_eq!(
            root("contoso.operations.dynamics.com"),
            "https://contoso.operations.dynamics.com/data/"
        );
        assert_eq!(
            root("contoso.sandbox.operations.dynamics.com/"),
            "https://contoso.sandbox.operations.dynamics.com/data/"
        );
        assert_eq!(root("http://127.0.0.1:9/data/"), "http://127.0.0.1:9/data/");
        assert_eq!(
            root("host.example/odata/v4"),
            "https://host.example/odata/v4/"
        );
        assert!(service_root_of("http://contoso.operations.dynamics.com").is_err());
    }
}
