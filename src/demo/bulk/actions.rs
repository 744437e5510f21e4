//! The data management package REST API: the actions bound to `DataManagementDefinitionGroups`
//! (`POST /data/DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.{Action}`)
//! with Microsoft's documented parameters and results.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use rusqlite::Connection;
use serde_json::{Map, Value, json};

use super::run::{start_export, start_import};
use super::tables::{self, Execution};
use super::{DMF_SET, blob_url};
use crate::demo::db::company_exists;
use crate::demo::error::ErrorAnswer;
use crate::demo::handler::ODataResponse;
use crate::demo::schema::NAMESPACE;
use crate::demo::server::{DemoState, to_http};

/// One action: name, parameters `(name, Edm type)`, return type.
pub type DmfAction = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

const EXECUTION: &[(&str, &str)] = &[("executionId", "Edm.String")];
const EXECUTION_ENTITY: &[(&str, &str)] =
    &[("executionId", "Edm.String"), ("entityName", "Edm.String")];

/// The actions the demo implements, as `$metadata` declares them.
pub const DMF_ACTIONS: &[DmfAction] = &[
    (
        "GetAzureWriteUrl",
        &[("uniqueFileName", "Edm.String")],
        "Edm.String",
    ),
    (
        "ImportFromPackage",
        &[
            ("packageUrl", "Edm.String"),
            ("definitionGroupId", "Edm.String"),
            ("executionId", "Edm.String"),
            ("execute", "Edm.Boolean"),
            ("overwrite", "Edm.Boolean"),
            ("legalEntityId", "Edm.String"),
        ],
        "Edm.String",
    ),
    (
        "ExportToPackage",
        &[
            ("definitionGroupId", "Edm.String"),
            ("packageName", "Edm.String"),
            ("executionId", "Edm.String"),
            ("reExecute", "Edm.Boolean"),
            ("legalEntityId", "Edm.String"),
        ],
        "Edm.String",
    ),
    ("GetExportedPackageUrl", EXECUTION, "Edm.String"),
    ("GetExecutionSummaryStatus", EXECUTION, "Edm.String"),
    (
        "GetEntityExecutionSummaryStatusList",
        EXECUTION,
        "Edm.String",
    ),
    ("GetExecutionErrors", EXECUTION, "Edm.String"),
    (
        "GenerateImportTargetErrorKeysFile",
        EXECUTION_ENTITY,
        "Edm.Boolean",
    ),
    (
        "GetImportTargetErrorKeysFileUrl",
        EXECUTION_ENTITY,
        "Edm.String",
    ),
    (
        "GetImportStagingErrorFileUrl",
        EXECUTION_ENTITY,
        "Edm.String",
    ),
];

/// The parameters of a call, checked against the action's declaration.
struct Params {
    action: &'static str,
    map: Map<String, Value>,
}

impl Params {
    fn text(&self, name: &str) -> Result<String, ErrorAnswer> {
        match self.map.get(name) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Null) | None => Err(ErrorAnswer::bad_request(format!(
                "The parameter '{name}' of the action '{}' is missing.",
                self.action
            ))),
            Some(other) => Err(ErrorAnswer::bad_request(format!(
                "Cannot convert the literal '{other}' to the expected type 'Edm.String' for parameter '{name}'."
            ))),
        }
    }

    fn flag(&self, name: &str) -> Result<bool, ErrorAnswer> {
        match self.map.get(name) {
            Some(Value::Bool(b)) => Ok(*b),
            None => Err(ErrorAnswer::bad_request(format!(
                "The parameter '{name}' of the action '{}' is missing.",
                self.action
            ))),
            Some(other) => Err(ErrorAnswer::bad_request(format!(
                "Cannot convert the literal '{other}' to the expected type 'Edm.Boolean' for parameter '{name}'."
            ))),
        }
    }
}

fn parse(action: &str, body: &[u8]) -> Result<Params, ErrorAnswer> {
    let name = action
        .strip_prefix(NAMESPACE)
        .and_then(|s| s.strip_prefix('.'))
        .unwrap_or(action);
    let Some((declared, params, _)) = DMF_ACTIONS.iter().find(|(n, _, _)| *n == name) else {
        return Err(ErrorAnswer::not_found(format!(
            "No HTTP resource was found that matches the request URI '{DMF_SET}/{action}'."
        )));
    };
    let map = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => map,
            _ => {
                return Err(ErrorAnswer::bad_request(
                    "The request body must be a JSON object.",
                ));
            }
        }
    };
    if let Some(extra) = map.keys().find(|k| !params.iter().any(|(p, _)| p == k)) {
        return Err(ErrorAnswer::bad_request(format!(
            "The parameter '{extra}' in the request payload is not a valid parameter for the operation '{declared}'."
        )));
    }
    Ok(Params {
        action: declared,
        map,
    })
}

fn value(state: &DemoState, ty: &str, value: Value) -> ODataResponse {
    ODataResponse::json(
        StatusCode::OK,
        &json!({"@odata.context": format!("{}$metadata#{ty}", state.ctx.service_root), "value": value}),
    )
}

fn internal(e: rusqlite::Error) -> ErrorAnswer {
    ErrorAnswer::internal(e.to_string())
}

/// `POST /data/DataManagementDefinitionGroups/{action}`.
pub async fn dmf_entry(
    State(state): State<DemoState>,
    Path(action): Path<String>,
    body: Bytes,
) -> Response {
    let answer = match parse(&action, &body) {
        Ok(params) => call(&state, params).await,
        Err(e) => Err(e),
    };
    to_http(answer.unwrap_or_else(|e| ODataResponse::error(&e)))
}

fn execution_of(conn: &Connection, id: &str) -> Result<Execution, ErrorAnswer> {
    tables::execution(conn, id)
        .map_err(internal)?
        .ok_or_else(|| ErrorAnswer::bad_request(format!("The execution '{id}' does not exist.")))
}

async fn call(state: &DemoState, params: Params) -> Result<ODataResponse, ErrorAnswer> {
    let origin = state.origin();
    let work_state = state.clone();
    let action = params.action;
    let answer = state
        .with_connection(move |_, conn| -> Result<(ODataResponse, Option<Start>), ErrorAnswer> {
            let state = &work_state;
            match action {
                "GetAzureWriteUrl" => {
                    let name = params.text("uniqueFileName")?;
                    let blob = tables::new_blob(conn, &name, None).map_err(internal)?;
                    let inner = json!({"BlobId": format!("{{{}}}", blob.id), "BlobUrl": blob_url(&origin, &blob)});
                    Ok((value(state, "Edm.String", Value::String(inner.to_string())), None))
                }
                "ImportFromPackage" => {
                    let url = params.text("packageUrl")?;
                    let project = params.text("definitionGroupId")?;
                    let given = params.text("executionId").unwrap_or_default();
                    let execute = params.flag("execute")?;
                    params.flag("overwrite")?;
                    let company = params.text("legalEntityId")?.to_lowercase();
                    check_company(conn, &company)?;
                    let blob = super::blob_of_url(conn, &url)?;
                    let execution = Execution {
                        id: if given.trim().is_empty() { tables::new_id() } else { given },
                        project,
                        operation: "Import".into(),
                        company,
                        status: if execute { "Executing" } else { "NotRun" }.into(),
                        package_blob: Some(blob),
                        summary: "[]".into(),
                    };
                    tables::insert_execution(conn, &execution).map_err(internal)?;
                    let id = execution.id.clone();
                    let start = execute.then_some(Start::Import(execution));
                    Ok((value(state, "Edm.String", Value::String(id)), start))
                }
                "ExportToPackage" => {
                    let project = params.text("definitionGroupId")?;
                    let package_name = params.text("packageName").unwrap_or_default();
                    let given = params.text("executionId").unwrap_or_default();
                    params.flag("reExecute")?;
                    let company = params.text("legalEntityId")?.to_lowercase();
                    check_company(conn, &company)?;
                    super::export::project_entities(conn, &project).map_err(ErrorAnswer::bad_request)?;
                    let execution = Execution {
                        id: if given.trim().is_empty() { tables::new_id() } else { given },
                        project,
                        operation: "Export".into(),
                        company,
                        status: "Executing".into(),
                        package_blob: None,
                        summary: "[]".into(),
                    };
                    tables::insert_execution(conn, &execution).map_err(internal)?;
                    let id = execution.id.clone();
                    Ok((value(state, "Edm.String", Value::String(id)), Some(Start::Export(execution, package_name))))
                }
                "GetExportedPackageUrl" => {
                    let execution = execution_of(conn, &params.text("executionId")?)?;
                    let url = match (&execution.operation[..], &execution.status[..], &execution.package_blob) {
                        ("Export", "Succeeded", Some(id)) => tables::blob(conn, id)
                            .map_err(internal)?
                            .map(|b| blob_url(&origin, &b))
                            .unwrap_or_default(),
                        _ => String::new(),
                    };
                    Ok((value(state, "Edm.String", Value::String(url)), None))
                }
                "GetExecutionSummaryStatus" => {
                    let id = params.text("executionId")?;
                    let status = tables::execution(conn, &id)
                        .map_err(internal)?
                        .map_or_else(|| "Unknown".to_owned(), |e| e.status);
                    Ok((value(state, "Edm.String", Value::String(status)), None))
                }
                "GetEntityExecutionSummaryStatusList" => {
                    let execution = execution_of(conn, &params.text("executionId")?)?;
                    Ok((value(state, "Edm.String", Value::String(execution.summary)), None))
                }
                "GetExecutionErrors" => {
                    let execution = execution_of(conn, &params.text("executionId")?)?;
                    let errors: Vec<Value> = tables::errors(conn, &execution.id)
                        .map_err(internal)?
                        .into_iter()
                        .map(|e| {
                            json!({
                                "EntityName": e.entity,
                                "LineNumber": e.line,
                                "Keys": serde_json::from_str::<Value>(&e.keys).unwrap_or(Value::Null),
                                "ErrorMessage": e.message,
                            })
                        })
                        .collect();
                    Ok((value(state, "Edm.String", Value::String(Value::Array(errors).to_string())), None))
                }
                "GenerateImportTargetErrorKeysFile" => {
                    let execution = execution_of(conn, &params.text("executionId")?)?;
                    let entity = params.text("entityName")?;
                    let exists = super::error_keys::generate(conn, &execution, &entity)?;
                    Ok((value(state, "Edm.Boolean", Value::Bool(exists)), None))
                }
                "GetImportTargetErrorKeysFileUrl" => {
                    let execution = execution_of(conn, &params.text("executionId")?)?;
                    let entity = params.text("entityName")?;
                    let url = super::error_keys::url(conn, &origin, &execution, &entity)?;
                    Ok((value(state, "Edm.String", Value::String(url)), None))
                }
                "GetImportStagingErrorFileUrl" => {
                    execution_of(conn, &params.text("executionId")?)?;
                    params.text("entityName")?;
                    Ok((value(state, "Edm.String", Value::String(String::new())), None))
                }
                other => Err(ErrorAnswer::bad_request(format!("The action '{other}' is not implemented."))),
            }
        })
        .await??;
    let (response, start) = answer;
    match start {
        Some(Start::Import(execution)) => start_import(state, execution, None),
        Some(Start::Export(execution, name)) => start_export(state, execution, name),
        None => {}
    }
    Ok(response)
}

/// Work to start once the call's answer is ready.
enum Start {
    Import(Execution),
    Export(Execution, String),
}

fn check_company(conn: &Connection, company: &str) -> Result<(), ErrorAnswer> {
    if company_exists(conn, company).map_err(|e| ErrorAnswer::internal(e.to_string()))? {
        Ok(())
    } else {
        Err(ErrorAnswer::bad_request(format!(
            "The legal entity '{company}' does not exist (the demo has usmf, usrt, demf, gbsi)."
        )))
    }
}
