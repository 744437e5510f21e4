//! Bearer tokens and the pluggable provider the OData client asks before each request
//! (`auth/` implements it for signed-in instances).

use std::fmt;

use futures_util::future::BoxFuture;

/// An access token. `Debug` and `Display` never print the value.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(String);

impl BearerToken {
    /// Wraps a raw access token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The raw token, for the `Authorization` header only.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken([redacted])")
    }
}

impl fmt::Display for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Why a token could not be obtained.
#[derive(Debug, thiserror::Error)]
#[error("sign-in failed: {0}")]
pub struct TokenError(pub String);

/// Supplies bearer tokens to the OData client; `None` means "send no `Authorization`".
pub trait TokenProvider: Send + Sync {
    /// The token to use for the next request.
    fn token(&self) -> BoxFuture<'_, Result<Option<BearerToken>, TokenError>>;

    /// Called once after a 401 so the next [`TokenProvider::token`] fetches a fresh token.
    fn invalidate(&self) {}
}

/// A fixed token (or none), e.g. read from an environment variable with `--token-env`.
#[derive(Debug, Clone, Default)]
pub struct StaticTokenProvider(Option<BearerToken>);

impl StaticTokenProvider {
    /// A provider that always returns `token`.
    pub fn new(token: Option<BearerToken>) -> Self {
        Self(token)
    }
}

impl TokenProvider for StaticTokenProvider {
    fn token(&self) -> BoxFuture<'_, Result<Option<BearerToken>, TokenError>> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_redacted_in_debug_and_display() {
        let token = BearerToken::new("eyJhbGciOi.secret.value");
        assert_eq!(format!("{token}"), "[redacted]");
        assert!(!format!("{token:?}").contains("secret"));
        assert_eq!(token.secret(), "eyJhbGciOi.secret.value");
    }
}
