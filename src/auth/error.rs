//! Sign-in errors, with the identity provider's own `error` and `error_description` kept verbatim.

use std::fmt;

/// An OAuth 2.0 error response from the identity provider (RFC 6749 §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    /// The `error` code, e.g. `invalid_client`.
    pub error: String,
    /// The `error_description`, verbatim (Entra puts its `AADSTS…` code here).
    pub description: Option<String>,
}

impl ProviderError {
    /// A hint for the common Entra ID failures (found by their `AADSTS` code), if any.
    pub fn hint(&self) -> Option<&'static str> {
        let text = self.description.as_deref().unwrap_or_default();
        let has = |code: &str| {
            text.match_indices(code)
                .any(|(at, _)| !text[at + code.len()..].starts_with(|c: char| c.is_ascii_digit()))
        };
        if has("AADSTS90002") || has("AADSTS900023") {
            Some("the tenant was not found: check --tenant (directory ID or domain) or --authority")
        } else if has("AADSTS65001") {
            Some(
                "consent is required: an administrator must grant consent to the app's API permissions \
                 (or sign in interactively once to consent)",
            )
        } else if has("AADSTS50011") {
            Some(
                "redirect URI mismatch: add http://localhost and http://127.0.0.1 under \
                 'Mobile and desktop applications' in the app registration",
            )
        } else if has("AADSTS7000222") {
            Some(
                "the client secret has expired: create a new one (Certificates & secrets) and run \
                 `flowbench instance add` again with --client-secret-env",
            )
        } else if has("AADSTS7000215") {
            Some("invalid client secret: use the secret's Value, not its Secret ID")
        } else if has("AADSTS700016") {
            Some("the client ID is not registered in this tenant: check --client-id and --tenant")
        } else if self.error == "invalid_grant" {
            Some("the sign-in has expired or was revoked: run `flowbench signin NAME` again")
        } else {
            None
        }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error)?;
        if let Some(description) = &self.description {
            write!(f, ": {description}")?;
        }
        if let Some(hint) = self.hint() {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

/// Why signing in (or getting a token silently) failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The identity provider answered with an OAuth error.
    #[error("the identity provider refused the sign-in: {0}")]
    Provider(ProviderError),
    /// The provider could not be reached or answered something unreadable.
    #[error("cannot talk to the identity provider: {0}")]
    Http(String),
    /// The OpenID configuration could not be read.
    #[error("cannot read the OpenID configuration at {url}: {reason}")]
    Discovery {
        /// The `.well-known/openid-configuration` URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The instance profile lacks something the auth method needs.
    #[error("instance '{instance}': {reason}")]
    Config {
        /// Instance name.
        instance: String,
        /// What is missing or wrong.
        reason: String,
    },
    /// A client-secret instance has no secret in the keyring.
    #[error(
        "instance '{0}': no client secret in the keyring: run `flowbench instance add {0} ... --client-secret-env VAR`"
    )]
    NoClientSecret(String),
    /// No usable tokens: an interactive sign-in is needed.
    #[error("instance '{0}' is not signed in: run `flowbench signin {0}`")]
    NotSignedIn(String),
    /// The browser came back without a usable authorization response.
    #[error("the browser sign-in failed: {0}")]
    Callback(String),
    /// The user cancelled the sign-in.
    #[error("the sign-in was cancelled")]
    Cancelled,
    /// The sign-in took too long.
    #[error("the sign-in timed out: {0}")]
    TimedOut(String),
    /// The keyring failed.
    #[error(transparent)]
    Secrets(#[from] super::secrets::SecretStoreError),
}

impl AuthError {
    /// Whether only an interactive sign-in can help: no tokens, or the refresh token is dead.
    pub fn needs_interactive_sign_in(&self) -> bool {
        match self {
            Self::NotSignedIn(_) => true,
            Self::Provider(error) => error.error == "invalid_grant",
            _ => false,
        }
    }

    /// Whether a (new) client secret is what is missing: none stored, or the provider refused
    /// the client (wrong or expired secret).
    pub fn needs_client_secret(&self) -> bool {
        match self {
            Self::NoClientSecret(_) => true,
            Self::Provider(error) => error.error == "invalid_client",
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entra(description: &str) -> ProviderError {
        ProviderError {
            error: "invalid_client".into(),
            description: Some(description.into()),
        }
    }

    #[test]
    fn entra_codes_get_hints_and_keep_the_text() {
        let expired =
            entra("AADSTS7000222: The provided client secret keys for app 'x' are expired.");
        let text = expired.to_string();
        assert!(text.starts_with("invalid_client: AADSTS7000222: The provided client secret"));
        assert!(text.contains("hint: the client secret has expired"));
        assert!(
            entra("AADSTS7000215: Invalid client secret provided.")
                .hint()
                .unwrap()
                .contains("Value")
        );
        assert!(
            entra("AADSTS90002: Tenant 'x' not found.")
                .hint()
                .unwrap()
                .contains("tenant")
        );
        assert!(
            entra("AADSTS65001: The user or administrator has not consented")
                .hint()
                .unwrap()
                .contains("consent")
        );
        assert!(
            entra("AADSTS50011: The redirect URI")
                .hint()
                .unwrap()
                .contains("redirect")
        );
    }

    #[test]
    fn only_missing_or_dead_sign_ins_need_the_user() {
        assert!(AuthError::NotSignedIn("x".into()).needs_interactive_sign_in());
        let dead = ProviderError {
            error: "invalid_grant".into(),
            description: Some("refresh token expired".into()),
        };
        assert!(AuthError::Provider(dead).needs_interactive_sign_in());
        assert!(
            !AuthError::Provider(entra("AADSTS7000215: bad secret")).needs_interactive_sign_in()
        );
        assert!(!AuthError::Http("connection refused".into()).needs_interactive_sign_in());
        assert!(!AuthError::Cancelled.needs_interactive_sign_in());
        assert!(AuthError::NoClientSecret("x".into()).needs_client_secret());
        assert!(AuthError::Provider(entra("AADSTS7000222: expired")).needs_client_secret());
        assert!(!AuthError::NotSignedIn("x".into()).needs_client_secret());
    }

    #[test]
    fn codes_match_whole_numbers_only() {
        assert_eq!(entra("AADSTS900021: something else").hint(), None);
        let plain = ProviderError {
            error: "access_denied".into(),
            description: None,
        };
        assert_eq!(plain.to_string(), "access_denied");
    }
}
