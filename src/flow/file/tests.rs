use super::*;
use serde_json::json;

const POWER_AUTOMATE: &str = r#"{
  "name": "5b1f",
  "properties": {
    "displayName": "Create a customer group",
    "definition": {
      "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
      "contentVersion": "1.0.0.0",
      "parameters": {"$connections": {"defaultValue": {}, "type": "Object"}},
      "triggers": {"manual": {"type": "Request", "kind": "Button", "inputs": {}}},
      "actions": {
        "Create_record": {
          "type": "OpenApiConnection",
          "inputs": {"host": {"operationId": "PostItem", "connectionName": "shared_dynamicsax"},
                     "parameters": {"dataset": "contoso.operations.dynamics.com", "table": "CustomerGroups"}},
          "runAfter": {},
          "x-unknown": [1, 2.50, {"zeta": 1, "alpha": 2}]
        }
      }
    },
    "connectionReferences": {"shared_dynamicsax": {"connectionName": "c1", "source": "Embedded"}},
    "state": "Started"
  },
  "type": "Microsoft.Flow/flows"
}"#;

#[test]
fn each_product_shape_is_read_and_written_back_unchanged() {
    let file = FlowFile::parse(POWER_AUTOMATE).unwrap();
    assert_eq!(file.shape(), FileShape::PowerAutomate);
    assert!(file.definition()["actions"]["Create_record"].is_object());
    // Same document, same key order, exact numbers.
    let again: Value = serde_json::from_str(&file.to_text()).unwrap();
    let original: Value = serde_json::from_str(POWER_AUTOMATE).unwrap();
    assert_eq!(again, original);
    assert_eq!(
        serde_json::to_string(&again).unwrap(),
        serde_json::to_string(&original).unwrap(),
        "key order and number text kept"
    );
    assert!(file.to_text().contains("2.50"));

    let standard = r#"{"definition": {"triggers": {}, "actions": {}}, "kind": "Stateful"}"#;
    let file = FlowFile::parse(standard).unwrap();
    assert_eq!(file.shape(), FileShape::LogicAppsStandard);
    assert_eq!(file.document()["kind"], "Stateful");

    let bare =
        FlowFile::parse(r#"{"triggers": {}, "actions": {"A": {"type": "Compose", "inputs": 1}}}"#)
            .unwrap();
    assert_eq!(bare.shape(), FileShape::Definition);
}

#[test]
fn flowbench_data_lives_in_metadata_and_leaves_the_rest_alone() {
    let mut file = FlowFile::parse(POWER_AUTOMATE).unwrap();
    file.definition_mut()
        .insert("metadata".into(), serde_json::json!({"creator": "someone"}));
    let data = FlowbenchMetadata {
        description: Some("Round trip".into()),
        instance: Some("uat".into()),
        ..FlowbenchMetadata::default()
    };
    file.set_flowbench_metadata(&data);
    let again = FlowFile::parse(&file.to_text()).unwrap();
    assert_eq!(again.flowbench_metadata(), data);
    assert_eq!(again.definition()["metadata"]["creator"], "someone");
    assert_eq!(again.document()["properties"]["state"], "Started");
}

#[test]
fn malformed_files_say_where() {
    let error = FlowFile::parse("{\n  \"actions\": {\n    \"A\": {\"type\": }\n}").unwrap_err();
    assert!(
        matches!(error, FlowFileError::Json { line: 3, .. }),
        "{error}"
    );
    let error = FlowFile::parse(r#"{"triggers": {}, "actions": []}"#).unwrap_err();
    assert_eq!(
        error.to_string(),
        "actions: expected an object, found an array"
    );
    let error =
        FlowFile::parse(r#"{"definition": {"actions": 1}, "kind": "Stateful"}"#).unwrap_err();
    assert_eq!(
        error.to_string(),
        "definition.actions: expected an object, found a number"
    );
    let error = FlowFile::parse(r#"{"properties": {"definition": "x"}}"#).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("properties.definition: expected the workflow definition")
    );
    let error = FlowFile::parse(r#"{"name": "not a flow"}"#).unwrap_err();
    assert!(error.to_string().contains("\"triggers\" and \"actions\""));
    assert!(FlowFile::parse("[1]").is_err());
}

#[test]
fn saving_is_atomic_and_reloads_the_same_flow() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("flow.json");
    let file = FlowFile::parse(POWER_AUTOMATE).unwrap();
    file.save(&path).unwrap();
    assert_eq!(FlowFile::load(&path).unwrap(), file);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    let error = file
        .save(&dir.path().join("missing-dir").join("f.json"))
        .unwrap_err();
    assert!(error.to_string().starts_with("cannot write"));
}

#[test]
fn a_dataverse_row_reads_its_clientdata_string_and_writes_it_back_as_one() {
    let client_data = json!({
        "properties": {
            "connectionReferences": {"shared_dynamicsax": {"connectionName": "c1", "source": "Embedded"}},
            "definition": {"triggers": {"manual": {"type": "Request", "kind": "Button"}}, "actions": {}}
        },
        "schemaVersion": "1.0.0.0"
    });
    let row = json!({
        "category": 5,
        "name": "Sync customer groups",
        "type": 1,
        "primaryentity": "none",
        "clientdata": client_data.to_string()
    });
    let mut file = FlowFile::parse(&row.to_string()).unwrap();
    assert_eq!(file.shape(), FileShape::DataverseRow);
    assert_eq!(
        file.name_for(std::path::Path::new("row.json")),
        "Sync customer groups"
    );
    assert!(file.definition()["triggers"]["manual"].is_object());
    file.definition_mut().insert(
        "outputs".to_owned(),
        json!({"done": {"type": "Bool", "value": true}}),
    );
    let written: Value = serde_json::from_str(&file.to_text()).unwrap();
    assert_eq!(written["category"], 5);
    assert_eq!(written["name"], "Sync customer groups");
    let inner: Value = serde_json::from_str(written["clientdata"].as_str().unwrap()).unwrap();
    assert_eq!(inner["schemaVersion"], "1.0.0.0");
    assert_eq!(
        inner["properties"]["connectionReferences"],
        client_data["properties"]["connectionReferences"]
    );
    assert_eq!(
        inner["properties"]["definition"]["outputs"]["done"]["value"],
        true
    );
    // Read again, the same flow.
    assert_eq!(FlowFile::parse(&file.to_text()).unwrap(), file);

    // Any other `clientdata` string is left as it is.
    let bare = json!({"clientdata": "{\"a\": 1}", "triggers": {}, "actions": {}});
    let file = FlowFile::parse(&bare.to_string()).unwrap();
    assert_eq!(file.shape(), FileShape::Definition);
    assert_eq!(file.document(), bare);

    let broken = json!({"name": "x", "clientdata": "{\"properties\": {\"definition\": {]}}"});
    let error = FlowFile::parse(&broken.to_string())
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("clientdata: line 1, column 32 of the string: not valid JSON"),
        "{error}"
    );
}
