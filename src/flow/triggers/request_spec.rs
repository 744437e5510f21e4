//! What a `Request` trigger ("When an HTTP request is received") takes from an HTTP
//! request, as the cloud reads it: the method and `relativePath` it accepts, the path
//! parameters of a path, and the body by its content type.

use serde_json::{Map, Value, json};

use crate::flow::run::trigger;

/// What a flow's `Request` trigger accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSpec {
    /// `inputs.method` (any method when not given).
    pub method: Option<String>,
    /// `inputs.relativePath`, without leading or trailing `/` (none: the root path).
    pub relative_path: Option<String>,
}

impl RequestSpec {
    /// Reads the flow's first trigger; an error when it is not a `Request` trigger.
    pub fn of(definition: &Map<String, Value>) -> Result<Self, String> {
        let (_, trigger) = trigger::first_trigger(definition).ok_or("the flow has no trigger")?;
        if !trigger::is_manual(trigger) {
            return Err(format!(
                "its trigger is {}, not a Request trigger (When an HTTP request is received)",
                trigger
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown")
            ));
        }
        let text = |key: &str| {
            trigger
                .pointer(&format!("/inputs/{key}"))
                .and_then(Value::as_str)
                .map(|s| s.trim().trim_matches('/').to_owned())
                .filter(|s| !s.is_empty())
        };
        Ok(Self {
            method: text("method").map(|m| m.to_ascii_uppercase()),
            relative_path: text("relativePath"),
        })
    }

    /// The path parameters of `path` (`/orders/42` against `orders/{id}`: `id` = `42`), or
    /// `None` when it does not match.
    pub fn match_path(&self, path: &str) -> Option<Map<String, Value>> {
        let given: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let template: Vec<&str> = self
            .relative_path
            .as_deref()
            .map(|t| t.split('/').filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        if given.len() != template.len() {
            return None;
        }
        let mut parameters = Map::new();
        for (segment, pattern) in given.iter().zip(&template) {
            let decoded = percent_encoding::percent_decode_str(segment)
                .decode_utf8_lossy()
                .into_owned();
            match pattern.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => {
                    parameters.insert(name.to_owned(), Value::String(decoded));
                }
                None if pattern.eq_ignore_ascii_case(&decoded) => {}
                None => return None,
            }
        }
        Some(parameters)
    }
}

/// The trigger's body for a request: JSON parsed, text as text, a URL-encoded form with its
/// `$formdata`, anything else as binary content; none when the request has no body.
pub fn request_body(content_type: Option<&str>, bytes: &[u8]) -> Result<Option<Value>, String> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let content_type = content_type.unwrap_or("application/octet-stream");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        return serde_json::from_slice(bytes)
            .map(Some)
            .map_err(|e| format!("the body is not valid JSON: {e}"));
    }
    if essence.starts_with("text/") {
        return Ok(Some(Value::String(
            String::from_utf8_lossy(bytes).into_owned(),
        )));
    }
    let mut body = crate::flow::expr::binary_envelope(bytes, content_type);
    if essence == "application/x-www-form-urlencoded"
        && let Value::Object(map) = &mut body
    {
        let form: Vec<Value> = url::form_urlencoded::parse(bytes)
            .map(|(key, value)| json!({"key": key, "value": value}))
            .collect();
        map.insert("$formdata".to_owned(), Value::Array(form));
    }
    Ok(Some(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_the_relative_path_template() {
        let spec = RequestSpec {
            method: Some("PUT".into()),
            relative_path: Some("orders/{id}/lines/{line}".into()),
        };
        let found = spec.match_path("/orders/SO%2042/lines/3").expect("matches");
        assert_eq!(Value::Object(found), json!({"id": "SO 42", "line": "3"}));
        assert!(spec.match_path("/orders/1").is_none());
        assert!(spec.match_path("/invoices/1/lines/2").is_none());
        let root = RequestSpec {
            method: None,
            relative_path: None,
        };
        assert_eq!(root.match_path("/"), Some(Map::new()));
        assert!(root.match_path("/x").is_none());
    }

    #[test]
    fn bodies_read_by_their_content_type() {
        assert_eq!(
            request_body(Some("application/json; charset=utf-8"), br#"{"a": 1}"#),
            Ok(Some(json!({"a": 1})))
        );
        assert_eq!(
            request_body(Some("text/plain"), b"hello"),
            Ok(Some(json!("hello")))
        );
        let form = request_body(Some("application/x-www-form-urlencoded"), b"a=1&b=x+y")
            .unwrap()
            .unwrap();
        assert_eq!(
            form["$formdata"],
            json!([{"key": "a", "value": "1"}, {"key": "b", "value": "x y"}])
        );
        assert_eq!(request_body(Some("application/json"), b""), Ok(None));
        assert!(request_body(Some("application/json"), b"{").is_err());
    }
}
