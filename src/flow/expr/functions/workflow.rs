//! Workflow functions: the trigger, actions' records, loops, variables, parameters,
//! `result()`, `workflow()` and form-data/multipart readers, all through [`Scope`].
//!
//! [`Scope`]: crate::flow::expr::Scope

use serde_json::Value;

use super::{Call, Function};
use crate::flow::expr::value::{base64_decode, binary_content, to_text};

pub(super) const FUNCTIONS: &[Function] = &[
    function!(
        "trigger",
        "trigger()",
        "The trigger's record (its outputs).",
        0,
        0,
        trigger
    ),
    function!(
        "triggerBody",
        "triggerBody()",
        "The trigger's body output.",
        0,
        0,
        trigger_body
    ),
    function!(
        "triggerOutputs",
        "triggerOutputs()",
        "The trigger's outputs (headers, body, ...).",
        0,
        0,
        trigger_outputs
    ),
    function!(
        "triggerFormDataValue",
        "triggerFormDataValue(key)",
        "The single value of a key in the trigger's form data.",
        1,
        1,
        trigger_form_data_value
    ),
    function!(
        "triggerFormDataMultiValues",
        "triggerFormDataMultiValues(key)",
        "The values of a key in the trigger's form data.",
        1,
        1,
        trigger_form_data_multi_values
    ),
    function!(
        "triggerMultipartBody",
        "triggerMultipartBody(index)",
        "The body of one part of the trigger's multipart output.",
        1,
        1,
        trigger_multipart_body
    ),
    function!(
        "action",
        "action()",
        "The current action's record (Until conditions, unsubscribe, tracked properties).",
        0,
        0,
        action
    ),
    function!(
        "actions",
        "actions(actionName)",
        "An action's record: name, status, inputs, outputs, startTime, ...",
        1,
        1,
        actions
    ),
    function!(
        "outputs",
        "outputs(actionName)",
        "An action's outputs (statusCode, headers, body).",
        1,
        1,
        outputs
    ),
    function!(
        "actionOutputs",
        "actionOutputs(actionName)",
        "An action's outputs (same as outputs).",
        1,
        1,
        outputs
    ),
    function!(
        "body",
        "body(actionName)",
        "An action's body output.",
        1,
        1,
        body
    ),
    function!(
        "actionBody",
        "actionBody(actionName)",
        "An action's body output (same as body).",
        1,
        1,
        body
    ),
    function!(
        "formDataValue",
        "formDataValue(actionName, key)",
        "The single value of a key in an action's form-data output.",
        2,
        2,
        form_data_value
    ),
    function!(
        "formDataMultiValues",
        "formDataMultiValues(actionName, key)",
        "The values of a key in an action's form-data output.",
        2,
        2,
        form_data_multi_values
    ),
    function!(
        "multipartBody",
        "multipartBody(actionName, index)",
        "The body of one part of an action's multipart output.",
        2,
        2,
        multipart_body
    ),
    function!(
        "item",
        "item()",
        "The current item of the innermost Foreach (or Until) loop.",
        0,
        0,
        item
    ),
    function!(
        "items",
        "items(loopName)",
        "The current item of the named Foreach loop.",
        1,
        1,
        items
    ),
    function!(
        "iterationIndexes",
        "iterationIndexes(loopName)",
        "The current iteration index of the named Until loop.",
        1,
        1,
        iteration_indexes
    ),
    function!(
        "variables",
        "variables(variableName)",
        "The value of a variable.",
        1,
        1,
        variables
    ),
    function!(
        "parameters",
        "parameters(parameterName)",
        "The value of a workflow parameter.",
        1,
        1,
        parameters
    ),
    function!(
        "appsetting",
        "appsetting(name)",
        "A Logic Apps Standard app setting (from the environment or the project's local.settings.json).",
        1,
        1,
        appsetting
    ),
    function!(
        "result",
        "result(scopedActionName)",
        "The records of the top-level actions inside a Scope, Foreach or Until.",
        1,
        1,
        result
    ),
    function!(
        "workflow",
        "workflow()",
        "Details of the workflow and its run (name, id, run, tags, ...).",
        0,
        0,
        workflow
    ),
    function!(
        "listCallbackUrl",
        "listCallbackUrl()",
        "The callback URL of the trigger or action (a local placeholder here).",
        0,
        0,
        list_callback_url
    ),
];

fn trigger(call: &Call) -> Result<Value, String> {
    Ok(call.scope.trigger().unwrap_or(Value::Null))
}

fn trigger_body(call: &Call) -> Result<Value, String> {
    Ok(call.scope.trigger_body().unwrap_or(Value::Null))
}

fn trigger_outputs(call: &Call) -> Result<Value, String> {
    Ok(call.scope.trigger_outputs().unwrap_or(Value::Null))
}

fn action(call: &Call) -> Result<Value, String> {
    call.scope
        .current_action()
        .ok_or_else(|| call.fail("there is no current action here (action() works in Until conditions, webhook unsubscribe and tracked properties)"))
}

fn name(call: &Call, i: usize) -> Result<String, String> {
    call.string(i)
}

fn unknown_action(call: &Call, action: &str) -> String {
    call.fail(format!(
        "the action '{action}' doesn't exist in this workflow or hasn't run yet"
    ))
}

fn actions(call: &Call) -> Result<Value, String> {
    let action = name(call, 0)?;
    call.scope
        .action(&action)
        .ok_or_else(|| unknown_action(call, &action))
}

fn outputs(call: &Call) -> Result<Value, String> {
    let action = name(call, 0)?;
    call.scope
        .action_outputs(&action)
        .ok_or_else(|| unknown_action(call, &action))
}

fn body(call: &Call) -> Result<Value, String> {
    let action = name(call, 0)?;
    call.scope
        .action_body(&action)
        .ok_or_else(|| unknown_action(call, &action))
}

fn item(call: &Call) -> Result<Value, String> {
    call.scope.item().ok_or_else(|| {
        call.fail("there is no current item: item() works only inside a Foreach or Until loop")
    })
}

fn items(call: &Call) -> Result<Value, String> {
    let loop_name = name(call, 0)?;
    call.scope.items(&loop_name).ok_or_else(|| {
        call.fail(format!(
            "'{loop_name}' is not a Foreach loop around this action"
        ))
    })
}

fn iteration_indexes(call: &Call) -> Result<Value, String> {
    let loop_name = name(call, 0)?;
    call.scope.iteration_index(&loop_name).ok_or_else(|| {
        call.fail(format!(
            "'{loop_name}' is not an Until loop around this action"
        ))
    })
}

fn variables(call: &Call) -> Result<Value, String> {
    let variable = name(call, 0)?;
    call.scope.variable(&variable).ok_or_else(|| {
        call.fail(format!(
            "the variable '{variable}' doesn't exist (is it initialized before this action?)"
        ))
    })
}

fn parameters(call: &Call) -> Result<Value, String> {
    let parameter = name(call, 0)?;
    call.scope.parameter(&parameter).ok_or_else(|| {
        call.fail(format!(
            "the workflow parameter '{parameter}' doesn't exist"
        ))
    })
}

fn appsetting(call: &Call) -> Result<Value, String> {
    let setting = name(call, 0)?;
    call.scope.app_setting(&setting).map(Value::String).ok_or_else(|| {
        call.fail(format!(
            "the app setting '{setting}' is not set (set the environment variable {setting}, or add it to \"Values\" in the project's local.settings.json)"
        ))
    })
}

fn result(call: &Call) -> Result<Value, String> {
    let scope_name = name(call, 0)?;
    call.scope.result(&scope_name).ok_or_else(|| {
        call.fail(format!(
            "'{scope_name}' is not a Scope, Foreach or Until action that has run"
        ))
    })
}

fn workflow(call: &Call) -> Result<Value, String> {
    Ok(call.scope.workflow())
}

fn list_callback_url(call: &Call) -> Result<Value, String> {
    let workflow = call.scope.workflow();
    if let Some(url) = workflow.get("callbackUrl").and_then(Value::as_str) {
        return Ok(Value::String(url.to_string()));
    }
    let name = workflow
        .get("name")
        .or_else(|| workflow.get("id"))
        .map(to_text)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "workflow".into());
    const SAFE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let encoded = percent_encoding::utf8_percent_encode(&name, SAFE);
    Ok(Value::String(format!(
        "http://127.0.0.1/workflows/{encoded}/triggers/manual/run?api-version=2016-10-01"
    )))
}

/// The (key, value) pairs of a form-data or form-encoded body: `$formdata` items, a
/// urlencoded string (or binary content holding one), or a plain object.
fn form_pairs(body: &Value) -> Vec<(String, Value)> {
    if let Some(items) = body.get("$formdata").and_then(Value::as_array) {
        return items
            .iter()
            .filter_map(|item| {
                let key = item.get("key")?.as_str()?.to_string();
                Some((key, item.get("value").cloned().unwrap_or(Value::Null)))
            })
            .collect();
    }
    let text = match body {
        Value::String(s) => s.clone(),
        other => match binary_content(other) {
            Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            None => {
                return other
                    .as_object()
                    .map(|map| map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
            }
        },
    };
    url::form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect()
}

fn multi_values(body: &Value, key: &str) -> Vec<Value> {
    form_pairs(body)
        .into_iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v)
        .collect()
}

fn single_value(call: &Call, body: &Value, key: &str) -> Result<Value, String> {
    let mut values = multi_values(body, key);
    match values.len() {
        0 => Err(call.fail(format!("the form data has no key '{key}'"))),
        1 => Ok(values.remove(0)),
        n => Err(call.fail(format!(
            "the form data has {n} values for the key '{key}'; use the MultiValues function"
        ))),
    }
}

fn trigger_form_data_value(call: &Call) -> Result<Value, String> {
    let body = call.scope.trigger_body().unwrap_or(Value::Null);
    single_value(call, &body, &call.string(0)?)
}

fn trigger_form_data_multi_values(call: &Call) -> Result<Value, String> {
    let body = call.scope.trigger_body().unwrap_or(Value::Null);
    Ok(Value::Array(multi_values(&body, &call.string(0)?)))
}

fn form_data_value(call: &Call) -> Result<Value, String> {
    let body = body(call)?;
    single_value(call, &body, &call.string(1)?)
}

fn form_data_multi_values(call: &Call) -> Result<Value, String> {
    let body = body(call)?;
    Ok(Value::Array(multi_values(&body, &call.string(1)?)))
}

fn part(call: &Call, body: &Value, index: i64) -> Result<Value, String> {
    let parts = body
        .get("$multipart")
        .and_then(Value::as_array)
        .ok_or_else(|| call.fail("the body is not multipart (no '$multipart' parts)"))?;
    let part = usize::try_from(index)
        .ok()
        .and_then(|i| parts.get(i))
        .ok_or_else(|| {
            call.fail(format!(
                "there is no part {index} (the body has {} parts)",
                parts.len()
            ))
        })?;
    let body = part.get("body").cloned().unwrap_or(Value::Null);
    // Text parts may arrive as base64 content; give their text.
    if let Some(bytes) = binary_content(&body) {
        return Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    }
    if let (Some(Value::String(encoded)), true) = (part.get("$content"), body.is_null()) {
        let bytes = base64_decode(encoded).map_err(|m| call.fail(m))?;
        return Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    }
    Ok(body)
}

fn trigger_multipart_body(call: &Call) -> Result<Value, String> {
    let body = call.scope.trigger_body().unwrap_or(Value::Null);
    part(call, &body, call.int(0)?)
}

fn multipart_body(call: &Call) -> Result<Value, String> {
    let body = body(call)?;
    part(call, &body, call.int(1)?)
}
