//! Connector actions on records: service document, `$metadata`, get, create, update (with
//! `If-Match`, only changed fields) and delete.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use reqwest::Method;
use serde_json::{Map, Value};
use url::Url;

use super::ODataClient;
use super::error::ODataError;
use super::transport::ODataRequest;
use crate::odata::metadata::cache::{CachedMetadata, MetadataCache, source_digest};
use crate::odata::metadata::{Model, parse_metadata};

/// Characters escaped in a path segment; OData key syntax (`'`, `=`, `,`, `(`, `)`) stays.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'?')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|')
    .add(b'[')
    .add(b']');

/// `text` escaped for use as one URL path segment.
pub fn segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// The relative path of one record: `Set(key)`; `key` is a key predicate without the
/// parentheses, e.g. `dataAreaId='usmf',CustomerAccount='US-001'` or `42`.
pub fn record_path(entity_set: &str, key: &str) -> String {
    let key = key.trim();
    let key = key
        .strip_prefix('(')
        .and_then(|k| k.strip_suffix(')'))
        .unwrap_or(key);
    format!("{}({})", segment(entity_set), segment(key))
}

/// One entry of the service document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitySetInfo {
    /// Name used in URLs.
    pub name: String,
    /// `EntitySet`, `Singleton`, `FunctionImport` or `ServiceDocument`.
    pub kind: String,
    /// The `url` member (relative to the root, usually equal to the name).
    pub url: String,
}

impl ODataClient {
    /// `GET {root}`: the service document's entries, in server order.
    pub async fn service_document(&self) -> Result<Vec<EntitySetInfo>, ODataError> {
        let response = self
            .send(ODataRequest::new(Method::GET, self.root.clone()))
            .await?;
        let json = response.json()?;
        let Some(Value::Array(entries)) = json.get("value") else {
            return Err(ODataError::InvalidJson {
                url: self.root.to_string(),
                message: "the service document has no 'value' array".into(),
                body: String::from_utf8_lossy(&response.body).into_owned(),
            });
        };
        Ok(entries
            .iter()
            .filter_map(|e| {
                let name = e.get("name")?.as_str()?.to_owned();
                let kind = e
                    .get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or("EntitySet")
                    .to_owned();
                let url = e
                    .get("url")
                    .and_then(Value::as_str)
                    .unwrap_or(&name)
                    .to_owned();
                Some(EntitySetInfo { name, kind, url })
            })
            .collect())
    }

    /// The entity sets listed in the service document (other kinds left out); when the
    /// service has no usable service document, the entity sets of `$metadata`.
    pub async fn entity_sets(&self) -> Result<Vec<EntitySetInfo>, ODataError> {
        match self.service_document().await {
            Ok(mut entries) => {
                entries.retain(|e| e.kind == "EntitySet");
                Ok(entries)
            }
            Err(e) if e.is_network() || e.status() == Some(401) || e.status() == Some(403) => {
                Err(e)
            }
            Err(first) => {
                let Ok(model) = self.metadata().await else {
                    return Err(first);
                };
                Ok(model
                    .entity_sets()
                    .iter()
                    .map(|s| EntitySetInfo {
                        name: s.name.clone(),
                        kind: "EntitySet".into(),
                        url: s.name.clone(),
                    })
                    .collect())
            }
        }
    }

    /// Fetches and parses `$metadata`.
    pub async fn metadata(&self) -> Result<Model, ODataError> {
        let document = self.metadata_document().await?;
        Ok(parse_metadata(&document)?)
    }

    /// `GET {root}$metadata`: the raw CSDL document.
    pub async fn metadata_document(&self) -> Result<bytes::Bytes, ODataError> {
        let url = self.url("$metadata")?;
        let request = ODataRequest::new(Method::GET, url)
            .header("Accept", "application/xml")
            .max_response_bytes(self.config.max_metadata_bytes);
        Ok(self.send(request).await?.body)
    }

    /// `$metadata` through `cache` (keyed by the service root): a conditional GET with the
    /// cached `ETag` / `Last-Modified`; a 304 or an identical document reuses the cached
    /// model, anything else is parsed and stored. A cache that cannot be written is only
    /// logged.
    pub async fn metadata_cached(&self, cache: &MetadataCache) -> Result<Model, ODataError> {
        let key = self.root.as_str();
        let cached = cache.load(key);
        let mut request = ODataRequest::new(Method::GET, self.url("$metadata")?)
            .header("Accept", "application/xml")
            .max_response_bytes(self.config.max_metadata_bytes);
        if let Some(entry) = &cached {
            if let Some(etag) = &entry.etag {
                request = request.header("If-None-Match", etag.clone());
            }
            if let Some(modified) = &entry.last_modified {
                request = request.header("If-Modified-Since", modified.clone());
            }
        }
        let response = self.send(request).await?;
        if response.status == 304 {
            return cached.map(|entry| entry.model).ok_or_else(|| {
                ODataError::InvalidRequest("the server answered 304 without a cached copy".into())
            });
        }
        if let Some(entry) = cached.filter(|entry| entry.matches_source(&response.body)) {
            return Ok(entry.model);
        }
        let model = parse_metadata(&response.body)?;
        let entry = CachedMetadata {
            source_sha256: source_digest(&response.body),
            etag: response.header("etag").map(str::to_owned),
            last_modified: response.header("last-modified").map(str::to_owned),
            model,
        };
        if let Err(e) = cache.store(key, &entry) {
            tracing::warn!(error = %e, "could not store the $metadata cache");
        }
        Ok(entry.model)
    }

    /// `GET {Set}({key})` with an optional query string (`$select`, `$expand`, …).
    pub async fn get_record(
        &self,
        entity_set: &str,
        key: &str,
        query: &str,
    ) -> Result<Value, ODataError> {
        let mut url = self.url(&record_path(entity_set, key))?;
        let query = match (query.is_empty(), self.is_cross_company()) {
            (_, false) => query.to_owned(),
            (true, true) => "cross-company=true".to_owned(),
            (false, true) => format!("{query}&cross-company=true"),
        };
        if !query.is_empty() {
            url.set_query(Some(&query));
        }
        self.send(ODataRequest::new(Method::GET, url)).await?.json()
    }

    /// `POST {Set}`: creates a record and returns it as the server stored it.
    pub async fn create_record(
        &self,
        entity_set: &str,
        record: &Value,
    ) -> Result<Value, ODataError> {
        let url = self.url(&segment(entity_set))?;
        let request =
            ODataRequest::json(Method::POST, url, record).header("Prefer", "return=representation");
        let response = self.send(request).await?;
        if let Some(created) = response.json_opt()? {
            return Ok(created);
        }
        // 204 No Content: read the record back from where the server says it is.
        let location = response
            .header("odata-entityid")
            .or_else(|| response.header("location"))
            .ok_or_else(|| ODataError::InvalidJson {
                url: response.url.to_string(),
                message: "the create response has neither a body nor a Location header".into(),
                body: String::new(),
            })?;
        let url = response
            .url
            .join(location)
            .map_err(|e| ODataError::InvalidUrl(format!("bad Location '{location}': {e}")))?;
        self.send(ODataRequest::new(Method::GET, url)).await?.json()
    }

    /// `PATCH {Set}({key})` with `changes`; `If-Match` is `if_match`, else the `@odata.etag`
    /// inside `changes`, else `*`. Returns the updated record when the server sends it.
    pub async fn update_record(
        &self,
        entity_set: &str,
        key: &str,
        changes: &Map<String, Value>,
        if_match: Option<&str>,
    ) -> Result<Option<Value>, ODataError> {
        let url = self.record_url(&record_path(entity_set, key))?;
        let etag = if_match
            .map(str::to_owned)
            .or_else(|| {
                changes
                    .get("@odata.etag")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "*".to_owned());
        let body: Map<String, Value> = changes
            .iter()
            .filter(|(k, _)| !k.starts_with('@'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let request = ODataRequest::json(Method::PATCH, url, &Value::Object(body))
            .header("If-Match", etag)
            .header("Prefer", "return=representation");
        self.send(request).await?.json_opt()
    }

    /// Updates `original` to `edited`: sends only the fields that differ, with `If-Match`
    /// from `if_match` or the original's `@odata.etag`. `Ok(None)` when nothing changed and
    /// the server sent nothing back.
    pub async fn update_changed(
        &self,
        entity_set: &str,
        key: &str,
        original: &Value,
        edited: &Map<String, Value>,
        if_match: Option<&str>,
    ) -> Result<Option<Value>, ODataError> {
        let changes = changed_fields(original, edited);
        if changes.is_empty() {
            return Ok(None);
        }
        let etag = if_match.or_else(|| original.get("@odata.etag").and_then(Value::as_str));
        self.update_record(entity_set, key, &changes, etag).await
    }

    /// `DELETE {Set}({key})` with `If-Match` (`*` when not given).
    pub async fn delete_record(
        &self,
        entity_set: &str,
        key: &str,
        if_match: Option<&str>,
    ) -> Result<(), ODataError> {
        let url = self.record_url(&record_path(entity_set, key))?;
        let request =
            ODataRequest::new(Method::DELETE, url).header("If-Match", if_match.unwrap_or("*"));
        self.send(request).await.map(|_| ())
    }

    /// Resolves an absolute or root-relative URL string.
    pub fn resolve(&self, url: &str) -> Result<Url, ODataError> {
        self.root
            .join(url)
            .map_err(|e| ODataError::InvalidUrl(format!("{url}: {e}")))
    }
}

/// The fields of `edited` whose values differ from `original` (annotations left out).
pub fn changed_fields(original: &Value, edited: &Map<String, Value>) -> Map<String, Value> {
    edited
        .iter()
        .filter(|(k, _)| !k.starts_with('@') && !k.contains("@odata."))
        .filter(|(k, v)| {
            original
                .get(k.as_str())
                .is_none_or(|old| !same_value(old, v))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Equality that treats `1`, `1.0` and `1.00` as the same number.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y
                || match (x.as_str().parse::<f64>(), y.as_str().parse::<f64>()) {
                    (Ok(x), Ok(y)) => x == y,
                    _ => false,
                }
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn record_paths_escape_unsafe_characters_only() {
        assert_eq!(
            record_path(
                "CustomersV3",
                "dataAreaId='usmf',CustomerAccount='US 001/#'"
            ),
            "CustomersV3(dataAreaId='usmf',CustomerAccount='US%20001%2F%23')"
        );
        assert_eq!(
            record_path("People", "('russellwhyte')"),
            "People('russellwhyte')"
        );
    }

    #[test]
    fn only_changed_fields_are_kept() {
        let original = json!({"@odata.etag": "W/\"1\"", "Name": "A", "Limit": 1.0, "City": "X"});
        let edited = serde_json::from_str::<Map<String, Value>>(
            r#"{"@odata.etag": "W/\"1\"", "Name": "B", "Limit": 1.00, "City": "X", "New": 3}"#,
        )
        .unwrap();
        let changes = changed_fields(&original, &edited);
        assert_eq!(Value::Object(changes), json!({"Name": "B", "New": 3}));
    }
}
