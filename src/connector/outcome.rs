//! What a connector action produced, as data the caller renders.

use std::time::Duration;

use serde_json::Value;

use super::batch::{BatchResult, results_json};
use crate::odata::client::{EntitySetInfo, ListProgress};

/// What a finished connector action produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// One record (get).
    Record(Value),
    /// The created record.
    Created(Value),
    /// A record read to be edited (a get the caller asked for on behalf of an update form).
    Loaded(Value),
    /// The record was updated: its path and its state on the server afterwards (`Null`
    /// when the caller did not ask to read it back and the server sent nothing).
    Updated(String, Value),
    /// The record was deleted (its path).
    Deleted(String),
    /// An action's or function's result, when it returns one.
    ActionResult(Option<Value>),
    /// The instance's entity sets.
    Entities(Vec<EntitySetInfo>),
    /// Records of a listing, with how the paging went.
    Records(Vec<Value>, ListProgress),
    /// The results of a `$batch`, one per request.
    Batch(Vec<BatchResult>),
}

impl Outcome {
    /// The records it holds, for a table: one for a single record, the listed ones, an
    /// action's result (a collection, an object, or a value wrapped as `{"value": …}`), the
    /// entity sets as `name`, `kind`, `url`.
    pub fn records(&self) -> Vec<Value> {
        match self {
            Self::Record(record)
            | Self::Created(record)
            | Self::Loaded(record)
            | Self::Updated(_, record @ Value::Object(_)) => vec![record.clone()],
            Self::Records(items, _) => items.clone(),
            Self::ActionResult(Some(Value::Array(items))) => items.clone(),
            Self::ActionResult(Some(record @ Value::Object(_))) => vec![record.clone()],
            Self::ActionResult(Some(value)) => vec![serde_json::json!({ "value": value })],
            Self::Entities(sets) => sets
                .iter()
                .map(|s| serde_json::json!({ "name": s.name, "kind": s.kind, "url": s.url }))
                .collect(),
            Self::Batch(results) => match results_json(results)["responses"].take() {
                Value::Array(rows) => rows,
                _ => Vec::new(),
            },
            Self::Updated(..) | Self::ActionResult(None) | Self::Deleted(_) => Vec::new(),
        }
    }

    /// The `@odata.etag` of the single record it holds, if any.
    pub fn etag(&self) -> Option<&str> {
        match self {
            Self::Record(record)
            | Self::Created(record)
            | Self::Loaded(record)
            | Self::Updated(_, record) => record.get("@odata.etag").and_then(Value::as_str),
            _ => None,
        }
    }

    /// One line saying what happened, for a status line or a log.
    pub fn describe(&self) -> String {
        match self {
            Self::Record(_) => "Record found".to_owned(),
            Self::Created(_) => "Record created".to_owned(),
            Self::Loaded(_) => "Record loaded: edit the fields, then save the changes".to_owned(),
            Self::Updated(path, _) => format!("Updated {path}"),
            Self::Deleted(path) => format!("Deleted {path}"),
            Self::ActionResult(Some(_)) => "Action executed; it returned a result".to_owned(),
            Self::ActionResult(None) => "Action executed".to_owned(),
            Self::Entities(sets) => format!("{} entity sets", sets.len()),
            Self::Batch(results) => {
                let done = results.iter().filter(|r| r.succeeded()).count();
                let failed = results.len() - done;
                match failed {
                    0 => format!("{done} of {} requests succeeded", results.len()),
                    _ => format!(
                        "{done} of {} requests succeeded, {failed} did not: see outcome and error",
                        results.len()
                    ),
                }
            }
            Self::Records(items, progress) => {
                let pages = if progress.pages == 1 { "page" } else { "pages" };
                format!("{} records in {} {pages}", items.len(), progress.pages)
            }
        }
    }
}

/// A finished action: what it produced and how long it took.
#[derive(Debug, Clone, PartialEq)]
pub struct Completed {
    /// What the action produced.
    pub outcome: Outcome,
    /// Wall time from the first request to the last answer.
    pub elapsed: Duration,
}
