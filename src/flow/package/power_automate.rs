//! Power Automate's export package (My flows → Export → Package (.zip)): a root
//! `manifest.json` listing the flow and the connectors it needs,
//! `Microsoft.Flow/flows/manifest.json`, and per flow `definition.json` (the flow with
//! its connection references), `apisMap.json` and `connectionsMap.json`. Solution zips
//! (`Workflows/<Name>-<GUID>.json`) are read too.

use std::io::Read;

use serde_json::{Map, Value, json};

use super::connector_style::{MANAGED_API, POWER_AUTOMATE_API_ID, POWER_AUTOMATE_CONNECTION};
use super::convert::Conversion;
use super::layout::{Layout, Package, guid_from, json_bytes};
use super::{Note, PackageError};
use crate::flow::file::FlowFile;

/// The largest file read from a package (a definition is far smaller).
const MAX_ENTRY_BYTES: u64 = 64 * 1024 * 1024;

/// The package for `flow`, named `name`, holding `conversion`'s definition.
pub fn package(
    flow: &FlowFile,
    name: &str,
    conversion: &Conversion,
) -> Result<Package, PackageError> {
    let wrapper = flow.document();
    let existing_name = wrapper
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| uuid::Uuid::parse_str(n).is_ok())
        .map(str::to_owned);
    let flow_guid = existing_name.unwrap_or_else(|| guid_from(&format!("flow:{name}")));
    let folder = guid_from(&format!("package:{flow_guid}"));
    let references = connection_references(&wrapper, &conversion.definition);
    let description = flow.flowbench_metadata().description.unwrap_or_default();
    let mut resources = Map::new();
    let mut depends_on = Vec::new();
    let mut apis_map = Map::new();
    let mut connections_map = Map::new();
    for (reference, details) in &references {
        let api_id = details
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or(POWER_AUTOMATE_API_ID)
            .to_owned();
        let api_guid = guid_from(&format!("api:{flow_guid}:{reference}"));
        let connection_guid = guid_from(&format!("connection:{flow_guid}:{reference}"));
        let display = if reference == POWER_AUTOMATE_CONNECTION {
            "Fin & Ops Apps (Dynamics 365)".to_owned()
        } else {
            reference.trim_start_matches("shared_").to_owned()
        };
        resources.insert(
            api_guid.clone(),
            json!({
                "id": api_id,
                "name": reference,
                "type": "Microsoft.PowerApps/apis",
                "suggestedCreationType": "Existing",
                "details": {"displayName": display},
                "configurableBy": "System",
                "hierarchy": "Child",
                "dependsOn": []
            }),
        );
        resources.insert(
            connection_guid.clone(),
            json!({
                "type": "Microsoft.PowerApps/apis/connections",
                "suggestedCreationType": "Existing",
                "creationType": "Existing",
                "details": {"displayName": display},
                "configurableBy": "User",
                "hierarchy": "Child",
                "dependsOn": [api_guid]
            }),
        );
        depends_on.push(Value::String(api_guid.clone()));
        depends_on.push(Value::String(connection_guid.clone()));
        apis_map.insert(reference.clone(), Value::String(api_guid));
        connections_map.insert(reference.clone(), Value::String(connection_guid));
    }
    let mut all_resources = Map::new();
    all_resources.insert(
        folder.clone(),
        json!({
            "type": "Microsoft.Flow/flows",
            "suggestedCreationType": "New",
            "creationType": "Existing, New, Update",
            "details": {"displayName": name},
            "configurableBy": "User",
            "hierarchy": "Root",
            "dependsOn": depends_on
        }),
    );
    all_resources.extend(resources);
    let manifest = json!({
        "schema": "1.0",
        "details": {
            "displayName": name,
            "description": description,
            "createdTime": created_time(),
            "packageTelemetryId": guid_from(&format!("telemetry:{flow_guid}")),
            "creator": "Flowbench",
            "sourceEnvironment": ""
        },
        "resources": all_resources
    });
    let definition = json!({
        "name": flow_guid,
        "id": format!("/providers/Microsoft.Flow/flows/{flow_guid}"),
        "type": "Microsoft.Flow/flows",
        "properties": {
            "apiId": "/providers/Microsoft.PowerApps/apis/shared_logicflows",
            "displayName": name,
            "definition": conversion.definition,
            "connectionReferences": references,
            "flowFailureAlertSubscribed": false,
            "isManaged": false
        }
    });
    let base = format!("Microsoft.Flow/flows/{folder}");
    Ok(Package {
        layout: Layout::Zip,
        files: vec![
            ("manifest.json".to_owned(), json_bytes(&manifest)),
            (
                "Microsoft.Flow/flows/manifest.json".to_owned(),
                json_bytes(
                    &json!({"packageSchemaVersion": "1.0", "flowAssets": {"assetPaths": [folder]}}),
                ),
            ),
            (format!("{base}/definition.json"), json_bytes(&definition)),
            (
                format!("{base}/apisMap.json"),
                json_bytes(&Value::Object(apis_map)),
            ),
            (
                format!("{base}/connectionsMap.json"),
                json_bytes(&Value::Object(connections_map)),
            ),
        ],
    })
}

/// Now with seven fractional digits, as Power Automate writes times.
fn created_time() -> String {
    let now = chrono::Utc::now();
    format!(
        "{}.{:07}Z",
        now.format("%Y-%m-%dT%H:%M:%S"),
        chrono::Timelike::nanosecond(&now) / 100
    )
}

/// The connection references the definition's steps use: the Finance & Operations
/// connector's, and other connectors' as the flow file had them.
fn connection_references(wrapper: &Value, definition: &Map<String, Value>) -> Map<String, Value> {
    let existing = wrapper
        .pointer("/properties/connectionReferences")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut used: Vec<String> = Vec::new();
    for (_, element) in super::walk::steps_and_triggers(definition) {
        let host = element.pointer("/inputs/host");
        let reference = host
            .and_then(|h| {
                h.get("connectionName")
                    .or_else(|| h.pointer("/connection/name"))
            })
            .and_then(Value::as_str);
        if let Some(reference) = reference
            && !reference.starts_with('@')
            && !used.iter().any(|u| u == reference)
        {
            used.push(reference.to_owned());
        }
    }
    let mut references = Map::new();
    for reference in used {
        let entry = existing.get(&reference).cloned().unwrap_or_else(|| {
            let api = reference.trim_start_matches("shared_");
            json!({
                "connectionName": reference,
                "source": "Embedded",
                "id": format!("/providers/Microsoft.PowerApps/apis/shared_{api}"),
                "tier": "NotSpecified",
                "apiName": api
            })
        });
        references.insert(reference, entry);
    }
    if references.is_empty() {
        references.insert(
            POWER_AUTOMATE_CONNECTION.to_owned(),
            json!({"connectionName": POWER_AUTOMATE_CONNECTION, "source": "Embedded", "id": POWER_AUTOMATE_API_ID, "tier": "NotSpecified", "apiName": MANAGED_API}),
        );
    }
    references
}

/// A flow read from a package.
pub struct FromPackage {
    /// The flow (Power Automate's wrapper, the definition inside).
    pub flow: FlowFile,
    /// The display name.
    pub name: String,
    /// What the reader noticed.
    pub notes: Vec<Note>,
}

/// Reads the flow of a Power Automate export or solution zip; `choice` picks one by
/// display name or id when it holds several.
pub fn read(bytes: &[u8], path: &str, choice: Option<&str>) -> Result<FromPackage, PackageError> {
    let read_error = |message: String| PackageError::Read {
        path: path.to_owned(),
        message,
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| read_error(format!("not a readable zip archive: {e}")))?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .map(|name| name.into_owned())
        .collect();
    let mut candidates: Vec<String> = names
        .iter()
        .filter(|n| {
            let n = n.replace('\\', "/");
            (n.starts_with("Microsoft.Flow/flows/") && n.ends_with("/definition.json"))
                || (n.starts_with("Workflows/") && n.ends_with(".json"))
        })
        .cloned()
        .collect();
    candidates.sort();
    if candidates.is_empty() {
        return Err(read_error(
            "expected a Power Automate package: Microsoft.Flow/flows/<id>/definition.json (an export package) or Workflows/<name>.json (a solution), found neither".to_owned(),
        ));
    }
    let mut flows = Vec::new();
    for entry in &candidates {
        let text = read_entry(&mut archive, entry).map_err(&read_error)?;
        let flow = FlowFile::parse(&text).map_err(|e| read_error(format!("{entry}: {e}")))?;
        let document = flow.document();
        let name = document
            .pointer("/properties/displayName")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| solution_flow_name(entry));
        flows.push((entry.clone(), name, flow));
    }
    let chosen = match choice {
        Some(wanted) => flows
            .into_iter()
            .find(|(entry, name, _)| name.eq_ignore_ascii_case(wanted) || entry.contains(wanted))
            .ok_or_else(|| read_error(format!("holds no flow named '{wanted}'")))?,
        None if flows.len() == 1 => flows.remove(0),
        None => {
            return Err(PackageError::Ambiguous {
                path: path.to_owned(),
                names: flows.into_iter().map(|(_, name, _)| name).collect(),
            });
        }
    };
    let (entry, name, flow) = chosen;
    Ok(FromPackage {
        flow,
        name,
        notes: vec![Note {
            at: entry.to_string(),
            message: "read from the Power Automate package".to_owned(),
        }],
    })
}

fn read_entry<R: std::io::Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<String, String> {
    let file = archive.by_name(name).map_err(|e| format!("{name}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_ENTRY_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: {e}"))?;
    if bytes.len() as u64 > MAX_ENTRY_BYTES {
        return Err(format!(
            "{name}: larger than {} MB, which no flow definition is",
            MAX_ENTRY_BYTES / 1024 / 1024
        ));
    }
    String::from_utf8(bytes).map_err(|_| format!("{name}: not UTF-8 text"))
}

/// `Workflows/Customer_sync-6F1A….json` → `Customer sync`.
fn solution_flow_name(entry: &str) -> String {
    let file = entry.rsplit('/').next().unwrap_or(entry);
    let stem = file.trim_end_matches(".json");
    let without_guid = match stem.len().checked_sub(37) {
        Some(cut)
            if stem.is_char_boundary(cut) && uuid::Uuid::parse_str(&stem[cut + 1..]).is_ok() =>
        {
            &stem[..cut]
        }
        _ => stem,
    };
    without_guid.replace('_', " ")
}
