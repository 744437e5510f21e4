//! What `flowbench run` feeds a flow: parameter values typed by their declarations (secure
//! ones from the environment), and the trigger body of each run (manual inputs, a selected
//! record, a JSON file, or one CSV row per run).

use serde_json::{Map, Value, json};

use super::flow_run::RunArgs;
use crate::connector::resolve::key_predicate;
use crate::connector::{ActionRequest, Outcome, RecordRef, run as run_request};
use crate::flow::params;
use crate::flow::run::Env;
use crate::flow::run::trigger::{
    business_event_body, first_trigger, is_business_event, is_manual, is_selected_record,
    manual_body, manual_input,
};

fn split_pair(text: &str, option: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(n, v)| (n.trim().to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{option} '{text}' is not NAME=VALUE"))
}

/// `--param NAME=VALUE` typed by the parameter's declared type; secure parameters not given
/// come from `FLOWBENCH_PARAM_<NAME>` in the environment, else from the keyring
/// (`flowbench secret set NAME`).
pub fn parameter_values(
    definition: &Map<String, Value>,
    given: &[String],
) -> Result<Map<String, Value>, String> {
    let declared = definition.get("parameters").and_then(Value::as_object);
    let mut values = Map::new();
    let typed = |name: &str, declaration: &Value, raw: &str| {
        params::typed(declaration, raw).map_err(|e| format!("--param {name}: {e}"))
    };
    for text in given {
        let (name, raw) = split_pair(text, "--param")?;
        let Some(declaration) = declared.and_then(|d| d.get(&name)) else {
            let known: Vec<&str> = declared
                .into_iter()
                .flatten()
                .map(|(k, _)| k.as_str())
                .collect();
            return Err(format!(
                "--param {name}: the definition declares no such parameter (parameters: {})",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ));
        };
        values.insert(name.clone(), typed(&name, declaration, &raw)?);
    }
    for (name, declaration) in declared.into_iter().flatten() {
        if values.contains_key(name) || !params::declared_type(declaration).starts_with("secure") {
            continue;
        }
        let var = format!(
            "FLOWBENCH_PARAM_{}",
            name.to_ascii_uppercase().replace(['-', ' ', '$'], "_")
        );
        if let Ok(raw) = std::env::var(&var) {
            values.insert(name.clone(), typed(name, declaration, &raw)?);
        } else if let Some(stored) = params::stored_secret(name) {
            values.insert(name.clone(), typed(name, declaration, stored.expose())?);
        }
    }
    // A parameter without a default needs a value, as a deployment in the cloud does.
    let missing = params::missing(definition, &values);
    if !missing.is_empty() {
        return Err(format!(
            "no value for the parameter(s) {}: give --param NAME=VALUE (secure ones: FLOWBENCH_PARAM_<NAME> or `flowbench secret set NAME`)",
            missing.join(", ")
        ));
    }
    Ok(values)
}

/// A file input of a manual trigger (`--input file=@PKG.zip`): the file read into the shape
/// Power Automate's "File" input delivers, `{"name": …, "contentBytes": <base64>}`, as JSON
/// text for [`manual_body`]. Other inputs, and values without `@`, pass unchanged.
fn read_file_input(
    trigger: &Value,
    (name, text): (String, String),
) -> Result<(String, String), String> {
    let Some(path) = text.strip_prefix('@') else {
        return Ok((name, text));
    };
    let is_file = manual_input(trigger, &name).is_some_and(|(_, prop)| is_file_input(prop));
    if !is_file {
        return Ok((name, text));
    }
    use base64::Engine as _;
    let bytes =
        std::fs::read(path).map_err(|e| format!("--input {name}: cannot read {path}: {e}"))?;
    let file_name = std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned());
    let content = base64::engine::general_purpose::STANDARD.encode(bytes);
    Ok((
        name,
        json!({"name": file_name, "contentBytes": content}).to_string(),
    ))
}

/// Whether a manual trigger's input is a file: Power Automate's `x-ms-content-hint: FILE`,
/// or an object with `contentBytes`.
fn is_file_input(property: &Value) -> bool {
    property
        .get("x-ms-content-hint")
        .and_then(Value::as_str)
        .is_some_and(|hint| hint.eq_ignore_ascii_case("FILE"))
        || property.pointer("/properties/contentBytes").is_some()
}

/// The trigger body of each run, with a label (the CSV row) for reports.
pub async fn trigger_bodies(
    args: &RunArgs,
    definition: &Map<String, Value>,
    env: &Env,
) -> Result<Vec<(String, Value)>, String> {
    let trigger = first_trigger(definition)
        .map(|(_, t)| t.clone())
        .unwrap_or(Value::Null);
    let inputs: Vec<(String, String)> = args
        .inputs
        .iter()
        .map(|i| split_pair(i, "--input").and_then(|pair| read_file_input(&trigger, pair)))
        .collect::<Result<_, _>>()?;
    if let Some(path) = &args.data {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        return csv_rows(&text)?
            .into_iter()
            .map(|(row, pairs)| {
                let mut all = inputs.clone();
                all.extend(pairs);
                manual_body(&trigger, &all)
                    .map(|body| (format!("row {row}"), body))
                    .map_err(|e| format!("{}, row {row}: {e}", path.display()))
            })
            .collect();
    }
    if let Some(path) = &args.trigger_body {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let body: Value = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}: line {}, column {}: not valid JSON: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        // A business event: its fields and its `data` string, as real definitions read either.
        let body = if is_business_event(&trigger) {
            business_event_body(body)
        } else {
            body
        };
        return Ok(vec![(String::new(), body)]);
    }
    if let Some(keys) = &args.record {
        return Ok(vec![(
            String::new(),
            selected_record(&trigger, keys, env).await?,
        )]);
    }
    if is_manual(&trigger) || !inputs.is_empty() {
        let body = manual_body(&trigger, &inputs).map_err(|e| e.to_string())?;
        return Ok(vec![(String::new(), body)]);
    }
    Ok(vec![(String::new(), json!({}))])
}

/// The record a "For a selected record" trigger delivers, read from the instance.
async fn selected_record(trigger: &Value, keys: &str, env: &Env) -> Result<Value, String> {
    if !is_selected_record(trigger) {
        return Err(
            "--record is for a \"For a selected record\" trigger; this flow has another trigger"
                .to_owned(),
        );
    }
    let table = trigger
        .pointer("/inputs/parameters/table")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            let path = trigger.pointer("/inputs/path").and_then(Value::as_str)?;
            let after = path.split("/tables/").nth(1)?;
            let table = after.split('/').next()?;
            Some(
                percent_encoding::percent_decode_str(table)
                    .decode_utf8_lossy()
                    .into_owned(),
            )
        })
        .ok_or_else(|| "the trigger names no table".to_owned())?;
    let (Some(client), Some(model)) = (&env.client, &env.model) else {
        return Err("--record needs an instance: give --instance I or --demo".to_owned());
    };
    let key = key_predicate(model, &table, keys).map_err(|e| format!("--record: {e}"))?;
    let request = ActionRequest::GetRecord {
        record: RecordRef::new(table, key).across_companies(true),
        query: String::new(),
    };
    match run_request(client, Some(model.as_ref()), &request).await {
        Ok(done) => match done.outcome {
            Outcome::Record(record) => Ok(record),
            other => Err(format!("--record: unexpected answer {other:?}")),
        },
        Err(e) => Err(format!("--record {keys}: {e}")),
    }
}

/// A CSV row: its number (the header is row 1) and its `(column, text)` cells.
type CsvRow = (usize, Vec<(String, String)>);

/// The rows of a CSV file, empty cells left out.
fn csv_rows(text: &str) -> Result<Vec<CsvRow>, String> {
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("row 1: {e}"))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for (index, row) in reader.records().enumerate() {
        let number = index + 2;
        let row = row.map_err(|e| format!("row {number}: {e}"))?;
        let pairs = header
            .iter()
            .zip(row.iter())
            .filter(|(name, text)| !name.is_empty() && !text.is_empty())
            .map(|(name, text)| (name.clone(), text.to_owned()))
            .collect();
        rows.push((number, pairs));
    }
    if rows.is_empty() {
        return Err("the data file has no rows".to_owned());
    }
    Ok(rows)
}
