//! Endpoint registrations: the loopback-only rule checked on writes, and the lookup of the
//! URLs registered for an event and company.

use rusqlite::Connection;
use url::{Host, Url};

use super::catalog::ENDPOINTS_SET;
use crate::demo::error::ErrorAnswer;

/// Whether `url` is an http(s) URL to a loopback host.
pub fn is_loopback_url(url: &str) -> bool {
    let Ok(parsed) = Url::parse(url) else {
        return false;
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return false;
    }
    match parsed.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Rejects (400) a create or update of `entity_set` that registers a non-loopback endpoint.
pub fn check_registration(entity_set: &str, body: &[u8]) -> Result<(), ErrorAnswer> {
    if entity_set != ENDPOINTS_SET {
        return Ok(());
    }
    let Ok(serde_json::Value::Object(payload)) = serde_json::from_slice(body) else {
        // Malformed payloads are reported by the regular write path.
        return Ok(());
    };
    match payload.get("EndpointUrl") {
        None => Ok(()),
        Some(serde_json::Value::String(url)) if is_loopback_url(url) => Ok(()),
        Some(other) => {
            let shown = other
                .as_str()
                .map_or_else(|| other.to_string(), str::to_owned);
            Err(ErrorAnswer::bad_request(format!(
                "The endpoint URL '{shown}' is not allowed: the demo instance only delivers business events to http(s) URLs on loopback addresses (127.0.0.1, ::1, localhost)."
            )))
        }
    }
}

/// The URLs registered for `event_id` in `company` (all companies when `None`), in
/// registration order.
pub fn registered_urls(
    conn: &Connection,
    event_id: &str,
    company: Option<&str>,
) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare(
        "SELECT \"EndpointUrl\" FROM \"BusinessEventsEndpoints\" \
         WHERE \"BusinessEventId\" = ?1 AND (?2 IS NULL OR \"dataAreaId\" = ?2) \
         ORDER BY \"dataAreaId\", \"EndpointId\"",
    )?;
    let rows = statement.query_map(rusqlite::params![event_id, company], |row| row.get(0))?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_urls_pass() {
        assert!(is_loopback_url("http://127.0.0.1:8080/hook"));
        assert!(is_loopback_url("http://127.1.2.3/hook"));
        assert!(is_loopback_url("https://localhost/hook"));
        assert!(is_loopback_url("http://[::1]:9/hook"));
        assert!(!is_loopback_url("http://example.com/hook"));
        assert!(!is_loopback_url("http://10.0.0.1/hook"));
        assert!(!is_loopback_url("ftp://127.0.0.1/hook"));
        assert!(!is_loopback_url("not a url"));
    }

    #[test]
    fn registration_check_applies_to_endpoints_only() {
        let remote = br#"{"EndpointUrl":"https://example.com/x"}"#;
        let err = check_registration(ENDPOINTS_SET, remote).expect_err("rejected");
        assert_eq!(err.status.as_u16(), 400);
        assert!(err.message.contains("loopback"));
        assert!(check_registration("CustomersV3", remote).is_ok());
        assert!(
            check_registration(ENDPOINTS_SET, br#"{"EndpointUrl":"http://127.0.0.1/x"}"#).is_ok()
        );
        assert!(check_registration(ENDPOINTS_SET, br#"{"EndpointUrl":42}"#).is_err());
    }
}
