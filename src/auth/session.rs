//! Signing in to one instance, keeping its tokens fresh, and signing out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::{Mutex, OnceCell};
use tokio_util::sync::CancellationToken;

use super::browser::{BrowserOptions, sign_in_with_browser};
use super::device::{DeviceOptions, sign_in_with_device_code};
use super::discovery::{ProviderEndpoints, discover};
use super::error::AuthError;
use super::flows::{OAuthApp, now_unix};
use super::http::oauth_client;
use super::identity::Identity;
use super::profile::{AuthMethod, InstanceProfile};
use super::prompt::PromptSink;
use super::secret::Secret;
use super::secrets::{SecretKind, SecretStore, StoredTokens};
use crate::odata::client::{BearerToken, TokenError, TokenProvider};

/// Tokens are renewed this long before they expire.
pub const REFRESH_MARGIN_SECS: i64 = 60;

/// Options of an interactive sign-in.
#[derive(Clone)]
pub struct InteractiveOptions {
    /// Where the browser URL or the device code is reported.
    pub prompt: PromptSink,
    /// Cancels the sign-in.
    pub cancel: CancellationToken,
    /// Start the system browser for the browser method.
    pub open_browser: bool,
    /// Use the device code flow whatever the profile's method.
    pub device_code: bool,
    /// Give up waiting for the browser after this long.
    pub timeout: Duration,
}

impl InteractiveOptions {
    /// Defaults: open the browser, profile's method, 5 minutes, reporting to `prompt`.
    pub fn new(prompt: PromptSink) -> Self {
        Self {
            prompt,
            cancel: CancellationToken::new(),
            open_browser: true,
            device_code: false,
            timeout: Duration::from_secs(300),
        }
    }
}

/// Sign-in for one instance profile, with its tokens in a [`SecretStore`].
pub struct InstanceAuth {
    profile: InstanceProfile,
    secrets: Arc<dyn SecretStore>,
    http: reqwest::Client,
    endpoints: OnceCell<ProviderEndpoints>,
}

impl InstanceAuth {
    /// Sign-in for `profile`, keeping secrets in `secrets`.
    pub fn new(profile: InstanceProfile, secrets: Arc<dyn SecretStore>) -> Result<Self, AuthError> {
        let http = oauth_client().map_err(|e| AuthError::Http(e.to_string()))?;
        Ok(Self {
            profile,
            secrets,
            http,
            endpoints: OnceCell::new(),
        })
    }

    /// The profile.
    pub fn profile(&self) -> &InstanceProfile {
        &self.profile
    }

    /// Where the tokens and secrets are kept, for users (e.g. "Secret Service").
    pub fn keyring_description(&self) -> String {
        self.secrets.describe()
    }

    /// The HTTP client for the identity provider and Microsoft's admin APIs (no redirects,
    /// bounded timeouts).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn config_error(&self, reason: impl Into<String>) -> AuthError {
        AuthError::Config {
            instance: self.profile.name.clone(),
            reason: reason.into(),
        }
    }

    /// The provider's endpoints (discovered once).
    pub async fn endpoints(&self) -> Result<&ProviderEndpoints, AuthError> {
        let authority = self
            .profile
            .authority_url()
            .map_err(|e| self.config_error(e.to_string()))?;
        self.endpoints
            .get_or_try_init(|| discover(&self.http, &authority))
            .await
    }

    async fn app(&self, with_secret: bool) -> Result<OAuthApp, AuthError> {
        let client_id = self
            .profile
            .client_id
            .clone()
            .ok_or_else(|| self.config_error("no client ID: add one with --client-id"))?;
        let client_secret = if with_secret {
            let secret = self
                .secrets
                .get(&self.profile.name, SecretKind::ClientSecret)?
                .ok_or_else(|| AuthError::NoClientSecret(self.profile.name.clone()))?;
            Some(secret)
        } else {
            None
        };
        Ok(OAuthApp {
            http: self.http.clone(),
            endpoints: self.endpoints().await?.clone(),
            client_id,
            client_secret,
            scopes: self.profile.effective_scopes(),
        })
    }

    /// Signs in with the profile's method (or the device code when asked), and stores the
    /// tokens in the keyring. Nothing happens for [`AuthMethod::None`].
    pub async fn sign_in(&self, options: &InteractiveOptions) -> Result<(), AuthError> {
        let method = if options.device_code {
            AuthMethod::DeviceCode
        } else {
            self.profile.auth
        };
        let tokens = match method {
            AuthMethod::None => return Ok(()),
            AuthMethod::ClientSecret => self.app(true).await?.client_credentials().await?,
            AuthMethod::Browser => {
                let browser = BrowserOptions {
                    open_browser: options.open_browser,
                    prompt: options.prompt.clone(),
                    timeout: options.timeout,
                    cancel: options.cancel.clone(),
                };
                sign_in_with_browser(&self.app(false).await?, &browser).await?
            }
            AuthMethod::DeviceCode => {
                let device = DeviceOptions {
                    prompt: options.prompt.clone(),
                    cancel: options.cancel.clone(),
                };
                sign_in_with_device_code(&self.app(false).await?, &device).await?
            }
        };
        tokens.save(self.secrets.as_ref(), &self.profile.name)?;
        Ok(())
    }

    /// A valid access token without user interaction: the stored one while it is fresh,
    /// else a refreshed one (refresh token, or client credentials for a client secret).
    /// `force` renews even a fresh token (after a 401).
    pub async fn silent_token(&self, force: bool) -> Result<Option<BearerToken>, AuthError> {
        if self.profile.auth == AuthMethod::None {
            return Ok(None);
        }
        let name = &self.profile.name;
        let stored = StoredTokens::load(self.secrets.as_ref(), name)?;
        if let Some(tokens) = &stored
            && !force
            && tokens.is_fresh(now_unix(), REFRESH_MARGIN_SECS)
        {
            return Ok(Some(BearerToken::new(tokens.access_token.expose())));
        }
        let renewed = match stored.and_then(|t| t.refresh_token) {
            Some(refresh) => match self.app(false).await?.refresh(&refresh).await {
                Ok(tokens) => tokens,
                Err(AuthError::Provider(error)) if error.error == "invalid_grant" => {
                    // The refresh token is dead (expired, revoked, reused): forget it.
                    self.secrets.delete(name, SecretKind::Tokens)?;
                    if self.profile.auth != AuthMethod::ClientSecret {
                        return Err(AuthError::Provider(error));
                    }
                    self.app(true).await?.client_credentials().await?
                }
                Err(other) => return Err(other),
            },
            None if self.profile.auth == AuthMethod::ClientSecret => {
                self.app(true).await?.client_credentials().await?
            }
            None => return Err(AuthError::NotSignedIn(name.clone())),
        };
        renewed.save(self.secrets.as_ref(), name)?;
        Ok(Some(BearerToken::new(renewed.access_token.expose())))
    }

    /// Signs in a client-secret instance with `secret`; only once the provider accepts it are
    /// the secret and the tokens kept in the keyring (a refused secret replaces nothing).
    pub async fn sign_in_with_client_secret(&self, secret: &Secret) -> Result<(), AuthError> {
        let mut app = self.app(false).await?;
        app.client_secret = Some(secret.clone());
        let tokens = app.client_credentials().await?;
        self.secrets
            .set(&self.profile.name, SecretKind::ClientSecret, secret)?;
        tokens.save(self.secrets.as_ref(), &self.profile.name)?;
        Ok(())
    }

    /// Who the stored tokens were issued to, when signed in (read from the keyring).
    pub fn identity(&self) -> Result<Option<Identity>, AuthError> {
        let stored = StoredTokens::load(self.secrets.as_ref(), &self.profile.name)?;
        Ok(stored.and_then(|t| Identity::from_access_token(t.access_token.expose())))
    }

    /// A token for other `scopes` than the instance's own (e.g. an environment discovery API),
    /// without user interaction: client credentials with `scopes` for a client secret, else
    /// the stored refresh token redeemed for `scopes` (plus `offline_access`). The instance's
    /// own access token and expiry stay in the keyring untouched; when the provider rotates
    /// the refresh token, the new one is saved. No refresh token: [`AuthError::NotSignedIn`].
    pub async fn token_for_scopes(&self, scopes: &[String]) -> Result<BearerToken, AuthError> {
        let name = &self.profile.name;
        match self.profile.auth {
            AuthMethod::None => Err(self.config_error(
                "it has no sign-in (--auth none); add it again with a sign-in method",
            )),
            AuthMethod::ClientSecret => {
                let mut app = self.app(true).await?;
                app.scopes = scopes.to_vec();
                let tokens = app.client_credentials().await?;
                Ok(BearerToken::new(tokens.access_token.expose()))
            }
            AuthMethod::Browser | AuthMethod::DeviceCode => {
                let refresh = StoredTokens::load(self.secrets.as_ref(), name)?
                    .and_then(|t| t.refresh_token)
                    .ok_or_else(|| AuthError::NotSignedIn(name.clone()))?;
                let mut app = self.app(false).await?;
                app.scopes = scopes.to_vec();
                if !app.scopes.iter().any(|s| s == "offline_access") {
                    app.scopes.push("offline_access".to_owned());
                }
                let tokens = match app.refresh(&refresh).await {
                    Ok(tokens) => tokens,
                    Err(AuthError::Provider(error)) if error.error == "invalid_grant" => {
                        // The refresh token is dead: the instance needs a new sign-in.
                        self.secrets.delete(name, SecretKind::Tokens)?;
                        return Err(AuthError::Provider(error));
                    }
                    Err(other) => return Err(other),
                };
                if tokens.refresh_token.as_ref() != Some(&refresh) {
                    // Re-read so a renewal that happened meanwhile keeps its access token.
                    if let Some(mut current) = StoredTokens::load(self.secrets.as_ref(), name)? {
                        current.refresh_token = tokens.refresh_token.clone();
                        current.save(self.secrets.as_ref(), name)?;
                    }
                }
                Ok(BearerToken::new(tokens.access_token.expose()))
            }
        }
    }

    /// Removes the instance's tokens from the keyring (the client secret stays).
    pub fn sign_out(&self) -> Result<(), AuthError> {
        self.secrets
            .delete(&self.profile.name, SecretKind::Tokens)?;
        Ok(())
    }
}

/// A [`TokenProvider`] for a saved instance: silent renewal before expiry, and once more
/// after a 401 ([`TokenProvider::invalidate`]).
pub struct InstanceTokenProvider {
    auth: Arc<InstanceAuth>,
    renewal: Mutex<()>,
    invalidated: AtomicBool,
}

impl InstanceTokenProvider {
    /// Tokens for `auth`'s instance.
    pub fn new(auth: Arc<InstanceAuth>) -> Self {
        Self {
            auth,
            renewal: Mutex::new(()),
            invalidated: AtomicBool::new(false),
        }
    }
}

impl TokenProvider for InstanceTokenProvider {
    fn token(&self) -> BoxFuture<'_, Result<Option<BearerToken>, TokenError>> {
        Box::pin(async move {
            // One renewal at a time; later callers then find the fresh token in the keyring.
            let _guard = self.renewal.lock().await;
            let force = self.invalidated.swap(false, Ordering::SeqCst);
            self.auth
                .silent_token(force)
                .await
                .map_err(|e| TokenError(e.to_string()))
        })
    }

    fn invalidate(&self) {
        self.invalidated.store(true, Ordering::SeqCst);
    }
}
