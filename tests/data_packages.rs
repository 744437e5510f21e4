//! The data management package REST API end to end against the embedded demo instance:
//! a data project exported from one company and imported into another (checked row by row
//! on the server), an import with bad rows (`PartiallySucceeded`, its errors and error keys
//! file), a package the client built read by the server, and the storage URL's signature.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

use std::time::Duration;

use flowbench::connector::Session;
use flowbench::connector::bulk::{ExecutionStatus, WaitOptions, dmf, wait_for_execution};
use flowbench::connector::package::Package;
use flowbench::demo::{DemoConfig, DemoThread};
use flowbench::odata::client::ODataClient;
use serde_json::{Value, json};

fn demo() -> (DemoThread, Session) {
    let demo = DemoThread::start(DemoConfig {
        rows: 20,
        ..DemoConfig::default()
    })
    .unwrap();
    let session = Session::open(demo.service_root(), None).unwrap();
    (demo, session)
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn options() -> WaitOptions {
    WaitOptions {
        timeout: Duration::from_secs(60),
        interval: Duration::from_millis(20),
        max_interval: Duration::from_millis(200),
    }
}

/// Every customer group of `company`, by id, read over OData across companies.
async fn groups(client: &ODataClient, company: &str) -> Vec<Value> {
    let page = client
        .list_page(
            "CustomerGroups",
            &format!(
                "cross-company=true&$filter=dataAreaId eq '{company}'&$orderby=CustomerGroupId"
            ),
        )
        .await
        .unwrap();
    page.items
}

#[test]
fn a_data_project_exported_from_one_company_imports_into_another_row_by_row() {
    let (_demo, session) = demo();
    let client = &session.client;
    block_on(async {
        let new = json!({"dataAreaId": "usmf", "CustomerGroupId": "EXP-1", "Description": "Only in usmf, with \"quotes\", commas",
                         "PaymentTermId": "Net10", "IsSalesTaxIncludedInPrice": "Yes"});
        client.create_record("CustomerGroups", &new).await.unwrap();

        let export = dmf::export_to_package(client, "CustomerGroups", "groups.zip", "usmf")
            .await
            .unwrap();
        let status = wait_for_execution(client, &export, options(), |_, _| {})
            .await
            .unwrap();
        assert_eq!(status, ExecutionStatus::Succeeded);
        let url = dmf::exported_package_url(client, &export).await.unwrap();
        assert!(url.contains("/dmf/blobs/"), "{url}");
        let bytes = dmf::download(client, &url).await.unwrap();
        let package = Package::from_zip(&bytes, "export.zip").unwrap();
        let data = package.entity("CustomerGroups").unwrap();
        let source = groups(client, "usmf").await;
        assert_eq!(data.rows.len(), source.len());

        let import = dmf::upload_and_import(client, bytes.to_vec(), "Groups to demf", "demf")
            .await
            .unwrap();
        let status = wait_for_execution(client, &import, options(), |_, _| {})
            .await
            .unwrap();
        assert_eq!(
            status,
            ExecutionStatus::Succeeded,
            "{:?}",
            dmf::execution_errors(client, &import).await
        );

        let target = groups(client, "demf").await;
        for row in &source {
            let id = &row["CustomerGroupId"];
            let copy = target
                .iter()
                .find(|t| &t["CustomerGroupId"] == id)
                .unwrap_or_else(|| panic!("{id} was not imported into demf"));
            for field in ["Description", "PaymentTermId", "IsSalesTaxIncludedInPrice"] {
                assert_eq!(copy[field], row[field], "{id}.{field}");
            }
            assert_eq!(copy["dataAreaId"], "demf");
        }
        // The project the import created can be exported in turn.
        let again = dmf::export_to_package(client, "Groups to demf", "", "demf")
            .await
            .unwrap();
        assert_eq!(
            wait_for_execution(client, &again, options(), |_, _| {})
                .await
                .unwrap(),
            ExecutionStatus::Succeeded
        );
    });
}

const BAD_ROWS: &str = "dataAreaId,CustomerGroupId,Description,IsSalesTaxIncludedInPrice
usmf,OK-1,A good row,No
usmf,MUCH-TOO-LONG-ID,Key longer than 10,No
usmf,BAD-ENUM,Not a NoYes member,Maybe
usmf,,No key at all,No
usmf,OK-2,Another good row,Yes
";

#[test]
fn an_import_with_bad_rows_partially_succeeds_with_its_errors_and_error_keys() {
    let (_demo, session) = demo();
    let client = &session.client;
    block_on(async {
        let package = Package::from_csv("CustomerGroups", BAD_ROWS.as_bytes(), "bad.csv").unwrap();
        let execution =
            dmf::upload_and_import(client, package.to_zip().unwrap(), "Bad rows", "usrt")
                .await
                .unwrap();
        let mut seen = Vec::new();
        let status = wait_for_execution(client, &execution, options(), |s, _| seen.push(s.clone()))
            .await
            .unwrap();
        assert_eq!(status, ExecutionStatus::PartiallySucceeded);
        assert!(
            seen.iter().all(|s| matches!(
                s,
                ExecutionStatus::Executing | ExecutionStatus::PartiallySucceeded
            )),
            "{seen:?}"
        );

        let errors = dmf::execution_errors(client, &execution).await.unwrap();
        let lines: Vec<u64> = errors
            .iter()
            .map(|e| e["LineNumber"].as_u64().unwrap())
            .collect();
        assert_eq!(lines, [3, 4, 5], "{errors:#?}");
        assert!(
            errors[0]["ErrorMessage"]
                .as_str()
                .unwrap()
                .contains("too long"),
            "{errors:#?}"
        );
        assert!(
            errors[1]["ErrorMessage"]
                .as_str()
                .unwrap()
                .contains("Maybe"),
            "{errors:#?}"
        );
        assert_eq!(
            errors[1]["Keys"],
            json!({"dataAreaId": "usrt", "CustomerGroupId": "BAD-ENUM"})
        );

        // The good rows are in, the bad ones are not.
        let ids: Vec<Value> = groups(client, "usrt")
            .await
            .into_iter()
            .map(|g| g["CustomerGroupId"].clone())
            .collect();
        assert!(
            ids.contains(&json!("OK-1")) && ids.contains(&json!("OK-2")),
            "{ids:?}"
        );
        assert!(!ids.contains(&json!("BAD-ENUM")));

        assert_eq!(
            dmf::error_keys_url(client, &execution, "CustomerGroups")
                .await
                .unwrap(),
            ""
        );
        assert!(
            dmf::generate_error_keys(client, &execution, "CustomerGroups")
                .await
                .unwrap()
        );
        let url = dmf::error_keys_url(client, &execution, "CustomerGroups")
            .await
            .unwrap();
        let keys = dmf::download(client, &url).await.unwrap();
        let keys = String::from_utf8_lossy(keys.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&keys[..]))
            .into_owned();
        assert_eq!(
            keys,
            // The row without a key is listed with its empty key.
            "dataAreaId,CustomerGroupId\nusrt,MUCH-TOO-LONG-ID\nusrt,BAD-ENUM\nusrt,\n"
        );
        // An entity without errors has no error keys file.
        assert!(
            !dmf::generate_error_keys(client, &execution, "Warehouses")
                .await
                .unwrap()
        );
    });
}

#[test]
fn unknown_executions_projects_companies_and_packages_are_answered_as_documented() {
    let (_demo, session) = demo();
    let client = &session.client;
    block_on(async {
        assert_eq!(
            dmf::status(client, "no-such-execution").await.unwrap(),
            ExecutionStatus::Unknown
        );
        let err = dmf::export_to_package(client, "No such project", "", "usmf")
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("'No such project' does not exist"),
            "{err}"
        );
        let err = dmf::export_to_package(client, "CustomerGroups", "", "zzzz")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("'zzzz' does not exist"), "{err}");

        // A package whose entity the instance does not have fails with that error.
        let package = Package::from_csv("NoSuchEntities", b"A,B\n1,2\n", "x.csv").unwrap();
        let execution = dmf::upload_and_import(client, package.to_zip().unwrap(), "Nope", "usmf")
            .await
            .unwrap();
        assert_eq!(
            wait_for_execution(client, &execution, options(), |_, _| {})
                .await
                .unwrap(),
            ExecutionStatus::Failed
        );
        let errors = dmf::execution_errors(client, &execution).await.unwrap();
        assert!(
            errors[0]["ErrorMessage"]
                .as_str()
                .unwrap()
                .contains("'NoSuchEntities' does not exist"),
            "{errors:?}"
        );
    });
}

#[test]
fn the_write_url_takes_the_package_only_with_its_signature() {
    let (_demo, session) = demo();
    let client = &session.client;
    block_on(async {
        let target = dmf::write_url(client, "mine.zip").await.unwrap();
        assert!(target.blob_id.starts_with('{') && target.blob_id.ends_with('}'));
        let unsigned = target.blob_url.split('?').next().unwrap().to_owned();
        let err = dmf::upload(client, &unsigned, b"PK".to_vec())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("403"), "{err}");
        // Importing from a URL nothing was uploaded to is refused at once.
        let err = dmf::import_from_package(
            client,
            &dmf::ImportParams {
                package_url: target.blob_url.clone(),
                project: "P".into(),
                execution_id: String::new(),
                execute: true,
                overwrite: true,
                company: "usmf".into(),
            },
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("Nothing was uploaded"), "{err}");
    });
}

#[test]
fn the_actions_are_declared_in_metadata_bound_to_the_definition_groups() {
    let (_demo, session) = demo();
    block_on(async {
        let document = session.client.metadata_document().await.unwrap();
        let text = String::from_utf8_lossy(&document);
        assert!(text.contains("<EntitySet Name=\"DataManagementDefinitionGroups\""));
        // The document still parses, with the actions bound to the collection.
        session.metadata().await.unwrap();
        for action in [
            "GetAzureWriteUrl",
            "ImportFromPackage",
            "ExportToPackage",
            "GetExecutionSummaryStatus",
            "GetExportedPackageUrl",
            "GetExecutionErrors",
            "GenerateImportTargetErrorKeysFile",
            "GetImportTargetErrorKeysFileUrl",
        ] {
            assert!(text.contains(action), "{action} missing from $metadata");
        }
    });
}
