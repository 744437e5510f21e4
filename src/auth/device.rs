//! Device code sign-in (RFC 8628): show a code, poll the provider until it is approved.

use std::time::Duration;

use oauth2::DeviceAuthorizationUrl;
use oauth2::StandardDeviceAuthorizationResponse;
use tokio_util::sync::CancellationToken;

use super::error::AuthError;
use super::flows::{OAuthApp, stored_tokens, token_error};
use super::http::OAuthHttp;
use super::prompt::{PromptSink, SignInPrompt};
use super::secrets::StoredTokens;

/// How the device code sign-in behaves.
#[derive(Clone)]
pub struct DeviceOptions {
    /// Where the code and URL are reported.
    pub prompt: PromptSink,
    /// Cancels the polling.
    pub cancel: CancellationToken,
}

/// Runs the device code flow: polls at the provider's interval (5 s when it gives none)
/// until approval, denial, expiry or cancellation.
pub async fn sign_in_with_device_code(
    app: &OAuthApp,
    options: &DeviceOptions,
) -> Result<StoredTokens, AuthError> {
    let device_url = app
        .endpoints
        .device_authorization_endpoint
        .clone()
        .ok_or_else(|| AuthError::Discovery {
            url: app.endpoints.issuer.clone(),
            reason: "the provider does not support the device code flow".into(),
        })?;
    let client = app
        .token_client()
        .set_device_authorization_url(DeviceAuthorizationUrl::from_url(device_url));
    let http = OAuthHttp(app.http.clone());
    let details: StandardDeviceAuthorizationResponse = client
        .exchange_device_code()
        .add_scopes(app.scope_list())
        .request_async(&http)
        .await
        .map_err(token_error)?;
    (options.prompt)(SignInPrompt::DeviceCode {
        user_code: details.user_code().secret().clone(),
        verification_uri: details.verification_uri().to_string(),
        verification_uri_complete: details
            .verification_uri_complete()
            .map(|u| u.secret().clone()),
        expires_in: details.expires_in(),
    });
    let poll = client
        .exchange_device_access_token(&details)
        .set_max_backoff_interval(Duration::from_secs(30))
        .request_async(&http, tokio::time::sleep, Some(details.expires_in()));
    tokio::select! {
        result = poll => Ok(stored_tokens(&result.map_err(token_error)?, None)),
        () = options.cancel.cancelled() => Err(AuthError::Cancelled),
    }
}
