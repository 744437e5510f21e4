//! The expression engine through its public API: parse, evaluate a definition's values
//! against a JSON context, list references, and the function list.

use flowbench::flow::expr::{
    ExprErrorKind, JsonScope, evaluate, evaluate_value, function_names, parse, references,
};
use serde_json::json;

fn context() -> JsonScope {
    JsonScope::from_context(&json!({
        "now": "2018-03-15T13:27:36Z",
        "triggerBody": {"text": "Contoso", "number": 4},
        "variables": {"total": 10},
        "parameters": {"$connections": {"dynamicsax": {"connectionId": "/connections/dynamicsax"}}},
        "actions": {
            "Get_items": {"status": "Succeeded", "outputs": {"statusCode": 200, "body": {"value": [{"CategoryName": "Bikes"}]}}}
        },
        "items": {"For_each": {"Name": "Bikes"}}
    }))
}

#[test]
fn a_logic_apps_action_evaluates_with_types_kept_and_text_interpolated() {
    let inputs = json!({
        "host": {"connection": {"name": "@parameters('$connections')['dynamicsax']['connectionId']"}},
        "method": "get",
        "path": "/datasets/@{encodeURIComponent(encodeURIComponent('contoso.operations.dynamics.com'))}/tables/@{encodeURIComponent(encodeURIComponent('ProductCategories'))}/items",
        "queries": {"$filter": "CategoryName eq '@{items('For_each')?['Name']}'", "cross-company": true, "$top": "@add(variables('total'), triggerBody()?['number'])"},
        "first": "@first(outputs('Get_items')?['body/value'])?['CategoryName']",
        "stamp": "@{formatDateTime(utcNow(), 'yyyy-MM-dd')} / @@literal"
    });
    let resolved = evaluate_value(&inputs, &context()).unwrap();
    assert_eq!(
        resolved,
        json!({
            "host": {"connection": {"name": "/connections/dynamicsax"}},
            "method": "get",
            "path": "/datasets/contoso.operations.dynamics.com/tables/ProductCategories/items",
            "queries": {"$filter": "CategoryName eq 'Bikes'", "cross-company": true, "$top": 14},
            "first": "Bikes",
            "stamp": "2018-03-15 / @@literal"
        })
    );
    assert_eq!(
        evaluate_value(&json!("@@literal"), &context()).unwrap(),
        json!("@literal")
    );
}

#[test]
fn errors_carry_kind_column_and_a_compiler_like_message() {
    let error = parse("add(1, 2").unwrap_err();
    assert_eq!(error.kind, ExprErrorKind::Parse);
    assert_eq!(
        error.to_string(),
        "column 9: expected ')' after the arguments of 'add', found end of expression"
    );
    let error = evaluate(&parse("div(variables('total'), 0)").unwrap(), &context()).unwrap_err();
    assert_eq!(error.kind, ExprErrorKind::Eval);
    assert_eq!(error.to_string(), "column 1: div: cannot divide by zero");
    let error = evaluate_value(&json!("@body('Missing')"), &context()).unwrap_err();
    assert_eq!(error.position, Some(2));
    assert!(error.message.contains("'Missing'"));
}

#[test]
fn references_and_function_list() {
    let refs = references(
        &json!({"a": "@body('Get_items')", "b": "x @{variables('total')} @{items('For_each')}"}),
    )
    .unwrap();
    assert!(refs.actions.contains("Get_items") && refs.actions.contains("For_each"));
    assert!(refs.loops.contains("For_each"));
    assert!(refs.variables.contains("total"));
    let functions = function_names();
    assert!(functions.len() >= 125, "{} functions", functions.len());
    assert!(
        functions
            .iter()
            .any(|(name, signature)| *name == "formatDateTime" && signature.contains("format?"))
    );
}
