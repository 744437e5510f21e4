//! The documented JSON answers of the environment discovery APIs, mapped to
//! [`DiscoveredEnvironment`]s, and their error bodies.

use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::environments::DiscoveredEnvironment;
use crate::odata::service_root::{ServiceKind, normalize_service_root};

/// Where every Business Central environment's OData APIs live.
const BUSINESS_CENTRAL_API: &str = "https://api.businesscentral.dynamics.com/";

#[derive(Deserialize)]
struct Wrapped<T> {
    value: Vec<T>,
}

/// One `Instance` of the Global Discovery Service (fields as documented in
/// <https://learn.microsoft.com/power-apps/developer/data-platform/webapi/samples/global-discovery-service-csharp>).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DataverseInstance {
    unique_name: Option<String>,
    url_name: Option<String>,
    friendly_name: Option<String>,
    /// 0 = enabled, 1 = disabled.
    state: Option<Value>,
    version: Option<String>,
    url: Option<String>,
    api_url: Option<String>,
    region: Option<String>,
}

/// One environment of the Business Central admin center API (fields as documented in
/// <https://learn.microsoft.com/dynamics365/business-central/dev-itpro/administration/administration-center-api_environments>).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BusinessCentralEnvironment {
    friendly_name: Option<String>,
    name: Option<String>,
    #[serde(rename = "type")]
    environment_type: Option<String>,
    application_family: Option<String>,
    application_version: Option<String>,
    version_details: Option<VersionDetails>,
    status: Option<String>,
    aad_tenant_id: Option<String>,
    country_code: Option<String>,
}

#[derive(Deserialize)]
struct VersionDetails {
    version: Option<String>,
}

fn present(text: Option<&String>) -> Option<&str> {
    text.map(|t| t.trim()).filter(|t| !t.is_empty())
}

fn detail(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<Vec<T>, String> {
    serde_json::from_slice::<Wrapped<T>>(body)
        .map(|w| w.value)
        .map_err(|e| format!("expected {{\"value\": [...]}}: {e}"))
}

/// The Dataverse environments in a Global Discovery Service `Instances` answer. The service
/// root is the environment's `Url` (the host Dataverse tokens are issued for) with
/// `/api/data/v9.2/`, or `ApiUrl` when `Url` is missing; instances without either are skipped.
pub(crate) fn dataverse_instances(body: &[u8]) -> Result<Vec<DiscoveredEnvironment>, String> {
    let instances: Vec<DataverseInstance> = parse(body)?;
    Ok(instances
        .iter()
        .filter_map(|i| {
            // `UrlName` (the environment's subdomain) reads best as an instance name.
            let id = present(i.url_name.as_ref()).or(present(i.unique_name.as_ref()))?;
            let host = present(i.url.as_ref()).or(present(i.api_url.as_ref()))?;
            let root = format!("{}/api/data/v9.2/", host.trim_end_matches('/'));
            let url = normalize_service_root(ServiceKind::Dataverse, &root).ok()?;
            let state = match &i.state {
                Some(Value::Number(n)) if n.as_str() == "0" => Some("Enabled"),
                Some(Value::Number(n)) if n.as_str() == "1" => Some("Disabled"),
                Some(Value::String(s)) => Some(s.as_str()),
                _ => None,
            };
            Some(DiscoveredEnvironment {
                name: present(i.friendly_name.as_ref()).unwrap_or(id).to_owned(),
                id: id.to_owned(),
                kind: ServiceKind::Dataverse,
                url,
                detail: detail(&[
                    present(i.region.as_ref()),
                    present(i.version.as_ref()),
                    state,
                ]),
            })
        })
        .collect())
}

/// The Business Central environments in an admin center API answer (other application
/// families are skipped). The service root is the environment's API v2.0 on Microsoft's
/// host: `https://api.businesscentral.dynamics.com/v2.0/{aadTenantId}/{name}/api/v2.0/`.
pub(crate) fn business_central_environments(
    body: &[u8],
) -> Result<Vec<DiscoveredEnvironment>, String> {
    let environments: Vec<BusinessCentralEnvironment> = parse(body)?;
    Ok(environments
        .iter()
        .filter(|e| {
            present(e.application_family.as_ref())
                .is_none_or(|f| f.eq_ignore_ascii_case("BusinessCentral"))
        })
        .filter_map(|e| {
            let name = present(e.name.as_ref())?;
            let tenant = present(e.aad_tenant_id.as_ref())?;
            let mut url = Url::parse(BUSINESS_CENTRAL_API).ok()?;
            url.path_segments_mut()
                .ok()?
                .pop_if_empty()
                .extend(["v2.0", tenant, name, "api", "v2.0", ""]);
            let url = normalize_service_root(ServiceKind::BusinessCentral, url.as_str()).ok()?;
            let version = present(e.application_version.as_ref()).or_else(|| {
                e.version_details
                    .as_ref()
                    .and_then(|v| present(v.version.as_ref()))
            });
            Some(DiscoveredEnvironment {
                name: present(e.friendly_name.as_ref()).unwrap_or(name).to_owned(),
                id: name.to_owned(),
                kind: ServiceKind::BusinessCentral,
                url,
                detail: detail(&[
                    present(e.environment_type.as_ref()),
                    present(e.country_code.as_ref()),
                    version,
                    present(e.status.as_ref()),
                ]),
            })
        })
        .collect())
}

/// The message of an error body: OData's `{"error": {"code", "message"}}` (Dataverse) or a
/// bare `{"code", "message"}` (Business Central's admin API), as `code: message`; else the
/// start of a non-empty text body.
pub(crate) fn error_message(body: &[u8]) -> Option<String> {
    if let Ok(json) = serde_json::from_slice::<Value>(body) {
        let error = json.get("error").filter(|e| e.is_object()).unwrap_or(&json);
        let text = |key: &str| {
            error
                .get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|t| !t.is_empty())
        };
        match (text("code"), text("message")) {
            (Some(code), Some(message)) => return Some(format!("{code}: {message}")),
            (None, Some(message)) => return Some(message.to_owned()),
            (Some(code), None) => return Some(code.to_owned()),
            (None, None) => {}
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    (!text.is_empty()).then(|| text.chars().take(300).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dataverse_instances_map_url_state_and_skip_unusable_ones() {
        let body = br#"{"value": [
            {"Id": "1", "UniqueName": "unq1", "UrlName": "contoso", "FriendlyName": "Contoso",
             "State": 0, "Version": "9.2.25011.00190", "Url": "https://contoso.crm.dynamics.com",
             "ApiUrl": "https://contoso.api.crm.dynamics.com", "Region": "NA"},
            {"UniqueName": "unq2", "State": 1, "ApiUrl": "https://fabrikam.api.crm4.dynamics.com/"},
            {"UniqueName": "nourl", "FriendlyName": "No URL"}
        ]}"#;
        let found = dataverse_instances(body).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, "Contoso");
        assert_eq!(found[0].id, "contoso");
        assert_eq!(
            found[1].id, "unq2",
            "the unique name when there is no URL name"
        );
        assert_eq!(
            found[0].url.as_str(),
            "https://contoso.crm.dynamics.com/api/data/v9.2/"
        );
        assert_eq!(found[0].detail, "NA · 9.2.25011.00190 · Enabled");
        assert_eq!(found[1].name, "unq2");
        assert_eq!(
            found[1].url.as_str(),
            "https://fabrikam.api.crm4.dynamics.com/api/data/v9.2/"
        );
        assert_eq!(found[1].detail, "Disabled");
        assert!(dataverse_instances(b"[]").is_err());
    }

    #[test]
    fn business_central_environments_get_api_roots_on_microsofts_host() {
        let body = br#"{"value": [
            {"friendlyName": "Production", "type": "Production", "name": "Production",
             "countryCode": "US", "applicationFamily": "BusinessCentral",
             "aadTenantId": "7e0c5c1a-0000-4000-8000-000000000001", "status": "Active",
             "versionDetails": {"version": "25.1.28213.29370"}},
            {"name": "My Sandbox", "type": "Sandbox", "applicationFamily": "BusinessCentral",
             "aadTenantId": "t1", "applicationVersion": "24.5.1.2", "status": "Preparing"},
            {"name": "Other", "applicationFamily": "SomeIsvApp", "aadTenantId": "t1"},
            {"name": "NoTenant", "applicationFamily": "BusinessCentral"}
        ]}"#;
        let found = business_central_environments(body).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].url.as_str(),
            "https://api.businesscentral.dynamics.com/v2.0/7e0c5c1a-0000-4000-8000-000000000001/Production/api/v2.0/"
        );
        assert_eq!(
            found[0].detail,
            "Production · US · 25.1.28213.29370 · Active"
        );
        assert_eq!(found[1].name, "My Sandbox");
        assert_eq!(
            found[1].url.as_str(),
            "https://api.businesscentral.dynamics.com/v2.0/t1/My%20Sandbox/api/v2.0/"
        );
        assert_eq!(found[1].detail, "Sandbox · 24.5.1.2 · Preparing");
    }

    #[test]
    fn error_messages_from_both_shapes_and_plain_text() {
        let odata = br#"{"error": {"code": "0x80072560", "message": "The user is not a member"}}"#;
        assert_eq!(
            error_message(odata).as_deref(),
            Some("0x80072560: The user is not a member")
        );
        let bare = br#"{"code": "EntityNotFound", "message": "No environments"}"#;
        assert_eq!(
            error_message(bare).as_deref(),
            Some("EntityNotFound: No environments")
        );
        assert_eq!(
            error_message(b" gateway down ").as_deref(),
            Some("gateway down")
        );
        assert_eq!(error_message(b""), None);
    }
}
