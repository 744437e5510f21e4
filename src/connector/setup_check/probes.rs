//! The checklist's HTTP requests, answered as plain data: status, challenge, the OData error
//! message, the demo's roles header and the start of the body.

use serde_json::Value;
use url::Url;

/// The demo's answer header naming the caller's security roles (F&O sends none).
pub(super) const ROLES_HEADER: &str = "x-flowbench-demo-roles";

/// What a probe got back.
#[derive(Debug, Clone, Default)]
pub(super) struct Answer {
    /// HTTP status.
    pub status: u16,
    /// `WWW-Authenticate`, when sent.
    pub challenge: Option<String>,
    /// `Location`, when sent.
    pub location: Option<String>,
    /// The demo's roles header, split at commas.
    pub roles: Option<Vec<String>>,
    /// The first `limit` bytes of the body, as text.
    pub body: String,
}

impl Answer {
    /// The OData error's `error.message`, when the body is one.
    pub fn odata_message(&self) -> Option<String> {
        let json: Value = serde_json::from_str(&self.body).ok()?;
        json.pointer("/error/message")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .map(str::to_owned)
    }

    /// The challenge's `error_description`, when given.
    pub fn challenge_description(&self) -> Option<&str> {
        let challenge = self.challenge.as_deref()?;
        let start = challenge.find("error_description=\"")? + "error_description=\"".len();
        let len = challenge[start..].find('"')?;
        Some(&challenge[start..start + len])
    }

    /// What the server said about a refusal: the challenge's description, else the OData
    /// message.
    pub fn reason(&self) -> Option<String> {
        self.challenge_description()
            .map(str::to_owned)
            .or_else(|| self.odata_message())
    }
}

/// GETs `url` (with `token` as bearer when given), keeping at most `limit` bytes of the body.
pub(super) async fn get(
    http: &reqwest::Client,
    url: &Url,
    token: Option<&str>,
    accept: &str,
    limit: usize,
) -> Result<Answer, String> {
    let mut request = http
        .get(url.clone())
        .header(reqwest::header::ACCEPT, accept);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let mut response = request.send().await.map_err(|e| error_chain(&e))?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut answer = Answer {
        status: response.status().as_u16(),
        challenge: header("www-authenticate"),
        location: header("location"),
        roles: header(ROLES_HEADER).map(|roles| {
            roles
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect()
        }),
        body: String::new(),
    };
    let mut body = Vec::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => return Err(error_chain(&e)),
        }
    }
    body.truncate(limit);
    answer.body = String::from_utf8_lossy(&body).into_owned();
    Ok(answer)
}

/// An error with its sources, as one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The entity sets named in a service document (`value[].name` of kind `EntitySet`).
pub(super) fn entity_sets(service_document: &str) -> Vec<String> {
    let Ok(json) = serde_json::from_str::<Value>(service_document) else {
        return Vec::new();
    };
    json.get("value")
        .and_then(Value::as_array)
        .map(|sets| {
            sets.iter()
                .filter(|s| {
                    s.get("kind")
                        .and_then(Value::as_str)
                        .is_none_or(|k| k == "EntitySet")
                })
                .filter_map(|s| s.get("name").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The entity to read a record of: a small, common one when listed, else the first.
pub(super) fn test_entity(sets: &[String]) -> Option<String> {
    const PREFERRED: [&str; 3] = ["LegalEntities", "Currencies", "CustomersV3"];
    PREFERRED
        .iter()
        .find(|p| sets.iter().any(|s| s == *p))
        .map(|p| (*p).to_owned())
        .or_else(|| sets.first().cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_challenges_and_odata_messages() {
        let answer = Answer {
            status: 401,
            challenge: Some(
                "Bearer realm=\"x\", error=\"invalid_token\", error_description=\"bad aud\"".into(),
            ),
            body: r#"{"error":{"code":"","message":"Authentication failed"}}"#.into(),
            ..Answer::default()
        };
        assert_eq!(answer.challenge_description(), Some("bad aud"));
        assert_eq!(answer.reason().as_deref(), Some("bad aud"));
        assert_eq!(
            answer.odata_message().as_deref(),
            Some("Authentication failed")
        );
    }

    #[test]
    fn picks_a_test_entity() {
        let doc = r#"{"value":[{"name":"A","kind":"EntitySet","url":"A"},
            {"name":"CustomersV3","url":"CustomersV3"},{"name":"F","kind":"FunctionImport"}]}"#;
        let sets = entity_sets(doc);
        assert_eq!(sets, ["A", "CustomersV3"]);
        assert_eq!(test_entity(&sets).as_deref(), Some("CustomersV3"));
        assert_eq!(test_entity(&sets[..1]).as_deref(), Some("A"));
        assert_eq!(test_entity(&[]), None);
    }
}
