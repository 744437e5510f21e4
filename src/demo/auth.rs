//! Bearer authentication for the demo instance: JWTs validated against an OpenID provider's
//! signing keys (discovery document + JWKS, cached, refetched on an unknown `kid`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde::Deserialize;
use tokio::sync::Mutex;
use url::{Host, Url};

use super::aad_apps::{AadApplications, AppAccess};

/// The demo's own answer header naming the security roles of the user a request ran as
/// (F&O has no such header; the set-up checklist reads it for least privilege).
pub const ROLES_HEADER: &str = "x-flowbench-demo-roles";

/// The realm named in `WWW-Authenticate` challenges.
pub const REALM: &str = "flowbench-demo";

/// Clock skew tolerated for `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: u64 = 60;

/// Minimum time between two key fetches triggered by an unknown `kid`.
const MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

/// Timeout of one request to the OpenID provider.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// Signature algorithms accepted (never `none` or shared-secret HMAC).
const ACCEPTED_ALGORITHMS: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// How the demo instance authenticates requests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AuthMode {
    /// Every request is accepted (the default).
    #[default]
    None,
    /// A bearer JWT from the given OpenID provider is required.
    Bearer(BearerConfig),
}

/// The OpenID provider and audience bearer tokens must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerConfig {
    /// Issuer URL; `{issuer}/.well-known/openid-configuration` is fetched. Also the
    /// expected `iss` claim.
    pub issuer: String,
    /// Expected `aud` claim.
    pub audience: String,
}

/// Why the validator could not be set up or could not load keys.
#[derive(Debug, thiserror::Error)]
pub enum AuthSetupError {
    /// A URL is not valid.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The offending URL.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Plain `http` to a non-loopback host was refused.
    #[error("refusing plain http to the non-loopback host of {url:?}; use https")]
    InsecureUrl {
        /// The offending URL.
        url: String,
    },
    /// The provider could not be reached or answered badly.
    #[error("cannot load {what} from {url}: {reason}")]
    Provider {
        /// What was fetched (discovery document or JWKS).
        what: &'static str,
        /// Where from.
        url: String,
        /// Why it failed.
        reason: String,
    },
}

/// Why a token was rejected (the text goes into `error_description`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejection {
    /// No `Authorization: Bearer` header.
    #[error("no bearer token")]
    Missing,
    /// The token is invalid; the reason is safe to show.
    #[error("{0}")]
    Invalid(String),
    /// Keys could not be loaded from the provider.
    #[error("signing keys unavailable: {0}")]
    KeysUnavailable(String),
}

/// The validated claims of a request's token, put in the request extensions.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthenticatedClaims(pub serde_json::Value);

impl AuthenticatedClaims {
    /// The user's object id (`oid`, falling back to `sub`), as F&O's `InitiatingUserAADId`.
    pub fn user_id(&self) -> Option<&str> {
        self.0
            .get("oid")
            .or_else(|| self.0.get("sub"))
            .and_then(serde_json::Value::as_str)
    }
}

#[derive(Debug, Deserialize)]
struct DiscoveryDocument {
    jwks_uri: String,
}

#[derive(Debug, Default)]
struct KeyCache {
    jwks_uri: Option<Url>,
    keys: JwkSet,
    fetched_at: Option<Instant>,
    /// Why the last fetch failed, while no keys could be loaded since.
    last_error: Option<String>,
}

/// Validates bearer tokens against one OpenID provider, caching its signing keys.
#[derive(Debug)]
pub struct BearerValidator {
    config: BearerConfig,
    discovery_url: Url,
    http: reqwest::Client,
    cache: Mutex<KeyCache>,
    applications: AadApplications,
}

/// Checks `url` parses and uses https, or http only to a loopback host.
fn checked_url(url: &str) -> Result<Url, AuthSetupError> {
    let parsed = Url::parse(url).map_err(|err| AuthSetupError::InvalidUrl {
        url: url.to_owned(),
        reason: err.to_string(),
    })?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" => {
            let loopback = match parsed.host() {
                Some(Host::Ipv4(ip)) => ip.is_loopback(),
                Some(Host::Ipv6(ip)) => ip.is_loopback(),
                Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            if loopback {
                Ok(parsed)
            } else {
                Err(AuthSetupError::InsecureUrl {
                    url: url.to_owned(),
                })
            }
        }
        other => Err(AuthSetupError::InvalidUrl {
            url: url.to_owned(),
            reason: format!("unsupported scheme {other:?}"),
        }),
    }
}

impl BearerValidator {
    /// A validator for `config`; keys are fetched on first use.
    pub fn new(config: BearerConfig) -> Result<Self, AuthSetupError> {
        let issuer = checked_url(&config.issuer)?;
        let discovery = format!(
            "{}/.well-known/openid-configuration",
            issuer.as_str().trim_end_matches('/')
        );
        let discovery_url = checked_url(&discovery)?;
        let http = reqwest::Client::builder()
            .timeout(PROVIDER_TIMEOUT)
            .build()
            .map_err(|err| AuthSetupError::Provider {
                what: "an HTTP client",
                url: discovery.clone(),
                reason: err.to_string(),
            })?;
        Ok(Self {
            config,
            discovery_url,
            http,
            cache: Mutex::new(KeyCache::default()),
            applications: AadApplications::default(),
        })
    }

    /// The validator with F&O's "Microsoft Entra ID applications" registered.
    pub fn with_applications(mut self, applications: AadApplications) -> Self {
        self.applications = applications;
        self
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        what: &'static str,
        url: &Url,
    ) -> Result<T, AuthSetupError> {
        let failed = |reason: String| AuthSetupError::Provider {
            what,
            url: url.to_string(),
            reason,
        };
        let response = self
            .http
            .get(url.clone())
            .send()
            .await
            .map_err(|err| failed(err.to_string()))?;
        if !response.status().is_success() {
            return Err(failed(format!("HTTP {}", response.status())));
        }
        response.json().await.map_err(|err| failed(err.to_string()))
    }

    /// Fetches the discovery document (once) and the JWKS into `cache`.
    async fn refresh(&self, cache: &mut KeyCache) -> Result<(), AuthSetupError> {
        cache.fetched_at = Some(Instant::now());
        let jwks_uri = match &cache.jwks_uri {
            Some(uri) => uri.clone(),
            None => {
                let doc: DiscoveryDocument = self
                    .get_json("the OpenID discovery document", &self.discovery_url)
                    .await?;
                let uri = checked_url(&doc.jwks_uri)?;
                cache.jwks_uri = Some(uri.clone());
                uri
            }
        };
        cache.keys = self.get_json("the signing keys (JWKS)", &jwks_uri).await?;
        Ok(())
    }

    /// The candidate keys for `kid`, refetching (at most once per interval) when unknown.
    async fn keys_for(&self, kid: Option<&str>) -> Result<Vec<Jwk>, TokenRejection> {
        let mut cache = self.cache.lock().await;
        let matching = |cache: &KeyCache| -> Vec<Jwk> {
            cache
                .keys
                .keys
                .iter()
                .filter(|jwk| kid.is_none() || jwk.common.key_id.as_deref() == kid)
                .cloned()
                .collect()
        };
        let found = matching(&cache);
        if !found.is_empty() {
            return Ok(found);
        }
        let may_refetch = cache
            .fetched_at
            .is_none_or(|at| at.elapsed() >= MIN_REFETCH_INTERVAL);
        if may_refetch {
            cache.last_error = self.refresh(&mut cache).await.err().map(|e| e.to_string());
        }
        match &cache.last_error {
            Some(err) => Err(TokenRejection::KeysUnavailable(err.clone())),
            None => Ok(matching(&cache)),
        }
    }

    /// Validates `token` (signature, `iss`, `aud`, `exp`, `nbf`) and returns its claims.
    pub async fn validate(&self, token: &str) -> Result<AuthenticatedClaims, TokenRejection> {
        let invalid = |text: &str| TokenRejection::Invalid(text.to_owned());
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| invalid("the token is not a well-formed JWT"))?;
        if !ACCEPTED_ALGORITHMS.contains(&header.alg) {
            return Err(TokenRejection::Invalid(format!(
                "the signature algorithm {:?} is not accepted",
                header.alg
            )));
        }
        let keys = self.keys_for(header.kid.as_deref()).await?;
        if keys.is_empty() {
            return Err(invalid("the token's signing key (kid) is unknown"));
        }
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        let mut last = invalid("the token signature is invalid");
        for jwk in &keys {
            let Ok(key) = DecodingKey::from_jwk(jwk) else {
                continue;
            };
            match jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation) {
                Ok(data) => return Ok(AuthenticatedClaims(data.claims)),
                Err(err) => last = rejection(err.kind()),
            }
        }
        Err(last)
    }
}

/// A safe description of a validation failure.
fn rejection(kind: &ErrorKind) -> TokenRejection {
    let text = match kind {
        ErrorKind::ExpiredSignature => "the token has expired",
        ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)",
        ErrorKind::InvalidAudience => "the token's audience (aud) is not accepted",
        ErrorKind::InvalidIssuer => "the token's issuer (iss) is not accepted",
        ErrorKind::InvalidSignature => "the token signature is invalid",
        ErrorKind::InvalidAlgorithm => "the token's algorithm does not match its key",
        ErrorKind::MissingRequiredClaim(claim) => {
            return TokenRejection::Invalid(format!("the token lacks the {claim:?} claim"));
        }
        _ => "the token is invalid",
    };
    TokenRejection::Invalid(text.to_owned())
}

/// Wraps `router` so that every request needs a valid bearer token (no-op for
/// [`AuthMode::None`]).
pub fn with_auth<S>(router: Router<S>, validator: Option<Arc<BearerValidator>>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    match validator {
        None => router,
        Some(validator) => router.layer(middleware::from_fn_with_state(validator, require_bearer)),
    }
}

/// The middleware: rejects requests without a valid bearer token with a 401 challenge.
pub async fn require_bearer(
    State(validator): State<Arc<BearerValidator>>,
    mut request: Request,
    next: Next,
) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        })
        .filter(|token| !token.is_empty());
    let result = match token {
        None => Err(TokenRejection::Missing),
        Some(token) => validator.validate(&token).await,
    };
    let claims = match result {
        Ok(claims) => claims,
        Err(rejection) => return rejection_response(&rejection),
    };
    let roles = match validator.applications.access(&claims.0) {
        AppAccess::Allowed { roles, .. } => roles,
        AppAccess::Unregistered { client_id } => {
            return error_response(
                StatusCode::UNAUTHORIZED,
                &format!(
                    "Unauthorized: the application '{client_id}' is not registered in \
                     Microsoft Entra ID applications."
                ),
            );
        }
        AppAccess::NoRoles { client_id, user_id } if !is_open_path(request.uri().path()) => {
            return error_response(
                StatusCode::FORBIDDEN,
                &format!(
                    "Access denied: user '{user_id}' of application '{client_id}' has no \
                     security roles."
                ),
            );
        }
        AppAccess::NoRoles { .. } => Vec::new(),
    };
    request.extensions_mut().insert(claims);
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&roles.join(",")) {
        response.headers_mut().insert(ROLES_HEADER, value);
    }
    response
}

/// Paths any authenticated caller may read, with or without roles: the service document and
/// `$metadata`.
fn is_open_path(path: &str) -> bool {
    matches!(
        path,
        "/data" | "/data/" | "/data/$metadata" | "/data/%24metadata"
    )
}

/// An answer with an OData error body and no challenge.
fn error_response(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": { "code": "", "message": message } });
    (
        status,
        [(
            header::CONTENT_TYPE,
            "application/json; odata.metadata=minimal",
        )],
        body.to_string(),
    )
        .into_response()
}

/// The 401 (or 503 when keys cannot be loaded) answer for `rejection`.
fn rejection_response(rejection: &TokenRejection) -> Response {
    let (status, challenge) = match rejection {
        TokenRejection::Missing => (
            StatusCode::UNAUTHORIZED,
            format!("Bearer realm=\"{REALM}\""),
        ),
        TokenRejection::Invalid(text) => (
            StatusCode::UNAUTHORIZED,
            format!(
                "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{}\"",
                text.replace(['"', '\\'], "'")
            ),
        ),
        TokenRejection::KeysUnavailable(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("Bearer realm=\"{REALM}\""),
        ),
    };
    let body = serde_json::json!({
        "error": { "code": "", "message": format!("Authentication failed: {rejection}") }
    });
    let mut response = (
        status,
        [(
            header::CONTENT_TYPE,
            "application/json; odata.metadata=minimal",
        )],
        body.to_string(),
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::routing::get;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    const TEST_KEY: &str = include_str!("../../tests/fixtures/auth/test_rsa_key.pem");
    const TEST_JWK: &str = include_str!("../../tests/fixtures/auth/test_rsa_key.jwk.json");
    const OTHER_KEY: &str = include_str!("../../tests/fixtures/auth/other_rsa_key.pem");
    const AUDIENCE: &str = "api://flowbench-demo";

    /// A fake OpenID provider on 127.0.0.1; counts JWKS fetches.
    struct Provider {
        issuer: String,
        jwks_fetches: Arc<AtomicUsize>,
        task: tokio::task::JoinHandle<()>,
    }

    async fn start_provider() -> Provider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let issuer = format!("http://{}/tenant", listener.local_addr().expect("addr"));
        let jwks_fetches = Arc::new(AtomicUsize::new(0));
        let doc = json!({ "issuer": issuer, "jwks_uri": format!("{issuer}/keys") });
        let jwk: serde_json::Value = serde_json::from_str(TEST_JWK).expect("jwk");
        let fetches = Arc::clone(&jwks_fetches);
        let app = Router::new()
            .route(
                "/tenant/.well-known/openid-configuration",
                get(move || async move { axum::Json(doc) }),
            )
            .route(
                "/tenant/keys",
                get(move || async move {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    axum::Json(json!({ "keys": [jwk] }))
                }),
            );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Provider {
            issuer,
            jwks_fetches,
            task,
        }
    }

    /// A protected server on 127.0.0.1 whose `/data/x` echoes the caller's `sub`.
    async fn start_protected(issuer: &str) -> (String, tokio::task::JoinHandle<()>) {
        let validator = BearerValidator::new(BearerConfig {
            issuer: issuer.to_owned(),
            audience: AUDIENCE.to_owned(),
        })
        .expect("validator");
        let router: Router = Router::new().route(
            "/data/x",
            get(
                |axum::Extension(claims): axum::Extension<AuthenticatedClaims>| async move {
                    claims.user_id().unwrap_or_default().to_owned()
                },
            ),
        );
        let app = with_auth(router, Some(Arc::new(validator)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/data/x", listener.local_addr().expect("addr"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (url, task)
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    fn sign(claims: &serde_json::Value, key_pem: &str, kid: &str) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        let key = EncodingKey::from_rsa_pem(key_pem.as_bytes()).expect("test key");
        jsonwebtoken::encode(&header, claims, &key).expect("sign")
    }

    fn claims(issuer: &str, audience: &str, exp_offset: i64) -> serde_json::Value {
        json!({
            "iss": issuer, "aud": audience, "sub": "user-1",
            "iat": now(), "nbf": now() - 5, "exp": now() + exp_offset
        })
    }

    async fn call(url: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = reqwest::Client::new().get(url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("send")
    }

    fn challenge(response: &reqwest::Response) -> String {
        response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    #[tokio::test]
    async fn valid_and_invalid_tokens() {
        let provider = start_provider().await;
        let issuer = provider.issuer.clone();
        let (url, server) = start_protected(&issuer).await;

        let valid = sign(&claims(&issuer, AUDIENCE, 600), TEST_KEY, "test_rsa_key");
        let response = call(&url, Some(&valid)).await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.text().await.expect("body"), "user-1");

        let cases = [
            (
                sign(
                    &claims(&issuer, "api://other", 600),
                    TEST_KEY,
                    "test_rsa_key",
                ),
                "audience",
            ),
            (
                sign(
                    &claims("http://127.0.0.1:1/evil", AUDIENCE, 600),
                    TEST_KEY,
                    "test_rsa_key",
                ),
                "issuer",
            ),
            (
                sign(&claims(&issuer, AUDIENCE, -3600), TEST_KEY, "test_rsa_key"),
                "expired",
            ),
            (
                sign(&claims(&issuer, AUDIENCE, 600), OTHER_KEY, "test_rsa_key"),
                "signature",
            ),
            ("not-a-jwt".to_owned(), "well-formed"),
        ];
        for (token, expected) in cases {
            let response = call(&url, Some(&token)).await;
            assert_eq!(response.status().as_u16(), 401, "case {expected}");
            let challenge = challenge(&response);
            assert!(
                challenge.contains("error=\"invalid_token\""),
                "case {expected}: {challenge}"
            );
            assert!(challenge.contains(expected), "case {expected}: {challenge}");
            let body: serde_json::Value = response.json().await.expect("OData error body");
            assert!(body["error"]["message"].is_string());
        }
        // Keys were fetched once and then served from the cache.
        assert_eq!(provider.jwks_fetches.load(Ordering::SeqCst), 1);
        server.abort();
        provider.task.abort();
    }

    #[tokio::test]
    async fn missing_token_gets_a_plain_realm_challenge() {
        let provider = start_provider().await;
        let (url, server) = start_protected(&provider.issuer).await;
        let response = call(&url, None).await;
        assert_eq!(response.status().as_u16(), 401);
        assert_eq!(challenge(&response), format!("Bearer realm=\"{REALM}\""));
        let basic = reqwest::Client::new()
            .get(&url)
            .header("authorization", "Basic dTpw")
            .send()
            .await
            .expect("send");
        assert_eq!(basic.status().as_u16(), 401);
        assert_eq!(provider.jwks_fetches.load(Ordering::SeqCst), 0);
        server.abort();
        provider.task.abort();
    }

    #[tokio::test]
    async fn unknown_kid_refetches_keys_at_most_once_per_interval() {
        let provider = start_provider().await;
        let issuer = provider.issuer.clone();
        let (url, server) = start_protected(&issuer).await;
        let token = sign(&claims(&issuer, AUDIENCE, 600), TEST_KEY, "rotated-key");
        for _ in 0..3 {
            let response = call(&url, Some(&token)).await;
            assert_eq!(response.status().as_u16(), 401);
            assert!(challenge(&response).contains("kid"));
        }
        assert_eq!(provider.jwks_fetches.load(Ordering::SeqCst), 1);
        server.abort();
        provider.task.abort();
    }

    #[tokio::test]
    async fn unreachable_provider_answers_503_not_401() {
        // A port that was free a moment ago: nothing listens there.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let issuer = format!("http://{}/tenant", listener.local_addr().expect("addr"));
        drop(listener);
        let (url, server) = start_protected(&issuer).await;
        let token = sign(&claims(&issuer, AUDIENCE, 600), TEST_KEY, "test_rsa_key");
        for _ in 0..2 {
            let response = call(&url, Some(&token)).await;
            assert_eq!(response.status().as_u16(), 503);
        }
        server.abort();
    }

    #[test]
    fn plain_http_only_to_loopback() {
        let config = |issuer: &str| BearerConfig {
            issuer: issuer.to_owned(),
            audience: AUDIENCE.to_owned(),
        };
        assert!(matches!(
            BearerValidator::new(config("http://login.example.com/tenant")),
            Err(AuthSetupError::InsecureUrl { .. })
        ));
        assert!(BearerValidator::new(config("https://login.example.com/tenant/v2.0")).is_ok());
        assert!(BearerValidator::new(config("http://localhost:9/t")).is_ok());
        assert!(BearerValidator::new(config("http://[::1]:9/t")).is_ok());
        assert!(matches!(
            BearerValidator::new(config("ftp://127.0.0.1/t")),
            Err(AuthSetupError::InvalidUrl { .. })
        ));
    }
}
