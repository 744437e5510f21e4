//! Sign-in against a real OpenID provider (oidc-provider): client credentials, browser +
//! PKCE, device code, refresh with rotation, 401 renewal, revoked and expired tokens.

mod oidc_peer;

use std::sync::Arc;
use std::time::Duration;

use flowbench::auth::{
    AuthError, AuthMethod, InstanceAuth, InstanceProfile, InstanceTokenProvider,
    InteractiveOptions, KeyringSecretStore, OAuthApp, Secret, SecretKind, SecretStore,
    SignInPrompt, StoredTokens, TokenProvider, oauth_client,
};
use flowbench::odata::service_root::ServiceKind;
use oidc_peer::{
    AUDIENCE, NATIVE_CLIENT, OidcPeer, SERVICE_CLIENT, TestBrowser, form_body, jwt_claims,
};
use tokio::sync::mpsc;
use url::Url;

fn mock_store() -> Arc<dyn SecretStore> {
    Arc::new(KeyringSecretStore::new(
        keyring_core::mock::Store::new().expect("mock store"),
        "mock",
    ))
}

fn profile(peer: &OidcPeer, client_id: &str, auth: AuthMethod) -> InstanceProfile {
    InstanceProfile::new(
        "test",
        ServiceKind::GenericOData,
        "http://127.0.0.1:9/data/",
        Some(peer.issuer.clone()),
        None,
        Some(client_id.to_owned()),
        auth,
        vec!["api".to_owned()],
    )
    .expect("valid profile")
}

/// Options whose prompts go to a channel; the browser is never opened.
fn options() -> (InteractiveOptions, mpsc::UnboundedReceiver<SignInPrompt>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut options = InteractiveOptions::new(Arc::new(move |prompt| {
        let _ = tx.send(prompt);
    }));
    options.open_browser = false;
    options.timeout = Duration::from_secs(60);
    (options, rx)
}

fn stored(store: &Arc<dyn SecretStore>) -> StoredTokens {
    StoredTokens::load(store.as_ref(), "test")
        .expect("keyring readable")
        .expect("tokens stored")
}

/// Signs in with the browser flow, playing the browser; returns the auth and its store.
async fn browser_sign_in(peer: &OidcPeer) -> (Arc<InstanceAuth>, Arc<dyn SecretStore>) {
    let store = mock_store();
    let auth = Arc::new(
        InstanceAuth::new(
            profile(peer, NATIVE_CLIENT, AuthMethod::Browser),
            store.clone(),
        )
        .expect("auth"),
    );
    let (options, mut prompts) = options();
    let signing_in = {
        let auth = auth.clone();
        tokio::spawn(async move { auth.sign_in(&options).await })
    };
    let Some(SignInPrompt::OpenBrowser { url, opened }) = prompts.recv().await else {
        panic!("expected a browser prompt");
    };
    assert!(!opened);
    let browser = TestBrowser::new();
    let (page, _) = browser.sign_in_through(&url, "alice").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Flowbench is signed in"),
        "{}",
        page.body
    );
    tokio::time::timeout(Duration::from_secs(30), signing_in)
        .await
        .expect("sign-in finishes")
        .expect("task")
        .expect("signed in");
    (auth, store)
}

#[tokio::test]
async fn client_credentials_get_a_jwt_for_the_audience() {
    let peer = OidcPeer::start();
    let store = mock_store();
    store
        .set(
            "test",
            SecretKind::ClientSecret,
            &Secret::new(&peer.service_secret),
        )
        .expect("store secret");
    let auth = InstanceAuth::new(
        profile(&peer, SERVICE_CLIENT, AuthMethod::ClientSecret),
        store.clone(),
    )
    .expect("auth");
    let (options, _prompts) = options();
    auth.sign_in(&options)
        .await
        .expect("client credentials sign-in");

    let tokens = stored(&store);
    assert!(tokens.refresh_token.is_none());
    let claims = jwt_claims(tokens.access_token.expose());
    assert_eq!(claims["aud"], AUDIENCE);
    assert_eq!(claims["iss"], peer.issuer.as_str());
    assert_eq!(claims["client_id"], SERVICE_CLIENT);

    // The token provider hands out the stored token while it is fresh.
    let provider = InstanceTokenProvider::new(Arc::new(auth));
    let token = provider.token().await.expect("token").expect("some token");
    assert_eq!(token.secret(), tokens.access_token.expose());
}

#[tokio::test]
async fn wrong_client_secret_shows_the_provider_error_verbatim() {
    let peer = OidcPeer::start();
    let store = mock_store();
    store
        .set(
            "test",
            SecretKind::ClientSecret,
            &Secret::new("not-the-secret"),
        )
        .expect("store secret");
    let auth = InstanceAuth::new(
        profile(&peer, SERVICE_CLIENT, AuthMethod::ClientSecret),
        store.clone(),
    )
    .expect("auth");
    let (options, _prompts) = options();
    let error = auth
        .sign_in(&options)
        .await
        .expect_err("wrong secret refused");
    let AuthError::Provider(provider) = &error else {
        panic!("expected the provider's error, got {error}");
    };
    assert_eq!(provider.error, "invalid_client");
    let description = provider.description.clone().expect("a description");
    assert!(
        error
            .to_string()
            .contains(&format!("invalid_client: {description}")),
        "{error}"
    );
    assert!(
        StoredTokens::load(store.as_ref(), "test")
            .expect("keyring")
            .is_none()
    );
}

#[tokio::test]
async fn browser_sign_in_with_pkce_end_to_end() {
    let peer = OidcPeer::start();
    let (_auth, store) = browser_sign_in(&peer).await;
    let tokens = stored(&store);
    assert!(
        tokens.refresh_token.is_some(),
        "offline access gives a refresh token"
    );
    let claims = jwt_claims(tokens.access_token.expose());
    assert_eq!(claims["aud"], AUDIENCE);
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["client_id"], NATIVE_CLIENT);
}

#[tokio::test]
async fn the_authorization_url_uses_pkce_state_and_a_loopback_redirect() {
    let peer = OidcPeer::start();
    let auth = Arc::new(
        InstanceAuth::new(
            profile(&peer, NATIVE_CLIENT, AuthMethod::Browser),
            mock_store(),
        )
        .expect("auth"),
    );
    let (options, mut prompts) = options();
    let cancel = options.cancel.clone();
    let signing_in = {
        let auth = auth.clone();
        tokio::spawn(async move { auth.sign_in(&options).await })
    };
    let Some(SignInPrompt::OpenBrowser { url, .. }) = prompts.recv().await else {
        panic!("expected a browser prompt");
    };
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| panic!("no {name} in {url}"))
    };
    assert_eq!(param("code_challenge_method"), "S256");
    assert_eq!(param("response_type"), "code");
    assert!(param("scope").split(' ').any(|s| s == "offline_access"));
    let redirect = Url::parse(&param("redirect_uri")).expect("redirect URL");
    assert_eq!(redirect.host_str(), Some("127.0.0.1"));
    assert_ne!(redirect.port(), None);

    // A callback with a forged state is refused and the sign-in keeps waiting.
    let browser = TestBrowser::new();
    let mut forged = redirect.clone();
    forged.set_query(Some("code=stolen&state=forged"));
    let page = browser.get(&forged).await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("state mismatch"), "{}", page.body);
    assert!(!signing_in.is_finished());

    // Cancelling ends it.
    cancel.cancel();
    let result = tokio::time::timeout(Duration::from_secs(10), signing_in)
        .await
        .expect("cancel is prompt")
        .expect("task");
    assert!(matches!(result, Err(AuthError::Cancelled)), "{result:?}");
}

#[tokio::test]
async fn an_error_redirect_is_shown_in_the_browser_and_returned() {
    let peer = OidcPeer::start();
    let auth = Arc::new(
        InstanceAuth::new(
            profile(&peer, NATIVE_CLIENT, AuthMethod::Browser),
            mock_store(),
        )
        .expect("auth"),
    );
    let (options, mut prompts) = options();
    let signing_in = {
        let auth = auth.clone();
        tokio::spawn(async move { auth.sign_in(&options).await })
    };
    let Some(SignInPrompt::OpenBrowser { url, .. }) = prompts.recv().await else {
        panic!("expected a browser prompt");
    };
    // Ask the provider for an unknown resource: it redirects back with an error.
    let mut bad = url.clone();
    bad.query_pairs_mut()
        .append_pair("resource", "api://unknown");
    let browser = TestBrowser::new();
    let (page, _) = browser.sign_in_through(&bad, "alice").await;
    assert!(page.body.contains("Sign-in failed"), "{}", page.body);
    let result = tokio::time::timeout(Duration::from_secs(10), signing_in)
        .await
        .expect("finishes")
        .expect("task");
    let Err(AuthError::Provider(error)) = result else {
        panic!("expected a provider error, got {result:?}");
    };
    assert_eq!(error.error, "invalid_target");
    assert!(page.body.contains("invalid_target"));
}

#[tokio::test]
async fn device_code_is_approved_in_the_browser_while_the_client_polls() {
    let peer = OidcPeer::start();
    let store = mock_store();
    // The profile says browser; the caller asks for the device code instead.
    let auth = Arc::new(
        InstanceAuth::new(
            profile(&peer, NATIVE_CLIENT, AuthMethod::Browser),
            store.clone(),
        )
        .expect("auth"),
    );
    let (mut options, mut prompts) = options();
    options.device_code = true;
    let signing_in = {
        let auth = auth.clone();
        tokio::spawn(async move { auth.sign_in(&options).await })
    };
    let Some(SignInPrompt::DeviceCode {
        user_code,
        verification_uri,
        verification_uri_complete,
        ..
    }) = prompts.recv().await
    else {
        panic!("expected a device code prompt");
    };
    assert_eq!(verification_uri, peer.url("/device"));
    let complete = Url::parse(&verification_uri_complete.expect("complete URI")).expect("URL");
    assert!(complete.as_str().contains(&user_code));
    let browser = TestBrowser::new();
    let (page, _) = browser.sign_in_through(&complete, "bob").await;
    assert!(page.body.contains("Sign-in Success"), "{}", page.body);

    tokio::time::timeout(Duration::from_secs(60), signing_in)
        .await
        .expect("polling finishes")
        .expect("task")
        .expect("signed in");
    let claims = jwt_claims(stored(&store).access_token.expose());
    assert_eq!(claims["sub"], "bob");
    assert_eq!(claims["aud"], AUDIENCE);
}

#[tokio::test]
async fn device_code_polling_can_be_cancelled() {
    let peer = OidcPeer::start();
    let auth = Arc::new(
        InstanceAuth::new(
            profile(&peer, NATIVE_CLIENT, AuthMethod::DeviceCode),
            mock_store(),
        )
        .expect("auth"),
    );
    let (options, mut prompts) = options();
    let cancel = options.cancel.clone();
    let signing_in = {
        let auth = auth.clone();
        tokio::spawn(async move { auth.sign_in(&options).await })
    };
    assert!(matches!(
        prompts.recv().await,
        Some(SignInPrompt::DeviceCode { .. })
    ));
    cancel.cancel();
    let result = tokio::time::timeout(Duration::from_secs(10), signing_in)
        .await
        .expect("cancel is prompt")
        .expect("task");
    assert!(matches!(result, Err(AuthError::Cancelled)), "{result:?}");
}

fn expire(store: &Arc<dyn SecretStore>) -> StoredTokens {
    let mut tokens = stored(store);
    tokens.expires_at = Some(flowbench::auth::now_unix() - 10);
    tokens.save(store.as_ref(), "test").expect("save");
    tokens
}

#[tokio::test]
async fn expired_tokens_are_refreshed_and_the_refresh_token_rotates() {
    let peer = OidcPeer::start();
    let (auth, store) = browser_sign_in(&peer).await;
    let before = expire(&store);
    let provider = InstanceTokenProvider::new(auth.clone());
    let token = provider.token().await.expect("refreshed").expect("token");
    let after = stored(&store);
    assert_ne!(token.secret(), before.access_token.expose());
    assert_eq!(token.secret(), after.access_token.expose());
    let (old_refresh, new_refresh) = (
        before.refresh_token.clone().expect("refresh token"),
        after.refresh_token.clone().expect("rotated refresh token"),
    );
    assert_ne!(
        old_refresh, new_refresh,
        "the provider rotates refresh tokens"
    );
    assert!(after.is_fresh(flowbench::auth::now_unix(), 60));

    // The old refresh token is dead once rotated.
    let app = OAuthApp {
        http: oauth_client().expect("client"),
        endpoints: auth.endpoints().await.expect("endpoints").clone(),
        client_id: NATIVE_CLIENT.to_owned(),
        client_secret: None,
        scopes: vec!["api".into()],
    };
    let error = app
        .refresh(&old_refresh)
        .await
        .expect_err("old token refused");
    assert!(
        matches!(&error, AuthError::Provider(e) if e.error == "invalid_grant"),
        "{error}"
    );
}

#[tokio::test]
async fn a_401_renews_the_token_once() {
    let peer = OidcPeer::start();
    let (auth, store) = browser_sign_in(&peer).await;
    let provider = InstanceTokenProvider::new(auth);
    let first = provider.token().await.expect("token").expect("some");
    let again = provider.token().await.expect("token").expect("some");
    assert_eq!(first, again, "a fresh token is reused");
    provider.invalidate();
    let renewed = provider.token().await.expect("token").expect("some");
    assert_ne!(first, renewed, "invalidate forces a refresh");
    assert_eq!(renewed.secret(), stored(&store).access_token.expose());
    let next = provider.token().await.expect("token").expect("some");
    assert_eq!(renewed, next, "only once");
}

#[tokio::test]
async fn a_revoked_refresh_token_means_signing_in_again() {
    let peer = OidcPeer::start();
    let (auth, store) = browser_sign_in(&peer).await;
    let tokens = expire(&store);
    let endpoints = auth.endpoints().await.expect("endpoints").clone();
    let revocation = endpoints.revocation_endpoint.expect("revocation endpoint");
    let refresh = tokens.refresh_token.expect("refresh token");
    let response = reqwest::Client::new()
        .post(revocation)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(form_body(&[
            ("token", refresh.expose()),
            ("token_type_hint", "refresh_token"),
            ("client_id", NATIVE_CLIENT),
        ]))
        .send()
        .await
        .expect("revocation request");
    assert!(response.status().is_success(), "{}", response.status());

    let provider = InstanceTokenProvider::new(auth);
    let error = provider.token().await.expect_err("revoked");
    assert!(error.to_string().contains("invalid_grant"), "{error}");
    assert!(error.to_string().contains("flowbench signin"), "{error}");
    assert!(
        StoredTokens::load(store.as_ref(), "test")
            .expect("keyring")
            .is_none(),
        "dead tokens are removed"
    );
    let error = provider.token().await.expect_err("still not signed in");
    assert!(error.to_string().contains("not signed in"), "{error}");
}

#[tokio::test]
async fn sign_out_removes_the_tokens_but_keeps_the_client_secret() {
    let peer = OidcPeer::start();
    let store = mock_store();
    store
        .set(
            "test",
            SecretKind::ClientSecret,
            &Secret::new(&peer.service_secret),
        )
        .expect("store secret");
    let auth = InstanceAuth::new(
        profile(&peer, SERVICE_CLIENT, AuthMethod::ClientSecret),
        store.clone(),
    )
    .expect("auth");
    let (options, _prompts) = options();
    auth.sign_in(&options).await.expect("signed in");
    auth.sign_out().expect("signed out");
    assert!(
        StoredTokens::load(store.as_ref(), "test")
            .expect("keyring")
            .is_none()
    );
    assert!(
        store
            .get("test", SecretKind::ClientSecret)
            .expect("keyring")
            .is_some()
    );
    // A client secret instance signs in again silently.
    let token = auth
        .silent_token(false)
        .await
        .expect("silent")
        .expect("token");
    assert_eq!(jwt_claims(token.secret())["aud"], AUDIENCE);
}
