//! Token requests shared by every method: the `oauth2` client, client credentials, refresh.

use std::fmt::Display;

use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{
    ClientId, ClientSecret, EndpointNotSet, EndpointSet, RefreshToken, RequestTokenError, Scope,
    StandardErrorResponse, TokenResponse, TokenUrl,
};

use super::discovery::ProviderEndpoints;
use super::error::{AuthError, ProviderError};
use super::http::{HttpError, OAuthHttp};
use super::secret::Secret;
use super::secrets::StoredTokens;

/// An `oauth2` client whose token endpoint is set.
pub(crate) type TokenClient =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// Everything a token request needs: the provider, the app and the scopes.
#[derive(Debug, Clone)]
pub struct OAuthApp {
    /// The reqwest client (no redirects).
    pub http: reqwest::Client,
    /// The provider's endpoints.
    pub endpoints: ProviderEndpoints,
    /// Application (client) ID.
    pub client_id: String,
    /// Client secret, for confidential clients.
    pub client_secret: Option<Secret>,
    /// Scopes to request.
    pub scopes: Vec<String>,
}

impl OAuthApp {
    /// The `oauth2` client for this app (with its secret, if any).
    pub(crate) fn token_client(&self) -> TokenClient {
        let client = BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_token_uri(TokenUrl::from_url(self.endpoints.token_endpoint.clone()));
        match &self.client_secret {
            Some(secret) => client.set_client_secret(ClientSecret::new(secret.expose().to_owned())),
            None => client,
        }
    }

    /// The scopes as `oauth2` values.
    pub(crate) fn scope_list(&self) -> Vec<Scope> {
        self.scopes.iter().cloned().map(Scope::new).collect()
    }

    /// Client credentials grant (service principal with a client secret).
    pub async fn client_credentials(&self) -> Result<StoredTokens, AuthError> {
        let http = OAuthHttp(self.http.clone());
        let response = self
            .token_client()
            .exchange_client_credentials()
            .add_scopes(self.scope_list())
            .request_async(&http)
            .await
            .map_err(token_error)?;
        Ok(stored_tokens(&response, None))
    }

    /// Refresh token grant; when the provider rotates the refresh token the new one is kept,
    /// otherwise the old one stays. The scopes are sent (Entra ID wants them); a provider that
    /// refuses them with `invalid_scope` is asked again without, for the original grant.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<StoredTokens, AuthError> {
        match self.refresh_with_scopes(refresh_token, true).await {
            Err(AuthError::Provider(e)) if e.error == "invalid_scope" => {
                self.refresh_with_scopes(refresh_token, false).await
            }
            other => other,
        }
    }

    async fn refresh_with_scopes(
        &self,
        refresh_token: &Secret,
        with_scopes: bool,
    ) -> Result<StoredTokens, AuthError> {
        let http = OAuthHttp(self.http.clone());
        let token = RefreshToken::new(refresh_token.expose().to_owned());
        let client = self.token_client();
        let mut request = client.exchange_refresh_token(&token);
        if with_scopes {
            request = request.add_scopes(self.scope_list());
        }
        let response = request.request_async(&http).await.map_err(token_error)?;
        Ok(stored_tokens(&response, Some(refresh_token)))
    }
}

/// The current time as Unix seconds.
pub fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Converts a token response into what the keyring keeps.
pub(crate) fn stored_tokens(
    response: &BasicTokenResponse,
    previous_refresh: Option<&Secret>,
) -> StoredTokens {
    StoredTokens {
        access_token: Secret::new(response.access_token().secret().clone()),
        refresh_token: response
            .refresh_token()
            .map(|t| Secret::new(t.secret().clone()))
            .or_else(|| previous_refresh.cloned()),
        expires_at: response
            .expires_in()
            .map(|d| now_unix().saturating_add(i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2))),
    }
}

/// Maps an `oauth2` failure, keeping the provider's `error` and `error_description` verbatim.
pub(crate) fn token_error<T: oauth2::ErrorResponseType + Display>(
    error: RequestTokenError<HttpError, StandardErrorResponse<T>>,
) -> AuthError {
    match error {
        RequestTokenError::ServerResponse(response) => AuthError::Provider(ProviderError {
            error: response.error().to_string(),
            description: response.error_description().cloned(),
        }),
        RequestTokenError::Request(e) => AuthError::Http(e.to_string()),
        RequestTokenError::Parse(e, body) => AuthError::Http(format!(
            "unreadable token response ({e}): {}",
            String::from_utf8_lossy(&body)
                .chars()
                .take(400)
                .collect::<String>()
        )),
        RequestTokenError::Other(text) => AuthError::Http(text),
    }
}
