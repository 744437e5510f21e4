//! Environment discovery: the environments of a signed-in instance's tenant, listed by the APIs
//! Microsoft documents for that (Dataverse's Global Discovery Service, Business Central's admin
//! center API).

use std::time::Duration;

use url::Url;

use super::environment_payloads::{
    business_central_environments, dataverse_instances, error_message,
};
use super::error::AuthError;
use super::http::error_chain;
use super::session::InstanceAuth;
use crate::odata::service_root::ServiceKind;

/// How long one discovery request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// An environment found by discovery, ready to become an instance profile
/// (see [`crate::auth::profile_for`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredEnvironment {
    /// The friendly (display) name.
    pub name: String,
    /// The unique technical name (Dataverse `UniqueName`, Business Central environment
    /// name); usable as an instance name after sanitising.
    pub id: String,
    /// The kind of service.
    pub kind: ServiceKind,
    /// The normalised service root.
    pub url: Url,
    /// A one-line summary, e.g. `Production · 25.1.28213.0 · Active`.
    pub detail: String,
}

/// A documented API that lists a tenant's environments.
///
/// Finance & Operations and generic OData services have none: Microsoft documents no API that
/// lists a tenant's Finance & Operations environments (Lifecycle Services has no such public
/// API for Entra ID apps), so those instances are added one by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscoverySource {
    /// Dataverse's Global Discovery Service: `GET {base}api/discovery/v2.0/Instances` lists
    /// the environments the signed-in user can access.
    /// <https://learn.microsoft.com/power-apps/developer/data-platform/discovery-service>,
    /// <https://learn.microsoft.com/power-apps/developer/data-platform/webapi/discover-url-organization-web-api>
    DataverseGlobalDiscovery,
    /// Business Central's admin center API: `GET {base}admin/v2.24/applications/environments`
    /// lists the tenant's environments.
    /// <https://learn.microsoft.com/dynamics365/business-central/dev-itpro/administration/administration-center-api_environments>
    BusinessCentralAdmin,
}

impl DiscoverySource {
    /// The source for a kind of service; `None` for Finance & Operations and generic OData.
    pub fn for_kind(kind: ServiceKind) -> Option<Self> {
        match kind {
            ServiceKind::Dataverse => Some(Self::DataverseGlobalDiscovery),
            ServiceKind::BusinessCentral => Some(Self::BusinessCentralAdmin),
            ServiceKind::FinanceOperations | ServiceKind::GenericOData => None,
        }
    }

    /// A human name of the API.
    pub fn label(self) -> &'static str {
        match self {
            Self::DataverseGlobalDiscovery => "Dataverse Global Discovery Service",
            Self::BusinessCentralAdmin => "Business Central admin center API",
        }
    }

    /// Microsoft's documented base URL (commercial cloud); a profile's `discovery_url`
    /// replaces it (e.g. `https://globaldisco.crm9.dynamics.com/` for US GCC).
    pub fn default_base_url(self) -> &'static str {
        match self {
            Self::DataverseGlobalDiscovery => "https://globaldisco.crm.dynamics.com/",
            Self::BusinessCentralAdmin => "https://api.businesscentral.dynamics.com/",
        }
    }

    /// The request path, relative to the base URL.
    pub fn path(self) -> &'static str {
        match self {
            Self::DataverseGlobalDiscovery => "api/discovery/v2.0/Instances",
            Self::BusinessCentralAdmin => "admin/v2.24/applications/environments",
        }
    }

    /// The scope of a token for the API at `base`: the Global Discovery Service's delegated
    /// `user_impersonation` (`.default` for an app signing in as itself), and `.default` for
    /// Business Central (`https://api.businesscentral.dynamics.com/.default`).
    pub fn scope(self, base: &Url, delegated: bool) -> String {
        let origin = base.origin().ascii_serialization();
        match self {
            Self::DataverseGlobalDiscovery if delegated => format!("{origin}/user_impersonation"),
            _ => format!("{origin}/.default"),
        }
    }
}

/// Why environments could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum EnvironmentsError {
    /// The kind of service has no documented discovery API.
    #[error(
        "Microsoft documents no API that lists a tenant's {0} environments: add each one with `flowbench instance add`"
    )]
    NotSupported(&'static str),
    /// No token for the discovery API (not signed in, provider refused, keyring).
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A discovered environment does not make a valid profile.
    #[error(transparent)]
    Profile(#[from] super::profile::ProfileError),
    /// The discovery URL is not usable.
    #[error("invalid discovery URL: {0}")]
    BadUrl(String),
    /// The API could not be reached.
    #[error("cannot reach the {api} at {url}: {reason}")]
    Unreachable {
        /// The API's name.
        api: &'static str,
        /// The request URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The API answered with an error status.
    #[error("the {api} answered {status}: {message}")]
    Service {
        /// The API's name.
        api: &'static str,
        /// The HTTP status.
        status: u16,
        /// The response's error message (or the start of its body).
        message: String,
    },
    /// The API answered something that is not the documented JSON.
    #[error("unreadable answer from the {api}: {reason}")]
    Response {
        /// The API's name.
        api: &'static str,
        /// What was wrong.
        reason: String,
    },
}

/// Lists the environments of `auth`'s tenant with the documented API for its kind (see
/// [`DiscoverySource`]), signing in silently for that API's scope; sorted by name.
pub async fn discover_environments(
    auth: &InstanceAuth,
) -> Result<Vec<DiscoveredEnvironment>, EnvironmentsError> {
    let profile = auth.profile();
    let source = DiscoverySource::for_kind(profile.kind)
        .ok_or(EnvironmentsError::NotSupported(profile.kind.label()))?;
    let base = match &profile.discovery_url {
        Some(url) => url.clone(),
        None => Url::parse(source.default_base_url())
            .map_err(|e| EnvironmentsError::BadUrl(e.to_string()))?,
    };
    let url = base
        .join(source.path())
        .map_err(|e| EnvironmentsError::BadUrl(format!("{base}: {e}")))?;
    let scope = source.scope(&base, profile.auth.is_delegated());
    let token = auth.token_for_scopes(&[scope]).await?;
    let unreachable = |e: &reqwest::Error| EnvironmentsError::Unreachable {
        api: source.label(),
        url: url.to_string(),
        reason: error_chain(e),
    };
    let response = auth
        .http()
        .get(url.clone())
        .bearer_auth(token.secret())
        .header(reqwest::header::ACCEPT, "application/json")
        .timeout(REQUEST_TIMEOUT)
        .send()
        .await
        .map_err(|e| unreachable(&e))?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| unreachable(&e))?;
    if !status.is_success() {
        return Err(EnvironmentsError::Service {
            api: source.label(),
            status: status.as_u16(),
            message: error_message(&body)
                .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned()),
        });
    }
    let mut environments = match source {
        DiscoverySource::DataverseGlobalDiscovery => dataverse_instances(&body),
        DiscoverySource::BusinessCentralAdmin => business_central_environments(&body),
    }
    .map_err(|reason| EnvironmentsError::Response {
        api: source.label(),
        reason,
    })?;
    environments
        .sort_by(|a, b| (a.name.to_lowercase(), &a.id).cmp(&(b.name.to_lowercase(), &b.id)));
    Ok(environments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_per_kind_with_documented_urls_and_scopes() {
        assert_eq!(
            DiscoverySource::for_kind(ServiceKind::FinanceOperations),
            None
        );
        assert_eq!(DiscoverySource::for_kind(ServiceKind::GenericOData), None);
        let gds = DiscoverySource::for_kind(ServiceKind::Dataverse).unwrap();
        let base = Url::parse(gds.default_base_url()).unwrap();
        assert_eq!(
            base.join(gds.path()).unwrap().as_str(),
            "https://globaldisco.crm.dynamics.com/api/discovery/v2.0/Instances"
        );
        assert_eq!(
            gds.scope(&base, true),
            "https://globaldisco.crm.dynamics.com/user_impersonation"
        );
        let gov = Url::parse("https://globaldisco.crm9.dynamics.com/").unwrap();
        assert_eq!(
            gds.scope(&gov, false),
            "https://globaldisco.crm9.dynamics.com/.default"
        );
        let bc = DiscoverySource::for_kind(ServiceKind::BusinessCentral).unwrap();
        let base = Url::parse(bc.default_base_url()).unwrap();
        assert_eq!(
            base.join(bc.path()).unwrap().as_str(),
            "https://api.businesscentral.dynamics.com/admin/v2.24/applications/environments"
        );
        assert_eq!(
            bc.scope(&base, true),
            "https://api.businesscentral.dynamics.com/.default"
        );
    }

    #[test]
    fn unsupported_kinds_say_why() {
        let text =
            EnvironmentsError::NotSupported(ServiceKind::FinanceOperations.label()).to_string();
        assert!(text.contains("documents no API"), "{text}");
        assert!(text.contains("Finance & Operations"), "{text}");
    }
}
