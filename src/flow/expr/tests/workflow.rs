//! Workflow functions, URI functions and `JsonScope`.

use serde_json::json;

use super::super::{JsonScope, Scope, evaluate, parse};
use super::{check, check_errors};

#[test]
fn documented_examples() {
    check(&[
        (
            "actions('Get_user').outputs.body.status",
            json!("Succeeded"),
        ),
        (
            "body('Get_user')",
            json!({"FullName": "Contoso Corporation", "status": "Succeeded", "Id": 283541717}),
        ),
        ("outputs('Get_user').statusCode", json!(200)),
        ("parameters('fullName')", json!("Sophia Owen")),
        ("variables('numItems')", json!(20)),
        ("items('For_each')", json!({"Name": "A", "Id": 7})),
        ("item().Name", json!("inner")),
        ("iterationIndexes('Until_Max_Increment')", json!(3)),
        ("workflow().run.name", json!("08585")),
        ("workflow()['tags']['flowDisplayName']", json!("My flow")),
        ("formDataValue('Form', 'Subject')", json!("Hello world")),
        (
            "formDataMultiValues('Form', 'To')",
            json!(["a@x.com", "b@x.com"]),
        ),
        (
            "result('Scope')",
            json!([{"name": "Compose", "status": "Succeeded"}]),
        ),
        ("multipartBody('Multi', 0)", json!("first part")),
        ("multipartBody('Multi', 1)", json!({"k": 1})),
    ]);
}

#[test]
fn trigger_and_actions() {
    check(&[
        ("triggerBody()?['text']", json!("hello")),
        ("triggerOutputs()['headers']['x-ms-id']", json!("42")),
        ("trigger().outputs.body.number", json!(5)),
        ("actionBody('Get_user')?['Id']", json!(283541717)),
        ("actionOutputs('Get_user')?['statusCode']", json!(200)),
        ("actions('Get_user').name", json!("Get_user")),
        ("actions('get_user').status", json!("Succeeded")),
        ("variables('NUMITEMS')", json!(20)),
        (
            "parameters('$connections')['dynamicsax']['connectionId']",
            json!("/c/1"),
        ),
        ("body('Get_items')?['@odata.nextLink']", json!(null)),
        ("length(body('Get_items')?['value'])", json!(2)),
    ]);
    check_errors(&[
        (
            "body('Nope')",
            "body: the action 'Nope' doesn't exist in this workflow or hasn't run yet",
        ),
        ("outputs('Nope')", "outputs: the action 'Nope'"),
        (
            "variables('nope')",
            "variables: the variable 'nope' doesn't exist",
        ),
        (
            "parameters('nope')",
            "parameters: the workflow parameter 'nope' doesn't exist",
        ),
        (
            "items('Other_loop')",
            "items: 'Other_loop' is not a Foreach loop",
        ),
        (
            "iterationIndexes('Other')",
            "iterationIndexes: 'Other' is not an Until loop",
        ),
        ("result('Nope')", "result: 'Nope' is not a Scope"),
        ("action()", "action: there is no current action"),
        (
            "formDataValue('Form', 'To')",
            "formDataValue: the form data has 2 values for the key 'To'",
        ),
        (
            "formDataValue('Form', 'Cc')",
            "formDataValue: the form data has no key 'Cc'",
        ),
        (
            "multipartBody('Get_user', 0)",
            "multipartBody: the body is not multipart",
        ),
    ]);
}

#[test]
fn trigger_form_data_and_multipart() {
    let scope = JsonScope::from_context(&json!({
        "triggerBody": {"$content-type": "application/x-www-form-urlencoded", "$content": "ZmVlZFVybD1odHRwcyUzQSUyRiUyRmEuY29tJmE9MSZhPTI="}
    }));
    let run = |text: &str| evaluate(&parse(text).unwrap(), &scope).unwrap();
    assert_eq!(
        run("triggerFormDataValue('feedUrl')"),
        json!("https://a.com")
    );
    assert_eq!(run("triggerFormDataMultiValues('a')"), json!(["1", "2"]));
    let scope =
        JsonScope::from_context(&json!({"triggerBody": {"$multipart": [{"body": "part zero"}]}}));
    assert_eq!(
        evaluate(&parse("triggerMultipartBody(0)").unwrap(), &scope).unwrap(),
        json!("part zero")
    );
}

#[test]
fn uri_functions() {
    check(&[
        (
            "uriHost('https://www.localhost.com:8080')",
            json!("www.localhost.com"),
        ),
        (
            "uriPath('https://www.contoso.com/catalog/shownew.htm?date=today')",
            json!("/catalog/shownew.htm"),
        ),
        (
            "uriPathAndQuery('https://www.contoso.com/catalog/shownew.htm?date=today')",
            json!("/catalog/shownew.htm?date=today"),
        ),
        ("uriPort('https://www.localhost:8080')", json!(8080)),
        (
            "uriQuery('https://www.contoso.com/catalog/shownew.htm?date=today')",
            json!("?date=today"),
        ),
        // The reference says "http" for this https URL; the scheme is https.
        (
            "uriScheme('https://www.contoso.com/catalog/shownew.htm?date=today')",
            json!("https"),
        ),
        ("uriPort('https://contoso.com')", json!(443)),
        ("uriPath('https://contoso.com')", json!("/")),
        ("uriQuery('https://contoso.com/a')", json!("")),
    ]);
    check_errors(&[(
        "uriHost('not a uri')",
        "uriHost: 'not a uri' is not an absolute URI",
    )]);
}

#[test]
fn json_scope_reads_its_context() {
    let scope = JsonScope::from_context(&json!({
        "triggerOutputs": {"body": {"x": 1}, "headers": {}},
        "now": "2020-02-29T12:00:00Z"
    }));
    assert_eq!(scope.trigger_body(), Some(json!({"x": 1})));
    assert_eq!(scope.now().to_rfc3339(), "2020-02-29T12:00:00+00:00");
    assert_eq!(scope.variable("x"), None);
    assert_eq!(scope.item(), None);
    assert_eq!(scope.workflow(), json!({}));
    let empty = JsonScope::from_context(&json!(null));
    assert_eq!(empty.trigger_body(), None);
    assert_eq!(
        evaluate(&parse("triggerBody()").unwrap(), &empty).unwrap(),
        json!(null)
    );
    assert!(
        evaluate(&parse("item()").unwrap(), &empty)
            .unwrap_err()
            .message
            .contains("item()")
    );
    // Without "now" the real clock runs.
    let year: i64 = evaluate(&parse("int(utcNow('yyyy'))").unwrap(), &empty)
        .unwrap()
        .as_i64()
        .unwrap();
    assert!(year >= 2025);
}

#[test]
fn app_settings_are_read_from_the_context_and_a_missing_one_is_named() {
    let scope = JsonScope::from_context(
        &json!({"appSettings": {"Service-Url": "http://127.0.0.1:9/x", "Retries": 3}}),
    );
    let eval = |text: &str| evaluate(&parse(text).unwrap(), &scope);
    assert_eq!(
        eval("appsetting('service-url')").unwrap(),
        json!("http://127.0.0.1:9/x")
    );
    assert_eq!(eval("appSetting('Retries')").unwrap(), json!("3"));
    let error = eval("appsetting('FLOWBENCH_NO_SUCH_SETTING_ANYWHERE')")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("the app setting 'FLOWBENCH_NO_SUCH_SETTING_ANYWHERE' is not set"),
        "{error}"
    );
    let refs =
        crate::flow::expr::references(&json!("@{appsetting('A')}/@{parameters('p')}")).unwrap();
    assert_eq!(refs.app_settings.into_iter().collect::<Vec<_>>(), ["A"]);
}
