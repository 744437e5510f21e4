//! The provider's endpoints, from `{authority}/.well-known/openid-configuration`.

use serde::Deserialize;
use url::Url;

use super::error::AuthError;
use super::http::error_chain;

/// The endpoints Flowbench uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProviderEndpoints {
    /// The issuer as the provider states it.
    pub issuer: String,
    /// Where the browser signs in.
    pub authorization_endpoint: Url,
    /// Where codes, refresh tokens and client credentials become tokens.
    pub token_endpoint: Url,
    /// Device authorization (RFC 8628), when supported.
    #[serde(default)]
    pub device_authorization_endpoint: Option<Url>,
    /// Token revocation (RFC 7009), when supported.
    #[serde(default)]
    pub revocation_endpoint: Option<Url>,
}

/// The discovery document URL of an authority.
pub fn discovery_url(authority: &Url) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        authority.as_str().trim_end_matches('/')
    )
}

/// Fetches and checks the OpenID configuration of `authority`.
pub async fn discover(
    client: &reqwest::Client,
    authority: &Url,
) -> Result<ProviderEndpoints, AuthError> {
    let url = discovery_url(authority);
    let failed = |reason: String| AuthError::Discovery {
        url: url.clone(),
        reason,
    };
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| failed(error_chain(&e)))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| failed(error_chain(&e)))?;
    if !status.is_success() {
        let text = String::from_utf8_lossy(&body);
        return Err(failed(format!(
            "HTTP {status}: {}",
            text.chars().take(400).collect::<String>()
        )));
    }
    let endpoints: ProviderEndpoints =
        serde_json::from_slice(&body).map_err(|e| failed(e.to_string()))?;
    for endpoint in [
        Some(&endpoints.authorization_endpoint),
        Some(&endpoints.token_endpoint),
        endpoints.device_authorization_endpoint.as_ref(),
        endpoints.revocation_endpoint.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        let loopback = endpoint
            .host()
            .is_some_and(|h| crate::odata::service_root::is_loopback_host(&h));
        if endpoint.scheme() != "https" && !(endpoint.scheme() == "http" && loopback) {
            return Err(failed(format!(
                "insecure endpoint {endpoint}: https is required"
            )));
        }
    }
    Ok(endpoints)
}
