use super::*;
use crate::odata::metadata::parse_metadata;

const CSDL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Microsoft.Dynamics.DataEntities" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="CustomerGroup">
        <Key><PropertyRef Name="dataAreaId"/><PropertyRef Name="CustomerGroupId"/></Key>
        <Property Name="dataAreaId" Type="Edm.String" Nullable="false"/>
        <Property Name="CustomerGroupId" Type="Edm.String" Nullable="false"/>
        <Property Name="Description" Type="Edm.String"/>
      </EntityType>
      <Action Name="CountGroups" IsBound="true">
        <Parameter Name="_bindingParameter" Type="Collection(Microsoft.Dynamics.DataEntities.CustomerGroup)"/>
        <Parameter Name="Prefix" Type="Edm.String"/>
        <ReturnType Type="Edm.Int32"/>
      </Action>
      <EntityContainer Name="Resources">
        <EntitySet Name="CustomerGroups" EntityType="Microsoft.Dynamics.DataEntities.CustomerGroup"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#;

fn model() -> Model {
    parse_metadata(CSDL.as_bytes()).unwrap()
}

fn open_api(operation: &str, parameters: Value) -> Value {
    json!({
        "host": {"apiId": "/providers/Microsoft.PowerApps/apis/shared_dynamicsax",
                 "connectionName": "shared_dynamicsax", "operationId": operation},
        "parameters": parameters
    })
}

#[test]
fn power_automate_steps_read_their_flat_parameters() {
    let inputs = open_api(
        "PostItem",
        json!({"dataset": "contoso.operations.dynamics.com", "table": "CustomerGroups",
               "item/dataAreaId": "usmf", "item/CustomerGroupId": "QA", "item/Description": "New"}),
    );
    let step = read_step("OpenApiConnection", &inputs).unwrap();
    assert_eq!(step.operation, Some(Operation::PostItem));
    assert_eq!(
        step.dataset.as_deref(),
        Some("contoso.operations.dynamics.com")
    );
    let ActionRequest::CreateRecord { entity_set, body } = step.to_request(&model()).unwrap()
    else {
        panic!("a create");
    };
    assert_eq!(entity_set, "CustomerGroups");
    assert_eq!(
        Value::Object(body),
        json!({"dataAreaId": "usmf", "CustomerGroupId": "QA", "Description": "New"})
    );

    let get = read_step(
        "OpenApiConnection",
        &open_api("GetItem", json!({"dataset": "d", "table": "CustomerGroups", "id": "demf,10", "cross-company": true})),
    )
    .unwrap();
    let ActionRequest::GetRecord { record, .. } = get.to_request(&model()).unwrap() else {
        panic!("a get");
    };
    assert_eq!(
        record.path(),
        "CustomerGroups(dataAreaId='demf',CustomerGroupId='10')"
    );
    assert!(record.cross_company);

    let list = read_step(
        "OpenApiConnection",
        &open_api(
            "GetItems",
            json!({"dataset": "d", "table": "CustomerGroups",
            "$filter": "CustomerGroupId eq '10'", "$top": 5, "$orderby": "Description desc"}),
        ),
    )
    .unwrap();
    let ActionRequest::ListItems { query, .. } = list.to_request(&model()).unwrap() else {
        panic!("a list");
    };
    assert_eq!(query.filter.as_deref(), Some("CustomerGroupId eq '10'"));
    assert_eq!(query.top, Some(5));
}

#[test]
fn logic_apps_steps_read_their_double_encoded_path() {
    let inputs = json!({
        "host": {"connection": {"name": "@parameters('$connections')['dynamicsax']['connectionId']"}},
        "method": "patch",
        "path": "/datasets/contoso.operations.dynamics.com/tables/CustomerGroups/items/usmf%252C10",
        "body": {"Description": "Changed"}
    });
    assert!(is_connector_action(
        &json!({"type": "ApiConnection", "inputs": inputs})
    ));
    let step = read_step("ApiConnection", &inputs).unwrap();
    assert_eq!(step.operation, Some(Operation::PatchItem));
    assert_eq!(step.id.as_deref(), Some("usmf,10"));
    let ActionRequest::UpdateRecord {
        record, changes, ..
    } = step.to_request(&model()).unwrap()
    else {
        panic!("an update");
    };
    assert_eq!(record.entity_set, "CustomerGroups");
    assert_eq!(Value::Object(changes), json!({"Description": "Changed"}));

    let execute = json!({
        "method": "post",
        "path": "/datasets/d/procedures/CustomerGroups/Microsoft.Dynamics.DataEntities.CountGroups",
        "body": {"Prefix": "1"}
    });
    let step = read_step("ApiConnection", &execute).unwrap();
    let ActionRequest::ExecuteAction { call, .. } = step.to_request(&model()).unwrap() else {
        panic!("an action");
    };
    assert!(
        call.path()
            .starts_with("CustomerGroups/Microsoft.Dynamics.DataEntities.CountGroups")
    );

    let tables = json!({"method": "get", "path": "/datasets/d/tables"});
    assert_eq!(
        read_step("ApiConnection", &tables)
            .unwrap()
            .to_request(&model())
            .unwrap(),
        ActionRequest::ListEntities
    );
}

#[test]
fn problems_name_the_input() {
    let error = |kind: &str, inputs: Value| {
        read_step(kind, &inputs)
            .and_then(|step| step.to_request(&model()))
            .unwrap_err()
            .0
    };
    assert!(
        error("OpenApiConnection", open_api("GetRows", json!({})))
            .contains("'GetRows' is not an operation")
    );
    assert!(
        error(
            "OpenApiConnection",
            open_api("GetItem", json!({"table": "CustomerGroups"}))
        )
        .starts_with("id:")
    );
    assert!(
        error(
            "OpenApiConnection",
            open_api("GetItem", json!({"table": "CustomerGroups", "id": "usmf"}))
        )
        .starts_with("id:")
    );
    assert!(
        error(
            "OpenApiConnection",
            open_api("PostItem", json!({"table": "Nope"}))
        )
        .contains("'Nope'")
    );
    assert!(
        error(
            "OpenApiConnection",
            open_api(
                "PostItem",
                json!({"table": "CustomerGroups", "item/Colour": "red"})
            )
        )
        .contains("'Colour'")
    );
    assert!(
        error(
            "ApiConnection",
            json!({"method": "put", "path": "/datasets/d/tables/X/items"})
        )
        .contains("PUT /datasets/d/tables/X/items is not an operation")
    );
    assert!(
        error("ApiConnection", json!({"method": "get", "path": "/other"}))
            .starts_with("inputs.path")
    );
}

#[test]
fn outputs_have_the_cloud_shape() {
    let record = json!({"@odata.etag": "W/\"7\"", "CustomerGroupId": "10"});
    let outputs = outputs_of(Operation::GetItem, &Outcome::Record(record.clone()));
    assert_eq!(outputs["statusCode"], 200);
    assert_eq!(outputs["body"], record);
    assert_eq!(outputs["headers"]["ETag"], "W/\"7\"");
    let listed = outputs_of(
        Operation::GetItems,
        &Outcome::Records(
            vec![record.clone()],
            crate::odata::client::ListProgress::default(),
        ),
    );
    assert_eq!(listed["body"]["value"][0], record);
    let executed = outputs_of(
        Operation::ExecuteProcedure,
        &Outcome::ActionResult(Some(json!(3))),
    );
    assert_eq!(executed["body"]["value"], 3);
    // As the client returns it: OData's wrapper around a primitive result.
    let wrapped = outputs_of(
        Operation::ExecuteProcedure,
        &Outcome::ActionResult(Some(
            json!({"@odata.context": "http://x/data/$metadata#Edm.Int32", "value": 3}),
        )),
    );
    assert_eq!(wrapped["body"]["value"], 3);
}

#[test]
fn other_connectors_with_dataset_paths_are_not_taken_for_finance_and_operations() {
    let api_connection = |host: Value, path: &str| json!({"type": "ApiConnection", "inputs": {"host": host, "method": "patch", "path": path}});
    // SQL, SharePoint and the file system write `/datasets/…` paths too.
    let sql = api_connection(
        json!({"connection": {"name": "@parameters('$connections')['sql']['connectionId']"}}),
        "/datasets/default/procedures/@{encodeURIComponent(encodeURIComponent('[dbo].[MyProc]'))}",
    );
    let sharepoint = api_connection(
        json!({"connection": {"name": "@parameters('$connections')['sharepointonline']['connectionId']"}}),
        "/datasets/@{encodeURIComponent(encodeURIComponent('https://contoso.sharepoint.com/sites/hr'))}/tables/@{encodeURIComponent(encodeURIComponent('Staff'))}/items/@{encodeURIComponent(1)}",
    );
    let file_system = api_connection(
        json!({"api": {"runtimeUrl": "https://logic-apis-westeurope.azure-apim.net/apim/filesystem"},
               "connection": {"name": "@parameters('$connections')['filesystem_1']['connectionId']"}}),
        "/datasets/default/files",
    );
    let standard_sql = api_connection(
        json!({"connection": {"referenceName": "sql"}}),
        "/datasets/default/tables/Orders/items",
    );
    for (step, name) in [
        (&sql, "sql"),
        (&sharepoint, "sharepointonline"),
        (&file_system, "filesystem_1"),
        (&standard_sql, "sql"),
    ] {
        assert!(!is_connector_action(step), "{step}");
        assert_eq!(named_connection(step).as_deref(), Some(name));
        assert_eq!(
            other_connector_label(step),
            format!("the connection '{name}'")
        );
    }
    let runtime_url_only = api_connection(
        json!({"api": {"runtimeUrl": "https://logic-apis-westeurope.azure-apim.net/apim/filesystem/"}}),
        "/datasets/default/files",
    );
    assert!(!is_connector_action(&runtime_url_only));
    assert_eq!(
        named_connection(&runtime_url_only).as_deref(),
        Some("filesystem")
    );

    // Ours: any connection whose name says so, or a step that names none.
    for host in [
        json!({"connection": {"name": "@parameters('$connections')['dynamicsax_1']['connectionId']"}}),
        json!({"connection": {"referenceName": "dynamicsax"}}),
        json!({"api": {"runtimeUrl": "https://logic-apis-westeurope.azure-apim.net/apim/dynamicsax"}}),
        json!({}),
    ] {
        let step = api_connection(
            host,
            "/datasets/usmf.example.com/tables/CustomerGroups/items",
        );
        assert!(is_connector_action(&step), "{step}");
    }
    assert_eq!(
        other_connector_label(&json!({"type": "ApiConnection"})),
        "another connector"
    );
}
