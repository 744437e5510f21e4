//! The token's audience read without verifying it (the service verifies), against the
//! resource the instance's scopes ask for.

use serde_json::Value;

use crate::auth::{Identity, InstanceProfile};
use crate::odata::service_root::ServiceKind;

/// The application ID of Microsoft's "Microsoft Dynamics ERP" API, which F&O tokens may name
/// as their audience instead of the environment URL.
pub(super) const DYNAMICS_ERP_APP_ID: &str = "00000015-0000-0000-c000-000000000000";

/// The claims of a JWT, unverified; `None` for an opaque token.
pub(super) fn claims(token: &str) -> Option<Value> {
    jsonwebtoken::dangerous::insecure_decode_claims::<Value>(token.as_bytes()).ok()
}

/// The `aud` claim as a list (it may be a string or an array).
pub(super) fn audiences(claims: &Value) -> Vec<String> {
    match claims.get("aud") {
        Some(Value::String(aud)) => vec![aud.clone()],
        Some(Value::Array(auds)) => auds
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the token is app-only (client credentials), as the window's identity reads it.
pub(super) fn is_app_only(claims: &Value) -> bool {
    matches!(Identity::from_claims(claims), Some(Identity::App(_)))
}

/// The audience the instance's scopes ask for: the resource of a `/.default` scope (F&O's
/// default scope is `https://HOST/.default`); `None` when no scope names a resource.
pub(super) fn expected(profile: &InstanceProfile) -> Option<String> {
    profile
        .effective_scopes()
        .iter()
        .find_map(|s| s.strip_suffix("/.default").map(str::to_owned))
}

/// Whether one of `auds` is `expected` (trailing slash and case ignored; F&O's API
/// application ID also counts for an F&O instance).
pub(super) fn matches(profile: &InstanceProfile, expected: &str, auds: &[String]) -> bool {
    let norm = |s: &str| s.trim_end_matches('/').to_ascii_lowercase();
    auds.iter().any(|aud| {
        norm(aud) == norm(expected)
            || (profile.kind == ServiceKind::FinanceOperations && aud == DYNAMICS_ERP_APP_ID)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::AuthMethod;
    use serde_json::json;

    fn fno(scopes: Vec<String>) -> InstanceProfile {
        InstanceProfile::new(
            "prod",
            ServiceKind::FinanceOperations,
            "contoso.operations.dynamics.com",
            None,
            Some("contoso.onmicrosoft.com".into()),
            Some("client".into()),
            AuthMethod::ClientSecret,
            scopes,
        )
        .unwrap()
    }

    #[test]
    fn fno_tokens_must_name_the_environment() {
        let profile = fno(Vec::new());
        let expected = expected(&profile).unwrap();
        assert_eq!(expected, "https://contoso.operations.dynamics.com");
        let ok = ["https://contoso.operations.dynamics.com/".to_owned()];
        assert!(matches(&profile, &expected, &ok));
        assert!(matches(
            &profile,
            &expected,
            &[DYNAMICS_ERP_APP_ID.to_owned()]
        ));
        let other = ["https://fabrikam.operations.dynamics.com".to_owned()];
        assert!(!matches(&profile, &expected, &other));
        // A plain scope names no resource: the service's answer decides.
        assert_eq!(super::expected(&fno(vec!["api".into()])), None);
    }

    #[test]
    fn reads_aud_and_app_only() {
        assert_eq!(audiences(&json!({ "aud": "a" })), ["a"]);
        assert_eq!(audiences(&json!({ "aud": ["a", "b"] })), ["a", "b"]);
        assert!(audiences(&json!({})).is_empty());
        assert!(is_app_only(&json!({ "sub": "svc", "client_id": "svc" })));
        assert!(is_app_only(
            &json!({ "idtyp": "app", "sub": "x", "appid": "y" })
        ));
        assert!(!is_app_only(
            &json!({ "sub": "alice", "client_id": "native" })
        ));
    }
}
