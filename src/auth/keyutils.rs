//! The Linux kernel keyutils store: secrets as `user` keys in the session keyring, for headless
//! machines without a Secret Service. They last as long as the session keyring (until logout
//! or reboot) and are shared by the processes of that session.

use linux_keyutils::{KeyError, KeyRing, KeyRingIdentifier};

use super::secret::Secret;
use super::secrets::{KEYRING_SERVICE, SecretKind, SecretStore, SecretStoreError};

/// A [`SecretStore`] over the session keyring (keys are not linked to the persistent keyring,
/// which containers often forbid).
#[derive(Debug, Default)]
pub struct KeyutilsSecretStore;

const BACKEND: &str = "kernel keyutils session keyring";

fn failed(error: KeyError) -> SecretStoreError {
    SecretStoreError {
        backend: BACKEND.to_owned(),
        message: error.to_string(),
    }
}

fn description(instance: &str, kind: SecretKind) -> String {
    format!("{KEYRING_SERVICE}:{instance}/{}", kind.suffix())
}

fn session() -> Result<KeyRing, SecretStoreError> {
    KeyRing::from_special_id(KeyRingIdentifier::Session, false).map_err(failed)
}

impl KeyutilsSecretStore {
    /// Opens the session keyring, failing when the process may not use it.
    pub fn open() -> Result<Self, SecretStoreError> {
        session()?;
        Ok(Self)
    }
}

impl SecretStore for KeyutilsSecretStore {
    fn get(&self, instance: &str, kind: SecretKind) -> Result<Option<Secret>, SecretStoreError> {
        let key = match session()?.search(&description(instance, kind)) {
            Ok(key) => key,
            Err(KeyError::KeyDoesNotExist | KeyError::KeyExpired | KeyError::KeyRevoked) => {
                return Ok(None);
            }
            Err(e) => return Err(failed(e)),
        };
        let bytes = key.read_to_vec().map_err(failed)?;
        String::from_utf8(bytes)
            .map(|text| Some(Secret::new(text)))
            .map_err(|_| SecretStoreError {
                backend: BACKEND.to_owned(),
                message: "a stored secret is not UTF-8".to_owned(),
            })
    }

    fn set(
        &self,
        instance: &str,
        kind: SecretKind,
        value: &Secret,
    ) -> Result<(), SecretStoreError> {
        session()?
            .add_key(&description(instance, kind), value.expose().as_bytes())
            .map(|_| ())
            .map_err(failed)
    }

    fn delete(&self, instance: &str, kind: SecretKind) -> Result<(), SecretStoreError> {
        match session()?.search(&description(instance, kind)) {
            Ok(key) => key.invalidate().map_err(failed),
            Err(KeyError::KeyDoesNotExist | KeyError::KeyExpired | KeyError::KeyRevoked) => Ok(()),
            Err(e) => Err(failed(e)),
        }
    }

    fn describe(&self) -> String {
        format!("{BACKEND} (no Secret Service found: secrets are kept until the session ends)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real headless backend: one round trip in this process's session keyring.
    #[test]
    fn keyutils_round_trip_in_the_session_keyring() {
        let store = KeyutilsSecretStore::open().expect("session keyring");
        let instance = format!("test-{}", uuid::Uuid::new_v4());
        assert!(store.get(&instance, SecretKind::Tokens).unwrap().is_none());
        store
            .set(&instance, SecretKind::Tokens, &Secret::new("first"))
            .unwrap();
        store
            .set(&instance, SecretKind::Tokens, &Secret::new("second"))
            .unwrap();
        let value = store.get(&instance, SecretKind::Tokens).unwrap().unwrap();
        assert_eq!(value.expose(), "second", "set replaces");
        assert!(
            store
                .get(&instance, SecretKind::ClientSecret)
                .unwrap()
                .is_none()
        );
        store.delete(&instance, SecretKind::Tokens).unwrap();
        assert!(store.get(&instance, SecretKind::Tokens).unwrap().is_none());
        store.delete(&instance, SecretKind::Tokens).unwrap();
    }
}
