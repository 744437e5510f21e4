//! One action by its `type`: control actions run their inner scopes, the others evaluate
//! their inputs and do their work.

use futures_util::future::BoxFuture;
use serde_json::Value;

use super::engine::{Ctx, Done, Env, kind_of};
use crate::flow::expr::evaluate_value;

/// Action types the runner knows, as WDL spells them.
pub const SUPPORTED: &[&str] = &[
    "OpenApiConnection",
    "ApiConnection",
    "Http",
    "If",
    "Switch",
    "Foreach",
    "Until",
    "Scope",
    "Terminate",
    "Compose",
    "InitializeVariable",
    "SetVariable",
    "IncrementVariable",
    "DecrementVariable",
    "AppendToArrayVariable",
    "AppendToStringVariable",
    "ParseJson",
    "Query",
    "Select",
    "Join",
    "Table",
    "Wait",
    "Response",
    "Expression",
    "Assert",
];

/// Action types of the products that only the cloud can run (they call what exists only
/// there), with what each does: a flow that has them opens, keeps them as written, and runs
/// here when each has a static result.
const CLOUD_ONLY: &[(&str, &str)] = &[
    ("Workflow", "calls another workflow (a child flow)"),
    ("Function", "calls an Azure function"),
    (
        "InvokeFunction",
        "calls a function of the Logic Apps project",
    ),
    ("ApiManagement", "calls an API of Azure API Management"),
    (
        "ServiceProvider",
        "uses a built-in connector of Logic Apps Standard",
    ),
    (
        "ApiConnectionWebhook",
        "waits for another connector's webhook",
    ),
    (
        "OpenApiConnectionWebhook",
        "waits for a connector's webhook (an approval, a response)",
    ),
    ("HttpWebhook", "waits for a call to its webhook"),
    ("JavaScriptCode", "runs inline JavaScript"),
    ("Xslt", "transforms XML with an integration account's map"),
    (
        "Liquid",
        "transforms with an integration account's Liquid map",
    ),
    (
        "XmlValidation",
        "validates XML with an integration account's schema",
    ),
    (
        "FlatFileDecoding",
        "decodes a flat file with an integration account's schema",
    ),
    (
        "FlatFileEncoding",
        "encodes a flat file with an integration account's schema",
    ),
    (
        "IntegrationAccountArtifactLookup",
        "reads an integration account's artifact",
    ),
    ("SendToBatch", "sends to a batch workflow"),
];

/// What an action type that only the cloud runs does (see [`CLOUD_ONLY`]).
pub fn cloud_only(kind: &str) -> Option<&'static str> {
    CLOUD_ONLY
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(kind))
        .map(|(_, what)| *what)
}

/// Whether the runner knows the action type `kind` (case-insensitive).
pub fn is_supported(kind: &str) -> bool {
    SUPPORTED.iter().any(|k| k.eq_ignore_ascii_case(kind))
}

/// Runs the action `name` (its definition `action`) inside `path`.
pub fn run_action<'a>(
    env: &'a Env,
    ctx: &'a mut Ctx,
    name: &'a str,
    action: &'a Value,
    path: &'a [String],
) -> BoxFuture<'a, Done> {
    Box::pin(async move {
        let kind = kind_of(action).to_ascii_lowercase();
        match kind.as_str() {
            "if" => super::control::run_if(env, ctx, name, action, path).await,
            "switch" => super::control::run_switch(env, ctx, name, action, path).await,
            "foreach" => super::control::run_foreach(env, ctx, name, action, path).await,
            "until" => super::control::run_until(env, ctx, name, action, path).await,
            "scope" => super::control::run_scope(env, ctx, name, action, path).await,
            // Their `where` / `select` is evaluated once per item.
            "query" => {
                super::data::run_query(ctx, name, action.get("inputs").unwrap_or(&Value::Null))
            }
            "select" => {
                super::data::run_select(ctx, name, action.get("inputs").unwrap_or(&Value::Null))
            }
            // Its `columns` read each row as `item()`.
            "table" => {
                super::table::run_table(ctx, name, action.get("inputs").unwrap_or(&Value::Null))
            }
            _ => run_simple(env, ctx, name, action, &kind).await,
        }
    })
}

/// The first field of `value` whose expression fails, with that expression as written.
fn failing_field(
    value: &Value,
    scope: &dyn crate::flow::expr::Scope,
    at: &str,
) -> Option<(String, String)> {
    match value {
        Value::Object(map) => map
            .iter()
            .find_map(|(key, inner)| failing_field(inner, scope, &format!("{at}.{key}"))),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, inner)| failing_field(inner, scope, &format!("{at}[{i}]"))),
        Value::String(text) if evaluate_value(value, scope).is_err() => {
            Some((at.to_owned(), text.clone()))
        }
        _ => None,
    }
}

/// An action that waits on the network, bounded as the cloud bounds it: by its
/// `limit.timeout` (ISO 8601, `PT30S`) and by the run being cancelled (Ctrl+C, SIGTERM, the
/// window's Stop), either of which ends it at once, its request dropped.
async fn bounded(
    env: &Env,
    name: &str,
    action: &Value,
    inputs: Value,
    work: impl std::future::Future<Output = Done>,
) -> Done {
    let limit_text = action
        .get("limit")
        .and_then(|l| l.get("timeout"))
        .and_then(Value::as_str);
    let limit = limit_text.and_then(super::data::parse_iso_duration);
    let timeout = async {
        match limit {
            Some(limit) => tokio::time::sleep(limit).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        done = work => done,
        () = env.cancel.cancelled() => Done {
            status: super::Status::Cancelled,
            ..Done::failed(inputs, "Cancelled", "The run was cancelled while the action was under way.")
        },
        () = timeout => Done {
            status: super::Status::TimedOut,
            ..Done::failed(
                inputs,
                "ActionTimedOut",
                format!(
                    "Action '{name}' did not end within its limit.timeout ({}).",
                    limit_text.unwrap_or_default()
                ),
            )
        },
    }
}

/// Actions without inner scopes: their inputs are evaluated first.
async fn run_simple(env: &Env, ctx: &mut Ctx, name: &str, action: &Value, kind: &str) -> Done {
    let raw_inputs = action.get("inputs").unwrap_or(&Value::Null);
    // A connector step's `host` and `authentication` are the cloud's connection plumbing
    // (`@parameters('$connections')[…]`): kept as written, never evaluated here.
    let connector = matches!(kind, "openapiconnection" | "apiconnection");
    let mut to_evaluate = std::borrow::Cow::Borrowed(raw_inputs);
    let plumbing: Vec<(String, Value)> = match (raw_inputs, connector) {
        (Value::Object(_), true) => match to_evaluate.to_mut() {
            Value::Object(map) => ["host", "authentication"]
                .iter()
                .filter_map(|key| map.shift_remove(*key).map(|v| ((*key).to_owned(), v)))
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let evaluated = evaluate_value(&to_evaluate, &ctx.state).map(|mut inputs| {
        if let Value::Object(map) = &mut inputs {
            map.extend(plumbing);
        }
        inputs
    });
    let inputs = match evaluated {
        Ok(inputs) => inputs,
        Err(error) => {
            let at = failing_field(&to_evaluate, &ctx.state, "inputs")
                .map(|(field, expression)| format!(", {field} ({expression})"))
                .unwrap_or_default();
            return Done::failed(
                Value::Null,
                "InvalidTemplate",
                format!("Action '{name}'{at}: {error}"),
            );
        }
    };
    match kind {
        "openapiconnection" | "apiconnection"
            if !crate::flow::connector_step::is_connector_action(action) =>
        {
            let api = crate::flow::connector_step::other_connector_label(action);
            Done::failed(
                inputs,
                "UnsupportedConnector",
                format!(
                    "Action '{name}' uses {api}, not the Finance & Operations connector, which is the only one that runs here; enable a static result for it (runtimeConfiguration.staticResult) to run the rest of the flow"
                ),
            )
        }
        "openapiconnection" | "apiconnection" => {
            let shown = inputs.clone();
            bounded(
                env,
                name,
                action,
                shown,
                super::steps::run_connector(env, name, action, inputs),
            )
            .await
        }
        "http" => {
            let shown = inputs.clone();
            bounded(
                env,
                name,
                action,
                shown,
                super::steps::run_http(env, name, inputs),
            )
            .await
        }
        "assert" => super::assert::run_assert(name, raw_inputs, inputs),
        "terminate" => super::data::run_terminate(ctx, inputs),
        "wait" => super::data::run_wait(env, inputs).await,
        "response" => {
            let done = super::data::run_response(ctx, inputs);
            if done.status == super::Status::Succeeded {
                env.tell(|| super::RunEvent::Responded(done.outputs.clone()));
            }
            done
        }
        "expression" => super::date_time::run(ctx, name, action, inputs),
        _ if is_supported(kind) => super::data::run_data(ctx, name, kind, inputs),
        _ if cloud_only(kind).is_some() => Done::failed(
            inputs,
            "UnsupportedAction",
            format!(
                "Action '{name}': {}",
                runs_only_in_the_cloud(kind_of(action))
            ),
        ),
        _ => Done::failed(
            inputs,
            "UnsupportedAction",
            format!(
                "Action '{name}': the action type '{}' is not supported here (supported: {})",
                kind_of(action),
                SUPPORTED.join(", ")
            ),
        ),
    }
}

/// Why an action of a type only the cloud runs cannot run here, and what to do.
pub fn runs_only_in_the_cloud(kind: &str) -> String {
    let what = cloud_only(kind).unwrap_or("needs the cloud");
    format!(
        "a '{kind}' action {what}, which only runs in the cloud: the step is kept as written; enable a static result for it (runtimeConfiguration.staticResult) to run the rest of the flow here"
    )
}
