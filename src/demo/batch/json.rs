//! The JSON `$batch` format (OData 4.01): `{"requests":[…]}` in, `{"responses":[…]}` out;
//! requests sharing an `atomicityGroup` become one changeset.

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::multipart::{BatchFormatError, BatchItem, ItemResponse, PartRequest, PartResponse};

/// One request of a JSON batch.
#[derive(Debug, Deserialize)]
struct JsonRequest {
    id: String,
    method: String,
    url: String,
    #[serde(default)]
    headers: Map<String, Value>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default, rename = "atomicityGroup")]
    atomicity_group: Option<String>,
}

/// A parsed JSON batch.
#[derive(Debug, Deserialize)]
pub struct JsonBatch {
    requests: Vec<JsonRequest>,
}

/// One top-level item's request ids and atomicity group, for writing the answer.
#[derive(Debug, Clone)]
pub struct ItemIds {
    ids: Vec<String>,
    group: Option<String>,
}

fn bad(text: impl Into<String>) -> BatchFormatError {
    BatchFormatError(text.into())
}

fn to_part(request: JsonRequest) -> Result<PartRequest, BatchFormatError> {
    let method = Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| bad(format!("invalid method {:?}", request.method)))?;
    let mut headers = HeaderMap::new();
    for (name, value) in &request.headers {
        let text = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| bad(format!("invalid header name {name:?}")))?;
        let value = HeaderValue::from_str(&text)
            .map_err(|_| bad(format!("invalid value of header {name}")))?;
        headers.insert(name, value);
    }
    let body = match request.body {
        None | Some(Value::Null) => Bytes::new(),
        Some(Value::String(text)) => Bytes::from(text),
        Some(value) => Bytes::from(value.to_string()),
    };
    Ok(PartRequest {
        content_id: Some(request.id),
        method,
        target: request.url,
        headers,
        body,
    })
}

/// Parses a JSON batch body.
pub fn parse_json_batch(body: &[u8]) -> Result<JsonBatch, BatchFormatError> {
    // Request bodies inside are re-serialised: a duplicate property must be caught here.
    crate::demo::strict_json::from_slice(body)
        .map_err(|err| bad(format!("not a JSON batch: {err}")))?;
    let batch: JsonBatch =
        serde_json::from_slice(body).map_err(|err| bad(format!("not a JSON batch: {err}")))?;
    if batch.requests.is_empty() {
        return Err(bad("the batch has no requests"));
    }
    Ok(batch)
}

impl JsonBatch {
    /// The batch as executable items (adjacent requests of one group form a changeset) plus
    /// the ids of each item.
    pub fn into_items(self) -> Result<(Vec<BatchItem>, Vec<ItemIds>), BatchFormatError> {
        let mut items = Vec::new();
        let mut ids: Vec<ItemIds> = Vec::new();
        let mut closed_groups: Vec<String> = Vec::new();
        for request in self.requests {
            let id = request.id.clone();
            let group = request.atomicity_group.clone();
            let part = to_part(request)?;
            let continues = matches!(
                (ids.last(), &group),
                (Some(ItemIds { group: Some(last), .. }), Some(current)) if last == current
            );
            if continues {
                if let (Some(BatchItem::ChangeSet(parts)), Some(last)) =
                    (items.last_mut(), ids.last_mut())
                {
                    parts.push(part);
                    last.ids.push(id);
                }
                continue;
            }
            if let Some(ItemIds {
                group: Some(last), ..
            }) = ids.last()
            {
                closed_groups.push(last.clone());
            }
            match group {
                Some(group) => {
                    if closed_groups.contains(&group) {
                        return Err(bad(format!(
                            "the requests of atomicity group {group:?} are not adjacent"
                        )));
                    }
                    items.push(BatchItem::ChangeSet(vec![part]));
                    ids.push(ItemIds {
                        ids: vec![id],
                        group: Some(group),
                    });
                }
                None => {
                    items.push(BatchItem::Single(part));
                    ids.push(ItemIds {
                        ids: vec![id],
                        group: None,
                    });
                }
            }
        }
        Ok((items, ids))
    }
}

fn response_json(part: &PartResponse, id: &str, group: Option<&String>) -> Value {
    let headers: Map<String, Value> = part
        .headers
        .iter()
        .filter_map(|(name, value)| {
            Some((
                name.as_str().to_owned(),
                Value::String(value.to_str().ok()?.to_owned()),
            ))
        })
        .collect();
    let body = if part.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&part.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&part.body).into_owned()))
    };
    let mut value = json!({ "id": id, "status": part.status.as_u16(), "headers": headers });
    if let Some(group) = group {
        value["atomicityGroup"] = Value::String(group.clone());
    }
    if !body.is_null() {
        value["body"] = body;
    }
    value
}

/// Writes the `{"responses":[…]}` answer; other members of a failed group get 424.
pub fn write_json_batch(answers: &[ItemResponse], ids: &[ItemIds]) -> Vec<u8> {
    let mut responses = Vec::new();
    for (answer, item) in answers.iter().zip(ids) {
        match answer {
            ItemResponse::ChangeSet(parts) => {
                for part in parts {
                    let id = part.content_id.as_deref().unwrap_or_default();
                    responses.push(response_json(part, id, item.group.as_ref()));
                }
            }
            ItemResponse::Single(part) => {
                let failing = part.content_id.as_deref();
                for id in &item.ids {
                    if failing == Some(id.as_str()) || item.ids.len() == 1 {
                        responses.push(response_json(part, id, item.group.as_ref()));
                    } else {
                        let dependency = PartResponse {
                            content_id: Some(id.clone()),
                            status: StatusCode::FAILED_DEPENDENCY,
                            headers: HeaderMap::new(),
                            body: Vec::new(),
                        };
                        responses.push(response_json(&dependency, id, item.group.as_ref()));
                    }
                }
            }
        }
    }
    json!({ "responses": responses }).to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_adjacent_requests_into_changesets() {
        let body = br#"{"requests":[
            {"id":"r1","method":"get","url":"CustomersV3"},
            {"id":"r2","method":"POST","url":"CustomersV3","atomicityGroup":"g1",
             "headers":{"content-type":"application/json"},"body":{"CustomerAccount":"A"}},
            {"id":"r3","method":"PATCH","url":"$r2","atomicityGroup":"g1","body":{"X":1}}
        ]}"#;
        let (items, ids) = parse_json_batch(body)
            .expect("valid")
            .into_items()
            .expect("items");
        assert_eq!(items.len(), 2);
        assert!(matches!(&items[0], BatchItem::Single(p) if p.method == Method::GET));
        let BatchItem::ChangeSet(parts) = &items[1] else {
            panic!("expected a changeset");
        };
        assert_eq!(parts.len(), 2);
        assert_eq!(&parts[0].body[..], br#"{"CustomerAccount":"A"}"#);
        assert_eq!(ids[1].ids, vec!["r2".to_owned(), "r3".to_owned()]);
    }

    #[test]
    fn rejects_split_groups_and_non_batches() {
        let split = br#"{"requests":[
            {"id":"1","method":"POST","url":"A","atomicityGroup":"g"},
            {"id":"2","method":"GET","url":"A"},
            {"id":"3","method":"POST","url":"A","atomicityGroup":"g"}]}"#;
        let batch = parse_json_batch(split).expect("parses");
        assert!(batch.into_items().is_err());
        assert!(parse_json_batch(b"{}").is_err());
        assert!(parse_json_batch(br#"{"requests":[]}"#).is_err());
    }
}
