//! Sign-in: instance profiles, OAuth 2.0 / OpenID Connect flows (browser + PKCE, device code,
//! client credentials), tokens in the OS keyring and the token provider of the OData client.

mod browser;
mod device;
mod discovery;
mod environment_payloads;
mod environment_profiles;
mod environments;
mod error;
mod flows;
mod http;
mod identity;
mod instances;
#[cfg(target_os = "linux")]
mod keyutils;
mod profile;
mod prompt;
mod resolve;
mod secret;
mod secrets;
mod session;

/// The client-side token types live with the OData client that asks for them.
pub use crate::odata::client::{BearerToken, StaticTokenProvider, TokenError, TokenProvider};
pub use browser::{BrowserOptions, sign_in_with_browser};
pub use device::{DeviceOptions, sign_in_with_device_code};
pub use discovery::{ProviderEndpoints, discover, discovery_url};
pub use environment_profiles::{add_discovered, instance_name, profile_for};
pub use environments::{
    DiscoveredEnvironment, DiscoverySource, EnvironmentsError, discover_environments,
};
pub use error::{AuthError, ProviderError};
pub use flows::{OAuthApp, now_unix};
pub use http::oauth_client;
pub use identity::Identity;
pub use instances::{CONFIG_DIR_ENV, Instances, InstancesError, config_dir};
#[cfg(target_os = "linux")]
pub use keyutils::KeyutilsSecretStore;
pub use profile::{AuthMethod, InstanceProfile, ProfileError, kind_name, parse_kind};
pub use prompt::{PromptSink, SignInPrompt};
pub use resolve::{ResolveError, ResolvedInstance, resolve_instance, resolve_instance_with};
pub use secret::Secret;
pub use secrets::{
    KEYRING_BACKEND_ENV, KEYRING_SERVICE, KeyringSecretStore, SecretKind, SecretStore,
    SecretStoreError, StoredTokens, forget_instance, os_secret_store,
};
pub use session::{InstanceAuth, InstanceTokenProvider, InteractiveOptions, REFRESH_MARGIN_SECS};
