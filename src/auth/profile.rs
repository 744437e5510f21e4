//! Instance profiles: where a service lives and how to sign in to it (never any secret).

use serde::{Deserialize, Serialize};
use url::Url;

use crate::odata::service_root::{ServiceKind, ServiceRootError, normalize_service_root};

/// How Flowbench gets tokens for an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMethod {
    /// Interactive browser: authorization code + PKCE with a loopback redirect.
    #[default]
    Browser,
    /// Device code: enter a code on another device's browser.
    DeviceCode,
    /// Client credentials with a client secret (service principal).
    ClientSecret,
    /// No sign-in (loopback services such as the demo instance).
    None,
}

impl AuthMethod {
    /// The command-line spelling.
    pub fn name(self) -> &'static str {
        match self {
            Self::Browser => "browser",
            Self::DeviceCode => "device-code",
            Self::ClientSecret => "client-secret",
            Self::None => "none",
        }
    }

    /// Whether a user signs in (and refresh tokens are kept).
    pub fn is_delegated(self) -> bool {
        matches!(self, Self::Browser | Self::DeviceCode)
    }
}

/// The command-line spelling of a service kind (`fno`, `business-central`, `dataverse`, `odata`).
pub fn kind_name(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::FinanceOperations => "fno",
        ServiceKind::BusinessCentral => "business-central",
        ServiceKind::Dataverse => "dataverse",
        ServiceKind::GenericOData => "odata",
    }
}

/// Parses [`kind_name`]'s spelling.
pub fn parse_kind(text: &str) -> Option<ServiceKind> {
    ServiceKind::ALL.into_iter().find(|k| kind_name(*k) == text)
}

mod kind_serde {
    use super::{ServiceKind, kind_name, parse_kind};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(kind: &ServiceKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind_name(*kind))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ServiceKind, D::Error> {
        let text = String::deserialize(d)?;
        parse_kind(&text).ok_or_else(|| serde::de::Error::custom(format!("unknown kind '{text}'")))
    }
}

/// A saved instance: a service root plus the sign-in settings for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceProfile {
    /// The name used on the command line (`--instance NAME`).
    pub name: String,
    /// The kind of service.
    #[serde(with = "kind_serde")]
    pub kind: ServiceKind,
    /// The normalised service root (ends with `/`).
    pub url: Url,
    /// OpenID issuer URL; derived from `tenant` for Entra ID when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// Entra ID tenant (directory ID or domain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Application (client) ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// How to sign in.
    pub auth: AuthMethod,
    /// Scopes requested; empty means the kind's default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// Base URL of the environment discovery API when not Microsoft's default (sovereign
    /// clouds such as `https://globaldisco.crm9.dynamics.com/`, or a test server on loopback);
    /// see [`crate::auth::DiscoverySource`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_url: Option<Url>,
}

/// Why a profile is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// The name is empty or has characters other than letters, digits, `-`, `_`, `.`.
    #[error("invalid instance name '{0}': use letters, digits, '-', '_' or '.'")]
    BadName(String),
    /// The service URL is not usable.
    #[error(transparent)]
    Url(#[from] ServiceRootError),
    /// The authority is not an https URL (http only on loopback).
    #[error("invalid authority '{0}': an https:// URL is required (http:// only on loopback)")]
    BadAuthority(String),
    /// A sign-in method needs a client ID.
    #[error("--auth {0} needs --client-id")]
    NeedsClientId(&'static str),
    /// A sign-in method needs a tenant or an authority.
    #[error("--auth {0} needs --tenant or --authority")]
    NeedsAuthority(&'static str),
    /// The discovery URL is not an https URL (http only on loopback) without query or fragment.
    #[error(
        "invalid discovery URL '{0}': an https:// URL without query or fragment is required (http:// only on loopback)"
    )]
    BadDiscoveryUrl(String),
}

/// `text` as a URL when it is https, or http on a loopback host.
fn secure_url(text: &str) -> Option<Url> {
    let url = Url::parse(text).ok()?;
    let loopback = url
        .host()
        .is_some_and(|h| crate::odata::service_root::is_loopback_host(&h));
    match url.scheme() {
        "https" => Some(url),
        "http" if loopback => Some(url),
        _ => None,
    }
}

impl InstanceProfile {
    /// Builds and checks a profile; `url` may omit `https://` (see [`normalize_service_root`]).
    #[allow(clippy::too_many_arguments)] // mirrors the `instance add` options one to one
    pub fn new(
        name: &str,
        kind: ServiceKind,
        url: &str,
        authority: Option<String>,
        tenant: Option<String>,
        client_id: Option<String>,
        auth: AuthMethod,
        scopes: Vec<String>,
    ) -> Result<Self, ProfileError> {
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid_name {
            return Err(ProfileError::BadName(name.to_owned()));
        }
        let profile = Self {
            name: name.to_owned(),
            kind,
            url: normalize_service_root(kind, url)?,
            authority: authority.map(|a| a.trim().trim_end_matches('/').to_owned()),
            tenant: tenant
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty()),
            client_id: client_id
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty()),
            auth,
            scopes,
            discovery_url: None,
        };
        if auth != AuthMethod::None {
            if profile.client_id.is_none() {
                return Err(ProfileError::NeedsClientId(auth.name()));
            }
            profile.authority_url()?;
        }
        Ok(profile)
    }

    /// The OpenID issuer: `authority`, or Entra ID's `https://login.microsoftonline.com/TENANT/v2.0`.
    pub fn authority_url(&self) -> Result<Url, ProfileError> {
        let text = match (&self.authority, &self.tenant) {
            (Some(authority), _) => authority.clone(),
            (None, Some(tenant)) => format!("https://login.microsoftonline.com/{tenant}/v2.0"),
            (None, None) => return Err(ProfileError::NeedsAuthority(self.auth.name())),
        };
        secure_url(&text).ok_or(ProfileError::BadAuthority(text))
    }

    /// The profile with `discovery_url` set (`None` or blank: Microsoft's documented default).
    /// The URL must be https (http only on loopback); a missing trailing `/` is added.
    pub fn with_discovery_url(mut self, discovery_url: Option<&str>) -> Result<Self, ProfileError> {
        let text = discovery_url.map(str::trim).filter(|t| !t.is_empty());
        self.discovery_url = match text {
            None => None,
            Some(text) => {
                let bad = || ProfileError::BadDiscoveryUrl(text.to_owned());
                let mut url = secure_url(text).ok_or_else(bad)?;
                if url.query().is_some() || url.fragment().is_some() || url.cannot_be_a_base() {
                    return Err(bad());
                }
                if !url.path().ends_with('/') {
                    let path = format!("{}/", url.path());
                    url.set_path(&path);
                }
                Some(url)
            }
        };
        Ok(self)
    }

    /// The scopes to request: the saved ones, or the kind's default (`https://HOST/.default`
    /// for F&O and Dataverse, Business Central's API for Business Central). Delegated methods
    /// also ask for `offline_access` so a refresh token comes back.
    pub fn effective_scopes(&self) -> Vec<String> {
        let mut scopes = if self.scopes.is_empty() {
            self.default_scopes()
        } else {
            self.scopes.clone()
        };
        if self.auth.is_delegated() && !scopes.iter().any(|s| s == "offline_access") {
            scopes.push("offline_access".to_owned());
        }
        scopes
    }

    fn default_scopes(&self) -> Vec<String> {
        let host = self.url.host_str().unwrap_or_default();
        match self.kind {
            ServiceKind::FinanceOperations | ServiceKind::Dataverse => {
                vec![format!("https://{host}/.default")]
            }
            ServiceKind::BusinessCentral => {
                vec!["https://api.businesscentral.dynamics.com/.default".to_owned()]
            }
            ServiceKind::GenericOData => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fno(auth: AuthMethod) -> Result<InstanceProfile, ProfileError> {
        InstanceProfile::new(
            "contoso-uat",
            ServiceKind::FinanceOperations,
            "contoso-uat.sandbox.operations.dynamics.com",
            None,
            Some("contoso.onmicrosoft.com".into()),
            Some("11111111-2222-3333-4444-555555555555".into()),
            auth,
            Vec::new(),
        )
    }

    #[test]
    fn fno_profile_defaults() {
        let profile = fno(AuthMethod::Browser).unwrap();
        assert_eq!(
            profile.url.as_str(),
            "https://contoso-uat.sandbox.operations.dynamics.com/data/"
        );
        assert_eq!(
            profile.authority_url().unwrap().as_str(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"
        );
        assert_eq!(
            profile.effective_scopes(),
            [
                "https://contoso-uat.sandbox.operations.dynamics.com/.default",
                "offline_access"
            ]
        );
        let service = fno(AuthMethod::ClientSecret).unwrap();
        assert_eq!(service.effective_scopes().len(), 1);
    }

    #[test]
    fn checks_names_authority_and_client_id() {
        let bad_name = InstanceProfile::new(
            "a b",
            ServiceKind::GenericOData,
            "http://127.0.0.1:1/x/",
            None,
            None,
            None,
            AuthMethod::None,
            Vec::new(),
        );
        assert!(matches!(bad_name, Err(ProfileError::BadName(_))));
        let no_client = InstanceProfile::new(
            "x",
            ServiceKind::FinanceOperations,
            "h.example.com",
            Some("https://login.example.com/t/v2.0".into()),
            None,
            None,
            AuthMethod::DeviceCode,
            Vec::new(),
        );
        assert_eq!(no_client, Err(ProfileError::NeedsClientId("device-code")));
        let insecure = InstanceProfile::new(
            "x",
            ServiceKind::FinanceOperations,
            "h.example.com",
            Some("http://login.example.com/t".into()),
            None,
            Some("c".into()),
            AuthMethod::Browser,
            Vec::new(),
        );
        assert!(matches!(insecure, Err(ProfileError::BadAuthority(_))));
        let no_authority = InstanceProfile::new(
            "x",
            ServiceKind::FinanceOperations,
            "h.example.com",
            None,
            None,
            Some("c".into()),
            AuthMethod::Browser,
            Vec::new(),
        );
        assert_eq!(no_authority, Err(ProfileError::NeedsAuthority("browser")));
    }

    #[test]
    fn discovery_urls_are_checked_and_optional_in_json() {
        let base = fno(AuthMethod::Browser).unwrap();
        let gov = base
            .clone()
            .with_discovery_url(Some("https://globaldisco.crm9.dynamics.com"))
            .unwrap();
        assert_eq!(
            gov.discovery_url.as_ref().map(Url::as_str),
            Some("https://globaldisco.crm9.dynamics.com/")
        );
        let local = base
            .clone()
            .with_discovery_url(Some("http://127.0.0.1:8080/disco"))
            .unwrap();
        assert_eq!(
            local.discovery_url.as_ref().map(Url::as_str),
            Some("http://127.0.0.1:8080/disco/")
        );
        for bad in [
            "http://globaldisco.crm.dynamics.com/",
            "https://h.example.com/?x=1",
            "not a url",
        ] {
            assert_eq!(
                base.clone().with_discovery_url(Some(bad)),
                Err(ProfileError::BadDiscoveryUrl(bad.to_owned())),
                "{bad}"
            );
        }
        assert_eq!(base.clone().with_discovery_url(Some("  ")).unwrap(), base);
        // Files written before the field existed still load, and none is written when unset.
        let json = serde_json::to_string(&base).unwrap();
        assert!(!json.contains("discovery_url"));
        let back: InstanceProfile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, base);
        let json = serde_json::to_string(&gov).unwrap();
        let back: InstanceProfile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, gov);
    }

    #[test]
    fn kinds_round_trip_in_json() {
        let profile = fno(AuthMethod::DeviceCode).unwrap();
        let json = serde_json::to_string(&profile).unwrap();
        assert!(json.contains(r#""kind":"fno""#) && json.contains(r#""auth":"device-code""#));
        let back: InstanceProfile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, profile);
        for kind in ServiceKind::ALL {
            assert_eq!(parse_kind(kind_name(kind)), Some(kind));
        }
    }
}
