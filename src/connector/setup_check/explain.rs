//! Failures translated into what to fix where: the identity provider's errors (Entra ID's
//! `AADSTS` codes and the OAuth codes other providers send) and the service's refusals.

use crate::auth::{AuthError, InstanceProfile, ProviderError};

/// Where Entra ID's app registrations are.
pub(super) const APP_REGISTRATIONS: &str =
    "Entra ID portal (portal.azure.com): Microsoft Entra ID > App registrations";

/// Where F&O registers client IDs.
pub(super) const FNO_APPLICATIONS: &str =
    "F&O: System administration > Setup > Microsoft Entra ID applications";

/// Where F&O assigns security roles.
pub(super) const FNO_USERS: &str = "F&O: System administration > Users > Users";

/// The client ID for messages.
pub(super) fn client(profile: &InstanceProfile) -> &str {
    profile.client_id.as_deref().unwrap_or("(none)")
}

fn has_code(text: &str, code: &str) -> bool {
    text.match_indices(code)
        .any(|(at, _)| !text[at + code.len()..].starts_with(|c: char| c.is_ascii_digit()))
}

/// What to fix for a provider error from the token endpoint.
pub(super) fn provider_fix(profile: &InstanceProfile, error: &ProviderError) -> String {
    let text = error.description.as_deref().unwrap_or_default();
    let client = client(profile);
    let scopes = profile.effective_scopes().join(" ");
    if has_code(text, "AADSTS700016") {
        format!(
            "the client ID '{client}' is unknown to this tenant. In the {APP_REGISTRATIONS}, \
             open the app and copy its Application (client) ID from Overview; check that the \
             app is in the tenant of the authority"
        )
    } else if has_code(text, "AADSTS7000222") {
        format!(
            "the client secret has expired. In the {APP_REGISTRATIONS} > (the app) > \
             Certificates & secrets, create a new secret and save its Value with \
             `flowbench instance add {} ... --client-secret-env VAR`",
            profile.name
        )
    } else if has_code(text, "AADSTS7000215") {
        format!(
            "the client secret is wrong. In the {APP_REGISTRATIONS} > (the app) > Certificates \
             & secrets, use the secret's Value (not its Secret ID), saved with \
             `flowbench instance add {} ... --client-secret-env VAR`",
            profile.name
        )
    } else if has_code(text, "AADSTS500011")
        || has_code(text, "AADSTS70011")
        || matches!(
            error.error.as_str(),
            "invalid_target" | "invalid_resource" | "invalid_scope"
        )
    {
        format!(
            "the provider does not know the resource asked for (scope '{scopes}'). For F&O the \
             scope is the environment URL without a trailing slash plus /.default \
             (https://HOST/.default); set it with --scope"
        )
    } else if has_code(text, "AADSTS90002") || has_code(text, "AADSTS900023") {
        "the tenant was not found: check --tenant (directory ID or domain) or --authority"
            .to_owned()
    } else if has_code(text, "AADSTS65001") {
        format!(
            "consent is missing. In the {APP_REGISTRATIONS} > (the app) > API permissions, \
             grant admin consent"
        )
    } else if has_code(text, "AADSTS7000218") || error.error == "unauthorized_client" {
        format!(
            "the app may not use this sign-in method. In the {APP_REGISTRATIONS} > (the app) > \
             Authentication, allow public client flows for the device code, or add a client \
             secret for client credentials"
        )
    } else if error.error == "invalid_client" {
        format!(
            "the identity provider does not know the client ID '{client}' or refused its \
             secret. In the {APP_REGISTRATIONS}, check the Application (client) ID on the \
             app's Overview, and under Certificates & secrets create a secret and save its \
             Value with `flowbench instance add {} ... --client-secret-env VAR`",
            profile.name
        )
    } else if error.error == "invalid_grant" {
        format!(
            "the sign-in has expired or was revoked: run `flowbench signin {}`",
            profile.name
        )
    } else {
        "see the identity provider's message above".to_owned()
    }
}

/// What was found and what to fix when no token could be obtained.
pub(super) fn token_failure(profile: &InstanceProfile, error: &AuthError) -> (String, String) {
    let found = format!("no token: {}", first_line(&error.to_string()));
    let fix = match error {
        AuthError::Provider(provider) => provider_fix(profile, provider),
        AuthError::NoClientSecret(name) => format!(
            "save the client secret in the keyring: `flowbench instance add {name} ... \
             --client-secret-env VAR` (the secret's Value from {APP_REGISTRATIONS} > (the app) \
             > Certificates & secrets)"
        ),
        AuthError::NotSignedIn(name) => format!(
            "sign in once: `flowbench signin {name}` or Sign in in the window; the checklist \
             never opens a browser"
        ),
        AuthError::Discovery { .. } | AuthError::Http(_) => {
            "the identity provider could not be reached: check the authority (tenant)".to_owned()
        }
        other => first_line(&other.to_string()),
    };
    (found, fix)
}

/// The first line of `text` (hints on later lines are replaced by the checklist's own).
fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_owned()
}

/// What to fix when the service answered 401 to a token with the right audience.
pub(super) fn unauthorized_fix(profile: &InstanceProfile, app_only: bool) -> String {
    if app_only {
        format!(
            "register the client ID in F&O. In {FNO_APPLICATIONS}, add a row with client ID \
             '{}', a name, and the user ID the integration runs as (the service user)",
            client(profile)
        )
    } else {
        format!(
            "the signed-in user is not a user of this F&O environment (or is disabled). In \
             {FNO_USERS}, import or enable the user"
        )
    }
}

/// What to fix when the service answered 403 (the user has no roles for the data).
pub(super) fn forbidden_fix(profile: &InstanceProfile, entity: &str) -> String {
    format!(
        "the service user has no security role that can read {entity}. In {FNO_USERS}, open \
         the user named for client ID '{}' in Microsoft Entra ID applications and use Assign \
         roles to give it the roles the integration needs (not System administrator)",
        client(profile)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AuthMethod;
    use crate::odata::service_root::ServiceKind;

    fn profile() -> InstanceProfile {
        InstanceProfile::new(
            "prod",
            ServiceKind::FinanceOperations,
            "contoso.operations.dynamics.com",
            None,
            Some("contoso.onmicrosoft.com".into()),
            Some("11111111-2222-3333-4444-555555555555".into()),
            AuthMethod::ClientSecret,
            Vec::new(),
        )
        .unwrap()
    }

    fn entra(error: &str, description: &str) -> ProviderError {
        ProviderError {
            error: error.into(),
            description: Some(description.into()),
        }
    }

    #[test]
    fn entra_codes_say_what_to_fix_where() {
        let p = profile();
        let unknown = provider_fix(
            &p,
            &entra(
                "unauthorized_client",
                "AADSTS700016: Application with identifier",
            ),
        );
        assert!(unknown.contains("unknown to this tenant"), "{unknown}");
        assert!(unknown.contains("App registrations"), "{unknown}");
        let secret = provider_fix(
            &p,
            &entra("invalid_client", "AADSTS7000215: Invalid secret"),
        );
        assert!(secret.contains("Value (not its Secret ID)"), "{secret}");
        let resource = provider_fix(&p, &entra("invalid_resource", "AADSTS500011: not found"));
        assert!(
            resource.contains("https://contoso.operations.dynamics.com/.default"),
            "{resource}"
        );
        let target = provider_fix(&p, &entra("invalid_target", "unknown resource"));
        assert!(target.contains("--scope"), "{target}");
        let generic = provider_fix(&p, &entra("invalid_client", "client authentication failed"));
        assert!(generic.contains("does not know the client ID"), "{generic}");
    }

    #[test]
    fn refusals_name_the_fno_pages() {
        let p = profile();
        assert!(unauthorized_fix(&p, true).contains("Microsoft Entra ID applications"));
        assert!(unauthorized_fix(&p, false).contains("Users"));
        assert!(forbidden_fix(&p, "LegalEntities").contains("Assign roles"));
    }
}
