//! F&O's "Microsoft Entra ID applications" (table `SysAADClientTable`) for the demo instance:
//! which client IDs may call it, as which user, with which security roles.

use std::str::FromStr;

use serde_json::Value;

/// F&O's System administrator role (AOT name), given to every client when none is registered.
pub const SYSTEM_ADMINISTRATOR: &str = "-SYSADMIN-";

/// The user every client runs as when no application is registered.
pub const DEFAULT_USER: &str = "Admin";

/// One row of "Microsoft Entra ID applications": a client ID, the F&O user it runs as, and
/// that user's security roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AadApplication {
    /// The application (client) ID from Entra ID.
    pub client_id: String,
    /// The F&O user ID the application runs as.
    pub user_id: String,
    /// The user's security roles (AOT names, e.g. `-SYSADMIN-`); empty: no access to data.
    pub roles: Vec<String>,
}

/// Why `CLIENT=USER[:ROLE,…]` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid application {text:?}: expected CLIENT_ID=USER[:ROLE,ROLE…], {reason}")]
pub struct AadApplicationError {
    /// What was given.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl FromStr for AadApplication {
    type Err = AadApplicationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |reason| AadApplicationError {
            text: text.to_owned(),
            reason,
        };
        let (client_id, rest) = text.split_once('=').ok_or_else(|| bad("found no '='"))?;
        let (user_id, roles) = rest.split_once(':').unwrap_or((rest, ""));
        let (client_id, user_id) = (client_id.trim(), user_id.trim());
        if client_id.is_empty() {
            return Err(bad("the client ID is empty"));
        }
        if user_id.is_empty() {
            return Err(bad("the user ID is empty"));
        }
        Ok(Self {
            client_id: client_id.to_owned(),
            user_id: user_id.to_owned(),
            roles: roles
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
        })
    }
}

/// The registered applications; none registered means every client runs as
/// [`DEFAULT_USER`] with [`SYSTEM_ADMINISTRATOR`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AadApplications(pub Vec<AadApplication>);

/// What a validated token may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppAccess {
    /// The caller runs as `user_id` with `roles`.
    Allowed {
        /// The F&O user.
        user_id: String,
        /// Its security roles.
        roles: Vec<String>,
    },
    /// An app-only token from a client that is not registered (F&O answers 401).
    Unregistered {
        /// The token's client ID.
        client_id: String,
    },
    /// A registered application whose user has no security roles (403 on data).
    NoRoles {
        /// The token's client ID.
        client_id: String,
        /// The user it runs as.
        user_id: String,
    },
}

/// The client ID of a token: `appid` (Entra v1), `azp` (v2) or `client_id` (RFC 9068).
pub fn client_id(claims: &Value) -> Option<&str> {
    ["appid", "azp", "client_id"]
        .into_iter()
        .find_map(|name| claims.get(name).and_then(Value::as_str))
        .filter(|id| !id.is_empty())
}

/// Whether a token is app-only (client credentials): Entra's `idtyp: app`, or the client as
/// the subject.
pub fn is_app_only(claims: &Value) -> bool {
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    text("idtyp") == Some("app")
        || (client_id(claims).is_some() && text("sub") == client_id(claims))
}

impl AadApplications {
    /// What the bearer of a token with `claims` may do. Delegated tokens run as the signed-in
    /// user (the demo gives every user [`SYSTEM_ADMINISTRATOR`]); app-only tokens as their
    /// registered application's user.
    pub fn access(&self, claims: &Value) -> AppAccess {
        let admin = |user: &str| AppAccess::Allowed {
            user_id: user.to_owned(),
            roles: vec![SYSTEM_ADMINISTRATOR.to_owned()],
        };
        if !is_app_only(claims) {
            let user = ["preferred_username", "upn", "oid", "sub"]
                .into_iter()
                .find_map(|name| claims.get(name).and_then(Value::as_str))
                .unwrap_or(DEFAULT_USER);
            return admin(user);
        }
        if self.0.is_empty() {
            return admin(DEFAULT_USER);
        }
        let client = client_id(claims).unwrap_or_default();
        match self
            .0
            .iter()
            .find(|app| app.client_id.eq_ignore_ascii_case(client))
        {
            None => AppAccess::Unregistered {
                client_id: client.to_owned(),
            },
            Some(app) if app.roles.is_empty() => AppAccess::NoRoles {
                client_id: app.client_id.clone(),
                user_id: app.user_id.clone(),
            },
            Some(app) => AppAccess::Allowed {
                user_id: app.user_id.clone(),
                roles: app.roles.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_client_user_and_roles() {
        let app: AadApplication = "svc=IntegrationUser:SystemUser, CustCustomerMaintain"
            .parse()
            .unwrap();
        assert_eq!(app.client_id, "svc");
        assert_eq!(app.user_id, "IntegrationUser");
        assert_eq!(app.roles, ["SystemUser", "CustCustomerMaintain"]);
        let bare: AadApplication = "svc=Nobody".parse().unwrap();
        assert!(bare.roles.is_empty());
        let err = "svc".parse::<AadApplication>().unwrap_err();
        assert!(err.to_string().contains("found no '='"), "{err}");
        assert!("=u".parse::<AadApplication>().is_err());
        assert!("c=".parse::<AadApplication>().is_err());
    }

    #[test]
    fn app_only_tokens_map_to_registrations() {
        let apps = AadApplications(vec![
            "svc=Integration:SystemUser".parse().unwrap(),
            "bare=Nobody".parse().unwrap(),
        ]);
        let app = |id: &str| json!({ "sub": id, "client_id": id });
        assert_eq!(
            apps.access(&app("svc")),
            AppAccess::Allowed {
                user_id: "Integration".into(),
                roles: vec!["SystemUser".into()]
            }
        );
        assert!(matches!(
            apps.access(&app("other")),
            AppAccess::Unregistered { client_id } if client_id == "other"
        ));
        assert!(matches!(
            apps.access(&app("bare")),
            AppAccess::NoRoles { .. }
        ));
        // A user's delegated token is not an application's.
        let user = json!({ "sub": "alice", "client_id": "native" });
        assert!(
            matches!(apps.access(&user), AppAccess::Allowed { user_id, .. } if user_id == "alice")
        );
        // Nothing registered: everyone is an administrator.
        assert!(matches!(
            AadApplications::default().access(&app("x")),
            AppAccess::Allowed { roles, .. } if roles == [SYSTEM_ADMINISTRATOR]
        ));
    }
}
