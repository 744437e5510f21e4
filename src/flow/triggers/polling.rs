//! "When a record is created or changed": one poll reads the entity and compares it with
//! what the previous poll saw — by a watermark field (`ModifiedDateTime`-like) or, for
//! entities without one, by key and content. The first poll only takes the baseline.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::kind::{ChangeDetection, PollSpec};
use super::state::PollState;
use crate::odata::client::{CancelToken, ODataClient, ODataError};
use crate::odata::metadata::Model;
use crate::odata::query::QueryOptions;

/// What happened to a record between two polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Not seen before.
    Created,
    /// Seen before, now different.
    Changed,
}

impl ChangeKind {
    /// `created` or `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Changed => "changed",
        }
    }
}

/// One change found by a poll.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Created or changed.
    pub kind: ChangeKind,
    /// The record's key values, comma-separated in key order.
    pub key: String,
    /// The record as read.
    pub record: Value,
}

/// Why a poll failed.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// The entity is not in the instance's metadata, or has no key.
    #[error("{0}")]
    Entity(String),
    /// The request failed.
    #[error(transparent)]
    OData(#[from] ODataError),
}

/// The key properties of the spec's entity set.
pub fn key_fields(model: &Model, table: &str) -> Result<Vec<String>, PollError> {
    let set = model.entity_set(table).ok_or_else(|| {
        PollError::Entity(format!(
            "the record trigger's entity '{table}' is not an entity set of the instance"
        ))
    })?;
    let entity = model.entity_type(&set.entity_type).ok_or_else(|| {
        PollError::Entity(format!(
            "the type of entity set '{table}' is not in the metadata"
        ))
    })?;
    let keys = model.key_of(entity).to_vec();
    if keys.is_empty() {
        return Err(PollError::Entity(format!(
            "entity set '{table}' has no key"
        )));
    }
    Ok(keys)
}

/// The query of one poll: the spec's filter, and past the watermark when there is one.
pub fn poll_query(spec: &PollSpec, state: Option<&PollState>) -> QueryOptions {
    let watermark = match (&spec.detection, state.and_then(|s| s.watermark.as_deref())) {
        (ChangeDetection::Watermark(field), Some(value)) => Some(format!("{field} ge {value}")),
        _ => None,
    };
    let filter = match (&spec.filter, watermark) {
        (Some(own), Some(mark)) => Some(format!("({own}) and {mark}")),
        (Some(own), None) => Some(own.clone()),
        (None, mark) => mark,
    };
    QueryOptions {
        filter,
        cross_company: spec.cross_company,
        ..QueryOptions::default()
    }
}

/// Reads every record the poll looks at (all pages).
pub async fn fetch(
    client: &ODataClient,
    spec: &PollSpec,
    state: Option<&PollState>,
    cancel: &CancelToken,
) -> Result<Vec<Value>, PollError> {
    let query = poll_query(spec, state);
    let url = client.collection_url(&spec.table, &query.to_query_string())?;
    let mut records = Vec::new();
    client
        .list_all(url, cancel, |page, _| {
            records.extend(page.items);
            ControlFlow::Continue(())
        })
        .await?;
    Ok(records)
}

fn key_of(record: &Value, keys: &[String]) -> String {
    keys.iter()
        .map(|k| match record.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A fingerprint of the record's content (annotations such as the ETag left out).
fn fingerprint(record: &Value) -> String {
    let content: Map<String, Value> = record
        .as_object()
        .map(|map| {
            map.iter()
                .filter(|(k, _)| !k.contains('@'))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    let digest = Sha256::digest(Value::Object(content).to_string().as_bytes());
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// Compares the records of a poll with the previous state: the changes to start runs for
/// (in the order read) and the new state. With no previous state the poll is the baseline
/// and reports nothing.
pub fn diff(
    spec: &PollSpec,
    keys: &[String],
    previous: Option<&PollState>,
    records: &[Value],
) -> (PollState, Vec<Change>) {
    match &spec.detection {
        ChangeDetection::Content => diff_content(spec, keys, previous, records),
        ChangeDetection::Watermark(field) => diff_watermark(field, keys, previous, records),
    }
}

fn diff_content(
    spec: &PollSpec,
    keys: &[String],
    previous: Option<&PollState>,
    records: &[Value],
) -> (PollState, Vec<Change>) {
    let mut seen = Map::new();
    let mut changes = Vec::new();
    for record in records {
        let key = key_of(record, keys);
        let print = fingerprint(record);
        if let Some(previous) = previous {
            let kind = match previous.seen.get(&key).and_then(Value::as_str) {
                None => Some(ChangeKind::Created),
                Some(old) if old != print && !spec.only_new => Some(ChangeKind::Changed),
                Some(_) => None,
            };
            if let Some(kind) = kind {
                changes.push(Change {
                    kind,
                    key: key.clone(),
                    record: record.clone(),
                });
            }
        }
        seen.insert(key, Value::String(print));
    }
    let state = PollState {
        watermark: None,
        seen,
    };
    (state, changes)
}

/// Watermark values compare as instants when both read as date-times, as text otherwise.
fn later(a: &str, b: &str) -> std::cmp::Ordering {
    match (
        chrono::DateTime::parse_from_rfc3339(a),
        chrono::DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ => a.cmp(b),
    }
}

fn diff_watermark(
    field: &str,
    keys: &[String],
    previous: Option<&PollState>,
    records: &[Value],
) -> (PollState, Vec<Change>) {
    let mark_of = |record: &Value| -> Option<String> {
        match record.get(field) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
    };
    let old_mark = previous.and_then(|p| p.watermark.clone());
    // Records at exactly the old watermark were seen unless their key is new there.
    let at_old_mark: Vec<&String> = previous
        .map(|p| p.seen.keys().collect())
        .unwrap_or_default();
    let mut changes = Vec::new();
    let mut by_mark: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut new_mark = old_mark.clone();
    for record in records {
        let Some(mark) = mark_of(record) else {
            continue;
        };
        let key = key_of(record, keys);
        let is_new = match &old_mark {
            None => previous.is_some(),
            Some(old) => match later(&mark, old) {
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Equal => !at_old_mark.contains(&&key),
                std::cmp::Ordering::Less => false,
            },
        };
        if is_new && previous.is_some() {
            changes.push(Change {
                kind: ChangeKind::Changed,
                key: key.clone(),
                record: record.clone(),
            });
        }
        if new_mark
            .as_deref()
            .is_none_or(|m| later(&mark, m) == std::cmp::Ordering::Greater)
        {
            new_mark = Some(mark.clone());
        }
        by_mark.entry(mark).or_default().push(key);
    }
    // The keys seen at the new watermark, so that the next poll (`ge`) skips them.
    let mut seen = Map::new();
    if let Some(mark) = &new_mark {
        if new_mark == old_mark {
            for key in at_old_mark {
                seen.insert(key.clone(), json!(true));
            }
        }
        for (stored_mark, keys) in &by_mark {
            if later(stored_mark, mark) == std::cmp::Ordering::Equal {
                for key in keys {
                    seen.insert(key.clone(), json!(true));
                }
            }
        }
    }
    (
        PollState {
            watermark: new_mark,
            seen,
        },
        changes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(detection: ChangeDetection, only_new: bool) -> PollSpec {
        PollSpec {
            table: "Customers".into(),
            filter: Some("Group eq '10'".into()),
            only_new,
            detection,
            cross_company: false,
            recurrence: None,
        }
    }

    fn keys() -> Vec<String> {
        vec!["dataAreaId".into(), "Id".into()]
    }

    fn rec(id: &str, name: &str, modified: &str) -> Value {
        json!({"@odata.etag": format!("W/\"{name}\""), "dataAreaId": "usmf", "Id": id, "Name": name, "Modified": modified})
    }

    #[test]
    fn content_polls_take_a_baseline_then_report_new_and_changed_records_once() {
        let spec = spec(ChangeDetection::Content, false);
        let first = vec![rec("1", "A", ""), rec("2", "B", "")];
        let (state, changes) = diff(&spec, &keys(), None, &first);
        assert!(changes.is_empty(), "the first poll is the baseline");
        let second = vec![rec("1", "A", ""), rec("2", "B2", ""), rec("3", "C", "")];
        let (state, changes) = diff(&spec, &keys(), Some(&state), &second);
        let found: Vec<(ChangeKind, &str)> =
            changes.iter().map(|c| (c.kind, c.key.as_str())).collect();
        assert_eq!(
            found,
            vec![
                (ChangeKind::Changed, "usmf,2"),
                (ChangeKind::Created, "usmf,3")
            ]
        );
        let (_, again) = diff(&spec, &keys(), Some(&state), &second);
        assert!(again.is_empty(), "nothing changed since");
        let only_new = super::tests::spec(ChangeDetection::Content, true);
        let (base, _) = diff(&only_new, &keys(), None, &first);
        let (_, changes) = diff(&only_new, &keys(), Some(&base), &second);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].kind, ChangeKind::Created);
    }

    #[test]
    fn watermark_polls_report_records_past_the_mark_and_new_ones_at_it() {
        let spec = spec(ChangeDetection::Watermark("Modified".into()), false);
        let t1 = "2026-01-01T10:00:00Z";
        let t2 = "2026-01-01T10:00:05Z";
        let (state, changes) = diff(
            &spec,
            &keys(),
            None,
            &[rec("1", "A", t1), rec("2", "B", t1)],
        );
        assert!(changes.is_empty());
        assert_eq!(state.watermark.as_deref(), Some(t1));
        assert_eq!(
            poll_query(&spec, Some(&state)).filter.as_deref(),
            Some(&*format!("(Group eq '10') and Modified ge {t1}"))
        );
        // The server answers `ge t1`: the two seen at t1, one more at t1, one at t2.
        let read = [
            rec("1", "A", t1),
            rec("2", "B", t1),
            rec("3", "C", t1),
            rec("1", "A2", t2),
        ];
        let (state, changes) = diff(&spec, &keys(), Some(&state), &read);
        let keys_found: Vec<&str> = changes.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys_found, vec!["usmf,3", "usmf,1"]);
        assert_eq!(state.watermark.as_deref(), Some(t2));
        let (_, again) = diff(&spec, &keys(), Some(&state), &[rec("1", "A2", t2)]);
        assert!(again.is_empty());
    }
}
