//! The HTTP client of the OData engine and the connector actions built on it.
//!
//! [`ODataClient`] sends requests with a bearer token from a
//! [`TokenProvider`], retries what the server did not process
//! ([`retry`]), records every exchange in a shared [`Trace`], and exposes the connector
//! actions (list, get, create, update, delete, execute, `$batch`).

pub mod actions;
pub mod batch;
pub mod body_limit;
pub mod curl;
pub mod error;
pub mod next_link;
pub mod operations;
pub mod paging;
pub mod parallel;
pub mod raw_page;
mod read_ahead;
pub mod retry;
pub mod tokens;
pub mod trace;
pub mod transport;

use std::sync::Arc;
use std::time::Duration;

pub use actions::{EntitySetInfo, changed_fields, record_path};
pub use batch::{BatchFormat, BatchItem, BatchPart, BatchResponse};
pub use curl::curl_command;
pub use error::{ErrorDetail, NetworkErrorKind, ODataError, ServerError};
pub use next_link::NextLinkError;
pub use operations::{OperationArg, OperationCall, OperationKind, OperationTarget};
pub use paging::{CancelToken, ListProgress, ListedPage, Page};
pub use parallel::{MAX_CONCURRENCY, ParallelListing};
pub use raw_page::RawPage;
pub use retry::RetryPolicy;
pub use tokens::{BearerToken, StaticTokenProvider, TokenError, TokenProvider};
pub use trace::{Trace, TraceEntry};
pub use transport::{ODataRequest, ODataResponse};

use url::Url;

use crate::odata::service_root::ServiceKind;

/// Tunables of an [`ODataClient`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Time allowed for a whole exchange (F&O can take minutes on big pages).
    pub request_timeout: Duration,
    /// Retry behaviour.
    pub retry: RetryPolicy,
    /// `User-Agent` header.
    pub user_agent: String,
    /// The kind of service, whose [`Dialect`](crate::odata::dialect::Dialect) decides
    /// what differs between servers (e.g. URLs inside `$batch`).
    pub service_kind: ServiceKind,
    /// The most pages one listing reads by following `@odata.nextLink`.
    pub max_pages: u64,
    /// The longest response body read (a page, a record, a `$batch` answer), in bytes.
    pub max_response_bytes: u64,
    /// The longest `$metadata` document read, in bytes.
    pub max_metadata_bytes: u64,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(20),
            request_timeout: Duration::from_secs(300),
            retry: RetryPolicy::default(),
            user_agent: format!("flowbench/{}", env!("CARGO_PKG_VERSION")),
            service_kind: ServiceKind::default(),
            max_pages: next_link::DEFAULT_MAX_PAGES,
            max_response_bytes: body_limit::DEFAULT_MAX_RESPONSE_BYTES,
            max_metadata_bytes: body_limit::DEFAULT_MAX_METADATA_BYTES,
        }
    }
}

/// A client for one OData service root.
#[derive(Clone)]
pub struct ODataClient {
    http: reqwest::Client,
    root: Url,
    tokens: Arc<dyn TokenProvider>,
    config: ClientConfig,
    trace: Trace,
    /// Single-record requests (get, update, delete, bound operations) reach every company.
    cross_company: bool,
}

impl std::fmt::Debug for ODataClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ODataClient")
            .field("root", &self.root.as_str())
            .finish_non_exhaustive()
    }
}

impl ODataClient {
    /// A client for `service_root` with default settings.
    pub fn new(service_root: &str, tokens: Arc<dyn TokenProvider>) -> Result<Self, ODataError> {
        Self::with_config(
            service_root,
            tokens,
            ClientConfig::default(),
            Trace::default(),
        )
    }

    /// A client with explicit settings, recording into `trace`.
    pub fn with_config(
        service_root: &str,
        tokens: Arc<dyn TokenProvider>,
        config: ClientConfig,
        trace: Trace,
    ) -> Result<Self, ODataError> {
        let mut root = Url::parse(service_root)
            .map_err(|e| ODataError::InvalidUrl(format!("{service_root}: {e}")))?;
        check_url_allowed(&root)?;
        if !root.path().ends_with('/') {
            let path = format!("{}/", root.path());
            root.set_path(&path);
        }
        root.set_query(None);
        root.set_fragment(None);
        let builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(config.user_agent.clone())
            // The address a request came from stays with its origin (no `Referer` on a
            // redirect), and a redirect leaves it only as `same_origin_redirects` allows.
            .referer(false)
            .redirect(same_origin_redirects(&root));
        let http = plain_http_without_tls(builder, &root)
            .build()
            .map_err(|e| ODataError::InvalidUrl(format!("HTTP client setup failed: {e}")))?;
        Ok(Self {
            http,
            root,
            tokens,
            config,
            trace,
            cross_company: false,
        })
    }

    /// This client, with single-record requests (get, update, delete, operations) sent
    /// with `cross-company=true` when `on`: F&O finds a record of another company than
    /// the user's default only so (listings take the option in their own query).
    pub fn cross_company(&self, on: bool) -> Self {
        Self {
            cross_company: on,
            ..self.clone()
        }
    }

    /// This client with another retry policy (a flow step's `retryPolicy`).
    pub fn with_retry_policy(&self, retry: RetryPolicy) -> Self {
        let mut client = self.clone();
        client.config.retry = retry;
        client
    }

    /// Whether single-record requests reach every company.
    pub fn is_cross_company(&self) -> bool {
        self.cross_company
    }

    /// The URL of a single-record request: `relative` under the root, with
    /// `cross-company=true` when this client reaches every company.
    pub fn record_url(&self, relative: &str) -> Result<Url, ODataError> {
        let mut url = self.url(relative)?;
        if self.cross_company {
            url.query_pairs_mut().append_pair("cross-company", "true");
        }
        Ok(url)
    }

    /// The service root, always ending with `/`.
    pub fn root(&self) -> &Url {
        &self.root
    }

    /// The shared trace every exchange is recorded in.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The settings in use.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Resolves a path relative to the service root (e.g. `CustomersV3?$top=5`).
    pub fn url(&self, relative: &str) -> Result<Url, ODataError> {
        self.root
            .join(relative.trim_start_matches('/'))
            .map_err(|e| ODataError::InvalidUrl(format!("{relative}: {e}")))
    }
}

/// For a (loopback) `http://` root, a client that never speaks TLS: it loads no root
/// certificates (the platform verifier reads every file of the system's certificate
/// directory, about 2 ms of each command's start); a redirect to another scheme, which could
/// not be verified, is refused by [`same_origin_redirects`].
fn plain_http_without_tls(builder: reqwest::ClientBuilder, root: &Url) -> reqwest::ClientBuilder {
    if root.scheme() != "http" {
        return builder;
    }
    builder.tls_certs_only(std::iter::empty())
}

/// Redirects are followed within the root's origin only, at most ten: a request's headers
/// (an API key, a token) and body never reach another host, port or scheme, as `nextLink`s
/// to another origin are refused too.
fn same_origin_redirects(root: &Url) -> reqwest::redirect::Policy {
    let origin = root.origin();
    let from_http = root.scheme() == "http";
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.url().origin() != origin {
            let refused = if from_http && attempt.url().scheme() != "http" {
                format!(
                    "a redirect from an http:// instance to {} is not followed; use the https:// address as the instance",
                    attempt.url()
                )
            } else {
                format!(
                    "a redirect to {} (another host, port or scheme) is not followed: what the request carries stays with {}",
                    attempt.url(),
                    origin.ascii_serialization()
                )
            };
            attempt.error(refused)
        } else if attempt.previous().len() >= MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
        } else {
            attempt.follow()
        }
    })
}

/// Redirects followed at most, as reqwest's default policy does.
const MAX_REDIRECTS: usize = 10;

/// Rejects non-HTTP(S) URLs and `http://` to hosts other than loopback.
pub fn check_url_allowed(url: &Url) -> Result<(), ODataError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(ODataError::InvalidUrl(format!(
            "{url}: plain http:// is only allowed for loopback hosts; use https://"
        ))),
        other => Err(ODataError::InvalidUrl(format!(
            "{url}: unsupported scheme '{other}'"
        ))),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::StaticTokenProvider;
    use super::*;

    #[test]
    fn http_only_for_loopback_and_root_gets_slash() {
        let tokens = Arc::new(StaticTokenProvider::default());
        let client = ODataClient::new("http://127.0.0.1:8080/data", tokens.clone()).unwrap();
        assert_eq!(client.root().as_str(), "http://127.0.0.1:8080/data/");
        assert_eq!(
            client.url("CustomersV3?$top=1").unwrap().as_str(),
            "http://127.0.0.1:8080/data/CustomersV3?$top=1"
        );
        assert!(ODataClient::new("http://localhost/data/", tokens.clone()).is_ok());
        assert!(ODataClient::new("http://[::1]:9/data/", tokens.clone()).is_ok());
        let err = ODataClient::new(
            "http://contoso.operations.dynamics.com/data",
            tokens.clone(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("loopback"), "{err}");
        assert!(ODataClient::new("ftp://127.0.0.1/", tokens.clone()).is_err());
        assert!(ODataClient::new("https://contoso.operations.dynamics.com/data", tokens).is_ok());
    }
}
