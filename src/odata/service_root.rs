//! Service root URLs from what users type, per kind of service.

use std::net::IpAddr;

use url::{Host, Url};

/// The kind of OData service, which decides how a typed address becomes a service root.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum ServiceKind {
    /// Dynamics 365 Finance & Operations: a bare host gets `/data/` appended.
    #[default]
    FinanceOperations,
    /// Dynamics 365 Business Central: the full root is required.
    BusinessCentral,
    /// Dataverse (`/api/data/v9.2/`): the full root is required.
    Dataverse,
    /// Any other OData v4 service: the full root is required.
    GenericOData,
}

impl ServiceKind {
    /// Every kind, for pickers.
    pub const ALL: [Self; 4] = [
        Self::FinanceOperations,
        Self::BusinessCentral,
        Self::Dataverse,
        Self::GenericOData,
    ];

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::FinanceOperations => "Finance & Operations",
            Self::BusinessCentral => "Business Central",
            Self::Dataverse => "Dataverse",
            Self::GenericOData => "Generic OData v4",
        }
    }

    /// A guess from a host name (`*.operations.dynamics.com`, `api.businesscentral.dynamics.com`,
    /// `*.crm*.dynamics.com`), `GenericOData` otherwise.
    pub fn guess_from_host(host: &str) -> Self {
        let host = host.to_ascii_lowercase();
        if host.ends_with(".operations.dynamics.com") || host.contains(".operations.") {
            Self::FinanceOperations
        } else if host.contains("businesscentral.dynamics.com") {
            Self::BusinessCentral
        } else if host.ends_with(".dynamics.com") && host.contains(".crm") {
            Self::Dataverse
        } else {
            Self::GenericOData
        }
    }
}

impl ServiceKind {
    /// The short name used on the command line and in files: `fo`, `bc`, `dataverse`,
    /// `generic`.
    pub fn short_name(self) -> &'static str {
        match self {
            Self::FinanceOperations => "fo",
            Self::BusinessCentral => "bc",
            Self::Dataverse => "dataverse",
            Self::GenericOData => "generic",
        }
    }
}

impl std::str::FromStr for ServiceKind {
    type Err = String;

    /// Reads a short name (see [`ServiceKind::short_name`]), case-insensitively.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.short_name().eq_ignore_ascii_case(text))
            .ok_or_else(|| {
                format!("unknown service kind '{text}' (expected fo, bc, dataverse or generic)")
            })
    }
}

/// Why a typed address is not a usable service root.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceRootError {
    /// Nothing was typed.
    #[error("the service URL is empty")]
    Empty,
    /// The text is not a URL.
    #[error("'{0}' is not a valid URL: {1}")]
    Invalid(String, String),
    /// A scheme other than https (or http on loopback).
    #[error("'{0}': only https:// URLs are allowed (http:// only for localhost, 127.0.0.1 or ::1)")]
    InsecureScheme(String),
    /// A URL without host.
    #[error("'{0}' has no host")]
    NoHost(String),
    /// Only a host was given for a kind that needs the full root.
    #[error("'{input}': {kind} needs the full service root URL, e.g. {example}")]
    NeedsFullRoot {
        /// What was typed.
        input: String,
        /// The kind's label.
        kind: &'static str,
        /// An example root.
        example: &'static str,
    },
    /// A fragment (`#…`) in the URL.
    #[error("'{0}': a service root cannot contain '#'")]
    Fragment(String),
}

/// Whether the host is a loopback address or `localhost`.
pub fn is_loopback_host(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// Turns what a user typed into a service root URL ending in `/`.
///
/// Without a scheme, `https://` is assumed (`http://` for loopback hosts). `http://` is
/// refused except for loopback hosts. A trailing `$metadata` is dropped. For
/// [`ServiceKind::FinanceOperations`] a URL with no path gets `/data/`; other kinds must be
/// given their full root.
pub fn normalize_service_root(kind: ServiceKind, input: &str) -> Result<Url, ServiceRootError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(ServiceRootError::Empty);
    }
    let with_scheme = if text.contains("://") {
        text.to_owned()
    } else {
        let host_part = text.split(['/', '?']).next().unwrap_or(text);
        let probe = Url::parse(&format!("https://{host_part}/"));
        let loopback = probe
            .as_ref()
            .ok()
            .and_then(|u| u.host())
            .is_some_and(|h| is_loopback_host(&h));
        format!("{}://{text}", if loopback { "http" } else { "https" })
    };
    let mut url = Url::parse(&with_scheme)
        .map_err(|e| ServiceRootError::Invalid(text.to_owned(), e.to_string()))?;
    let host = url
        .host()
        .ok_or_else(|| ServiceRootError::NoHost(text.to_owned()))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(&host) => {}
        _ => return Err(ServiceRootError::InsecureScheme(text.to_owned())),
    }
    if url.fragment().is_some() {
        return Err(ServiceRootError::Fragment(text.to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ServiceRootError::Invalid(
            text.to_owned(),
            "credentials in the URL are not allowed".to_owned(),
        ));
    }
    let mut path = url.path().to_owned();
    if let Some(stripped) = path.strip_suffix("$metadata") {
        path = stripped.to_owned();
    }
    if path.is_empty() || path == "/" {
        match kind {
            ServiceKind::FinanceOperations => path = "/data/".to_owned(),
            other => {
                return Err(ServiceRootError::NeedsFullRoot {
                    input: text.to_owned(),
                    kind: other.label(),
                    example: match other {
                        ServiceKind::BusinessCentral => {
                            "https://api.businesscentral.dynamics.com/v2.0/{tenant}/{environment}/api/v2.0/"
                        }
                        ServiceKind::Dataverse => "https://org.crm.dynamics.com/api/data/v9.2/",
                        _ => "https://services.odata.org/V4/TripPinService/",
                    },
                });
            }
        }
    }
    if !path.ends_with('/') {
        path.push('/');
    }
    url.set_path(&path);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(kind: ServiceKind, input: &str) -> String {
        normalize_service_root(kind, input).unwrap().to_string()
    }

    #[test]
    fn fno_host_gets_https_and_data() {
        let fo = ServiceKind::FinanceOperations;
        assert_eq!(
            root(fo, "contoso.operations.dynamics.com"),
            "https://contoso.operations.dynamics.com/data/"
        );
        assert_eq!(
            root(fo, " https://contoso.operations.dynamics.com "),
            "https://contoso.operations.dynamics.com/data/"
        );
        assert_eq!(
            root(fo, "https://contoso.operations.dynamics.com/data"),
            "https://contoso.operations.dynamics.com/data/"
        );
        assert_eq!(
            root(fo, "https://contoso.operations.dynamics.com/data/$metadata"),
            "https://contoso.operations.dynamics.com/data/"
        );
        assert_eq!(
            root(fo, "HTTPS://Contoso.Operations.Dynamics.com/data/"),
            "https://contoso.operations.dynamics.com/data/"
        );
    }

    #[test]
    fn full_urls_are_kept_with_trailing_slash() {
        let bc = "https://api.businesscentral.dynamics.com/v2.0/t1/Production/api/v2.0";
        assert_eq!(root(ServiceKind::BusinessCentral, bc), format!("{bc}/"));
        let dv = "https://org.crm.dynamics.com/api/data/v9.2/";
        assert_eq!(root(ServiceKind::Dataverse, dv), dv);
        let generic = "services.odata.org/V4/TripPinService";
        assert_eq!(
            root(ServiceKind::GenericOData, generic),
            "https://services.odata.org/V4/TripPinService/"
        );
        let with_query = "https://bc.example.com:7048/BC/ODataV4/?tenant=default";
        assert_eq!(root(ServiceKind::BusinessCentral, with_query), with_query);
    }

    #[test]
    fn host_only_is_refused_for_other_kinds() {
        for kind in [
            ServiceKind::BusinessCentral,
            ServiceKind::Dataverse,
            ServiceKind::GenericOData,
        ] {
            let err = normalize_service_root(kind, "org.crm.dynamics.com").unwrap_err();
            assert!(
                matches!(err, ServiceRootError::NeedsFullRoot { .. }),
                "{kind:?}"
            );
            assert!(err.to_string().contains("needs the full service root URL"));
        }
    }

    #[test]
    fn http_only_for_loopback() {
        let g = ServiceKind::GenericOData;
        assert_eq!(
            root(g, "http://127.0.0.1:8080/data"),
            "http://127.0.0.1:8080/data/"
        );
        assert_eq!(
            root(g, "http://localhost:3000/odata/"),
            "http://localhost:3000/odata/"
        );
        assert_eq!(root(g, "http://[::1]:9000/x"), "http://[::1]:9000/x/");
        assert_eq!(
            root(ServiceKind::FinanceOperations, "127.0.0.1:8080"),
            "http://127.0.0.1:8080/data/"
        );
        assert_eq!(
            root(ServiceKind::FinanceOperations, "localhost:8080"),
            "http://localhost:8080/data/"
        );
        for bad in [
            "http://contoso.operations.dynamics.com",
            "http://10.0.0.1/data/",
            "ftp://localhost/x/",
        ] {
            assert!(
                matches!(
                    normalize_service_root(g, bad),
                    Err(ServiceRootError::InsecureScheme(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn invalid_inputs() {
        let fo = ServiceKind::FinanceOperations;
        assert_eq!(
            normalize_service_root(fo, "  "),
            Err(ServiceRootError::Empty)
        );
        assert!(matches!(
            normalize_service_root(fo, "https://"),
            Err(ServiceRootError::Invalid(..))
        ));
        assert!(matches!(
            normalize_service_root(fo, "https://h/data/#x"),
            Err(ServiceRootError::Fragment(_))
        ));
        assert!(normalize_service_root(fo, "https://user:pw@h/data/").is_err());
        assert!(normalize_service_root(fo, "exa mple.com").is_err());
    }

    #[test]
    fn short_names_round_trip() {
        for kind in ServiceKind::ALL {
            assert_eq!(kind.short_name().parse::<ServiceKind>(), Ok(kind));
        }
        assert_eq!(
            "BC".parse::<ServiceKind>(),
            Ok(ServiceKind::BusinessCentral)
        );
        assert!("sap".parse::<ServiceKind>().is_err());
    }

    #[test]
    fn guesses_kind_from_host() {
        assert_eq!(
            ServiceKind::guess_from_host("contoso.operations.dynamics.com"),
            ServiceKind::FinanceOperations
        );
        assert_eq!(
            ServiceKind::guess_from_host("api.businesscentral.dynamics.com"),
            ServiceKind::BusinessCentral
        );
        assert_eq!(
            ServiceKind::guess_from_host("org.crm4.dynamics.com"),
            ServiceKind::Dataverse
        );
        assert_eq!(
            ServiceKind::guess_from_host("services.odata.org"),
            ServiceKind::GenericOData
        );
    }
}
