//! Power Automate and Logic Apps packages in and out: every example flow exported for each
//! product (checked against the workflow definition schema and the packages' real shapes),
//! imported back with the same meaning; real-shaped packages of each kind imported; the
//! command line end to end, with the imported flow run against the demo instance.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use flowbench::demo::{DemoConfig, DemoThread};
use flowbench::flow::connector_step::is_connector_action;
use flowbench::flow::file::FlowFile;
use flowbench::flow::package::{
    self, ExportOptions, ImportOptions, Layout, PackageError, Source, Target, differences, schema,
};
use flowbench::flow::validate::all_actions;
use serde_json::{Value, json};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> Vec<PathBuf> {
    let dir = manifest_dir().join("assets/flows");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.push(dir.join("logic-apps-standard/list-groups/workflow.json"));
    files.sort();
    assert!(files.len() >= 9, "{files:?}");
    files
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

/// Every step and trigger of a definition, raw.
fn elements(definition: &serde_json::Map<String, Value>) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = all_actions(definition)
        .into_iter()
        .map(|(path, _, action)| (path.join("."), action.clone()))
        .collect();
    if let Some(Value::Object(triggers)) = definition.get("triggers") {
        out.extend(
            triggers
                .iter()
                .map(|(n, t)| (format!("triggers.{n}"), t.clone())),
        );
    }
    out
}

fn exported_definition(target: Target, package: &package::Package) -> Value {
    match target {
        Target::PowerAutomate => {
            let entry = package
                .files
                .iter()
                .find(|(n, _)| n.ends_with("/definition.json"))
                .unwrap();
            json_of(&entry.1)["properties"]["definition"].clone()
        }
        Target::LogicAppsStandard => {
            let entry = package
                .files
                .iter()
                .find(|(n, _)| n.ends_with("/workflow.json"))
                .unwrap();
            json_of(&entry.1)["definition"].clone()
        }
        Target::LogicAppsConsumption => {
            let template = json_of(&package.files[0].1);
            template["resources"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["type"] == "Microsoft.Logic/workflows")
                .unwrap()["properties"]["definition"]
                .clone()
        }
    }
}

fn check_shape(target: Target, package: &package::Package, name: &str) {
    match target {
        Target::PowerAutomate => {
            assert_eq!(package.layout, Layout::Zip);
            let manifest = json_of(package.file("manifest.json").unwrap());
            assert_eq!(manifest["schema"], "1.0");
            assert_eq!(manifest["details"]["displayName"], name);
            let resources = manifest["resources"].as_object().unwrap();
            let (root_id, root) = resources
                .iter()
                .find(|(_, r)| r["hierarchy"] == "Root")
                .unwrap();
            assert_eq!(root["type"], "Microsoft.Flow/flows");
            for dependency in root["dependsOn"].as_array().unwrap() {
                assert!(resources.contains_key(dependency.as_str().unwrap()));
            }
            let flows = json_of(package.file("Microsoft.Flow/flows/manifest.json").unwrap());
            assert_eq!(flows["flowAssets"]["assetPaths"], json!([root_id]));
            let base = format!("Microsoft.Flow/flows/{root_id}");
            let definition = json_of(package.file(&format!("{base}/definition.json")).unwrap());
            assert_eq!(definition["type"], "Microsoft.Flow/flows");
            assert_eq!(definition["properties"]["displayName"], name);
            let reference = &definition["properties"]["connectionReferences"]["shared_dynamicsax"];
            assert_eq!(reference["apiName"], "dynamicsax");
            assert_eq!(
                reference["id"],
                "/providers/Microsoft.PowerApps/apis/shared_dynamicsax"
            );
            let apis = json_of(package.file(&format!("{base}/apisMap.json")).unwrap());
            let connections = json_of(
                package
                    .file(&format!("{base}/connectionsMap.json"))
                    .unwrap(),
            );
            assert!(resources.contains_key(apis["shared_dynamicsax"].as_str().unwrap()));
            assert!(resources.contains_key(connections["shared_dynamicsax"].as_str().unwrap()));
            let parameters = &definition["properties"]["definition"]["parameters"];
            assert_eq!(parameters["$connections"]["type"], "Object");
            assert_eq!(parameters["$authentication"]["type"], "SecureObject");
        }
        Target::LogicAppsStandard => {
            assert_eq!(package.layout, Layout::Folder);
            let host = json_of(package.file("host.json").unwrap());
            assert_eq!(host["version"], "2.0");
            let connections = json_of(package.file("connections.json").unwrap());
            let dynamicsax = &connections["managedApiConnections"]["dynamicsax"];
            assert!(
                dynamicsax["api"]["id"]
                    .as_str()
                    .unwrap()
                    .ends_with("/managedApis/dynamicsax")
            );
            assert!(dynamicsax["connection"]["id"].is_string());
            assert!(package.file("parameters.json").is_some());
            let workflow = package
                .files
                .iter()
                .find(|(n, _)| n.ends_with("/workflow.json"))
                .unwrap();
            let kind = json_of(&workflow.1)["kind"].as_str().unwrap().to_owned();
            assert!(kind == "Stateful" || kind == "Stateless", "{kind}");
        }
        Target::LogicAppsConsumption => {
            assert_eq!(package.layout, Layout::File);
            let template = json_of(&package.files[0].1);
            assert!(
                template["$schema"]
                    .as_str()
                    .unwrap()
                    .contains("deploymentTemplate.json")
            );
            let resources = template["resources"].as_array().unwrap();
            assert!(
                resources
                    .iter()
                    .any(|r| r["type"] == "Microsoft.Web/connections")
            );
            let workflow = resources
                .iter()
                .find(|r| r["type"] == "Microsoft.Logic/workflows")
                .unwrap();
            assert!(workflow["properties"]["parameters"]["$connections"]["value"]["dynamicsax"]["connectionId"].is_string());
        }
    }
}

#[test]
fn every_example_exports_for_each_product_and_comes_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    for path in examples() {
        let flow = FlowFile::load(&path).unwrap();
        let name = flow.name_for(&path);
        for (target, target_name) in Target::ALL {
            let at = format!("{} → {target_name}", path.display());
            let exported = package::export(&flow, &name, target, &ExportOptions::default())
                .unwrap_or_else(|e| panic!("{at}: {e}"));
            check_shape(target, &exported.package, &name);
            let definition = exported_definition(target, &exported.package);
            assert_eq!(
                schema::check(definition.as_object().unwrap()),
                vec![],
                "{at}"
            );
            for (place, element) in elements(definition.as_object().unwrap()) {
                let kind = element["type"].as_str().unwrap_or("");
                assert_ne!(kind, "Assert", "{at}: {place} is still an Assert");
                if is_connector_action(&element) {
                    let expected = match target {
                        Target::PowerAutomate => "OpenApiConnection",
                        _ => "ApiConnection",
                    };
                    assert!(kind.starts_with(expected), "{at}: {place} is {kind}");
                    if target == Target::LogicAppsStandard {
                        assert_eq!(
                            element["inputs"]["host"]["connection"]["referenceName"], "dynamicsax",
                            "{at}: {place}"
                        );
                    }
                }
            }
            // Nothing of this machine: no metadata.flowbench settings, no local paths.
            let text = String::from_utf8_lossy(
                &exported
                    .package
                    .files
                    .iter()
                    .flat_map(|(_, b)| b.clone())
                    .collect::<Vec<u8>>(),
            )
            .into_owned();
            assert!(!text.contains("\"instance\""), "{at}");
            assert!(!text.contains(manifest_dir().to_str().unwrap()), "{at}");

            let written = dir.path().join(format!(
                "{}-{target_name}{}",
                path.file_stem().unwrap().to_string_lossy(),
                match target {
                    Target::PowerAutomate => ".zip",
                    Target::LogicAppsStandard => "",
                    Target::LogicAppsConsumption => ".arm.json",
                }
            ));
            exported.package.write_to(&written).unwrap();
            let imported = package::import(&written, &ImportOptions::default())
                .unwrap_or_else(|e| panic!("{at}: import: {e}"));
            let expected_source = match target {
                Target::PowerAutomate => Source::PowerAutomatePackage,
                Target::LogicAppsStandard => Source::LogicAppsStandard,
                Target::LogicAppsConsumption => Source::ArmTemplate,
            };
            assert_eq!(imported.source, expected_source, "{at}");
            let expected_name = match target {
                // A Standard workflow is named by its folder.
                Target::LogicAppsStandard => package::layout_file_name(&name),
                _ => name.clone(),
            };
            assert_eq!(imported.name, expected_name, "{at}");
            let different = differences(flow.definition(), imported.flow.definition());
            assert_eq!(different, Vec::<String>::new(), "{at}");
            assert_eq!(
                imported.hosts,
                vec!["contoso.operations.dynamics.com".to_owned()],
                "{at}"
            );
        }
    }
}

fn zip_folder(folder: &Path, to: &Path) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(folder)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                zip.start_file(name, options).unwrap();
                zip.write_all(&std::fs::read(&path).unwrap()).unwrap();
            }
        }
    }
    zip.finish().unwrap();
}

fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures/packages").join(name)
}

#[test]
fn real_shaped_packages_of_each_kind_are_imported() {
    let dir = tempfile::tempdir().unwrap();

    // Power Automate export package: the F&O step runs here, Outlook's is named.
    let zip_path = dir.path().join("NotifyOnNewCustomerGroup_20261014.zip");
    zip_folder(&fixture("power-automate-export"), &zip_path);
    let imported = package::import(&zip_path, &ImportOptions::default()).unwrap();
    assert_eq!(imported.source, Source::PowerAutomatePackage);
    assert_eq!(imported.name, "Notify on new customer group");
    let definition = imported.flow.definition();
    let get = &definition["actions"]["Get_a_record"];
    assert!(is_connector_action(get));
    assert_eq!(
        get["inputs"]["parameters"]["id"],
        "usmf,@{triggerBody()['text']}"
    );
    assert!(!is_connector_action(
        &definition["actions"]["Condition"]["actions"]["Send_an_email_(V2)"]
    ));
    assert_eq!(
        imported.hosts,
        vec!["contoso.operations.dynamics.com".to_owned()]
    );
    let problems = flowbench::flow::validate::validate(definition, None, None);
    assert!(
        problems
            .iter()
            .any(|p| p.path.join(".").contains("Send_an_email_(V2)")),
        "the step the engine cannot run is named: {problems:?}"
    );
    // Exported back, Outlook's connection reference is kept as the package had it.
    let exported = package::export(
        &imported.flow,
        &imported.name,
        Target::PowerAutomate,
        &ExportOptions::default(),
    )
    .unwrap();
    let definition_json = exported_definition(Target::PowerAutomate, &exported.package);
    assert_eq!(
        differences(
            imported.flow.definition(),
            definition_json.as_object().unwrap()
        ),
        Vec::<String>::new()
    );
    let envelope = exported
        .package
        .files
        .iter()
        .find(|(n, _)| n.ends_with("/definition.json"))
        .unwrap();
    let envelope = json_of(&envelope.1);
    assert_eq!(envelope["name"], "5d7c0f8a-91b2-4c3d-8e4f-0a1b2c3d4e5f");
    assert_eq!(
        envelope["properties"]["connectionReferences"]["shared_office365"]["connectionName"],
        "shared-office365-1a2b3c4d-5e6f-7a8b-9c0d-e1f2a3b4c5d6"
    );

    // A zip that is not a flow package says what it expected.
    let other_zip = dir.path().join("photos.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&other_zip).unwrap());
    zip.start_file("a.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"x").unwrap();
    zip.finish().unwrap();
    let error = package::import(&other_zip, &ImportOptions::default()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Microsoft.Flow/flows/<id>/definition.json"),
        "{error}"
    );

    // Logic Apps Standard project: parameters.json values become defaults, secure and
    // app-setting values are named, not copied.
    let imported =
        package::import(&fixture("logic-apps-standard"), &ImportOptions::default()).unwrap();
    assert_eq!(imported.source, Source::LogicAppsStandard);
    assert_eq!(imported.name, "sync-groups");
    let parameters = &imported.flow.definition()["parameters"];
    assert_eq!(
        parameters["customerGroup"],
        json!({"type": "String", "defaultValue": "10"})
    );
    assert_eq!(parameters["apiKey"], json!({"type": "SecureString"}));
    assert_eq!(parameters["legalEntity"], json!({"type": "String"}));
    let notes: Vec<String> = imported.notes.iter().map(ToString::to_string).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("apiKey") && n.contains("secure")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("legalEntity") && n.contains("app setting")),
        "{notes:?}"
    );
    assert!(is_connector_action(
        &imported.flow.definition()["actions"]["Update_a_record"]
    ));
    // The same through its workflow.json.
    let through_file = package::import(
        &fixture("logic-apps-standard/sync-groups/workflow.json"),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(through_file.flow.definition()["parameters"], *parameters);

    // Consumption ARM template: `[[` unescaped, the workflow's name from its parameter.
    let imported = package::import(
        &fixture("logic-apps-consumption.arm.json"),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(imported.source, Source::ArmTemplate);
    assert_eq!(imported.name, "ProductCategorySync");
    assert_eq!(
        imported.flow.definition()["actions"]["Categories"]["inputs"],
        "[\"Bikes\", \"Helmets\"]"
    );
    let list = &imported.flow.definition()["actions"]["For_each"]["actions"]["List_items_present_in_table"];
    assert!(is_connector_action(list));
    assert!(
        imported
            .notes
            .iter()
            .any(|n| n.message.contains("Azure connection")),
        "{:?}",
        imported.notes
    );
}

#[test]
fn arm_templates_resolve_variables_and_defaults_and_reach_nested_deployments() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.json");
    // The shape of the quickstart templates: the trigger's type and the action's path in
    // variables, a placeholder workflow at the top and the full one in a deployment.
    let definition = |actions: Value| {
        json!({"$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
            "triggers": {"manual": {"type": "[variables('triggerType')]", "kind": "Http"}},
            "actions": actions})
    };
    std::fs::write(
        &template,
        json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "parameters": {"jobName": {"type": "string", "defaultValue": "Nightly"}, "procedure": {"type": "string"}},
            "variables": {"triggerType": "Request", "quote": "'"},
            "resources": [
                {"type": "Microsoft.Logic/workflows", "name": "[parameters('jobName')]",
                 "properties": {"definition": definition(json!({}))}},
                {"type": "Microsoft.Resources/deployments", "name": "inner",
                 "properties": {
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "parameters": {"name": {"value": "[parameters('jobName')]"}, "step": {"value": "[concat('Say ', variables('quote'), 'hi', variables('quote'))]"}},
                    "template": {
                        "parameters": {"name": {"type": "string"}, "step": {"type": "string"}},
                        "variables": {"triggerType": "Request"},
                        "resources": [{"type": "Microsoft.Logic/workflows", "name": "[parameters('name')]",
                            "properties": {"definition": definition(json!({
                                "Say": {"type": "Compose", "inputs": "[parameters('step')]", "runAfter": {}},
                                "Run": {"type": "Http", "inputs": {"method": "POST", "uri": "[concat('https://x/', parameters('procedure'))]"}, "runAfter": {}}
                            }))}}]
                    }}}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let imported = package::import(&template, &ImportOptions::default()).unwrap();
    assert_eq!(imported.source, Source::ArmTemplate);
    assert_eq!(imported.name, "Nightly");
    let definition = imported.flow.definition();
    assert_eq!(definition["triggers"]["manual"]["type"], "Request");
    assert_eq!(definition["actions"]["Say"]["inputs"], "Say 'hi'");
    // Known only when deployed: kept as written, and named.
    assert_eq!(
        definition["actions"]["Run"]["inputs"]["uri"],
        "[concat('https://x/', parameters('procedure'))]"
    );
    assert!(
        imported
            .notes
            .iter()
            .any(|n| n.at == "definition.actions.Run.inputs.uri"),
        "{:?}",
        imported.notes
    );
}

#[test]
fn an_arm_template_with_comments_trailing_commas_and_a_parameter_file_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("logic-app-orders");
    std::fs::create_dir(&folder).unwrap();
    // As Microsoft's quickstarts are written: comments and a trailing comma, which Azure
    // Resource Manager takes, and the values in azuredeploy.parameters.json beside it.
    std::fs::write(
        folder.join("azuredeploy.json"),
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": {
    "logicAppName": {"type": "string"},  // no default: given at deployment
    "folder": {"type": "string", "defaultValue": "/in"},
  },
  /* the workflow */
  "resources": [{
    "type": "Microsoft.Logic/workflows",
    "name": "[parameters('logicAppName')]",
    "properties": {"definition": {
      "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
      "triggers": {"manual": {"type": "Request", "kind": "Http"}},
      "actions": {"Folder": {"type": "Compose", "inputs": "[base64(parameters('folder'))]", "runAfter": {}},},
    }},
  }],
}"#,
    )
    .unwrap();
    let template = folder.join("azuredeploy.json");
    let imported = package::import(&template, &ImportOptions::default()).unwrap();
    // Without a parameter file the name is the folder's, not an expression.
    assert_eq!(imported.name, "logic-app-orders");
    assert_eq!(
        imported.flow.definition()["actions"]["Folder"]["inputs"],
        "L2lu"
    );
    std::fs::write(
        folder.join("azuredeploy.parameters.json"),
        r#"{"parameters": {"logicAppName": {"value": "orders-sync"}, "folder": {"value": "/out"}}}"#,
    )
    .unwrap();
    let output = flowbench(dir.path(), &["import", template.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("imported 'orders-sync' from an ARM template"),
        "{}",
        text(&output.stdout)
    );
    assert!(
        text(&output.stderr)
            .contains("values of logicAppName, folder read from azuredeploy.parameters.json"),
        "{}",
        text(&output.stderr)
    );
    let flow: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("orders-sync.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(flow["actions"]["Folder"]["inputs"], "L291dA==", "{flow}");
}

#[test]
fn what_must_not_leave_the_machine_stops_the_export_and_secrets_stay_home() {
    let flow = FlowFile::parse(&json!({
        "$schema": flowbench::flow::file::DEFINITION_SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {
            "apiKey": {"type": "SecureString", "defaultValue": "s3cr3t-value-never-exported"},
            "rows": {"type": "String", "defaultValue": "/home/ana/rows.csv"}
        },
        "triggers": {"manual": {"type": "Request", "kind": "Button", "inputs": {"schema": {"type": "object", "properties": {}}}}},
        "actions": {"Compose": {"type": "Compose", "inputs": "@parameters('rows')", "runAfter": {}}},
        "metadata": {"flowbench": {"instance": "my-dev-box", "testInputs": {"text": "x"}}}
    }).to_string()).unwrap();
    for (target, _) in Target::ALL {
        let exported =
            package::export(&flow, "Secrets", target, &ExportOptions::default()).unwrap();
        let bytes: Vec<u8> = exported
            .package
            .files
            .iter()
            .flat_map(|(_, b)| b.clone())
            .collect();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("s3cr3t-value-never-exported"), "{target:?}");
        assert!(!text.contains("/home/ana"), "{target:?}");
        assert!(!text.contains("my-dev-box"), "{target:?}");
        let notes: Vec<String> = exported.notes.iter().map(ToString::to_string).collect();
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("parameters.apiKey") && n.contains("fill it in the cloud")),
            "{notes:?}"
        );
        assert!(
            notes.iter().any(|n| n.starts_with("parameters.rows")
                && n.contains("path or address of this machine")),
            "{notes:?}"
        );
        assert!(notes.iter().any(|n| n.contains("my-dev-box")), "{notes:?}");
    }
    let calls_home = FlowFile::parse(&json!({
        "triggers": {"manual": {"type": "Request", "kind": "Http"}},
        "actions": {"Call": {"type": "Http", "inputs": {"method": "GET", "uri": "http://127.0.0.1:8080/data/CustomersV3", "headers": {"Authorization": "Bearer abcdefghijklmnopqrstuvwxyz012345"}}, "runAfter": {}}}
    }).to_string()).unwrap();
    match package::export(
        &calls_home,
        "Home",
        Target::PowerAutomate,
        &ExportOptions::default(),
    ) {
        Err(PackageError::Machine { found }) => {
            let places: Vec<&str> = found.iter().map(|n| n.at.as_str()).collect();
            assert_eq!(
                places,
                [
                    "actions.Call.inputs.uri",
                    "actions.Call.inputs.headers.Authorization"
                ]
            );
        }
        other => panic!("expected the export to stop, got {other:?}"),
    }
}

fn flowbench(data: &Path, args: &[&str]) -> Output {
    let mut cmd = match std::env::var_os("FLOWBENCH_BIN") {
        Some(path) => Command::new(path),
        None => Command::cargo_bin("flowbench").unwrap(),
    };
    cmd.args(args)
        .current_dir(data)
        .env("FLOWBENCH_DATA_DIR", data)
        .env("FLOWBENCH_CONFIG_DIR", data.join("config"))
        .env("XDG_CONFIG_HOME", data.join("config"))
        .env("XDG_DATA_HOME", data.join("share"))
        .env("XDG_CACHE_HOME", data.join("cache"));
    cmd.timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn export_and_import_on_the_command_line_and_the_imported_flow_runs() {
    let demo = DemoThread::start(DemoConfig {
        rows: 20,
        ..DemoConfig::default()
    })
    .unwrap();
    let root = demo.service_root().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let example = manifest_dir().join("assets/flows/customer-group-round-trip.json");
    let package_path = data.join("round-trip.zip");

    let export = flowbench(
        data,
        &[
            "export",
            example.to_str().unwrap(),
            "--to",
            "power-automate",
            "--output",
            package_path.to_str().unwrap(),
        ],
    );
    assert_eq!(export.status.code(), Some(0), "{}", text(&export.stderr));
    assert!(
        text(&export.stdout).contains("round-trip.zip"),
        "{}",
        text(&export.stdout)
    );
    assert!(
        text(&export.stderr).contains("note: actions.Check_created: Assert becomes a condition"),
        "{}",
        text(&export.stderr)
    );
    assert!(
        text(&export.stderr).contains("next: in Power Automate: My flows > Import"),
        "{}",
        text(&export.stderr)
    );

    // Mapped by host to the saved instance with that host.
    let add = flowbench(
        data,
        &[
            "instance",
            "add",
            "contoso-uat",
            "--url",
            "contoso.operations.dynamics.com",
            "--kind",
            "fno",
        ],
    );
    assert!(add.status.success(), "{}", text(&add.stderr));
    let import = flowbench(
        data,
        &[
            "import",
            package_path.to_str().unwrap(),
            "--output",
            "by-host.json",
        ],
    );
    assert_eq!(import.status.code(), Some(0), "{}", text(&import.stderr));
    assert!(
        text(&import.stdout).contains("runs against instance 'contoso-uat'"),
        "{}",
        text(&import.stdout)
    );
    let by_host: Value =
        serde_json::from_slice(&std::fs::read(data.join("by-host.json")).unwrap()).unwrap();
    assert_eq!(
        by_host["properties"]["definition"]["metadata"]["flowbench"]["instance"],
        "contoso-uat"
    );
    assert_eq!(
        by_host["properties"]["definition"]["actions"]["Check_created"]["type"],
        "Assert"
    );

    // An existing file is not replaced without --force.
    let again = flowbench(
        data,
        &[
            "import",
            package_path.to_str().unwrap(),
            "--output",
            "by-host.json",
        ],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("--force"),
        "{}",
        text(&again.stderr)
    );

    // Asked for: the demo instance, then run there with the data checked on the server.
    let add = flowbench(
        data,
        &[
            "instance",
            "add",
            "local-demo",
            "--url",
            &root,
            "--kind",
            "odata",
            "--auth",
            "none",
        ],
    );
    assert!(add.status.success(), "{}", text(&add.stderr));
    let import = flowbench(
        data,
        &[
            "import",
            package_path.to_str().unwrap(),
            "--output",
            "imported.json",
            "--instance",
            "local-demo",
        ],
    );
    assert_eq!(import.status.code(), Some(0), "{}", text(&import.stderr));
    let run = flowbench(data, &["run", "imported.json", "--input", "Group id=PKG-1"]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}{}",
        text(&run.stdout),
        text(&run.stderr)
    );
    let status = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            reqwest::get(format!(
                "{root}CustomerGroups(dataAreaId='usmf',CustomerGroupId='PKG-1')"
            ))
            .await
            .unwrap()
            .status()
            .as_u16()
        });
    assert_eq!(
        status, 404,
        "the flow created, checked and deleted the group"
    );

    // Unknown instance and a flow that calls this machine: clear errors, nothing written.
    let unknown = flowbench(
        data,
        &[
            "import",
            package_path.to_str().unwrap(),
            "--output",
            "x.json",
            "--instance",
            "nope",
        ],
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown.stderr).contains("no saved instance 'nope' (saved: contoso-uat, local-demo)"),
        "{}",
        text(&unknown.stderr)
    );
    assert!(!data.join("x.json").exists());
    std::fs::write(data.join("home.json"), json!({"triggers": {"manual": {"type": "Request", "kind": "Http"}}, "actions": {"Call": {"type": "Http", "inputs": {"method": "GET", "uri": format!("{root}CustomersV3")}, "runAfter": {}}}}).to_string()).unwrap();
    let refused = flowbench(
        data,
        &[
            "export",
            "home.json",
            "--to",
            "logic-apps-consumption",
            "--output",
            "home.arm.json",
        ],
    );
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(
        text(&refused.stderr)
            .contains("actions.Call.inputs.uri: an address of this machine (127.0.0.1:"),
        "{}",
        text(&refused.stderr)
    );
    assert!(!data.join("home.arm.json").exists());
}
