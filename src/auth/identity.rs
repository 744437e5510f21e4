//! Who is signed in, read from the access token's claims for display (never the token itself).

use serde_json::Value;

/// The signed-in user or application of an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A user (delegated sign-in): their user name, e-mail or subject.
    User(String),
    /// An application signed in with its own credentials (client secret).
    App(String),
}

/// User claims, best first: Entra ID v2 and v1 tokens, then OpenID standard claims.
const USER_CLAIMS: [&str; 6] = [
    "preferred_username",
    "upn",
    "unique_name",
    "email",
    "name",
    "sub",
];

impl Identity {
    /// Reads the identity from a JWT access token's payload; `None` for an opaque token.
    /// The signature is not checked: this is only what the window shows, never a decision.
    pub fn from_access_token(token: &str) -> Option<Self> {
        let claims =
            jsonwebtoken::dangerous::insecure_decode_claims::<Value>(token.as_bytes()).ok()?;
        Self::from_claims(&claims)
    }

    /// The identity in a token's claims.
    pub fn from_claims(claims: &Value) -> Option<Self> {
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let app_id = text("appid")
            .or_else(|| text("azp"))
            .or_else(|| text("client_id"));
        // Entra marks app-only tokens with `idtyp: app`; other providers issue them with the
        // client as the subject and no user claim.
        let is_app = text("idtyp") == Some("app")
            || (app_id.is_some() && text("sub") == app_id && text("preferred_username").is_none());
        if is_app {
            return app_id
                .or_else(|| text("sub"))
                .map(|id| Self::App(id.to_owned()));
        }
        USER_CLAIMS
            .iter()
            .find_map(|claim| text(claim))
            .map(|user| Self::User(user.to_owned()))
    }

    /// A short label: the user's name, or "app ID".
    pub fn label(&self) -> String {
        match self {
            Self::User(user) => user.clone(),
            Self::App(id) => format!("app {id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn users_are_named_by_their_best_claim() {
        let entra_v1 = json!({"upn": "alice@contoso.com", "name": "Alice", "oid": "1", "sub": "x"});
        assert_eq!(
            Identity::from_claims(&entra_v1),
            Some(Identity::User("alice@contoso.com".into()))
        );
        let entra_v2 =
            json!({"preferred_username": "bob@contoso.com", "azp": "client", "sub": "y"});
        assert_eq!(
            Identity::from_claims(&entra_v2).map(|i| i.label()),
            Some("bob@contoso.com".into())
        );
        let plain = json!({"sub": "carol", "client_id": "native"});
        assert_eq!(
            Identity::from_claims(&plain),
            Some(Identity::User("carol".into()))
        );
    }

    #[test]
    fn app_only_tokens_are_named_by_the_app() {
        let entra = json!({"idtyp": "app", "appid": "1234-abcd", "sub": "sp-object-id"});
        assert_eq!(
            Identity::from_claims(&entra).map(|i| i.label()),
            Some("app 1234-abcd".into())
        );
        let oidc_provider = json!({"sub": "flowbench-service", "client_id": "flowbench-service"});
        assert_eq!(
            Identity::from_claims(&oidc_provider),
            Some(Identity::App("flowbench-service".into()))
        );
    }

    #[test]
    fn opaque_or_claimless_tokens_have_no_identity() {
        assert_eq!(Identity::from_access_token("opaque-token-value"), None);
        assert_eq!(Identity::from_claims(&json!({"aud": "x"})), None);
    }

    #[test]
    fn jwt_payloads_are_read() {
        // header {"alg":"none"} . payload {"upn":"dave@contoso.com"} . empty signature
        let token = "eyJhbGciOiJub25lIn0.eyJ1cG4iOiJkYXZlQGNvbnRvc28uY29tIn0.";
        assert_eq!(
            Identity::from_access_token(token),
            Some(Identity::User("dave@contoso.com".into()))
        );
    }
}
