//! The demo server's loopback guard, against DNS rebinding and cross-site requests: `Host`
//! must name the address it is bound to (421 otherwise), an `Origin` must be the server's own
//! (403 otherwise), and writes must be JSON, or multipart for `$batch` (415 otherwise).
//! Every refusal is an OData error naming what was expected and what was found.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::error::{ErrorAnswer, ODATA_EXCEPTION};
use super::handler::ODataResponse;
use super::server::to_http;

/// Which `Host` and `Origin` values the server answers: the names of the address it is
/// bound to, with its port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostGuard {
    port: u16,
    /// Host names as written in `Host` (IPv6 in brackets), lower case.
    names: Vec<String>,
    /// Bound to every interface: any IP literal names it (an IP cannot be rebound).
    any_ip: bool,
}

impl HostGuard {
    /// The guard of a server bound to `addr`: `127.0.0.1`, `localhost` and `[::1]` for a
    /// loopback (or unspecified) address, else that address; always with its port.
    pub fn for_address(addr: SocketAddr) -> Self {
        let ip = addr.ip();
        let names = if ip.is_loopback() || ip.is_unspecified() {
            vec!["127.0.0.1".into(), "localhost".into(), "[::1]".into()]
        } else {
            match ip {
                IpAddr::V4(v4) => vec![v4.to_string()],
                IpAddr::V6(v6) => vec![format!("[{v6}]")],
            }
        };
        Self {
            port: addr.port(),
            names,
            any_ip: ip.is_unspecified(),
        }
    }

    /// What a `Host` header may say, for messages: `127.0.0.1:8080, localhost:8080 or …`.
    pub fn expected(&self) -> String {
        let mut hosts: Vec<String> = self
            .names
            .iter()
            .map(|n| format!("{n}:{}", self.port))
            .collect();
        if self.any_ip {
            hosts.push(format!("any IP address with port {}", self.port));
        }
        match hosts.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => hosts.concat(),
        }
    }

    /// Whether `authority` (`host[:port]`, from `Host` or an `Origin`) names this server.
    pub fn allows(&self, authority: &str) -> bool {
        let authority = authority.trim().to_ascii_lowercase();
        let (name, port) = match authority.rsplit_once(':') {
            // `[::1]` alone has colons but no port after the bracket.
            Some((name, port)) if !port.contains(']') => (name, port.parse::<u16>().ok()),
            _ => (authority.as_str(), Some(80)),
        };
        if port != Some(self.port) {
            return false;
        }
        self.names.iter().any(|n| n == name)
            || (self.any_ip && name.trim_matches(['[', ']']).parse::<IpAddr>().is_ok())
    }

    /// Whether an `Origin` header value is this server's own origin.
    pub fn allows_origin(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|authority| !authority.contains('/') && self.allows(authority))
    }
}

fn refuse(status: StatusCode, message: String) -> Response {
    to_http(ODataResponse::error(&ErrorAnswer::new(
        status,
        message,
        ODATA_EXCEPTION,
    )))
}

fn is_write(method: &Method) -> bool {
    [Method::POST, Method::PATCH, Method::PUT].contains(method) || method.as_str() == "MERGE"
}

/// The media type of `Content-Type` (before any `;`), lower case; `None` when absent.
fn media_type(headers: &HeaderMap) -> Option<String> {
    headers.get(header::CONTENT_TYPE).map(|value| {
        let text = String::from_utf8_lossy(value.as_bytes());
        text.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    })
}

/// Why a request fails the guard, as the answer to send; `None` when it passes.
pub fn check(guard: &HostGuard, request: &Request) -> Option<Response> {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned())
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()));
    match host {
        Some(host) if guard.allows(&host) => {}
        found => {
            let found = found.map_or_else(|| "no Host header".to_owned(), |h| format!("'{h}'"));
            return Some(refuse(
                StatusCode::MISDIRECTED_REQUEST,
                format!(
                    "The Host header does not name this server: expected {}, found {found}.",
                    guard.expected()
                ),
            ));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = String::from_utf8_lossy(origin.as_bytes());
        if !guard.allows_origin(&origin) {
            return Some(refuse(
                StatusCode::FORBIDDEN,
                format!(
                    "Cross-origin requests are refused: expected no Origin or http://{}, found '{origin}'.",
                    guard.expected()
                ),
            ));
        }
    }
    let method = request.method();
    if is_write(method) {
        let path = request.uri().path();
        let batch = path.ends_with("/$batch");
        // Files (packages to the stand-in blob store, recurring-integration messages): binary
        // types a cross-site page cannot send without a preflight the demo never answers.
        let file_upload = path.starts_with("/dmf/blobs/") || path.starts_with("/api/connector/");
        let media = media_type(headers);
        let empty = headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|l| l.as_bytes() == b"0")
            || (headers.get(header::CONTENT_LENGTH).is_none()
                && headers.get(header::TRANSFER_ENCODING).is_none());
        let accepted = match media.as_deref() {
            Some("application/json") => true,
            Some("multipart/mixed") => batch,
            Some("application/zip" | "application/octet-stream") => file_upload,
            // A write without a body (an action without parameters) needs no type.
            None => empty,
            Some(_) => false,
        };
        if !accepted {
            let expected = if batch {
                "multipart/mixed or application/json"
            } else if file_upload {
                "application/octet-stream, application/zip or application/json"
            } else {
                "application/json"
            };
            let found = media.map_or_else(|| "none with a body".to_owned(), |m| format!("'{m}'"));
            return Some(refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("A {method} to '{path}' needs Content-Type {expected}, found {found}."),
            ));
        }
    }
    None
}

/// The middleware: refuses what [`check`] refuses, passes the rest on.
pub async fn guard_requests(
    State(guard): State<HostGuard>,
    request: Request,
    next: Next,
) -> Response {
    match check(&guard, &request) {
        Some(refusal) => refusal,
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_the_bound_address_and_port() {
        let guard = HostGuard::for_address("127.0.0.1:8080".parse().unwrap());
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST:8080",
            "[::1]:8080",
        ] {
            assert!(guard.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example:8080",
            "127.0.0.1:8081",
            "127.0.0.1",
            "localhost.evil.example:8080",
            "127.0.0.2:8080",
            "",
        ] {
            assert!(!guard.allows(bad), "{bad}");
        }
        assert_eq!(
            guard.expected(),
            "127.0.0.1:8080, localhost:8080 or [::1]:8080"
        );
        assert!(guard.allows_origin("http://localhost:8080"));
        for bad in [
            "null",
            "http://evil.example",
            "https://127.0.0.1:8080",
            "http://127.0.0.1:8080/x",
        ] {
            assert!(!guard.allows_origin(bad), "{bad}");
        }
        let everywhere = HostGuard::for_address("0.0.0.0:80".parse().unwrap());
        assert!(everywhere.allows("192.168.1.5"));
        assert!(everywhere.allows("192.168.1.5:80"));
        assert!(!everywhere.allows("rebound.example"));
        let one = HostGuard::for_address("[fe80::1]:9".parse().unwrap());
        assert!(one.allows("[fe80::1]:9"));
        assert!(!one.allows("localhost:9"));
    }
}
