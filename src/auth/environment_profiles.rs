//! Instance profiles for discovered environments: named from the environment, signing in like
//! the instance they were discovered from.

use super::environments::{DiscoveredEnvironment, EnvironmentsError};
use super::error::AuthError;
use super::instances::Instances;
use super::profile::{AuthMethod, InstanceProfile, ProfileError};
use super::secrets::{SecretKind, SecretStore};

/// An instance name from an environment's technical name: letters, digits, `-`, `_` and `.`
/// are kept, runs of anything else become one `-` (`My Sandbox` → `My-Sandbox`).
pub fn instance_name(id: &str) -> String {
    let mut name = String::with_capacity(id.len());
    for c in id.trim().chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            name.push(c);
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name.trim_matches('-');
    if name.is_empty() {
        "environment".to_owned()
    } else {
        name.to_owned()
    }
}

/// A new profile for `env` that signs in like `base` (same authority, tenant, client ID,
/// method and discovery URL), with the kind's default scopes for the environment's host,
/// named [`instance_name`]`(env.id)`.
pub fn profile_for(
    base: &InstanceProfile,
    env: &DiscoveredEnvironment,
) -> Result<InstanceProfile, ProfileError> {
    let profile = InstanceProfile::new(
        &instance_name(&env.id),
        env.kind,
        env.url.as_str(),
        base.authority.clone(),
        base.tenant.clone(),
        base.client_id.clone(),
        base.auth,
        Vec::new(),
    )?;
    Ok(InstanceProfile {
        discovery_url: base.discovery_url.clone(),
        ..profile
    })
}

/// Adds a profile ([`profile_for`]) for each environment not saved yet (no saved instance
/// with its service root or its name) to `instances`, and returns the added ones; the caller
/// saves `instances`. For a client-secret `base`, its client secret is copied in `secrets` to
/// each added instance; delegated ones need their own `flowbench signin`.
pub fn add_discovered(
    instances: &mut Instances,
    base: &InstanceProfile,
    environments: &[DiscoveredEnvironment],
    secrets: &dyn SecretStore,
) -> Result<Vec<InstanceProfile>, EnvironmentsError> {
    let client_secret = if base.auth == AuthMethod::ClientSecret {
        secrets
            .get(&base.name, SecretKind::ClientSecret)
            .map_err(AuthError::from)?
    } else {
        None
    };
    let mut added = Vec::new();
    for env in environments {
        let profile = profile_for(base, env)?;
        let saved = instances
            .list()
            .iter()
            .any(|p| p.url == profile.url || p.name == profile.name);
        if saved {
            continue;
        }
        if let Some(secret) = &client_secret {
            secrets
                .set(&profile.name, SecretKind::ClientSecret, secret)
                .map_err(AuthError::from)?;
        }
        instances.upsert(profile.clone());
        added.push(profile);
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_allowed_characters_only() {
        assert_eq!(instance_name("Production"), "Production");
        assert_eq!(instance_name("My Sandbox (EU)"), "My-Sandbox-EU");
        assert_eq!(instance_name("unq1a2b.c_d-e"), "unq1a2b.c_d-e");
        assert_eq!(instance_name("  "), "environment");
        assert_eq!(instance_name("Prüfung"), "Pr-fung");
    }
}
