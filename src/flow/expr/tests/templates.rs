//! Definition values: one expression keeps its type, interpolation makes a string, `@@`
//! escapes, objects and arrays are evaluated recursively; `references` and `function_names`.

use serde_json::json;

use super::super::{ExprErrorKind, evaluate_value, function_names, references};
use super::scope;

#[test]
fn values_as_written_in_a_definition() {
    let cases = [
        (json!("@add(1, 2)"), json!(3)),
        (json!("@variables('list')"), json!([1, 2, 3])),
        (json!("@triggerBody()?['nested']"), json!({"a": {"b": 1}})),
        (json!("@{add(1, 2)}"), json!("3")),
        (json!("Total: @{add(1, 2)} items"), json!("Total: 3 items")),
        (
            json!(
                "@{variables('name')} has @{variables('numItems')} items, flag @{variables('flag')}"
            ),
            json!("Sophia has 20 items, flag True"),
        ),
        (json!("list: @{variables('list')}"), json!("list: [1,2,3]")),
        (
            json!("obj @{triggerBody()?['nested']}"),
            json!("obj {\"a\":{\"b\":1}}"),
        ),
        (
            json!("none: @{triggerBody()?['missing']}."),
            json!("none: ."),
        ),
        (json!("@@mention"), json!("@mention")),
        (
            json!("@@{not an expression}"),
            json!("@{not an expression}"),
        ),
        (
            json!("mail me at someone@contoso.com"),
            json!("mail me at someone@contoso.com"),
        ),
        (json!("plain"), json!("plain")),
        (json!("@{'a}b'}"), json!("a}b")),
        (
            json!("CategoryName eq '@{items('For_each')?['Name']}'"),
            json!("CategoryName eq 'A'"),
        ),
        (json!(42), json!(42)),
        (json!(null), json!(null)),
        (
            json!({"@key stays": "@toUpper('v')", "nested": {"list": ["@add(1, 1)", "x @{1}"]}, "n": 1.5}),
            json!({"@key stays": "V", "nested": {"list": [2, "x 1"]}, "n": 1.5}),
        ),
        (
            json!({"NotificationUrl": "@{listCallbackUrl()}"}),
            json!({"NotificationUrl": "http://127.0.0.1/workflows/my-flow/triggers/manual/run?api-version=2016-10-01"}),
        ),
    ];
    for (value, expected) in cases {
        let actual = evaluate_value(&value, &scope()).unwrap_or_else(|e| panic!("{value}: {e}"));
        assert_eq!(actual, expected, "{value}");
    }
}

#[test]
fn template_errors_point_into_the_whole_string() {
    let error = evaluate_value(&json!("@add(1, 'x')"), &scope()).unwrap_err();
    assert_eq!(error.position, Some(2));
    assert_eq!(error.kind, ExprErrorKind::Eval);
    let error = evaluate_value(&json!("abc @{add(1 2)} def"), &scope()).unwrap_err();
    assert_eq!(error.kind, ExprErrorKind::Parse);
    assert_eq!(error.position, Some(13));
    let error = evaluate_value(&json!("ab @{add(1, 2)"), &scope()).unwrap_err();
    assert_eq!(error.position, Some(4));
    assert!(error.message.contains("unterminated '@{'"), "{error}");
    let error =
        evaluate_value(&json!({"a": ["ok", "@{variables('nope')}"]}), &scope()).unwrap_err();
    assert!(
        error.message.contains("the variable 'nope' doesn't exist"),
        "{error}"
    );
    assert_eq!(error.position, Some(3));
}

#[test]
fn references_lists_every_name() {
    let definition = json!({
        "a": "@body('Get_items')?['value']",
        "b": "x @{outputs('Get_user')?['body/Id']} @{variables('counter')}",
        "c": ["@items('For_each')?['Name']", "@iterationIndexes('Until_1')", "@result('Scope_1')"],
        "d": {"e": "@parameters('$connections')['dynamicsax']['connectionId']"},
        "f": "@actions('Get_user').status",
        "g": "@concat(actionBody('Old'), formDataValue('Form', 'k'), variables(concat('dyn', 'amic')))",
        "h": "@@body('NotAnExpression')",
        "i": "plain body('Text')"
    });
    let refs = references(&definition).unwrap();
    let set = |names: &[&str]| {
        names
            .iter()
            .map(|n| n.to_string())
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(
        refs.actions,
        set(&[
            "Form",
            "For_each",
            "Get_items",
            "Get_user",
            "Old",
            "Scope_1",
            "Until_1"
        ])
    );
    assert_eq!(refs.variables, set(&["counter"]));
    assert_eq!(refs.parameters, set(&["$connections"]));
    assert_eq!(refs.loops, set(&["For_each", "Until_1"]));
    let error = references(&json!({"x": "@add(1"})).unwrap_err();
    assert_eq!(error.kind, ExprErrorKind::Parse);
    assert_eq!(error.position, Some(7));
}

#[test]
fn function_list_covers_the_reference() {
    let names: Vec<&str> = function_names().iter().map(|(name, _)| *name).collect();
    let documented = [
        "action",
        "actions",
        "add",
        "addDays",
        "addHours",
        "addMinutes",
        "addProperty",
        "addSeconds",
        "addToTime",
        "and",
        "array",
        "base64",
        "base64ToBinary",
        "base64ToString",
        "binary",
        "body",
        "bool",
        "chunk",
        "coalesce",
        "concat",
        "contains",
        "convertFromUtc",
        "convertTimeZone",
        "convertToUtc",
        "createArray",
        "dataUri",
        "dataUriToBinary",
        "dataUriToString",
        "dateDifference",
        "dayOfMonth",
        "dayOfWeek",
        "dayOfYear",
        "decimal",
        "decodeBase64",
        "decodeDataUri",
        "decodeUriComponent",
        "div",
        "encodeUriComponent",
        "empty",
        "endsWith",
        "equals",
        "first",
        "float",
        "formatDateTime",
        "formDataMultiValues",
        "formDataValue",
        "formatNumber",
        "getFutureTime",
        "getPastTime",
        "greater",
        "greaterOrEquals",
        "guid",
        "if",
        "indexOf",
        "int",
        "isFloat",
        "isInt",
        "item",
        "items",
        "iterationIndexes",
        "json",
        "intersection",
        "join",
        "last",
        "lastIndexOf",
        "length",
        "less",
        "lessOrEquals",
        "listCallbackUrl",
        "max",
        "min",
        "mod",
        "mul",
        "multipartBody",
        "not",
        "nthIndexOf",
        "or",
        "outputs",
        "parameters",
        "parseDateTime",
        "rand",
        "range",
        "removeProperty",
        "replace",
        "result",
        "reverse",
        "setProperty",
        "skip",
        "slice",
        "sort",
        "split",
        "startOfDay",
        "startOfHour",
        "startOfMonth",
        "startsWith",
        "string",
        "sub",
        "substring",
        "subtractFromTime",
        "take",
        "ticks",
        "toLower",
        "toUpper",
        "trigger",
        "triggerBody",
        "triggerFormDataMultiValues",
        "triggerFormDataValue",
        "triggerMultipartBody",
        "triggerOutputs",
        "trim",
        "union",
        "uriComponent",
        "uriComponentToBinary",
        "uriComponentToString",
        "uriHost",
        "uriPath",
        "uriPathAndQuery",
        "uriPort",
        "uriQuery",
        "uriScheme",
        "utcNow",
        "variables",
        "workflow",
        "xml",
        "xpath",
    ];
    let missing: Vec<&&str> = documented
        .iter()
        .filter(|name| !names.contains(name))
        .collect();
    assert!(missing.is_empty(), "missing functions: {missing:?}");
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_ascii_lowercase());
    sorted.dedup_by_key(|n| n.to_ascii_lowercase());
    assert_eq!(sorted.len(), names.len(), "duplicate function names");
    let (_, add) = function_names()
        .into_iter()
        .find(|(n, _)| *n == "add")
        .unwrap();
    assert!(add.starts_with("add(summand_1, summand_2) — "), "{add}");
}
