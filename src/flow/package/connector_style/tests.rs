use serde_json::json;

use super::*;

fn power_automate_create() -> Value {
    json!({
        "type": "OpenApiConnection",
        "inputs": {
            "host": {"apiId": POWER_AUTOMATE_API_ID, "connectionName": "shared_dynamicsax", "operationId": "PostItem"},
            "parameters": {"dataset": "contoso.operations.dynamics.com", "table": "CustomerGroups",
                "item/CustomerGroupId": "@triggerBody()?['text']", "item/Description": "Created by a flow",
                "item/Address/City": "Oslo"},
            "authentication": "@parameters('$authentication')",
            "retryPolicy": {"type": "none"}
        },
        "runAfter": {"Start": ["Succeeded"]}
    })
}

#[test]
fn a_power_automate_step_is_written_as_logic_apps_and_back() {
    let step = power_automate_create();
    let call = read(&step).unwrap();
    assert_eq!(call.operation, "PostItem");
    assert_eq!(
        call.body,
        Some(
            json!({"CustomerGroupId": "@triggerBody()?['text']", "Description": "Created by a flow", "Address": {"City": "Oslo"}})
        )
    );
    let logic_apps = write(&step, &call, Style::LogicAppsConsumption).unwrap();
    assert_eq!(logic_apps["type"], "ApiConnection");
    assert_eq!(logic_apps["runAfter"], json!({"Start": ["Succeeded"]}));
    assert_eq!(logic_apps["inputs"]["method"], "post");
    assert_eq!(
        logic_apps["inputs"]["path"],
        "/datasets/@{encodeURIComponent(encodeURIComponent('contoso.operations.dynamics.com'))}/tables/@{encodeURIComponent(encodeURIComponent('CustomerGroups'))}/items"
    );
    assert_eq!(
        logic_apps["inputs"]["host"]["connection"]["name"],
        "@parameters('$connections')['dynamicsax']['connectionId']"
    );
    assert_eq!(logic_apps["inputs"]["retryPolicy"], json!({"type": "none"}));
    let back = write(
        &logic_apps,
        &read(&logic_apps).unwrap(),
        Style::PowerAutomate,
    )
    .unwrap();
    assert_eq!(back, step);
}

#[test]
fn keys_with_expressions_become_encoded_expressions() {
    let step = json!({"type": "OpenApiConnection", "inputs": {
        "host": {"apiId": POWER_AUTOMATE_API_ID, "connectionName": "shared_dynamicsax", "operationId": "GetItem"},
        "parameters": {"dataset": "contoso.operations.dynamics.com", "table": "CustomerGroups", "id": "usmf,@{triggerBody()?['text']}"}}});
    let standard = write(&step, &read(&step).unwrap(), Style::LogicAppsStandard).unwrap();
    assert_eq!(
        standard["inputs"]["host"],
        json!({"connection": {"referenceName": "dynamicsax"}})
    );
    assert_eq!(
        standard["inputs"]["path"],
        "/datasets/@{encodeURIComponent(encodeURIComponent('contoso.operations.dynamics.com'))}/tables/@{encodeURIComponent(encodeURIComponent('CustomerGroups'))}/items/@{encodeURIComponent(encodeURIComponent(concat('usmf,', triggerBody()?['text'])))}"
    );
    let back = read(&standard).unwrap();
    assert_eq!(
        back.path[2],
        (
            "id".to_owned(),
            json!("@concat('usmf,', triggerBody()?['text'])")
        )
    );
}

#[test]
fn logic_apps_paths_as_real_definitions_write_them_are_read() {
    // jeffhollan/LogicAppTemplateCreator DynamicsAx sample shape.
    let list = json!({"type": "ApiConnection", "inputs": {
        "host": {"connection": {"name": "@parameters('$connections')['dynamicsax']['connectionId']"}},
        "method": "get",
        "path": "/datasets/@{encodeURIComponent(encodeURIComponent('contoso.operations.dynamics.com'))}/tables/@{encodeURIComponent(encodeURIComponent('ProductCategories'))}/items",
        "queries": {"$filter": "CategoryName eq '@{items('For_each')?['Name']}'", "cross-company": true}}});
    let call = read(&list).unwrap();
    assert_eq!(call.operation, "GetItems");
    let pa = write(&list, &call, Style::PowerAutomate).unwrap();
    assert_eq!(
        pa["inputs"]["parameters"],
        json!({"dataset": "contoso.operations.dynamics.com", "table": "ProductCategories",
            "$filter": "CategoryName eq '@{items('For_each')?['Name']}'", "cross-company": true})
    );
    // Plain, encoded segments and a procedure spanning two segments.
    let action = json!({"type": "ApiConnection", "inputs": {
        "host": {"connection": {"name": "@parameters('$connections')['dynamicsax']['connectionId']"}},
        "method": "post",
        "path": "/datasets/contoso.operations.dynamics.com/procedures/DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.ExportToPackage",
        "body": {"definitionGroupId": "Export", "packageName": "p.zip"}}});
    let call = read(&action).unwrap();
    assert_eq!(call.operation, "ExecuteProcedure");
    assert_eq!(
        call.path[1],
        (
            "procedure".to_owned(),
            json!("DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.ExportToPackage")
        )
    );
    let pa = write(&action, &call, Style::PowerAutomate).unwrap();
    assert_eq!(
        pa["inputs"]["parameters"]["parameters/definitionGroupId"],
        "Export"
    );
    // A path that is one expression cannot be split.
    let concat = json!({"type": "ApiConnection", "inputs": {"method": "post", "path": "@concat('/datasets/', 'x')", "host": {"connection": {"name": "dynamicsax"}}}});
    assert!(read(&concat).unwrap_err().contains("one expression"));
}

#[test]
fn business_event_triggers_move_between_styles() {
    let trigger = json!({"type": "ApiConnectionWebhook", "inputs": {
        "host": {"connection": {"name": "@parameters('$connections')['dynamicsax']['connectionId']"}},
        "body": {"NotificationUrl": "@{listCallbackUrl()}"},
        "path": "/datasets/@{encodeURIComponent(encodeURIComponent('contoso.operations.dynamics.com'))}/subscribebusinessevent/@{encodeURIComponent(encodeURIComponent('CustomerCreatedBusinessEvent'))}",
        "queries": {"businesseventcategory": "AccountsReceivable", "legalEntity": "usmf"}}});
    let call = read(&trigger).unwrap();
    assert_eq!(call.operation, "SubscribeOnABusinessEvent");
    let pa = write(&trigger, &call, Style::PowerAutomate).unwrap();
    assert_eq!(pa["type"], "OpenApiConnectionWebhook");
    assert_eq!(
        pa["inputs"]["parameters"],
        json!({"dataset": "contoso.operations.dynamics.com", "businessevent": "CustomerCreatedBusinessEvent",
            "businesseventcategory": "AccountsReceivable", "legalEntity": "usmf"})
    );
    let back = write(&pa, &read(&pa).unwrap(), Style::LogicAppsConsumption).unwrap();
    assert_eq!(back, trigger);
}

#[test]
fn segments_that_are_not_the_designers_form_keep_their_meaning() {
    assert_eq!(
        segment_value("Customer%2520Groups"),
        json!("Customer Groups")
    );
    assert_eq!(
        segment_value("@{variables('table')}"),
        json!("@decodeUriComponent(decodeUriComponent(string(variables('table'))))")
    );
    assert_eq!(segment_value("%40home"), json!("@@home"));
    assert_eq!(
        split_path("/datasets/@{encodeURIComponent(encodeURIComponent('a/b'))}/tables")
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn another_connection_s_dataset_paths_are_not_moved_as_finance_and_operations_steps() {
    let sql = json!({"type": "ApiConnection", "inputs": {
        "host": {"connection": {"name": "@parameters('$connections')['sql']['connectionId']"}},
        "method": "post", "path": "/datasets/default/procedures/@{encodeURIComponent(encodeURIComponent('[dbo].[Run]'))}"}});
    assert!(!is_dynamicsax(&sql));
    let ours = json!({"type": "ApiConnection", "inputs": {
        "host": {"connection": {"name": "@parameters('$connections')['dynamicsax']['connectionId']"}},
        "method": "get", "path": "/datasets/x/tables/y/items"}});
    assert!(is_dynamicsax(&ours));
    let unnamed = json!({"type": "ApiConnection", "inputs": {"method": "get", "path": "/datasets/x/tables/y/items"}});
    assert!(is_dynamicsax(&unnamed));
}
