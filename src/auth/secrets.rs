//! Where tokens and client secrets live: the OS keyring, behind a small pluggable trait.

use std::sync::Arc;

use keyring_core::{CredentialPersistence, CredentialStore};
use serde::{Deserialize, Serialize};

use super::secret::Secret;

/// The keyring service name under which Flowbench keeps its secrets.
pub const KEYRING_SERVICE: &str = "flowbench";

/// Environment variable choosing the keyring backend on Linux: `secret-service` or `keyutils`
/// (default: the Secret Service when reachable, else keyutils).
pub const KEYRING_BACKEND_ENV: &str = "FLOWBENCH_KEYRING";

/// Which secret of an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// The token set (access + refresh token) as JSON.
    Tokens,
    /// The client secret of a service principal.
    ClientSecret,
    /// The value of a flow's secure parameter (`SecureString` / `SecureObject`), by the
    /// parameter's name.
    FlowParameter,
}

impl SecretKind {
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Self::Tokens => "tokens",
            Self::ClientSecret => "client-secret",
            Self::FlowParameter => "flow-parameter",
        }
    }
}

/// A keyring failure.
#[derive(Debug, thiserror::Error)]
#[error("keyring ({backend}): {message}")]
pub struct SecretStoreError {
    /// The backend's name.
    pub backend: String,
    /// What went wrong.
    pub message: String,
}

/// A store of secrets per instance.
pub trait SecretStore: Send + Sync {
    /// The secret, or `None` when none is stored.
    fn get(&self, instance: &str, kind: SecretKind) -> Result<Option<Secret>, SecretStoreError>;
    /// Stores (or replaces) the secret.
    fn set(&self, instance: &str, kind: SecretKind, value: &Secret)
    -> Result<(), SecretStoreError>;
    /// Removes the secret; removing a missing one is not an error.
    fn delete(&self, instance: &str, kind: SecretKind) -> Result<(), SecretStoreError>;
    /// A short description of the backend, and whether secrets outlive the session.
    fn describe(&self) -> String;
}

/// A [`SecretStore`] over a `keyring-core` credential store (OS keyring, keyutils or mock).
pub struct KeyringSecretStore {
    store: Arc<CredentialStore>,
    name: String,
}

impl KeyringSecretStore {
    /// Wraps a credential store; `name` describes it to users.
    pub fn new(store: Arc<CredentialStore>, name: impl Into<String>) -> Self {
        Self {
            store,
            name: name.into(),
        }
    }

    fn entry(
        &self,
        instance: &str,
        kind: SecretKind,
    ) -> Result<keyring_core::Entry, SecretStoreError> {
        self.store
            .build(
                KEYRING_SERVICE,
                &format!("{instance}/{}", kind.suffix()),
                None,
            )
            .map_err(|e| self.error(&e))
    }

    fn error(&self, error: &keyring_core::Error) -> SecretStoreError {
        SecretStoreError {
            backend: self.name.clone(),
            message: error.to_string(),
        }
    }
}

impl SecretStore for KeyringSecretStore {
    fn get(&self, instance: &str, kind: SecretKind) -> Result<Option<Secret>, SecretStoreError> {
        match self.entry(instance, kind)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.error(&e)),
        }
    }

    fn set(
        &self,
        instance: &str,
        kind: SecretKind,
        value: &Secret,
    ) -> Result<(), SecretStoreError> {
        self.entry(instance, kind)?
            .set_password(value.expose())
            .map_err(|e| self.error(&e))
    }

    fn delete(&self, instance: &str, kind: SecretKind) -> Result<(), SecretStoreError> {
        match self.entry(instance, kind)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(self.error(&e)),
        }
    }

    fn describe(&self) -> String {
        match self.store.persistence() {
            CredentialPersistence::UntilDelete => self.name.clone(),
            CredentialPersistence::UntilReboot => {
                format!(
                    "{} (secrets are kept until the machine restarts)",
                    self.name
                )
            }
            CredentialPersistence::UntilLogout => {
                format!("{} (secrets are kept until you log out)", self.name)
            }
            _ => format!(
                "{} (secrets are NOT kept after this process ends)",
                self.name
            ),
        }
    }
}

/// Deletes every secret of `instance` (its tokens and client secret), e.g. when it is removed.
pub fn forget_instance(store: &dyn SecretStore, instance: &str) -> Result<(), SecretStoreError> {
    store.delete(instance, SecretKind::Tokens)?;
    store.delete(instance, SecretKind::ClientSecret)
}

/// The OS keyring: the macOS Keychain, the Windows Credential Manager, or on Linux the Secret
/// Service (GNOME Keyring, KWallet) and, on a headless Linux without one, the kernel keyutils
/// session keyring (secrets last until the session ends).
pub fn os_secret_store() -> Result<Arc<dyn SecretStore>, SecretStoreError> {
    let failed = |backend: &str, e: keyring_core::Error| SecretStoreError {
        backend: backend.to_owned(),
        message: e.to_string(),
    };
    #[cfg(target_os = "linux")]
    {
        let choice = std::env::var(KEYRING_BACKEND_ENV).unwrap_or_default();
        if choice != "keyutils" {
            match zbus_secret_service_keyring_store::Store::new() {
                Ok(store) => {
                    return Ok(Arc::new(KeyringSecretStore::new(store, "Secret Service")));
                }
                Err(e) if choice == "secret-service" => return Err(failed("Secret Service", e)),
                Err(_) => {}
            }
        }
        let store = super::keyutils::KeyutilsSecretStore::open()?;
        Ok(Arc::new(store))
    }
    #[cfg(not(target_os = "linux"))]
    {
        match keyring::Entry::store_status() {
            Ok(()) => {}
            Err(e) => return Err(failed("OS keyring", clone_error(e))),
        }
        let store = keyring_core::get_default_store().ok_or_else(|| SecretStoreError {
            backend: "OS keyring".into(),
            message: "no credential store on this platform".into(),
        })?;
        Ok(Arc::new(KeyringSecretStore::new(store, "OS keyring")))
    }
}

#[cfg(not(target_os = "linux"))]
fn clone_error(error: &keyring_core::Error) -> keyring_core::Error {
    keyring_core::Error::NotSupportedByStore(error.to_string())
}

/// The token set kept in the keyring for a signed-in instance.
#[derive(Clone, Serialize, Deserialize)]
pub struct StoredTokens {
    /// The access token.
    pub access_token: Secret,
    /// The refresh token, when the provider issued one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// Expiry as Unix seconds, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

impl std::fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredTokens")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl StoredTokens {
    /// Reads the token set of `instance`.
    pub fn load(store: &dyn SecretStore, instance: &str) -> Result<Option<Self>, SecretStoreError> {
        let Some(json) = store.get(instance, SecretKind::Tokens)? else {
            return Ok(None);
        };
        // A damaged entry is treated as "not signed in" rather than a hard failure.
        Ok(serde_json::from_str(json.expose()).ok())
    }

    /// Writes the token set of `instance`.
    pub fn save(&self, store: &dyn SecretStore, instance: &str) -> Result<(), SecretStoreError> {
        let json = serde_json::to_string(self).map_err(|e| SecretStoreError {
            backend: store.describe(),
            message: e.to_string(),
        })?;
        store.set(instance, SecretKind::Tokens, &Secret::new(json))
    }

    /// Whether the access token is still valid `margin_secs` from now (unknown expiry: yes).
    pub fn is_fresh(&self, now: i64, margin_secs: i64) -> bool {
        self.expires_at.is_none_or(|at| at - margin_secs > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyring_core::api::CredentialStoreApi;

    fn mock() -> KeyringSecretStore {
        KeyringSecretStore::new(keyring_core::mock::Store::new().unwrap(), "mock")
    }

    #[test]
    fn secrets_round_trip_per_instance_and_kind() {
        let store = mock();
        assert!(store.get("a", SecretKind::Tokens).unwrap().is_none());
        store
            .set("a", SecretKind::ClientSecret, &Secret::new("s1"))
            .unwrap();
        store
            .set("b", SecretKind::ClientSecret, &Secret::new("s2"))
            .unwrap();
        assert_eq!(
            store
                .get("a", SecretKind::ClientSecret)
                .unwrap()
                .unwrap()
                .expose(),
            "s1"
        );
        assert!(store.get("a", SecretKind::Tokens).unwrap().is_none());
        store.delete("a", SecretKind::ClientSecret).unwrap();
        store.delete("a", SecretKind::ClientSecret).unwrap();
        assert!(store.get("a", SecretKind::ClientSecret).unwrap().is_none());
        assert_eq!(
            store
                .get("b", SecretKind::ClientSecret)
                .unwrap()
                .unwrap()
                .expose(),
            "s2"
        );
    }

    #[test]
    fn token_sets_round_trip_and_debug_redacts() {
        let store = mock();
        let tokens = StoredTokens {
            access_token: Secret::new("at-value"),
            refresh_token: Some(Secret::new("rt-value")),
            expires_at: Some(1_000),
        };
        tokens.save(&store, "x").unwrap();
        let back = StoredTokens::load(&store, "x").unwrap().unwrap();
        assert_eq!(back.refresh_token.unwrap().expose(), "rt-value");
        let debug = format!("{tokens:?}");
        assert!(!debug.contains("at-value") && !debug.contains("rt-value"));
        assert!(tokens.is_fresh(900, 60));
        assert!(!tokens.is_fresh(950, 60));
    }

    #[test]
    fn store_errors_surface() {
        let store = keyring_core::mock::Store::new().unwrap();
        let secrets = KeyringSecretStore::new(store.clone(), "mock");
        let entry = store.build(KEYRING_SERVICE, "x/tokens", None).unwrap();
        let cred: &keyring_core::mock::Cred = entry.as_any().downcast_ref().unwrap();
        cred.set_error(keyring_core::Error::NoStorageAccess(Box::new(
            std::io::Error::other("locked"),
        )));
        let err = secrets.get("x", SecretKind::Tokens).unwrap_err();
        assert!(err.to_string().contains("mock"), "{err}");
    }
}
