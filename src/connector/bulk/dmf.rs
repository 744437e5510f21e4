//! The actions of the data management package REST API, bound to
//! `DataManagementDefinitionGroups`, with their documented parameters and results; and the
//! transfer of packages to and from the storage URLs they hand out (no bearer token is sent
//! there: the URL carries its own signature).

use bytes::Bytes;
use reqwest::Method;
use serde_json::{Value, json};

use super::{BulkError, ExecutionStatus};
use crate::odata::client::{
    ODataClient, ODataRequest, OperationArg, OperationCall, OperationKind, OperationTarget,
};

/// The entity set the actions are bound to.
pub const DMF_SET: &str = "DataManagementDefinitionGroups";
const NAMESPACE: &str = "Microsoft.Dynamics.DataEntities";

/// A writable blob for a package (`GetAzureWriteUrl`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteUrl {
    /// `BlobId`.
    pub blob_id: String,
    /// `BlobUrl`: where to `PUT` the package.
    pub blob_url: String,
}

/// The parameters of `ImportFromPackage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportParams {
    /// `packageUrl`: the uploaded package.
    pub package_url: String,
    /// `definitionGroupId`: the data project.
    pub project: String,
    /// `executionId`: empty for a new one.
    pub execution_id: String,
    /// `execute`: run the target step.
    pub execute: bool,
    /// `overwrite`: replace the project's definition.
    pub overwrite: bool,
    /// `legalEntityId`: the company.
    pub company: String,
}

/// The call of action `name` with JSON `args`.
pub fn call(name: &str, args: Value) -> OperationCall {
    let args = match args {
        Value::Object(map) => map
            .into_iter()
            .map(|(n, v)| OperationArg::json(n, v))
            .collect(),
        _ => Vec::new(),
    };
    OperationCall {
        target: OperationTarget::EntitySet(DMF_SET.to_owned()),
        kind: OperationKind::Action,
        name: format!("{NAMESPACE}.{name}"),
        args,
    }
}

/// Runs action `name` and returns its `value` (unwrapping the `{"value": …}` object the
/// documentation shows around some results).
pub async fn invoke(client: &ODataClient, name: &str, args: Value) -> Result<Value, BulkError> {
    let body = client.execute(&call(name, args)).await?;
    let value = body
        .as_ref()
        .and_then(|b| b.get("value"))
        .cloned()
        .ok_or_else(|| BulkError::Unexpected {
            call: name.to_owned(),
            expected: "a JSON answer with a value".into(),
            found: body
                .as_ref()
                .map_or_else(|| "no content".to_owned(), Value::to_string),
        })?;
    Ok(match value {
        Value::Object(mut map) if map.len() == 1 && map.contains_key("value") => {
            map.remove("value").unwrap_or(Value::Null)
        }
        other => other,
    })
}

fn text(call: &str, value: Value) -> Result<String, BulkError> {
    match value {
        Value::String(s) => Ok(s),
        Value::Null => Ok(String::new()),
        other => Err(BulkError::Unexpected {
            call: call.to_owned(),
            expected: "a string".into(),
            found: other.to_string(),
        }),
    }
}

/// `GetAzureWriteUrl(uniqueFileName)`: F&O answers the blob as a JSON object inside a
/// string; an object is read as well.
pub async fn write_url(
    client: &ODataClient,
    unique_file_name: &str,
) -> Result<WriteUrl, BulkError> {
    let value = invoke(
        client,
        "GetAzureWriteUrl",
        json!({"uniqueFileName": unique_file_name}),
    )
    .await?;
    let object = match &value {
        Value::String(s) => serde_json::from_str::<Value>(s).unwrap_or(Value::Null),
        other => other.clone(),
    };
    let field = |name: &str| object.get(name).and_then(Value::as_str).map(str::to_owned);
    match (field("BlobId"), field("BlobUrl")) {
        (Some(blob_id), Some(blob_url)) => Ok(WriteUrl { blob_id, blob_url }),
        _ => Err(BulkError::Unexpected {
            call: "GetAzureWriteUrl".into(),
            expected: "BlobId and BlobUrl".into(),
            found: value.to_string(),
        }),
    }
}

/// `PUT`s `package` to a writable blob URL (as a block blob).
pub async fn upload(
    client: &ODataClient,
    blob_url: &str,
    package: Vec<u8>,
) -> Result<(), BulkError> {
    let url = client.resolve(blob_url)?;
    let request = ODataRequest::new(Method::PUT, url)
        .header("x-ms-blob-type", "BlockBlob")
        .header("Content-Type", "application/zip")
        .body(Bytes::from(package))
        .without_token();
    client.send(request).await?;
    Ok(())
}

/// `GET`s a file from a storage URL (an exported package, an error file).
pub async fn download(client: &ODataClient, url: &str) -> Result<Bytes, BulkError> {
    let url = client.resolve(url)?;
    let request = ODataRequest::new(Method::GET, url)
        .header("Accept", "*/*")
        .without_token();
    Ok(client.send(request).await?.body)
}

/// `ImportFromPackage`: the execution id.
pub async fn import_from_package(
    client: &ODataClient,
    params: &ImportParams,
) -> Result<String, BulkError> {
    let value = invoke(
        client,
        "ImportFromPackage",
        json!({
            "packageUrl": params.package_url,
            "definitionGroupId": params.project,
            "executionId": params.execution_id,
            "execute": params.execute,
            "overwrite": params.overwrite,
            "legalEntityId": params.company,
        }),
    )
    .await?;
    text("ImportFromPackage", value)
}

/// `ExportToPackage`: the execution id.
pub async fn export_to_package(
    client: &ODataClient,
    project: &str,
    package_name: &str,
    company: &str,
) -> Result<String, BulkError> {
    let value = invoke(
        client,
        "ExportToPackage",
        json!({
            "definitionGroupId": project,
            "packageName": package_name,
            "executionId": "",
            "reExecute": false,
            "legalEntityId": company,
        }),
    )
    .await?;
    text("ExportToPackage", value)
}

/// `GetExecutionSummaryStatus`.
pub async fn status(
    client: &ODataClient,
    execution_id: &str,
) -> Result<ExecutionStatus, BulkError> {
    let value = invoke(
        client,
        "GetExecutionSummaryStatus",
        json!({"executionId": execution_id}),
    )
    .await?;
    Ok(ExecutionStatus::parse(&text(
        "GetExecutionSummaryStatus",
        value,
    )?))
}

/// `GetExportedPackageUrl`: empty while there is none.
pub async fn exported_package_url(
    client: &ODataClient,
    execution_id: &str,
) -> Result<String, BulkError> {
    let value = invoke(
        client,
        "GetExportedPackageUrl",
        json!({"executionId": execution_id}),
    )
    .await?;
    text("GetExportedPackageUrl", value)
}

/// `GetExecutionErrors`: the error messages (a JSON list inside a string; each item kept
/// as the service sent it).
pub async fn execution_errors(
    client: &ODataClient,
    execution_id: &str,
) -> Result<Vec<Value>, BulkError> {
    let value = invoke(
        client,
        "GetExecutionErrors",
        json!({"executionId": execution_id}),
    )
    .await?;
    let list = match value {
        Value::String(s) if s.trim().is_empty() => Value::Array(Vec::new()),
        Value::String(s) => {
            serde_json::from_str(&s).unwrap_or(Value::Array(vec![Value::String(s)]))
        }
        other => other,
    };
    Ok(match list {
        Value::Array(items) => items,
        other => vec![other],
    })
}

/// `GenerateImportTargetErrorKeysFile`: whether the entity had errors.
pub async fn generate_error_keys(
    client: &ODataClient,
    execution_id: &str,
    entity: &str,
) -> Result<bool, BulkError> {
    let value = invoke(
        client,
        "GenerateImportTargetErrorKeysFile",
        json!({"executionId": execution_id, "entityName": entity}),
    )
    .await?;
    value.as_bool().ok_or_else(|| BulkError::Unexpected {
        call: "GenerateImportTargetErrorKeysFile".into(),
        expected: "true or false".into(),
        found: value.to_string(),
    })
}

/// `GetImportTargetErrorKeysFileUrl`: empty while it is being generated or when none.
pub async fn error_keys_url(
    client: &ODataClient,
    execution_id: &str,
    entity: &str,
) -> Result<String, BulkError> {
    let value = invoke(
        client,
        "GetImportTargetErrorKeysFileUrl",
        json!({"executionId": execution_id, "entityName": entity}),
    )
    .await?;
    text("GetImportTargetErrorKeysFileUrl", value)
}

/// Uploads `package` and starts its import: `GetAzureWriteUrl`, `PUT`, `ImportFromPackage`.
/// The execution id.
pub async fn upload_and_import(
    client: &ODataClient,
    package: Vec<u8>,
    project: &str,
    company: &str,
) -> Result<String, BulkError> {
    let name = format!("{}.zip", uuid::Uuid::new_v4());
    let target = write_url(client, &name).await?;
    upload(client, &target.blob_url, package).await?;
    import_from_package(
        client,
        &ImportParams {
            package_url: target.blob_url,
            project: project.to_owned(),
            execution_id: String::new(),
            execute: true,
            overwrite: true,
            company: company.to_owned(),
        },
    )
    .await
}
