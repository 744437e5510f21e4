//! Rows of a CSV file as records to create: the header names the fields, each row becomes a
//! body typed by `$metadata`, and the rows go out as creates in one `$batch`.

use reqwest::Method;
use serde_json::{Map, Value};

use super::batch::{Batch, BatchRequest};
use super::resolve::{InputError, entity_type_of};
use crate::odata::client::BatchItem;
use crate::odata::metadata::Model;
use crate::odata::values::build_body;

/// Reads `csv` (a header row of field names, then one record per row; empty cells are left
/// out) into typed bodies for `entity_set`. Every problem is reported with its row (1-based,
/// the header is row 1) and field.
pub fn records_from_csv(
    model: &Model,
    entity_set: &str,
    csv: &str,
) -> Result<Vec<Map<String, Value>>, InputError> {
    let entity = entity_type_of(model, entity_set)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| InputError(format!("row 1: {e}")))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if header.iter().all(String::is_empty) {
        return Err(InputError(
            "row 1: expected a header row of field names".to_owned(),
        ));
    }
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for (index, row) in reader.records().enumerate() {
        let line = index + 2;
        let row = row.map_err(|e| InputError(format!("row {line}: {e}")))?;
        let cells = header
            .iter()
            .zip(row.iter())
            .filter(|(name, text)| !name.is_empty() && !text.is_empty());
        match build_body(model, entity, cells) {
            Ok(body) => records.push(body),
            Err(error) => problems.extend(error.errors.iter().map(|e| format!("row {line}, {e}"))),
        }
    }
    if !problems.is_empty() {
        return Err(InputError(problems.join("\n")));
    }
    if records.is_empty() {
        return Err(InputError("the file has a header but no rows".to_owned()));
    }
    Ok(records)
}

/// One create per record, as a batch: lone requests (each row on its own), or one
/// changeset (`all_or_nothing`: one bad row creates none). Ids are `row-N` with N the CSV
/// row (the header is row 1).
pub fn creates_batch(
    entity_set: &str,
    records: Vec<Map<String, Value>>,
    all_or_nothing: bool,
) -> Batch {
    let requests = records
        .into_iter()
        .enumerate()
        .map(|(index, body)| {
            let id = format!("row-{}", index + 2);
            BatchRequest {
                id: id.clone(),
                group: all_or_nothing.then(|| "rows".to_owned()),
                item: BatchItem {
                    id,
                    method: Method::POST,
                    url: entity_set.to_owned(),
                    headers: Vec::new(),
                    body: Some(Value::Object(body)),
                },
            }
        })
        .collect();
    Batch { requests }
}

#[cfg(test)]
mod tests;
